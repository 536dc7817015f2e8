"""Export → import gives back exactly the same database values, for XLSX and for CSV in both encodings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from edugov.dataio.export import export_csv_folder, export_workbook
from edugov.dataio.services import import_path
from edugov.dataio.tests.conftest import STUDENT_HEADERS, pid, student, write_xlsx
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitEvent, OrgUnitVersion
from edugov.stats import models as stats

STAT_MODELS = (stats.SchoolYearStats, stats.GradeEnrolment, stats.ClassSection, stats.TeacherStats,
               stats.PopulationByAge, stats.StudentRecord, stats.TeacherRecord)


def load_sample_city(tmp_path: Path) -> None:
    """Registry and statistics with every kind of value: decimals that floats cannot hold, dates, codes, flags."""
    units = [
        ["机构代码", "机构名称", "层级", "上级机构代码", "办学类型代码", "城乡分类代码", "举办者代码", "办学性质",
         "普惠性", "行政区划代码", "统计用区划代码", "地址", "设立日期", "撤销日期", "变更生效日期"],
        ["Z37020201", "东区第一学区", "学区", "370202", None, None, None, None, None, None, None, None, None, None,
         None],
        ["2137020021", "东区旧小学", "学校", "370202", "211", "111", "831", "公办", None, None, None, "旧路1号",
         "1990-09-01", "2020-07-01", None],
        ["1137020022", "东区阳光幼儿园", "学校", "370202100", "111", "121", "999", "民办", "是", None,
         "370202100001", None, "2015-03-01", None, "2023-09-01"],
    ]
    memberships = [["机构代码", "体系", "所属学区或集团代码", "变更生效日期"],
                   ["2137020001", "学区", "Z37020201", "2024-09-01"]]
    school_stats = [
        ["学年", "学校标识码", "教学及辅助用房面积（平方米）", "运动场地面积（平方米）", "体育馆面积（平方米）",
         "教学仪器设备资产值（元）", "网络多媒体教室（间）", "图书（册）", "音乐专用教室（间）", "美术专用教室（间）",
         "公用经费支出（元）"],
        [2024, "2137020001", "5230.55", "0.1", "0", "12345678901234.56", 24, 36000, 2, None, "720000"],
        [2023, "3137020002", "8000", None, None, "1680000.25", 30, 50000, 1, 1, "0.01"],
    ]
    enrolment = [["学年", "学校标识码", "年级", "男生数", "女生数"], [2024, "3137020002", "七年级", 60, 55],
                 [2024, "3137020002", "八年级", 0, 1]]
    classes = [["学年", "学校标识码", "年级", "班级名称", "班额（人）"], [2024, "3137020002", "七年级", "1班", 58]]
    teacher_stats = [["学年", "学校标识码", "学段", "专任教师数", "其中女", "本科学历", "本年培训学时合计"],
                     [2024, "3137020002", "初中", 40, 30, 35, "3560.5"]]
    population = [["学年", "区域代码", "年龄段", "人口数"], [2024, "370202", "3-5岁", 15230],
                  [2024, "370202100", "6-11", 800]]
    pupils = [[*STUDENT_HEADERS, "民族", "是否寄宿", "户籍类别", "是否留守儿童", "残疾类型", "家庭经济困难类型"],
              [*student("G1"), "汉族", "是", "随迁子女", "否", "肢体残疾", "低保、孤儿"],
              [*student("G2", sex="女", seq=2, class_name=""), "03", "否", "本地户籍", "是", None, None],
              [*student("G3", seq=3, id_number=""), None, None, None, None, None, None]]
    teachers = [["学年", "教职工号", "身份证号", "姓名", "性别", "出生日期", "民族", "学校标识码", "任教学段",
                 "是否专任教师", "学历", "职称", "任教学科", "骨干级别", "是否持教师资格证", "本年培训学时"],
                [2024, "T1", pid("37020219850101002"), "李老师", "女", "1985-01-01", "汉族", "2137020001", "小学", "是",
                 "21", "一级教师", "语文", "县级", "是", "90.5"],
                [2024, "T2", None, "王老师", "男", None, None, "2137020001", "小学", "否", "大学专科毕业", None, "体育",
                 None, "否", 0]]
    path = write_xlsx(tmp_path / "city.xlsx", {
        "机构": units, "学区与集团": memberships, "办学条件": school_stats, "分年级在校生": enrolment, "班级": classes,
        "专任教师统计": teacher_stats, "分年龄人口": population, "学生": pupils, "教师": teachers})
    result = import_path(path, actor=None)
    assert result.ok, result.errors


def snapshot() -> dict[str, Any]:
    """The database by natural keys (ids differ between databases): every unit's state today and every row."""
    today = timezone.localdate()
    codes = dict(OrgUnit.objects.values_list("id", "code"))
    units = {}
    for unit in OrgUnit.objects.all():
        version = unit.version_at(today) or unit.versions.order_by("-valid_from").first()
        link = unit.parent_links.filter(hierarchy="admin").order_by("-valid_from").first()
        units[unit.code] = (unit.kind, unit.name, unit.opened_on, unit.closed_on, tuple(version.attributes().items()),
                            codes.get(link.parent_id) if link else None)
    memberships = {(codes[link.child_id], link.hierarchy): codes[link.parent_id]
                   for link in OrgLink.objects.exclude(hierarchy="admin")}
    rows: dict[str, Any] = {"units": units, "memberships": memberships}
    for model in STAT_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in {"id", "updated_at"}]
        rows[model._meta.label] = sorted(
            tuple(codes[v] if f == "unit_id" else v for f, v in zip(fields, values, strict=True))
            for values in model.objects.values_list(*fields))
    return rows


def wipe() -> None:
    for model in STAT_MODELS:
        model.objects.all().delete()
    for model in (OrgUnitEvent, OrgLink, OrgUnitVersion, OrgUnit):
        model.objects.all().delete()


@pytest.mark.parametrize("form", ["xlsx", "csv-utf-8-sig", "csv-gb18030"])
def test_export_then_import_into_an_empty_database_gives_back_every_row(city, tmp_path, form):
    load_sample_city(tmp_path)
    before = snapshot()
    assert before["stats.GradeEnrolment"] and before["stats.TeacherStats"] and before["memberships"]
    if form == "xlsx":
        target = tmp_path / "export.xlsx"
        export_workbook(target, actor=None)
    else:
        target = tmp_path / "export"
        export_csv_folder(target, actor=None, encoding=form.removeprefix("csv-"))
    wipe()
    result = import_path(target, actor=None)
    assert result.ok, result.errors
    assert snapshot() == before


def test_reimporting_an_export_into_the_same_database_changes_nothing(city, personas, tmp_path):
    load_sample_city(tmp_path)
    target = tmp_path / "east.xlsx"
    export_workbook(target, actor=personas.east_admin)
    before = snapshot()
    result = import_path(target, actor=personas.east_admin)
    assert result.ok, result.errors
    assert all(c["new"] == c["changed"] == c["error"] == 0 for c in result.summary.values()), result.summary
    # 东区, its town, a 学区 and five schools (one of them closed, which still belongs to the district)
    assert result.summary["units"]["unchanged"] == 8
    assert snapshot() == before


def test_an_export_holds_only_what_the_user_may_see(city, personas, tmp_path):
    load_sample_city(tmp_path)
    counts = export_workbook(tmp_path / "school.xlsx", actor=personas.school_admin)
    assert counts["units"] == 1 and counts["students"] == 3
    counts = export_workbook(tmp_path / "west.xlsx", actor=personas.west_admin)
    assert counts["students"] == 0 and counts["school_stats"] == 0


def test_an_export_without_sensitive_rights_leaves_id_numbers_out(city, personas, tmp_path):
    import python_calamine

    load_sample_city(tmp_path)
    export_workbook(tmp_path / "inspector.xlsx", actor=personas.inspector)
    sheet = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "inspector.xlsx")).get_sheet_by_name("学生")
    rows = sheet.to_python()
    id_column = rows[0].index("身份证号")
    assert [row[id_column] for row in rows[1:]] == ["", "", ""]


def test_derived_aggregates_are_not_exported(city, tmp_path):
    load_sample_city(tmp_path)
    counts = export_workbook(tmp_path / "all.xlsx", actor=None, years=[2024])
    assert counts["enrolment"] == 2  # the junior school's imported rows; the primary's derive from 学生
    assert counts["school_stats"] == 1  # years=[2024] leaves 2023 out


def test_id_numbers_are_exported_only_where_a_role_grants_sensitive_access(city, personas, tmp_path):
    import datetime as dt

    import python_calamine

    from edugov.core.services import grant_role

    load_sample_city(tmp_path)
    stats.StudentRecord.objects.create(
        year=2024, student_no="GX1", id_number="11010519491231002X", name="王五", sex="2",
        birth_date=dt.date(1949, 12, 31), unit=city.east_junior, grade="7")
    grant_role(actor=None, username=personas.school_admin.username, role="viewer", unit=city.east)
    user = type(personas.school_admin).objects.get(pk=personas.school_admin.pk)
    export_workbook(tmp_path / "both.xlsx", actor=user)
    rows = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "both.xlsx")).get_sheet_by_name("学生").to_python()
    header = rows[0]
    by_no = {row[header.index("学籍号")]: row[header.index("身份证号")] for row in rows[1:]}
    assert by_no["GX1"] == ""  # east junior: only a viewer there
    assert by_no["G1"] != ""  # own school: school administrator
