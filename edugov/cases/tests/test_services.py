"""Cases through their services: the compare-and-swap step, who may take it, evidence checks, 劝返 contacts, the
full dropout path to a verified return, and the overdue sweep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from edugov.cases import services
from edugov.cases.models import Case, CaseEvidence, ContactMethod, ContactRecord, Notification, Transition
from edugov.cases.services import CaseConflict, CaseInputError, UploadedFile
from edugov.cases.tests.conftest import make_student
from edugov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PHOTO = UploadedFile("家访照片.jpg", b"\xff\xd8\xff" + b"0" * 100)


@pytest.fixture
def case(city) -> Case:  # type: ignore[no-untyped-def]
    student = make_student(city.east_primary, "G001")
    return services.open_case(actor=None, case_type_code="dropout", unit=city.east_primary, year=2025,
                              student=student, school=city.east_primary, title="连续缺课 20 天")


def step(actor, case: Case, code: str, **kwargs):  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    return services.take_transition(actor=actor, case=case, transition_code=code, expected_state=case.state,
                                    expected_version=case.version, **kwargs)


def test_a_new_case_starts_pending_with_a_deadline_and_tells_its_unit(case, city):
    assert case.state == "pending" and case.version == 1 and case.is_open
    assert case.due_on == timezone.localdate() + dt.timedelta(days=7)
    assert Notification.objects.filter(case=case, unit=city.east_primary).exists()
    assert Transition.objects.get(case=case).to_state == "pending"


def test_a_second_edit_of_the_same_version_fails_and_changes_nothing(case, personas):
    seen_state, seen_version = case.state, case.version
    services.take_transition(actor=personas.school_admin, case=case, transition_code="confirm",
                             expected_state=seen_state, expected_version=seen_version,
                             fields={"finding": "家长称孩子外出打工", "cause": "外出务工"})
    transitions, audits = Transition.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CaseConflict) as info:
        services.take_transition(actor=personas.east_admin, case=case, transition_code="dismiss",
                                 expected_state=seen_state, expected_version=seen_version,
                                 fields={"basis": "在外地就读", "finding": "已转学"}, evidence=[PHOTO])
    assert info.value.messages == ["该个案已被他人处理（当前状态：劝返中），请刷新后重试"]
    case.refresh_from_db()
    assert (case.state, case.version) == ("persuading", 2)
    assert Transition.objects.count() == transitions and AuditEvent.objects.count() == audits
    assert not CaseEvidence.objects.exists()


def test_the_compare_and_swap_refuses_a_version_that_moved_between_read_and_write(case, personas):
    Case.objects.filter(pk=case.pk).update(version=5)  # someone else's step landed after the user loaded the page
    with pytest.raises(CaseConflict, match="当前状态：待核实"):
        services.take_transition(actor=personas.school_admin, case=case, transition_code="confirm",
                                 expected_state="pending", expected_version=1,
                                 fields={"finding": "x", "cause": "厌学"})
    assert Transition.objects.filter(case=case).count() == 1


def test_a_role_that_may_not_take_a_step_is_refused(case, personas):
    step(personas.school_admin, case, "confirm", fields={"finding": "未到校", "cause": "厌学"})
    step(personas.school_admin, case, "report_return",
         fields={"return_date": "2025-10-08", "return_school": "东区实验小学"}, evidence=[PHOTO])
    with pytest.raises(CaseInputError) as info:
        step(personas.school_admin, case, "verify_return", fields={"verified_on": "2025-10-09", "method": "实地查看"})
    assert info.value.messages == [
        "学校管理员（学校层级）无权办理“核验复学（销号）”；只有区县管理员（区县层级）可以办理"]
    case.refresh_from_db()
    assert case.state == "returned" and case.is_open


def test_an_inspector_and_an_outsider_may_take_no_step(case, personas):
    with pytest.raises(CaseInputError, match="无权办理"):
        step(personas.inspector, case, "confirm", fields={"finding": "x", "cause": "厌学"})
    with pytest.raises(CaseInputError, match="没有可办理的角色"):
        step(personas.west_admin, case, "confirm", fields={"finding": "x", "cause": "厌学"})


@pytest.mark.parametrize(("upload", "message"), [
    (UploadedFile("run.exe", b"MZ" + b"0" * 10), "佐证材料“run.exe”的类型不允许"),
    (UploadedFile("big.pdf", b"0" * (20 * 1024 * 1024 + 1)), "佐证材料“big.pdf”超过 20 MB 上限"),
])
def test_evidence_of_a_forbidden_type_or_oversize_is_refused(case, personas, upload, message):
    with pytest.raises(CaseInputError, match=message):
        step(personas.school_admin, case, "dismiss", fields={"basis": "在外地就读", "finding": "已在外省就读"},
             evidence=[upload])
    case.refresh_from_db()
    assert case.state == "pending" and not CaseEvidence.objects.exists()


def test_a_case_closes_only_after_the_county_verifies_the_return(case, personas):
    step(personas.school_admin, case, "confirm", fields={"finding": "连续未到校", "cause": "厌学"})
    with pytest.raises(CaseInputError, match="当前状态“劝返中”不能办理"):
        step(personas.east_admin, case, "verify_return",
             fields={"verified_on": "2025-10-09", "method": "实地查看"})
    services.add_contact(actor=personas.school_admin, case=case, contacted_on=dt.date(2025, 10, 1),
                         contacted_by="班主任李老师", method=ContactMethod.HOME_VISIT, contact_person="父亲",
                         outcome="家长同意国庆后返校")
    step(personas.school_admin, case, "report_return", fields={"return_date": "2025-10-08",
                                                               "return_school": "东区实验小学"}, evidence=[PHOTO])
    case.refresh_from_db()
    assert case.state == "returned" and case.closed_at is None
    # The county is told a school case awaits its verification.
    assert Notification.objects.filter(case=case, unit__code="370202", text__contains="核验复学").exists()
    closed = step(personas.east_admin, case, "verify_return", fields={"verified_on": "2025-10-09",
                                                                      "method": "实地查看"})
    assert closed.state == "resumed" and closed.closed_at is not None and closed.due_on is None
    assert closed.data["return_date"] == "2025-10-08"
    assert [t.to_state for t in closed.transitions.order_by("pk")] == ["pending", "persuading", "returned", "resumed"]
    evidence = CaseEvidence.objects.get()
    assert len(evidence.sha256) == 64 and evidence.stored_path.endswith(".jpg")
    with pytest.raises(CaseInputError, match="个案已办结"):
        services.add_contact(actor=personas.school_admin, case=closed, contacted_on=dt.date(2025, 10, 10),
                             contacted_by="李老师", method=ContactMethod.PHONE, outcome="回访")


def test_a_rejected_return_goes_back_to_persuasion(case, personas):
    step(personas.school_admin, case, "confirm", fields={"finding": "未到校", "cause": "厌学"})
    step(personas.school_admin, case, "report_return", fields={"return_date": "2025-10-08",
                                                               "return_school": "东区实验小学"}, evidence=[PHOTO])
    back = step(personas.east_admin, case, "reject_return", reason="实地查看未在校")
    assert back.state == "persuading" and back.is_open


def test_contacts_are_recorded_only_by_the_responsible_side(case, personas):
    with pytest.raises(PermissionDenied):
        services.add_contact(actor=personas.west_admin, case=case, contacted_on=dt.date(2025, 10, 1),
                             contacted_by="x", method=ContactMethod.PHONE, outcome="y")
    with pytest.raises(CaseInputError, match="未知的联系方式"):
        services.add_contact(actor=personas.school_admin, case=case, contacted_on=dt.date(2025, 10, 1),
                             contacted_by="x", method="pigeon", outcome="y")
    assert not ContactRecord.objects.exists()


def test_an_overdue_case_is_raised_to_the_parent_unit_once(case, city):
    today = timezone.localdate()
    assert services.escalate_overdue(today=today + dt.timedelta(days=7)) == []
    raised = services.escalate_overdue(today=today + dt.timedelta(days=8))
    assert [n.unit for n in raised] == [city.east]
    assert "超过 7 天办理时限" in raised[0].text
    assert services.escalate_overdue(today=today + dt.timedelta(days=9)) == []
    call_command("case_escalate", "--date", (today + dt.timedelta(days=10)).isoformat())
    assert Notification.objects.filter(case=case, key__startswith="overdue:").count() == 1


def test_a_case_that_moves_on_and_stalls_again_is_raised_again(case, city, personas):
    today = timezone.localdate()
    services.escalate_overdue(today=today + dt.timedelta(days=8))
    step(personas.school_admin, case, "confirm", fields={"finding": "未到校", "cause": "厌学"})
    assert services.escalate_overdue(today=today + dt.timedelta(days=30)) == []
    assert len(services.escalate_overdue(today=today + dt.timedelta(days=31))) == 1
