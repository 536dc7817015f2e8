"""Targets a bureau registers outside any plan (登记目标): judged like a plan's targets, scoped to their owner,
audited, and withdrawn only by a unit that may edit the owner.

GIVEN the shared personas (示范市 370200 with 东区 370202 and 西区 370203).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied

from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent
from edugov.plans import services
from edugov.plans.models import Target
from edugov.plans.progress import target_progress
from edugov.plans.tests.test_progress import kindergarten_year

pytestmark = pytest.mark.django_db


def register(personas, city, **overrides):  # type: ignore[no-untyped-def]
    fields = {"owner": city.east, "indicator_code": "preschool_gross_enrolment", "comparator": ">=",
              "value": "95.5", "deadline_year": 2026}
    fields.update(overrides)
    return services.enter_target(actor=personas.east_admin, **fields)


def test_a_registered_target_states_itself_and_is_judged_on_the_catalogue_like_a_plans_target(city, personas):
    kindergarten_year(city, 2023, 180, 200)  # 90 %
    kindergarten_year(city, 2024, 188, 200)  # 94 %
    target = register(personas, city)
    assert target.version is None and target.entered_by == personas.east_admin
    assert target.quote == "东区学前三年毛入园率不低于95.5%（2026年底前）"
    assert (target.value, target.unit_of_measure, target.period_end.isoformat()) == (
        Decimal("95.5"), "%", "2026-12-31")
    progress = target_progress([target], years=[2023, 2024])[target.pk]
    assert progress.status.status == "on_track" and progress.status.gap == Fraction(3, 2)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="plans.Target")
    assert event.actor == personas.east_admin and event.org_unit_id == city.east.pk


def test_a_unit_outside_the_actors_scope_or_a_bad_value_is_refused_and_nothing_is_written(city, personas):
    with pytest.raises(PermissionDenied):
        register(personas, city, owner=city.west)
    for bad in ({"indicator_code": "no_such_indicator"}, {"value": "abc"}, {"value": "NaN"},
                {"comparator": "increase_by"}, {"deadline_year": 1999}, {"value": ""}):
        with pytest.raises(services.PlanInputError):
            register(personas, city, **bad)
    assert not Target.objects.exists()


def test_the_targets_page_registers_shows_and_withdraws_a_target_in_scope_only(city, personas, as_user):
    east = as_user("east_admin")
    response = east.post("/plans/targets/", {"owner": city.east.pk, "indicator_code": "myopia_rate",
                                             "comparator": "<=", "value": "50", "deadline_year": 2026,
                                             "note": "每年下降不低于1个百分点"})
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.quote.startswith("东区") and target.quote.endswith("每年下降不低于1个百分点")
    page = east.get("/plans/targets/").content.decode()
    table = page.split('id="target-table"')[1]
    assert "登记目标" in table and "东区" in table and f"/plans/targets/{target.pk}/withdraw/" in table
    # 西区 sees neither the target nor a way to withdraw it, and cannot withdraw it by address
    west = as_user("west_admin")
    assert "每年下降不低于1个百分点" not in west.get("/plans/targets/").content.decode()
    assert west.post(f"/plans/targets/{target.pk}/withdraw/").status_code == 404
    assert Target.objects.filter(pk=target.pk).exists()
    # the city sees it; 东区 withdraws it
    assert "每年下降不低于1个百分点" in as_user("city_admin").get("/plans/targets/").content.decode()
    assert east.post(f"/plans/targets/{target.pk}/withdraw/").status_code == 302
    assert not Target.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="plans.Target").count() == 1


def test_a_form_without_a_value_is_shown_again_with_the_reason(city, personas, as_user):
    response = as_user("east_admin").post("/plans/targets/", {
        "owner": city.east.pk, "indicator_code": "myopia_rate", "comparator": "<=", "value": "",
        "deadline_year": 2026})
    assert response.status_code == 200 and "请填写目标值" in response.content.decode()
    assert not Target.objects.exists()


def test_a_registered_target_is_not_reviewed_like_a_plans_target(city, personas):
    target = register(personas, city)
    with pytest.raises(services.PlanInputError):
        services.review_target(actor=personas.east_admin, target=target, status="rejected")


def test_the_api_lists_registered_targets_with_no_plan(city, personas):
    from rest_framework.test import APIClient

    target = register(personas, city)
    client = APIClient()
    client.force_authenticate(personas.east_admin)
    rows = client.get("/api/v1/targets/").json()["results"]
    row = next(r for r in rows if r["id"] == target.pk)
    assert (row["plan_id"], row["version"], row["registered"], row["owner_code"]) == (None, None, True, "370202")
    west = APIClient()
    west.force_authenticate(personas.west_admin)
    assert all(r["id"] != target.pk for r in west.get("/api/v1/targets/").json()["results"])


def test_a_read_only_user_who_sees_a_registered_target_cannot_withdraw_it(city, personas, as_user):
    target = register(personas, city)
    viewer = as_user("viewer")
    assert "东区学前三年毛入园率不低于95.5%" in viewer.get("/plans/targets/").content.decode()
    response = viewer.post(f"/plans/targets/{target.pk}/withdraw/", follow=True)
    assert "您无权修改“东区”的工作计划或任务。" in response.content.decode()
    assert Target.objects.filter(pk=target.pk).exists()
