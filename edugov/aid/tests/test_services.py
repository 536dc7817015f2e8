"""精准资助 services: list import (bad input changes nothing), candidates, the review → approval → payment workflow
with its compare-and-swap, and the three reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from edugov.aid import engine, queries, services
from edugov.aid.models import AidCandidate, CandidateStatus, ExternalList, ExternalListRow, RowStatus
from edugov.cases.tests.conftest import make_id, make_student
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BIRTH = dt.date(2015, 3, 1)
LIVING = engine.load_programme("living_subsidy")


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def import_rows(actor, unit, rows, list_type="dibao", year=2025):  # type: ignore[no-untyped-def]
    return services.import_list(actor=actor, unit=unit, year=year, list_type=list_type, source="民政局低保名单",
                                rows=rows, file_name="dibao.csv")


@pytest.fixture
def pupils(city):  # type: ignore[no-untyped-def]
    return {
        "wang": make_student(city.east_primary, "G001", seq=1, name="王小明", grade="3"),
        "zhang": make_student(city.east_primary, "G002", seq=3, name="张伟", grade="3"),
        "li": make_student(city.east_junior, "G003", seq=5, name="李娜", grade="8"),
    }


def test_an_import_upgrades_15_digit_ids_flags_bad_check_digits_and_matches_the_pupils(personas, city, pupils):
    old15 = pupils["wang"].id_number[:6] + pupils["wang"].id_number[8:17]  # 2015 births have no 15-digit form
    rows = [{"id": pupils["zhang"].id_number.lower(), "name": "张伟"},
            {"id": wrong_check(pupils["li"].id_number), "name": "李 娜"},
            {"id": "", "name": "王小明", "birth": "2015-03-01"},
            {"id": make_id(dt.date(1990, 1, 2), 7), "name": "路人甲"},
            {"id": old15[:6] + "900101" + old15[12:], "name": "老号"}]
    external = import_rows(personas.east_admin, city.east, rows)
    status = dict(external.rows.values_list("row", "status"))
    assert status == {2: RowStatus.EXACT, 3: RowStatus.FLAGGED, 4: RowStatus.FLAGGED, 5: RowStatus.UNMATCHED,
                      6: RowStatus.UNMATCHED}
    assert external.rows.get(row=6).id_number.startswith(old15[:6] + "19900101")
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_id=str(external.pk)).exists()


@pytest.mark.parametrize(("rows", "expected"), [
    ([{"id": "37020220150301", "name": "甲"}], "第2行“身份证号”列"),
    ([{"id": "", "name": "甲"}], "第2行“身份证号”列：未填写身份证号时须填写出生日期"),
    ([{"id": make_id(BIRTH, 9), "name": ""}], "第2行“姓名”列"),
    ([{"id": make_id(BIRTH, 9), "name": "甲", "birth": "2015-13-45"}], "第2行“出生日期”列"),
    ([{"id": make_id(BIRTH, 9), "name": "甲"}, {"id": "x", "name": "乙"},
      {"id": make_id(BIRTH, 9).replace("X", "x"), "name": "甲"}], "第 2、4 行是同一人"),
])
def test_a_bad_list_is_refused_with_row_and_column_and_changes_nothing(personas, city, rows, expected):
    with pytest.raises(services.AidInputError) as caught:
        import_rows(personas.east_admin, city.east, rows)
    assert any(expected in m for m in caught.value.messages), caught.value.messages
    assert not ExternalList.objects.exists() and not ExternalListRow.objects.exists()


def test_a_list_for_a_district_outside_the_users_scope_is_refused(personas, city):
    with pytest.raises(services.AidInputError, match="不在您的管辖范围"):
        import_rows(personas.east_admin, city.west, [{"id": make_id(BIRTH, 9), "name": "甲"}])
    assert not ExternalList.objects.exists()


def test_a_csv_upload_is_read_by_its_chinese_headers():
    rows, first = services.read_table("名单.csv", "姓名,身份证号,出生日期,备注\n张伟,370202,2015-03-01,x\n"
                                      .encode("gb18030"))
    assert first == 2 and rows == [{"name": "张伟", "id": "370202", "birth": "2015-03-01"}]
    with pytest.raises(services.AidInputError, match="缺少列：身份证号"):
        services.read_table("a.csv", "姓名\n张\n".encode())


def test_candidates_get_the_exact_amount_per_stage_and_boarding_and_only_once(personas, city, pupils):
    pupils["li"].boarding = True
    pupils["li"].save()
    import_rows(None, city.east, [{"id": pupils["zhang"].id_number, "name": "张伟"},
                                  {"id": pupils["li"].id_number, "name": "李娜"}])
    import_rows(None, city.west, [{"id": wrong_check(pupils["wang"].id_number), "name": "王小明"}], "tekun")
    created = services.generate_candidates(actor=personas.east_admin, programme_code="living_subsidy", year=2025,
                                           unit=city.east)
    got = {c.student.name: (c.amount, c.match_kind, c.lists) for c in created}
    assert got == {"张伟": (Decimal("500.00"), "exact", ["dibao"]), "李娜": (Decimal("1250.00"), "exact", ["dibao"]),
                   "王小明": (Decimal("500.00"), "flagged", ["tekun"])}
    assert services.generate_candidates(actor=None, programme_code="living_subsidy", year=2025, unit=city.east) == []
    with pytest.raises(PermissionDenied):
        services.generate_candidates(actor=personas.west_admin, programme_code="living_subsidy", year=2025,
                                     unit=city.east)


@pytest.fixture
def candidates(personas, city, pupils):  # type: ignore[no-untyped-def]
    import_rows(None, city.east, [{"id": pupils["zhang"].id_number, "name": "张伟"},
                                  {"id": "", "name": "王小明", "birth": "2015-03-01"}])
    services.generate_candidates(actor=None, programme_code="living_subsidy", year=2025, unit=city.east)
    return {c.student.name: c for c in AidCandidate.objects.select_related("student")}


def test_the_workflow_runs_school_then_district_then_payment_and_a_stale_step_changes_nothing(personas, candidates):
    zhang = candidates["张伟"]
    reviewed = services.school_review(actor=personas.school_admin, candidate=zhang, expected_version=1, approve=True)
    assert (reviewed.status, reviewed.version) == (CandidateStatus.SCHOOL_REVIEWED, 2)
    with pytest.raises(services.AidConflict, match="已被他人处理（当前状态：学校已审核）"):
        services.school_review(actor=personas.east_admin, candidate=zhang, expected_version=1, approve=False,
                               reason="重复")
    with pytest.raises(PermissionDenied, match="区县"):
        services.district_approve(actor=personas.school_admin, candidate=zhang, expected_version=2, approve=True)
    approved = services.district_approve(actor=personas.east_admin, candidate=zhang, expected_version=2, approve=True)
    payment = services.disburse(actor=personas.east_admin, candidate=approved, expected_version=3, amount="250.00",
                                paid_on=dt.date(2025, 10, 1), reference="PZ-001")
    zhang.refresh_from_db()
    assert (zhang.status, zhang.version, payment.amount) == (CandidateStatus.DISBURSED, 4, Decimal("250.00"))
    assert AuditEvent.objects.filter(object_id=str(zhang.pk), action=AuditAction.UPDATE).count() == 3


def test_a_flagged_candidate_needs_the_identity_confirmed_and_a_rejection_needs_a_reason(personas, candidates):
    wang = candidates["王小明"]
    assert wang.match_kind == "flagged"
    with pytest.raises(services.AidInputError, match="核实身份"):
        services.school_review(actor=personas.school_admin, candidate=wang, expected_version=1, approve=True)
    with pytest.raises(services.AidInputError, match="理由"):
        services.school_review(actor=personas.school_admin, candidate=wang, expected_version=1, approve=False)
    done = services.school_review(actor=personas.school_admin, candidate=wang, expected_version=1, approve=True,
                                  identity_confirmed=True)
    assert done.status == CandidateStatus.SCHOOL_REVIEWED and "核实" in done.reason


def _approve(personas, candidate):  # type: ignore[no-untyped-def]
    services.school_review(actor=None, candidate=candidate, expected_version=1, approve=True, identity_confirmed=True)
    return services.district_approve(actor=personas.east_admin, candidate=candidate, expected_version=2, approve=True)


def test_the_gap_report_lists_eligible_pupils_without_approved_aid(personas, candidates):
    names = {r.student.name for r in queries.gap(personas.east_admin, LIVING, 2025)}
    assert names == {"张伟", "王小明"}
    _approve(personas, candidates["张伟"])
    assert {r.student.name for r in queries.gap(personas.east_admin, LIVING, 2025)} == {"王小明"}
    assert queries.gap(personas.west_admin, LIVING, 2025) == []


def test_paying_more_than_the_year_or_twice_for_one_person_is_reported(personas, candidates):
    zhang = _approve(personas, candidates["张伟"])
    services.disburse(actor=None, candidate=zhang, expected_version=3, amount="500.00", paid_on=dt.date(2025, 10, 1),
                      reference="A")
    assert queries.aided_twice(personas.east_admin, LIVING, 2025) == []
    services.disburse(actor=None, candidate=zhang, expected_version=4, amount="500.00", paid_on=dt.date(2025, 11, 1),
                      reference="B")
    [row] = queries.aided_twice(personas.east_admin, LIVING, 2025)
    assert (row.paid, row.amount, [c.pk for c in row.candidates]) == (Decimal("1000.00"), Decimal("500.00"),
                                                                      [zhang.pk])


def test_aid_for_a_pupil_who_left_every_list_is_reported_as_no_longer_eligible(personas, candidates):
    _approve(personas, candidates["张伟"])
    assert queries.no_longer_eligible(personas.east_admin, LIVING, 2025) == []
    ExternalListRow.objects.filter(name="张伟").delete()
    [row] = queries.no_longer_eligible(personas.east_admin, LIVING, 2025)
    assert row.candidate.student.name == "张伟" and "不在" in row.reason
