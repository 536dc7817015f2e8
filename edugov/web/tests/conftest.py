"""A school year of data on top of the shared personas (conftest.py at the repository root).

2024: 东区实验小学 has 428 pupils in four classes (45, 58, 70, 40: one 56+ and one 66+ class), 30 teachers and full
办学条件; 东区新镇中学 115 pupils, one class of 57, 12 teachers, no 办学条件; the kindergarten 58 children in one
class of 58 (not a 大班额: kindergarten limits differ); 西区第一小学 390 pupils in one class of 80. 2023 has a little
data for 东区实验小学 only. Person records: three pupils and two teachers at 东区实验小学, one pupil at 东区新镇中学
who looks like a pupil of 东区实验小学 (same name, birth date, sex), and one west pupil.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from conftest import PASSWORD, City, Personas
from edugov.lib.idcard import check_digit
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

YEAR = 2024


def id_number(first17: str) -> str:
    return first17 + check_digit(first17)


@dataclass
class YearData:
    pupil_ids: list[str]
    teacher_ids: list[str]
    west_pupil_id: str


@pytest.fixture
def year_data(city: City) -> YearData:
    p, j, k, w = city.east_primary, city.east_junior, city.east_kindergarten, city.west_primary
    SchoolYearStats.objects.create(unit=p, year=YEAR, teaching_area=Decimal("5230.50"),
                                   sports_ground_area=Decimal("8600"), gym_area=Decimal("400"),
                                   equipment_value=Decimal("1680000"), multimedia_classrooms=24, library_books=36000,
                                   music_rooms=2, art_rooms=2, operating_expenditure=Decimal("720000"))
    SchoolYearStats.objects.create(unit=w, year=YEAR, teaching_area=Decimal("3000"))
    for unit, grade, stage, male, female in [
        (p, "1", "primary", 120, 113), (p, "2", "primary", 100, 95), (j, "7", "junior", 60, 55),
        (k, "K1", "kindergarten", 30, 28), (w, "1", "primary", 200, 190),
    ]:
        GradeEnrolment.objects.create(unit=unit, year=YEAR, grade=grade, stage=stage, male=male, female=female)
    GradeEnrolment.objects.create(unit=p, year=YEAR - 1, grade="1", stage="primary", male=90, female=90)
    for unit, grade, name, size in [
        (p, "1", "1班", 45), (p, "1", "2班", 58), (p, "2", "1班", 70), (p, "2", "2班", 40),
        (j, "7", "1班", 57), (k, "K1", "小一班", 58), (w, "1", "1班", 80),
    ]:
        ClassSection.objects.create(unit=unit, year=YEAR, grade=grade, name=name, size=size)
    TeacherStats.objects.create(unit=p, year=YEAR, stage="primary", fulltime=30, female=22, edu_bachelor=25,
                                training_hours=Decimal("2160"))
    TeacherStats.objects.create(unit=j, year=YEAR, stage="junior", fulltime=12)
    TeacherStats.objects.create(unit=w, year=YEAR, stage="primary", fulltime=40)

    pupils = [id_number("37020220170101001"), id_number("37020220170202002"), id_number("37020220100303003")]
    StudentRecord.objects.create(year=YEAR, student_no="G" + pupils[0], id_number=pupils[0], name="张小明", sex="1",
                                 birth_date=dt.date(2017, 1, 1), unit=p, grade="1", class_name="1班")
    StudentRecord.objects.create(year=YEAR, student_no="G" + pupils[1], id_number=pupils[1], name="李小红", sex="2",
                                 birth_date=dt.date(2017, 2, 2), unit=p, grade="1", class_name="2班")
    # Fourteen years old in 一年级: an implausible age for the grade.
    StudentRecord.objects.create(year=YEAR, student_no="G" + pupils[2], id_number=pupils[2], name="王大壮", sex="1",
                                 birth_date=dt.date(2010, 3, 3), unit=p, grade="1", class_name="1班")
    # Same name, birth date and sex as 张小明 but at another school, with no ID number: a likely duplicate.
    StudentRecord.objects.create(year=YEAR, student_no="L0001", id_number="", name="张小明", sex="1",
                                 birth_date=dt.date(2017, 1, 1), unit=j, grade="7", class_name="1班")
    west = id_number("37020320170404004")
    StudentRecord.objects.create(year=YEAR, student_no="G" + west, id_number=west, name="赵西西", sex="2",
                                 birth_date=dt.date(2017, 4, 4), unit=w, grade="1")
    teachers = [id_number("37020219850101001"), id_number("37020219900505002")]
    TeacherRecord.objects.create(year=YEAR, staff_no="T0001", id_number=teachers[0], name="刘老师", sex="2",
                                 birth_date=dt.date(1985, 1, 1), unit=p, stage="primary", education_code="21",
                                 title_code="3", subject="01", training_hours=Decimal("72"))
    TeacherRecord.objects.create(year=YEAR, staff_no="T0002", id_number=teachers[1], name="陈老师", sex="1",
                                 birth_date=dt.date(1990, 5, 5), unit=p, stage="primary", education_code="21",
                                 training_hours=Decimal("600"))
    return YearData(pupil_ids=pupils, teacher_ids=teachers, west_pupil_id=west)


def login(client: Client, user: object) -> Client:
    assert client.login(username=user.get_username(), password=PASSWORD)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def as_user(client: Client, personas: Personas):  # type: ignore[no-untyped-def]
    """as_user("east_admin") → a client logged in as that persona."""

    def _login(name: str) -> Client:
        return login(client, getattr(personas, name))

    return _login
