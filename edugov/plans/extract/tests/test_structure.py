"""Document structure: metadata, section tree, measures, units and deadlines.

The mini-documents are written for these tests (not copied from the seed plans); the seed checks at the
end run the five real plans in shared/gold/seeds when that folder is available.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from edugov.plans.extract import (
    DocumentInfo,
    Measure,
    PlanStructure,
    Section,
    extract_structure,
    read_plan,
)


def extract(text: str, *, plan_year: int | None = None) -> PlanStructure:
    """extract_structure plus the invariants every result must keep."""
    st = extract_structure(text, "t.txt", plan_year=plan_year)
    for i, sec in enumerate(st.sections):
        assert sec.index == i
        assert text[sec.start : sec.end].startswith(sec.label)
        assert sec.title in text[sec.start : sec.end]
        assert sec.start < sec.end <= sec.body_end <= len(text)
        if sec.parent is not None:
            parent = st.sections[sec.parent]
            assert parent.level == sec.level - 1
            assert parent.start < sec.start and sec.body_end <= parent.body_end
    for i, m in enumerate(st.measures):
        assert m.index == i
        assert text[m.start : m.end] == m.quote
        assert m.quote == m.quote.strip()
        for unit in m.lead_units + m.co_units:
            assert unit in text
        if m.deadline_quote is not None:
            assert m.deadline_quote in text
    json.dumps(st.to_record(), ensure_ascii=False)
    return st


def outline(st: PlanStructure) -> list[tuple[int, str, str]]:
    return [(s.level, s.label, s.title) for s in st.sections]


def quotes(st: PlanStructure) -> list[str]:
    return [m.quote for m in st.measures]


def only(st: PlanStructure) -> Measure:
    assert len(st.measures) == 1, quotes(st)
    return st.measures[0]


# ------------------------------------------------------------------------------------------- headings


def test_a_chinese_numeral_with_dun_is_a_top_level_heading() -> None:
    st = extract("一、总体要求\n坚持立德树人。\n二、重点任务\n推进集团化办学。\n")
    assert outline(st) == [(1, "一、", "总体要求"), (1, "二、", "重点任务")]
    assert [s.parent for s in st.sections] == [None, None]


def test_a_parenthesised_chinese_numeral_heading_nests_under_the_top_level_heading() -> None:
    text = (
        "一、重点任务\n（一）推进学前教育\n扩大普惠资源。\n(二)深化课程改革\n推进新课标实施。\n"
        "二、保障措施\n加强组织领导。\n"
    )
    st = extract(text)
    assert outline(st) == [
        (1, "一、", "重点任务"),
        (2, "（一）", "推进学前教育"),
        (2, "(二)", "深化课程改革"),
        (1, "二、", "保障措施"),
    ]
    assert [s.parent for s in st.sections] == [None, 0, 0, None]


def test_arabic_items_nest_under_the_parenthesised_heading_whatever_their_punctuation() -> None:
    text = (
        "一、任务\n（一）学前教育\n1.新建幼儿园。\n2、改扩建幼儿园。\n3．认定普惠园。\n"
        "（二）义务教育\n1.推进集团化办学。\n"
    )
    st = extract(text)
    assert outline(st) == [
        (1, "一、", "任务"),
        (2, "（一）", "学前教育"),
        (3, "1.", "新建幼儿园"),
        (3, "2、", "改扩建幼儿园"),
        (3, "3．", "认定普惠园"),
        (2, "（二）", "义务教育"),
        (3, "1.", "推进集团化办学"),
    ]
    assert st.sections[6].parent == 5


def test_parenthesised_arabic_and_circled_numbers_nest_one_level_deeper_each() -> None:
    text = (
        "一、任务\n（一）课程\n1.课程建设\n（1）开齐开足课程。\n①开设劳动教育课。\n"
        "②开设心理健康课。\n（2）推进选课走班。\n2.教学改革\n"
    )
    st = extract(text)
    assert [(s.level, s.label) for s in st.sections] == [
        (1, "一、"),
        (2, "（一）"),
        (3, "1."),
        (4, "（1）"),
        (5, "①"),
        (5, "②"),
        (4, "（2）"),
        (3, "2."),
    ]
    assert [s.parent for s in st.sections] == [None, 0, 1, 2, 3, 3, 2, 1]


def test_a_section_body_ends_where_the_next_sibling_or_ancestor_begins() -> None:
    text = "一、任务\n（一）课程\n推进课程改革。\n（二）教师\n加强教师培训。\n二、保障\n强化经费保障。"
    st = extract(text)
    first, course, teacher, second = st.sections
    assert text[course.start : course.body_end] == "（一）课程\n推进课程改革。"
    assert text[first.start : first.body_end] == "一、任务\n（一）课程\n推进课程改革。\n（二）教师\n加强教师培训。"
    assert teacher.body_end == first.body_end
    assert second.body_end == len(text)
    assert text[course.start : course.end] == "（一）课程"


def test_chapters_and_articles_form_two_levels() -> None:
    st = extract("第一章 总则\n第一条 坚持立德树人。\n第二章 重点任务\n第二条 推进学前教育普及普惠。\n")
    assert outline(st) == [
        (1, "第一章", "总则"),
        (2, "第一条", "坚持立德树人"),
        (1, "第二章", "重点任务"),
        (2, "第二条", "推进学前教育普及普惠"),
    ]


def test_yi_shi_enumerations_become_sections_with_a_run_in_title() -> None:
    text = (
        "四、保障措施\n一是加强组织领导。成立工作专班，统筹推进各项工作。\n二是强化经费保障。落实生均公用经费标准。\n"
    )
    st = extract(text)
    assert outline(st) == [(1, "四、", "保障措施"), (2, "一是", "加强组织领导"), (2, "二是", "强化经费保障")]
    # a short run-in title is a caption; the sentences after it are the measures
    assert quotes(st) == ["成立工作专班，统筹推进各项工作", "落实生均公用经费标准"]
    assert [m.section for m in st.measures] == [1, 2]


def test_zero_padded_numbers_nest_under_bare_headings_and_a_tagline_joins_its_heading() -> None:
    text = (
        "会议释放了哪些信号?\n校园建设\n新举措\n01扩充学前资源\n新建幼儿园20处;\n02改善办学条件\n"
        "改造薄弱学校15所;\n师资队伍\n新气象\n01培养名师\n遴选名师30名;\n"
    )
    st = extract(text)
    assert outline(st) == [
        (1, "", "校园建设"),
        (2, "01", "扩充学前资源"),
        (2, "02", "改善办学条件"),
        (1, "", "师资队伍"),
        (2, "01", "培养名师"),
    ]
    assert text[st.sections[0].start : st.sections[0].end] == "校园建设\n新举措"
    assert quotes(st) == ["新建幼儿园20处", "改造薄弱学校15所", "遴选名师30名"]
    assert [m.section for m in st.measures] == [1, 2, 4]


def test_bare_headings_need_body_text_after_them_and_page_furniture_is_never_one() -> None:
    text = (
        "今天是\n首页 > 教育 > 新闻\n某县2024年教育工作要点\n来源:县教育局 | 2024-03-01 09:00\n"
        "推进学前教育\n新建幼儿园3所，扩大普惠性资源供给。\n加强教师队伍\n"
        "实施教师全员培训，提升教师专业能力。\n返回首页"
    )
    st = extract(text)
    assert outline(st) == [(1, "", "推进学前教育"), (1, "", "加强教师队伍")]
    assert quotes(st) == ["新建幼儿园3所，扩大普惠性资源供给", "实施教师全员培训，提升教师专业能力"]
    assert st.sections[1].body_end == len(text)


def test_bare_lines_are_not_headings_when_the_document_has_numbered_top_level_headings() -> None:
    text = (
        "某县教育局\n一、重点任务\n推进集团化办学。\n办学条件改善\n新建教学楼2栋，改造运动场3处。\n"
        "二、保障措施\n加强组织领导。\n"
    )
    st = extract(text)
    assert outline(st) == [(1, "一、", "重点任务"), (1, "二、", "保障措施")]


def test_a_heading_after_a_full_stop_inside_a_line_is_found_when_it_continues_the_numbering() -> None:
    text = "一、发展学前教育\n1、扩大资源。新建幼儿园。2、提升质量。开展保教评估。五、不是新的一章。\n"
    st = extract(text)
    assert outline(st) == [(1, "一、", "发展学前教育"), (2, "1、", "扩大资源"), (2, "2、", "提升质量")]
    assert quotes(st) == ["新建幼儿园", "开展保教评估"]


def test_a_numbered_line_that_continues_a_broken_quotation_is_not_a_heading() -> None:
    text = "一、安全工作\n1、抓好平安校园建设。坚持“安全第\n一、预防为主”的方针，开展安全教育活动。\n二、队伍建设\n"
    st = extract(text)
    assert outline(st) == [(1, "一、", "安全工作"), (2, "1、", "抓好平安校园建设"), (1, "二、", "队伍建设")]
    assert "预防为主”的方针，开展安全教育活动" in quotes(st)


def test_a_sentence_mentioning_a_home_page_is_not_page_furniture() -> None:
    assert quotes(extract("在学校首页公示收费标准。\n")) == ["在学校首页公示收费标准"]


def test_a_numbered_preamble_does_not_push_the_top_level_headings_down() -> None:
    st = extract("依据：\n1.《教育法》\n2.《教师法》\n一、重点任务\n（一）课程\n推进课程改革。\n二、保障措施\n")
    assert [(s.level, s.label) for s in st.sections] == [(1, "1."), (1, "2."), (1, "一、"), (2, "（一）"), (1, "二、")]


def test_unpunctuated_list_lines_are_measures_in_a_document_without_headings() -> None:
    st = extract("某县2024年教育工作计划\n新建幼儿园10所\n改造薄弱学校5所\n")
    assert st.sections == []
    assert quotes(st) == ["新建幼儿园10所", "改造薄弱学校5所"]


def test_the_top_level_numbering_never_restarts() -> None:
    st = extract("一、任务\n推进改革。\n二、保障\n加强领导。\n一、这是列表里的一项\n")
    assert [s.label for s in st.sections] == ["一、", "二、"]


# ------------------------------------------------------------------------------------------- metadata


def test_a_metadata_block_gives_title_issuer_date_and_doc_number() -> None:
    text = (
        "- 索 引 号:000000/2023-00001\n"
        "- 发布机构:县教育和体育局\n"
        "- 发文日期:2023-03-15\n"
        "- 标 题:县教育和体育局关于印发《县域教育质量提升行动方案》的通知\n"
        "- 文 号:县教体发〔2023〕7号\n"
        "一、工作目标\n全面提升教育质量。\n"
    )
    info = extract(text).info
    assert info == DocumentInfo(
        title="县教育和体育局关于印发《县域教育质量提升行动方案》的通知",
        issuer="县教育和体育局",
        issued_on="2023-03-15",
        doc_number="县教体发〔2023〕7号",
        year=2023,
    )


def test_metadata_in_a_pipe_separated_table_row_is_read_cell_by_cell() -> None:
    text = (
        "发布机构: | 区教育局 | 发文日期: | 2022-09-01 | ||\n"
        "标 题: | 区教育局2022年秋季学期工作计划 | 文 号: | 区教发〔2022〕21号 | ||\n"
    )
    info = extract(text).info
    assert (info.issuer, info.issued_on, info.doc_number) == ("区教育局", "2022-09-01", "区教发〔2022〕21号")
    assert info.title == "区教育局2022年秋季学期工作计划"
    assert info.year == 2022


def test_a_notice_head_gives_title_doc_number_and_a_signature_with_a_chinese_date() -> None:
    text = (
        "枣庄市教育局关于印发2024年全市教育工作要点的通知\n"
        "枣教发〔2024〕5号\n"
        "各区（市）教育局，局属各单位：\n"
        "现将《2024年全市教育工作要点》印发给你们，请认真贯彻执行。\n"
        "枣庄市教育局\n"
        "二〇二四年二月二十六日\n"
        "一、重点任务\n推进学前教育普及普惠。\n"
    )
    st = extract(text)
    assert st.info == DocumentInfo(
        title="枣庄市教育局关于印发2024年全市教育工作要点的通知",
        issuer="枣庄市教育局",
        issued_on="2024-02-26",
        doc_number="枣教发〔2024〕5号",
        year=2024,
    )
    assert quotes(st) == ["推进学前教育普及普惠"]  # the cover letter is not a measure


def test_the_plan_year_comes_from_the_title_before_the_issue_date() -> None:
    st = extract("某市2025年教育工作要点\n2024年12月30日\n一、任务\n推进改革。\n")
    assert (st.info.year, st.info.issued_on) == (2025, "2024-12-30")


def test_a_multi_year_title_takes_the_year_of_issue() -> None:
    st = extract("某县学前教育发展提升行动计划（2023—2025年）\n2023年4月6日\n一、任务\n推进改革。\n")
    assert st.info.year == 2023


def test_a_news_lead_names_the_issuer_verbatim_in_traditional_script() -> None:
    text = (
        "近日，齊齊市教育局對2022年全市教育工作做出總體部署。\n推進學前教育\n啟動實施學前教育行動計劃，擴大普惠資源。\n"
    )
    info = extract(text).info
    assert (info.issuer, info.year, info.title) == ("齊齊市教育局", 2022, None)


def test_metadata_fields_are_none_when_the_text_has_none() -> None:
    assert extract("推进集团化办学。\n").info == DocumentInfo(None, None, None, None, None)


# ------------------------------------------------------------------------------------------- measures


def test_measures_are_sentences_with_commitment_verbs_and_headings_are_not() -> None:
    text = "一、学前教育\n新建幼儿园10所；学前教育质量稳步提升。教师队伍结构合理。\n"
    st = extract(text)
    assert quotes(st) == ["新建幼儿园10所", "学前教育质量稳步提升"]
    assert st.measures[0].section == 0


def test_news_lead_ins_past_reports_questions_and_ideology_are_not_measures() -> None:
    text = (
        "今天，我们一起来看看今年教育工作有哪些亮点。\n"
        "3月5日，全市教育工作会议召开，部署全年重点任务。\n"
        "今年教育怎么干？\n"
        "去年新建幼儿园5所，新增学位1200个。\n"
        "截至目前，已完成校舍改造12所。\n"
        "坚持以习近平新时代中国特色社会主义思想为指导，落实立德树人根本任务。\n"
        "全面推进义务教育优质均衡发展。\n"
    )
    assert quotes(extract(text)) == ["全面推进义务教育优质均衡发展"]


def test_a_comparison_with_last_year_is_still_a_measure() -> None:
    st = extract("生均公用经费比去年提高10%。\n在去年基础上再新增学位500个。\n")
    assert quotes(st) == ["生均公用经费比去年提高10%", "在去年基础上再新增学位500个"]


def test_a_verb_used_as_a_noun_does_not_make_a_measure() -> None:
    st = extract("通过项目的实施，办学条件明显好转。\n实施办学条件改善项目。\n")
    assert quotes(st) == ["实施办学条件改善项目"]


def test_a_preamble_that_only_says_the_plan_was_made_is_not_a_measure() -> None:
    st = extract("根据上级文件要求，结合本县实际，制定本方案。\n一、任务\n完善督导制度。\n")
    assert quotes(st) == ["完善督导制度"]


def test_a_long_first_sentence_of_a_numbered_item_is_a_measure_and_a_short_one_a_caption() -> None:
    text = (
        "一、任务\n"
        "1.加大教师补充力度。按要求补足配齐短缺学科教师。\n"
        "2.成立工作专班，积极争取各方支持，改善学校办学条件。完成运动场改造。\n"
        "3.新建食堂2处。开展营养餐试点。\n"
    )
    st = extract(text)
    assert quotes(st) == [
        "按要求补足配齐短缺学科教师",
        "成立工作专班，积极争取各方支持，改善学校办学条件",
        "完成运动场改造",
        "新建食堂2处",
        "开展营养餐试点",
    ]
    assert [m.section for m in st.measures] == [1, 2, 2, 3, 3]


def test_a_numbered_line_ending_with_a_full_stop_is_an_item_and_without_one_a_heading() -> None:
    st = extract("一、推进教育信息化\n1.建设智慧校园示范校10所；\n2.完善教育城域网。\n")
    assert quotes(st) == ["建设智慧校园示范校10所", "完善教育城域网"]
    assert [m.section for m in st.measures] == [1, 2]


def test_the_sentence_after_a_colon_heading_is_a_measure_without_the_heading() -> None:
    st = extract("（一）主要目标：到2025年，学前三年毛入园率达到95%。\n")
    assert outline(st) == [(1, "（一）", "主要目标")]
    m = only(st)
    assert (m.quote, m.deadline) == ("到2025年，学前三年毛入园率达到95%", "2025-12-31")


def test_measures_in_a_guiding_ideology_section_are_skipped() -> None:
    text = "一、指导思想\n深入贯彻党的教育方针，办好人民满意的教育。\n二、重点任务\n推进集团化办学。\n"
    st = extract(text)
    assert quotes(st) == ["推进集团化办学"]
    assert st.measures[0].section == 1


def test_semicolons_inside_brackets_do_not_split_a_measure() -> None:
    text = "新建幼儿园3所（含分园；不含托育点）；完善保教制度。"
    st = extract(text)
    assert quotes(st) == ["新建幼儿园3所（含分园；不含托育点）", "完善保教制度"]


def test_a_long_sentence_is_quoted_whole() -> None:
    sentence = "加快推进普通高中新课改、考改和育人方式改革，完善教学管理制度，加强新课程应用培训，开展选课走班教学改革"
    assert quotes(extract(sentence + "。\n")) == [sentence]


# ------------------------------------------------------------------------------------------- units


def test_responsibility_markers_give_lead_and_co_units() -> None:
    m = only(extract("新建公办幼儿园10所（责任单位：基础教育科、各区县教育局；配合单位：计划财务科）。"))
    assert (m.lead_units, m.co_units) == (["基础教育科", "各区县教育局"], ["计划财务科"])


def test_a_lead_unit_marker_with_qiantou_and_a_co_unit_marker_with_xieban() -> None:
    m = only(extract("完善学生资助体系。牵头单位：资助中心；协办单位：财务科、审计科"))
    assert (m.quote, m.lead_units, m.co_units) == ("完善学生资助体系", ["资助中心"], ["财务科", "审计科"])


def test_a_bracketed_lead_and_co_clause_gives_units() -> None:
    m = only(extract("建立教师补充长效机制（市教育局牵头，市财政局、市人社局配合）。"))
    assert (m.lead_units, m.co_units) == (["市教育局"], ["市财政局", "市人社局"])


def test_you_x_qiantou_inside_a_sentence_names_the_units() -> None:
    m = only(extract("由县教育局牵头，县发改局配合，年底前完成校舍安全排查。", plan_year=2024))
    assert (m.lead_units, m.co_units, m.deadline) == (["县教育局"], ["县发改局"], "2024-12-31")


def test_a_standalone_marker_applies_to_the_preceding_measures_of_its_section() -> None:
    text = (
        "（一）学前教育\n"
        "1.扩大普惠资源。新建幼儿园5所。认定普惠性民办园10所。（责任单位：基础教育科；完成时限：2024年9月底前）\n"
        "（二）队伍建设\n"
        "责任单位：人事科\n"
    )
    st = extract(text)
    assert quotes(st) == ["新建幼儿园5所", "认定普惠性民办园10所"]
    assert [(m.lead_units, m.deadline, m.deadline_quote) for m in st.measures] == [
        (["基础教育科"], "2024-09-30", "2024年9月底前"),
        (["基础教育科"], "2024-09-30", "2024年9月底前"),
    ]


def test_a_leading_subject_with_yao_is_the_responsible_unit() -> None:
    m = only(extract("各区县教育局要加强对民办学校的日常监管。"))
    assert (m.lead_units, m.co_units) == (["各区县教育局"], [])


def test_a_leading_list_of_units_before_yao_gives_every_unit() -> None:
    m = only(extract("街道教育办、中心学校和幼儿园要定期组织家长课堂。"))
    assert m.lead_units == ["街道教育办", "中心学校", "幼儿园"]


def test_a_leading_subject_that_is_not_a_unit_is_ignored() -> None:
    st = extract("教师要主动参加培训。\n全市要推进教育数字化转型。\n推动中职学校参与技能大赛。\n")
    assert len(st.measures) == 3
    assert all(m.lead_units == [] and m.co_units == [] for m in st.measures)


def test_task_table_rows_give_measures_units_and_deadlines() -> None:
    text = (
        "一、重点任务\n"
        "序号\t重点任务\t责任单位\t配合单位\t完成时限\n"
        "1\t新建公办幼儿园3所\t基础教育科\t计划财务科\t2024年8月底前\n"
        "2\t开展教师全员培训\t教师工作科、教研室\t\t长期坚持\n"
    )
    st = extract(text)
    assert [(m.quote, m.lead_units, m.co_units, m.deadline, m.deadline_quote) for m in st.measures] == [
        ("新建公办幼儿园3所", ["基础教育科"], ["计划财务科"], "2024-08-31", "2024年8月底前"),
        ("开展教师全员培训", ["教师工作科", "教研室"], [], None, "长期坚持"),
    ]
    assert [m.section for m in st.measures] == [0, 0]


# ------------------------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("sentence", "deadline", "phrase"),
    [
        ("2024年6月底前完成校舍改造。", "2024-06-30", "2024年6月底前"),
        ("年底前完成校舍改造。", "2023-12-31", "年底前"),
        ("到2025年，新建幼儿园10所。", "2025-12-31", "2025年"),
        ("9月底前完成校舍改造。", "2023-09-30", "9月底前"),
        ("6月前完成校舍改造。", "2023-05-31", "6月前"),
        ("3月15日前完成校舍改造。", "2023-03-15", "3月15日前"),
        ("上半年完成校舍改造。", "2023-06-30", "上半年"),
        ("下半年完成校舍改造。", "2023-12-31", "下半年"),
        ("年内完成校舍改造。", "2023-12-31", "年内"),
        ("第三季度完成校舍改造。", "2023-09-30", "第三季度"),
        ("2024年底前完成校舍改造。", "2024-12-31", "2024年底前"),
        ("2024年上半年完成校舍改造。", "2024-06-30", "2024年上半年"),
        ("二〇二五年六月三十日前完成校舍改造。", "2025-06-30", "二〇二五年六月三十日前"),
        ("利用三年时间完成校舍改造。", "2025-12-31", "三年时间"),
        ("3年内完成校舍改造。", "2025-12-31", "3年内"),
        ("明年底前完成校舍改造。", "2024-12-31", "明年底前"),
        ("6月中旬完成校舍改造。", "2023-06-20", "6月中旬"),
        ("今年底前完成校舍改造。", "2023-12-31", "今年底前"),
        ("2024年3月完成校舍改造。", "2024-03-31", "2024年3月"),
    ],
)
def test_deadline_phrases_resolve_to_iso_dates_with_the_plan_year(sentence: str, deadline: str, phrase: str) -> None:
    m = only(extract(sentence, plan_year=2023))
    assert (m.deadline, m.deadline_quote) == (deadline, phrase)


def test_ongoing_work_and_sentences_without_a_date_have_no_deadline() -> None:
    st = extract("长期坚持立德树人。\n持续推进课后服务。\n完善督导制度。\n", plan_year=2024)
    assert [(m.deadline, m.deadline_quote) for m in st.measures] == [(None, None)] * 3


def test_an_ongoing_time_limit_marker_keeps_its_phrase_without_a_date() -> None:
    m = only(extract("完善督导制度（完成时限：长期坚持）。", plan_year=2024))
    assert (m.deadline, m.deadline_quote) == (None, "长期坚持")


def test_a_start_year_a_baseline_year_and_a_recurring_month_are_not_deadlines() -> None:
    st = extract(
        "从2024年起实施新的评价办法。\n在2023年基础上降低近视率。\n每年9月底前开展新生体检。\n", plan_year=2024
    )
    assert [m.deadline for m in st.measures] == [None, None, None]


def test_a_year_inside_a_document_name_is_not_a_deadline() -> None:
    m = only(extract("发布实施《中小学布局规划（2019—2030年）》。", plan_year=2020))
    assert m.deadline is None


def test_relative_deadlines_without_a_plan_year_keep_the_phrase_but_no_date() -> None:
    m = only(extract("年底前完成校舍改造。"))
    assert (m.deadline, m.deadline_quote) == (None, "年底前")


def test_the_plan_year_found_in_the_text_resolves_relative_deadlines() -> None:
    st = extract("某区2026年教育工作要点\n一、任务\n9月底前完成校舍改造。\n")
    assert st.info.year == 2026
    assert only(st).deadline == "2026-09-30"


def test_the_plan_year_argument_overrides_the_year_found_in_the_text() -> None:
    st = extract("某区2026年教育工作要点\n一、任务\n9月底前完成校舍改造。\n", plan_year=2027)
    assert (st.info.year, only(st).deadline) == (2026, "2027-09-30")


def test_a_strong_deadline_phrase_wins_over_a_bare_year() -> None:
    m = only(extract("到2025年普及高中阶段教育，2024年6月底前完成规划编制。"))
    assert (m.deadline, m.deadline_quote) == ("2024-06-30", "2024年6月底前")


# ------------------------------------------------------------------------------------------- traditional


def test_traditional_script_input_keeps_verbatim_quotes_units_and_deadlines() -> None:
    text = (
        "一、重點任務\n"
        "（一）推進學前教育普惠發展\n"
        "1.新建公辦幼兒園10所，新增學位3000個（責任單位：基礎教育科、各區縣教育局；配合單位：計劃財務科；"
        "完成時限：2024年6月底前）。\n"
        "2.加快課程改革。各區縣教育局要在年底前完成課程實施方案備案。去年新建幼兒園5所。\n"
    )
    st = extract(text, plan_year=2024)
    assert outline(st) == [
        (1, "一、", "重點任務"),
        (2, "（一）", "推進學前教育普惠發展"),
        (3, "1.", st.sections[2].title),
        (3, "2.", "加快課程改革"),
    ]
    first, second = st.measures
    assert first.lead_units == ["基礎教育科", "各區縣教育局"]
    assert first.co_units == ["計劃財務科"]
    assert (first.deadline, first.deadline_quote) == ("2024-06-30", "2024年6月底前")
    assert second.quote == "各區縣教育局要在年底前完成課程實施方案備案"
    assert (second.lead_units, second.deadline) == (["各區縣教育局"], "2024-12-31")
    assert [m.section for m in st.measures] == [2, 3]


def test_taiwan_phrasing_and_traditional_metadata_are_read() -> None:
    text = (
        "標 題：高雄市教育局關於印發2023年教育工作計劃的通知\n發文日期：2023-02-10\n"
        "一、推動資訊教育\n建置資訊科技教學平臺，推廣數位學習。\n"
    )
    st = extract(text)
    assert st.info.title == "高雄市教育局關於印發2023年教育工作計劃的通知"
    assert (st.info.issuer, st.info.issued_on, st.info.year) == ("高雄市教育局", "2023-02-10", 2023)
    assert quotes(st) == ["建置資訊科技教學平臺，推廣數位學習"]


# ------------------------------------------------------------------------------------------- records


def test_the_record_is_json_ready_with_nested_info_sections_and_measures() -> None:
    st = extract("一、任务\n新建幼儿园3所（责任单位：基础教育科）。\n", plan_year=2024)
    rec = json.loads(json.dumps(st.to_record(), ensure_ascii=False))
    assert set(rec) == {"doc", "info", "sections", "measures"}
    assert rec["doc"] == "t.txt"
    assert rec["sections"][0] == {
        "index": 0,
        "parent": None,
        "level": 1,
        "label": "一、",
        "title": "任务",
        "start": 0,
        "end": 4,
        "body_end": len("一、任务\n新建幼儿园3所（责任单位：基础教育科）。"),
    }
    assert rec["measures"][0]["lead_units"] == ["基础教育科"]
    assert isinstance(st.sections[0], Section) and isinstance(st.measures[0], Measure)


# ------------------------------------------------------------------------------------------- seeds


def _seeds() -> Path | None:
    repo = Path(__file__).resolve().parents[4]
    for candidate in (os.environ.get("EDUGOV_SHARED"), repo.parent / "shared", Path("/work/shared")):
        if candidate and (Path(candidate) / "gold" / "seeds").is_dir():
            return Path(candidate) / "gold" / "seeds"
    return None


SEED_TOP_LEVEL = {  # number of top-level sections (checked by reading the plans)
    "000_9833a55b2343da05.txt": 6,
    "001_4ebbb55bad73ec82.txt": 4,
    "002_a59e231c891af49b.txt": 6,
    "003_44f39c8b7c3ae9c1.txt": 6,
    "004_a951aad1f741d909.txt": 8,
}


@pytest.mark.parametrize("name", sorted(SEED_TOP_LEVEL))
def test_each_seed_plan_has_its_top_level_sections_and_many_measures(name: str) -> None:
    seeds = _seeds()
    if seeds is None:
        pytest.skip("shared/gold/seeds not available on this machine")
    text = read_plan(seeds / name)
    st = extract_structure(text, name)
    assert sum(1 for s in st.sections if s.level == 1) == SEED_TOP_LEVEL[name]
    assert len(st.measures) > 10
    for m in st.measures:
        assert text[m.start : m.end] == m.quote
        assert m.section is None or st.sections[m.section].start <= m.start < st.sections[m.section].body_end
    for s in st.sections:
        assert text[s.start : s.end].startswith(s.label) and s.title in text[s.start : s.end]


def test_seed_001_metadata_and_outline_are_found() -> None:
    seeds = _seeds()
    if seeds is None:
        pytest.skip("shared/gold/seeds not available on this machine")
    st = extract_structure(read_plan(seeds / "001_4ebbb55bad73ec82.txt"), "001")
    assert st.info == DocumentInfo(
        title="安丘市教育和体育局关于印发《安丘市教育强镇筑基行动实施方案》的通知",
        issuer="市教育和体育局",
        issued_on="2021-05-20",
        doc_number="安教体字〔2021〕13号",
        year=2021,
    )
    assert [s.title for s in st.sections if s.level == 1] == ["指导思想", "任务目标", "推进措施", "保障措施"]
    levels = {s.label: s.level for s in st.sections}
    assert (levels["(一)"], levels["1."], levels["一是"]) == (2, 3, 2)
    assert sum(1 for s in st.sections if s.level == 3) == 37  # the 37 numbered measures of 三、推进措施
    assert not any(st.sections[m.section].title == "指导思想" for m in st.measures if m.section is not None)
    assert any(m.lead_units == ["教管办", "学校"] for m in st.measures)
    assert sum(1 for m in st.measures if m.deadline == "2023-12-31") >= 5  # 3年内 / 三年时间 from 2021


def test_seed_traditional_plans_find_their_headings_and_issuer() -> None:
    seeds = _seeds()
    if seeds is None:
        pytest.skip("shared/gold/seeds not available on this machine")
    jining = extract_structure(read_plan(seeds / "003_44f39c8b7c3ae9c1.txt"), "003")
    assert [s.label for s in jining.sections if s.level == 1] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert "10、" in [s.label for s in jining.sections]  # found after 。 in the middle of a line
    daqing = extract_structure(read_plan(seeds / "004_a951aad1f741d909.txt"), "004")
    assert (daqing.info.issuer, daqing.info.year) == ("大慶市教育局", 2021)
    assert daqing.sections[0].title == "小區配套幼兒園回歸公益屬性"
    assert not any("一起來看看" in m.quote or "東北網" in m.quote for m in daqing.measures)


def test_a_sentence_that_only_says_when_gives_the_deadline_to_the_measure_before_it() -> None:
    text = "（一）扩大资源。新建幼儿园10所。责任单位：学前教育科。2025年6月底前完成。\n"
    st = extract_structure(text, "t.txt", plan_year=2025)
    assert [m.quote for m in st.measures] == ["新建幼儿园10所"]
    assert (st.measures[0].deadline, st.measures[0].deadline_quote) == ("2025-06-30", "2025年6月底前")
    assert st.measures[0].lead_units == ["学前教育科"]


def test_a_sentence_committing_to_a_result_is_a_measure_without_an_action_verb() -> None:
    text = "二、义务教育\n（一）消除大班额。56人以上大班额全部清零。責任單位：各區縣教育局。\n"
    st = extract_structure(text, "t.txt", plan_year=2025)
    quotes = [m.quote for m in st.measures]
    assert "56人以上大班额全部清零" in quotes
    measure = st.measures[quotes.index("56人以上大班额全部清零")]
    assert measure.lead_units == ["各區縣教育局"]
