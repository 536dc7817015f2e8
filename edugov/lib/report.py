"""One report document model and its two renderers: Word in official-document layout and PDF.

A :class:`Report` is a title, an optional subtitle and 落款 (issuer and date), and a list of blocks: headings,
body paragraphs, notes, tables and page breaks. Exports build a ``Report`` once and render it with
:func:`to_docx` or :func:`to_pdf`, so both files always say the same thing.

Layout follows GB/T 9704 (党政机关公文格式) where it can: A4 portrait, margins 天头 37 mm, 订口 28 mm, 翻口 26 mm,
bottom 35 mm; the title in 二号, body in 三号, tables in 小四 (12 pt); table header rows repeat on every page.

- Word: 方正小标宋简体 title, 黑体 / 楷体_GB2312 / bold 仿宋_GB2312 headings (levels 1 to 3), 仿宋_GB2312 body; fonts
  are set in the East-Asian slot too (python-docx's ``font.name`` only sets the Latin one); “— N —” page numbers.
- PDF: reportlab with its built-in CID font STSong-Light (宋体), which needs no font file: the viewer supplies the
  glyphs. One typeface for everything, so headings differ by size and spacing; “第 N 页” page numbers. Long text in
  table cells wraps at any CJK character and a row taller than a page is split across pages.

Text is plain: a ``\\n`` in a table cell starts a new line; nothing is interpreted as markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from reportlab import platypus
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

__all__ = ["DOCX_CONTENT_TYPE", "PDF_CONTENT_TYPE", "Block", "Column", "Heading", "Note", "PageBreak", "Paragraph",
           "Report", "Table", "add_page_number", "docx_paragraph", "repeat_as_header", "set_cell_text",
           "set_normal_style", "set_run_font", "set_table_borders", "to_docx", "to_pdf"]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"

Align = Literal["left", "center", "right"]


# -- the model -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """一级 (“一、……”), 二级 (“（一）……”) or 三级 heading."""

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"heading level must be 1, 2 or 3, not {self.level}")


@dataclass(frozen=True)
class Paragraph:
    """Body text, first line indented by two characters."""

    text: str


@dataclass(frozen=True)
class Note:
    """Smaller text without indent: explanations under a table, data sources."""

    text: str


@dataclass(frozen=True)
class Column:
    """A table column: its title and its share of the text width (shares are normalised, they need not add to 1)."""

    title: str
    width: float = 1.0
    align: Align = "left"

    def __post_init__(self) -> None:
        if self.width <= 0:
            raise ValueError(f"column {self.title!r} needs a positive width")


@dataclass(frozen=True)
class Table:
    """Rows of plain text, one string per column; ``header`` shows the column titles as a header row repeated at
    the top of every page. A table without rows shows its header alone (or nothing without a header)."""

    columns: Sequence[Column]
    rows: Sequence[Sequence[str]] = ()
    header: bool = True

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("a table needs at least one column")
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"row {number} has {len(row)} cells for {len(self.columns)} columns")


@dataclass(frozen=True)
class PageBreak:
    """The next block starts on a new page."""


Block = Heading | Paragraph | Note | Table | PageBreak


@dataclass
class Report:
    """A document: title, optional subtitle under it, blocks, then the 落款 (issuer and date) at the end."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""
    issuer: str = ""
    date: str = ""

    def add(self, *blocks: Block) -> Report:
        self.blocks.extend(blocks)
        return self


# -- shared layout -------------------------------------------------------------------------------------------

MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, TABLE_PT, NOTE_PT = 22, 16, 14, 12, 12  # 二号, 三号, 四号, 小四, 小四


def _shares(columns: Sequence[Column]) -> list[float]:
    total = sum(c.width for c in columns)
    return [c.width / total for c in columns]


# -- Word ----------------------------------------------------------------------------------------------------

HEITI, KAITI, FANGSONG, XIAOBIAOSONG, SONGTI = "黑体", "楷体_GB2312", "仿宋_GB2312", "方正小标宋简体", "宋体"
_DOCX_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
               "right": WD_ALIGN_PARAGRAPH.RIGHT}


def set_run_font(run: Any, name: str, size: Any = None, *, bold: bool | None = None) -> None:
    """Latin and Chinese font of a run: Word picks Chinese glyphs from w:eastAsia, which ``font.name`` leaves."""
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold


def set_normal_style(document: Any, name: str, size: Any) -> None:
    style = document.styles["Normal"]
    style.font.name = name
    style.font.size = size
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    style.paragraph_format.line_spacing = 1.0
    style.paragraph_format.space_after = Pt(0)


def docx_paragraph(paragraph: Any, text: str, font: str, size: Any, *, bold: bool | None = None,
                    align: Any = None) -> Any:
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    set_run_font(run, font, size, bold=bold)
    return run


def set_cell_text(cell: Any, lines: Sequence[str], font: str, size: Any, *, bold: bool | None = None,
                   align: Any = None) -> None:
    """Replaces the cell's text with one paragraph per line."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    first, *rest = lines or [""]
    docx_paragraph(cell.paragraphs[0], first, font, size, bold=bold, align=align)
    for line in rest:
        docx_paragraph(cell.add_paragraph(), line, font, size, bold=bold, align=align)


def set_table_borders(table: Any) -> None:
    """Single black 0.5 pt lines around and inside the table, whatever the template's table style."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")  # eighths of a point
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    # Word rejects a file whose w:tblPr children are out of schema order: borders go before these.
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                                 "w:tblDescription", "w:tblPrChange")


def repeat_as_header(row: Any) -> None:
    """Marks the row as the table's header (w:tblHeader): Word repeats it at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def add_page_number(paragraph: Any) -> None:
    """“— N —” with N a PAGE field, in 四号宋体 as GB/T 9704 asks."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx_paragraph(paragraph, "— ", SONGTI, Pt(PAGE_NUMBER_PT))
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        set_run_font(run, SONGTI, Pt(PAGE_NUMBER_PT))
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        elif kind == "text":
            run.text = text or ""
        else:
            field_char = OxmlElement("w:fldChar")
            field_char.set(qn("w:fldCharType"), kind)
            run._element.append(field_char)
    set_run_font(paragraph.add_run(" —"), SONGTI, Pt(PAGE_NUMBER_PT))


_DOCX_HEADING_FONTS = {1: (HEITI, False), 2: (KAITI, False), 3: (FANGSONG, True)}


def _docx_heading(document: Any, block: Heading) -> None:
    font, bold = _DOCX_HEADING_FONTS[block.level]
    paragraph = document.add_paragraph()
    docx_paragraph(paragraph, block.text, font, Pt(BODY_PT), bold=bold or None, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.space_before = Pt(8)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.keep_with_next = True


def _docx_body(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    docx_paragraph(paragraph, text, FANGSONG, Pt(BODY_PT), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_PT)  # two characters


def _docx_note(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    docx_paragraph(paragraph, text, FANGSONG, Pt(NOTE_PT), align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.space_before = Pt(2)


def _docx_table(document: Any, block: Table) -> None:
    if not block.rows and not block.header:
        return
    # Word stores widths in twips: share the text width out in whole twips so the table never overflows it.
    text_twips = Mm(PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) // Twips(1)
    widths = [Twips(int(text_twips * share)) for share in _shares(block.columns)]
    table = document.add_table(rows=0, cols=len(block.columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    set_table_borders(table)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    if block.header:
        header = table.add_row()
        repeat_as_header(header)
        for cell, column, width in zip(header.cells, block.columns, widths, strict=True):
            cell.width = width
            set_cell_text(cell, column.title.split("\n"), HEITI, Pt(TABLE_PT), bold=True,
                           align=WD_ALIGN_PARAGRAPH.CENTER)
    for values in block.rows:
        row = table.add_row()
        for cell, text, column, width in zip(row.cells, values, block.columns, widths, strict=True):
            cell.width = width
            set_cell_text(cell, text.split("\n"), FANGSONG, Pt(TABLE_PT), align=_DOCX_ALIGN[column.align])


def to_docx(report: Report) -> bytes:
    """The report as a .docx file in official-document layout."""
    document = Document()
    set_normal_style(document, FANGSONG, Pt(BODY_PT))
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.footer_distance = Mm(15)
    add_page_number(section.footer.paragraphs[0])
    document.core_properties.title = report.title
    if report.issuer:
        document.core_properties.author = report.issuer

    title = document.add_paragraph()
    docx_paragraph(title, report.title, XIAOBIAOSONG, Pt(TITLE_PT), align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = Pt(16)
    if report.subtitle:
        subtitle = document.add_paragraph()
        docx_paragraph(subtitle, report.subtitle, KAITI, Pt(BODY_PT), align=WD_ALIGN_PARAGRAPH.CENTER)
        subtitle.paragraph_format.space_after = Pt(16)

    for block in report.blocks:
        if isinstance(block, Heading):
            _docx_heading(document, block)
        elif isinstance(block, Paragraph):
            _docx_body(document, block.text)
        elif isinstance(block, Note):
            _docx_note(document, block.text)
        elif isinstance(block, Table):
            _docx_table(document, block)
        else:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    for index, line in enumerate(x for x in (report.issuer, report.date) if x):
        paragraph = document.add_paragraph()
        docx_paragraph(paragraph, line, FANGSONG, Pt(BODY_PT), align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Pt(4 * BODY_PT)
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(2 * BODY_PT)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- PDF -----------------------------------------------------------------------------------------------------

# Adobe's Chinese Simplified CID font, one of reportlab's built-ins: only its metrics are in the file and the PDF
# viewer supplies the glyphs (every reader ships them), so nothing has to be installed or embedded.
CID_FONT = "STSong-Light"
HEADING_ROOM_MM = 40
CELL_PADDING_X, CELL_PADDING_TOP, CELL_PADDING_BOTTOM = 3, 2, 3
_PDF_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


def _register_font() -> None:
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))


def _style(name: str, size: float, *, align: int = TA_LEFT, leading: float = 1.5, indent: float = 0,
           before: float = 0, after: float = 0, right: float = 0) -> ParagraphStyle:
    # wordWrap="CJK" breaks lines between any two characters, as Chinese text needs (the default only at spaces)
    return ParagraphStyle(name, fontName=CID_FONT, fontSize=size, leading=size * leading, alignment=align,
                          firstLineIndent=indent, spaceBefore=before, spaceAfter=after, rightIndent=right,
                          wordWrap="CJK")


def _markup(text: str) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks and leading spaces (indents) kept."""
    lines = []
    for line in text.split("\n"):
        body = line.lstrip(" \u3000")
        indent = "".join("&#12288;" if ch == "\u3000" else "&nbsp;" for ch in line[:len(line) - len(body)])
        lines.append(indent + escape(body))
    return "<br/>".join(lines)


def _row_height(cells: Sequence[Any], widths: Sequence[float]) -> float:
    text = max(cell.wrap(w - 2 * CELL_PADDING_X, 10**6)[1] for cell, w in zip(cells, widths, strict=True))
    return float(text) + CELL_PADDING_TOP + CELL_PADDING_BOTTOM


def _pdf_table(block: Table, width: float, max_height: float) -> list[Any]:
    if not block.rows and not block.header:
        return []
    header_style = _style("th", TABLE_PT, align=TA_CENTER, leading=1.3)
    cell_styles = {align: _style(f"td-{align}", TABLE_PT, align=code, leading=1.3)
                   for align, code in _PDF_ALIGN.items()}
    data: list[list[Any]] = []
    if block.header:
        data.append([platypus.Paragraph(_markup(c.title), header_style) for c in block.columns])
    for values in block.rows:
        data.append([platypus.Paragraph(_markup(text), cell_styles[c.align])
                     for text, c in zip(values, block.columns, strict=True)])
    widths = [width * share for share in _shares(block.columns)]
    # Rows are kept whole; only a row taller than a page is split inside (reportlab's splitInRow, which otherwise
    # can leave a stray copy of the header at the foot of a page).
    too_tall = any(_row_height(cells, widths) > max_height for cells in data)
    table = platypus.Table(data, colWidths=widths, repeatRows=1 if block.header else 0,
                           splitInRow=1 if too_tall else 0, hAlign="CENTER")
    table.setStyle(platypus.TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING_TOP),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING_BOTTOM),
    ]))
    return [table, platypus.Spacer(1, 6)]


def _page_number(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont(CID_FONT, PAGE_NUMBER_PT)
    canvas.drawCentredString(A4[0] / 2, (MARGIN_BOTTOM_MM - 12) * mm, f"第 {document.page} 页")
    canvas.restoreState()


def to_pdf(report: Report) -> bytes:
    """The report as a PDF: same blocks and page layout as the Word file, fonts from the viewer."""
    _register_font()
    buffer = io.BytesIO()
    document = platypus.SimpleDocTemplate(
        buffer, pagesize=A4, topMargin=MARGIN_TOP_MM * mm, bottomMargin=MARGIN_BOTTOM_MM * mm,
        leftMargin=MARGIN_LEFT_MM * mm, rightMargin=MARGIN_RIGHT_MM * mm, title=report.title,
        author=report.issuer, creator="edugov")
    width, height = float(document.width), float(document.height)
    # one typeface only: a level-1 heading is a point larger than the body, and every heading has space around it
    headings = {1: _style("h1", BODY_PT + 1, before=8, after=4), 2: _style("h2", BODY_PT, before=6, after=3),
                3: _style("h3", BODY_PT, before=4, after=2)}
    body = _style("body", BODY_PT, align=TA_JUSTIFY, indent=2 * BODY_PT)
    note = _style("note", NOTE_PT, before=2)
    signature = _style("signature", BODY_PT, align=TA_RIGHT, right=4 * BODY_PT)

    story: list[Any] = [platypus.Paragraph(_markup(report.title), _style("title", TITLE_PT, align=TA_CENTER,
                                                                         leading=1.4, after=16))]
    if report.subtitle:
        story.append(platypus.Paragraph(_markup(report.subtitle), _style("subtitle", BODY_PT, align=TA_CENTER,
                                                                         after=16)))
    for block in report.blocks:
        match block:
            case Heading():
                # a heading near the foot of a page starts the next one instead (keepWithNext would move a whole
                # long table, and with it the heading, to the next page)
                story.append(platypus.CondPageBreak(HEADING_ROOM_MM * mm))
                story.append(platypus.Paragraph(_markup(block.text), headings[block.level]))
            case Paragraph():
                story.append(platypus.Paragraph(_markup(block.text), body))
            case Note():
                story.append(platypus.Paragraph(_markup(block.text), note))
            case Table():
                story += _pdf_table(block, width, height * 0.8)
            case PageBreak():
                story.append(platypus.PageBreak())
    lines = [x for x in (report.issuer, report.date) if x]
    if lines:
        story.append(platypus.Spacer(1, 2 * BODY_PT))
        story += [platypus.Paragraph(_markup(line), signature) for line in lines]
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
