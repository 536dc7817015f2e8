from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from conftest import make_user
from edugov.core.choices import AuditAction, Role
from edugov.core.models import AuditEvent
from edugov.enrolment import services
from edugov.enrolment.choices import ApplicationStatus
from edugov.enrolment.models import Application, EnrolmentRound

from .helpers import close, draw_and_publish, make_id, submit


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def form_data(rnd, **overrides):  # type: ignore[no-untyped-def]
    first = rnd.schools.get(school__code="2137020001")
    data = {"idempotency_key": "form-key-1", "child_name": "赵小雨", "id_number": make_id(dt.date(2020, 5, 6), 7),
            "guardian_name": "赵大山", "guardian_phone": "139 1234 5678", "address": "东区和平街1号",
            "school_1": first.pk, "tier_1": "local_property"}
    data.update(overrides)
    return data


def test_a_parent_registers_and_applies_through_the_form(client, rnd):
    response = client.post(reverse("enrolment:register"), {"username": "newparent", "phone": "13700001111",
                                                           "password": "Long-pass-77x", "password2": "Long-pass-77x"})
    assert response.status_code == 302
    response = client.post(reverse("enrolment:apply", args=[rnd.public_id]), form_data(rnd))
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("enrolment:my_application", args=[app.pk])
    assert app.guardian_phone == "13912345678" and app.parent.username == "newparent"
    # the same form sent again (double click) lands on the same application
    again = client.post(reverse("enrolment:apply", args=[rnd.public_id]), form_data(rnd))
    assert again["Location"] == response["Location"] and Application.objects.count() == 1
    html = client.get(reverse("enrolment:mine")).content.decode()
    assert app.reference in html


def test_the_form_shows_the_deadline_message_after_closing(parent, rnd):
    EnrolmentRound.objects.filter(pk=rnd.pk).update(closes_at=rnd.opens_at + dt.timedelta(seconds=1))
    response = logged_in(parent).post(reverse("enrolment:apply", args=[rnd.public_id]), form_data(rnd))
    assert response.status_code == 200 and "报名已截止" in response.content.decode()
    assert not Application.objects.exists()


def test_the_form_shows_the_expected_check_digit_for_a_mistyped_id(parent, rnd):
    good = make_id(dt.date(2020, 5, 6), 7)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    html = logged_in(parent).post(reverse("enrolment:apply", args=[rnd.public_id]),
                                  form_data(rnd, id_number=bad)).content.decode()
    assert f"校验位应为 {good[17]}" in html


def test_a_parent_cannot_see_another_parents_application(parent, other_parent, rnd):
    app = submit(parent, rnd)
    assert logged_in(parent).get(reverse("enrolment:my_application", args=[app.pk])).status_code == 200
    intruder = logged_in(other_parent)
    assert intruder.get(reverse("enrolment:my_application", args=[app.pk])).status_code == 404
    assert intruder.post(reverse("enrolment:my_respond", args=[app.pk]), {"accept": "0"}).status_code == 404
    assert app.reference not in intruder.get(reverse("enrolment:mine")).content.decode()


def test_a_school_admin_of_another_district_cannot_review(personas, city, parent, rnd):
    app = submit(parent, rnd)
    outsider = logged_in(make_user("west-head", Role.SCHOOL_ADMIN, city.west_primary))
    url = reverse("enrolment:staff_application", args=[app.pk])
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"decision": "approve"}).status_code == 404
    assert outsider.get(reverse("enrolment:staff_round", args=[rnd.public_id])).status_code == 404
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_staff_review_masks_the_list_and_audits_the_reveal(personas, parent, rnd, as_user):
    app = submit(parent, rnd)
    staff = as_user("school_admin")
    listing = staff.get(reverse("enrolment:staff_round", args=[rnd.public_id])).content.decode()
    assert app.reference in listing and app.id_number not in listing and "13912345678" not in listing
    detail = staff.get(reverse("enrolment:staff_application", args=[app.pk])).content.decode()
    assert app.id_number not in detail
    revealed = staff.post(reverse("enrolment:staff_reveal", args=[app.pk])).content.decode()
    assert app.id_number in revealed and "13912345678" in revealed
    assert AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE, object_id=str(app.pk)).count() == 1
    assert as_user("inspector").post(reverse("enrolment:staff_reveal", args=[app.pk])).status_code == 403


def test_staff_return_needs_a_reason_and_approval_records_the_verified_tier(personas, parent, rnd, as_user):
    app = submit(parent, rnd)
    staff = as_user("east_admin")
    url = reverse("enrolment:staff_application", args=[app.pk])
    staff.post(url, {"decision": "return", "reason": ""})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    choice = app.choices.get(rank=2)
    staff.post(url, {"decision": "approve", f"tier_{choice.pk}": "other"})
    app.refresh_from_db()
    choice.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED and choice.verified_tier == "other"


def test_the_public_page_masks_names_and_id_numbers_and_verifies(personas, parent, other_parent, rnd, client):
    apps = [submit(parent, rnd, seq=41, name="张三丰"), submit(other_parent, rnd, seq=43, name="欧阳娜娜")]
    for app in apps:
        services.approve(actor=personas.east_admin, application=app)
    close(personas.east_admin, rnd)
    before = client.get(reverse("enrolment:results", args=[rnd.public_id])).content.decode()
    assert apps[0].reference not in before
    rnd = draw_and_publish(personas.east_admin, rnd)
    html = client.get(reverse("enrolment:results", args=[rnd.public_id])).content.decode()
    assert rnd.seed in html and rnd.seed_commitment in html and rnd.output_sha256 in html
    for app in apps:
        assert app.reference in html
        assert app.id_number not in html and app.id_number[:17] not in html
        assert app.child_name not in html
    assert "张**" in html and "欧***" in html
    verified = client.post(reverse("enrolment:verify", args=[rnd.public_id])).content.decode()
    assert "验证通过" in verified
    record = client.get(reverse("enrolment:public_file", args=[rnd.public_id, "record.json"]))
    assert record.status_code == 200 and rnd.output_sha256.encode() in record.content


def test_the_parent_sees_the_result_only_after_publication_and_can_decline(personas, parent, rnd):
    app = submit(parent, rnd)
    services.approve(actor=personas.east_admin, application=app)
    close(personas.east_admin, rnd)
    services.commit_seed(actor=personas.east_admin, rnd=rnd)
    services.draw(actor=personas.east_admin, rnd=rnd)
    page = logged_in(parent)
    url = reverse("enrolment:my_application", args=[app.pk])
    assert "录取学校" not in page.get(url).content.decode()
    services.publish(actor=personas.east_admin, rnd=rnd)
    html = page.get(url).content.decode()
    assert "录取学校" in html and "东区实验小学" in html
    page.post(reverse("enrolment:my_respond", args=[app.pk]), {"accept": "0"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DECLINED


def test_staff_run_the_round_through_the_pages(personas, city, parent, second_school, as_user, client):
    staff = as_user("east_admin")
    assert staff.get(reverse("enrolment:staff_rounds")).status_code == 200
    now = dt.datetime.now(dt.UTC)
    response = staff.post(reverse("enrolment:staff_rounds"), {
        "unit": city.east.pk, "kind": "primary", "year": 2026, "name": "东区2026年一年级",
        "opens_at": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    rnd = EnrolmentRound.objects.get(name="东区2026年一年级")
    page = reverse("enrolment:staff_round", args=[rnd.public_id])
    assert response["Location"] == page
    staff.post(page, {"school": city.east_primary.pk, "capacity": 1, "tiers": ["local_property", "other"]})

    def act(action: str, **data: str) -> None:
        staff.post(reverse("enrolment:staff_round_action", args=[rnd.public_id, action]), data)

    act("open")
    rnd.refresh_from_db()
    assert client.get(reverse("enrolment:index")).content.decode().count(rnd.name) == 1
    assert logged_in(parent).get(reverse("enrolment:apply", args=[rnd.public_id])).status_code == 200
    app = submit(parent, rnd, choices=[("2137020001", "local_property")])
    staff.post(reverse("enrolment:staff_application", args=[app.pk]), {"decision": "approve"})
    EnrolmentRound.objects.filter(pk=rnd.pk).update(closes_at=now - dt.timedelta(minutes=1),
                                                    opens_at=now - dt.timedelta(days=2))
    act("close")
    act("commit", seed="")
    act("draw")
    act("publish")
    rnd.refresh_from_db()
    assert rnd.status == "published" and len(rnd.seed) == 32
    assert staff.get(page).status_code == 200
    act("second", name="第二轮", opens_at=now.strftime("%Y-%m-%dT%H:%M"),
        closes_at=(now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    assert not rnd.second_rounds.exists()  # no vacancy: the single seat is held
