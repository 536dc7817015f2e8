"""The JSON endpoint files applications through the same service as the form, idempotently."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import make_school
from edugov.enrolment.models import Application, ApplicationEvent

from .helpers import make_id, make_parent, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(personas, city):
    return make_round(personas.east_admin, city, make_school("2137020009", "东区第二小学", city.east))


def _client(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _body(**overrides):  # type: ignore[no-untyped-def]
    body = {"idempotency_key": "k-1", "child_name": "赵小雨", "id_number": make_id(dt.date(2020, 5, 6), 7),
            "guardian_name": "赵大山", "guardian_phone": "13912345678", "address": "东区和平街1号",
            "choices": [{"school": "2137020001", "tier": "local_property"},
                        {"school": "2137020009", "tier": "other"}]}
    body.update(overrides)
    return body


def test_a_parent_files_an_application_and_a_retry_returns_the_same_one(rnd):
    client = _client(make_parent("parent1"))
    url = f"/enrol/api/{rnd.public_id}/applications/"
    first = client.post(url, _body(), format="json")
    assert first.status_code == 201 and re.fullmatch(r"P2026-[0-9A-HJKMNP-TV-Z]{8}", first.json()["reference"])
    again = client.post(url, _body(), format="json")
    assert again.status_code == 200 and again.json() == {**first.json(), "replayed": True}
    header_key = client.post(url, _body(idempotency_key="", id_number=make_id(dt.date(2020, 5, 7), 9)),
                             format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert header_key.status_code == 201
    application = Application.objects.get(reference=first.json()["reference"])
    assert [c.school.school.code for c in application.choices.order_by("rank")] == ["2137020001", "2137020009"]
    assert Application.objects.count() == 2
    assert ApplicationEvent.objects.filter(application=application).count() == 1


def test_refusals_come_back_as_chinese_messages_per_field(rnd):
    client = _client(make_parent("parent1"))
    url = f"/enrol/api/{rnd.public_id}/applications/"
    bad_id = client.post(url, _body(id_number="370202202005060070"), format="json")
    assert bad_id.status_code == 400 and "id_number" in bad_id.json()["errors"]
    client.post(url, _body(), format="json")
    twice = client.post(url, _body(idempotency_key="k-3"), format="json")
    assert twice.status_code == 400 and "已在本轮报名" in twice.json()["errors"]["id_number"][0]
    unknown = client.post(url, _body(idempotency_key="k-4", choices=[{"school": "999"}]), format="json")
    assert unknown.status_code == 400 and "不在本轮" in unknown.json()["errors"]["choices"][0]
    no_key = client.post(url, _body(idempotency_key=""), format="json")
    assert no_key.status_code == 400
    assert Application.objects.count() == 1


def test_anonymous_requests_and_unknown_rounds_are_refused(rnd):
    assert APIClient().post(f"/enrol/api/{rnd.public_id}/applications/", _body(), format="json").status_code in (
        401, 403)
    client = _client(make_parent("parent1"))
    assert client.post("/enrol/api/nope/applications/", _body(), format="json").status_code == 404
