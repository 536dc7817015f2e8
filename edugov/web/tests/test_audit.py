from __future__ import annotations

import pytest

from conftest import City
from edugov.core import audit
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_change(city: City, year_data) -> AuditEvent:  # type: ignore[no-untyped-def]
    return audit.record(actor=None, action=AuditAction.UPDATE, object_type="stats.StudentRecord", object_id="1",
                        object_repr="G" + year_data.pupil_ids[0], org_unit_id=city.east_primary.pk,
                        before={"grade": "1", "id_number": year_data.pupil_ids[1], "name": "张小明"},
                        after={"grade": "2", "id_number": year_data.pupil_ids[0], "name": "张晓明"})


def test_it_lists_events_of_units_in_scope_only(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get("/audit/").content.decode()
    assert "东区实验小学" in html and "西区第一小学" not in html


def test_it_filters_by_action_type_user_and_date(as_user, city: City, student_change: AuditEvent) -> None:  # type: ignore[no-untyped-def]
    client = as_user("city_admin")
    html = client.get("/audit/", {"action": "update"}).content.decode()
    assert "共 1 条" in html
    html = client.get("/audit/", {"object_type": "registry.OrgUnit"}).content.decode()
    assert "共 8 条" in html  # the eight units created by the fixture
    assert "共 0 条" in client.get("/audit/", {"user": "nobody"}).content.decode()
    assert "共 0 条" in client.get("/audit/", {"date_from": "2000-01-01", "date_to": "2000-01-02"}).content.decode()
    assert "开始日期不能晚于结束日期" in client.get("/audit/", {"date_from": "2001-01-02",
                                                          "date_to": "2001-01-01"}).content.decode()


def test_detail_shows_the_field_diff(as_user, student_change: AuditEvent) -> None:  # type: ignore[no-untyped-def]
    html = as_user("east_admin").get(f"/audit/{student_change.pk}/").content.decode()
    assert 'id="audit-diff"' in html and "年级" in html
    assert "张晓明" in html  # east_admin may see personal data


def test_detail_masks_personal_data_for_inspectors(as_user, student_change: AuditEvent, year_data) -> None:  # type: ignore[no-untyped-def]
    html = as_user("inspector").get(f"/audit/{student_change.pk}/").content.decode()
    assert year_data.pupil_ids[0] not in html and year_data.pupil_ids[1] not in html
    assert "张晓明" not in html and "张**" in html


def test_detail_outside_scope_is_404(as_user, student_change: AuditEvent) -> None:  # type: ignore[no-untyped-def]
    assert as_user("west_admin").get(f"/audit/{student_change.pk}/").status_code == 404


def test_detail_needs_the_permission(as_user, student_change: AuditEvent) -> None:  # type: ignore[no-untyped-def]
    assert as_user("viewer").get(f"/audit/{student_change.pk}/").status_code == 403
