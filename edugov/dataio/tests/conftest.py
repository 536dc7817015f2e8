"""Fixtures for import and export tests: a private media folder and small workbook and CSV builders."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

STUDENT_HEADERS = ["学年", "学籍号", "身份证号", "姓名", "性别", "出生日期", "学校标识码", "年级", "班级"]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    # The personas fixture creates six users; the production hasher would spend seconds per test on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook with one sheet per entry, rows written as given (None leaves a cell empty)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Iterable[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def pid(first17: str) -> str:
    """A valid 18-digit ID number from its first 17 digits (digits 7-14 birth date, digit 17 odd for male)."""
    from edugov.lib.idcard import check_digit

    return first17 + check_digit(first17)


def student(no: str, *, school: str = "2137020001", grade: str = "二年级", sex: str = "男", seq: int = 1,
            birth: str = "20170101", year: Any = 2024, class_name: str = "1班",
            id_number: str | None = None) -> list[Any]:
    """One 学生 row in STUDENT_HEADERS order, with an ID number that agrees with sex and birth date."""
    sex_digit = "1" if sex == "男" else "2"
    if id_number is None:
        id_number = pid(f"370202{birth}{seq % 100:02d}{sex_digit}")
    return [year, no, id_number, f"学生{no}", sex, f"{birth[:4]}-{birth[4:6]}-{birth[6:]}", school, grade, class_name]


def db_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the registry and statistics tables, to prove that a failed import changed nothing."""
    from edugov.registry.models import OrgLink, OrgUnit, OrgUnitEvent, OrgUnitVersion
    from edugov.stats import models as stats

    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in (OrgUnit, OrgUnitVersion, OrgLink, OrgUnitEvent, stats.SchoolYearStats, stats.GradeEnrolment,
                  stats.ClassSection, stats.TeacherStats, stats.PopulationByAge, stats.StudentRecord,
                  stats.TeacherRecord):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in {"updated_at", "recorded_at"}]
        state[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return state


def many_students(count: int, *, school: str = "2137020001", grade: str = "二年级") -> list[list[Any]]:
    """`count` valid, distinct 学生 rows (ID numbers differ by birth date and sequence)."""
    import datetime as dt

    rows = []
    for index in range(count):
        birth = (dt.date(2017, 1, 1) + dt.timedelta(days=index % 365)).strftime("%Y%m%d")
        rows.append(student(f"G{index:07d}", school=school, grade=grade, seq=index // 365 % 100, birth=birth,
                            sex="男" if index % 2 else "女", class_name=f"{1 + index % 4}班"))
    return rows
