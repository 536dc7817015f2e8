from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import City, make_school
from edugov.lib.schoolyear import SchoolYear
from edugov.stats.models import GradeEnrolment, SchoolYearStats, StudentRecord
from edugov.web import quality

pytestmark = pytest.mark.django_db


def test_it_finds_large_classes_with_links_to_the_school(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get("/quality/").content.decode()
    table = html[html.index('id="large-class-table"'):]
    table = table[:table.index("</table>")]
    assert f'href="/units/{city.east_primary.code}/#classes"' in table
    assert ">58<" in table and ">70<" in table and ">57<" in table
    assert "小一班" not in table  # kindergarten classes are not 大班额


def test_it_lists_schools_with_missing_data(as_user, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get("/quality/").content.decode()
    section = html[html.index('id="missing"'):html.index('id="large-classes"')]
    assert "东区新镇中学" in section and "东区新镇中心幼儿园" in section and "东区实验小学" not in section


def test_it_flags_training_hours_ages_and_duplicates(as_user, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get("/quality/").content.decode()
    assert "T0002" in html  # 600 training hours
    ages = html[html.index('id="ages"'):html.index('id="duplicates"')]
    assert ">14<" in ages  # 王大壮, 14 in 一年级
    duplicates = html[html.index('id="duplicates"'):]
    assert duplicates.count("张**") == 2 and "张小明" not in duplicates


def test_it_finds_an_id_number_reused_under_another_student_number(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    number = year_data.pupil_ids[0]
    StudentRecord.objects.create(year=2023, student_no="OLD-001", id_number=number, name="张小明", sex="1",
                                 birth_date=dt.date(2017, 1, 1), unit=city.east_primary, grade="K3")
    html = as_user("east_admin").get("/quality/").content.decode()
    section = html[html.index("同一身份证号对应不同学籍号"):]
    assert "OLD-001" in section and number not in section


def test_outliers_use_median_and_iqr_of_the_same_school_type(city: City) -> None:
    from edugov.core.scoping import UserScope

    # Six primary schools with 10 m² per pupil and one with 100: only that one lies outside median ± 3×IQR.
    schools = [make_school(f"21370299{i:02d}", f"测试小学{i}", city.east) for i in range(7)]
    for index, school in enumerate(schools):
        GradeEnrolment.objects.create(unit=school, year=2024, grade="1", stage="primary", male=50, female=50)
        area = Decimal(10000) if index == 6 else Decimal(1000 + index * 10)
        SchoolYearStats.objects.create(unit=school, year=2024, teaching_area=area)
    scope = UserScope(unit_ids=frozenset(), root_ids=frozenset(), permissions=frozenset(), everything=True)
    report = quality.report(scope, SchoolYear(2024))
    flagged = {(o.unit.code, str(o.measure)) for o in report.outliers.items}
    assert flagged == {(schools[6].code, "生均教学及辅助用房面积")}
