from __future__ import annotations

from fractions import Fraction

from edugov.evaluation.engine import AdjustmentInput, ItemInput, StageInput, VetoInput, evaluate
from edugov.evaluation.engine.tests.builders import FULL_MARKS, stage, tiny, unit

SCHEME = tiny()


def test_the_latest_stage_that_provided_an_item_wins_and_is_recorded_with_its_evidence() -> None:
    result = evaluate(SCHEME, unit(
        "U", FULL_MARKS,
        stage("county", {"X2": "89"}, evidence=("复评记录-07.pdf",)),
    ))
    x2 = result.item("X2")
    assert (x2.points, x2.stage, x2.evidence) == (9, "county", ("复评记录-07.pdf",))
    assert [(s.stage, s.value, s.points) for s in x2.stages] == [("self", Fraction(95), 15), ("county", 89, 9)]
    assert result.item("X1").stage == "self"
    assert result.total == 94


def test_a_city_spot_check_overrides_the_county_re_evaluation() -> None:
    result = evaluate(SCHEME, unit("U", FULL_MARKS, stage("county", {"X2": "89"}), stage("city", {"X2": "86"})))
    assert (result.item("X2").points, result.item("X2").stage) == (6, "city")


def test_precedence_follows_the_scheme_stage_order_not_the_order_of_the_inputs() -> None:
    result = evaluate(SCHEME, unit("U", None, stage("city", {"X2": "86"}), stage("self", FULL_MARKS)))
    assert (result.item("X2").points, result.item("X2").stage) == (6, "city")


def test_a_stage_entry_with_only_evidence_does_not_override_an_earlier_value() -> None:
    result = evaluate(SCHEME, unit("U", FULL_MARKS, StageInput(
        "county", {"X2": ItemInput(evidence=("现场照片.jpg",), note="材料齐全")})))
    x2 = result.item("X2")
    assert (x2.points, x2.stage) == (15, "self")
    assert [(s.stage, s.points, s.reason, s.evidence, s.note) for s in x2.stages] == [
        ("self", 15, "95，在 80～95 间按比例计分（越高越好）", (), ""),
        ("county", None, "未提供数据", ("现场照片.jpg",), "材料齐全")]
    assert result.discrepancies == ()


def test_discrepancies_between_stages_are_reported_per_item_adjustment_and_veto() -> None:
    result = evaluate(SCHEME, unit(
        "U", FULL_MARKS,
        stage("county", {"X2": "89", "Y1": "15", "X1": "88"},
              adjustments=(AdjustmentInput("B1", points="1", reason="核减：仅市级表彰"),),
              vetoes=(VetoInput("V1", False, reason="经核查不属于责任事故"),)),
        adjustments=(AdjustmentInput("B1", points="3", reason="自报获省级表彰"),),
        vetoes=(VetoInput("V1", True, reason="自报发生事故"),),
    ))
    by_code = {d.code: d for d in result.discrepancies}
    assert set(by_code) == {"X1", "X2", "Y1", "B1", "V1"}
    assert [(s.stage, s.points) for s in by_code["X2"].by_stage] == [("self", 15), ("county", 9)]
    assert by_code["X2"].change == -6
    assert by_code["Y1"].change == -5
    assert by_code["X1"].change == 0  # same points, different value: still published
    assert (by_code["B1"].kind, by_code["B1"].change) == ("bonus", -2)
    assert by_code["V1"].kind == "veto"
    assert [s.value for s in by_code["V1"].by_stage] == [True, False]
    assert result.vetoed is False


def test_stage_totals_show_the_self_score_against_the_re_evaluated_score() -> None:
    result = evaluate(SCHEME, unit(
        "U", FULL_MARKS,
        stage("county", {"X2": "89", "Y1": "15"}, adjustments=(AdjustmentInput("P2", points="2"),)),
        vetoes=(VetoInput("V1", False),),
    ))
    totals = [(t.stage_name, t.total, t.grade) for t in result.stage_totals]
    assert totals == [("自评", 100, "优秀"), ("区县复评", 100 - 6 - 5 - 2, "良好")]
    assert result.stage_totals[-1].total == result.total


def test_stage_totals_skip_stages_that_provided_nothing_and_show_a_later_veto() -> None:
    result = evaluate(SCHEME, unit("U", FULL_MARKS, StageInput("city", vetoes=(VetoInput("V1", True),))))
    assert [(t.stage, t.total, t.grade, t.vetoed) for t in result.stage_totals] == [
        ("self", 100, "优秀", False), ("city", 100, "不合格", True)]
