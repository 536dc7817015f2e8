"""The plans API: plans, the task ledger, progress reports, targets in force and 督办, each cut to the caller's scope.

The plan is built through the services as staff would build it: ingest the city's 工作要点, give every measure a
lead unit (one task to the city's office with both districts co-operating, one to the east district alone, one to
the west), accept the rest and publish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from edugov.plans import services
from edugov.plans.models import Escalation, Plan, ReviewStatus, Target, Task, TaskStatus
from edugov.plans.tests.test_services import PLAN_TEXT
from edugov.registry.models import OrgUnit
from edugov.registry.services import open_unit

PLANS = "/api/v1/plans/"
TASKS = "/api/v1/tasks/"
TARGETS = "/api/v1/targets/"
ESCALATIONS = "/api/v1/escalations/"

PAST = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Plan documents and evidence are stored under MEDIA_ROOT; keep them out of the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


@dataclass
class Ledger:
    plan: Plan
    office: OrgUnit
    shared: Task  # led by the city's office, the east and west districts co-operate; due in the future
    east: Task  # led by the east district alone; past its deadline
    west: Task  # led by the west district alone; past its deadline


@pytest.fixture
def ledger(city: Any, personas: Any) -> Ledger:
    office = open_unit(actor=None, code="370200-01", kind="dept", name="学前教育科", parent=city.city)
    admin = personas.city_admin
    version = services.ingest_plan(actor=admin, unit=city.city, year=2025,
                                   document=services.UploadedDocument("要点.txt", PLAN_TEXT.encode()))
    measures = list(version.measures.order_by("start", "position"))
    assert len(measures) >= 3, "the plan text should give at least three measures"
    future = timezone.localdate() + dt.timedelta(days=100)
    assignments = [(office, [city.east, city.west], future), (city.east, [], PAST), (city.west, [], PAST)]
    for index, measure in enumerate(measures):
        lead, co_units, deadline = assignments[index] if index < len(assignments) else (office, [], None)
        services.review_measure(actor=admin, measure=measure, status=ReviewStatus.ACCEPTED, lead_units=[lead],
                                co_units=co_units, deadline=deadline, clear_deadline=deadline is None)
    rate = version.targets.get(value=Decimal("95.5"))
    services.review_target(actor=admin, target=rate, status=ReviewStatus.ACCEPTED, owner=city.east)
    services.accept_pending(actor=admin, version=version)
    services.publish_version(actor=admin, version=version)
    tasks = {task.measure_id: task for task in Task.objects.all()}
    return Ledger(plan=version.plan, office=office, shared=tasks[measures[0].pk], east=tasks[measures[1].pk],
                  west=tasks[measures[2].pk])


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def ids(response: Any) -> set[int]:
    return {row["id"] for row in results(response)}


def evidence(name: str, data: bytes = b"%PDF-1.4 evidence", content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def report(client: Any, task: Task, **fields: Any) -> Any:
    data = {"progress": 40, "status": TaskStatus.IN_PROGRESS, "text": "已完成选址", **fields}
    return client.post(f"{TASKS}{task.pk}/reports/", data, format="multipart")


# --- plans -------------------------------------------------------------------------------------------------------


def test_the_city_admin_sees_the_plan_with_its_versions_and_task_counts(ledger: Ledger, personas: Any,
                                                                        client_for: Any) -> None:
    (row,) = results(client_for(personas.city_admin).get(PLANS))

    assert row["id"] == ledger.plan.pk
    assert (row["unit_code"], row["unit_name"], row["year"]) == ("370200", "示范市", 2025)
    assert row["title"] == ledger.plan.title
    assert (row["published_version"], row["latest_version"]) == (1, 1)
    assert (row["latest_version_status"], row["latest_version_status_label"]) == ("published", "已发布")
    assert row["task_total"] == Task.objects.count()
    assert row["task_done"] == 0
    assert row["task_overdue"] == 2  # the east and west tasks are past their deadline


def test_a_district_sees_the_city_plan_with_counts_of_its_own_tasks_only(ledger: Ledger, personas: Any,
                                                                         client_for: Any) -> None:
    (row,) = results(client_for(personas.east_admin).get(PLANS))

    assert row["id"] == ledger.plan.pk
    assert (row["task_total"], row["task_overdue"]) == (2, 1)  # the shared task and its own


def test_plans_filter_by_year_and_issuing_unit(ledger: Ledger, personas: Any, client_for: Any) -> None:
    client = client_for(personas.city_admin)

    assert ids(client.get(PLANS, {"year": 2025, "unit": "370200"})) == {ledger.plan.pk}
    assert ids(client.get(PLANS, {"year": 2024})) == set()
    assert ids(client.get(PLANS, {"unit": "370202"})) == set()
    bad = client.get(PLANS, {"year": "明年"})
    assert bad.status_code == 400
    assert "不是有效年度" in bad.json()["year"][0]


def test_a_school_admin_sees_no_plans_no_tasks_and_no_targets(ledger: Ledger, personas: Any,
                                                              client_for: Any) -> None:
    client = client_for(personas.school_admin)

    assert results(client.get(PLANS)) == []
    assert results(client.get(TASKS)) == []
    assert results(client.get(TARGETS)) == []
    assert client.get(f"{PLANS}{ledger.plan.pk}/").status_code == 404


# --- tasks -------------------------------------------------------------------------------------------------------


def test_the_city_admin_lists_every_task_with_its_units(ledger: Ledger, personas: Any, client_for: Any) -> None:
    rows = results(client_for(personas.city_admin).get(TASKS))

    assert {row["id"] for row in rows} == set(Task.objects.values_list("pk", flat=True))
    shared = next(row for row in rows if row["id"] == ledger.shared.pk)
    assert shared["plan_id"] == ledger.plan.pk
    assert (shared["lead_unit_code"], shared["lead_unit_name"]) == ("370200-01", "学前教育科")
    assert shared["co_units"] == [{"code": "370202", "name": "东区"}, {"code": "370203", "name": "西区"}]
    assert (shared["status"], shared["status_label"], shared["progress"]) == ("not_started", "未开始", 0)
    assert shared["overdue"] is False
    assert shared["content"] == ledger.shared.content
    east = next(row for row in rows if row["id"] == ledger.east.pk)
    assert (east["deadline"], east["overdue"], east["open_escalations"]) == ("2025-06-30", True, 0)


def test_the_east_admin_sees_only_the_tasks_the_east_leads_or_co_operates_on(ledger: Ledger, personas: Any,
                                                                             client_for: Any) -> None:
    client = client_for(personas.east_admin)

    assert ids(client.get(TASKS)) == {ledger.shared.pk, ledger.east.pk}
    assert client.get(f"{TASKS}{ledger.east.pk}/").status_code == 200
    assert client.get(f"{TASKS}{ledger.west.pk}/").status_code == 404


def test_an_east_task_is_not_found_for_the_west_admin(ledger: Ledger, personas: Any, client_for: Any) -> None:
    client = client_for(personas.west_admin)

    assert client.get(f"{TASKS}{ledger.east.pk}/").status_code == 404
    assert client.get(f"{TASKS}{ledger.east.pk}/reports/").status_code == 404
    assert ids(client.get(TASKS)) == {ledger.shared.pk, ledger.west.pk}


def test_the_overdue_filter_returns_open_tasks_past_their_deadline(ledger: Ledger, personas: Any,
                                                                   client_for: Any) -> None:
    services.report_progress(actor=personas.west_admin, task=ledger.west, progress=100, status=TaskStatus.DONE,
                             text="已完成")
    client = client_for(personas.city_admin)

    assert ids(client.get(TASKS, {"status": "overdue"})) == {ledger.east.pk}
    assert ids(client.get(TASKS, {"status": "done"})) == {ledger.west.pk}
    assert ids(client.get(TASKS, {"status": "overdue", "plan": ledger.plan.pk + 1})) == set()
    bad = client.get(TASKS, {"status": "late"})
    assert bad.status_code == 400
    assert "overdue" in bad.json()["status"][0]


def test_the_lead_unit_filter_takes_the_subtree_and_not_the_co_operating_units(ledger: Ledger, personas: Any,
                                                                              client_for: Any) -> None:
    client = client_for(personas.city_admin)

    assert ids(client.get(TASKS, {"lead_unit": "370202"})) == {ledger.east.pk}
    assert ids(client.get(TASKS, {"lead_unit": "370200"})) == set(Task.objects.values_list("pk", flat=True))
    assert ledger.shared.pk in ids(client.get(TASKS, {"lead_unit": "370200-01"}))
    assert ids(client.get(TASKS, {"lead_unit": "no-such-unit"})) == set()


def test_the_task_list_does_not_query_per_task(ledger: Ledger, personas: Any, client_for: Any,
                                               django_assert_max_num_queries: Any) -> None:
    client = client_for(personas.east_admin)

    with django_assert_max_num_queries(8):
        assert len(results(client.get(TASKS))) == 2


# --- progress reports --------------------------------------------------------------------------------------------


def test_the_east_admin_reports_progress_with_a_pdf(ledger: Ledger, personas: Any, client_for: Any) -> None:
    client = client_for(personas.east_admin)

    response = report(client, ledger.east, evidence=[evidence("选址纪要.pdf")])

    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["progress"], created["status"], created["unit_code"]) == (40, "in_progress", "370202")
    assert created["author_name"] == personas.east_admin.username
    assert [(e["file_name"], e["size"]) for e in created["evidence"]] == [("选址纪要.pdf", 17)]
    task = client.get(f"{TASKS}{ledger.east.pk}/").json()
    assert (task["status"], task["progress"]) == ("in_progress", 40)
    assert task["last_reported_at"] is not None
    listed = results(client.get(f"{TASKS}{ledger.east.pk}/reports/"))
    assert [r["id"] for r in listed] == [created["id"]]
    assert listed[0]["text"] == "已完成选址"


def test_the_west_admin_cannot_report_on_an_east_task(ledger: Ledger, personas: Any, client_for: Any) -> None:
    response = report(client_for(personas.west_admin), ledger.east, evidence=[evidence("a.pdf")])

    assert response.status_code == 404
    assert not ledger.east.reports.exists()


def test_a_co_operating_district_and_a_viewer_may_read_but_not_report(ledger: Ledger, personas: Any,
                                                                      client_for: Any) -> None:
    for persona in (personas.east_admin, personas.viewer):
        response = report(client_for(persona), ledger.shared)
        assert response.status_code == 403, persona
        assert "牵头单位" in response.json()["detail"]
    assert report(client_for(personas.viewer), ledger.east).status_code == 403
    assert not ledger.shared.reports.exists() and not ledger.east.reports.exists()


def test_an_executable_as_evidence_is_a_400_with_the_reason_in_chinese(ledger: Ledger, personas: Any,
                                                                       client_for: Any) -> None:
    response = report(client_for(personas.east_admin), ledger.east,
                      evidence=[evidence("tool.exe", b"MZ", "application/octet-stream")])

    assert response.status_code == 400
    assert "类型不允许" in response.json()["detail"]
    assert not ledger.east.reports.exists()
    ledger.east.refresh_from_db()
    assert ledger.east.progress == 0


@pytest.mark.parametrize(("fields", "key", "message"), [
    ({"progress": 120}, "progress", ""),
    ({"status": "withdrawn"}, "detail", "未知的任务状态"),
    ({"progress": 100}, "detail", "已完成"),
])
def test_bad_report_fields_are_a_400(ledger: Ledger, personas: Any, client_for: Any, fields: dict[str, Any],
                                     key: str, message: str) -> None:
    response = report(client_for(personas.east_admin), ledger.east, **fields)

    assert response.status_code == 400
    body = response.json()
    assert key in body
    assert message in str(body[key])
    assert not ledger.east.reports.exists()


def test_reporting_done_closes_the_open_escalations(ledger: Ledger, personas: Any, client_for: Any) -> None:
    services.raise_escalation(actor=personas.city_admin, task=ledger.east, reason="请加快进度")
    client = client_for(personas.east_admin)
    assert client.get(f"{TASKS}{ledger.east.pk}/").json()["open_escalations"] == 1

    response = report(client, ledger.east, progress=0, status=TaskStatus.DONE, text="全部完成")

    assert response.status_code == 201, response.content
    task = client.get(f"{TASKS}{ledger.east.pk}/").json()
    assert (task["status"], task["progress"], task["overdue"], task["open_escalations"]) == ("done", 100, False, 0)


# --- targets -----------------------------------------------------------------------------------------------------


def test_target_values_are_exact_decimal_strings(ledger: Ledger, personas: Any, client_for: Any) -> None:
    rows = results(client_for(personas.city_admin).get(TARGETS))

    rate = next(row for row in rows if row["indicator_code"] == "preschool_gross_enrolment")
    assert rate["value"] == "95.5"
    assert rate["value_max"] is None
    assert rate["plan_id"] == ledger.plan.pk
    assert (rate["owner_code"], rate["owner_name"]) == ("370202", "东区")
    assert (rate["period_start"], rate["period_end"]) == ("2025-01-01", "2025-12-31")
    assert PLAN_TEXT[rate["start"]:rate["end"]] == rate["quote"]
    assert rate["comparator_label"]
    # Whole numbers leave without exponent or padding: Decimal("10").normalize() alone would give "1E+1".
    assert all(isinstance(row["value"], str) and "E" not in row["value"] for row in rows)
    assert "10" in {row["value"] for row in rows}


def test_a_target_range_keeps_both_bounds_exactly(ledger: Ledger, personas: Any, client_for: Any) -> None:
    Target.objects.filter(value=Decimal("95.5")).update(value_max=Decimal("97.25"))

    (row,) = results(client_for(personas.city_admin).get(TARGETS, {"indicator": "preschool_gross_enrolment"}))

    assert (row["value"], row["value_max"]) == ("95.5", "97.25")


def test_a_district_sees_only_the_targets_it_owns_of_a_plan_it_does_not_issue(ledger: Ledger, personas: Any,
                                                                              client_for: Any) -> None:
    rate = Target.objects.get(value=Decimal("95.5"))

    assert ids(client_for(personas.east_admin).get(TARGETS)) == {rate.pk}
    assert ids(client_for(personas.west_admin).get(TARGETS)) == set()
    city = client_for(personas.city_admin)
    assert len(results(city.get(TARGETS))) == Target.objects.count() > 1
    assert ids(city.get(TARGETS, {"owner": "370202", "plan": ledger.plan.pk})) == {rate.pk}


def test_targets_of_a_version_under_review_are_not_in_force(ledger: Ledger, city: Any, personas: Any,
                                                            client_for: Any) -> None:
    services.ingest_plan(actor=personas.city_admin, unit=city.city, year=2026,
                         document=services.UploadedDocument("2026要点.txt", PLAN_TEXT.encode()))

    rows = results(client_for(personas.city_admin).get(TARGETS))

    assert {row["plan_id"] for row in rows} == {ledger.plan.pk}


# --- 督办 --------------------------------------------------------------------------------------------------------


def test_escalations_are_open_ones_by_default_and_all_with_all_1(ledger: Ledger, personas: Any,
                                                                 client_for: Any) -> None:
    first = services.raise_escalation(actor=personas.city_admin, task=ledger.east, reason="请说明进度")
    services.resolve_escalation(actor=personas.city_admin, escalation=first, resolution="已说明")
    second = services.raise_escalation(actor=personas.city_admin, task=ledger.east, reason="请加快进度")
    client = client_for(personas.east_admin)

    (row,) = results(client.get(ESCALATIONS))
    assert row["id"] == second.pk
    assert (row["task_id"], row["lead_unit_code"], row["to_unit_code"]) == (ledger.east.pk, "370202", "370200")
    assert (row["kind"], row["kind_label"], row["is_open"]) == ("manual", "人工督办", True)
    assert ids(client.get(ESCALATIONS, {"all": "1"})) == {first.pk, second.pk}
    assert client.get(f"{ESCALATIONS}{first.pk}/").json()["resolution"] == "已说明"
    assert results(client_for(personas.west_admin).get(ESCALATIONS, {"all": "1"})) == []
    assert Escalation.objects.count() == 2


# --- schema ------------------------------------------------------------------------------------------------------


def test_the_plan_endpoints_are_documented(db: None, tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))

    paths = schema["paths"]
    for path in (PLANS, TASKS, TARGETS, ESCALATIONS, f"{TASKS}{{id}}/reports/"):
        assert path in paths, path
    assert set(paths[f"{TASKS}{{id}}/reports/"]) == {"get", "post"}
    assert {p["name"] for p in paths[TASKS]["get"]["parameters"]} >= {"plan", "status", "lead_unit"}
    value = schema["components"]["schemas"]["Target"]["properties"]["value"]
    assert (value["type"], value["format"]) == ("string", "decimal")
    upload = schema["components"]["schemas"]["TaskReportUpload"]["properties"]["evidence"]
    assert upload["items"]["format"] == "binary"
