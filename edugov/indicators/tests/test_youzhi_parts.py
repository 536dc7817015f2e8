"""优质均衡 beyond resource allocation: the scheme ``youzhi_junheng_2017_county`` (政府保障程度 G1–G15, 教育质量 Q1–Q9,
社会认可度 and the 一票否决 items), its catalogue-linked items, and its section on the acceptance page.

GIVEN the shared personas (示范市 with 东区 370202 and 西区 370203) and a 2024 round of the city on the scheme that
covers 东区 only (unless a test opens its own).
"""

from __future__ import annotations

import dataclasses
import io
from fractions import Fraction

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import City, Personas
from edugov.evaluation import services
from edugov.evaluation.engine import load_scheme
from edugov.evaluation.engine.scheme import BooleanRule, ThresholdRule
from edugov.evaluation.models import EvaluationRound, StageEntry
from edugov.indicators.acceptance import (
    YOUZHI_PARTS_SCHEME,
    CountyAcceptance,
    YouzhiCheck,
    county_acceptance,
    youzhi_parts,
)
from edugov.registry.models import OrgUnit
from edugov.stats.models import GradeEnrolment

YEAR = 2024


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def open_round(city: City, personas: Personas, units: list[OrgUnit]) -> EvaluationRound:
    return services.create_round(actor=personas.city_admin, evaluating_unit=city.city, scheme_id=YOUZHI_PARTS_SCHEME,
                                 year=YEAR, evaluated_kind="county", units=units)


def meeting_value(rule: ThresholdRule) -> str:
    """A value that meets the rule exactly at its threshold (or just under it for a strict ``<``)."""
    if rule.comparator == "<":
        return str(rule.threshold - Fraction(1, 100))
    if rule.comparator == ">":
        return str(rule.threshold + Fraction(1, 100))
    return str(rule.threshold)


def self_evaluate_all_met(rnd: EvaluationRound, county: OrgUnit, actor: object, *, except_: str = "") -> None:
    """The county's self-evaluation: every item entered at the value that just meets it (except ``except_``)."""
    for leaf in load_scheme(YOUZHI_PARTS_SCHEME).leaves():
        if leaf.code == except_:
            continue
        if isinstance(leaf.rule, BooleanRule):
            services.enter(actor=actor, rnd=rnd, unit=county, stage="self", code=leaf.code, flag=True)
        else:
            assert isinstance(leaf.rule, ThresholdRule)
            services.enter(actor=actor, rnd=rnd, unit=county, stage="self", code=leaf.code,
                           value=meeting_value(leaf.rule))


# ------------------------------------------------------------------------------------------------- the scheme


def test_the_scheme_file_loads_with_15_government_9_quality_items_social_recognition_and_the_vetoes() -> None:
    scheme = load_scheme(YOUZHI_PARTS_SCHEME, year=YEAR)
    areas = {a.code: a for a in scheme.items}
    assert [c.code for c in areas["G"].children] == [f"G{n}" for n in range(1, 16)]
    assert [c.code for c in areas["Q"].children] == [f"Q{n}" for n in range(1, 10)]
    assert [c.code for c in areas["S"].children] == ["S1"]
    s1 = scheme.item("S1").rule
    assert isinstance(s1, ThresholdRule) and (s1.comparator, s1.threshold) == (">=", 85)
    assert [v.name for v in scheme.vetoes][:4] == [
        "以考试方式招生", "违规择校", "设置重点校、重点班", "社会认可度未达标"]
    assert all(v.grade == "未达标" for v in scheme.vetoes)
    # pass/fail: every leaf is all-or-nothing, and only the full score is 达标
    for leaf in scheme.leaves():
        assert isinstance(leaf.rule, ThresholdRule | BooleanRule)
        assert not isinstance(leaf.rule, ThresholdRule) or leaf.rule.else_points == 0
    assert scheme.grade_for(scheme.max_score) == "达标"
    assert scheme.grade_for(scheme.max_score - 1) == "未达标"
    linked = {leaf.code: leaf.indicator for leaf in scheme.leaves() if leaf.indicator}
    assert linked == {"Q1": "junior_retention", "Q2": "disabled_enrolment_rate", "G15.2": "migrant_public_share",
                      "G9": "teacher_training_completion", "G5": "oversize_class_count"}


def test_every_item_carries_its_confirmed_or_uncertain_status_and_source() -> None:
    import json

    from edugov.evaluation.engine.scheme import SCHEMES_DIR

    raw = json.loads((SCHEMES_DIR / "youzhi_junheng_2017_county.json").read_text(encoding="utf-8"))

    def walk(items):  # type: ignore[no-untyped-def]
        for item in items:
            yield item
            yield from walk(item.get("children", []))

    for item in walk(raw["items"][0]["children"] + raw["items"][1]["children"] + raw["items"][2]["children"]):
        assert item["note"].split("：")[0] in ("CONFIRMED", "UNCERTAIN"), item["code"]
        assert item["description"], item["code"]
    for veto in raw["vetoes"]:
        assert veto["description"].split("：")[0] in ("CONFIRMED", "UNCERTAIN"), veto["code"]


# -------------------------------------------------------------------------------------------------- verdicts


def test_a_county_with_every_item_met_and_no_veto_is_daobiao(city: City, personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin)
    parts = youzhi_parts(city.east)
    assert parts.status == "达标" and parts.passes
    assert [(a.name, a.met_count, a.total) for a in parts.areas] == [
        ("政府保障程度", 15, 15), ("教育质量", 9, 9), ("社会认可度", 1, 1)]
    assert parts.open_parts == [] and parts.vetoes == ()
    assert parts.recognition is not None and parts.recognition.value == "85%"


def test_one_unmet_item_makes_the_county_weidabiao_and_names_the_item(city: City, personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin, except_="G7")
    services.enter(actor=personas.east_admin, rnd=rnd, unit=city.east, stage="self", code="G7", value="5999.99")
    parts = youzhi_parts(city.east)
    assert parts.status == "未达标" and not parts.passes
    government = parts.areas[0]
    assert (government.met_count, government.total) == (14, 15)
    assert [(i.code, i.value, i.threshold, i.met) for i in government.open_items] == [
        ("G7", "5999.99 元/生", "≥6000 元/生", False)]
    assert parts.open_parts == ["政府保障程度"]


def test_one_unmet_sub_item_makes_its_item_unmet(city: City, personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin, except_="G11.2")
    services.enter(actor=personas.east_admin, rnd=rnd, unit=city.east, stage="self", code="G11.2", value="19")
    item = youzhi_parts(city.east).areas[0].open_items[0]
    assert (item.code, item.met) == ("G11", False)
    assert item.value == "G11.1 10%；G11.2 19%" and item.threshold == "G11.1 ≥10%；G11.2 ≥20%"


def test_a_fired_veto_in_the_city_review_makes_a_fully_met_county_weidabiao(city: City,
                                                                           personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin)
    services.advance_stage(actor=personas.city_admin, rnd=rnd)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="V3", flag=True,
                   note="东区实验小学设重点班2个")
    parts = youzhi_parts(city.east)
    assert parts.status == "未达标" and not parts.passes
    assert [(v.code, v.name, v.reason, v.stage) for v in parts.vetoes] == [
        ("V3", "设置重点校、重点班", "东区实验小学设重点班2个", "市级复核")]
    assert parts.open_parts == ["一票否决"]


def test_a_later_stage_value_wins_over_the_self_evaluation(city: City, personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin)
    services.advance_stage(actor=personas.city_admin, rnd=rnd)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="S1", value="84.5")
    parts = youzhi_parts(city.east)
    assert parts.recognition is not None
    assert (parts.recognition.value, parts.recognition.met, parts.recognition.stage) == ("84.5%", False, "市级复核")
    assert parts.open_parts == ["社会认可度"]


def test_a_county_with_items_not_yet_entered_is_open_not_failed(city: City, personas: Personas) -> None:
    open_round(city, personas, [city.east])
    parts = youzhi_parts(city.east)
    assert parts.status == "填报未完成" and not parts.passes
    assert parts.areas[0].met_count == 0 and all(i.met is None for i in parts.areas[0].open_items)
    assert parts.areas[0].open_items[0].value == "未填报"


def test_without_a_round_the_parts_say_not_yet_evaluated(city: City) -> None:
    parts = youzhi_parts(city.west)
    assert parts.round is None and parts.status == "尚未开展评估"


# ---------------------------------------------------------------------------------- catalogue-linked items


def junior(city: City, grade9: int, grade7_two_years_earlier: int) -> None:
    GradeEnrolment.objects.filter(unit=city.east_junior).delete()
    GradeEnrolment.objects.create(unit=city.east_junior, year=YEAR, grade="9", stage="junior", male=grade9, female=0)
    GradeEnrolment.objects.create(unit=city.east_junior, year=YEAR - 2, grade="7", stage="junior",
                                  male=grade7_two_years_earlier, female=0)


def test_a_retention_of_exactly_95_percent_from_the_catalogue_meets_q1(city: City, personas: Personas) -> None:
    junior(city, 95, 100)
    rnd = open_round(city, personas, [city.east])
    services.fill_from_catalogue(actor=personas.city_admin, rnd=rnd)
    entry = StageEntry.objects.get(round=rnd, unit=city.east, stage="data", code="Q1")
    assert entry.value == "95"
    q1 = next(i for i in youzhi_parts(city.east).areas[1].items if i.code == "Q1")
    assert (q1.value, q1.met, q1.stage) == ("95%", True, "数据")


def test_a_retention_of_94_99_something_fails_q1_even_though_it_rounds_to_95(city: City,
                                                                             personas: Personas) -> None:
    junior(city, 1899, 1999)  # 189900/1999 = 94.997…%
    rnd = open_round(city, personas, [city.east])
    services.fill_from_catalogue(actor=personas.city_admin, rnd=rnd)
    assert StageEntry.objects.get(round=rnd, unit=city.east, stage="data", code="Q1").value == "189900/1999"
    q1 = next(i for i in youzhi_parts(city.east).areas[1].items if i.code == "Q1")
    assert q1.met is False
    assert q1.value == "95%（精确值 189900/1999）" and q1.threshold == "≥95%"


def test_classes_above_the_standard_size_fill_g5_as_a_count(city: City, personas: Personas) -> None:
    from edugov.stats.models import ClassSection

    ClassSection.objects.create(unit=city.east_primary, year=YEAR, grade="1", name="1班", size=45)
    ClassSection.objects.create(unit=city.east_junior, year=YEAR, grade="7", name="1班", size=51)
    rnd = open_round(city, personas, [city.east])
    services.fill_from_catalogue(actor=personas.city_admin, rnd=rnd)
    assert StageEntry.objects.get(round=rnd, unit=city.east, stage="data", code="G5").value == "1"
    g5 = next(i for i in youzhi_parts(city.east).areas[0].items if i.code == "G5")
    assert (g5.value, g5.threshold, g5.met) == ("1 个", "≤0 个", False)


# ------------------------------------------------------------------------------------------ acceptance page


def login(personas: Personas, name: str) -> Client:
    client = Client()
    client.force_login(getattr(personas, name))
    return client


def county_html(body: str, code: str) -> str:
    return body.split(f'id="county-{code}"')[1].split('<section class="section" id="county-')[0]


def test_the_acceptance_page_shows_the_parts_for_a_county_with_a_round_and_not_evaluated_without(
        city: City, personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin, except_="Q4")
    services.enter(actor=personas.east_admin, rnd=rnd, unit=city.east, stage="self", code="Q4", value="4")
    response = login(personas, "city_admin").get("/indicators/acceptance/")
    assert response.status_code == 200
    body = response.content.decode()
    east, west = county_html(body, "370202"), county_html(body, "370203")
    assert "政府保障程度 · 教育质量 · 社会认可度" in east
    assert 'data-area="G">15/15<' in east and 'data-area="Q">8/9<' in east
    assert 'data-code="Q4" data-met="False"' in east and "≥5%" in east
    assert "85%" in east and f"/evaluation/{rnd.pk}/units/{city.east.pk}/" in east
    assert "尚未开展评估" in west and 'href="/evaluation/"' in west
    east_result = response.context["counties"][0]
    assert east_result.parts.status == "未达标"
    assert "教育质量" in east_result.youzhi_open_parts and "政府保障程度" not in east_result.youzhi_open_parts
    assert east_result.youzhi_overall == "未达标"
    west_result = response.context["counties"][1]
    assert west_result.youzhi_open_parts[-3:] == ["政府保障程度", "教育质量", "社会认可度"]
    assert west_result.youzhi_overall in ("未达标", "尚未完成认定")


def test_the_overall_verdict_is_daobiao_only_with_resources_and_every_part_met(city: City,
                                                                               personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin)
    passing = YouzhiCheck(section="小学", kind="cv", code="cv", name="差异系数", value="0.3", threshold="≤0.5",
                          met=True)
    east = CountyAcceptance(county=city.east, puji=None, checks=[passing],  # type: ignore[arg-type]
                            parts=youzhi_parts(city.east))
    assert (east.youzhi_open_parts, east.youzhi_overall) == ([], "达标")
    open_resources = CountyAcceptance(county=city.east, puji=None,  # type: ignore[arg-type]
                                      checks=[dataclasses.replace(passing, met=None)], parts=east.parts)
    assert (open_resources.youzhi_open_parts, open_resources.youzhi_overall) == (["资源配置"], "尚未完成认定")
    services.advance_stage(actor=personas.city_admin, rnd=rnd)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="V1", flag=True)
    vetoed = CountyAcceptance(county=city.east, puji=None, checks=[passing],  # type: ignore[arg-type]
                              parts=youzhi_parts(city.east))
    assert (vetoed.youzhi_open_parts, vetoed.youzhi_overall) == (["一票否决"], "未达标（一票否决）")


def test_a_district_user_sees_only_its_own_county_and_its_parts(city: City, personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east, city.west])
    services.enter(actor=personas.west_admin, rnd=rnd, unit=city.west, stage="self", code="S1", value="90")
    response = login(personas, "east_admin").get("/indicators/acceptance/")
    assert [c.county.code for c in response.context["counties"]] == ["370202"]
    main = response.content.decode().split("<main")[1]
    assert "西区" not in main and f"/units/{city.west.pk}/" not in main
    assert f"/evaluation/{rnd.pk}/units/{city.east.pk}/" in main
    west = login(personas, "west_admin").get("/indicators/acceptance/")
    assert [c.county.code for c in west.context["counties"]] == ["370203"]
    assert west.context["counties"][0].parts.recognition.value == "90%"


def test_the_newest_round_on_the_scheme_is_the_one_shown(city: City, personas: Personas) -> None:
    old = open_round(city, personas, [city.east])
    services.enter(actor=personas.east_admin, rnd=old, unit=city.east, stage="self", code="S1", value="70")
    new = open_round(city, personas, [city.east])
    services.enter(actor=personas.east_admin, rnd=new, unit=city.east, stage="self", code="S1", value="88")
    [east] = county_acceptance(city.city, YEAR, [city.east])
    assert east.parts is not None and east.parts.round == new
    assert east.parts.recognition is not None and east.parts.recognition.value == "88%"


def test_the_word_pdf_and_excel_reports_list_the_three_parts_with_the_unmet_item_first(
        city: City, personas: Personas) -> None:
    rnd = open_round(city, personas, [city.east])
    self_evaluate_all_met(rnd, city.east, personas.east_admin, except_="G7")
    services.enter(actor=personas.east_admin, rnd=rnd, unit=city.east, stage="self", code="G7", value="5999.99")
    client = login(personas, "city_admin")

    word = Document(io.BytesIO(client.get("/indicators/acceptance/370202.docx").content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "三、义务教育优质均衡（政府保障程度、教育质量、社会认可度）" in text
    assert "政府保障程度14/15项达到" in text and "社会认可度 85%" in text
    government = next(t for t in word.tables if t.rows[0].cells[1].text == "指标" and t.rows[1].cells[0].text == "G7")
    assert [c.text for c in government.rows[1].cells][2:5] == ["5999.99 元/生", "≥6000 元/生", "未达标"]

    pdf = PdfReader(io.BytesIO(client.get("/indicators/acceptance/370202.pdf").content))
    pdf_text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    assert "政府保障程度、教育质量、社会认可度" in pdf_text and "5999.99" in pdf_text

    sheet = load_workbook(io.BytesIO(client.get("/indicators/acceptance.xlsx").content))["政府保障·教育质量·社会认可度"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    east = [r for r in rows if r[0] == city.east.name]
    assert east[0][1:7] == ["政府保障程度", "G7", east[0][3], "5999.99 元/生", "≥6000 元/生", "未达标"]
    assert [r[3] for r in rows if r[0] == city.west.name] == ["尚未开展评估"]


def test_a_report_of_a_county_without_a_round_says_it_is_not_yet_evaluated(city: City, personas: Personas) -> None:
    word = Document(io.BytesIO(login(personas, "city_admin").get("/indicators/acceptance/370203.docx").content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "三、义务教育优质均衡（政府保障程度、教育质量、社会认可度）" in text and "尚未开展评估" in text
    assert "尚未达到：" in text and "四、说明" in text
