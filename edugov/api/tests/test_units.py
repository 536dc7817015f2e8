from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from edugov.registry import services as registry

UNITS = "/api/v1/units/"


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_east_admin_sees_the_east_district_but_not_the_west(personas: Any, client_for: Any) -> None:
    client = client_for(personas.east_admin)

    assert codes(client.get(UNITS)) == ["1137020003", "2137020001", "3137020002", "370202", "370202100"]
    assert client.get(f"{UNITS}370202/").status_code == 200


def test_a_west_school_is_not_found_for_the_east_admin(personas: Any, client_for: Any) -> None:
    client = client_for(personas.east_admin)

    for url in ("2137030001/", "2137030001/history/", "2137030001/children/", "370203/", "no-such-code/"):
        response = client.get(UNITS + url)
        assert response.status_code == 404, url


def test_the_city_admin_sees_the_whole_city(personas: Any, client_for: Any) -> None:
    assert len(codes(client_for(personas.city_admin).get(UNITS))) == 8


def test_a_unit_shows_its_codes_with_chinese_names_and_its_parent(personas: Any, client_for: Any) -> None:
    data = client_for(personas.viewer).get(f"{UNITS}3137020002/").json()

    assert data["name"] == "东区新镇中学"
    assert data["kind"] == "school"
    assert data["kind_label"] == "学校"
    assert data["school_type_code"] == "311"
    assert data["school_type_name"] == "初级中学"
    assert data["urban_rural_name"] == "镇中心区"
    assert data["sponsor_name"] == "县级教育部门"
    assert data["parent_code"] == "370202100"
    assert data["parent_name"] == "东区新镇"


def test_the_ancestor_filter_returns_the_subtree(personas: Any, client_for: Any) -> None:
    client = client_for(personas.city_admin)

    assert codes(client.get(UNITS, {"ancestor": "370202100"})) == ["1137020003", "3137020002", "370202100"]
    assert codes(client.get(UNITS, {"ancestor": "370202", "kind": "school"})) == [
        "1137020003", "2137020001", "3137020002"]


def test_the_ancestor_filter_never_widens_the_scope(personas: Any, client_for: Any) -> None:
    client = client_for(personas.east_admin)

    assert codes(client.get(UNITS, {"ancestor": "370203"})) == []
    assert "2137030001" not in codes(client.get(UNITS, {"ancestor": "370200"}))
    assert codes(client.get(UNITS, {"ancestor": "unknown"})) == []


def test_the_parent_filter_returns_direct_children_only(personas: Any, client_for: Any) -> None:
    client = client_for(personas.city_admin)

    assert codes(client.get(UNITS, {"parent": "370202"})) == ["2137020001", "370202100"]


def test_search_finds_by_name_and_by_code(personas: Any, client_for: Any) -> None:
    client = client_for(personas.city_admin)

    assert codes(client.get(UNITS, {"q": "实验小学"})) == ["2137020001"]
    assert codes(client.get(UNITS, {"q": "213703"})) == ["2137030001"]


def test_a_unit_is_shown_as_it_stood_on_the_requested_date(personas: Any, client_for: Any, city: Any) -> None:
    registry.change_attributes(actor=None, unit=city.east_primary, changes={"name": "东区第一实验小学"},
                               effective_on=dt.date(2023, 9, 1))
    registry.move_unit(actor=None, unit=city.east_primary, new_parent=city.east_town, effective_on=dt.date(2023, 9, 1))
    client = client_for(personas.east_admin)

    before = client.get(f"{UNITS}2137020001/", {"on": "2022-09-01"}).json()
    after = client.get(f"{UNITS}2137020001/").json()

    assert (before["name"], before["parent_code"]) == ("东区实验小学", "370202")
    assert (after["name"], after["parent_code"]) == ("东区第一实验小学", "370202100")
    assert codes(client.get(UNITS, {"q": "东区实验小学"})) == ["2137020001"]  # found by its former name


def test_history_lists_versions_links_and_events(personas: Any, client_for: Any, city: Any) -> None:
    registry.change_attributes(actor=None, unit=city.east_primary, changes={"name": "东区第一实验小学"},
                               effective_on=dt.date(2023, 9, 1))

    data = client_for(personas.school_admin).get(f"{UNITS}2137020001/history/").json()

    assert [v["name"] for v in data["versions"]] == ["东区实验小学", "东区第一实验小学"]
    assert [link["parent_code"] for link in data["links"]] == ["370202"]
    assert [e["kind"] for e in data["events"]] == ["open", "change"]
    assert data["events"][0]["kind_label"] == "设立"


def test_children_lists_the_direct_children_open_on_the_date(personas: Any, client_for: Any, city: Any) -> None:
    registry.close_unit(actor=None, unit=city.east_kindergarten, closed_on=dt.date(2024, 8, 31))
    # A superuser: core.scoping reads today's tree, in which a closed school no longer hangs under its district.
    root = get_user_model().objects.create_superuser("root", password="x" * 12)
    client = client_for(root)

    assert codes(client.get(f"{UNITS}370202100/children/")) == ["3137020002"]
    assert codes(client.get(f"{UNITS}370202100/children/", {"on": "2024-01-01"})) == ["1137020003", "3137020002"]


def test_active_on_hides_units_not_yet_opened(personas: Any, client_for: Any, city: Any) -> None:
    registry.open_unit(actor=None, code="2137020099", kind="school", name="东区新建小学", parent=city.east,
                       opened_on=dt.date(2024, 9, 1), effective_on=dt.date(2024, 1, 1))
    client = client_for(personas.east_admin)

    assert "2137020099" not in codes(client.get(UNITS, {"active_on": "2024-08-31"}))
    assert "2137020099" in codes(client.get(UNITS, {"active_on": "2024-09-01"}))


def test_malformed_filter_values_are_a_400_naming_the_parameter(personas: Any, client_for: Any) -> None:
    client = client_for(personas.east_admin)

    bad_date = client.get(UNITS, {"on": "2024-13-01"})
    bad_kind = client.get(UNITS, {"kind": "galaxy"})

    assert bad_date.status_code == 400 and "on" in bad_date.json()
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()


def test_a_school_admin_sees_only_the_school(personas: Any, client_for: Any) -> None:
    assert codes(client_for(personas.school_admin).get(UNITS)) == ["2137020001"]


def test_the_unit_list_does_not_query_per_unit(personas: Any, client_for: Any, city: Any,
                                                django_assert_max_num_queries: Any) -> None:
    for n in range(30):
        registry.open_unit(actor=None, code=f"21370200{n + 10:02d}", kind="school", name=f"东区第{n}小学",
                           parent=city.east, opened_on=dt.date(2000, 9, 1))
    client = client_for(personas.city_admin)

    with django_assert_max_num_queries(6):
        assert len(codes(client.get(UNITS, {"limit": 100}))) == 38
    with django_assert_max_num_queries(8):
        assert len(codes(client.get(f"{UNITS}370202/children/"))) == 32
