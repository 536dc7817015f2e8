from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from edugov.api.tests.conftest import YEAR
from edugov.stats.models import SchoolYearStats


def rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def test_decimals_are_exact_strings(personas: Any, client_for: Any, year_data: Any) -> None:
    data = client_for(personas.school_admin).get(f"/api/v1/school-stats/{year_data.east_stats.pk}/").json()

    assert data["teaching_area"] == "1234.50"
    assert data["equipment_value"] == "1680000.00"
    assert data["gym_area"] is None
    assert data["library_books"] == 36000


@override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "COERCE_DECIMAL_TO_STRING": False})
def test_decimals_stay_strings_even_if_the_global_setting_says_otherwise(personas: Any, client_for: Any,
                                                                         year_data: Any) -> None:
    response = client_for(personas.school_admin).get(f"/api/v1/school-stats/{year_data.east_stats.pk}/")

    assert '"teaching_area":"1234.50"' in response.content.decode()


def test_decimal_values_survive_without_float_rounding(personas: Any, client_for: Any, year_data: Any) -> None:
    SchoolYearStats.objects.filter(pk=year_data.east_stats.pk).update(operating_expenditure=Decimal("12345678901234.10"))

    data = client_for(personas.city_admin).get(f"/api/v1/school-stats/{year_data.east_stats.pk}/").json()

    assert data["operating_expenditure"] == "12345678901234.10"


def test_east_admin_sees_east_statistics_only(personas: Any, client_for: Any, year_data: Any) -> None:
    client = client_for(personas.east_admin)

    assert {r["unit_code"] for r in rows(client.get("/api/v1/school-stats/"))} == {"2137020001"}
    assert client.get(f"/api/v1/school-stats/{year_data.west_stats.pk}/").status_code == 404
    assert {r["unit_code"] for r in rows(client.get("/api/v1/population/"))} == {"370202"}


def test_year_filter_accepts_a_start_year_or_a_school_year_label(personas: Any, client_for: Any,
                                                                 year_data: Any) -> None:
    client = client_for(personas.east_admin)

    assert [r["year"] for r in rows(client.get("/api/v1/school-stats/", {"year": YEAR}))] == [YEAR]
    assert [r["year"] for r in rows(client.get("/api/v1/school-stats/", {"year": "2023-2024学年"}))] == [YEAR - 1]
    bad = client.get("/api/v1/school-stats/", {"year": "去年"})
    assert bad.status_code == 400 and "year" in bad.json()


def test_ancestor_filter_selects_a_towns_schools(personas: Any, client_for: Any, year_data: Any) -> None:
    client = client_for(personas.city_admin)

    town = rows(client.get("/api/v1/enrolments/", {"ancestor": "370202100", "year": YEAR}))
    city = rows(client.get("/api/v1/enrolments/", {"ancestor": "370200", "year": YEAR}))

    assert {r["unit_code"] for r in town} == {"3137020002"}
    assert len(city) == 5


def test_unit_grade_and_stage_filters(personas: Any, client_for: Any, year_data: Any) -> None:
    client = client_for(personas.city_admin)

    first_grade = rows(client.get("/api/v1/enrolments/", {"grade": "一年级", "unit": "2137020001"}))
    junior = rows(client.get("/api/v1/enrolments/", {"stage": "junior"}))

    assert [(r["grade"], r["grade_label"], r["total"]) for r in first_grade] == [("1", "一年级", 41)]
    assert [r["unit_code"] for r in junior] == ["3137020002"]
    assert client.get("/api/v1/enrolments/", {"grade": "十三年级"}).status_code == 400


def test_classes_teacher_stats_and_population_answer(personas: Any, client_for: Any, year_data: Any) -> None:
    client = client_for(personas.viewer)

    assert [r["size"] for r in rows(client.get("/api/v1/classes/", {"grade": "1"}))] == [41]
    assert [r["training_hours"] for r in rows(client.get("/api/v1/teacher-stats/"))] == ["2700.5"]
    population = rows(client.get("/api/v1/population/", {"age_band": "6-11"}))
    assert [(r["unit_code"], r["age_band_label"], r["population"]) for r in population] == [("370202", "6-11岁", 15230)]


def test_an_unknown_unit_code_gives_an_empty_list_not_an_error(personas: Any, client_for: Any, year_data: Any) -> None:
    client = client_for(personas.east_admin)

    assert rows(client.get("/api/v1/school-stats/", {"unit": "2137030001"})) == []
    assert rows(client.get("/api/v1/school-stats/", {"unit": "nonsense"})) == []


@pytest.mark.parametrize("url", ["/api/v1/school-stats/", "/api/v1/enrolments/", "/api/v1/classes/",
                                 "/api/v1/teacher-stats/", "/api/v1/population/"])
def test_statistics_lists_do_not_query_per_row(personas: Any, client_for: Any, year_data: Any, url: str,
                                               django_assert_max_num_queries: Any) -> None:
    client = client_for(personas.city_admin)

    # roles + scope tree, ancestor code + subtree, count, page: a constant, whatever the page size.
    with django_assert_max_num_queries(6):
        assert rows(client.get(url, {"ancestor": "370200"}))
