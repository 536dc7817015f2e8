from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent

TOKEN_URL = "/api/v1/auth/token/"

READ_ENDPOINTS = [
    "/api/v1/", "/api/v1/units/", "/api/v1/units/370202/", "/api/v1/units/370202/history/",
    "/api/v1/units/370202/children/", "/api/v1/school-stats/", "/api/v1/enrolments/", "/api/v1/classes/",
    "/api/v1/teacher-stats/", "/api/v1/population/", "/api/v1/students/", "/api/v1/teachers/",
    "/api/v1/audit-events/", "/api/v1/imports/", "/api/v1/imports/1/", "/api/v1/imports/1/errors.xlsx",
    "/api/schema/", "/api/docs/", "/api/redoc/",
]


@pytest.mark.parametrize("url", READ_ENDPOINTS)
def test_every_endpoint_requires_authentication(personas: Any, url: str) -> None:
    response = APIClient().get(url)

    assert response.status_code in {401, 403}
    assert "370202" not in response.content.decode()


def test_writes_require_authentication_too(personas: Any) -> None:
    assert APIClient().post("/api/v1/imports/", {}).status_code == 401
    assert APIClient().post("/api/v1/imports/1/apply/").status_code == 401


def test_token_login_works_and_the_token_authenticates_later_requests(personas: Any) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "li", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/units/370202/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=personas.east_admin).count() == 1


def test_token_login_gives_the_same_token_twice(personas: Any) -> None:
    first = APIClient().post(TOKEN_URL, {"username": "li", "password": PASSWORD}).json()["token"]
    second = APIClient().post(TOKEN_URL, {"username": "li", "password": PASSWORD}).json()["token"]

    assert first == second


def test_a_bad_password_is_refused_and_audited_under_the_accounts_unit(personas: Any, city: Any) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "li", "password": "wrong-password"}, format="json")

    assert response.status_code == 400
    assert "token" not in response.json()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.object_repr == "li"
    assert event.object_id == str(personas.east_admin.pk)
    assert event.org_unit_id == city.east.pk


def test_an_unknown_username_is_audited_without_revealing_anything(personas: Any) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json")
    known = APIClient().post(TOKEN_URL, {"username": "li", "password": "x"}, format="json")

    assert response.status_code == known.status_code == 400
    assert response.json() == known.json()
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).get(object_repr="nobody")
    assert event.object_id == ""
    assert event.org_unit_id is None


def test_a_browser_session_authenticates_as_well(personas: Any) -> None:
    client = APIClient()
    client.force_login(personas.east_admin)

    assert client.get("/api/v1/units/").status_code == 200


def test_a_stale_session_does_not_break_token_login(personas: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(personas.viewer)

    response = client.post(TOKEN_URL, {"username": "li", "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_the_api_root_lists_the_resources(personas: Any, client_for: Any) -> None:
    response = client_for(personas.viewer).get(reverse("v1:api-root"))

    assert response.status_code == 200
    assert {"units", "students", "imports", "audit-events"} <= set(response.json())


def test_repeated_token_requests_from_one_address_are_throttled(db, monkeypatch):
    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    # The rate table is read when the throttle class is defined, so the test patches the class itself.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    client = APIClient()
    codes = [client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code for _ in range(4)]
    assert codes[:3] == [400, 400, 400]
    assert codes[3] == 429


def _age(token_key: str, hours: float) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    Token.objects.filter(key=token_key).update(created=timezone.now() - timedelta(hours=hours))


def test_an_expired_token_is_refused_with_a_chinese_reason_and_a_new_login_replaces_it(personas: Any,
                                                                                        settings: Any) -> None:
    settings.EDUGOV_TOKEN_TTL_HOURS = 24
    first = APIClient().post(TOKEN_URL, {"username": "li", "password": PASSWORD}).json()
    assert first["expires_at"]
    _age(first["token"], 24)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    response = client.get("/api/v1/units/370202/")
    assert response.status_code == 401
    assert "令牌已过期" in response.json()["detail"]

    second = APIClient().post(TOKEN_URL, {"username": "li", "password": PASSWORD}).json()["token"]
    assert second != first["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get("/api/v1/units/370202/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert client.get("/api/v1/units/370202/").status_code == 401


def test_a_token_just_short_of_its_lifetime_still_works(personas: Any, settings: Any) -> None:
    settings.EDUGOV_TOKEN_TTL_HOURS = 24
    token = APIClient().post(TOKEN_URL, {"username": "li", "password": PASSWORD}).json()["token"]
    _age(token, 23.9)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/units/370202/").status_code == 200


def test_deleting_the_token_revokes_it_and_is_audited_without_the_key(personas: Any) -> None:
    token = APIClient().post(TOKEN_URL, {"username": "li", "password": PASSWORD}).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get("/api/v1/units/370202/").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="authtoken.Token")
    assert event.actor == personas.east_admin and token not in f"{event.object_id}{event.object_repr}{event.message}"
    assert APIClient().delete(TOKEN_URL).status_code in (401, 403)
