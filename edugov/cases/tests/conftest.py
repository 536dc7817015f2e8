from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from conftest import Personas
from edugov.lib.idcard import check_digit


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Evidence is stored under MEDIA_ROOT; tests keep it out of the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_user(personas: Personas):  # type: ignore[no-untyped-def]
    """as_user("east_admin") → a fresh client logged in as that persona."""

    def _login(name: str) -> Client:
        client = Client()
        client.force_login(getattr(personas, name))
        return client

    return _login


def make_id(birth: dt.date, seq: int = 123, region: str = "370202") -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def make_student(unit, no: str, *, year: int = 2025, birth: dt.date = dt.date(2015, 3, 1), seq: int = 1,  # type: ignore[no-untyped-def]
                 name: str = "王小明", grade: str = "14"):
    from edugov.stats.models import StudentRecord

    return StudentRecord.objects.create(year=year, student_no=no, id_number=make_id(birth, seq), name=name, sex="1",
                                        birth_date=birth, unit=unit, grade=grade)
