"""Pupils' and teachers' ID numbers and names are masked by default; showing them in full is a separate,
audited action for roles with VIEW_SENSITIVE."""

from __future__ import annotations

import pytest

from conftest import City
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent
from edugov.web.masking import mask_id

pytestmark = pytest.mark.django_db


def reads() -> int:
    return AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).count()


@pytest.mark.parametrize("persona", ["inspector", "viewer", "east_admin", "school_admin"])
def test_lists_are_masked_by_default(as_user, city: City, year_data, persona: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user(persona)
    students = client.get(f"/units/{city.east_primary.code}/students/").content.decode()
    teachers = client.get(f"/units/{city.east_primary.code}/teachers/").content.decode()
    for number in year_data.pupil_ids:
        assert number not in students
        assert mask_id(number) in students
    assert "张小明" not in students and "张**" in students
    for number in year_data.teacher_ids:
        assert number not in teachers
    assert "刘老师" not in teachers and "刘**" in teachers
    assert reads() == 0


@pytest.mark.parametrize("persona", ["inspector", "viewer"])
def test_roles_without_view_sensitive_get_no_button_and_are_refused(as_user, city: City, year_data,  # type: ignore[no-untyped-def]
                                                                     persona: str) -> None:
    client = as_user(persona)
    html = client.get(f"/units/{city.east_primary.code}/students/").content.decode()
    assert "显示完整证件号" not in html
    response = client.post(f"/units/{city.east_primary.code}/students/reveal/")
    assert response.status_code == 403
    assert year_data.pupil_ids[0] not in response.content.decode()
    assert reads() == 0


def test_unmasking_shows_full_numbers_and_audits_each_record(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    list_html = client.get(f"/units/{city.east_primary.code}/students/").content.decode()
    assert 'id="reveal-students"' in list_html
    response = client.post(f"/units/{city.east_primary.code}/students/reveal/", {"page": "1"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    for number in year_data.pupil_ids:
        assert number in html
    assert "张小明" in html
    events = AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE)
    assert events.count() == 3
    assert set(events.values_list("org_unit_id", flat=True)) == {city.east_primary.pk}
    assert set(events.values_list("actor_name", flat=True)) == {"li"}
    assert set(events.values_list("object_type", flat=True)) == {"stats.StudentRecord"}


def test_unmasking_teachers_is_audited_too(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    response = as_user("school_admin").post(f"/units/{city.east_primary.code}/teachers/reveal/")
    assert response.status_code == 200
    assert year_data.teacher_ids[0] in response.content.decode()
    assert reads() == 2


def test_unmasking_needs_post(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    assert as_user("east_admin").get(f"/units/{city.east_primary.code}/students/reveal/").status_code == 405
    assert reads() == 0


def test_student_numbers_built_from_id_numbers_are_masked(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("viewer").get(f"/units/{city.east_primary.code}/students/").content.decode()
    assert "G" + year_data.pupil_ids[0] not in html
    assert "G" + mask_id(year_data.pupil_ids[0]) in html


def test_student_list_is_paginated_for_htmx(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get(f"/units/{city.east_primary.code}/students/",
                                      HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div class="people" id="students-panel">')
