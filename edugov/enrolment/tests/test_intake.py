"""受理 then 审核: a burst-proof receipt in one statement, filed by the worker through the same checks as the form."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conftest import make_school
from edugov.enrolment import intake, services
from edugov.enrolment.models import Application, Intake

from .helpers import make_id, make_parent, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_worker_thread(settings):  # type: ignore[no-untyped-def]
    """The tests drain the queue themselves, between the receipt and the status they check."""
    settings.EDUGOV_INTAKE_WORKER = False


@pytest.fixture
def rnd(personas, city):
    return make_round(personas.east_admin, city, make_school("2137020009", "东区第二小学", city.east))


def _client(user) -> tuple[Client, dict[str, str]]:  # type: ignore[no-untyped-def]
    return Client(), {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"}


def _body(key: str = "k-1", seq: int = 7, **overrides):  # type: ignore[no-untyped-def]
    body = {"idempotency_key": key, "child_name": "赵小雨", "id_number": make_id(dt.date(2020, 5, 6), seq),
            "guardian_name": "赵大山", "guardian_phone": "13912345678", "address": "东区和平街1号",
            "choices": [{"school": "2137020001", "tier": "local_property"}]}
    body.update(overrides)
    return body


def post(client: Client, auth: dict[str, str], rnd, body):  # type: ignore[no-untyped-def]
    return client.post(f"/enrol/api/{rnd.public_id}/intake/", json.dumps(body), content_type="application/json",
                       **auth)


def test_a_receipt_is_given_at_once_and_the_worker_files_it_through_the_usual_checks(rnd):
    client, auth = _client(make_parent("p1"))
    response = post(client, auth, rnd, _body())
    assert response.status_code == 202
    receipt = response.json()
    assert not Application.objects.exists()  # received, not yet filed
    status = client.get(receipt["status_url"], **auth).json()
    assert status["status"] == "received"
    assert intake.process() == 1
    status = client.get(receipt["status_url"], **auth).json()
    application = Application.objects.get()
    assert status["status"] == "filed" and status["reference"] == application.reference
    assert application.idempotency_key == "k-1" and application.child_name == "赵小雨"


def test_a_retried_key_gets_the_same_receipt_and_one_application(rnd):
    client, auth = _client(make_parent("p1"))
    first = post(client, auth, rnd, _body())
    again = post(client, auth, rnd, _body())
    assert again.status_code == 200 and again.json()["intake"] == first.json()["intake"] and again.json()["replayed"]
    intake.process()
    assert Intake.objects.count() == 1 and Application.objects.count() == 1


def test_a_registration_that_fails_the_checks_is_refused_with_the_reason(rnd):
    client, auth = _client(make_parent("p1"))
    bad = _body(id_number="37020220200506007X")
    receipt = post(client, auth, rnd, bad).json()
    intake.process()
    status = client.get(receipt["status_url"], **auth).json()
    assert status["status"] == "refused" and "校验位应为" in status["errors"]
    assert not Application.objects.exists()


def test_the_same_child_under_two_keys_is_filed_once(rnd):
    client, auth = _client(make_parent("p1"))
    post(client, auth, rnd, _body("a"))
    post(client, auth, rnd, _body("b"))
    intake.process()
    assert Application.objects.count() == 1
    assert "已" in Intake.objects.get(idempotency_key="b").error


def test_after_the_deadline_nothing_is_received(rnd):
    type(rnd).objects.filter(pk=rnd.pk).update(closes_at=rnd.opens_at + dt.timedelta(seconds=1))
    client, auth = _client(make_parent("p1"))
    response = post(client, auth, rnd, _body())
    assert response.status_code == 400 and "报名已截止" in response.json()["errors"]["__all__"][0]
    assert not Intake.objects.exists()


def test_a_registration_received_in_time_is_filed_even_when_the_worker_comes_after_the_deadline(rnd):
    client, auth = _client(make_parent("p1"))
    post(client, auth, rnd, _body())
    received = Intake.objects.get().received_at
    type(rnd).objects.filter(pk=rnd.pk).update(closes_at=received + dt.timedelta(milliseconds=1))
    intake.process()
    assert Intake.objects.get().error == ""
    assert Application.objects.count() == 1


def test_closing_the_round_waits_for_received_registrations(rnd, personas):
    client, auth = _client(make_parent("p1"))
    post(client, auth, rnd, _body())
    type(rnd).objects.filter(pk=rnd.pk).update(closes_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    rnd.refresh_from_db()
    with pytest.raises(services.EnrolmentError, match="尚未核验"):
        services.close_round(actor=personas.east_admin, rnd=rnd)
    intake.process()
    services.close_round(actor=personas.east_admin, rnd=rnd)


def test_without_a_token_or_for_someone_elses_receipt_there_is_nothing(rnd):
    anonymous = Client()
    response = anonymous.post(f"/enrol/api/{rnd.public_id}/intake/", json.dumps(_body()),
                              content_type="application/json")
    assert response.status_code == 401
    client, auth = _client(make_parent("p1"))
    receipt = post(client, auth, rnd, _body()).json()
    other, other_auth = _client(make_parent("p2"))
    assert other.get(receipt["status_url"], **other_auth).status_code == 404
    # Another parent reusing the key is told it conflicts, and gets nothing of the first parent's.
    clash = post(other, other_auth, rnd, _body())
    assert clash.status_code == 400 and "冲突" in clash.json()["errors"]["__all__"][0]


def test_an_expired_token_gets_no_receipt(rnd, settings):  # type: ignore[no-untyped-def]
    settings.EDUGOV_TOKEN_TTL_HOURS = 24
    parent = make_parent("p-old")
    token = Token.objects.create(user=parent)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=25))
    response = post(Client(), {"HTTP_AUTHORIZATION": f"Token {token.key}"}, rnd, _body())
    assert response.status_code == 401
    assert not Intake.objects.exists()
