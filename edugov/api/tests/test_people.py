from __future__ import annotations

from typing import Any

import pytest

from edugov.api.tests.conftest import make_pupil
from edugov.core.choices import AuditAction, Role
from edugov.core.models import AuditEvent, RoleAssignment
from edugov.core.scoping import forget_scope

STUDENTS = "/api/v1/students/"


def rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def sensitive_reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE))


@pytest.mark.parametrize("persona", ["inspector", "viewer"])
def test_students_are_masked_for_inspectors_and_viewers(personas: Any, client_for: Any, year_data: Any,
                                                        persona: str) -> None:
    pupil = year_data.east_pupil

    listed = rows(client_for(getattr(personas, persona)).get(STUDENTS, {"unit": "2137020001"}))

    assert len(listed) == 1
    row = listed[0]
    assert row["masked"] is True
    assert row["name"] == "张**"
    assert row["id_number"] == pupil.id_number[:3] + "*" * 11 + pupil.id_number[-4:]
    assert pupil.id_number not in row["student_no"]
    assert row["student_no"] == "G" + row["id_number"]
    assert row["birth_date"] == "2018-01"
    assert sensitive_reads() == []


def test_the_detail_is_masked_as_well(personas: Any, client_for: Any, year_data: Any) -> None:
    response = client_for(personas.inspector).get(f"{STUDENTS}{year_data.east_pupil.pk}/")

    assert response.status_code == 200
    assert year_data.east_pupil.id_number not in response.content.decode()
    assert "张小明" not in response.content.decode()


def test_a_school_admin_sees_full_values_and_the_read_is_audited_once_per_request(
        personas: Any, client_for: Any, year_data: Any, city: Any) -> None:
    for n in range(4, 9):
        make_pupil(city.east_primary, n, f"学生{n}")

    listed = rows(client_for(personas.school_admin).get(STUDENTS))

    assert len(listed) == 6
    assert all(row["masked"] is False for row in listed)
    assert listed[0]["id_number"] == year_data.east_pupil.id_number
    assert listed[0]["name"] == "张小明"
    assert listed[0]["birth_date"] == "2018-01-01"
    [event] = sensitive_reads()
    assert event.actor == personas.school_admin
    assert event.object_type == "stats.StudentRecord"
    assert event.org_unit_id == city.east_primary.pk
    assert "/api/v1/students/" in event.message
    assert "6 条" in event.message


def test_a_detail_read_names_the_record_in_the_audit(personas: Any, client_for: Any, year_data: Any) -> None:
    client_for(personas.school_admin).get(f"{STUDENTS}{year_data.east_pupil.pk}/")

    [event] = sensitive_reads()
    assert event.object_id == str(year_data.east_pupil.pk)
    assert "1 条" in event.message


def test_an_empty_page_writes_no_audit_event(personas: Any, client_for: Any, year_data: Any) -> None:
    rows(client_for(personas.school_admin).get(STUDENTS, {"grade": "6"}))

    assert sensitive_reads() == []


def test_an_out_of_scope_student_is_not_found(personas: Any, client_for: Any, year_data: Any) -> None:
    west = year_data.west_pupil

    response = client_for(personas.east_admin).get(f"{STUDENTS}{west.pk}/")
    missing = client_for(personas.east_admin).get(f"{STUDENTS}999999/")

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json() == {"detail": "未找到。"}
    assert client_for(personas.school_admin).get(f"{STUDENTS}{year_data.junior_pupil.pk}/").status_code == 404
    assert client_for(personas.west_admin).get(f"{STUDENTS}{west.pk}/").status_code == 200


def test_a_district_admin_lists_the_district_unmasked(personas: Any, client_for: Any, year_data: Any) -> None:
    listed = rows(client_for(personas.east_admin).get(STUDENTS))

    assert {row["name"] for row in listed} == {"张小明", "王小红"}
    [event] = sensitive_reads()
    assert event.org_unit_id == personas.east_admin.roles.get().org_unit_id


def test_unmasking_follows_the_role_that_grants_it_not_the_union_of_roles(
        personas: Any, client_for: Any, year_data: Any, city: Any) -> None:
    """GIVEN a school administrator of 东区实验小学 who is also a viewer of the whole east district
    WHEN they list the district's pupils
    THEN only their own school's pupils are unmasked."""
    user = personas.school_admin
    RoleAssignment.objects.create(user=user, role=Role.VIEWER, org_unit=city.east)
    forget_scope(user)

    by_school = {row["unit_code"]: row for row in rows(client_for(user).get(STUDENTS))}

    assert by_school["2137020001"]["masked"] is False
    assert by_school["3137020002"]["masked"] is True
    assert by_school["3137020002"]["name"] == "王**"
    assert "1 条" in sensitive_reads()[0].message


def test_student_filters(personas: Any, client_for: Any, year_data: Any, city: Any) -> None:
    make_pupil(city.east_primary, 4, "李四", grade="1", class_name="2班")
    client = client_for(personas.east_admin)

    assert len(rows(client.get(STUDENTS, {"class_name": "2班"}))) == 1
    assert len(rows(client.get(STUDENTS, {"grade": "初一"}))) == 1
    assert len(rows(client.get(STUDENTS, {"ancestor": "370202100", "year": 2024}))) == 1
    assert rows(client.get(STUDENTS, {"year": 2023})) == []


def test_teachers_are_masked_for_the_inspector_and_not_for_the_school_admin(
        personas: Any, client_for: Any, year_data: Any) -> None:
    [masked] = rows(client_for(personas.inspector).get("/api/v1/teachers/"))
    [full] = rows(client_for(personas.school_admin).get("/api/v1/teachers/"))

    assert masked["name"] == "李**"
    assert masked["id_number"].count("*") == 11
    assert full["name"] == "李文华"
    assert full["training_hours"] == "90.0"
    assert full["subject_name"] == "语文"
    [event] = sensitive_reads()
    assert event.object_type == "stats.TeacherRecord"


def test_the_student_list_does_not_query_per_row(personas: Any, client_for: Any, year_data: Any, city: Any,
                                                 django_assert_max_num_queries: Any) -> None:
    for n in range(10, 60):
        make_pupil(city.east_primary, n, f"学生{n}")

    # roles + scope tree, roles again for unmasking, count, page, audit insert
    with django_assert_max_num_queries(6):
        assert len(rows(client_for(personas.school_admin).get(STUDENTS))) == 51
