"""API fixtures on top of the shared personas (conftest.py at the top): a client per persona and a small year of
statistics and person records in the east and west districts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from rest_framework.test import APIClient

from edugov.lib.idcard import check_digit
from edugov.registry.models import OrgUnit
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    PopulationByAge,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

YEAR = 2024


def id_number(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The production hasher costs ~0.7 s per password here, i.e. ~5 s per test for the six personas.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for() -> Callable[[AbstractUser], APIClient]:
    """An API client authenticated as the user, without the token round trip (that has its own tests)."""

    def make(user: AbstractUser) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@dataclass
class YearData:
    east_stats: SchoolYearStats
    west_stats: SchoolYearStats
    east_pupil: StudentRecord
    junior_pupil: StudentRecord
    west_pupil: StudentRecord
    east_teacher: TeacherRecord


def make_pupil(unit: OrgUnit, no: int, name: str, grade: str = "1", class_name: str = "1班") -> StudentRecord:
    number = id_number(f"37020220180101{no:03d}")
    return StudentRecord.objects.create(
        year=YEAR, student_no=f"G{number}", id_number=number, name=name, sex="1", birth_date=dt.date(2018, 1, 1),
        ethnicity="01", unit=unit, grade=grade, class_name=class_name,
    )


@pytest.fixture
def year_data(city: Any, personas: Any) -> YearData:
    east_stats = SchoolYearStats.objects.create(unit=city.east_primary, year=YEAR, teaching_area=Decimal("1234.50"),
                                                equipment_value=Decimal("1680000.00"), library_books=36000)
    west_stats = SchoolYearStats.objects.create(unit=city.west_primary, year=YEAR, teaching_area=Decimal("900.00"))
    SchoolYearStats.objects.create(unit=city.east_primary, year=YEAR - 1, teaching_area=Decimal("1200.00"))
    for unit in (city.east_primary, city.west_primary):
        for grade in ("1", "2"):
            GradeEnrolment.objects.create(unit=unit, year=YEAR, grade=grade, stage="primary", male=20, female=21)
        ClassSection.objects.create(unit=unit, year=YEAR, grade="1", name="1班", size=41)
        TeacherStats.objects.create(unit=unit, year=YEAR, stage="primary", fulltime=30,
                                    training_hours=Decimal("2700.5"))
    GradeEnrolment.objects.create(unit=city.east_junior, year=YEAR, grade="7", stage="junior", male=50, female=48)
    PopulationByAge.objects.create(unit=city.east, year=YEAR, age_band="6-11", population=15230)
    PopulationByAge.objects.create(unit=city.west, year=YEAR, age_band="6-11", population=9870)
    east_teacher = TeacherRecord.objects.create(
        year=YEAR, staff_no="T0001", id_number=id_number("37020219850101001"), name="李文华", sex="2",
        birth_date=dt.date(1985, 1, 1), unit=city.east_primary, stage="primary", education_code="21",
        subject="01", backbone_level="3", training_hours=Decimal("90.0"),
    )
    return YearData(
        east_stats=east_stats, west_stats=west_stats,
        east_pupil=make_pupil(city.east_primary, 1, "张小明"),
        junior_pupil=make_pupil(city.east_junior, 2, "王小红", grade="7"),
        west_pupil=make_pupil(city.west_primary, 3, "赵小刚"),
        east_teacher=east_teacher,
    )
