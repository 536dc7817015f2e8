from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from edugov.evaluation.engine import InputError, ItemInput, StageInput, UnitInputs, evaluate
from edugov.evaluation.engine.scheme import ThresholdRule
from edugov.evaluation.engine.tests.builders import FULL_MARKS, TINY, tiny, tiny_raw, unit, with_values

SCHEME = tiny()


def points(code: str, value: object) -> Fraction:
    return evaluate(SCHEME, unit("U", with_values(**{code: value}))).item(code).points


def test_a_threshold_met_exactly_gives_full_points_and_just_below_gives_the_partial_points() -> None:
    assert points("X1", "85") == 10
    assert points("X1", "84.99") == 4
    result = evaluate(SCHEME, unit("U", with_values(X1="84.99")))
    assert result.item("X1").reason == "84.99% 未满足 >= 85%"


def test_every_comparator_is_judged_exactly_at_its_boundary() -> None:
    at, below, above = Fraction(5), Fraction("4.999"), Fraction("5.001")
    verdicts = {c: (ThresholdRule(c, at, Fraction(0)).met(below), ThresholdRule(c, at, Fraction(0)).met(at),
                    ThresholdRule(c, at, Fraction(0)).met(above)) for c in (">=", ">", "<=", "<", "==")}
    assert verdicts == {">=": (False, True, True), ">": (False, False, True), "<=": (True, True, False),
                        "<": (True, False, False), "==": (False, True, False)}


def test_a_linear_rule_scales_between_floor_and_ceiling_and_clamps_outside() -> None:
    # X2: 0 at 80, 15 at 95, higher is better
    assert [points("X2", v) for v in ("70", "80", "85", "87.5", "95", "120")] == [0, 0, 5, Fraction(15, 2), 15, 15]
    assert points("X2", "85.1") == Fraction("5.1")  # exact: 15 × 5.1 ÷ 15, no float residue


def test_a_linear_rule_where_lower_is_better_gives_full_points_at_the_floor() -> None:
    # Z1: 20 at 0, 0 at 10
    assert [points("Z1", v) for v in ("-1", "0", "2.5", "10", "11")] == [20, 20, 15, 0, 0]


def test_bands_honour_their_inclusive_and_exclusive_bounds() -> None:
    # [90, +inf) → 15, [80, 90) → 10, (60, 80) → 5, nothing at or below 60
    assert [points("X3", v) for v in ("90", "89.999", "80", "79.9", "60.001")] == [15, 10, 10, 5, 5]
    result = evaluate(SCHEME, unit("U", with_values(X3="60")))
    assert result.item("X3").points == 0
    assert result.item("X3").reason == "60 不在任何分档内"
    assert evaluate(SCHEME, unit("U", with_values(X3="90"))).item("X3").reason == "90 落在分档 [90, +inf)"


def test_manual_points_are_taken_as_entered_within_zero_and_the_item_maximum() -> None:
    assert points("Y1", "16.5") == Fraction(33, 2)
    assert points("Y1", "0") == 0
    with pytest.raises(InputError, match=r"项目 Y1：人工评分 20.5 超出 \[0, 20\]"):
        points("Y1", "20.5")
    with pytest.raises(InputError, match="人工评分 -1 超出"):
        points("Y1", "-1")


def test_a_manual_item_needs_points_and_a_measured_item_needs_a_value() -> None:
    with pytest.raises(InputError, match="人工评分项请填写 points"):
        evaluate(SCHEME, UnitInputs("U", (StageInput("self", {"Y1": ItemInput(value="5")}),)))
    with pytest.raises(InputError, match="请填写 value"):
        evaluate(SCHEME, UnitInputs("U", (StageInput("self", {"X1": ItemInput(points="5")}),)))


def test_a_yes_no_item_gives_full_points_for_yes_and_none_for_no() -> None:
    assert points("Y2", True) == 10
    assert points("Y2", False) == 0
    with pytest.raises(InputError, match="true 或 false"):
        points("Y2", "是")


def test_a_yes_no_item_can_give_its_points_for_no() -> None:
    raw = tiny_raw()
    raw["items"][1]["children"][1]["rule"] = {"type": "boolean", "full_when": False}
    scheme = tiny(items=raw["items"])
    assert evaluate(scheme, unit("U", with_values(Y2=False))).item("Y2").points == 10
    assert evaluate(scheme, unit("U", with_values(Y2=True))).item("Y2").reason == "是，不得分"


def test_floats_are_refused_but_decimals_fractions_and_integers_are_exact() -> None:
    with pytest.raises(InputError, match="不接受浮点数"):
        points("X2", 85.1)
    assert points("X2", Decimal("85.1")) == points("X2", Fraction(851, 10)) == Fraction("5.1")
    assert points("X2", 85) == 5


def test_the_full_marks_inputs_score_the_maximum() -> None:
    result = evaluate(SCHEME, unit("U", FULL_MARKS))
    assert result.total == result.max_score == 100
    assert [i.points for i in result.items] == [40, 30, 30]
    assert TINY["id"] == result.scheme_id
