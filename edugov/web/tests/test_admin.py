from __future__ import annotations

import pytest

from conftest import City
from edugov.core.choices import AuditAction, Role
from edugov.core.models import AuditEvent, RoleAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, personas):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser(username="root", password="root-pass-123", email="")
    client.login(username="root", password="root-pass-123")
    return client


@pytest.mark.parametrize("path", [
    "core/roleassignment", "core/auditevent", "registry/orgunit", "registry/orgunitversion", "registry/orglink",
    "registry/orgunitevent", "stats/schoolyearstats", "stats/gradeenrolment", "stats/classsection",
    "stats/teacherstats", "stats/populationbyage", "stats/studentrecord", "stats/teacherrecord", "dataio/importrun",
])
def test_changelists_render(staff, path: str) -> None:  # type: ignore[no-untyped-def]
    assert staff.get(f"/admin/{path}/").status_code == 200
    assert staff.get(f"/admin/{path}/?q=东区").status_code == 200


def test_audit_rows_cannot_be_added_changed_or_deleted(staff) -> None:  # type: ignore[no-untyped-def]
    event = AuditEvent.objects.first()
    assert staff.get("/admin/core/auditevent/add/").status_code == 403
    assert staff.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    response = staff.post(f"/admin/core/auditevent/{event.pk}/change/", {"message": "tampered"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.message != "tampered"


def test_granting_a_role_is_audited(staff, personas, city: City) -> None:  # type: ignore[no-untyped-def]
    response = staff.post("/admin/core/roleassignment/add/", {
        "user": personas.viewer.pk, "role": Role.VIEWER, "org_unit": city.west.pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=personas.viewer, org_unit=city.west).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.RoleAssignment",
                                     org_unit=city.west).exists()
