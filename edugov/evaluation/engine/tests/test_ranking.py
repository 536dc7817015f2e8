from __future__ import annotations

import pytest

from edugov.evaluation.engine import AdjustmentInput, UnitResult, VetoInput, evaluate, rank
from edugov.evaluation.engine.tests.builders import FULL_MARKS, tiny, unit, with_values

SCHEME = tiny()


def result(unit_id: str, values: dict[str, object], **kw: object) -> UnitResult:
    return evaluate(SCHEME, unit(unit_id, values, **kw))  # type: ignore[arg-type]


def table(results: list[UnitResult]) -> list[tuple[str, int, bool, str]]:
    return [(r.result.unit_id, r.rank, r.tied, r.decided_by) for r in rank(results, SCHEME)]


def test_equal_units_share_a_rank_and_the_next_rank_is_skipped() -> None:
    units = [
        result("D", with_values(X1="84", X3="80")),  # 100 − 6 − 5 = 89
        result("B", with_values(X2="89")),  # 94
        result("A", FULL_MARKS),  # 100
        result("C", with_values(X2="89")),  # 94
    ]
    assert [r.total for r in units] == [89, 94, 100, 94]
    assert table(units) == [("A", 1, False, ""), ("B", 2, True, "总分"), ("C", 2, True, ""), ("D", 4, False, "总分")]


def test_tie_breakers_apply_in_order_before_a_tie_is_declared() -> None:
    units = [
        result("C", with_values(Y1="14")),  # 94, Y1 14
        result("F", with_values(X2="91"), adjustments=(AdjustmentInput("P2", points="2"),)),  # 96 − 2, Y1 20
        result("G", with_values(X2="89")),  # 94, Y1 20, no 扣分
        result("E", with_values(X2="89")),  # the same as G
    ]
    assert {r.total for r in units} == {94}
    assert table(units) == [("E", 1, True, ""), ("G", 1, True, ""), ("F", 3, False, "扣分较少"),
                            ("C", 4, False, "Y1 项得分")]


def test_vetoed_units_rank_after_all_others_whatever_their_score() -> None:
    units = [result("H", FULL_MARKS, vetoes=(VetoInput("V1", True),)), result("B", with_values(X2="89"))]
    assert table(units) == [("B", 1, False, ""), ("H", 2, False, "一票否决")]


def test_vetoed_units_can_be_ranked_by_score_when_the_scheme_says_so() -> None:
    scheme = tiny(ranking={"tie_breakers": [{"by": "total"}], "vetoed_last": False})
    units = [evaluate(scheme, unit("H", FULL_MARKS, vetoes=(VetoInput("V1", True),))),
             evaluate(scheme, unit("B", with_values(X2="89")))]
    assert [(r.result.unit_id, r.rank) for r in rank(units, scheme)] == [("H", 1), ("B", 2)]


def test_ranking_is_the_same_whatever_order_the_results_come_in() -> None:
    units = [result(uid, with_values(X2=v)) for uid, v in [("A", "95"), ("B", "89"), ("C", "89"), ("D", "80")]]
    assert table(units) == table(list(reversed(units))) == table(units[2:] + units[:2])


def test_results_from_another_scheme_version_cannot_be_ranked_together() -> None:
    other = tiny(version="2")
    mixed = [result("A", FULL_MARKS), evaluate(other, unit("B", FULL_MARKS))]
    with pytest.raises(ValueError, match="不能与方案 tiny 1 的结果一起排名"):
        rank(mixed, SCHEME)
    with pytest.raises(ValueError, match="同一单位出现多次"):
        rank([result("A", FULL_MARKS), result("A", FULL_MARKS)], SCHEME)


def test_grade_and_bonus_can_be_tie_breakers() -> None:
    scheme = tiny(ranking={"tie_breakers": [{"by": "grade"}, {"by": "bonus"}]})
    units = [evaluate(scheme, unit("A", with_values(X2="89"))),  # 94 优秀, no bonus
             evaluate(scheme, unit("B", with_values(X2="86"), adjustments=(AdjustmentInput("B1", points="1"),))),
             evaluate(scheme, unit("C", with_values(X2="80", X1="80")))]  # 100 − 15 − 6 = 79 合格
    assert [(r.result.unit_id, r.rank, r.decided_by) for r in rank(units, scheme)] == [
        ("B", 1, ""), ("A", 2, "加分较多"), ("C", 3, "等级")]
