"""Target status from an indicator's history: exact, with the gap, and "no data" rather than 0."""

from __future__ import annotations

from fractions import Fraction as F

from edugov.plans.status import TargetRule, evaluate_target


def test_a_rate_exactly_at_the_threshold_is_met_on_the_unrounded_value():
    rule = TargetRule(">=", F("95.5"), deadline_year=2025)
    status = evaluate_target(rule, {2024: F(955, 10)}, as_of_year=2024)
    assert (status.status, status.gap) == ("met", 0)


def test_a_value_just_below_is_not_met_once_the_deadline_has_passed_and_the_gap_is_exact():
    rule = TargetRule(">=", F("95.5"), deadline_year=2024)
    status = evaluate_target(rule, {2024: F(1909, 20)}, as_of_year=2025)  # 95.45
    assert status.status == "not_met" and status.gap == F(1, 20)


def test_a_rising_trend_that_reaches_the_target_by_the_deadline_is_on_track():
    rule = TargetRule(">=", F(90), deadline_year=2026)
    status = evaluate_target(rule, {2022: F(80), 2023: F(84), 2024: F(86)}, as_of_year=2024)
    # line through 2022 (80) and 2024 (86): +3 a year → 92 in 2026
    assert (status.status, status.projected) == ("on_track", F(92))


def test_a_flat_trend_that_misses_the_target_is_at_risk():
    rule = TargetRule(">=", F(90), deadline_year=2026)
    status = evaluate_target(rule, {2023: F(85), 2024: F(85)}, as_of_year=2024)
    assert (status.status, status.gap, status.projected) == ("at_risk", F(5), F(85))


def test_a_zero_target_is_met_only_at_zero():
    rule = TargetRule("zero", F(0), deadline_year=2024)
    assert evaluate_target(rule, {2024: F(0)}, 2024).status == "met"
    status = evaluate_target(rule, {2024: F(3)}, 2025)
    assert (status.status, status.gap) == ("not_met", F(-3))


def test_a_yearly_decrease_is_measured_from_the_baseline_year():
    rule = TargetRule("decrease_by", F(1), deadline_year=2026)  # 近视率每年下降不低于1个百分点
    met = evaluate_target(rule, {2023: F(52), 2024: F(50)}, 2024)
    assert met.status == "met"
    late = evaluate_target(rule, {2023: F(52), 2024: F("51.5")}, 2024)
    assert late.status in {"at_risk", "on_track"} and late.gap == F("-0.5")


def test_no_values_is_no_data_never_zero():
    status = evaluate_target(TargetRule(">=", F(85)), {2024: None}, 2024)
    assert (status.status, status.current, status.gap) == ("no_data", None, None)
    assert status.label == "暂无数据"


def test_a_change_target_without_a_baseline_year_says_so():
    status = evaluate_target(TargetRule("increase_by", F(2)), {2024: F(40)}, 2024)
    assert status.status == "no_data" and "基准" in status.reason
