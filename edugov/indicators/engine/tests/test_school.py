from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from edugov.indicators.engine import Section, assess_school, display, load_scheme
from edugov.indicators.engine.assess import NO_PUPILS
from edugov.indicators.engine.tests.builders import AS_OF, section

SCHEME = load_scheme()
NO_85_RULE = load_scheme(overrides=[{"remaining_indicator_rule": {"enabled": False}}])


def test_a_school_exactly_on_every_threshold_meets_all_seven() -> None:
    result = assess_school(section(), SCHEME, AS_OF)
    values = {r.code: r.value for r in result.indicators}
    assert values == {
        "qualified_teachers": Fraction("4.2"), "backbone_teachers": 1, "pe_arts_teachers": Fraction("0.9"),
        "teaching_area": Fraction("4.5"), "sports_area": Fraction("7.5"), "equipment_value": 2000,
        "multimedia_classrooms": Fraction("2.3"),
    }
    assert result.count_met == 7
    assert result.passes is True


def test_nine_pe_and_arts_teachers_for_1000_pupils_is_exactly_0_9_per_100() -> None:
    # In floats 9 / 1000 * 100 is 0.8999999999999999 and would fail the 0.9 threshold.
    result = assess_school(section(), SCHEME, AS_OF).result("pe_arts_teachers")
    assert result.value == Fraction(9, 10)
    assert result.met is True
    assert display(result.value, 2) == Decimal("0.90")


@pytest.mark.parametrize(("code", "staff", "assets", "value"), [
    ("qualified_teachers", {"edu_associate": 19}, {}, Fraction("4.1")),
    ("backbone_teachers", {"backbone_city": 2}, {}, Fraction("0.9")),
    ("pe_arts_teachers", {"art_teachers": 1}, {}, Fraction("0.8")),
    ("teaching_area", {}, {"teaching_area": Decimal("4499.99")}, Fraction("4.49999")),
    ("sports_area", {}, {"gym_area": Decimal("499.99")}, Fraction("7.49999")),
    ("equipment_value", {}, {"equipment_value": Decimal("1999999.99")}, Fraction("1999.99999")),
    ("multimedia_classrooms", {}, {"multimedia_classrooms": 22}, Fraction("2.2")),
])
def test_one_unit_below_a_primary_threshold_fails_that_indicator_only(
        code: str, staff: dict[str, Any], assets: dict[str, Any], value: Fraction) -> None:
    result = assess_school(section(staff=staff, assets=assets), SCHEME, AS_OF)
    assert result.result(code).value == value
    assert [r.code for r in result.unmet] == [code]
    assert result.count_met == 6


def test_primary_counts_associate_degrees_but_junior_counts_only_bachelor_and_above() -> None:
    primary = assess_school(section(pupils=400), SCHEME, AS_OF).result("qualified_teachers")
    junior = assess_school(section(pupils=400, section=Section.JUNIOR, school_type_code="311"), SCHEME, AS_OF)
    assert primary.value == Fraction(42 * 100, 400)  # 2 + 20 + 20 qualified
    assert junior.result("qualified_teachers").value == Fraction(22 * 100, 400)  # 2 + 20; 22/4 = 5.5 ≥ 5.3
    assert junior.result("qualified_teachers").threshold == Fraction("5.3")


def test_junior_sections_are_held_to_the_junior_thresholds() -> None:
    # The exact-primary school has 4.5 m² per pupil, short of the junior 5.8.
    result = assess_school(section(section=Section.JUNIOR, school_type_code="311"), SCHEME, AS_OF)
    assert result.result("teaching_area").met is False
    assert result.result("equipment_value").threshold == 2500


def test_a_section_with_no_pupils_gives_no_data_rather_than_zero_or_a_crash() -> None:
    result = assess_school(section(pupils=0), SCHEME, AS_OF)
    assert all(r.value is None and r.met is None and r.reason == NO_PUPILS for r in result.indicators)
    assert result.passes is None


def test_an_unreported_area_is_missing_data_and_counts_as_unmet() -> None:
    result = assess_school(section(assets={"gym_area": None}), SCHEME, AS_OF)
    sports = result.result("sports_area")
    assert sports.value is None
    assert "未填报" in sports.reason
    assert result.count_met == 6
    # missing data can never satisfy the 85% rule, so the school cannot be confirmed as passing
    assert result.passes is False
    assert assess_school(section(assets={"gym_area": None}), NO_85_RULE, AS_OF).passes is True


def test_six_of_seven_passes_when_the_seventh_reaches_85_percent_of_its_threshold() -> None:
    # 85% of 4.5 m² × 1000 pupils = 3825 m²
    result = assess_school(section(assets={"teaching_area": Decimal("3825.00")}), SCHEME, AS_OF)
    assert result.count_met == 6
    assert result.result("teaching_area").share_of_threshold == Fraction(85, 100)
    assert result.passes is True


def test_six_of_seven_fails_when_the_seventh_is_below_85_percent_of_its_threshold() -> None:
    result = assess_school(section(assets={"teaching_area": Decimal("3824.99")}), SCHEME, AS_OF)
    assert result.count_met == 6
    assert result.passes is False


def test_switching_off_the_uncertain_85_percent_rule_lets_six_of_seven_pass() -> None:
    result = assess_school(section(assets={"teaching_area": Decimal("1000")}), NO_85_RULE, AS_OF)
    assert result.count_met == 6
    assert result.passes is True


def test_five_of_seven_fails_whatever_the_85_percent_rule_says() -> None:
    weak = section(staff={"backbone_province": 0}, assets={"multimedia_classrooms": 22})
    assert assess_school(weak, SCHEME, AS_OF).passes is False
    assert assess_school(weak, NO_85_RULE, AS_OF).passes is False


@pytest.mark.parametrize(("type_code", "pupils", "excluded"), [
    ("218", 49, True),    # teaching point under 50 pupils
    ("218", 50, False),   # a teaching point of 50 is assessed
    ("211", 10, False),   # the 50-pupil floor is for teaching points only
    ("512", 300, True),   # school for the deaf
    ("514", 300, True),   # other special school
    ("321", 300, True),   # vocational junior
    ("311", 300, False),
])
def test_exclusions_follow_school_type_and_enrolment(type_code: str, pupils: int, excluded: bool) -> None:
    result = assess_school(section(school_type_code=type_code, pupils=pupils), SCHEME, AS_OF)
    assert result.excluded is excluded
    assert (result.passes is None) is excluded
