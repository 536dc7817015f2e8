import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from edugov.lib.report import Column, Heading, Note, PageBreak, Paragraph, Report, Table, to_docx, to_pdf

COLUMNS = [Column("序号", 0.1, "center"), Column("学校名称", 0.4), Column("说明", 0.5)]
MIXED = "東區實驗學校 (No.3) & <b>ABC-123</b> 简体"


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def long_table(rows: int = 120) -> Table:
    return Table(COLUMNS, [[str(n), f"第{n}学校", "需增加专任教师 2 名"] for n in range(1, rows + 1)])


def test_a_table_longer_than_a_page_repeats_its_header_on_every_pdf_page() -> None:
    pages = pdf_pages(to_pdf(Report("长表", [Heading("一、名单"), long_table()])))
    assert len(pages) >= 2
    for page in pages:
        assert page.count("学校名称") == 1  # at the top, and no stray copy at the foot
    assert "第120学校" in pages[-1]


def test_the_pdf_numbers_its_pages_in_the_footer() -> None:
    pages = pdf_pages(to_pdf(Report("长表", [long_table()])))
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页" in page


def test_the_word_table_header_is_marked_to_repeat_on_every_page() -> None:
    document = Document(io.BytesIO(to_docx(Report("长表", [long_table()]))))
    table = document.tables[0]
    assert len(table.rows) == 121
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert [c.text for c in table.rows[0].cells] == ["序号", "学校名称", "说明"]


def test_an_empty_table_renders_its_header_alone() -> None:
    report = Report("空表", [Table(COLUMNS), Table(COLUMNS, header=False), Paragraph("以上无数据。")])
    (page,) = pdf_pages(to_pdf(report))
    assert "学校名称" in page and "以上无数据。" in page
    document = Document(io.BytesIO(to_docx(report)))
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 1


def test_traditional_characters_ascii_and_markup_characters_come_out_as_written() -> None:
    report = Report(MIXED, [Heading(MIXED), Paragraph(MIXED), Note(MIXED), Table(COLUMNS, [["1", MIXED, "a\nb"]])])
    text = re.sub(r"\n ?", "", pdf_pages(to_pdf(report))[0])  # undo line wrapping
    assert text.count(MIXED) == 5
    document = Document(io.BytesIO(to_docx(report)))
    assert [p.text for p in document.paragraphs[:4]] == [MIXED] * 4
    assert [p.text for p in document.tables[0].rows[1].cells[2].paragraphs] == ["a", "b"]


def test_a_cell_taller_than_a_page_is_split_across_pages() -> None:
    pages = pdf_pages(to_pdf(Report("长单元格", [Table(COLUMNS, [["1", "很长的学校", "缺少数据。" * 600]])])))
    assert len(pages) >= 2


def test_word_uses_official_fonts_in_the_east_asian_slot_and_a4_margins() -> None:
    report = Report("标题", [Heading("一、概况"), Heading("（一）细目", level=2), Paragraph("正文")],
                    subtitle="副标题", issuer="示范市教育局", date="2025年6月30日")
    document = Document(io.BytesIO(to_docx(report)))
    fonts = [p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) for p in document.paragraphs]
    assert fonts == ["方正小标宋简体", "楷体_GB2312", "黑体", "楷体_GB2312", "仿宋_GB2312", "仿宋_GB2312",
                     "仿宋_GB2312"]
    assert [p.text for p in document.paragraphs][-2:] == ["示范市教育局", "2025年6月30日"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert document.core_properties.title == "标题"


def test_a_page_break_starts_a_new_pdf_page() -> None:
    pages = pdf_pages(to_pdf(Report("分页", [Paragraph("第一部分"), PageBreak(), Paragraph("第二部分")])))
    assert len(pages) == 2 and "第二部分" in pages[1] and "第二部分" not in pages[0]
    document = Document(io.BytesIO(to_docx(Report("分页", [Paragraph("一"), PageBreak(), Paragraph("二")]))))
    assert 'w:type="page"' in document.paragraphs[2]._p.xml


def test_rows_must_match_the_columns_and_headings_have_three_levels() -> None:
    with pytest.raises(ValueError, match="row 1 has 2 cells for 3 columns"):
        Table(COLUMNS, [["1", "2"]])
    with pytest.raises(ValueError):
        Heading("四级", level=4)
    with pytest.raises(ValueError):
        Table([])


def test_leading_spaces_indent_in_the_pdf_as_in_word() -> None:
    report = Report("缩进", [Table(COLUMNS, [["1", "A1 一级", ""], ["2", "\u3000A1.1 二级", ""]])])
    assert "\u3000A1.1 二级" in pdf_pages(to_pdf(report))[0]
    assert Document(io.BytesIO(to_docx(report))).tables[0].rows[2].cells[1].text == "\u3000A1.1 二级"
