from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from edugov.indicators.engine import (
    Section,
    assess_county,
    assess_school,
    display,
    load_scheme,
    unweighted_cv,
    weighted_cv,
)
from edugov.indicators.engine.tests.builders import AS_OF, section

SCHEME = load_scheme()


def test_the_published_library_book_example_gives_a_weighted_cv_of_0_515() -> None:
    pupils = [45, 37, 89, 76, 55]
    books = [279, 137, 935, 160, 402]
    cv = weighted_cv([(p, Fraction(b)) for p, b in zip(pupils, books, strict=True)])
    assert cv is not None
    assert cv.mean == Fraction(1913, 302)
    assert display(cv.std, 3) == Decimal("3.264")
    assert display(cv.cv, 3) == Decimal("0.515")
    assert display(cv.cv, 2) == Decimal("0.52")
    assert display(unweighted_cv([Fraction(b, p) for p, b in zip(pupils, books, strict=True)]) or Decimal(0),
                   3) == Decimal("0.489")


def test_a_cv_exactly_on_the_limit_passes_and_is_judged_without_rounding() -> None:
    # two schools of 100 pupils with 1 and 3 m² each: mean 2, S = 1, CV = 0.5 exactly
    cv = weighted_cv([(100, Fraction(100)), (100, Fraction(300))])
    assert cv is not None
    assert cv.variance_over_mean_sq == Fraction(1, 4)
    assert cv.within(Fraction("0.50")) is True
    assert cv.within(Fraction("0.45")) is False


def test_no_pupils_or_a_zero_mean_gives_no_cv() -> None:
    assert weighted_cv([]) is None
    assert weighted_cv([(0, Fraction(0))]) is None
    assert weighted_cv([(10, Fraction(0)), (20, Fraction(0))]) is None


def _county() -> list:
    return [
        section("A", pupils=100, assets={"teaching_area": 100}),
        section("B", pupils=100, assets={"teaching_area": 300}),
        section("TP", school_type_code="218", pupils=40, assets={"teaching_area": 10}),  # excluded
        section("J", section=Section.JUNIOR, school_type_code="311", pupils=200),
        section("X", county_id="C2", pupils=100),
    ]


def test_the_county_cv_uses_only_assessed_schools_of_one_section() -> None:
    results = {(r.county_id, r.section): r for r in assess_county(_county(), SCHEME, AS_OF)}
    assert set(results) == {("C1", Section.PRIMARY), ("C1", Section.JUNIOR), ("C2", Section.PRIMARY)}
    c1 = results[("C1", Section.PRIMARY)]
    area = c1.cv("teaching_area")
    assert area.value == Decimal("0.5")
    assert area.passes is True  # the excluded 218 point with 0.25 m² per pupil would have pushed it over
    assert c1.cv("backbone_teachers").value == 0  # per-100 backbone: 10 per 100 pupils at both schools
    assert results[("C2", Section.PRIMARY)].cv("teaching_area").value == 0


def test_the_share_of_passing_schools_counts_only_assessed_schools() -> None:
    c1 = next(r for r in assess_county(_county(), SCHEME, AS_OF) if r.section == Section.PRIMARY
              and r.county_id == "C1")
    # A has 1 m² per pupil (< 85% of 4.5) and fails; B has 3 m² (< 85%) and fails too; TP is excluded
    assert [s.passes for s in c1.schools] == [False, False, None]
    assert c1.schools_passing_share == 0


def test_a_school_missing_an_input_makes_that_cv_unavailable_with_a_reason() -> None:
    sections = [section("A"), section("B", assets={"equipment_value": None})]
    (county,) = assess_county(sections, SCHEME, AS_OF)
    assert county.cv("equipment_value").value is None
    assert county.cv("equipment_value").reason == "缺少数据的学校：B"
    assert county.cv("teaching_area").value == 0
    assert county.cvs_pass is None


def _cv_squared_by_definition(items: list[tuple[int, Fraction]]) -> Fraction | None:
    """CV² straight from the definition, one fraction at a time: the reference for the common-denominator sums."""
    pupils = sum(p for p, _ in items)
    if pupils == 0:
        return None
    mean = sum((t for _, t in items), Fraction(0)) / pupils
    if mean == 0:
        return None
    variance = sum((Fraction(p, pupils) * (t / p - mean) ** 2 for p, t in items if p > 0), Fraction(0))
    return variance / (mean * mean)


def test_the_common_denominator_sums_equal_the_definition_for_integer_decimal_and_split_totals() -> None:
    rng = random.Random(20241125)
    for case in range(300):
        items = []
        for _ in range(rng.randint(1, 40)):
            pupils = rng.choice([0, 0, 1, 7, 49, 50, 333, 1999]) if case % 3 == 0 else rng.randint(1, 2500)
            total = rng.choice([
                Fraction(rng.randint(0, 400)),                           # teachers, rooms
                Fraction(Decimal(rng.randint(0, 10**7)) / 100),          # m², yuan with cents
                Fraction(rng.randint(0, 10**6), 100) * Fraction(rng.randint(1, 99), rng.randint(100, 300)),  # split
            ])
            items.append((pupils, total))
        expected = _cv_squared_by_definition(items)
        got = weighted_cv(items)
        assert (got.variance_over_mean_sq if got is not None else None) == expected, items


def test_the_county_schools_built_on_demand_equal_each_school_assessed_alone() -> None:
    sections = [*_county(), section("M", assets={"gym_area": None}), section("Z", pupils=0),
                section("S", school_type_code="312", assets={"teaching_area": Fraction(9001, 3)})]
    for county in assess_county(sections, SCHEME, AS_OF):
        alone = [assess_school(s, SCHEME, AS_OF) for s in county.sections]
        assert list(county.schools) == alone
        assert [[r.value for r in s.indicators] for s in county.schools] == [
            [r.value for r in s.indicators] for s in alone]


def test_a_senior_section_is_refused_by_the_county_assessment() -> None:
    with pytest.raises(ValueError, match="compulsory"):
        assess_county([section(section=Section.SENIOR, school_type_code="342")], SCHEME, AS_OF)
