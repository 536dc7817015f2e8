"""The error report a user downloads after a failed import: one row per root cause, in Chinese."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

from edugov.dataio.models import ImportRun
from edugov.dataio.problems import ERROR
from edugov.dataio.tables import TABLES_BY_KEY

REPORT_HEADERS = ("文件", "工作表", "行", "列", "错误值", "问题", "修改建议", "出现次数", "级别")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WIDTHS = (18, 14, 22, 20, 22, 60, 50, 10, 8)


def _column_text(error: dict[str, Any]) -> str:
    header, letter = error.get("column") or "", error.get("column_letter") or ""
    if header and letter:
        return f"{letter} 列（{header}）"
    return header or (f"{letter} 列" if letter else "")


def error_workbook(run_or_errors: ImportRun | Sequence[dict[str, Any]]) -> bytes:
    """The .xlsx report (文件, 工作表, 行, 列, 错误值, 问题, 修改建议, 出现次数), errors before warnings; with a
    汇总 sheet of per-table counts when given an ImportRun."""
    if isinstance(run_or_errors, ImportRun):
        errors: Sequence[dict[str, Any]] = run_or_errors.errors or []
        summary: dict[str, dict[str, int]] = run_or_errors.summary or {}
    else:
        errors, summary = run_or_errors, {}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "错误报告"
    sheet.append(REPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for error in errors:
        severity = error.get("severity", ERROR)
        sheet.append([
            error.get("file", ""), error.get("sheet", ""), error.get("rows_text") or error.get("row") or "",
            _column_text(error), error.get("value", ""), error.get("problem", ""), error.get("fix", ""),
            error.get("count", 1), "错误" if severity == ERROR else "提醒",
        ])
        fill = ERROR_FILL if severity == ERROR else WARNING_FILL
        sheet.cell(row=sheet.max_row, column=len(REPORT_HEADERS)).fill = fill
    if not errors:
        sheet.append(["", "", "", "", "", "没有发现问题", "", 0, ""])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if summary:
        totals = workbook.create_sheet("汇总")
        totals.append(("表", "新增", "修改", "未变", "有错的行"))
        for cell in totals[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for key, counts in summary.items():
            table = TABLES_BY_KEY.get(key)
            totals.append((table.sheet if table else key, counts.get("new", 0), counts.get("changed", 0),
                           counts.get("unchanged", 0), counts.get("error", 0)))
        totals.column_dimensions["A"].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
