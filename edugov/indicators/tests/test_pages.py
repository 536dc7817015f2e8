"""The indicator pages, the acceptance status and their exports, on the shared personas plus hand-made 2024 data.

GIVEN (2024):

- 东区 kindergartens: 东区新镇中心幼儿园 (公办, 普惠) 100 children (50 boys, 50 girls), 8 teachers of whom 7
  certified; 东区小太阳幼儿园 (民办, not 普惠) 60 children, 3 teachers, 3 certified; 东区阳光幼儿园 (民办普惠)
  40 children, 2 teachers, 2 certified. So 200 children and 13 teachers (12 certified); 3-5岁人口 250.
  By hand: 毛入园率 200/250 = 80% (85% needs 212.5 → 213: 13 more); 普惠覆盖率 140/200 = 70% (80% needs 160: 20
  more; as new places (160 − 140) / 0.2 = 100); 公办占比 100/200 = exactly 50% (met); 生师比 200/13 = 15.38
  (≤ 15 needs 200/15 = 13.33 → 14 teachers: 1 more); 持证率 12/13 (1 more).
- 西区: no kindergarten and no population row: every 普及普惠 item is 暂无数据.
- 东区实验小学: 400 pupils, 30 teachers (20 本科, 5 专科), 2 county backbone teachers, PE/music/art 2/1/1,
  2000 m² teaching area, 3000 m² sports ground, 800,000 yuan equipment, 10 multimedia rooms: 6 of 7 met, backbone
  0.5 per 100 < 85% of 1, so it fails and needs 2 backbone teachers (85% of 1 × 400 / 100 = 3.4 → 4 − 2).
"""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import City, Personas, make_school
from edugov.indicators.acceptance import assess_puji
from edugov.indicators.ranking import rank
from edugov.registry.models import OrgUnit
from edugov.stats.models import GradeEnrolment, PopulationByAge, SchoolYearStats, TeacherStats

YEAR = 2024


def kindergarten(unit: OrgUnit, male: int, female: int, teachers: int, certified: int) -> None:
    GradeEnrolment.objects.create(unit=unit, year=YEAR, grade="K1", stage="kindergarten", male=male, female=female)
    TeacherStats.objects.create(unit=unit, year=YEAR, stage="kindergarten", fulltime=teachers, certified=certified)


@pytest.fixture
def data(city: City) -> City:
    sun = make_school("1137020004", "东区小太阳幼儿园", city.east, school_type="111", sponsor="999", inclusive=False)
    sunshine = make_school("1137020005", "东区阳光幼儿园", city.east, school_type="111", sponsor="999",
                           inclusive=True)
    kindergarten(city.east_kindergarten, 50, 50, 8, 7)
    kindergarten(sun, 30, 30, 3, 3)
    kindergarten(sunshine, 20, 20, 2, 2)
    PopulationByAge.objects.create(unit=city.east, year=YEAR, age_band="3-5", population=250)
    p = city.east_primary
    GradeEnrolment.objects.create(unit=p, year=YEAR, grade="1", stage="primary", male=200, female=200)
    TeacherStats.objects.create(unit=p, year=YEAR, stage="primary", fulltime=30, edu_bachelor=20, edu_associate=5,
                                edu_below_associate=5, backbone_county=2, pe_teachers=2, music_teachers=1,
                                art_teachers=1)
    SchoolYearStats.objects.create(unit=p, year=YEAR, teaching_area=Decimal("2000"),
                                   sports_ground_area=Decimal("3000"), gym_area=Decimal("0"),
                                   equipment_value=Decimal("800000"), multimedia_classrooms=10)
    return city


@pytest.fixture
def login(personas: Personas, data: City):  # type: ignore[no-untyped-def]
    def _login(name: str) -> Client:
        client = Client()
        client.force_login(getattr(personas, name))
        return client

    return _login


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# ------------------------------------------------------------------------------------------------ 普及普惠


def test_the_east_district_fails_puji_with_gaps_computed_by_hand(data: City) -> None:
    result = assess_puji(data.east, YEAR)
    items = {r.code: r for r in result.items}
    assert items["preschool_gross_enrolment"].value.value == 80
    assert items["preschool_gross_enrolment"].gap.text() == "需增加在园幼儿 13 名"
    assert items["inclusive_kindergarten_coverage"].gap.text() == "需增加普惠性学位 20 个"
    assert items["inclusive_kindergarten_coverage"].gap.new_places == 100
    assert items["public_kindergarten_share"].met is True  # exactly 50%
    assert items["kindergarten_child_teacher_ratio"].gap.text() == "需增加幼儿园专任教师 1 名"
    assert items["kindergarten_teacher_certified_rate"].gap.text() == "需增加幼儿园持证专任教师 1 名"
    assert not result.passes and result.status == "未达标"
    assert [r.code for r in result.ordered()][-1] == "public_kindergarten_share"


def test_a_district_without_preschool_data_shows_no_data_and_cannot_pass(data: City) -> None:
    result = assess_puji(data.west, YEAR)
    assert all(r.met is None and r.display == "暂无数据" and r.reason for r in result.items)
    assert not result.passes and result.status == "数据不全，无法认定"


def test_a_province_override_applies_through_assess_puji(data: City) -> None:
    result = assess_puji(data.east, YEAR, overrides=["example_puji_province_override"])
    gross = next(r for r in result.items if r.code == "preschool_gross_enrolment")
    assert gross.item.threshold == 90 and gross.gap is not None and gross.gap.amount == 25  # 225 − 200


def test_ranks_are_shared_on_ties_and_units_without_data_are_not_ranked() -> None:
    from fractions import Fraction

    values = {"a": Fraction(3), "b": Fraction(5), "c": Fraction(5), "d": None, "e": Fraction(1)}
    assert rank(values) == {"b": 1, "c": 1, "a": 3, "e": 4}
    assert rank(values, higher_better=False) == {"e": 1, "a": 2, "b": 3, "c": 3}


# ------------------------------------------------------------------------------------------------ pages


def test_the_catalogue_page_shows_the_city_admins_top_unit_without_a_rank(login) -> None:  # type: ignore[no-untyped-def]
    response = login("city_admin").get("/indicators/")
    assert response.status_code == 200
    assert "示范市" in text(response) and "没有上级单位" in text(response)


def test_the_city_admin_sees_a_county_ranked_among_all_its_siblings(login) -> None:  # type: ignore[no-untyped-def]
    response = login("city_admin").get("/indicators/?unit=370202")
    assert response.status_code == 200
    body = text(response)
    assert "在示范市的全部2个下级单位中排名" in body
    rows = response.context["rows"]
    gross = next(r for r in rows if r.indicator.code == "preschool_gross_enrolment")
    assert gross.display == "80.0" and gross.met is False and (gross.rank, gross.of) == (1, 1)  # 西区: no data


def test_the_catalogue_page_lists_failing_items_first(login) -> None:  # type: ignore[no-untyped-def]
    rows = login("city_admin").get("/indicators/?unit=370202").context["rows"]
    orders = [r.order for r in rows]
    assert orders == sorted(orders)
    assert rows[0].met is False
    assert any(r.met is True for r in rows)


def test_no_data_is_shown_as_no_data_never_as_zero(login) -> None:  # type: ignore[no-untyped-def]
    response = login("city_admin").get("/indicators/?unit=370203")
    rows = response.context["rows"]
    gross = next(r for r in rows if r.indicator.code == "preschool_gross_enrolment")
    assert gross.value.value is None and gross.display == "暂无数据" and gross.verdict == "暂无数据"
    assert "暂无数据" in text(response)
    row_html = text(response).split('data-code="preschool_gross_enrolment"')[1].split("</tr>")[0]
    assert "暂无数据" in row_html and ">0<" not in row_html and "0.0" not in row_html


def test_the_district_admin_defaults_to_its_county_ranked_only_among_visible_siblings(login) -> None:  # type: ignore[no-untyped-def]
    response = login("east_admin").get("/indicators/")
    assert response.status_code == 200
    assert response.context["unit"].code == "370202"
    assert "您可见的1个同级单位" in text(response)


def test_units_outside_the_scope_answer_404_on_every_page(login) -> None:  # type: ignore[no-untyped-def]
    client = login("east_admin")
    for url in ("/indicators/?unit=370203", "/indicators/public_kindergarten_share/?unit=370203",
                "/indicators/public_kindergarten_share/chart.json?unit=370203",
                "/indicators/public_kindergarten_share/children.xlsx?unit=370203",
                "/indicators/acceptance/?unit=370203", "/indicators/acceptance.xlsx?unit=370200",
                "/indicators/acceptance/370203.docx", "/indicators/?unit=999999"):
        assert client.get(url).status_code == 404, url


def test_an_unknown_indicator_is_404(login) -> None:  # type: ignore[no-untyped-def]
    assert login("city_admin").get("/indicators/no_such_indicator/?unit=370202").status_code == 404


def test_the_indicator_page_shows_definition_children_drilldown_and_disaggregations(login, data: City) -> None:  # type: ignore[no-untyped-def]
    response = login("east_admin").get("/indicators/public_kindergarten_share/?unit=370202")
    assert response.status_code == 200
    body = text(response)
    assert "公办园在园幼儿占比" in body and "50.0" in body and "[S7]" in body
    detail = response.context["detail"]
    children = {r.unit.code: r for r in detail.children}
    assert children["370202100"].display == "100.0" and children["370202100"].rank == 1
    assert children["2137020001"].display == "暂无数据"  # a primary school has no kindergarten children
    assert f'href="/units/{data.east_kindergarten.code}/"' in body  # the drill-down links to the school page
    assert "data-indicator-src" in body
    dims = {d["dimension"]: d for d in detail.disaggregations}
    sexes = {p["name"]: p["display"] for p in dims["sex"]["parts"]}
    assert sexes == {"男": "50.0", "女": "50.0"}  # public 50 of 100 boys, 50 of 100 girls
    public = {p["name"]: p["display"] for p in dims["public"]["parts"]}
    assert public == {"公办": "100.0", "民办": "0.0"}


def test_the_chart_json_gives_children_values_and_the_threshold(login) -> None:  # type: ignore[no-untyped-def]
    response = login("city_admin").get("/indicators/preschool_gross_enrolment/chart.json?unit=370200")
    assert response.status_code == 200
    payload = json.loads(response.content)
    assert set(payload) >= {"labels", "codes", "values", "met", "ranks", "threshold", "comparator", "unit"}
    assert payload["codes"] == ["370202", "370203"]
    assert payload["values"] == [80.0, None]  # 西区 has no data: null, never 0
    assert payload["met"] == [False, None]
    assert payload["threshold"] == 85.0 and payload["comparator"] == ">="


def test_the_children_table_exports_to_excel(login) -> None:  # type: ignore[no-untyped-def]
    response = login("city_admin").get("/indicators/preschool_gross_enrolment/children.xlsx?unit=370200")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:3] == ["机构代码", "名称", "数值"]
    assert rows[2][:3] == ["370202", "东区", "80.0"] and rows[2][7] == "未达标"
    assert rows[3][:3] == ["370203", "西区", "暂无数据"]


# ------------------------------------------------------------------------------------------------ acceptance


def test_the_acceptance_page_lists_every_county_for_the_city_admin_failing_items_first(login) -> None:  # type: ignore[no-untyped-def]
    response = login("city_admin").get("/indicators/acceptance/")
    assert response.status_code == 200
    counties = response.context["counties"]
    assert [c.county.code for c in counties] == ["370202", "370203"]
    body = text(response)
    for gap in ("需增加在园幼儿 13 名", "需增加普惠性学位 20 个", "需增加幼儿园专任教师 1 名",
                "需增加县级以上骨干教师 2 名"):
        assert gap in body
    east = counties[0]
    puji = [r.met for r in east.puji.ordered()]
    assert puji == sorted(puji, key=lambda m: {False: 0, None: 1, True: 2}[m]) and puji[0] is False
    checks = [c.met for c in east.ordered_checks]
    assert checks[0] is False
    assert east.youzhi_status == "未达标"
    east_html = body.split('id="county-370202"')[1].split('id="county-370203"')[0]
    table = east_html.split('class="data puji-table"')[1]
    assert table.index('data-met="False"') < table.index('data-met="True"')
    assert counties[1].puji.status == "数据不全，无法认定"


def test_the_district_admin_sees_only_its_county_on_the_acceptance_page(login) -> None:  # type: ignore[no-untyped-def]
    response = login("east_admin").get("/indicators/acceptance/")
    assert response.status_code == 200
    assert [c.county.code for c in response.context["counties"]] == ["370202"]
    assert "西区" not in text(response).split("<main")[1]


def test_the_acceptance_status_exports_to_excel(login) -> None:  # type: ignore[no-untyped-def]
    response = login("city_admin").get("/indicators/acceptance.xlsx?unit=370200")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["普及普惠", "优质均衡", "政府保障·教育质量·社会认可度", "未达标学校"]
    cells = [c.value for row in workbook["普及普惠"].iter_rows() for c in row]
    assert "需增加在园幼儿 13 名" in cells and "暂无数据" in cells
    puji_rows = [[c.value for c in row] for row in workbook["普及普惠"].iter_rows(min_row=3)]
    assert puji_rows[0][5] == "未达标"  # failing items first
    schools = [[c.value for c in row] for row in workbook["未达标学校"].iter_rows(min_row=3)]
    assert schools == [["东区", "小学", "2137020001", "东区实验小学", "6/7", "需增加县级以上骨干教师 2 名"]]


def test_one_countys_report_exports_to_word_in_official_layout(login) -> None:  # type: ignore[no-untyped-def]
    response = login("east_admin").get("/indicators/acceptance/370202.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "东区2024-2025学年义务教育优质均衡发展及学前教育普及普惠自评报告"
    assert document.paragraphs[0].runs[0].font.name == "方正小标宋简体"
    assert "一、学前教育普及普惠" in paragraphs and "二、义务教育优质均衡（资源配置）" in paragraphs
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("需增加在园幼儿 13 名" in c for c in cells)
    assert "东区实验小学" in cells and "需增加县级以上骨干教师 2 名" in cells
    assert "每百名学生拥有县级及以上骨干教师数" in cells  # the 7 indicators with the county value
    assert any(c.startswith("差异系数") or c == "差异系数" for c in cells)
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.1)


def test_one_countys_report_exports_to_pdf_with_the_same_content(login) -> None:  # type: ignore[no-untyped-def]
    response = login("east_admin").get("/indicators/acceptance/370202.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acceptance-370202-2024.pdf"'
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    # pypdf reads the STSong-Light CID text back; undo the line wrapping of table cells before searching
    text = re.sub(r"\n ?", "", "\n".join(page.extract_text() for page in reader.pages))
    assert "东区2024-2025学年义务教育优质均衡发展及学前教育普及普惠自评报告" in text
    assert "一、学前教育普及普惠" in text and "二、义务教育优质均衡（资源配置）" in text and "四、说明" in text
    assert "需增加在园幼儿 13 名" in text and "东区实验小学" in text and "需增加县级以上骨干教师 2 名" in text
    assert "第 1 页" in text


def test_the_acceptance_page_links_the_word_and_pdf_reports(login) -> None:  # type: ignore[no-untyped-def]
    body = text(login("east_admin").get("/indicators/acceptance/"))
    assert 'href="/indicators/acceptance/370202.docx"' in body and 'href="/indicators/acceptance/370202.pdf"' in body


def test_a_county_outside_the_scope_answers_404_for_the_pdf_as_for_the_word_report(login) -> None:  # type: ignore[no-untyped-def]
    client = login("east_admin")
    for url in ("/indicators/acceptance/370203.docx", "/indicators/acceptance/370203.pdf",
                "/indicators/acceptance/370200.pdf", "/indicators/acceptance/999999.pdf"):
        assert client.get(url).status_code == 404, url
