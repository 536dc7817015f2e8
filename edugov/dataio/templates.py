"""The blank import template: one sheet per table, plus 填写说明, 示例 and 代码表, generated from tables.py."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from edugov.dataio.describe import choice_words, codelist_rows, kind_description
from edugov.dataio.tables import TABLES, Column

REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: rows that get drop-down lists for yes/no and fixed-vocabulary columns
TEXT_ROWS = 2000

GENERAL_NOTES = (
    "1. 每张工作表对应一张数据表，工作表名称不要修改；不需要的工作表可以删除或留空。",
    "2. 第一行是表头，标 * 的列为必填。表头可以使用“填写说明”中列出的别名。",
    "3. 从第二行起每行一条记录，不要合并单元格，不要使用公式（请“选择性粘贴为数值”）。",
    "4. 代码类的列可以填代码，也可以填名称，见“代码表”工作表。",
    "5. 导入是“全部成功才写入”：只要有一处错误，整个文件都不会写入，请按错误报告修改后重新导入。",
    "6. 已有学生或教师个人记录的学校，分年级在校生、班级和专任教师统计由个人记录自动汇总，不要再填写这三张表。",
    "7. “示例”工作表中的示例行仅供参考，不会被导入。",
)


def _style_header(cell: openpyxl.cell.Cell, column: Column) -> None:
    cell.font = REQUIRED_FONT if column.required else HEADER_FONT
    cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border = BORDER


def _header_text(column: Column) -> str:
    # The importer strips the * marker (edugov.lib.text.normalize_header), so the marked header still matches.
    return f"{column.header}*" if column.required else column.header


def _width(text: str) -> float:
    # CJK characters take about two character widths.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2


def _is_identifier(column: Column) -> bool:
    return column.kind in {"unit_code", "id_number"} or column.field in {
        "code", "student_no", "staff_no", "division_code", "stat_division_code"} or (
        column.kind.startswith("code:") and "代码" in column.header)


def _table_sheet(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=_header_text(column))
        _style_header(cell, column)
        note = kind_description(column) + (f"。{column.help}" if column.help else "")
        cell.comment = Comment(("必填。" if column.required else "") + note, "edugov")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10.0, min(40.0, _width(_header_text(column))))
        # Column styles apply to every cell the user types into, without materialising thousands of cells.
        if _is_identifier(column):
            sheet.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        words: list[str] | None = None
        if column.kind == "bool":
            words = ["是", "否"]
        elif column.kind.startswith("choice:"):
            words = choice_words(column.kind.split(":", 1)[1])
        if words and len(",".join(words)) < 250:
            validation = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                                        showErrorMessage=False)
            validation.add(f"{letter}2:{letter}{TEXT_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30


def _instructions(sheet: Worksheet) -> None:
    sheet["A1"] = "教育数据导入模板 填写说明"
    sheet["A1"].font = TITLE_FONT
    row = 2
    for note in GENERAL_NOTES:
        sheet.cell(row=row, column=1, value=note)
        row += 1
    row += 1
    headers = ("工作表", "列名", "必填", "填写格式", "说明", "也可用的列名", "示例")
    for index, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=index, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
    for table in TABLES:
        row += 1
        cell = sheet.cell(row=row, column=1, value=table.sheet)
        cell.font = HEADER_FONT
        sheet.cell(row=row, column=5, value=table.description)
        for column in table.columns:
            row += 1
            values = (table.sheet, column.header, "是" if column.required else "", kind_description(column),
                      column.help, "、".join(column.aliases), column.example)
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=index, value=value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column.required:
                sheet.cell(row=row, column=2).font = REQUIRED_FONT
    for letter, width in zip("ABCDEFG", (12, 26, 6, 34, 50, 26, 22), strict=True):
        sheet.column_dimensions[letter].width = width


def _examples(sheet: Worksheet) -> None:
    sheet["A1"] = "示例（仅供参考，本工作表不会被导入）"
    sheet["A1"].font = TITLE_FONT
    row = 3
    for table in TABLES:
        sheet.cell(row=row, column=1, value=f"【{table.sheet}】").font = HEADER_FONT
        row += 1
        for index, column in enumerate(table.columns, start=1):
            _style_header(sheet.cell(row=row, column=index, value=_header_text(column)), column)
        row += 1
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=row, column=index, value=column.example or None)
            cell.number_format = "@"
        row += 2
    for index in range(1, max(len(t.columns) for t in TABLES) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18


def _codes(sheet: Worksheet) -> None:
    headers = ("代码表", "用于", "代码", "名称", "也可填写")
    for index, text in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
    for row_index, values in enumerate(codelist_rows(), start=2):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_index, column=index, value=value or None)
            if index == 3:
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:E{sheet.max_row}"
    for letter, width in zip("ABCDE", (16, 40, 8, 30, 40), strict=True):
        sheet.column_dimensions[letter].width = width


def template_workbook() -> bytes:
    """The template as .xlsx bytes: 填写说明, one empty sheet per table, 示例 and 代码表."""
    workbook = openpyxl.Workbook()
    _instructions(workbook.active)
    workbook.active.title = "填写说明"
    for table in TABLES:
        _table_sheet(workbook.create_sheet(table.sheet), table.columns)
    _examples(workbook.create_sheet("示例"))
    _codes(workbook.create_sheet("代码表"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
