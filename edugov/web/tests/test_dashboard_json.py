"""The chart endpoints return the same numbers as the dashboard tables."""

from __future__ import annotations

import pytest

from conftest import City

pytestmark = pytest.mark.django_db


def test_students_by_child_unit(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    data = as_user("east_admin").get(f"/units/{city.east.code}/charts/students.json?year=2024").json()
    assert data["year"] == 2024
    assert dict(zip(data["labels"], data["series"][0]["data"], strict=True)) == {"东区新镇": 173, "东区实验小学": 428}


def test_students_by_grade_and_sex_for_a_school(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    data = as_user("school_admin").get(f"/units/{city.east_primary.code}/charts/students.json").json()
    assert data["labels"] == ["一年级", "二年级"]
    assert [s["data"] for s in data["series"]] == [[120, 100], [113, 95]]


def test_class_size_distribution_marks_56_and_66(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    data = as_user("city_admin").get(f"/units/{city.city.code}/charts/class-sizes.json?year=2024").json()
    counts = dict(zip(data["labels"], data["counts"], strict=True))
    # Primary and secondary classes only: 45, 58, 70, 40, 57, 80 (the kindergarten class of 58 is left out).
    assert counts == {"≤25": 0, "26–30": 0, "31–35": 0, "36–40": 1, "41–45": 1, "46–50": 0, "51–55": 0,
                      "56–65": 2, "≥66": 2}
    assert data["thresholds"] == [56, 66]
    assert data["levels"][-2:] == [56, 66]


def test_another_year_has_its_own_numbers(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    data = as_user("east_admin").get(f"/units/{city.east.code}/charts/students.json?year=2023").json()
    assert dict(zip(data["labels"], data["series"][0]["data"], strict=True)) == {"东区新镇": 0, "东区实验小学": 180}


def test_a_school_moved_later_is_counted_where_it_was_that_year(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from edugov.registry import services

    services.move_unit(actor=None, unit=city.east_primary, new_parent=city.east_town, effective_on=dt.date(2025, 1, 1))
    data = as_user("east_admin").get(f"/units/{city.east.code}/charts/students.json?year=2024").json()
    assert dict(zip(data["labels"], data["series"][0]["data"], strict=True)) == {"东区新镇": 173, "东区实验小学": 428}
