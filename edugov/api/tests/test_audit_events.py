from __future__ import annotations

from typing import Any

import pytest

from edugov.core import audit
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent

EVENTS = "/api/v1/audit-events/"


def events(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("persona", ["viewer", "school_admin"])
def test_the_audit_trail_is_forbidden_without_view_audit(personas: Any, client_for: Any, persona: str) -> None:
    client = client_for(getattr(personas, persona))
    event = AuditEvent.objects.first()
    assert event is not None

    assert client.get(EVENTS).status_code == 403
    assert client.get(f"{EVENTS}{event.pk}/").status_code == 403


def test_a_district_admin_sees_the_districts_events_and_their_own(personas: Any, client_for: Any,
                                                                   city: Any) -> None:
    own = audit.record(actor=personas.east_admin, action=AuditAction.EXPORT, object_repr="导出")
    west = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(city.west_primary.pk))
    client = client_for(personas.east_admin)

    listed = events(client.get(EVENTS, {"limit": 1000}))

    units = {e["org_unit_code"] for e in listed}
    assert units == {"370202", "370202100", "2137020001", "3137020002", "1137020003", None}
    assert own.pk in {e["id"] for e in listed}
    assert client.get(f"{EVENTS}{west.pk}/").status_code == 404


def test_audit_filters(personas: Any, client_for: Any, city: Any) -> None:
    client = client_for(personas.city_admin)

    created_in_town = events(client.get(EVENTS, {"action": "create", "ancestor": "370202100"}))
    of_school = events(client.get(EVENTS, {"unit": "2137020001"}))

    assert {e["org_unit_code"] for e in created_in_town} == {"370202100", "3137020002", "1137020003"}
    assert [e["action_label"] for e in of_school] == ["新增"]
    assert events(client.get(EVENTS, {"since": "2999-01-01"})) == []
    assert client.get(EVENTS, {"action": "nonsense"}).status_code == 400


def test_person_record_changes_are_masked_for_an_inspector(personas: Any, client_for: Any, year_data: Any,
                                                           city: Any) -> None:
    pupil = year_data.east_pupil
    audit.record(actor=personas.east_admin, action=AuditAction.UPDATE, obj=pupil, org_unit_id=city.east_primary.pk,
                 before={"id_number": pupil.id_number, "name": "张小明", "grade": "1"},
                 after={"id_number": pupil.id_number, "name": "张晓明", "grade": "1"})

    [seen_by_inspector] = events(client_for(personas.inspector).get(EVENTS, {"object_type": "stats.StudentRecord"}))
    [seen_by_admin] = events(client_for(personas.east_admin).get(EVENTS, {"object_type": "stats.StudentRecord"}))

    assert pupil.id_number not in str(seen_by_inspector)
    assert seen_by_inspector["before"]["name"] == "张**"
    assert seen_by_inspector["before"]["grade"] == "1"
    assert seen_by_admin["before"]["id_number"] == pupil.id_number
    assert seen_by_admin["object_repr"] == str(pupil)


def test_the_audit_list_does_not_query_per_event(personas: Any, client_for: Any,
                                                 django_assert_max_num_queries: Any) -> None:
    client = client_for(personas.city_admin)

    with django_assert_max_num_queries(5):
        assert len(events(client.get(EVENTS))) >= 8
