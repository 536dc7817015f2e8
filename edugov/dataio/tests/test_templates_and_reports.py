"""The template workbook, the error report and the generated documentation."""

from __future__ import annotations

import io

import openpyxl

from edugov.dataio import docs
from edugov.dataio.reports import REPORT_HEADERS, error_workbook
from edugov.dataio.services import import_path
from edugov.dataio.tables import TABLES
from edugov.dataio.templates import template_workbook
from edugov.dataio.tests.conftest import STUDENT_HEADERS, student, write_csv
from edugov.dataio.validate import compile_converter
from edugov.lib import codelists


def test_the_template_has_a_sheet_per_table_instructions_examples_and_every_code_list():
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert workbook.sheetnames == ["填写说明", *(t.sheet for t in TABLES), "示例", "代码表"]
    students = workbook["学生"]
    headers = [cell.value for cell in students[1]]
    assert headers[:2] == ["学年*", "学籍号*"] and "身份证号" in headers  # required headers carry the * marker
    assert students["A1"].font.bold and students["A1"].font.color.rgb.endswith("C00000")
    assert students.column_dimensions["B"].width >= 10
    codes = workbook["代码表"]
    listed = {(row[0], row[2]) for row in codes.iter_rows(min_row=2, values_only=True)}
    assert ("民族", "01") in listed and ("办学类型", "211") in listed
    titles = {row[0] for row in codes.iter_rows(min_row=2, values_only=True)}
    assert len(titles) == len(codelists.CODELIST_NAMES) + 7  # every code list and every fixed vocabulary
    examples = [row for row in workbook["示例"].iter_rows(values_only=True) if row and row[0] == "2024"]
    assert examples, "example rows are on the 示例 sheet"
    instructions = [row for row in workbook["填写说明"].iter_rows(values_only=True) if row[1] == "身份证号"]
    assert len(instructions) == 2  # 学生 and 教师


def test_the_blank_template_imports_as_nothing_to_do(city, personas, tmp_path):
    path = tmp_path / "模板.xlsx"
    path.write_bytes(template_workbook())
    result = import_path(path, actor=personas.city_admin)
    assert result.ok, result.errors
    assert all(sum(c.values()) == 0 for c in result.summary.values())


def test_every_example_value_in_the_template_is_itself_valid():
    for table in TABLES:
        for column in table.columns:
            if column.example:
                compile_converter(column)(column.example)  # raises CellError if an example is malformed


def test_the_error_report_has_one_row_per_root_cause_with_its_count(city, personas, tmp_path):
    rows = [STUDENT_HEADERS] + [student(f"G{i}", seq=i, school="2137029999") for i in range(5)]
    result = import_path(write_csv(tmp_path / "学生.csv", rows), actor=personas.east_admin)
    workbook = openpyxl.load_workbook(io.BytesIO(error_workbook(result.errors)))
    sheet = workbook["错误报告"]
    assert tuple(cell.value for cell in sheet[1]) == REPORT_HEADERS
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(body) == 1
    file, sheet_name, rows_text, column, value, problem, fix, count, level = body[0]
    assert (file, sheet_name, column, value) == ("学生.csv", "学生", "G 列（学校标识码）", "2137029999")
    assert (count, level) == (5, "错误")
    assert rows_text.startswith("2、3、4、5、6") and "不存在" in problem and fix


def test_the_data_format_document_matches_the_tables():
    assert docs.is_current(), "docs/data-format.md is out of date: run python -m edugov.dataio.docs"
    text = docs.DOC_PATH.read_text(encoding="utf-8")
    for table in TABLES:
        assert f"### {table.sheet}（{table.key}）" in text
        for column in table.columns:
            assert f"| {column.header} |" in text
