"""The task ledger (任务分解表) as files bureau staff pass on: an Excel workbook to track and filter, and a Word table
laid out as an attachment to an official document (党政机关公文格式, GB/T 9704).

The functions write nothing and read only the objects they are given and their related rows: each task's lead and
co-operating units, reports (the latest one is shown) and 督办 notices (the open ones count), each target's owner, and
the plan's unit and published (else latest) version for the 说明 sheet. Callers should pass tasks with `lead_unit`
selected and `co_units`, `reports` and `escalations` prefetched, in the order the ledger should show (usually by
number), and targets with `owner` selected; the files keep the order given.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, Twips
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from edugov.dataio.export import format_decimal
from edugov.lib.report import (
    add_page_number,
    docx_paragraph,
    repeat_as_header,
    set_cell_text,
    set_normal_style,
    set_table_borders,
)
from edugov.plans.models import Comparator, Plan, PlanVersion, Target, Task, TaskReport, TaskStatus

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

NO_DEADLINE = "长期"
TASK_SHEET = "任务台账"
TARGET_SHEET = "量化目标"
ABOUT_SHEET = "说明"
# (header, column width in characters)
TASK_COLUMNS = [("序号", 6), ("所属章节", 22), ("工作任务", 50), ("牵头单位", 16), ("配合单位", 24), ("完成时限", 12),
                ("状态", 9), ("完成进度", 9), ("最新进展", 42), ("报送时间", 17), ("是否逾期", 9), ("督办", 14)]
TARGET_COLUMNS = [("原文", 44), ("指标对象", 24), ("比较方式", 12), ("目标值", 12), ("上限", 10), ("单位", 8),
                  ("口径", 10), ("时限", 14), ("范围", 16), ("责任单位", 16), ("关联指标", 18)]
WRAPPED_TASK_COLUMNS = frozenset({"所属章节", "工作任务", "牵头单位", "配合单位", "最新进展", "督办"})
WRAPPED_TARGET_COLUMNS = frozenset({"原文", "指标对象", "范围", "责任单位"})

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
OVERDUE_FONT = Font(color="C00000", bold=True)
WITHDRAWN_FONT = Font(color="808080")
THIN = Side(style="thin", color="000000")
CELL_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# float(Decimal) keeps every digit up to 15 significant ones; longer values are written as text to stay exact.
EXACT_FLOAT_DIGITS = 15

# Word: A4 landscape; GB/T 9704 margins (订口 28 mm, 翻口 26 mm) used on every side of the landscape page.
PAGE_WIDTH, PAGE_HEIGHT = Mm(297), Mm(210)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = Mm(28), Mm(26), Mm(28), Mm(26)
HEITI, FANGSONG, XIAOBIAOSONG, SONGTI = "黑体", "仿宋_GB2312", "方正小标宋简体", "宋体"
SIZE_2, SIZE_3, SIZE_4, BODY_SIZE = Pt(22), Pt(16), Pt(14), Pt(12)  # 二号, 三号, 四号, body of the table
# (header, share of the text width)
DOC_COLUMNS = [("序号", 0.06), ("工作任务", 0.38), ("牵头单位", 0.12), ("配合单位", 0.16), ("完成时限", 0.10),
               ("进展情况", 0.18)]
CENTRED_DOC_COLUMNS = frozenset({0, 4})


# -- shared --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TaskFacts:
    """What both files show of a task, derived once from the task and its related rows."""

    task: Task
    co_units: str
    status: str
    overdue: bool
    latest: TaskReport | None
    open_escalations: int
    escalation_levels: tuple[int, ...]

    @property
    def escalation_text(self) -> str:
        if not self.open_escalations:
            return ""
        levels = "、".join(f"第{level}级" for level in self.escalation_levels)
        return f"{self.open_escalations}件（{levels}）"


def _facts(task: Task, today: dt.date) -> _TaskFacts:
    reports = list(task.reports.all())
    latest = max(reports, key=lambda r: (r.created_at, r.pk)) if reports else None
    open_notices = [e for e in task.escalations.all() if e.resolved_at is None]
    return _TaskFacts(
        task=task,
        co_units="、".join(unit.name for unit in task.co_units.all()),
        status=_label(TaskStatus, task.status),
        overdue=task.is_overdue(today),
        latest=latest,
        open_escalations=len(open_notices),
        escalation_levels=tuple(sorted({e.level for e in open_notices})),
    )


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def plan_heading(plan: Plan) -> str:
    """“2025年教育工作要点”: the plan's title with its year in front unless the title already names it."""
    year = f"{plan.year}年"
    return plan.title if year in plan.title else f"{year}{plan.title}"


def ledger_title(plan: Plan) -> str:
    """The Word title: “示范市2025年教育工作要点任务分解表”, without repeating a unit or suffix the title holds."""
    heading = plan_heading(plan)
    unit = plan.unit.name
    if unit in heading:
        unit = ""
    suffix = "" if heading.endswith("任务分解表") else "任务分解表"
    return f"{unit}{heading}{suffix}"


def _cn_date(day: dt.date) -> str:
    """“2025年6月底” for a month's last day (as plans write 6月底前), else “2025年6月15日”."""
    if (day + dt.timedelta(days=1)).month != day.month:
        return f"{day.year}年{day.month}月底"
    return f"{day.year}年{day.month}月{day.day}日"


def _version_of(plan: Plan) -> PlanVersion | None:
    return plan.published_version or plan.latest_version


# -- Excel ---------------------------------------------------------------------------------------------------


def ledger_xlsx(plan: Plan, tasks: Sequence[Task], targets: Sequence[Target], *, today: dt.date) -> bytes:
    """The ledger as an .xlsx workbook: sheet 任务台账 (one row per task, withdrawn ones included as 已撤销; 是否逾期
    is judged against `today`), sheet 量化目标 (the given targets, values exact) and sheet 说明 (where the plan
    comes from and when the file was made)."""
    workbook = Workbook()
    task_sheet = workbook.active
    assert task_sheet is not None  # a new workbook always has one sheet
    task_sheet.title = TASK_SHEET
    facts = [_facts(task, today) for task in tasks]
    _write_tasks(task_sheet, plan, facts)
    _write_targets(workbook.create_sheet(TARGET_SHEET), plan, targets)
    _write_about(workbook.create_sheet(ABOUT_SHEET), plan, facts, today)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _start_table(sheet: Worksheet, title: str, columns: Sequence[tuple[str, int]]) -> None:
    """Title on row 1 (merged across the table), bold headers on row 2, frozen under the header, printed landscape
    with the header repeated on every page."""
    sheet.append([title])
    last = get_column_letter(len(columns))
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    sheet.append([header for header, _width in columns])
    for index, (_header, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = CELL_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _finish_table(sheet: Worksheet, columns: Sequence[tuple[str, int]], wrapped: frozenset[str]) -> None:
    """Borders, alignment and wrapping for the data rows, and the filter over header and data."""
    wrap_columns = {index for index, (header, _w) in enumerate(columns, start=1) if header in wrapped}
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=len(columns)):
        for cell in row:
            cell.border = CELL_BORDER
            wrap = cell.column in wrap_columns
            cell.alignment = Alignment(vertical="top" if wrap else "center", wrap_text=wrap,
                                       horizontal=None if wrap else "center")
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(sheet.max_row, 2)}"


def _naive_local(moment: dt.datetime) -> dt.datetime:
    """Excel has no time zones: the local wall-clock time."""
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def _write_tasks(sheet: Worksheet, plan: Plan, facts: Sequence[_TaskFacts]) -> None:
    _start_table(sheet, f"{plan_heading(plan)}任务台账", TASK_COLUMNS)
    for fact in facts:
        task = fact.task
        reported_at = fact.latest.created_at if fact.latest else task.last_reported_at
        sheet.append([
            task.number, task.section_title or None, task.content, task.lead_unit.name, fact.co_units or None,
            task.deadline or NO_DEADLINE, fact.status, task.progress / 100, fact.latest.text if fact.latest else None,
            _naive_local(reported_at) if reported_at else None, "是" if fact.overdue else "否",
            fact.escalation_text or None,
        ])
        row = sheet.max_row
        if task.deadline:
            sheet.cell(row=row, column=6).number_format = DATE_FORMAT
        sheet.cell(row=row, column=8).number_format = "0%"
        sheet.cell(row=row, column=10).number_format = DATETIME_FORMAT
        if task.status == TaskStatus.WITHDRAWN:
            for cell in sheet[row]:
                cell.font = WITHDRAWN_FONT
        elif fact.overdue:
            sheet.cell(row=row, column=11).font = OVERDUE_FONT
    _finish_table(sheet, TASK_COLUMNS, WRAPPED_TASK_COLUMNS)


def excel_number(value: Decimal) -> tuple[int | float | str, str]:
    """A target value for a cell, exactly as written in the plan, and the number format that displays it exactly:
    95.500000 → (95.5, "0.0"), 15000 → (15000, "0"). Values a float cannot hold exactly stay text (format "@")."""
    text = format_decimal(value)
    if "." not in text:
        digits = len(text.lstrip("-"))
        return (int(text), "0") if digits <= EXACT_FLOAT_DIGITS else (text, "@")
    whole, fraction = text.split(".")
    if len(whole.lstrip("-").lstrip("0")) + len(fraction) > EXACT_FLOAT_DIGITS:
        return text, "@"
    return float(text), "0." + "0" * len(fraction)


def _write_targets(sheet: Worksheet, plan: Plan, targets: Sequence[Target]) -> None:
    _start_table(sheet, f"{plan_heading(plan)}量化目标", TARGET_COLUMNS)
    for target in targets:
        value, value_format = excel_number(target.value)
        value_max, max_format = excel_number(target.value_max) if target.value_max is not None else (None, "General")
        deadline = target.deadline_text or (_cn_date(target.period_end) if target.period_end else None)
        sheet.append([
            target.quote, target.subject, _label(Comparator, target.comparator), value, value_max,
            target.unit_of_measure or None, target.per or None, deadline, target.scope_text or None,
            target.owner.name if target.owner else None, target.indicator_code or None,
        ])
        row = sheet.max_row
        sheet.cell(row=row, column=4).number_format = value_format
        sheet.cell(row=row, column=5).number_format = max_format
    _finish_table(sheet, TARGET_COLUMNS, WRAPPED_TARGET_COLUMNS)


def _write_about(sheet: Worksheet, plan: Plan, facts: Sequence[_TaskFacts], today: dt.date) -> None:
    version = _version_of(plan)
    withdrawn = sum(1 for f in facts if f.task.status == TaskStatus.WITHDRAWN)
    rows: list[tuple[str, Any]] = [
        ("工作计划", plan_heading(plan)),
        ("发文单位", (version.issuer if version else "") or plan.unit.name),
        ("文件标题", version.doc_title if version else ""),
        ("文号", version.doc_number if version else ""),
        ("发文日期", version.issued_on if version else None),
        ("版本号", f"第{version.number}版" if version else ""),
        ("任务数", f"{len(facts)}项（其中已撤销{withdrawn}项）" if withdrawn else f"{len(facts)}项"),
        ("逾期判断日期", today),
        ("导出时间", _naive_local(timezone.now())),
        ("说明", "是否逾期：完成时限早于逾期判断日期且尚未完成（已完成、已撤销的任务不计）；"
                 "完成时限为“长期”的任务不计逾期。督办为尚未办结的督办件数及层级。"),
    ]
    sheet.append(["项目", "内容"])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for label, value in rows:
        sheet.append([label, value if value != "" else None])
        cell = sheet.cell(row=sheet.max_row, column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value, dt.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70


# -- Word ----------------------------------------------------------------------------------------------------


def _progress_lines(fact: _TaskFacts) -> list[str]:
    task = fact.task
    if task.status == TaskStatus.DONE:
        first = f"{fact.status}（{_cn_date(task.completed_on)}）" if task.completed_on else fact.status
    elif task.status == TaskStatus.IN_PROGRESS:
        first = f"{fact.status}（完成{task.progress}%）"
    else:
        first = fact.status
    if fact.overdue:
        first += "，已逾期"
    lines = [first]
    if fact.latest and fact.latest.text.strip():
        lines.extend(line.strip() for line in fact.latest.text.splitlines() if line.strip())
    return lines


def ledger_docx(plan: Plan, tasks: Sequence[Task], *, today: dt.date) -> bytes:
    """The ledger as a .docx attachment in official-document style: A4 landscape, “附件” in 三号黑体, the title
    in 二号方正小标宋简体, then the table (序号, 工作任务, 牵头单位, 配合单位, 完成时限, 进展情况) with its header
    repeated on every page and a merged row wherever the section changes; page numbers “— N —” in the footer.
    Withdrawn tasks are left out; “已逾期” is judged against `today`."""
    document = Document()
    set_normal_style(document, FANGSONG, BODY_SIZE)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.footer_distance = Mm(15)
    add_page_number(section.footer.paragraphs[0])

    docx_paragraph(document.add_paragraph(), "附件", HEITI, SIZE_3, align=WD_ALIGN_PARAGRAPH.LEFT)
    title = document.add_paragraph()
    docx_paragraph(title, ledger_title(plan), XIAOBIAOSONG, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_before = Pt(16)
    title.paragraph_format.space_after = Pt(16)

    # Word stores widths in twips: share the text width out in whole twips so the table never overflows it.
    text_twips = (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) // Twips(1)
    widths = [Twips(int(text_twips * share)) for _header, share in DOC_COLUMNS]
    table = document.add_table(rows=1, cols=len(DOC_COLUMNS))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    set_table_borders(table)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header = table.rows[0]
    repeat_as_header(header)
    for cell, (text, _share), width in zip(header.cells, DOC_COLUMNS, widths, strict=True):
        cell.width = width
        set_cell_text(cell, [text], HEITI, SIZE_4, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    section_title: str | None = None
    for task in tasks:
        if task.status == TaskStatus.WITHDRAWN:
            continue
        if task.section_title and task.section_title != section_title:
            row = table.add_row()
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
            merged = row.cells[0].merge(row.cells[-1])
            set_cell_text(merged, [task.section_title], HEITI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)
        section_title = task.section_title or section_title
        fact = _facts(task, today)
        values = [[str(task.number)], [task.content], [task.lead_unit.name], [fact.co_units],
                  [_cn_date(task.deadline) if task.deadline else NO_DEADLINE], _progress_lines(fact)]
        row = table.add_row()
        for index, (cell, lines, width) in enumerate(zip(row.cells, values, widths, strict=True)):
            cell.width = width
            align = WD_ALIGN_PARAGRAPH.CENTER if index in CENTRED_DOC_COLUMNS else WD_ALIGN_PARAGRAPH.LEFT
            set_cell_text(cell, lines, FANGSONG, BODY_SIZE, align=align)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
