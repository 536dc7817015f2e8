"""Rectification of findings: an unmet published target and a failing acceptance item each open one rectification
case for the responsible unit, linked by its finding reference; re-running opens nothing new."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from edugov.cases.models import Case
from edugov.cases.rectify import open_rectifications_from_acceptance, open_rectifications_from_targets
from edugov.plans import services as plans
from edugov.plans.models import Target
from edugov.plans.tests.test_services import publish_all
from edugov.stats.models import GradeEnrolment, PopulationByAge

pytestmark = pytest.mark.django_db

TEXT = """示范市2025年教育工作要点
一、学前教育
学前三年毛入园率达到95.5%。
"""


@pytest.fixture
def unmet_target(city, personas) -> Target:  # type: ignore[no-untyped-def]
    version = plans.ingest_plan(actor=personas.city_admin, unit=city.city, year=2025,
                                document=plans.UploadedDocument("要点.txt", TEXT.encode()))
    publish_all(version, personas.city_admin)
    target = Target.objects.get(version=version, indicator_code="preschool_gross_enrolment")
    Target.objects.filter(pk=target.pk).update(period_end=dt.date(2024, 12, 31))
    GradeEnrolment.objects.create(unit=city.east_kindergarten, year=2025, grade="K1", stage="kindergarten",
                                  male=80, female=80)
    PopulationByAge.objects.create(unit=city.east, year=2025, age_band="3-5", population=200)  # 80 %
    target.refresh_from_db()
    return target


def test_an_unmet_target_opens_one_rectification_case_for_its_owner_linked_to_the_target(city, unmet_target):
    first = open_rectifications_from_targets(2025)
    assert len(first.opened) == 1
    case = first.opened[0]
    assert (case.case_type, case.unit, case.finding, case.state) == (
        "rectification", unmet_target.owner, f"target:{unmet_target.pk}", "open")
    assert case.data["target"] == unmet_target.pk and case.data["current"] == "80.00"
    again = open_rectifications_from_targets(2025)
    assert again.opened == [] and again.skipped == 1
    assert Case.objects.filter(case_type="rectification").count() == 1


def test_a_met_target_opens_nothing(city, unmet_target):
    PopulationByAge.objects.filter(unit=city.east, year=2025).update(population=160)  # 100 %
    assert open_rectifications_from_targets(2025).opened == []


def _acceptance(failing_codes, youzhi_met=False):  # type: ignore[no-untyped-def]
    items = [SimpleNamespace(code=code, display="80%", item=SimpleNamespace(name=f"指标{code}",
                                                                           threshold_text="≥85"))
             for code in failing_codes]
    checks = [SimpleNamespace(section="小学", code="schools_passing", name="学校达标比例", met=youzhi_met,
                              display="50%", threshold="全部学校达标", gaps=("东区实验小学：缺少数据",)),
              SimpleNamespace(section="小学", code="cv_1", name="差异系数", met=None, display="无数据",
                              threshold="≤0.5", gaps=())]
    return lambda county, year: SimpleNamespace(puji=SimpleNamespace(failing=items), checks=checks)


def test_failing_acceptance_items_open_cases_for_the_county_once(city):
    result = open_rectifications_from_acceptance(city.east, 2025, assess=_acceptance(["P1", "P2"]))
    findings = sorted(c.finding for c in result.opened)
    assert findings == ["acceptance:370202:2025:puji:P1", "acceptance:370202:2025:puji:P2",
                        "acceptance:370202:2025:youzhi:小学:schools_passing"]
    assert all(c.unit == city.east and c.case_type == "rectification" for c in result.opened)
    again = open_rectifications_from_acceptance(city.east, 2025, assess=_acceptance(["P1", "P2", "P3"], True))
    assert [c.finding for c in again.opened] == ["acceptance:370202:2025:puji:P3"] and again.skipped == 2


def test_the_real_acceptance_assessment_runs_without_data_and_opens_nothing(city):
    assert open_rectifications_from_acceptance(city.east, 2025).opened == []


def test_the_command_opens_target_and_real_acceptance_cases_and_is_idempotent(city, unmet_target, capsys):
    call_command("case_rectify", "--year", "2025", "--skip-acceptance")
    call_command("case_rectify", "--year", "2025", "--county", city.east.code)
    out = capsys.readouterr().out
    assert "规划目标未达成：新立案 1 件" in out and "新立案 0 件（已有 1 件）" in out
    # 80 % gross preschool enrolment fails the 普及普惠 item for the east district, from the real assessment.
    puji = Case.objects.get(case_type="rectification", rule="acceptance")
    assert puji.unit == city.east and puji.finding.startswith("acceptance:370202:2025:puji:")
    call_command("case_rectify", "--year", "2025")
    assert Case.objects.filter(case_type="rectification").count() == 2


def test_a_veto_and_the_items_a_unit_scored_badly_on_in_an_evaluation_round_become_rectification_cases(
        city, personas, settings, tmp_path):
    from edugov.cases.rectify import open_rectifications_from_evaluation
    from edugov.evaluation import services as evaluation
    from edugov.evaluation.tests.test_services import advance_to

    settings.MEDIA_ROOT = tmp_path
    rnd = evaluation.create_round(actor=personas.city_admin, evaluating_unit=city.city,
                                  scheme_id="county_gov_duties_example", year=2025, evaluated_kind="county")
    evaluation.enter(actor=personas.east_admin, rnd=rnd, unit=city.east, stage="self", code="A1.1", points="8")
    rnd = advance_to(rnd, "review", personas.city_admin)
    evaluation.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="V1", flag=True,
                     note="发生重大安全责任事故")
    evaluation.compute_results(actor=personas.city_admin, rnd=rnd)

    first = open_rectifications_from_evaluation(rnd)
    east = [c for c in first.opened if c.unit == city.east]
    assert any("一票否决" in c.title for c in east)
    assert all(c.finding.startswith(f"evaluation:{rnd.pk}:") for c in first.opened)
    # A1.1 scored 8 of its points: not a finding unless below 60 %; items left empty scored 0 and are findings.
    assert not any(c.data.get("item") == "A1.1" for c in east if (c.data or {}).get("item"))
    assert any(c.unit == city.west for c in first.opened)
    again = open_rectifications_from_evaluation(rnd)
    assert again.opened == [] and again.skipped == len(first.opened)
