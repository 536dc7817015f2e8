from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edugov.evaluation.engine import SchemeError, read_scheme_file
from edugov.evaluation.engine.tests.builders import tiny, tiny_raw


def with_leaf(index: int, changes: dict[str, Any], parent: int = 0) -> dict[str, Any]:
    raw = tiny_raw()
    raw["items"][parent]["children"][index].update(changes)
    return raw


def rejected(raw: dict[str, Any]) -> str:
    with pytest.raises(SchemeError) as info:
        tiny(**raw)
    return str(info.value)


def test_children_whose_points_do_not_add_up_to_the_parent_are_rejected_naming_the_item() -> None:
    message = rejected(with_leaf(2, {"points": "14"}))
    assert message == "评价方案 tiny：项目 X（甲）：子项分值合计 39 不等于本项分值 40"


def test_top_level_points_must_add_up_to_the_maximum_score() -> None:
    raw = tiny_raw(max_score="120")
    assert rejected(raw) == "评价方案 tiny：一级项目（items）：子项分值合计 100 不等于本项分值 120"


def test_weights_must_add_up_to_the_declared_total() -> None:
    raw = tiny_raw(weights_total="100")
    for item, weight in zip(raw["items"], ("40", "30", "20"), strict=True):
        del item["points"]
        item["weight"] = weight
    assert rejected(raw) == "评价方案 tiny：一级项目（items）：子项权重合计 90 不等于声明的合计 100"
    raw["items"][2]["weight"] = "30"
    scheme = tiny(**raw)
    assert [i.max_points for i in scheme.items] == [40, 30, 30]


def test_points_and_weights_cannot_be_mixed_or_both_given() -> None:
    raw = with_leaf(0, {"weight": "10"})
    assert "项目 X > X1：须且只须给出 points（分值）或 weight（权重）之一" in rejected(raw)
    raw = with_leaf(0, {"weight": "10"})
    del raw["items"][0]["children"][0]["points"]
    assert "同一层的子项不能混用 points 和 weight" in rejected(raw)


def test_an_unknown_rule_is_rejected_naming_the_item_path() -> None:
    message = rejected(with_leaf(1, {"rule": {"type": "sigmoid"}}))
    assert message.startswith("评价方案 tiny：项目 X > X2（甲二）：未知的评分规则 'sigmoid'")
    assert "threshold、linear、banded、manual、boolean" in message


def test_overlapping_bands_are_rejected_naming_the_item_and_the_bands() -> None:
    bands = [{"range": "[90, +inf)", "points": "15"}, {"range": "[80, 90]", "points": "10"}]
    message = rejected(with_leaf(2, {"rule": {"type": "banded", "bands": bands}}))
    assert message == "评价方案 tiny：项目 X > X3（甲三）：分档 [80, 90] 与 [90, +inf) 重叠"
    bands[1]["range"] = "[70, 95)"
    assert "分档 [70, 95) 与 [90, +inf) 重叠" in rejected(with_leaf(2, {"rule": {"type": "banded", "bands": bands}}))


def test_bands_that_touch_with_one_open_end_are_accepted() -> None:
    bands = [{"range": "(90, +inf)", "points": "15"}, {"range": "[80, 90]", "points": "10"}]
    tiny(**with_leaf(2, {"rule": {"type": "banded", "bands": bands}}))


def test_bad_interval_text_and_band_points_above_the_item_maximum_are_rejected() -> None:
    for rng, text in [("90 to 100", "区间应写成"), ("[+inf, 5)", "不是有效数值"), ("[-inf, 5)", "无穷端点只能用圆括号"),
                      ("(5, 5)", "为空")]:
        bands = [{"range": rng, "points": "1"}]
        assert text in rejected(with_leaf(2, {"rule": {"type": "banded", "bands": bands}}))
    bands = [{"range": "[90, +inf)", "points": "16"}]
    assert "项目 X > X3（甲三） 第 1 档.points：分值 16 超出本项范围 [0, 15]" in rejected(
        with_leaf(2, {"rule": {"type": "banded", "bands": bands}}))


def test_rule_parameters_are_checked() -> None:
    linear = {"type": "linear", "floor": "95", "ceiling": "80", "better": "higher"}
    assert "线性计分的下限 95 必须小于上限 80" in rejected(with_leaf(1, {"rule": linear}))
    linear = {"type": "linear", "floor": "80", "ceiling": "95", "better": "up"}
    assert "better 只能是 higher" in rejected(with_leaf(1, {"rule": linear}))
    threshold = {"type": "threshold", "comparator": "=>", "value": "85"}
    assert "比较符 '=>' 无效" in rejected(with_leaf(0, {"rule": threshold}))
    threshold = {"type": "threshold", "comparator": ">=", "value": "85", "else_points": "11"}
    assert "分值 11 超出本项范围 [0, 10]" in rejected(with_leaf(0, {"rule": threshold}))
    threshold = {"type": "threshold", "comparator": ">=", "value": "85", "partial": "2"}
    assert "项目 X > X1（甲一） 的评分规则：未知字段 partial" in rejected(with_leaf(0, {"rule": threshold}))


def test_floats_in_a_scheme_are_rejected() -> None:
    message = rejected(with_leaf(0, {"points": 10.0}))
    assert "项目 X > X1.points" in message
    assert "不接受浮点数" in message


def test_misspelt_keys_duplicate_codes_and_unknown_indicators_are_rejected() -> None:
    assert "未知字段 missng" in rejected(with_leaf(0, {"missng": "exclude"}))
    assert "项目 X > X1（甲二）：代码 X1 重复" in rejected(with_leaf(1, {"code": "X1"}))
    assert "指标代码 'gross_enrolment' 不在指标词表" in rejected(with_leaf(0, {"indicator": "gross_enrolment"}))
    assert "missing 只能是 zero" in rejected(with_leaf(0, {"missing": "skip"}))
    tiny(**with_leaf(0, {"indicator": "preschool_gross_enrolment"}))


def test_a_leaf_may_name_an_indicator_of_the_shipped_catalogue_that_the_plan_lexicon_lacks() -> None:
    tiny(**with_leaf(0, {"indicator": "migrant_public_share"}))
    tiny(**with_leaf(0, {"indicator": "oversize_class_count"}))
    assert "或指标目录中" in rejected(with_leaf(0, {"indicator": "no_such_indicator"}))


def test_a_leaf_needs_a_rule_and_a_parent_cannot_have_one() -> None:
    raw = tiny_raw()
    del raw["items"][1]["children"][0]["rule"]
    assert "项目 Y > Y1（乙一）：缺少必填字段 'rule'" in rejected(raw)
    raw = tiny_raw()
    raw["items"][1]["rule"] = {"type": "manual"}
    assert "项目 Y（乙）：有子项的项目不能再设评分规则" in rejected(raw)


def test_grades_must_cover_every_score_without_gaps_or_overlaps_best_first() -> None:
    gap = [{"name": "合格", "range": "[60, +inf)"}, {"name": "不合格", "range": "(-inf, 59]"}]
    assert "等级区间必须首尾相接" in rejected(tiny_raw(grades=gap, consequences={}))
    overlap = [{"name": "合格", "range": "[60, +inf)"}, {"name": "不合格", "range": "(-inf, 60]"}]
    assert "等级区间 (-inf, 60] 与 [60, +inf) 重叠" in rejected(tiny_raw(grades=overlap, consequences={}))
    reversed_ = [{"name": "不合格", "range": "(-inf, 60)"}, {"name": "合格", "range": "[60, +inf)"}]
    assert "等级须由高到低排列" in rejected(tiny_raw(grades=reversed_, consequences={}))
    assert "等级 '较差' 不是已定义的等级" in rejected(tiny_raw(consequences={"较差": []}))
    assert "否决等级 '零分' 不是已定义的等级" in rejected(tiny_raw(veto_grade="零分"))


def test_adjustments_vetoes_stages_and_ranking_are_checked() -> None:
    raw = tiny_raw()
    raw["adjustments"]["bonus"]["cap"] = "0"
    assert "加分（adjustments.bonus）.cap：必须大于 0" in rejected(raw)
    raw = tiny_raw()
    raw["adjustments"]["penalty"]["items"][0]["code"] = "X1"
    assert "扣分项 X1：代码 X1 重复" in rejected(raw)
    assert "一票否决项 V1：等级 '差' 不是已定义的等级" in rejected(
        tiny_raw(vetoes=[{"code": "V1", "name": "事故", "grade": "差"}]))
    assert "阶段代码 self 重复" in rejected(tiny_raw(stages=[{"code": "self", "name": "自评"}] * 2))
    assert "未知的排名依据 'average'" in rejected(tiny_raw(ranking={"tie_breakers": [{"by": "average"}]}))
    assert "排名依据引用的项目 'Q1' 不存在" in rejected(
        tiny_raw(ranking={"tie_breakers": [{"by": "item", "item": "Q1"}]}))
    assert "valid_years：结束年份 2024 无效" in rejected(tiny_raw(valid_years={"from": 2025, "to": 2024}))


def test_a_file_that_is_not_json_is_rejected_with_its_name_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "x",\n  oops\n}', encoding="utf-8")
    with pytest.raises(SchemeError, match=r"评价方案文件 broken.json 不是有效的 JSON：第 3 行"):
        read_scheme_file(path)
    path.write_text(json.dumps(tiny_raw()), encoding="utf-8")
    assert read_scheme_file(path).id == "tiny"
