"""Files of the indicator pages: the children table of one indicator and the acceptance status as Excel, and one
county's acceptance report (自评报告) as Word in official-document layout and as PDF, both rendered from one
``edugov.lib.report.Report``. The Excel helpers are those of the plan ledger (``edugov.plans.exports``)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from edugov.indicators.acceptance import CountyAcceptance
from edugov.indicators.catalogue import decimal_text
from edugov.indicators.engine.gaps import format_amount
from edugov.indicators.pages import NO_DATA, Row
from edugov.lib.report import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    Column,
    Heading,
    Paragraph,
    Report,
    Table,
    to_docx,
    to_pdf,
)
from edugov.lib.schoolyear import SchoolYear
from edugov.plans.exports import _finish_table, _start_table

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
__all__ = ["DOCX_CONTENT_TYPE", "PDF_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "acceptance_docx", "acceptance_pdf",
           "acceptance_report", "acceptance_xlsx", "children_xlsx", "report_title"]

CHILDREN_COLUMNS = [("机构代码", 14), ("名称", 28), ("数值", 12), ("单位", 10), ("分子", 14), ("分母", 14),
                    ("标准", 12), ("是否达标", 10), ("排名", 8), ("说明", 50)]
PUJI_COLUMNS = [("区县", 16), ("序号", 6), ("指标", 26), ("现值", 12), ("标准", 10), ("结果", 12), ("差距", 40),
                ("测算费用（元）", 16), ("说明", 40)]
YOUZHI_COLUMNS = [("区县", 16), ("学段", 8), ("项目", 34), ("现值", 18), ("标准", 14), ("结果", 12), ("差距", 60)]
SCHOOL_COLUMNS = [("区县", 16), ("学段", 8), ("学校代码", 14), ("学校", 28), ("达标项数", 10), ("需增加", 60)]
PARTS_COLUMNS = [("区县", 16), ("方面", 14), ("序号", 8), ("项目", 40), ("现值", 18), ("标准", 14), ("结果", 10),
                 ("说明", 24)]
WRAPPED = frozenset({"名称", "说明", "差距", "项目", "需增加", "指标", "学校"})


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
    """Sheets 普及普惠 (items failing first), 优质均衡 (school pass share and CVs, failing first), the other three
    parts of 优质均衡 from the latest 督导评价 round (vetoes and unmet items first) and 未达标学校 (each failing
    school section with the additions that make it pass)."""
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

    parts = workbook.create_sheet("政府保障·教育质量·社会认可度")
    _start_table(parts, f"{title} 义务教育优质均衡（政府保障程度、教育质量、社会认可度）", PARTS_COLUMNS)
    for c in counties:
        if c.parts is None or c.parts.result is None:
            parts.append([c.county.name, None, None, "尚未开展评估", None, None, None, None])
            continue
        for v in c.parts.vetoes:
            parts.append([c.county.name, "一票否决", v.code, v.name, None, None, "否决", v.reason or v.stage])
        for area in c.parts.areas:
            for i in [*area.open_items, *(i for i in area.items if i.met is True)]:
                parts.append([c.county.name, area.name, i.code, i.name, i.value, i.threshold,
                              _verdict(i.met) if i.met is not None else "未填报",
                              ("待核实；" if i.uncertain else "") + (i.stage or "")])
    _finish_table(parts, PARTS_COLUMNS, WRAPPED)

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


# -- Word and PDF --------------------------------------------------------------------------------------------


def _table(columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[str]]) -> Table:
    return Table([Column(title, share) for title, share in columns], rows)


def report_title(c: CountyAcceptance, year: SchoolYear) -> str:
    return f"{c.county.name}{year.label}义务教育优质均衡发展及学前教育普及普惠自评报告"


def acceptance_report(c: CountyAcceptance, year: SchoolYear, county_values: dict[str, Any]) -> Report:
    """One county's self-assessment report skeleton: 总体情况; 一、学前教育普及普惠 (each item: value, standard,
    result, gap); 二、义务教育优质均衡（资源配置）: the 7 indicators per 学段 (county value, standard, result, total
    additions), the CV table and the failing schools with their gaps; 三、政府保障程度、教育质量、社会认可度 (from
    the latest 督导评价 round, unmet items first); 四、说明. ``county_values`` is
    ``adapter.indicator_values(county, year)``."""
    report = Report(report_title(c, year))

    open_parts = c.youzhi_open_parts
    report.add(Heading("总体情况"), Paragraph(
        f"按《县域学前教育普及普惠督导评估办法》（{c.puji.scheme.document}）测算，"
        f"{c.county.name}学前教育普及普惠：{c.puji.status}。"
        f"按《县域义务教育优质均衡发展督导评估办法》测算，资源配置：{c.youzhi_status}；"
        f"义务教育优质均衡总体：{c.youzhi_overall}"
        + (f"（尚未达到：{'、'.join(open_parts)}）。" if open_parts else "。")))

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
    report.add(Heading("一、学前教育普及普惠"),
               _table([("序号", 0.07), ("指标", 0.25), ("现值", 0.12), ("标准", 0.1), ("结果", 0.12),
                       ("差距", 0.34)], puji_rows))

    report.add(Heading("二、义务教育优质均衡（资源配置）"))
    totals = {(t["section_label"], t["code"]): t for t in c.totals}
    for sec in county_values.get("sections", []):
        report.add(Paragraph(f"（{sec['section_label']}）参评学校{sec['schools']}所，在校生{sec['pupils']}人。"))
        rows = []
        for ind in sec["indicators"]:
            met = None if ind["value"] is None else Fraction(ind["value"]) >= Fraction(ind["threshold"])
            total = totals.get((sec["section_label"], ind["code"]))
            need = f"合计需增加{total['label']} {total['amount_display']} {total['measure']}" if total else "—"
            rows.append([ind["name"], ind["display"] or NO_DATA, ind["threshold_display"], _verdict(met),
                         need if ind["value"] is not None else (ind["reason"] or "—")])
        report.add(_table([("指标", 0.34), ("全县值", 0.12), ("标准", 0.1), ("结果", 0.12), ("差距", 0.32)], rows))

    cv_rows = []
    for check in c.checks:
        if check.kind == "cv":
            cv_rows.append([check.section, check.name.removeprefix("差异系数："), check.display, check.threshold,
                            check.verdict, "\n".join(check.gaps) or check.reason or "—"])
    report.add(Paragraph("校际差异系数（按学生数加权）："),
               _table([("学段", 0.08), ("指标", 0.3), ("差异系数", 0.12), ("标准", 0.1), ("结果", 0.1),
                       ("差距", 0.3)], cv_rows or [["—", "无义务教育学校", "", "", "", ""]]))

    school_rows = []
    for s in c.failing_schools:
        plan = s["gaps"]["plan"] if s["gaps"] else []
        missing = s["gaps"]["missing"] if s["gaps"] else []
        text = "；".join(a["text"] for a in plan) + (f"（缺少数据：{'、'.join(missing)}）" if missing else "")
        school_rows.append([s["section_label"], s["name"], f"{s['count_met']}/7", text or "—"])
    report.add(Paragraph("未达标学校及需增加的资源："),
               _table([("学段", 0.1), ("学校", 0.3), ("达标项数", 0.12), ("需增加", 0.48)],
                      school_rows or [["—", "无未达标学校", "", ""]]))

    _add_parts(report, c)

    costs_note = "，单位成本为示例值，须由本地按实际设定" if c.puji.scheme.unit_costs_are_examples else ""
    report.add(Heading("四、说明"), Paragraph(
        f"本报告由系统按统计数据自动生成（普及普惠方案 {c.puji.scheme.id} {c.puji.scheme.version}，"
        f"优质均衡方案 {c.scheme.get('id', '')} {c.scheme.get('version', '')}{costs_note}）。"
        "差距为达到标准所需的最小增量；“暂无数据”表示相关数据未报送，不按0计，数据补齐前不能认定达标。"))
    report.add(*(Paragraph(f"未纳入测算：{note}") for note in c.puji.scheme.not_covered))
    return report


def _add_parts(report: Report, c: CountyAcceptance) -> None:
    """三、政府保障程度、教育质量、社会认可度: from the latest 督导评价 round on the parts scheme, items not met
    first; a sentence saying so when no round covers the county."""
    report.add(Heading("三、义务教育优质均衡（政府保障程度、教育质量、社会认可度）"))
    parts = c.parts
    if parts is None or parts.result is None or parts.round is None:
        report.add(Paragraph("尚未开展评估：在“督导评价”中以本方案为本区县开展一轮评估（自评、复评、抽查）后，"
                             "报告列出各项达标情况。"))
        return
    counts = "；".join(f"{a.name}{a.met_count}/{a.total}项达到" for a in parts.item_areas)
    recognition = parts.recognition
    recognition_text = f"；社会认可度 {recognition.value}（标准 {recognition.threshold}）" if recognition else ""
    report.add(Paragraph(f"依据“{parts.round.name}”的评估结果（各阶段中最后填报的值为准）：{parts.status}。"
                         f"{counts}{recognition_text}。"))
    if parts.vetoes:
        report.add(Paragraph("一票否决：" + "；".join(f"{v.name}（{v.reason or v.stage}）" for v in parts.vetoes)
                             + "。"))
    for area in parts.areas:
        ordered = [*area.open_items, *(i for i in area.items if i.met is True)]
        rows = [[i.code, i.name, i.value, i.threshold, _verdict(i.met) if i.met is not None else "未填报",
                 ("待核实 " if i.uncertain else "") + (i.stage or "—")] for i in ordered]
        report.add(Paragraph(f"{area.name}："),
                   _table([("序号", 0.08), ("指标", 0.4), ("现值", 0.14), ("标准", 0.12), ("结果", 0.1),
                           ("阶段", 0.16)], rows or [["—", "无", "", "", "", ""]]))


def acceptance_docx(c: CountyAcceptance, year: SchoolYear, county_values: dict[str, Any]) -> bytes:
    """The report as Word in official-document layout (GB/T 9704: A4 portrait, 仿宋_GB2312 body, 黑体 headings,
    方正小标宋简体 title, “— N —” page numbers)."""
    return to_docx(acceptance_report(c, year, county_values))


def acceptance_pdf(c: CountyAcceptance, year: SchoolYear, county_values: dict[str, Any]) -> bytes:
    """The report as PDF, same content and page layout as the Word file."""
    return to_pdf(acceptance_report(c, year, county_values))
