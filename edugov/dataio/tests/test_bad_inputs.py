"""Every bad input of the Foundation issue: each gives a clear Chinese error naming sheet, row and column, and the
database stays exactly as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from edugov.dataio import handlers
from edugov.dataio.services import import_path
from edugov.dataio.tests.conftest import (
    STUDENT_HEADERS,
    db_state,
    many_students,
    pid,
    student,
    write_csv,
    write_xlsx,
)
from edugov.stats.models import StudentRecord


def only_error(result: Any, code: str) -> dict[str, Any]:
    errors = [e for e in result.errors if e["severity"] == "error" and e["code"] == code]
    assert len(errors) == 1, result.errors
    return errors[0]


def import_unchanged(path: Path, actor: Any) -> Any:
    """Imports, asserts that it failed and that nothing at all was written, and returns the result."""
    before = db_state()
    result = import_path(path, actor=actor)
    assert not result.ok
    assert not result.applied
    assert db_state() == before
    return result


def test_a_misspelled_required_column_is_named_with_a_suggestion_and_the_headers_found(city, personas, tmp_path):
    headers = [h if h != "学籍号" else "学藉号" for h in STUDENT_HEADERS]
    path = write_xlsx(tmp_path / "students.xlsx", {"学生": [headers, student("G1")]})
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "missing_column")
    assert error["sheet"] == "学生"
    assert error["row"] == 1
    assert error["column"] == "学籍号"
    assert "缺少必填列“学籍号”" in error["problem"]
    assert "学藉号" in error["problem"] and "姓名" in error["problem"]  # the suggestion and the headers found
    assert "改为“学籍号”" in error["fix"]
    # the misspelling is not reported a second time as an unknown column
    assert not [e for e in result.errors if e["code"] == "unknown_column"]


def test_a_missing_column_gives_one_error_per_column_and_extra_columns_only_warn(city, personas, tmp_path):
    headers = [h for h in STUDENT_HEADERS if h not in {"姓名", "年级"}] + ["备注"]
    row = [v for h, v in zip(STUDENT_HEADERS, student("G1"), strict=True) if h not in {"姓名", "年级"}] + ["转入"]
    path = write_xlsx(tmp_path / "students.xlsx", {"学生": [headers, row]})
    result = import_unchanged(path, personas.east_admin)
    missing = sorted(e["column"] for e in result.errors if e["code"] == "missing_column")
    assert missing == ["姓名", "年级"]
    warning = next(e for e in result.errors if e["code"] == "unknown_column")
    assert warning["severity"] == "warning"
    assert warning["column"] == "备注" and warning["column_letter"] == "H"


def test_merged_cells_are_reported_with_their_rows_and_column(city, personas, tmp_path):
    path = tmp_path / "students.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "学生"
    sheet.append(STUDENT_HEADERS)
    for index in range(3):
        sheet.append(student(f"G{index}", seq=index))
    sheet.merge_cells("G3:G4")  # 学校标识码 typed once for two pupils
    workbook.save(path)
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "merged_cells")
    assert error["problem"] == "第3至4行 G 列为合并单元格"
    assert "取消合并" in error["fix"]
    assert error["sheet"] == "学生" and error["row"] == 3
    # the emptied cell under the merge is the same root cause, not a second error
    assert not [e for e in result.errors if e["code"] == "required"]


def test_formulas_are_refused_with_their_cells(city, personas, tmp_path):
    rows: list[list[Any]] = [["学年", "学校标识码", "图书（册）", "备注"],
                             [2024, "2137020001", "=30000+6000", "=1+1"]]
    path = write_xlsx(tmp_path / "stats.xlsx", {"办学条件": rows})
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "formula")
    assert (error["sheet"], error["row"], error["column"], error["column_letter"]) == ("办学条件", 2, "图书（册）", "C")
    assert "单元格含公式" in error["problem"]
    assert "选择性粘贴为数值" in error["fix"]  # the ignored 备注 column may compute what it likes


def test_an_invalid_id_number_check_digit_names_the_expected_digit(city, personas, tmp_path):
    good = pid("37020220170101011")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = write_xlsx(tmp_path / "students.xlsx", {"学生": [STUDENT_HEADERS, student("G1", id_number=bad)]})
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "id_check_digit")
    assert (error["sheet"], error["row"], error["column"], error["column_letter"]) == ("学生", 2, "身份证号", "C")
    assert f"校验位应为 {good[-1]}" in error["problem"]
    assert error["value"] == bad


def test_a_duplicate_student_number_in_the_file_names_both_rows(city, personas, tmp_path):
    rows = [STUDENT_HEADERS, student("G1", seq=1), student("G2", seq=2), student("G1", seq=3)]
    path = write_xlsx(tmp_path / "students.xlsx", {"学生": rows})
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "duplicate_person")
    assert error["row"] == 4 and error["column"] == "学籍号"
    assert "第 2 行" in error["problem"]


def test_a_student_number_registered_at_another_school_is_refused(city, personas, tmp_path):
    first = write_xlsx(tmp_path / "first.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]})
    assert import_path(first, actor=personas.east_admin).ok
    moved = student("G1", school="3137020002", grade="七年级")
    second = write_xlsx(tmp_path / "second.xlsx", {"学生": [STUDENT_HEADERS, moved]})
    result = import_unchanged(second, personas.east_admin)
    error = only_error(result, "registered_elsewhere")
    assert error["problem"] == "学籍号已在 东区实验小学 登记"
    assert error["row"] == 2


def test_the_same_id_number_under_a_second_student_number_is_refused_in_file_and_against_the_database(
        city, personas, tmp_path):
    shared = pid("37020220170101011")
    in_file = write_xlsx(tmp_path / "a.xlsx", {"学生": [STUDENT_HEADERS, student("G1", id_number=shared),
                                                        student("G2", id_number=shared)]})
    result = import_unchanged(in_file, personas.east_admin)
    assert only_error(result, "duplicate_id")["row"] == 3
    assert import_path(write_xlsx(tmp_path / "b.xlsx", {"学生": [STUDENT_HEADERS, student("G1", id_number=shared)]}),
                       actor=personas.east_admin).ok
    later = write_xlsx(tmp_path / "c.xlsx", {"学生": [STUDENT_HEADERS, student("G9", id_number=shared)]})
    error = only_error(import_unchanged(later, personas.east_admin), "id_registered")
    assert "G1" in error["problem"]


def test_an_unknown_school_code_on_many_rows_is_one_error_with_the_row_count(city, personas, tmp_path):
    rows = [STUDENT_HEADERS] + [student(f"G{i}", seq=i, school="2137029999") for i in range(300)]
    path = write_csv(tmp_path / "学生.csv", rows)
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "unknown_unit")
    assert error["count"] == 300
    assert error["column"] == "学校标识码" and error["column_letter"] == "G"
    assert error["rows"][:3] == [2, 3, 4] and error["last_row"] == 301
    assert "2137029999" in error["problem"] and "不存在" in error["problem"]
    assert len([e for e in result.errors if e["severity"] == "error"]) == 1


def test_a_school_outside_the_importing_users_scope_is_refused(city, personas, tmp_path):
    west = student("G1", school="2137030001")
    path = write_xlsx(tmp_path / "students.xlsx", {"学生": [STUDENT_HEADERS, west]})
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "out_of_scope")
    assert "不在您的管理范围内" in error["problem"] and "东区" in error["problem"]
    assert (error["row"], error["column"]) == (2, "学校标识码")


def test_text_in_a_number_column_is_one_error_for_the_whole_column(city, personas, tmp_path):
    rows: list[list[Any]] = [["学年", "学校标识码", "年级", "男生数", "女生数"]]
    rows += [[2024, "2137020001", grade, "约120人", 100] for grade in ("一年级", "二年级", "三年级")]
    path = write_xlsx(tmp_path / "enrolment.xlsx", {"分年级在校生": rows})
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "not_number")
    assert error["count"] == 3 and error["rows"] == [2, 3, 4]
    assert error["column"] == "男生数" and error["column_letter"] == "D"
    assert "应填数字" in error["problem"]


def test_a_negative_count_is_refused(city, personas, tmp_path):
    rows = [["学年", "学校标识码", "年级", "男生数", "女生数"], [2024, "2137020001", "一年级", -3, 100]]
    result = import_unchanged(write_xlsx(tmp_path / "e.xlsx", {"分年级在校生": rows}), personas.east_admin)
    error = only_error(result, "negative")
    assert (error["row"], error["column"], error["value"]) == (2, "男生数", "-3")
    assert "不能为负数" in error["problem"]


def test_a_bad_row_near_the_end_of_a_2000_row_file_means_nothing_is_applied(city, personas, tmp_path):
    rows = [STUDENT_HEADERS, *many_students(1999)]
    rows[1998][3] = ""  # sheet row 1999 has no 姓名
    path = write_xlsx(tmp_path / "students.xlsx", {"学生": rows})
    result = import_unchanged(path, personas.east_admin)
    error = only_error(result, "required")
    assert (error["row"], error["column"], error["column_letter"]) == (1999, "姓名", "D")
    assert result.summary["students"]["error"] == 1
    assert result.summary["students"]["new"] == 1998


def test_an_import_that_crashes_after_its_first_chunk_leaves_nothing_behind(city, personas, tmp_path, monkeypatch):
    rows = [STUDENT_HEADERS, *many_students(handlers.CHUNK_ROWS + 10)]
    path = write_csv(tmp_path / "学生.csv", rows)
    original = handlers.ModelHandler.write
    calls: list[int] = []

    def write_then_crash(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            assert StudentRecord.objects.count() == handlers.CHUNK_ROWS  # the first chunk really was written
            raise RuntimeError("simulated crash")

    monkeypatch.setattr(handlers.ModelHandler, "write", write_then_crash)
    before = db_state()
    with pytest.raises(RuntimeError):
        import_path(path, actor=personas.east_admin)
    assert calls == [1]
    assert db_state() == before


def test_an_empty_file_is_refused_clearly(city, personas, tmp_path):
    for name in ("学生.csv", "students.xlsx"):
        path = tmp_path / name
        path.write_bytes(b"")
        result = import_unchanged(path, personas.east_admin)
        error = only_error(result, "empty_file")
        assert "空文件" in error["problem"] and error["file"] == name


def test_a_workbook_with_only_empty_sheets_is_refused(city, personas, tmp_path):
    path = write_xlsx(tmp_path / "blank.xlsx", {"学生": []})
    error = only_error(import_unchanged(path, personas.east_admin), "empty_sheet")
    assert error["sheet"] == "学生" and "是空的" in error["problem"]


def test_a_non_excel_file_renamed_xlsx_is_refused_clearly(city, personas, tmp_path):
    path = tmp_path / "students.xlsx"
    path.write_text("这不是工作簿\n而是一段文字", encoding="utf-8")
    error = only_error(import_unchanged(path, personas.east_admin), "not_xlsx")
    assert "不是有效的 Excel 工作簿" in error["problem"]
    assert "另存为" in error["fix"]


def test_a_csv_renamed_xlsx_is_told_to_use_the_csv_extension(city, personas, tmp_path):
    path = write_csv(tmp_path / "students.xlsx", [STUDENT_HEADERS, student("G1")])
    error = only_error(import_unchanged(path, personas.east_admin), "not_xlsx")
    assert ".csv" in error["fix"]


def test_a_zip_that_is_not_a_workbook_is_refused(city, personas, tmp_path):
    import zipfile

    path = tmp_path / "students.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert only_error(import_unchanged(path, personas.east_admin), "not_xlsx")


def test_sex_and_birth_date_must_agree_with_the_id_number(city, personas, tmp_path):
    row = student("G1", sex="男")
    row[4] = "女"
    row[5] = "2017-02-03"
    result = import_unchanged(write_xlsx(tmp_path / "s.xlsx", {"学生": [STUDENT_HEADERS, row]}), personas.east_admin)
    assert "身份证号第17位表示“男”" in only_error(result, "sex_mismatch")["problem"]
    assert "2017-01-01" in only_error(result, "birth_mismatch")["problem"]


def test_an_id_number_that_excel_turned_into_a_number_is_explained(city, personas, tmp_path):
    row = student("G1")
    row[2] = float(row[2][:17])
    result = import_unchanged(write_xlsx(tmp_path / "s.xlsx", {"学生": [STUDENT_HEADERS, row]}), personas.east_admin)
    assert "存成了数字" in only_error(result, "id_as_number")["problem"]


def test_teacher_stats_parts_may_not_exceed_the_fulltime_count(city, personas, tmp_path):
    rows = [["学年", "学校标识码", "学段", "专任教师数", "本科学历", "专科学历", "体育专任教师"],
            [2024, "2137020001", "小学", 10, 8, 5, 11]]
    result = import_unchanged(write_xlsx(tmp_path / "t.xlsx", {"专任教师统计": rows}), personas.east_admin)
    problems = sorted(e["problem"] for e in result.errors if e["code"] == "exceeds_fulltime")
    assert problems == ["“体育专任教师”（11）大于专任教师数（10）", "各学历人数之和（13）大于专任教师数（10）"]


def test_a_school_without_a_valid_school_code_or_type_is_refused(city, personas, tmp_path):
    rows = [["机构代码", "机构名称", "层级", "上级机构代码", "办学类型代码"],
            ["21370200", "新小学", "学校", "370202", None],
            ["370299", "新区", "区县", "370200", None]]
    result = import_unchanged(write_xlsx(tmp_path / "u.xlsx", {"机构": rows}), personas.city_admin)
    assert only_error(result, "bad_school_code")["row"] == 2
    assert only_error(result, "school_type_required")["row"] == 2
    assert not [e for e in result.errors if e["row"] == 3 and e["severity"] == "error"]


def test_a_county_needs_a_county_level_division_code(city, personas, tmp_path):
    rows = [["机构代码", "机构名称", "层级", "上级机构代码"], ["3702", "新区", "区县", "370200"]]
    result = import_unchanged(write_xlsx(tmp_path / "u.xlsx", {"机构": rows}), personas.city_admin)
    assert only_error(result, "bad_division_code")["column"] == "机构代码"


def test_aggregate_rows_for_a_school_year_with_pupil_records_are_refused(city, personas, tmp_path):
    assert import_path(write_xlsx(tmp_path / "s.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]}),
                       actor=personas.east_admin).ok
    rows = [["学年", "学校标识码", "年级", "男生数", "女生数"], [2024, "2137020001", "二年级", 40, 38]]
    result = import_unchanged(write_xlsx(tmp_path / "e.xlsx", {"分年级在校生": rows}), personas.east_admin)
    error = only_error(result, "derived_from_persons")
    assert "由个人记录自动汇总" in error["problem"] and "学生" in error["fix"]


def test_a_school_administrator_cannot_import_the_registry(city, personas, tmp_path):
    rows = [["机构代码", "机构名称", "层级", "上级机构代码", "办学类型代码"],
            ["2137020009", "新小学", "学校", "370202", "211"]]
    result = import_unchanged(write_xlsx(tmp_path / "u.xlsx", {"机构": rows}), personas.school_admin)
    assert "没有管理机构的权限" in only_error(result, "permission")["problem"]


def test_a_viewer_cannot_import_at_all(city, personas, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]})
    assert "没有导入数据的权限" in only_error(import_unchanged(path, personas.viewer), "permission")["problem"]


def test_a_workbook_without_any_importable_sheet_lists_the_sheet_names_to_use(city, personas, tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Sheet1": [], "示例": [["学年"], [2024]]})
    error = only_error(import_unchanged(path, personas.east_admin), "empty_workbook")
    assert "没有可导入的工作表" in error["problem"] and "学生" in error["fix"]
