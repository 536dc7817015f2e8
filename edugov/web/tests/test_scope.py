"""Everything about a unit answers 404 outside the user's subtree, whether the unit exists or not."""

from __future__ import annotations

import pytest

from conftest import City

pytestmark = pytest.mark.django_db


def unit_urls(code: str) -> list[str]:
    return [f"/units/{code}/", f"/units/{code}/students/", f"/units/{code}/teachers/",
            f"/units/{code}/charts/students.json", f"/units/{code}/charts/class-sizes.json",
            f"/units/{code}/children.xlsx", f"/org/{code}/children/"]


def test_outsider_gets_404_for_every_east_page(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("west_admin")
    for code in (city.east.code, city.east_primary.code, city.east_town.code):
        for url in unit_urls(code):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/units/{code}/students/reveal/").status_code == 404


def test_unknown_unit_is_also_404(as_user) -> None:  # type: ignore[no-untyped-def]
    assert as_user("city_admin").get("/units/9999999999/").status_code == 404


def test_school_admin_sees_only_their_school(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("school_admin")
    assert client.get(f"/units/{city.east_primary.code}/").status_code == 200
    for code in (city.east_junior.code, city.east.code, city.west_primary.code):
        assert client.get(f"/units/{code}/").status_code == 404


def test_lists_and_search_never_show_out_of_scope_units(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("west_admin")
    for url in ("/", "/org/", "/org/?q=东区", "/quality/"):
        html = client.get(url).content.decode()
        assert "东区实验小学" not in html and "东区新镇中学" not in html, url


def test_outsider_dashboard_counts_only_their_district(as_user, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("west_admin").get("/").content.decode()
    assert 'id="stat-students">390<' in html
