"""The demo's cases and aid on the small test city: every case type with a worked history, mental-health cases
hidden from administrators, the ledgers export, and a re-run that adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import City, Personas, make_user
from edugov.aid.models import AidCandidate, CandidateStatus, Disbursement, ExternalList
from edugov.cases import queries
from edugov.cases.exports import dropout_ledgers
from edugov.cases.models import (
    Case,
    ContactRecord,
    DetectionRule,
    InterventionRecord,
    Notification,
    ResidentChild,
    Transition,
)
from edugov.core.choices import Role
from edugov.core.models import AuditEvent
from edugov.demo.cases import add_demo_cases
from edugov.lib.idcard import check_digit
from edugov.stats.models import StudentRecord

pytestmark = pytest.mark.django_db
YEAR = 2024
SURNAMES = "王李张刘陈杨黄赵吴周"


@pytest.fixture
def pupils(city: City, settings, tmp_path: Path) -> list[StudentRecord]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = []
    for i in range(50):
        school, grade = ((city.east_primary, str(1 + i % 6)) if i < 26 else
                         (city.east_junior, str(7 + i % 3)) if i < 46 else (city.west_primary, "3"))
        birth = dt.date(YEAR - 5 - int(grade), 1 + i % 12, 1 + i % 28)
        first17 = f"370202{birth:%Y%m%d}{100 + i:03d}"
        rows.append(StudentRecord(year=YEAR, student_no=f"G{first17}", id_number=first17 + check_digit(first17),
                                  name=SURNAMES[i % 10] + "小" + "明红华军芳"[i % 5], sex="1" if i % 2 else "2",
                                  birth_date=birth, unit=school, grade=grade, boarding=i % 7 == 0))
    return StudentRecord.objects.bulk_create(rows)


def snapshot() -> tuple[int, ...]:
    return (Case.objects.count(), Transition.objects.count(), ContactRecord.objects.count(),
            InterventionRecord.objects.count(), Notification.objects.count(), ResidentChild.objects.count(),
            ExternalList.objects.count(), AidCandidate.objects.count(), Disbursement.objects.count(),
            AuditEvent.objects.count())


def test_the_demo_adds_every_case_type_with_histories_and_aid(city: City, personas: Personas, pupils):  # type: ignore[no-untyped-def]
    lines: list[str] = []
    add_demo_cases(lines.append, YEAR)
    assert any(line.strip().startswith("控辍保学：") for line in lines)
    assert all(any(line.strip().startswith(f"{kind}：") for line in lines)
               for kind in ("心理健康预警", "校园安全隐患", "问题整改", "精准资助"))

    dropout = Case.objects.filter(case_type="dropout")
    assert {c.rule for c in dropout} == {DetectionRule.ABSENCE, DetectionRule.NO_XUEJI, DetectionRule.NOT_ON_ROSTER}
    assert 10 <= dropout.count() <= 15
    states = {c.state for c in dropout}
    assert {"pending", "persuading", "resumed", "not_needed"} <= states
    resumed = dropout.filter(state="resumed").first()
    assert resumed is not None and resumed.closed_at is not None
    assert list(resumed.transitions.values_list("code", flat=True)) == ["open", "confirm", "report_return",
                                                                       "verify_return"]
    times = list(resumed.transitions.values_list("at", flat=True))
    assert times == sorted(times) and times[0] < times[-1]
    assert resumed.contacts.count() >= 2
    assert all(c.contacted_by and c.outcome and c.method for c in ContactRecord.objects.all())
    # One case sits in 劝返中 past its time limit and was raised to the unit above.
    overdue = Notification.objects.filter(case__case_type="dropout", key__startswith="overdue:")
    assert overdue.count() == 1 and overdue.get().case.state == "persuading"

    mental = Case.objects.filter(case_type="mental_health")
    assert mental.count() >= 3 and "王" not in "".join(mental.values_list("title", flat=True))
    assert mental.filter(state="intervening").exists() and InterventionRecord.objects.exists()
    assert any(c.transitions.count() > 1 for c in mental)

    hazards = Case.objects.filter(case_type="hazard")
    assert hazards.count() == 10
    assert {"reported", "rectifying", "awaiting_verification", "closed"} <= {c.state for c in hazards}
    assert hazards.filter(state="closed", follow_up_on__isnull=False, follow_up_done_on__isnull=True).exists()
    assert hazards.filter(follow_up_done_on__isnull=False).exists()

    assert Case.objects.filter(case_type="rectification").exists()

    assert set(ExternalList.objects.values_list("list_type", flat=True)) == {"dibao", "tuopin"}
    statuses = set(AidCandidate.objects.values_list("status", flat=True))
    assert {CandidateStatus.SCHOOL_REVIEWED, CandidateStatus.DISTRICT_APPROVED, CandidateStatus.DISBURSED} <= statuses
    assert Disbursement.objects.exists()

    # Mental-health cases: invisible to the district's administrator, visible to a county counsellor.
    assert not queries.cases_for(personas.east_admin).filter(case_type="mental_health").exists()
    assert not queries.cases_for(personas.city_admin).filter(case_type="mental_health").exists()
    counsellor = make_user("xinli", Role.COUNSELLOR, city.east)
    assert queries.cases_for(counsellor).filter(case_type="mental_health").count() == mental.count()

    # The 控辍保学 ledgers export.
    wb = load_workbook(io.BytesIO(dropout_ledgers(personas.east_admin, YEAR)))
    assert wb["疑似辍学台账"].max_row - 1 == dropout.count()
    assert wb["劝返记录"].max_row - 1 == ContactRecord.objects.count()


def test_the_mental_health_cases_are_absent_from_an_administrators_pages(city: City, personas: Personas, pupils,  # type: ignore[no-untyped-def]
                                                                         client):
    add_demo_cases(lambda line: None, YEAR)
    case = Case.objects.filter(case_type="mental_health").first()
    assert case is not None
    client.force_login(personas.east_admin)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert "心理筛查预警（" not in client.get("/cases/list/?status=open").content.decode()


def test_a_rerun_adds_nothing(city: City, personas: Personas, pupils):  # type: ignore[no-untyped-def]
    first: list[str] = []
    add_demo_cases(first.append, YEAR)
    before = snapshot()
    again: list[str] = []
    add_demo_cases(again.append, YEAR)
    assert snapshot() == before
    assert first[1:-1] == again[1:-1]
