"""Published targets evaluated against the indicator catalogue for their owner, year by year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from edugov.plans import services
from edugov.plans.models import Target
from edugov.plans.progress import target_progress
from edugov.plans.tests.test_services import publish_all
from edugov.stats.models import ClassSection, GradeEnrolment, PopulationByAge

pytestmark = pytest.mark.django_db

TEXT = """示范市2025年教育工作要点
一、学前教育
学前三年毛入园率达到95.5%。普惠性幼儿园覆盖率达到85%。
二、义务教育
56人以上大班额全部清零。
"""


@pytest.fixture
def plan_targets(city, personas):
    version = services.ingest_plan(actor=personas.city_admin, unit=city.city, year=2025,
                                   document=services.UploadedDocument("要点.txt", TEXT.encode()))
    publish_all(version, personas.city_admin)
    return {t.indicator_code: t for t in Target.objects.filter(version=version)}


def kindergarten_year(city, year: int, children: int, population: int) -> None:
    GradeEnrolment.objects.create(unit=city.east_kindergarten, year=year, grade="K1", stage="kindergarten",
                                  male=children // 2, female=children - children // 2)
    PopulationByAge.objects.create(unit=city.east, year=year, age_band="3-5", population=population)


def test_a_target_is_evaluated_for_its_owner_from_the_indicators_history(city, plan_targets):
    kindergarten_year(city, 2023, 180, 200)  # 90 %
    kindergarten_year(city, 2024, 188, 200)  # 94 %
    target = plan_targets["preschool_gross_enrolment"]
    progress = target_progress([target], years=[2023, 2024])[target.pk]
    assert [v.value for _, v in progress.values] == [Fraction(90), Fraction(94)]
    # 94 % now, deadline 2025, +4 a year → 98 % projected: on track, 1.5 points still to go.
    assert (progress.status.status, progress.status.gap, progress.status.projected) == (
        "on_track", Fraction(3, 2), Fraction(98))
    assert progress.indicator_name == "学前三年毛入园率"


def test_a_zero_target_is_met_when_no_class_has_56_or_more(city, plan_targets):
    GradeEnrolment.objects.create(unit=city.east_primary, year=2024, grade="1", stage="primary", male=20, female=20)
    ClassSection.objects.create(unit=city.east_primary, year=2024, grade="1", name="1班", size=40)
    target = plan_targets["large_class"]
    assert target.comparator == "zero"
    progress = target_progress([target], years=[2024])[target.pk]
    assert progress.status.status == "met" and progress.latest.value == 0
    ClassSection.objects.create(unit=city.east_primary, year=2024, grade="1", name="2班", size=58)
    again = target_progress([target], years=[2024])[target.pk]
    assert again.status.status == "not_met" or again.status.status == "at_risk"
    assert again.status.gap == Fraction(-50)  # one class of two is 56+: 50 % must go


def test_without_data_the_status_is_no_data_with_the_indicators_reason(city, plan_targets):
    target = plan_targets["inclusive_kindergarten_coverage"]
    progress = target_progress([target], years=[2024])[target.pk]
    assert progress.status.status == "no_data" and progress.status.reason
    assert progress.latest.value is None


def test_a_target_in_another_unit_of_measure_is_not_compared(city, plan_targets):
    target = plan_targets["preschool_gross_enrolment"]
    Target.objects.filter(pk=target.pk).update(unit_of_measure="所", value=Decimal("10"))
    target.refresh_from_db()
    kindergarten_year(city, 2024, 188, 200)
    progress = target_progress([target], years=[2024])[target.pk]
    assert progress.status.status == "no_data" and "不一致" in progress.status.reason


def test_the_targets_page_shows_status_and_is_scoped(city, plan_targets, as_user):
    kindergarten_year(city, 2024, 188, 200)
    page = as_user("city_admin").get("/plans/targets/").content.decode()
    assert "学前三年毛入园率" in page and "94.0" in page
    assert as_user("school_admin").get("/plans/targets/").status_code == 200
    school_page = as_user("school_admin").get("/plans/targets/").content.decode()
    assert "学前三年毛入园率" not in school_page.split('id="target-table"')[1]
    plan_page = as_user("city_admin").get(f"/plans/{plan_targets['large_class'].version.plan_id}/").content.decode()
    assert "达成情况" in plan_page


def test_the_deadline_year_comes_from_the_target(plan_targets):
    assert plan_targets["preschool_gross_enrolment"].period_end == dt.date(2025, 12, 31)
