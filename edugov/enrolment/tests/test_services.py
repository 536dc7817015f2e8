from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from edugov.core.models import AuditEvent
from edugov.enrolment import lottery, services
from edugov.enrolment.choices import ApplicationStatus, RoundStatus, Tier
from edugov.enrolment.models import Application, ApplicationEvent, EnrolmentRound
from edugov.lib.idcard import check_digit

from .helpers import PNG, SEED, close, draw_and_publish, make_id, make_parent, submit


def statuses(application: Application) -> list[tuple[str, str]]:
    return list(ApplicationEvent.objects.filter(application=application).order_by("at", "id")
                .values_list("from_status", "to_status"))


def test_the_full_path_from_submission_to_acceptance_is_recorded_and_audited(personas, parent, rnd):
    app = submit(parent, rnd)
    services.add_evidence(actor=parent, application=app, kind="household_register", name="户口簿.png", data=PNG)
    services.return_application(actor=personas.school_admin, application=app, reason="户口簿缺少户主页")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RETURNED and app.return_reason == "户口簿缺少户主页"
    services.resubmit(actor=parent, application=app)
    services.approve(actor=personas.east_admin, application=app)
    close(personas.east_admin, rnd)
    rnd = services.commit_seed(actor=personas.east_admin, rnd=rnd, seed=SEED)
    assert rnd.seed_commitment == hashlib.sha256(SEED.encode()).hexdigest() and rnd.seed == ""
    rnd = services.draw(actor=personas.east_admin, rnd=rnd)
    assert rnd.status == RoundStatus.DRAWN and rnd.seed == SEED
    rnd = services.publish(actor=personas.east_admin, rnd=rnd)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.ADMITTED and app.admitted_school.school.code == "2137020001"
    services.respond(actor=parent, application=app, accept=True)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.ACCEPTED
    assert statuses(app) == [("", "submitted"), ("submitted", "returned"), ("returned", "resubmitted"),
                             ("resubmitted", "approved"), ("approved", "admitted"), ("admitted", "admitted"),
                             ("admitted", "accepted")]
    trail = list(AuditEvent.objects.filter(object_type="enrolment.Application", object_id=str(app.pk))
                 .order_by("id").values_list("before", "after"))
    assert [(b or {}).get("status") for b, _ in trail] == [None, "submitted", "returned", "resubmitted", "approved",
                                                           "admitted"]
    assert [a["status"] for _, a in trail][-1] == "accepted"
    assert all(app.id_number not in str(row) for row in trail)  # the trail holds masked IDs only


def test_a_second_registration_of_the_same_child_is_refused(parent, other_parent, rnd):
    submit(parent, rnd, seq=11)
    with pytest.raises(services.EnrolmentError) as exc:
        submit(other_parent, rnd, seq=11, name="王晓明")
    assert "已在本轮报名，不能重复报名" in str(exc.value)
    assert Application.objects.filter(round=rnd).count() == 1


def test_a_rejected_application_no_longer_blocks_registering_the_child(personas, parent, rnd):
    app = submit(parent, rnd, seq=11)
    services.reject(actor=personas.east_admin, application=app, reason="非本区户籍")
    assert submit(parent, rnd, seq=11).pk != app.pk


def test_a_submission_after_the_deadline_is_refused(parent, rnd):
    EnrolmentRound.objects.filter(pk=rnd.pk).update(closes_at=rnd.opens_at + dt.timedelta(seconds=1))
    rnd.refresh_from_db()
    with pytest.raises(services.EnrolmentError) as exc:
        submit(parent, rnd)
    assert "报名已截止" in str(exc.value)
    assert not Application.objects.exists()


def test_an_id_number_with_a_bad_check_digit_is_refused_with_the_expected_digit(parent, rnd):
    good = make_id(dt.date(2020, 3, 2), 5)
    expected = check_digit(good[:17])
    bad = good[:17] + ("0" if expected != "0" else "1")
    with pytest.raises(services.EnrolmentError) as exc:
        submit(parent, rnd, id_number=bad)
    assert f"校验位应为 {expected}" in str(exc.value)


def test_a_child_born_outside_the_age_window_is_refused(parent, rnd):
    with pytest.raises(services.EnrolmentError) as exc:
        submit(parent, rnd, birth=dt.date(2020, 9, 1))
    assert "不在本轮招生的年龄范围（2019-09-01 至 2020-08-31）" in str(exc.value)


def test_sex_and_birth_date_are_derived_from_the_id_number(parent, rnd):
    app = submit(parent, rnd, birth=dt.date(2019, 12, 24), seq=2)
    assert app.birth_date == dt.date(2019, 12, 24) and app.sex == "2"


def test_a_retried_submission_with_the_same_key_returns_the_same_application(parent, rnd):
    first = submit(parent, rnd, key="k-123")
    again = submit(parent, rnd, key="k-123")
    assert again.pk == first.pk
    assert Application.objects.filter(round=rnd).count() == 1
    assert ApplicationEvent.objects.filter(application=first).count() == 1


def test_a_claimed_tier_the_school_does_not_admit_is_refused(parent, rnd):
    with pytest.raises(services.EnrolmentError) as exc:
        submit(parent, rnd, choices=[("2137020009", Tier.MIGRANT_PERMIT)])
    assert "本轮不招收" in str(exc.value)


def test_staff_may_downgrade_but_not_upgrade_a_claimed_tier(personas, parent, rnd):
    app = submit(parent, rnd, choices=[("2137020001", Tier.LOCAL_RESIDENCE)])
    choice = app.choices.get()
    with pytest.raises(services.EnrolmentError):
        services.approve(actor=personas.east_admin, application=app, verified_tiers={choice.pk: Tier.LOCAL_PROPERTY})
    services.approve(actor=personas.east_admin, application=app, verified_tiers={choice.pk: Tier.OTHER})
    choice.refresh_from_db()
    assert choice.verified_tier == Tier.OTHER


def test_a_school_admin_of_an_unchosen_school_cannot_review(personas, parent, city, rnd):
    from conftest import make_user
    from edugov.core.choices import Role

    other = make_user("west-school", Role.SCHOOL_ADMIN, city.west_primary)
    app = submit(parent, rnd)
    with pytest.raises(PermissionDenied):
        services.approve(actor=other, application=app)


def test_evidence_must_be_a_pdf_jpg_or_png_whose_content_matches(parent, rnd, settings):
    app = submit(parent, rnd)
    with pytest.raises(services.EnrolmentError):
        services.add_evidence(actor=parent, application=app, kind="other", name="a.exe", data=b"MZ")
    with pytest.raises(services.EnrolmentError):
        services.add_evidence(actor=parent, application=app, kind="other", name="fake.pdf", data=PNG)
    evidence = services.add_evidence(actor=parent, application=app, kind="other", name="房产证.png", data=PNG)
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.stored_path.startswith(str(settings.MEDIA_ROOT / "enrolment"))


def test_the_seed_commitment_waits_until_every_application_is_reviewed(personas, parent, rnd):
    submit(parent, rnd)
    close(personas.east_admin, rnd)
    with pytest.raises(services.EnrolmentError) as exc:
        services.commit_seed(actor=personas.east_admin, rnd=rnd)
    assert "未审核" in str(exc.value)


def test_the_draw_refuses_a_seed_that_does_not_match_the_commitment(personas, parent, rnd):
    services.approve(actor=personas.east_admin, application=submit(parent, rnd))
    close(personas.east_admin, rnd)
    services.commit_seed(actor=personas.east_admin, rnd=rnd, seed=SEED)
    with pytest.raises(services.EnrolmentError) as exc:
        services.draw(actor=personas.east_admin, rnd=rnd, seed="another-seed")
    assert "不符" in str(exc.value)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED


def _five_children(personas, rnd):  # type: ignore[no-untyped-def]
    apps = []
    for n in range(5):
        p = make_parent(f"p{n}")
        tier = Tier.LOCAL_PROPERTY if n % 2 else Tier.OTHER
        app = submit(p, rnd, seq=20 + n, name=f"李{n}", choices=[("2137020001", tier), ("2137020009", tier)])
        services.approve(actor=personas.east_admin, application=app)
        apps.append(app)
    close(personas.east_admin, rnd)
    return apps


def test_the_lottery_is_reproducible_from_the_published_seed_and_input(personas, rnd):
    _five_children(personas, rnd)
    rnd = draw_and_publish(personas.east_admin, rnd)
    again = lottery.run(bytes(rnd.input_schools), bytes(rnd.input_applicants), rnd.seed)
    assert again.output == bytes(rnd.output_bytes) and again.output_sha256 == rnd.output_sha256
    for app in rnd.applications.all():
        digest = hashlib.sha256(f"{SEED}|lottery:{app.reference}|0".encode()).digest()
        assert app.lottery_number == digest[:8].hex()
    # property holders (tier 1 at both schools) fill the three seats before anyone of tier "other"
    admitted = set(rnd.applications.filter(status=ApplicationStatus.ADMITTED).values_list("child_name", flat=True))
    assert {"李1", "李3"} <= admitted and len(admitted) == 3
    assert services.verify_round(rnd).ok


def test_verification_reports_a_placement_changed_after_the_draw(personas, rnd):
    _five_children(personas, rnd)
    rnd = draw_and_publish(personas.east_admin, rnd)
    waiting = rnd.applications.filter(status=ApplicationStatus.WAITLISTED).first()
    Application.objects.filter(pk=waiting.pk).update(admitted_school=rnd.schools.first())
    report = services.verify_round(rnd)
    assert not report.ok and waiting.reference in report.problems[0]


def test_the_second_round_carries_the_vacancies_as_capacity(personas, parent, other_parent, rnd):
    first = submit(parent, rnd, seq=31, choices=[("2137020001", Tier.LOCAL_PROPERTY)])
    second = submit(other_parent, rnd, seq=33, choices=[("2137020001", Tier.OTHER)])
    for app in (first, second):
        services.approve(actor=personas.east_admin, application=app)
    close(personas.east_admin, rnd)
    rnd = draw_and_publish(personas.east_admin, rnd)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ApplicationStatus.ADMITTED and second.status == ApplicationStatus.WAITLISTED
    services.respond(actor=parent, application=first, accept=False)
    now = dt.datetime.now(dt.UTC)
    round2 = services.open_second_round(actor=personas.east_admin, first=rnd, name="第二轮",
                                        opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=2))
    capacities = {s.school.code: s.capacity for s in round2.schools.select_related("school")}
    # 实验小学: 1 seat, declined → 1; 第二小学: 2 seats, nobody admitted → 2
    assert capacities == {"2137020001": 1, "2137020009": 2}
    assert round2.first_round_id == rnd.pk and round2.status == RoundStatus.OPEN
    again = submit(other_parent, round2, seq=33, choices=[("2137020001", Tier.OTHER)])
    assert again.reference.startswith("P2026B-")
    with pytest.raises(services.EnrolmentError):
        submit(parent, round2, seq=31)  # declined in the first round: not eligible

