"""A round's results as Word and PDF reports through HTTP: content, links and the same scoping as the Excel file."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from pypdf import PdfReader

from conftest import City, Personas
from edugov.evaluation import services
from edugov.evaluation.models import EvaluationRound

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(city: City, personas: Personas, county_round: EvaluationRound, statistics: None) -> EvaluationRound:
    """东区 claims A1.1 8 points; the review finds V2 (挪用教育经费), so 东区 is vetoed and ranked after 西区."""
    services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                   points="8")
    rnd = county_round
    while rnd.stage != "review":
        rnd = services.advance_stage(actor=personas.city_admin, rnd=rnd)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="V2", flag=True,
                   note="挪用教育经费")
    services.compute_results(actor=personas.city_admin, rnd=rnd)
    return rnd


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    # pypdf reads the STSong-Light CID text back; undo the line wrapping of table cells before searching
    return re.sub(r"\n ?", "", "\n".join(page.extract_text() for page in reader.pages))


def test_the_results_report_exports_to_pdf_with_ranking_vetoes_consequences_and_item_scores(  # type: ignore[no-untyped-def]
        as_user, computed: EvaluationRound) -> None:
    response = as_user("city_admin").get(f"/evaluation/{computed.pk}/results.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(".pdf")
    text = pdf_text(response.content)
    assert "2025年度区县政府履行教育职责评价结果" in text
    assert "一、评价概况" in text and "二、排名" in text and "三、各单位得分明细" in text and "四、说明" in text
    assert "（一）西区" in text and "（二）东区" in text  # ranked: 西区 first, 东区 vetoed
    assert "V2" in text and "挪用教育经费" in text and "暂缓安排相关市级奖补资金" in text
    assert "总分 17" in text and "A1.1" in text
    assert computed.scheme_sha256 in text and "示范市" in text


def test_the_results_report_exports_to_word_with_the_ranking_table_and_the_item_tree(  # type: ignore[no-untyped-def]
        as_user, computed: EvaluationRound) -> None:
    response = as_user("city_admin").get(f"/evaluation/{computed.pk}/results.docx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "2025年度区县政府履行教育职责评价结果"
    assert "二、排名" in paragraphs and "（二）东区" in paragraphs
    ranking = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert ranking[0] == ["名次", "单位", "总分", "等级", "一票否决", "三挂钩"]
    assert [(r[0], r[1], r[3]) for r in ranking[1:]] == [("1", "西区", "不合格"), ("2", "东区", "不合格")]
    assert "挪用教育经费" in ranking[2][4] and "经费分配" in ranking[2][5]
    east_items = [[c.text for c in row.cells] for row in document.tables[2].rows]  # 西区 is tables[1]
    assert east_items[0] == ["评价项目", "分值", "得分", "说明"]
    assert ["A1 党的全面领导与教育方针落实", "15", "8", ""] in east_items
    assert ["\u3000A1.1 中小学校党组织领导的校长负责制落实", "8", "8", "人工评分"] in east_items  # indented child
    assert any(p.startswith("一票否决：V2 挤占、挪用") and p.endswith("（挪用教育经费）") for p in paragraphs)


def test_the_round_page_links_the_word_and_pdf_reports(as_user, computed: EvaluationRound) -> None:  # type: ignore[no-untyped-def]
    body = as_user("city_admin").get(f"/evaluation/{computed.pk}/").content.decode()
    assert f'href="/evaluation/{computed.pk}/results.docx"' in body
    assert f'href="/evaluation/{computed.pk}/results.pdf"' in body


def test_the_reports_follow_the_excel_files_access_rules(  # type: ignore[no-untyped-def]
        as_user, computed: EvaluationRound, school_round: EvaluationRound) -> None:
    west = as_user("west_admin")
    for extension in ("xlsx", "docx", "pdf"):
        assert west.get(f"/evaluation/{school_round.pk}/results.{extension}").status_code == 404
    # the west district sees its own unit only, in the report as in the Excel file
    text = pdf_text(west.get(f"/evaluation/{computed.pk}/results.pdf").content)
    assert "（一）西区" in text and "东区" not in text and "挪用教育经费" not in text


def test_a_round_without_results_still_gives_a_report(as_user, county_round: EvaluationRound) -> None:  # type: ignore[no-untyped-def]
    text = pdf_text(as_user("city_admin").get(f"/evaluation/{county_round.pk}/results.pdf").content)
    assert "尚未计算结果" in text and "二、排名" in text and "三、说明" in text
