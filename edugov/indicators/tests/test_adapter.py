"""The Django adapter and commands of the 优质均衡 resource engine, on the shared personas plus hand-made stats."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from django.core.management import call_command

from conftest import City, make_school
from edugov.indicators.adapter import evaluate_resources, sections_for
from edugov.indicators.engine import Section, load_scheme
from edugov.registry import services as registry
from edugov.registry.models import OrgUnit
from edugov.stats.models import GradeEnrolment, SchoolYearStats, TeacherStats

YEAR = 2024


def enrol(unit: OrgUnit, stage: str, pupils: int, grade: str = "1", year: int = YEAR) -> None:
    GradeEnrolment.objects.create(unit=unit, year=year, grade=grade, stage=stage, male=pupils // 2,
                                  female=pupils - pupils // 2)


def teachers(unit: OrgUnit, stage: str, year: int = YEAR, **counts: int) -> None:
    TeacherStats.objects.create(unit=unit, year=year, stage=stage, fulltime=counts.pop("fulltime", 30), **counts)


def assets(unit: OrgUnit, year: int = YEAR, **values: Any) -> None:
    SchoolYearStats.objects.create(unit=unit, year=year, **values)


def primary_500(unit: OrgUnit, year: int = YEAR) -> None:
    """500 pupils: 6 of 7 indicators met, backbone 0.8 per 100 (80% of 1, below the 85% rule)."""
    enrol(unit, "primary", 300, grade="1", year=year)
    enrol(unit, "primary", 200, grade="2", year=year)
    teachers(unit, "primary", year=year, edu_bachelor=15, edu_associate=8, edu_below_associate=7,
             backbone_county=3, backbone_city=1, pe_teachers=3, music_teachers=1, art_teachers=1)
    assets(unit, year=year, teaching_area=Decimal("2500.00"), sports_ground_area=Decimal("3000.00"),
           gym_area=Decimal("800.00"), equipment_value=Decimal("1000000.50"), multimedia_classrooms=12)


def by_code(report: dict[str, Any], county: str, section: str) -> dict[str, Any]:
    return next(c for c in report["counties"] if c["county"]["code"] == county and c["section"] == section)


def school_entry(county: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in county["schools"] if s["code"] == code)


def values(school: dict[str, Any]) -> dict[str, tuple[str | None, str | None, bool | None]]:
    return {i["code"]: (i["value"], i["display"], i["met"]) for i in school["indicators"]}


def test_a_primary_school_gets_its_seven_values_and_fails_on_the_85_percent_rule(city: City) -> None:
    primary_500(city.east_primary)
    report = evaluate_resources(city.east, YEAR)
    school = school_entry(by_code(report, "370202", "primary"), "2137020001")
    assert school["pupils"] == 500
    assert values(school) == {
        "qualified_teachers": ("23/5", "4.60", True),
        "backbone_teachers": ("4/5", "0.80", False),
        "pe_arts_teachers": ("1", "1.00", True),
        "teaching_area": ("5", "5.00", True),
        "sports_area": ("38/5", "7.60", True),
        "equipment_value": ("2000001/1000", "2000.00", True),
        "multimedia_classrooms": ("12/5", "2.40", True),
    }
    assert school["count_met"] == 6 and school["unmet"] == ["backbone_teachers"]
    assert school["passes"] is False
    assert [a["text"] for a in school["gaps"]["plan"]] == ["需增加县级以上骨干教师 1 名"]
    json.dumps(report)  # JSON-safe


def test_a_nine_year_school_splits_its_assets_one_to_one_point_one(city: City) -> None:
    school = make_school("3137020009", "东区九年一贯制学校", city.east, school_type="312")
    enrol(school, "primary", 200, grade="1")
    enrol(school, "junior", 220, grade="7")
    teachers(school, "primary", edu_bachelor=10)
    teachers(school, "junior", edu_bachelor=12)
    assets(school, teaching_area=Decimal("4420.00"), sports_ground_area=Decimal("8840.00"), gym_area=Decimal("0"),
           equipment_value=Decimal("884000.00"), multimedia_classrooms=17)
    sections = {s.section: s for s in sections_for(city.east, YEAR, scheme=load_scheme())
                if s.school_id == "3137020009"}
    assert set(sections) == {Section.PRIMARY, Section.JUNIOR}
    # weighted pupils 200 × 1 : 220 × 1.1 = 200 : 242
    assert sections[Section.PRIMARY].assets.teaching_area == 2000
    assert sections[Section.JUNIOR].assets.teaching_area == 2420
    assert sections[Section.PRIMARY].assets.equipment_value == 400000
    assert sections[Section.PRIMARY].assets.multimedia_classrooms == Fraction(17 * 200, 442)
    assert sections[Section.JUNIOR].staff.edu_bachelor == 12
    report = evaluate_resources(city.east, YEAR)
    junior = values(school_entry(by_code(report, "370202", "junior"), "3137020009"))
    assert junior["teaching_area"] == ("11", "11.00", True)
    assert junior["multimedia_classrooms"][0] == "55/13"  # 100 × 17 × 242/442 ÷ 220 = 935/221, exact


def test_a_school_moved_after_the_reference_date_still_counts_in_its_old_district_that_year(city: City) -> None:
    registry.move_unit(actor=None, unit=city.west_primary, new_parent=city.east, effective_on=dt.date(2025, 1, 1))
    scheme = load_scheme()
    assert {s.school_id for s in sections_for(city.west, YEAR, scheme=scheme)} == {"2137030001"}
    assert "2137030001" not in {s.school_id for s in sections_for(city.east, YEAR, scheme=scheme)}
    in_city = {s.school_id: s.county_id for s in sections_for(city.city, YEAR, scheme=scheme)}
    assert in_city["2137030001"] == "370203"
    next_year = {s.school_id: s.county_id for s in sections_for(city.city, YEAR + 1, scheme=scheme)}
    assert next_year["2137030001"] == "370202"


def test_a_school_with_no_enrolment_is_no_data_rather_than_zero(city: City) -> None:
    teachers(city.east_junior, "junior", edu_bachelor=20)
    assets(city.east_junior, teaching_area=Decimal("3000"))
    report = evaluate_resources(city.east, YEAR)
    school = school_entry(by_code(report, "370202", "junior"), "3137020002")
    assert school["status"] == "no data" and school["passes"] is None and school["gaps"] is None
    assert all(i["value"] is None and i["display"] is None and i["status"] == "no data"
               for i in school["indicators"])
    assert all(cv["value"] is None for cv in by_code(report, "370202", "junior")["cvs"])
    # the kindergarten is never a section
    assert "1137020003" not in {s.school_id for s in sections_for(city.east, YEAR, scheme=load_scheme())}


def test_the_county_cv_equals_a_hand_computation(city: City) -> None:
    primary_500(city.east_primary)
    other = make_school("2137020010", "东区第二小学", city.east_town)
    enrol(other, "primary", 250)
    teachers(other, "primary", edu_bachelor=12)
    assets(other, teaching_area=Decimal("1000.00"))
    county = by_code(evaluate_resources(city.east, YEAR), "370202", "primary")
    cv = next(c for c in county["cvs"] if c["code"] == "teaching_area")
    # values 5 (500 pupils) and 4 (250): mean 14/3, variance 2/3·1/9 + 1/3·4/9 = 2/9, CV² = 1/98
    with localcontext() as ctx:
        ctx.prec = 40
        expected = (Decimal(1) / Decimal(98)).sqrt()
    assert Decimal(cv["value"]) == expected
    assert cv["display"] == "0.101" and cv["limit"] == "1/2" and cv["passes"] is True
    other_cv = next(c for c in county["cvs"] if c["code"] == "sports_area")
    assert other_cv["value"] is None and "东区第二小学" in other_cv["reason"]


def test_the_evaluate_command_prints_json_with_the_report_keys(city: City) -> None:
    primary_500(city.east_primary)
    out = io.StringIO()
    call_command("evaluate", "youzhi_junheng_2017", unit="370202", year=YEAR, format="json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == {"scheme", "unit", "year", "reference_date", "counties"}
    assert {"county", "section", "cvs", "cvs_pass", "schools_passing_share", "schools", "cv_gaps",
            "totals"} <= set(report["counties"][0])
    text = io.StringIO()
    call_command("evaluate", "youzhi_junheng_2017", unit="370202", year=YEAR, stdout=text)
    assert "东区实验小学" in text.getvalue() and "未达标" in text.getvalue()


def test_the_compute_command_prints_pupil_weighted_means_per_child(city: City) -> None:
    primary_500(city.east_primary)
    primary_500(city.west_primary)
    out = io.StringIO()
    call_command("indicators_compute", unit="370200", year=YEAR, children=True, format="json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"unit", "year", "sections", "catalogue", "children"}
    primary, junior = data["sections"]
    assert junior["pupils"] == 0 and all(i["value"] is None for i in junior["indicators"])  # 东区新镇中学: no data
    assert primary["pupils"] == 1000 and primary["schools"] == 2
    assert {i["code"]: i["value"] for i in primary["indicators"]}["teaching_area"] == "5"
    assert [c["unit"]["code"] for c in data["children"]] == ["370202", "370203"]
    text = io.StringIO()
    call_command("indicators_compute", unit="2137020001", year=YEAR, stdout=text)
    assert "生均教学及辅助用房面积：5.00 平方米/生" in text.getvalue()


@pytest.mark.parametrize("extra", [1, 20])
def test_sections_for_uses_a_bounded_number_of_queries_whatever_the_school_count(
        city: City, extra: int, django_assert_max_num_queries: Any) -> None:
    for i in range(extra):
        school = make_school(f"21370299{i:02d}", f"小学{i}", city.east_town)
        primary_500(school)
    scheme = load_scheme()
    with django_assert_max_num_queries(10):
        sections = sections_for(city.east, YEAR, scheme=scheme)
    assert len(sections) == extra + 2  # + 东区实验小学 and 东区新镇中学


def _county_of_school(city: City, school_code: str) -> str:
    return {s.school_id: s.county_id for s in sections_for(city.city, YEAR, scheme=load_scheme())}[school_code]


def test_the_cached_registry_view_follows_every_kind_of_registry_write(city: City) -> None:
    """The registry below a unit is cached under a token that database triggers renew on every write: a move by
    the service, a raw SQL update, a bulk update and a deletion are all seen at once."""
    from django.db import connection

    from edugov.registry.models import OrgLink, OrgUnitVersion
    from edugov.registry.queries import registry_revision

    primary_500(city.west_primary)
    assert _county_of_school(city, "2137030001") == "370203"
    assert _county_of_school(city, "2137030001") == "370203"  # served from the cache

    token = registry_revision()
    link = OrgLink.objects.get(child=city.west_primary, hierarchy="admin")
    with connection.cursor() as cursor:  # behind the ORM's back
        cursor.execute("UPDATE registry_orglink SET parent_id = %s WHERE id = %s", [city.east.pk, link.pk])
    assert registry_revision() != token
    assert _county_of_school(city, "2137030001") == "370202"

    OrgLink.objects.filter(pk=link.pk).update(parent=city.west)  # a queryset update (no signals)
    assert _county_of_school(city, "2137030001") == "370203"

    # a retyped school (bulk update of its version) leaves the compulsory sections: 1xx is a kindergarten
    OrgUnitVersion.objects.filter(unit=city.west_primary).update(school_type_code="111")
    assert "2137030001" not in {s.school_id for s in sections_for(city.city, YEAR, scheme=load_scheme())}
    OrgUnitVersion.objects.filter(unit=city.west_primary).update(school_type_code="211")
    assert "2137030001" in {s.school_id for s in sections_for(city.city, YEAR, scheme=load_scheme())}

    OrgLink.objects.filter(pk=link.pk).delete()
    assert "2137030001" not in {s.school_id for s in sections_for(city.city, YEAR, scheme=load_scheme())}
