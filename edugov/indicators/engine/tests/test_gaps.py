from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from edugov.indicators.engine import (
    Addition,
    SchoolSection,
    Section,
    assess_county,
    assess_school,
    county_gaps,
    cv_gap,
    load_scheme,
    school_gap,
)
from edugov.indicators.engine.gaps import ceil_to_step, format_amount
from edugov.indicators.engine.tests.builders import AS_OF, section

SCHEME = load_scheme()
NO_85_RULE = load_scheme(overrides=[{"remaining_indicator_rule": {"enabled": False}}])

# The field each addition is applied to when checking that it is enough.
TARGET_FIELD = {"backbone_teachers": "backbone_county", "sports_area": "sports_ground_area",
                "teaching_area": "teaching_area", "multimedia_classrooms": "multimedia_classrooms"}


def with_added(s: SchoolSection, additions: list[Addition], less: Fraction = Fraction(0)) -> SchoolSection:
    staff, assets = s.staff, s.assets
    for a in additions:
        name = TARGET_FIELD[a.code]
        if hasattr(staff, name):
            staff = staff._replace(**{name: getattr(staff, name) + int(a.amount - less)})
        else:
            assets = assets._replace(**{name: Fraction(getattr(assets, name)) + a.amount - less})
    return s._replace(staff=staff, assets=assets)


# 7 backbone teachers (0.7 per 100) and 6260 m² of sports area (6.26 m²) for 1000 pupils: 5 of 7 met.
WEAK = section(staff={"backbone_county": 3}, assets={"sports_ground_area": Decimal("5760"), "gym_area": 500})


def test_each_unmet_indicator_gets_the_smallest_whole_addition_to_its_threshold() -> None:
    gap = school_gap(assess_school(WEAK, SCHEME, AS_OF), SCHEME)
    assert gap is not None
    assert [(a.code, a.amount) for a in gap.per_indicator] == [("backbone_teachers", 3), ("sports_area", 1240)]
    assert [a.text() for a in gap.per_indicator] == [
        "需增加县级以上骨干教师 3 名", "需增加体育运动场馆面积 1,240 平方米"]


def test_without_the_85_percent_rule_the_plan_fixes_only_the_cheapest_indicator() -> None:
    # example costs: 3 backbone × 20,000 = 60,000 yuan against 1,240 m² × 400 = 496,000 yuan
    gap = school_gap(assess_school(WEAK, NO_85_RULE, AS_OF), NO_85_RULE)
    assert gap is not None
    assert [(a.code, a.amount, a.cost) for a in gap.plan] == [("backbone_teachers", 3, 60000)]
    assert assess_school(with_added(WEAK, list(gap.plan)), NO_85_RULE, AS_OF).passes is True
    assert assess_school(with_added(WEAK, list(gap.plan), less=Fraction(1)), NO_85_RULE, AS_OF).passes is False


def test_with_the_85_percent_rule_the_remaining_indicator_is_raised_to_85_percent() -> None:
    # 85% of 7.5 m² × 1000 = 6375 m², i.e. 115 m² more than 6260
    gap = school_gap(assess_school(WEAK, SCHEME, AS_OF), SCHEME)
    assert gap is not None
    assert [(a.code, a.amount) for a in gap.plan] == [("backbone_teachers", 3), ("sports_area", 115)]
    assert assess_school(with_added(WEAK, list(gap.plan)), SCHEME, AS_OF).passes is True
    for a in gap.plan:
        others = [b for b in gap.plan if b is not a]
        one_less = with_added(with_added(WEAK, others), [a], less=SCHEME.indicator(a.code).gap.step)
        assert assess_school(one_less, SCHEME, AS_OF).passes is False, a.code


def test_a_school_meeting_six_of_seven_needs_only_the_85_percent_top_up() -> None:
    s = section(assets={"teaching_area": Decimal("3000")})  # 3 m² per pupil, 85% is 3825 m²
    gap = school_gap(assess_school(s, SCHEME, AS_OF), SCHEME)
    assert gap is not None
    assert [(a.code, a.amount, a.target) for a in gap.plan] == [("teaching_area", 825, Fraction("3.825"))]
    assert school_gap(assess_school(s, NO_85_RULE, AS_OF), NO_85_RULE) is None


def test_passing_excluded_and_empty_schools_need_nothing() -> None:
    assert school_gap(assess_school(section(), SCHEME, AS_OF), SCHEME) is None
    assert school_gap(assess_school(section(school_type_code="218", pupils=30, staff={"backbone_county": 0}),
                                    SCHEME, AS_OF), SCHEME) is None
    assert school_gap(assess_school(section(pupils=0), SCHEME, AS_OF), SCHEME) is None


def test_areas_are_rounded_up_to_the_cent_and_people_to_whole_persons() -> None:
    assert ceil_to_step(Fraction("3.825"), Fraction("0.01")) == Fraction("3.83")
    assert ceil_to_step(Fraction("0.1"), Fraction(1)) == 1
    assert ceil_to_step(Fraction(-5), Fraction(1)) == 0
    # 3 pupils need 0.85 × 4.5 × 3 = 11.475 m²; with 10 m² that is 1.475 → 1.48, and 1.47 is not enough
    s = section(pupils=3, staff={"backbone_county": 0, "backbone_city": 0, "backbone_province": 1},
                assets={"teaching_area": Decimal("10")})
    gap = school_gap(assess_school(s, SCHEME, AS_OF), SCHEME)
    assert gap is not None
    assert [(a.code, a.amount) for a in gap.plan] == [("teaching_area", Fraction("1.48"))]
    assert format_amount(gap.plan[0].amount) == "1.48"
    assert assess_school(with_added(s, list(gap.plan), less=Fraction("0.01")), SCHEME, AS_OF).passes is False


def test_missing_data_is_named_not_guessed() -> None:
    s = section(staff={"backbone_county": 3}, assets={"gym_area": None})
    gap = school_gap(assess_school(s, SCHEME, AS_OF), SCHEME)
    assert gap is not None
    assert gap.missing == ("sports_area",)
    assert [a.code for a in gap.per_indicator] == ["backbone_teachers"]


def _two_junior_schools() -> list[SchoolSection]:
    # 1 and 3 m² per pupil, 100 pupils each: CV 0.5 > 0.45 for junior
    return [section("A", section=Section.JUNIOR, school_type_code="311", pupils=100, assets={"teaching_area": 100}),
            section("B", section=Section.JUNIOR, school_type_code="311", pupils=100, assets={"teaching_area": 300})]


def test_the_cv_gap_levels_up_the_lowest_school_just_enough() -> None:
    # (300 − 100 − a) / (400 + a) ≤ 0.45  ⇔  a ≥ 20 / 1.45 = 13.7931…  →  13.80 m² at school A
    (county,) = assess_county(_two_junior_schools(), SCHEME, AS_OF)
    gap = cv_gap(county, "teaching_area", SCHEME)
    assert gap is not None
    assert [(a.school_id, a.amount) for a in gap.additions] == [("A", Fraction("13.80"))]
    assert gap.after.within(Fraction("0.45"))
    assert gap.reached is True
    assert gap.cost == Fraction("13.80") * 3000
    one_less = _two_junior_schools()
    one_less[0] = with_added(one_less[0], list(gap.additions), less=Fraction("0.01"))
    (county_less,) = assess_county(one_less, SCHEME, AS_OF)
    assert county_less.cv("teaching_area").passes is False


def test_a_county_within_every_cv_limit_has_no_cv_gap() -> None:
    (county,) = assess_county([section("A"), section("B")], SCHEME, AS_OF)
    assert all(cv_gap(county, ind.code, SCHEME) is None for ind in SCHEME.indicators)


def test_the_county_list_sums_school_plans_and_cv_additions_per_indicator() -> None:
    (county,) = assess_county(_two_junior_schools(), SCHEME, AS_OF)
    report = county_gaps(county, SCHEME)
    assert {g.code for g in report.cv_gaps} == {"teaching_area"}
    totals = report.totals()
    plans = sum((a.amount for g in report.school_gaps for a in g.plan if a.code == "teaching_area"), Fraction(0))
    assert totals["teaching_area"][0] == plans + Fraction("13.80")
    assert totals["teaching_area"][1] == totals["teaching_area"][0] * 3000
