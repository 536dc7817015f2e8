"""Each page renders for the roles that may use it, and the menus offer only what the role may do."""

from __future__ import annotations

import pytest

from conftest import City

pytestmark = pytest.mark.django_db

ALL = ["city_admin", "east_admin", "school_admin", "inspector", "viewer", "west_admin"]


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("url", ["/", "/org/", "/quality/"])
def test_common_pages_render_for_every_role(as_user, year_data, persona: str, url: str) -> None:  # type: ignore[no-untyped-def]
    assert as_user(persona).get(url).status_code == 200


@pytest.mark.parametrize(("persona", "status"), [
    ("city_admin", 200), ("east_admin", 200), ("school_admin", 200), ("inspector", 403), ("viewer", 403),
])
def test_import_page_needs_the_import_permission(as_user, persona: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = as_user(persona)
    assert client.get("/imports/").status_code == status
    assert ('id="nav-imports"' in client.get("/").content.decode()) == (status == 200)


@pytest.mark.parametrize(("persona", "status"), [
    ("city_admin", 200), ("east_admin", 200), ("inspector", 200), ("school_admin", 403), ("viewer", 403),
])
def test_audit_page_needs_the_view_audit_permission(as_user, persona: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = as_user(persona)
    assert client.get("/audit/").status_code == status
    assert ('id="nav-audit"' in client.get("/").content.decode()) == (status == 200)


def test_admin_link_is_for_staff_only(as_user, personas) -> None:  # type: ignore[no-untyped-def]
    client = as_user("city_admin")
    assert 'id="nav-admin"' not in client.get("/").content.decode()
    personas.city_admin.is_staff = True
    personas.city_admin.save()
    assert 'id="nav-admin"' in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["city_admin", "east_admin", "school_admin", "inspector", "viewer"])
def test_school_page_renders_for_roles_in_scope(as_user, city: City, year_data, persona: str) -> None:  # type: ignore[no-untyped-def]
    response = as_user(persona).get(f"/units/{city.east_primary.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="unit-name">东区实验小学</h1>' in html
    assert "211 小学" in html and "111 主城区（城区）" in html and "831 县级教育部门" in html


def test_school_page_shows_the_years_data_with_exact_per_pupil_figures(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get(f"/units/{city.east_primary.code}/").content.decode()
    # 5230.50 m² / 428 pupils = 12.2207…; (8600 + 400) / 428 = 21.028…
    assert "12.22" in html and "21.03" in html
    assert 'id="enrolment-total">428<' in html
    assert "row-danger" in html and "row-warn" in html  # the 70 and 58 classes
    assert "2023-2024学年" in html  # the year-by-year table


def test_school_page_shows_history(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get(f"/units/{city.east_primary.code}/").content.decode()
    assert "设立" in html and "东区（370202）" in html


def test_breadcrumb_links_only_units_in_scope(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    html = as_user("school_admin").get(f"/units/{city.east_primary.code}/").content.decode()
    assert f'href="/units/{city.east.code}/"' not in html
    assert "<span>东区</span>" in html


def test_district_page_shows_children_and_totals(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get(f"/units/{city.east.code}/").content.decode()
    assert 'id="stat-students">601<' in html
    assert f'href="/units/{city.east_town.code}/"' in html and f'href="/units/{city.east_primary.code}/"' in html


def test_org_page_shows_the_tree_and_expands_nodes(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    html = client.get("/org/").content.decode()
    # The user's own unit arrives open with its first level; deeper levels load on demand.
    assert "<details open>" in html and "东区实验小学" in html
    assert f'hx-get="/org/{city.east_town.code}/children/"' in html and "东区新镇中学" not in html
    children = client.get(f"/org/{city.east_town.code}/children/", HTTP_HX_REQUEST="true").content.decode()
    assert "东区新镇中学" in children and "东区新镇中心幼儿园" in children and "西区" not in children


def test_org_search_matches_name_or_code_within_scope(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    html = client.get("/org/", {"q": "小学"}, HTTP_HX_REQUEST="true").content.decode()
    assert "东区实验小学" in html and "西区第一小学" not in html
    assert "<html" not in html  # an HTMX request gets the fragment
    by_code = client.get("/org/", {"q": "3137"}).content.decode()
    assert "东区新镇中学" in by_code


def test_org_filters_by_school_type_and_area(as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("city_admin")
    html = client.get("/org/", {"category": "kindergarten"}).content.decode()
    assert "东区新镇中心幼儿园" in html and "东区实验小学" not in html
    html = client.get("/org/", {"area": "镇区"}).content.decode()
    assert "东区新镇中学" in html and "西区第一小学" not in html


def test_dashboard_shows_counts_for_the_users_unit(as_user, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("city_admin").get("/").content.decode()
    # City: 601 east + 390 west pupils; classes ≥56 (kindergarten excluded): 58, 70, 57, 80; ≥66: 70, 80.
    assert 'id="stat-students">991<' in html
    assert 'id="stat-classes-56">4<' in html and 'id="stat-classes-66">2<' in html
    assert 'id="stat-teachers">82<' in html
    assert 'id="stat-schools">4<' in html


def test_dashboard_for_a_user_without_roles_says_so(client, db) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from conftest import PASSWORD

    get_user_model().objects.create_user(username="nobody", password=PASSWORD)
    client.login(username="nobody", password=PASSWORD)
    assert "尚未分配机构和角色" in client.get("/").content.decode()


def test_children_table_exports_to_excel(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    import io

    from openpyxl import load_workbook

    response = as_user("east_admin").get(f"/units/{city.east.code}/children.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("机构代码", "名称")
    assert rows[-1][0] == "合计" and 601 in rows[-1]


def test_zone_page_counts_its_member_schools(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from edugov.registry import services

    zone = services.open_unit(actor=None, code="Z37020201", kind="zone", name="东区第一学区", parent=city.east,
                              opened_on=dt.date(2020, 9, 1))
    for school in (city.east_primary, city.east_junior):
        services.move_unit(actor=None, unit=school, new_parent=zone, effective_on=dt.date(2020, 9, 1),
                           hierarchy="zone")
    client = as_user("east_admin")
    html = client.get(f"/units/{zone.code}/").content.decode()
    assert 'id="stat-students">543<' in html  # 428 + 115
    assert f'href="/units/{city.east_primary.code}/"' in html and f'href="/units/{city.east_junior.code}/"' in html
    school = client.get(f"/units/{city.east_primary.code}/").content.decode()
    assert f'href="/units/{zone.code}/">东区第一学区</a>' in school  # membership on the school's profile


def test_closed_school_page_shows_its_last_attributes(client, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.contrib.auth import get_user_model

    from edugov.registry import services

    # A closed unit has no parent today, so only a superuser's scope still contains it (see edugov.core.scoping).
    services.close_unit(actor=None, unit=city.west_primary, closed_on=dt.date(2023, 7, 1))
    get_user_model().objects.create_superuser(username="root", password="root-pass-123", email="")
    client.login(username="root", password="root-pass-123")
    html = client.get(f"/units/{city.west_primary.code}/").content.decode()
    assert "211 小学" in html and "已于 2023-07-01 撤销" in html and "未设立或已撤销" in html
