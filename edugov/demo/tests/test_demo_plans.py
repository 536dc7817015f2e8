"""The demo's five seed plans: published as the demo city's ledgers with progress and 督办."""

from __future__ import annotations

import datetime as dt

import pytest

from edugov.demo.plans import publish_seed_plans
from edugov.plans.models import Escalation, Plan, ReviewStatus, Task, TaskStatus, VersionStatus
from edugov.plans.queries import published_targets, tasks_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_the_five_seeds_become_published_ledgers_with_progress_and_escalations(city, personas):
    plans = publish_seed_plans(city.city, default_year=2024, today=dt.date(2026, 11, 25))
    assert len(plans) == 5 == Plan.objects.count()
    assert sorted(p.year for p in plans)[:1] == [2020]
    for plan in plans:
        version = plan.published_version
        assert version is not None and version.status == VersionStatus.PUBLISHED
        assert plan.tasks.count() >= 10, plan.title
        assert not version.measures.filter(status=ReviewStatus.PENDING).exists()
    assert published_targets().count() >= 100
    assert Task.objects.filter(status=TaskStatus.DONE).count() > Task.objects.count() // 2
    # Past plans' unfinished tasks are overdue and raised to the city.
    assert Escalation.objects.filter(resolved_at__isnull=True, to_unit=city.city).exists()
    # Work addressed to every county reaches the districts' own views.
    assert tasks_for(personas.east_admin).exists()


def test_the_seed_plans_are_the_same_on_every_run(city):
    first = publish_seed_plans(city.city, default_year=2024, today=dt.date(2026, 11, 25))
    snapshot = [(t.number, t.lead_unit.name, t.status, t.progress) for t in Task.objects.filter(plan=first[0])]
    Plan.objects.all().delete()
    second = publish_seed_plans(city.city, default_year=2024, today=dt.date(2026, 11, 25))
    assert snapshot == [(t.number, t.lead_unit.name, t.status, t.progress) for t in Task.objects.filter(plan=second[0])]
