"""The 普及普惠 scheme and its exact gaps, on hand-made values; every expected gap is computed by hand in the test."""

from __future__ import annotations

from fractions import Fraction

import pytest

from edugov.indicators.catalogue import IndicatorValue, load_shipped, parse_catalogue
from edugov.indicators.engine.scheme import SchemeError
from edugov.indicators.puji import AcceptanceResult, assess_values, load_puji_scheme

CATALOGUE = parse_catalogue(*load_shipped())
CODES = ("preschool_gross_enrolment", "inclusive_kindergarten_coverage", "public_kindergarten_share",
         "kindergarten_child_teacher_ratio", "kindergarten_teacher_certified_rate")


def value(code: str, num: int | None, den: int | None, reason: str = "") -> IndicatorValue:
    ind = CATALOGUE.indicator(code)
    v = None if num is None or not den else Fraction(num, den) * ind.factor
    return IndicatorValue(code=code, name_zh=ind.name_zh, version=1, unit=ind.unit, status=ind.status,
                          display_places=ind.display_places, value=v,
                          numerator=None if num is None else Fraction(num),
                          denominator=None if den is None else Fraction(den), reason=reason if v is None else "",
                          threshold=ind.threshold, met=None, contributions=(), element_versions={}, filters={})


# A county that meets everything: 900 children of 1000 aged 3-5 (90%), 850 in inclusive places (85%), 600 public
# (60%), 60 teachers (15 children each, exactly the limit), all 60 certified.
PASSING = {"preschool_gross_enrolment": (900, 1000), "inclusive_kindergarten_coverage": (850, 1000),
           "public_kindergarten_share": (600, 1000), "kindergarten_child_teacher_ratio": (900, 60),
           "kindergarten_teacher_certified_rate": (60, 60)}


def assess(overrides: dict[str, tuple[int | None, int | None]] | None = None,
           scheme_overrides: tuple = ()) -> AcceptanceResult:  # type: ignore[type-arg]
    data = {**PASSING, **(overrides or {})}
    values = {code: value(code, *data[code], reason="缺少“3-5岁常住人口”数据") for code in CODES}
    return assess_values(load_puji_scheme(overrides=scheme_overrides), values, CATALOGUE.indicators,
                         CATALOGUE.elements, county_code="370202", county_name="东区", year=2024)


def item(result: AcceptanceResult, code: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.items if r.code == code)


def test_a_county_meeting_every_item_passes_and_needs_nothing() -> None:
    result = assess()
    assert result.passes and result.complete and result.status == "达标"
    assert all(r.gap is None for r in result.items)


def test_the_scheme_holds_the_national_thresholds_and_marks_their_status() -> None:
    scheme = load_puji_scheme()
    assert {i.code: (i.comparator, i.threshold) for i in scheme.items} == {
        "preschool_gross_enrolment": (">=", 85), "inclusive_kindergarten_coverage": (">=", 80),
        "public_kindergarten_share": (">=", 50), "kindergarten_child_teacher_ratio": ("<=", 15),
        "kindergarten_teacher_certified_rate": (">=", 100)}
    assert all(i.status == "CONFIRMED" for i in scheme.items)
    assert scheme.unit_costs_are_examples


def test_gross_enrolment_of_exactly_85_percent_passes() -> None:
    assert item(assess({"preschool_gross_enrolment": (850, 1000)}), "preschool_gross_enrolment").met is True


def test_gross_enrolment_below_85_percent_needs_the_missing_children_counted_by_hand() -> None:
    # 813 of 1000: 85% of 1000 is 850, so 37 more children; 849 needs exactly 1.
    r = item(assess({"preschool_gross_enrolment": (813, 1000)}), "preschool_gross_enrolment")
    assert r.met is False
    assert r.gap is not None and r.gap.amount == 37 and r.gap.side == "numerator"
    assert r.gap.text() == "需增加在园幼儿 37 名"
    assert item(assess({"preschool_gross_enrolment": (849, 1000)}), "preschool_gross_enrolment").gap.amount == 1


def test_a_fractional_shortfall_rounds_up_so_the_addition_passes_and_one_less_does_not() -> None:
    # 800 of 999: 85% of 999 = 849.15, so 50 (850/999 = 85.09% passes, 849/999 = 84.98% fails).
    r = item(assess({"preschool_gross_enrolment": (800, 999)}), "preschool_gross_enrolment")
    assert r.gap is not None and r.gap.amount == 50
    assert Fraction(850, 999) * 100 >= 85 > Fraction(849, 999) * 100


def test_inclusive_coverage_gap_is_a_conversion_with_new_places_as_the_alternative_and_a_cost() -> None:
    # 700 of 1000 inclusive: 80% needs 800, so 100 places converted; new places also enter the denominator:
    # (700 + a) / (1000 + a) >= 0.8 → a >= 500. Cost 100 × 12000 (example unit cost).
    r = item(assess({"inclusive_kindergarten_coverage": (700, 1000)}), "inclusive_kindergarten_coverage")
    gap = r.gap
    assert gap is not None and gap.amount == 100 and gap.new_places == 500
    assert gap.text() == "需增加普惠性学位 100 个"
    assert "新增 500 个" in gap.alternative_text()
    assert gap.cost == 1_200_000
    assert Fraction(700 + 500, 1000 + 500) == Fraction(4, 5) > Fraction(700 + 499, 1000 + 499)


def test_public_share_gap_is_worded_from_the_element_name() -> None:
    # 415 of 1000 public: 50% needs 500 → 85; as new public places: (415 + a) / (1000 + a) >= 0.5 → a >= 170.
    r = item(assess({"public_kindergarten_share": (415, 1000)}), "public_kindergarten_share")
    assert r.gap is not None and r.gap.text() == "需增加公办园在园幼儿 85 名" and r.gap.new_places == 170


def test_a_child_teacher_ratio_above_15_needs_teachers_added_to_the_denominator() -> None:
    # 1000 children, 55 teachers (18.18 each): at most 15 each needs 1000/15 = 66.67 → 67 teachers, so 12 more;
    # 1000/67 = 14.93 passes, 1000/66 = 15.15 does not.
    r = item(assess({"kindergarten_child_teacher_ratio": (1000, 55)}), "kindergarten_child_teacher_ratio")
    assert r.met is False
    assert r.gap is not None and r.gap.side == "denominator" and r.gap.amount == 12
    assert r.gap.text() == "需增加幼儿园专任教师 12 名"
    assert r.gap.cost == 12 * 80000
    assert Fraction(1000, 67) <= 15 < Fraction(1000, 66)


def test_a_ratio_of_exactly_15_passes() -> None:
    assert item(assess({"kindergarten_child_teacher_ratio": (900, 60)}), "kindergarten_child_teacher_ratio").met


def test_certified_rate_below_100_percent_needs_the_uncertified_teachers_certified() -> None:
    r = item(assess({"kindergarten_teacher_certified_rate": (7, 8)}), "kindergarten_teacher_certified_rate")
    assert r.gap is not None and r.gap.amount == 1 and r.gap.text() == "需增加幼儿园持证专任教师 1 名"


def test_an_item_without_data_is_shown_as_no_data_and_the_county_cannot_pass() -> None:
    result = assess({"preschool_gross_enrolment": (900, None)})
    r = item(result, "preschool_gross_enrolment")
    assert r.met is None and r.display == "暂无数据" and r.verdict == "暂无数据"
    assert r.reason == "缺少“3-5岁常住人口”数据" and r.gap is None
    assert not result.passes and not result.complete
    assert result.status == "数据不全，无法认定"


def test_failing_items_come_first_then_items_without_data() -> None:
    result = assess({"kindergarten_teacher_certified_rate": (7, 8), "preschool_gross_enrolment": (900, None)})
    order = [r.code for r in result.ordered()]
    assert order[0] == "kindergarten_teacher_certified_rate"
    assert order[1] == "preschool_gross_enrolment"
    assert result.status == "未达标"


def test_a_province_override_raises_a_threshold_and_the_gap_follows() -> None:
    # The example province sets 90%: 850 of 1000 now fails by 50.
    result = assess({"preschool_gross_enrolment": (850, 1000)}, ("example_puji_province_override",))
    r = item(result, "preschool_gross_enrolment")
    assert r.item.threshold == 90 and r.met is False and r.gap is not None and r.gap.amount == 50


def test_an_override_can_change_any_threshold_and_comparator() -> None:
    override = {"items": {"preschool_gross_enrolment": {"comparator": ">", "status": "UNCERTAIN"}}}
    r = item(assess({"preschool_gross_enrolment": (850, 1000)}, (override,)), "preschool_gross_enrolment")
    assert r.met is False and r.item.uncertain
    assert r.gap is not None and r.gap.amount == 1  # strictly above 850 of 1000


def test_an_override_naming_an_unknown_item_or_a_float_is_refused() -> None:
    with pytest.raises(SchemeError):
        load_puji_scheme(overrides=[{"items": {"preschool_gross_enrolment_typo": {"threshold": "90"}}}])
    with pytest.raises(SchemeError):
        load_puji_scheme(overrides=[{"items": {"preschool_gross_enrolment": {"threshold": 90.5}}}])


def test_new_places_alone_cannot_reach_a_100_percent_share() -> None:
    override = {"items": {"public_kindergarten_share": {"threshold": "100"}}}
    r = item(assess({"public_kindergarten_share": (415, 1000)}, (override,)), "public_kindergarten_share")
    assert r.gap is not None and r.gap.amount == 585 and r.gap.new_places is None and r.gap.new_places_impossible
