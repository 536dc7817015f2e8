from __future__ import annotations

from fractions import Fraction

import pytest

from edugov.evaluation.engine import AdjustmentInput, InputError, StageInput, UnitInputs, VetoInput, evaluate
from edugov.evaluation.engine.evaluate import EXCLUDED, MISSING
from edugov.evaluation.engine.tests.builders import FULL_MARKS, stage, tiny, tiny_raw, unit, with_values, without

SCHEME = tiny()

# X1 86 → 10; X2 89 → 15 × 9/15 = 9; X3 85 → 10; Y1 16.5; Y2 是 → 10; Z1 4 → 20 × 6/10 = 12; Z2 6 → 0 (≤ 5 not met)
TYPICAL = {"X1": "86", "X2": "89", "X3": "85", "Y1": "16.5", "Y2": True, "Z1": "4", "Z2": "6"}


def test_a_typical_unit_adds_up_to_the_hand_computed_total_and_grade() -> None:
    result = evaluate(SCHEME, unit("U", TYPICAL, adjustments=(
        AdjustmentInput("B1", points="2", reason="获市级表彰", evidence=("表彰文件.pdf",)),
        AdjustmentInput("B2", count=1),
        AdjustmentInput("P1", count=2, reason="两起一般安全事故"),
    )))
    assert [i.points for i in result.items] == [29, Fraction(53, 2), 12]
    assert result.base == Fraction(135, 2)  # 67.5
    assert (result.bonus, result.penalty) == (4, 2)
    assert result.total == Fraction(139, 2)  # 69.5
    assert result.grade == result.grade_by_score == "合格"
    assert result.consequences == ()
    assert result.missing == () and not result.incomplete


def test_missing_data_scores_zero_with_a_reason_and_flags_the_result() -> None:
    result = evaluate(SCHEME, unit("U", without("X1")))
    x1 = result.item("X1")
    assert (x1.points, x1.max_points, x1.reason, x1.missing) == (0, 10, MISSING, True)
    assert result.missing == ("X1",)
    assert result.incomplete
    assert result.total == 90


def test_missing_data_on_an_excluded_item_renormalises_its_siblings() -> None:
    # Z2 (10 of Z's 30) is excluded: Z1's maximum becomes 20 × 30 ÷ 20 = 30, and Z1 at 4 gets 30 × 6/10 = 18.
    result = evaluate(SCHEME, unit("U", {**without("Z2"), "Z1": "4"}))
    z2 = result.item("Z2")
    assert (z2.excluded, z2.missing, z2.points, z2.max_points, z2.reason) == (True, False, 0, 0, EXCLUDED)
    assert (result.item("Z1").max_points, result.item("Z1").points) == (30, 18)
    assert result.item("Z").max_points == 30
    assert result.excluded == ("Z2",)
    assert result.missing == ()
    assert result.total == 88


def test_when_every_child_is_excluded_the_parent_is_excluded_and_the_top_level_renormalises() -> None:
    raw = tiny_raw()
    z = raw["items"][2]
    z["missing"] = "exclude"
    z["children"][0]["missing"] = "exclude"
    result = evaluate(tiny(items=raw["items"]), unit("U", without("Z1", "Z2")))
    assert result.item("X").max_points == Fraction(400, 7)  # 40 × 100 ÷ 70
    assert result.item("Y").max_points == Fraction(300, 7)
    assert result.total == 100
    assert result.excluded == ("Z", "Z1", "Z2")


def test_a_parent_whose_children_are_all_excluded_but_which_itself_counts_scores_zero_as_missing() -> None:
    raw = tiny_raw()
    raw["items"][2]["children"][0]["missing"] = "exclude"
    result = evaluate(tiny(items=raw["items"]), unit("U", without("Z1", "Z2")))
    assert (result.item("Z").points, result.item("Z").max_points, result.item("Z").reason) == (0, 30, MISSING)
    assert result.missing == ("Z",)
    assert result.total == 70


def test_each_adjustment_is_capped_at_its_own_maximum_and_then_at_the_total_cap() -> None:
    result = evaluate(SCHEME, unit("U", TYPICAL, adjustments=(
        AdjustmentInput("B1", points="2", reason="省级表彰"), AdjustmentInput("B1", points="3", reason="市级表彰"),
        AdjustmentInput("B2", count=1),
        AdjustmentInput("P1", count=6), AdjustmentInput("P2", points="5"),
    )))
    b1 = next(a for a in result.adjustments if a.code == "B1")
    assert (b1.claimed, b1.points, b1.capped) == (5, 3, True)
    assert b1.reason == "加分 5 超过单项上限 3，按 3 计"
    assert [e.reason for e in b1.entries] == ["省级表彰", "市级表彰"]
    assert (result.bonus_claimed, result.bonus, result.bonus_capped) == (5, 5, False)  # 3 + 2 = 5 = cap
    assert (result.penalty_claimed, result.penalty, result.penalty_capped) == (9, 6, True)  # min(6,4) + 5 → cap 6
    assert result.total == Fraction(135, 2) + 5 - 6


def test_the_total_never_goes_below_zero() -> None:
    result = evaluate(SCHEME, unit("U", {}, adjustments=(AdjustmentInput("P2", points="5"),)))
    assert (result.base, result.penalty, result.total, result.grade) == (0, 5, 0, "不合格")


def test_adjustment_entries_must_give_points_or_a_count_as_the_item_allows() -> None:
    for bad, message in [
        (AdjustmentInput("B1", points="1", count=1), "之一"),
        (AdjustmentInput("B1", count=1), "未定义每次分值"),
        (AdjustmentInput("P2", points="-2"), "填写正数"),
        (AdjustmentInput("Q9", points="1"), "没有这个加分/扣分项"),
    ]:
        with pytest.raises(InputError, match=message):
            evaluate(SCHEME, unit("U", TYPICAL, adjustments=(bad,)))


def test_a_veto_overrides_the_grade_but_the_score_is_still_shown() -> None:
    result = evaluate(SCHEME, unit("U", FULL_MARKS, vetoes=(
        VetoInput("V1", True, reason="某校发生校舍坍塌事故", evidence=("事故调查报告.pdf",)),)))
    assert result.total == 100
    assert result.grade_by_score == "优秀"
    assert result.grade == "不合格"
    assert result.vetoed
    (veto,) = result.vetoes
    assert (veto.code, veto.name, veto.reason, veto.stage, veto.evidence) == (
        "V1", "发生重大安全责任事故", "某校发生校舍坍塌事故", "self", ("事故调查报告.pdf",))
    assert [c.link for c in result.consequences] == ["经费分配", "干部考核"]


def test_a_veto_never_raises_a_grade_that_is_already_worse() -> None:
    raw = tiny_raw()
    raw["vetoes"] = [{"code": "V1", "name": "发生重大安全责任事故", "grade": "合格"}]
    scheme = tiny(vetoes=raw["vetoes"])
    assert evaluate(scheme, unit("U", FULL_MARKS, vetoes=(VetoInput("V1", True),))).grade == "合格"
    assert evaluate(scheme, unit("U", {}, vetoes=(VetoInput("V1", True),))).grade == "不合格"


def test_a_veto_found_not_triggered_leaves_the_grade_by_score() -> None:
    result = evaluate(SCHEME, unit("U", FULL_MARKS, vetoes=(VetoInput("V1", False),)))
    assert (result.vetoed, result.grade) == (False, "优秀")
    assert [c.effect for c in result.consequences] == ["优先推荐"]


def test_inputs_naming_unknown_or_parent_items_are_refused_with_the_item_code() -> None:
    with pytest.raises(InputError, match="项目 X9：方案中没有这个项目"):
        evaluate(SCHEME, unit("U", with_values(X9="1")))
    with pytest.raises(InputError, match="项目 X：有子项的项目由子项汇总"):
        evaluate(SCHEME, unit("U", {"X": "40"}))


def test_inputs_for_a_year_outside_the_scheme_are_refused() -> None:
    with pytest.raises(InputError, match="不适用于 2026 年"):
        evaluate(SCHEME, unit("U", FULL_MARKS, year=2026))
    assert evaluate(SCHEME, unit("U", FULL_MARKS, year=None)).total == 100


def test_unknown_or_repeated_stages_are_refused() -> None:
    with pytest.raises(InputError, match="未知的评价阶段 'province'"):
        evaluate(SCHEME, UnitInputs("U", (StageInput("province"),)))
    with pytest.raises(InputError, match="评价阶段 self 重复"):
        evaluate(SCHEME, UnitInputs("U", (stage("self"), stage("self"))))
