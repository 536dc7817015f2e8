"""Cases through HTTP: scoped pages, masking and audited full reads, steps and contacts, notifications, the ledgers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from edugov.cases import rules, services
from edugov.cases.models import Case
from edugov.cases.tests.conftest import make_id, make_student
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_case(city) -> Case:  # type: ignore[no-untyped-def]
    student = make_student(city.east_primary, "G001", name="王小明")
    return services.open_case(actor=None, case_type_code="dropout", unit=city.east_primary, year=2025,
                              student=student, school=city.east_primary, title="连续缺课 20 天")


def test_a_west_admin_gets_404_on_an_east_case(as_user, east_case):
    client = as_user("west_admin")
    assert client.get(f"/cases/{east_case.pk}/").status_code == 404
    assert "连续缺课 20 天" not in client.get("/cases/list/").content.decode()
    assert client.get("/cases/").status_code == 200


def test_lists_mask_names_and_ids_and_the_detail_shows_them_in_full_with_an_audit(as_user, east_case):
    client = as_user("east_admin")
    listing = client.get("/cases/list/").content.decode()
    assert "王**" in listing and east_case.student.id_number not in listing and "王小明" not in listing
    page = client.get(f"/cases/{east_case.pk}/").content.decode()
    assert "王小明" in page and east_case.student.id_number in page
    assert AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE, object_id=str(east_case.pk)).exists()


def test_an_inspector_sees_the_case_masked_and_no_steps(as_user, east_case):
    page = as_user("inspector").get(f"/cases/{east_case.pk}/").content.decode()
    assert "王**" in page and "王小明" not in page and 'id="step-confirm"' not in page
    assert not AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).exists()


def test_the_page_offers_only_allowed_steps_and_takes_one(as_user, east_case):
    client = as_user("school_admin")
    page = client.get(f"/cases/{east_case.pk}/").content.decode()
    assert 'id="step-confirm"' in page and 'id="step-dismiss"' in page and 'id="step-verify_return"' not in page
    response = client.post(f"/cases/{east_case.pk}/", {
        "action": "transition", "transition": "confirm", "expected_state": "pending", "expected_version": "1",
        "f_finding": "家访确认未到校", "f_cause": "厌学"})
    assert response.status_code == 302
    east_case.refresh_from_db()
    assert east_case.state == "persuading"
    stale = client.post(f"/cases/{east_case.pk}/", {
        "action": "transition", "transition": "dismiss", "expected_state": "pending", "expected_version": "1",
        "f_basis": "在外地就读", "f_finding": "x"}, follow=True).content.decode()
    assert "该个案已被他人处理（当前状态：劝返中），请刷新后重试" in stale


def test_a_contact_is_recorded_from_the_page(as_user, east_case):
    client = as_user("school_admin")
    response = client.post(f"/cases/{east_case.pk}/", {
        "action": "contact", "contacted_on": "2025-10-01", "contacted_by": "班主任", "method": "home_visit",
        "contact_person": "母亲", "outcome": "答应返校"})
    assert response.status_code == 302
    assert "答应返校" in client.get(f"/cases/{east_case.pk}/").content.decode()


def test_the_dashboard_counts_and_notifications_are_per_unit(as_user, east_case):
    page = as_user("school_admin").get("/cases/").content.decode()
    assert 'id="count-open"><a href="/cases/list/?status=open">1<' in page
    assert 'id="unread-count">1<' in page
    client = as_user("school_admin")
    client.post("/cases/notifications/")
    assert 'id="unread-count"' not in client.get("/cases/notifications/").content.decode()
    # The county's users are not sent the school's own notices.
    assert 'id="unread-count"' not in as_user("east_admin").get("/cases/").content.decode()


def test_the_ledger_export_holds_the_three_ledgers_and_the_contacts(as_user, city, personas, east_case):
    services.import_resident_list(actor=personas.east_admin, unit=city.east_town, year=2025, source="公安户籍",
                                  rows=[{"身份证号": make_id(dt.date(2014, 2, 1), 31), "姓名": "赵小红"}])
    rules.detect_unregistered(2025)
    services.take_transition(actor=personas.school_admin, case=east_case, transition_code="confirm",
                             expected_state="pending", expected_version=1,
                             fields={"finding": "未到校", "cause": "厌学"})
    services.add_contact(actor=personas.school_admin, case=east_case, contacted_on=dt.date(2025, 10, 1),
                         contacted_by="班主任", method="phone", outcome="家长答应周一返校")
    response = as_user("east_admin").get("/cases/ledgers.xlsx?year=2025")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["适龄儿童台账", "疑似辍学台账", "辍学学生台账", "劝返记录"]
    children = list(wb["适龄儿童台账"].iter_rows(min_row=2, values_only=True))
    assert [(r[3], r[7]) for r in children] == [("赵小红", "未查到学籍")]
    assert wb["疑似辍学台账"].max_row == 3
    confirmed = list(wb["辍学学生台账"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4], r[5], r[11]) for r in confirmed] == [(east_case.pk, "王小明", "厌学", 1, "劝返中")]
    assert next(wb["劝返记录"].iter_rows(min_row=2, values_only=True))[7] == "家长答应周一返校"
    masked = load_workbook(io.BytesIO(as_user("inspector").get("/cases/ledgers.xlsx?year=2025").content))
    assert next(masked["辍学学生台账"].iter_rows(min_row=2, values_only=True))[2] == "王**"
    assert as_user("west_admin").get("/cases/ledgers.xlsx?year=2025").status_code == 200
    west = load_workbook(io.BytesIO(as_user("west_admin").get("/cases/ledgers.xlsx?year=2025").content))
    assert west["疑似辍学台账"].max_row == 1
