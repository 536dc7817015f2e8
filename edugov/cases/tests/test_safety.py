"""Campus safety: an inspection finds a hazard; 下达整改 needs owner and deadline, 整改完成 needs evidence, only the
county verifies (销号); a 回头看 is then scheduled and shown as due; the ledger and the per-school list."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from edugov.cases import safety, services
from edugov.cases.models import Case, CaseEvidence, Inspection
from edugov.cases.services import CaseInputError, UploadedFile

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PHOTO = UploadedFile("消防通道.jpg", b"\xff\xd8\xff jpeg")


@pytest.fixture
def hazard(city, personas) -> Case:  # type: ignore[no-untyped-def]
    inspection = safety.record_inspection(actor=personas.school_admin, school=city.east_primary, inspected_on=TODAY,
                                          inspector="安全办 刘", kind="routine")
    return safety.report_hazard(actor=personas.school_admin, inspection=inspection, place="教学楼东侧消防通道",
                                category="消防安全", severity="较大", description="通道堆放杂物", photos=[PHOTO])


def step(actor, case, code, fields=None, evidence=(), reason=""):  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    return services.take_transition(actor=actor, case=case, transition_code=code, expected_state=case.state,
                                    expected_version=case.version, fields=fields or {}, evidence=evidence,
                                    reason=reason)


def test_a_hazard_records_place_category_severity_and_photos_at_the_school(city, hazard):
    assert hazard.case_type == "hazard" and hazard.state == "reported" and hazard.unit == city.east_primary
    assert hazard.data["place"] == "教学楼东侧消防通道" and hazard.data["severity"] == "较大"
    assert hazard.inspection is not None and hazard.inspection.kind == "routine"
    assert CaseEvidence.objects.filter(case=hazard, transition__code="open").count() == 1


def test_a_hazard_needs_a_known_category_and_severity(city, personas):
    inspection = safety.record_inspection(actor=personas.east_admin, school=city.east_primary, inspected_on=TODAY,
                                          inspector="x", kind="special")
    with pytest.raises(CaseInputError) as err:
        safety.report_hazard(actor=personas.east_admin, inspection=inspection, place="", category="天灾",
                             severity="超级", description="")
    assert len(err.value.messages) == 4


def test_the_rectification_order_requires_owner_unit_and_deadline_which_becomes_the_due_date(personas, hazard):
    with pytest.raises(CaseInputError) as err:
        step(personas.school_admin, hazard, "assign", {"owner": "总务处 王"})
    assert "请填写“整改责任单位”" in err.value.messages and "请填写“整改时限”" in err.value.messages
    deadline = TODAY + dt.timedelta(days=10)
    case = step(personas.school_admin, hazard, "assign", {"owner_unit": "总务处", "owner": "王主任",
                                                           "deadline": deadline.isoformat()})
    assert case.state == "rectifying" and case.due_on == deadline


def test_completion_requires_evidence_and_only_the_county_verifies_then_a_reinspection_is_due(city, personas, hazard):
    step(personas.school_admin, hazard, "assign", {"owner_unit": "总务处", "owner": "王主任",
                                                   "deadline": TODAY.isoformat()})
    with pytest.raises(CaseInputError, match="佐证材料"):
        step(personas.school_admin, hazard, "complete", {"done_on": TODAY.isoformat(), "done_measures": "已清理"})
    step(personas.school_admin, hazard, "complete", {"done_on": TODAY.isoformat(), "done_measures": "已清理"},
         evidence=[UploadedFile("整改后.png", b"\x89PNG data")])
    with pytest.raises(CaseInputError, match="无权办理"):
        step(personas.school_admin, hazard, "verify", {"verified_on": TODAY.isoformat(), "verified_by": "李"})
    case = step(personas.east_admin, hazard, "verify", {"verified_on": TODAY.isoformat(), "verified_by": "李科长"})
    assert case.state == "closed" and not case.is_open
    assert case.follow_up_on == TODAY + dt.timedelta(days=30) and case.follow_up_done_on is None
    cases = safety.hazards_for(personas.east_admin)
    assert list(safety.reinspections_due(cases, TODAY)) == []
    assert list(safety.reinspections_due(cases, TODAY + dt.timedelta(days=30))) == [case]
    again = safety.record_reinspection(actor=personas.school_admin, case=case, inspected_on=TODAY, inspector="刘",
                                       note="未复发")
    assert again.kind == "reinspection" and again.follows == case
    assert list(safety.reinspections_due(cases, TODAY + dt.timedelta(days=60))) == []
    with pytest.raises(CaseInputError, match="已于"):
        safety.record_reinspection(actor=personas.school_admin, case=case, inspected_on=TODAY, inspector="刘")


def test_a_rejected_rectification_goes_back_with_a_reason(personas, hazard):
    step(personas.school_admin, hazard, "assign", {"owner_unit": "总务处", "owner": "王", "deadline": "2030-01-01"})
    step(personas.school_admin, hazard, "complete", {"done_on": TODAY.isoformat(), "done_measures": "已清理"},
         evidence=[PHOTO])
    with pytest.raises(CaseInputError, match="办理说明"):
        step(personas.east_admin, hazard, "reject")
    assert step(personas.east_admin, hazard, "reject", reason="仍有杂物").state == "rectifying"


def test_an_inspection_of_another_districts_school_is_refused(city, personas):
    with pytest.raises(PermissionDenied):
        safety.record_inspection(actor=personas.west_admin, school=city.east_primary, inspected_on=TODAY,
                                 inspector="x", kind="routine")
    assert not Inspection.objects.exists()


def test_the_per_school_list_counts_open_hazards_by_severity_and_the_ledger_lists_them(as_user, city, personas,
                                                                                        hazard):
    inspection = hazard.inspection
    safety.report_hazard(actor=personas.east_admin, inspection=inspection, place="食堂", category="食品卫生",
                         severity="重大", description="留样不全")
    client = as_user("east_admin")
    page = client.get("/cases/hazards/")
    rows = page.context["schools"]
    assert len(rows) == 1 and rows[0]["school"] == city.east_primary
    assert rows[0]["open_list"] == [0, 1, 1] and rows[0]["total"] == 2
    assert as_user("west_admin").get("/cases/hazards/").context["schools"] == []
    book = load_workbook(io.BytesIO(client.get("/cases/hazards.xlsx").content))
    sheet = book["隐患台账"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert {v[5] for v in values} == {"教学楼东侧消防通道", "食堂"} and {v[7] for v in values} == {"较大", "重大"}


def test_a_hazard_is_registered_through_the_page_with_photos(as_user, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user("school_admin")
    response = client.post("/cases/hazards/", {
        "school": city.east_primary.code, "inspected_on": TODAY.isoformat(), "inspector": "刘", "kind": "holiday",
        "place": "操场围墙", "category": "校舍建筑", "severity": "一般", "description": "围墙开裂",
        "photos": SimpleUploadedFile("墙.jpg", b"\xff\xd8 jpeg")})
    assert response.status_code == 302
    case = Case.objects.get(case_type="hazard")
    assert case.evidence.count() == 1 and case.data["category"] == "校舍建筑"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "操场围墙" in page and 'id="step-assign"' in page
