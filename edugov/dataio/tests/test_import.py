"""Inputs that must import fine, and what importing does to the registry and the statistics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl

from edugov.core.models import AuditEvent
from edugov.dataio.models import ImportRun
from edugov.dataio.services import import_path
from edugov.dataio.tests.conftest import (
    STUDENT_HEADERS,
    db_state,
    many_students,
    student,
    write_csv,
    write_xlsx,
)
from edugov.registry.models import OrgUnit
from edugov.registry.services import current_parent
from edugov.stats.models import ClassSection, GradeEnrolment, SchoolYearStats, StudentRecord, TeacherStats


def test_a_gbk_csv_from_chinese_excel_imports_and_says_which_encoding_was_used(city, personas, tmp_path):
    path = write_csv(tmp_path / "学生.csv", [STUDENT_HEADERS, student("G1"), student("G2", seq=2)],
                     encoding="gb18030")
    result = import_path(path, actor=personas.east_admin)
    assert result.ok, result.errors
    assert result.summary["students"]["new"] == 2
    assert result.files[0]["encoding"] == "GB18030（GBK）"
    assert StudentRecord.objects.get(student_no="G1").name == "学生G1"


def test_a_utf8_csv_without_bom_and_a_tab_separated_file_import(city, personas, tmp_path):
    plain = write_csv(tmp_path / "students.csv", [STUDENT_HEADERS, student("G1")], encoding="utf-8")
    result = import_path(plain, actor=personas.east_admin)
    assert result.ok and result.files[0]["encoding"] == "UTF-8"
    tabbed = tmp_path / "学生.txt"
    tabbed.write_text("\n".join("\t".join(str(v) for v in row) for row in [STUDENT_HEADERS, student("G2", seq=2)]),
                      encoding="utf-8")
    assert import_path(tabbed, actor=personas.east_admin).summary["students"]["new"] == 1


def test_blank_rows_are_skipped_and_row_numbers_stay_those_excel_shows(city, personas, tmp_path):
    rows = [STUDENT_HEADERS, student("G1"), [], [None] * 9, ["  "] + [None] * 8, student("G2", seq=2),
            student("G3", seq=3, school="2137029999")]
    result = import_path(write_xlsx(tmp_path / "s.xlsx", {"学生": rows}), actor=personas.east_admin)
    assert [e["row"] for e in result.errors if e["severity"] == "error"] == [7]
    rows.pop()
    result = import_path(write_xlsx(tmp_path / "s2.xlsx", {"学生": rows}), actor=personas.east_admin)
    assert result.ok and result.summary["students"]["new"] == 2


def test_a_title_row_above_the_header_and_a_table_starting_in_column_b_are_understood(city, personas, tmp_path):
    path = tmp_path / "s.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "学生"
    sheet["B1"] = "2024-2025学年 东区实验小学 学生名册"
    for offset, row in enumerate([STUDENT_HEADERS, student("G1"), student("G2", seq=2, school="2137029999")]):
        for column, value in enumerate(row, start=2):
            sheet.cell(row=3 + offset, column=column, value=value)
    workbook.save(path)
    result = import_path(path, actor=personas.east_admin)
    error = next(e for e in result.errors if e["severity"] == "error")
    assert (error["row"], error["column_letter"]) == (5, "H")  # 学校标识码 of the second pupil
    assert any(e["code"] == "title_rows" and e["severity"] == "warning" for e in result.errors)


def test_headers_may_use_aliases_full_width_brackets_and_required_markers(city, personas, tmp_path):
    rows = [["学年度", "学校代码", "教学及辅助用房面积(平方米)", "＊图书册数", "公用经费"],
            ["2024-2025学年", "2137020001", "5,230.50", 36000.0, "720000"]]
    result = import_path(write_xlsx(tmp_path / "x.xlsx", {"办学条件": rows}), actor=personas.east_admin)
    assert result.ok, result.errors
    stats = SchoolYearStats.objects.get(unit=city.east_primary, year=2024)
    assert stats.teaching_area == Decimal("5230.50")
    assert stats.library_books == 36000
    assert stats.operating_expenditure == Decimal("720000")


def test_a_sheet_with_an_unknown_name_is_recognised_by_its_headers(city, personas, tmp_path):
    result = import_path(write_xlsx(tmp_path / "x.xlsx", {"Sheet1": [STUDENT_HEADERS, student("G1")]}),
                         actor=personas.east_admin)
    assert result.ok and result.summary == {"students": {"new": 1, "changed": 0, "unchanged": 0, "error": 0}}
    assert any(e["code"] == "identified_by_headers" for e in result.errors)


def test_dates_codes_and_yes_no_are_read_in_the_forms_people_type(city, personas, tmp_path):
    headers = [*STUDENT_HEADERS, "民族", "是否寄宿", "户籍类别", "家庭经济困难类型"]
    rows = [headers]
    for index, (birth, ethnicity, boarding, hardship) in enumerate([
        (dt.datetime(2017, 1, 1, tzinfo=dt.UTC).replace(tzinfo=None), "汉族", "是", "低保、孤儿"),  # as calamine gives
        (42736, "01", "√", "孤儿,低保"),
        ("2017/1/1", 1.0, "Y", "建档立卡"),
        ("2017年1月1日", "回", 1, ""),
        ("20170101", "回族", "否", None),
    ]):
        row = student(f"G{index}", seq=index)
        row[5] = birth
        rows.append([*row, ethnicity, boarding, "随迁子女", hardship])
    result = import_path(write_xlsx(tmp_path / "s.xlsx", {"学生": rows}), actor=personas.east_admin)
    assert result.ok, result.errors
    records = {r.student_no: r for r in StudentRecord.objects.all()}
    assert {r.birth_date for r in records.values()} == {dt.date(2017, 1, 1)}
    assert [records[f"G{i}"].ethnicity for i in range(5)] == ["01", "01", "01", "03", "03"]
    assert [records[f"G{i}"].boarding for i in range(5)] == [True, True, True, True, False]
    assert records["G0"].hardship == records["G1"].hardship == "低保、孤儿"
    assert records["G2"].hardship == "脱贫家庭"
    assert records["G0"].residence == "migrant"


def test_importing_the_same_file_twice_reports_everything_unchanged_and_changes_nothing(city, personas, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", {
        "学生": [STUDENT_HEADERS, *many_students(30)],
        "办学条件": [["学年", "学校标识码", "运动场地面积（平方米）", "图书（册）"],
                 [2024, "2137020001", 8600.5, 36000]],
    })
    first = import_path(path, actor=personas.east_admin)
    assert first.ok and first.summary["students"]["new"] == 30
    before = db_state()
    audit_before = AuditEvent.objects.exclude(object_type="dataio.ImportRun").count()
    second = import_path(path, actor=personas.east_admin)
    assert second.ok
    assert second.summary["students"] == {"new": 0, "changed": 0, "unchanged": 30, "error": 0}
    assert second.summary["school_stats"] == {"new": 0, "changed": 0, "unchanged": 1, "error": 0}
    assert all(c["new"] == c["changed"] == c["deleted"] == 0 for c in second.derived.values())
    assert db_state() == before
    assert AuditEvent.objects.exclude(object_type="dataio.ImportRun").count() == audit_before


def test_a_changed_row_is_updated_in_place_and_counted_as_changed(city, personas, tmp_path):
    assert import_path(write_xlsx(tmp_path / "a.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]}),
                       actor=personas.east_admin).ok
    record = StudentRecord.objects.get()
    moved = student("G1", class_name="2班")
    result = import_path(write_xlsx(tmp_path / "b.xlsx", {"学生": [STUDENT_HEADERS, moved]}), actor=personas.east_admin)
    assert result.summary["students"]["changed"] == 1
    record.refresh_from_db()
    assert record.class_name == "2班"
    assert set(ClassSection.objects.values_list("name", "size")) == {("2班", 1)}


def test_a_successful_import_is_recorded_and_audited_once_per_table(city, personas, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]})
    result = import_path(path, actor=personas.east_admin)
    run = ImportRun.objects.get(pk=result.run_id)
    assert run.status == "applied" and run.actor == personas.east_admin and len(run.sha256) == 64
    events = AuditEvent.objects.filter(object_type="dataio.ImportRun", object_id=str(run.pk))
    assert [e.after["table"] for e in events.filter(action="import")] == ["students"]
    assert not AuditEvent.objects.filter(object_type="stats.StudentRecord").exists()  # no per-row audit


def test_a_dry_run_reports_what_would_change_and_writes_nothing(city, personas, tmp_path):
    before = db_state()
    result = import_path(write_xlsx(tmp_path / "s.xlsx", {"学生": [STUDENT_HEADERS, student("G1")]}),
                         actor=personas.east_admin, dry_run=True)
    assert result.ok and not result.applied and result.summary["students"]["new"] == 1
    assert db_state() == before and not ImportRun.objects.exists()


def test_pupil_records_replace_imported_enrolment_and_classes_for_their_school_year(city, personas, tmp_path):
    aggregates = write_xlsx(tmp_path / "agg.xlsx", {
        "分年级在校生": [["学年", "学校标识码", "年级", "男生数", "女生数"], [2024, "2137020001", "二年级", 50, 50],
                   [2024, "2137020001", "三年级", 40, 40], [2024, "3137020002", "七年级", 60, 55]],
        "班级": [["学年", "学校标识码", "年级", "班级名称", "班额（人）"], [2024, "2137020001", "二年级", "1班", 100]],
    })
    assert import_path(aggregates, actor=personas.east_admin).ok
    pupils = [STUDENT_HEADERS, *many_students(10)]
    result = import_path(write_xlsx(tmp_path / "s.xlsx", {"学生": pupils}), actor=personas.east_admin)
    assert result.ok
    primary = GradeEnrolment.objects.filter(unit=city.east_primary, year=2024)
    assert [(g.grade, g.male, g.female, g.source) for g in primary] == [("2", 5, 5, "derived")]
    assert sorted(ClassSection.objects.filter(unit=city.east_primary).values_list("name", "size", "source")) == [
        ("1班", 3, "derived"), ("2班", 3, "derived"), ("3班", 2, "derived"), ("4班", 2, "derived")]
    # the junior school has no pupil records: its imported rows stand
    junior = GradeEnrolment.objects.get(unit=city.east_junior)
    assert (junior.male, junior.female, junior.source) == (60, 55, "imported")
    # 二年级 was rewritten in place as a derived row, 三年级 (no pupils recorded) removed
    assert result.derived["enrolment"] == {"new": 0, "changed": 1, "unchanged": 0, "deleted": 1}


def test_teacher_records_derive_the_teacher_statistics(city, personas, tmp_path):
    headers = ["学年", "教职工号", "姓名", "性别", "学校标识码", "任教学段", "是否专任教师", "学历", "任教学科",
               "骨干级别", "是否持教师资格证", "本年培训学时"]
    rows = [headers,
            [2024, "T1", "甲", "女", "2137020001", "小学", "是", "21", "体育", "县级", "是", 90],
            [2024, "T2", "乙", "男", "2137020001", "小学", "是", "硕士研究生毕业", "音乐", "省级", "否", "72.5"],
            [2024, "T3", "丙", "女", "2137020001", "小学", "是", "大学专科毕业", "美术", "国家级", "是", 0],
            [2024, "T4", "丁", "女", "2137020001", "小学", "是", "普通高中毕业", "语文", "", "是", 10],
            [2024, "T5", "戊", "男", "2137020001", "小学", "否", "21", "语文", "市级", "是", 40]]
    result = import_path(write_xlsx(tmp_path / "t.xlsx", {"教师": rows}), actor=personas.east_admin)
    assert result.ok, result.errors
    stats = TeacherStats.objects.get(unit=city.east_primary, year=2024, stage="primary")
    assert (stats.fulltime, stats.female, stats.source) == (4, 3, "derived")
    assert (stats.edu_postgraduate, stats.edu_bachelor, stats.edu_associate, stats.edu_below_associate) == (1, 1, 1, 1)
    assert (stats.backbone_county, stats.backbone_city, stats.backbone_province) == (1, 0, 2)
    assert (stats.pe_teachers, stats.music_teachers, stats.art_teachers, stats.certified) == (1, 1, 1, 3)
    assert stats.training_hours == Decimal("172.5")


def test_units_are_opened_changed_moved_and_closed_through_the_registry(city, personas, tmp_path):
    headers = ["机构代码", "机构名称", "层级", "上级机构代码", "办学类型代码", "举办者代码", "设立日期", "撤销日期",
               "变更生效日期"]
    rows = [headers,
            ["370202101", "东区二镇", "镇街", "370202", None, None, "2024-09-01", None, None],
            ["2137020011", "东区二镇小学", "学校", "370202101", "211", "831", "2024-09-01", None, None],
            ["2137020001", "东区实验小学（新校区）", "学校", "370202101", "211", "831", None, None, "2025-01-01"],
            ["1137020003", "东区新镇中心幼儿园", "学校", "370202100", "111", "831", None, "2025-07-01", None]]
    result = import_path(write_xlsx(tmp_path / "u.xlsx", {"机构": rows}), actor=personas.east_admin)
    assert result.ok, result.errors
    assert result.summary["units"] == {"new": 2, "changed": 2, "unchanged": 0, "error": 0}
    new_school = OrgUnit.objects.get(code="2137020011")
    assert current_parent(new_school).code == "370202101"
    assert new_school.version_at(dt.date(2024, 9, 1)).school_type_code == "211"
    primary = OrgUnit.objects.get(code="2137020001")
    assert primary.version_at(dt.date(2024, 12, 31)).name == "东区实验小学"
    assert primary.version_at(dt.date(2025, 1, 1)).name == "东区实验小学（新校区）"
    assert current_parent(primary, on=dt.date(2025, 1, 1)).code == "370202101"
    assert OrgUnit.objects.get(code="1137020003").closed_on == dt.date(2025, 7, 1)
    again = import_path(write_xlsx(tmp_path / "u.xlsx", {"机构": rows}), actor=personas.east_admin)
    assert again.summary["units"] == {"new": 0, "changed": 0, "unchanged": 4, "error": 0}


def test_a_district_administrator_cannot_reach_outside_the_district_through_the_registry(city, personas, tmp_path):
    rows = [["机构代码", "机构名称", "层级", "上级机构代码", "办学类型代码"],
            ["2137030001", "西区第一小学（改名）", "学校", "370203", "211"],
            ["2137020001", "东区实验小学", "学校", "370203", "211"],
            ["2137020012", "东区新学校", "学校", "370203", "211"]]
    before = db_state()
    result = import_path(write_xlsx(tmp_path / "u.xlsx", {"机构": rows}), actor=personas.east_admin)
    assert not result.ok and db_state() == before
    errors = {(tuple(e["rows"]), e["column"]) for e in result.errors if e["code"] == "out_of_scope"}
    assert errors == {((2,), "机构代码"), ((3, 4), "上级机构代码")}


def test_memberships_put_a_school_in_an_education_group(city, personas, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {
        "机构": [["机构代码", "机构名称", "层级", "上级机构代码"],
               ["G370202", "东区实验教育集团", "教育集团", "370202"]],
        "学区与集团": [["机构代码", "体系", "所属学区或集团代码"], ["2137020001", "集团", "G370202"]],
    })
    result = import_path(path, actor=personas.east_admin)
    assert result.ok, result.errors
    assert current_parent(city.east_primary, hierarchy="group").code == "G370202"
    assert import_path(path, actor=personas.east_admin).summary["memberships"]["unchanged"] == 1


def test_a_folder_of_csv_files_imports_units_before_the_rows_that_use_them(city, personas, tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    write_csv(folder / "学生.csv", [STUDENT_HEADERS, student("G1", school="2137020011")])
    write_csv(folder / "机构.csv", [["机构代码", "机构名称", "层级", "上级机构代码", "办学类型代码"],
                                   ["2137020011", "东区二小", "学校", "370202", "211"]], encoding="gb18030")
    (folder / "~$机构.xlsx").write_bytes(b"lock")
    (folder / "说明.docx").write_bytes(b"x")
    result = import_path(folder, actor=personas.east_admin)
    assert result.ok, result.errors
    assert StudentRecord.objects.get().unit.code == "2137020011"
    assert [e["code"] for e in result.errors] == ["file"]  # the .docx is mentioned, the lock file is not


def test_a_pupil_in_a_grade_the_school_does_not_teach_is_only_a_warning(city, personas, tmp_path):
    row = student("G1", grade="七年级")
    result = import_path(write_xlsx(tmp_path / "s.xlsx", {"学生": [STUDENT_HEADERS, row]}), actor=personas.east_admin)
    assert result.ok
    warning = next(e for e in result.errors if e["code"] == "grade_not_offered")
    assert warning["severity"] == "warning" and "七年级" in warning["problem"]


def test_import_audit_events_are_filed_under_the_importing_users_unit(city, personas, tmp_path):
    from edugov.core.models import AuditEvent
    from edugov.dataio.services import import_path

    path = tmp_path / "分年级在校生.csv"
    path.write_text(f"学年,学校标识码,年级,男生数,女生数\n2024,{city.east_primary.code},一年级,30,28\n",
                    encoding="utf-8-sig")
    assert import_path(path, actor=personas.east_admin).ok
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert event.org_unit_id == city.east.pk
    assert event.actor == personas.east_admin
