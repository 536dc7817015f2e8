"""Files of the indicator pages: the children table of one indicator and the acceptance status as Excel, and one
county's acceptance report as Word in official-document layout (GB/T 9704: A4 portrait, 仿宋_GB2312 body, 黑体
headings, 方正小标宋简体 title, “— N —” page numbers). The Word and Excel helpers are those of the plan ledger
(``edugov.plans.exports``), imported rather than copied."""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, Twips
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from edugov.indicators.acceptance import CountyAcceptance
from edugov.indicators.catalogue import decimal_text
from edugov.indicators.engine.gaps import format_amount
from edugov.indicators.pages import NO_DATA, Row
from edugov.lib.schoolyear import SchoolYear
from edugov.plans.exports import (
    FANGSONG,
    HEITI,
    SIZE_2,
    SIZE_3,
    XIAOBIAOSONG,
    _add_page_number,
    _finish_table,
    _paragraph,
    _repeat_as_header,
    _set_cell_text,
    _set_normal_style,
    _set_table_borders,
    _start_table,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

CHILDREN_COLUMNS = [("机构代码", 14), ("名称", 28), ("数值", 12), ("单位", 10), ("分子", 14), ("分母", 14),
                    ("标准", 12), ("是否达标", 10), ("排名", 8), ("说明", 50)]
PUJI_COLUMNS = [("区县", 16), ("序号", 6), ("指标", 26), ("现值", 12), ("标准", 10), ("结果", 12), ("差距", 40),
                ("测算费用（元）", 16), ("说明", 40)]
YOUZHI_COLUMNS = [("区县", 16), ("学段", 8), ("项目", 34), ("现值", 18), ("标准", 14), ("结果", 12), ("差距", 60)]
SCHOOL_COLUMNS = [("区县", 16), ("学段", 8), ("学校代码", 14), ("学校", 28), ("达标项数", 10), ("需增加", 60)]
WRAPPED = frozenset({"名称", "说明", "差距", "项目", "需增加", "指标", "学校"})

# Portrait A4 with the GB/T 9704 margins (天头 37 mm, 订口 28 mm); tables in 小四 (12 pt).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TABLE_SIZE = Pt(12)
BODY_SIZE = SIZE_3


def _verdict(met: bool | None) -> str:
    return NO_DATA if met is None else ("达标" if met else "未达标")


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else decimal_text(value)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _first_sheet(workbook: Workbook) -> Worksheet:
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    return sheet


# -- Excel ---------------------------------------------------------------------------------------------------


def children_xlsx(title: str, rows: Sequence[Row]) -> bytes:
    """The children table of one indicator: value rounded for display, numerator and denominator exact."""
    workbook = Workbook()
    sheet = _first_sheet(workbook)
    sheet.title = "下级单位"
    _start_table(sheet, title, CHILDREN_COLUMNS)
    for row in rows:
        v = row.value
        assert row.unit is not None
        sheet.append([row.unit.code, row.unit.name, row.display, v.unit or None, _exact(v.numerator),
                      _exact(v.denominator), row.threshold or None, row.verdict,
                      f"{row.rank}/{row.of}" if row.rank else None, v.reason or None])
    _finish_table(sheet, CHILDREN_COLUMNS, WRAPPED)
    return _save(workbook)


def acceptance_xlsx(title: str, counties: Sequence[CountyAcceptance]) -> bytes:
    """Sheets 普及普惠 (items failing first), 优质均衡 (school pass share and CVs, failing first) and 未达标学校
    (each failing school section with the additions that make it pass)."""
    workbook = Workbook()
    puji = _first_sheet(workbook)
    puji.title = "普及普惠"
    _start_table(puji, f"{title} 学前教育普及普惠", PUJI_COLUMNS)
    for c in counties:
        for r in c.puji.ordered():
            gap = r.gap
            lines = [gap.text(), gap.alternative_text()] if gap is not None else []
            puji.append([c.county.name, r.item.number, r.item.name, r.display, r.item.threshold_text, r.verdict,
                         "\n".join(x for x in lines if x) or None,
                         None if gap is None or gap.cost is None else format_amount(gap.cost),
                         r.reason or None])
    _finish_table(puji, PUJI_COLUMNS, WRAPPED)

    youzhi = workbook.create_sheet("优质均衡")
    _start_table(youzhi, f"{title} 义务教育优质均衡（资源配置）", YOUZHI_COLUMNS)
    for c in counties:
        for check in c.ordered_checks:
            youzhi.append([c.county.name, check.section, check.name, check.display, check.threshold, check.verdict,
                           "\n".join(check.gaps) or check.reason or None])
    _finish_table(youzhi, YOUZHI_COLUMNS, WRAPPED)

    schools = workbook.create_sheet("未达标学校")
    _start_table(schools, f"{title} 未达标学校及差距", SCHOOL_COLUMNS)
    for c in counties:
        for s in c.failing_schools:
            plan = s["gaps"]["plan"] if s["gaps"] else []
            missing = s["gaps"]["missing"] if s["gaps"] else []
            text = "；".join(a["text"] for a in plan) + (f"（缺少数据：{'、'.join(missing)}）" if missing else "")
            schools.append([c.county.name, s["section_label"], s["code"], s["name"], f"{s['count_met']}/7", text])
    _finish_table(schools, SCHOOL_COLUMNS, WRAPPED)
    return _save(workbook)


# -- Word ----------------------------------------------------------------------------------------------------


def _heading(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    _paragraph(paragraph, text, HEITI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.space_before = Pt(8)
    paragraph.paragraph_format.space_after = Pt(4)


def _body(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    _paragraph(paragraph, text, FANGSONG, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 三号


def _table(document: Any, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[str]]) -> None:
    text_twips = (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) // Twips(1)
    widths = [Twips(int(text_twips * share)) for _h, share in columns]
    table = document.add_table(rows=1, cols=len(columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _set_table_borders(table)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, (text, _s), width in zip(header.cells, columns, widths, strict=True):
        cell.width = width
        _set_cell_text(cell, [text], HEITI, TABLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for values in rows:
        row = table.add_row()
        for cell, text, width in zip(row.cells, values, widths, strict=True):
            cell.width = width
            _set_cell_text(cell, text.split("\n"), FANGSONG, TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)


def report_title(c: CountyAcceptance, year: SchoolYear) -> str:
    return f"{c.county.name}{year.label}义务教育优质均衡发展及学前教育普及普惠自评报告"


def acceptance_docx(c: CountyAcceptance, year: SchoolYear, county_values: dict[str, Any]) -> bytes:
    """One county's self-assessment report skeleton: 总体情况; 一、学前教育普及普惠 (each item: value, standard,
    result, gap); 二、义务教育优质均衡（资源配置）: the 7 indicators per 学段 (county value, standard, result, total
    additions), the CV table and the failing schools with their gaps; 三、说明. ``county_values`` is
    ``adapter.indicator_values(county, year)``."""
    document = Document()
    _set_normal_style(document, FANGSONG, BODY_SIZE)
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.footer_distance = Mm(15)
    _add_page_number(section.footer.paragraphs[0])

    title = document.add_paragraph()
    _paragraph(title, report_title(c, year), XIAOBIAOSONG, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = Pt(16)

    _heading(document, "总体情况")
    _body(document, f"按《县域学前教育普及普惠督导评估办法》（{c.puji.scheme.document}）测算，"
                    f"{c.county.name}学前教育普及普惠：{c.puji.status}。"
                    f"按《县域义务教育优质均衡发展督导评估办法》资源配置指标测算，义务教育优质均衡：{c.youzhi_status}。")

    _heading(document, "一、学前教育普及普惠")
    puji_rows = []
    for r in c.puji.ordered():
        gap = r.gap
        lines = [gap.text(), gap.alternative_text()] if gap is not None else []
        if gap is not None and gap.cost is not None:
            lines.append(f"测算费用 {format_amount(gap.cost)} 元（{gap.cost_per}）")
        if r.reason:
            lines.append(r.reason)
        puji_rows.append([str(r.item.number), r.item.name, r.display, r.item.threshold_text, r.verdict,
                          "\n".join(x for x in lines if x) or "—"])
    _table(document, [("序号", 0.07), ("指标", 0.25), ("现值", 0.12), ("标准", 0.1), ("结果", 0.12),
                      ("差距", 0.34)], puji_rows)

    _heading(document, "二、义务教育优质均衡（资源配置）")
    totals = {(t["section_label"], t["code"]): t for t in c.totals}
    for sec in county_values.get("sections", []):
        _body(document, f"（{sec['section_label']}）参评学校{sec['schools']}所，在校生{sec['pupils']}人。")
        rows = []
        for ind in sec["indicators"]:
            met = None if ind["value"] is None else Fraction(ind["value"]) >= Fraction(ind["threshold"])
            total = totals.get((sec["section_label"], ind["code"]))
            need = f"合计需增加{total['label']} {total['amount_display']} {total['measure']}" if total else "—"
            rows.append([ind["name"], ind["display"] or NO_DATA, ind["threshold_display"], _verdict(met),
                         need if ind["value"] is not None else (ind["reason"] or "—")])
        _table(document, [("指标", 0.34), ("全县值", 0.12), ("标准", 0.1), ("结果", 0.12), ("差距", 0.32)], rows)

    _body(document, "校际差异系数（小学≤0.50、初中≤0.45，按学生数加权）：")
    cv_rows = []
    for check in c.checks:
        if check.kind == "cv":
            cv_rows.append([check.section, check.name.removeprefix("差异系数："), check.display, check.threshold,
                            check.verdict, "\n".join(check.gaps) or check.reason or "—"])
    _table(document, [("学段", 0.08), ("指标", 0.3), ("差异系数", 0.12), ("标准", 0.1), ("结果", 0.1),
                      ("差距", 0.3)], cv_rows or [["—", "无义务教育学校", "", "", "", ""]])

    _body(document, "未达标学校及需增加的资源：")
    school_rows = []
    for s in c.failing_schools:
        plan = s["gaps"]["plan"] if s["gaps"] else []
        missing = s["gaps"]["missing"] if s["gaps"] else []
        text = "；".join(a["text"] for a in plan) + (f"（缺少数据：{'、'.join(missing)}）" if missing else "")
        school_rows.append([s["section_label"], s["name"], f"{s['count_met']}/7", text or "—"])
    _table(document, [("学段", 0.1), ("学校", 0.3), ("达标项数", 0.12), ("需增加", 0.48)],
           school_rows or [["—", "无未达标学校", "", ""]])

    _heading(document, "三、说明")
    costs_note = "，单位成本为示例值，须由本地按实际设定" if c.puji.scheme.unit_costs_are_examples else ""
    _body(document, f"本报告由系统按统计数据自动生成（普及普惠方案 {c.puji.scheme.id} {c.puji.scheme.version}，"
                    f"优质均衡方案 {c.scheme.get('id', '')} {c.scheme.get('version', '')}{costs_note}）。"
                    "差距为达到标准所需的最小增量；“暂无数据”表示相关数据未报送，不按0计，数据补齐前不能认定达标。")
    for note in c.puji.scheme.not_covered:
        _body(document, f"未纳入测算：{note}")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
