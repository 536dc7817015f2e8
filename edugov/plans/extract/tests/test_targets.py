"""Extraction grammar on sentences written for these tests (not copied from the seed plans)."""

from __future__ import annotations

import pytest

from edugov.plans.extract import Target, extract_targets


def one(text: str) -> Target:
    found = extract_targets(text, "t.txt")
    assert len(found) == 1, [t.quote for t in found]
    return found[0]


def test_quotes_are_verbatim_slices_of_the_input() -> None:
    text = "到2025年，全县九年义务教育巩固率达到97%以上，新建公办幼儿园12所。"
    for t in extract_targets(text, "t.txt"):
        assert text[t.start : t.end] == t.quote


def test_a_rate_reached_with_yishang_is_a_floor() -> None:
    t = one("全县九年义务教育巩固率达到97%以上。")
    assert (t.comparator, t.value, t.unit, t.kind) == (">=", 97, "%", "rate_target")
    assert t.indicator == "nine_year_retention"


def test_an_explicit_year_governing_the_sentence_is_the_deadline() -> None:
    t = one("到2025年，高中阶段毛入学率达到95%。")
    assert t.deadline == "2025"


def test_a_baseline_year_is_not_a_deadline() -> None:
    t = one("近视率在2023年基础上每年降低0.5个百分点。")
    assert (t.comparator, t.value, t.unit, t.per, t.deadline) == ("decrease_by", 0.5, "百分点", "年", None)


def test_counts_to_build_are_counts_with_the_unit_as_written() -> None:
    t = one("年底前新建公办幼儿园12所。")
    assert (t.comparator, t.value, t.unit, t.deadline, t.kind) == ("count", 12, "所", "年底", "count_target")


def test_wan_is_folded_into_counts_but_kept_in_currency() -> None:
    found = extract_targets("新建校舍面积1.2万平方米，投入资金2.3亿元，新增学位3600个。", "t.txt")
    assert [(t.value, t.unit) for t in found] == [(12000, "平方米"), (2.3, "亿元"), (3600, "个")]


def test_upper_bounds_read_as_at_most() -> None:
    assert one("城区学校班额不超过45人。").comparator == "<="
    assert one("超大班额比例控制在5%以内。").comparator == "<="


def test_a_change_in_percentage_points_is_a_change_target() -> None:
    t = one("体质健康优良率比上年提高3个百分点。")
    assert (t.comparator, t.value, t.kind) == ("increase_by", 3, "change_target")


def test_reducing_a_stock_is_a_decrease() -> None:
    t = one("本学期减少大班额42个。")
    assert (t.comparator, t.value, t.unit) == ("decrease_by", 42, "个")


def test_a_norm_raised_from_a_to_b_keeps_only_b() -> None:
    t = one("小学生均公用经费由每生每年500元提高到650元。")
    assert (t.comparator, t.value, t.unit, t.per, t.kind) == ("==", 650, "元", "生/年", "standard")


def test_parallel_norms_sharing_a_subject_each_get_a_line() -> None:
    found = extract_targets("生均公用经费小学不低于650元、初中不低于850元。", "t.txt")
    assert [(t.value, t.comparator, t.per) for t in found] == [(650, ">=", "生"), (850, ">=", "生")]
    assert found[1].scope == "初中"


def test_full_coverage_is_exactly_one_hundred_percent() -> None:
    t = one("2026年前实现农村寄宿制学校标准化建设全覆盖。")
    assert (t.comparator, t.value, t.unit, t.deadline) == ("==", 100, "%", "2026")


def test_one_hundred_percent_stays_exact_even_after_ensure() -> None:
    assert one("确保校车安全检查率100%。").comparator == "=="


def test_clearing_a_group_defined_by_a_number_is_one_zero_target() -> None:
    t = one("全面消除56人以上大班额。")
    assert (t.comparator, t.value, t.unit, t.kind) == ("zero", 0, None, "zero_target")
    assert "56" in t.quote


def test_zero_words_are_zero_targets_but_attitudes_are_not() -> None:
    found = extract_targets("坚持零容忍，实现零事故、零伤亡。", "t.txt")
    assert [t.subject for t in found] == ["事故", "伤亡"]


def test_guarantee_verbs_turn_time_norms_into_minimums() -> None:
    t = one("确保学生每天校内体育活动时间1小时。")
    assert (t.comparator, t.per, t.kind) == (">=", "天", "standard")


def test_training_hours_are_per_teacher() -> None:
    t = one("教师每年参加培训不少于72学时。")
    assert (t.comparator, t.value, t.per) == (">=", 72, "人/年")


def test_chinese_numerals_count_only_in_target_grammar() -> None:
    assert one("每学期至少开展两次安全演练。").value == 2
    assert extract_targets("加强一个领导、抓好三个体系建设，建设一批特色学校。", "t.txt") == []


def test_half_or_more_is_fifty_percent() -> None:
    t = one("优质高中招生名额半数以上分配到区域内初中。")
    assert (t.comparator, t.value, t.unit) == (">=", 50, "%")


def test_ranges_keep_both_ends() -> None:
    t = one("力争新增3至5个省级特色专业。")
    assert (t.value, t.value_max, t.comparator) == (3, 5, "count")


@pytest.mark.parametrize(
    "text",
    [
        "去年全县新建幼儿园8所，新增学位2400个。",
        "截至6月底，已完成校舍改造15所。",
        "实施第三批“百千万”工程，评选第2届教学能手。",
        "印发《县域教育发展三年规划（2024—2026年）》。",
        "文号：县教发〔2024〕12号，联系电话：0536-4221234。",
        "全面完成年度建设任务，办学条件逐步达到城区水平。",
        "着力抓好学业质量后20%学生的转化。",
        "重点抓好3个方面工作。",
        "今年已新建了6所幼儿园。",
    ],
)
def test_past_figures_names_ordinals_and_references_are_not_targets(text: str) -> None:
    assert extract_targets(text, "t.txt") == []


def test_a_review_section_is_skipped_until_the_plan_section_starts() -> None:
    text = "一、2023年工作回顾\n全年新建幼儿园8所。\n二、2024年工作重点\n新建幼儿园10所。\n"
    assert [t.value for t in extract_targets(text, "t.txt")] == [10]


def test_a_headline_restating_the_body_is_counted_once() -> None:
    text = "新增9个研学基地\n今年，全县将新增9个研学实践基地，覆盖所有乡镇。\n"
    found = extract_targets(text, "t.txt")
    assert len([t for t in found if t.value == 9]) == 1
    assert found[0].quote.startswith("今年") or "将新增" in found[0].quote


def test_traditional_input_keeps_the_original_quote_and_simplifies_fields() -> None:
    text = "年內建立省級示範幼兒園6所，學前三年毛入園率達到92%。"
    found = extract_targets(text, "t.txt")
    assert [t.quote for t in found] == ["年內建立省級示範幼兒園6所", "學前三年毛入園率達到92%"]
    assert found[0].subject == "建立省级示范幼儿园"
    assert found[0].deadline == "年内"
    assert found[1].indicator == "preschool_gross_enrolment"


def test_annual_plan_year_applies_to_one_off_targets() -> None:
    text = "某县2025年教育工作要点\n新建幼儿园3所。每天体育活动不少于1小时。\n"
    found = extract_targets(text, "t.txt")
    assert [(t.value, t.deadline) for t in found] == [(3, "2025"), (1, None)]


def test_approximate_figures_with_yu_or_duo_are_still_read() -> None:
    t = one("全年培训教师3000余人次。")
    assert (t.value, t.unit, t.comparator) == (3000, "人次", "count")


@pytest.mark.parametrize(
    "text",
    ["发布时间：2024-03-05 10:20 浏览次数：1234次 字号：大 中 小", "3个工作日内完成审批。"],
)
def test_page_furniture_and_durations_are_not_targets(text: str) -> None:
    assert extract_targets(text, "t.txt") == []


def test_a_dimensionless_ratio_after_a_comparator_has_no_unit() -> None:
    t = one("县域义务教育校际综合差异系数小于0.4。")
    assert (t.comparator, t.value, t.unit, t.kind) == ("<", 0.4, None, "rate_target")


def test_scope_is_the_issuing_city_unless_a_town_or_group_governs_the_clause() -> None:
    text = (
        "示范市2025年教育工作要点\n"
        "示范市将新建幼儿园3所。东岭镇计划投入80万元，购置图书2000本。农村中小学新建操场5处。\n"
    )
    found = extract_targets(text, "t.txt")
    assert [(t.value, t.scope) for t in found] == [(3, "示范市"), (80, "东岭镇"), (2000, "东岭镇"), (5, "农村中小学")]


def test_a_list_marker_opening_the_clause_is_not_part_of_the_quote():
    from edugov.plans.extract import extract_targets

    text = "（五）生均公用经费由600元提高到700元。\n3. 新增学位2000个。"
    targets = extract_targets(text, doc="t.txt")
    quotes = [t.quote for t in targets]
    assert quotes and all(not q.startswith(("（五）", "3.")) for q in quotes)
    assert any(t.value == 700 for t in targets) and any(t.value == 2000 for t in targets)
