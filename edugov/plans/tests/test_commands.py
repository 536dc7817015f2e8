"""The plan management commands behind `edugov plan ingest` and `edugov plan escalate`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from edugov.plans.models import Escalation, PlanVersion, Task
from edugov.plans.tests.test_services import PLAN_TEXT, publish_all

pytestmark = pytest.mark.django_db


def test_ingest_reads_a_file_into_a_version_for_review(city, tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text(PLAN_TEXT, encoding="gb18030")
    out = io.StringIO()
    call_command("plan_ingest", str(path), "--unit", "370200", "--year", "2025", stdout=out)
    version = PlanVersion.objects.get()
    assert version.text == PLAN_TEXT
    assert f"/plans/versions/{version.pk}/" in out.getvalue()


def test_ingest_names_the_problem_with_a_bad_file_and_stores_nothing(city, tmp_path):
    path = tmp_path / "空.txt"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="文件内容为空"):
        call_command("plan_ingest", str(path), "--unit", "370200", "--year", "2025")
    with pytest.raises(CommandError, match="找不到机构代码"):
        call_command("plan_ingest", str(path), "--unit", "999999")
    assert not PlanVersion.objects.exists()


def test_escalate_raises_overdue_tasks_once(city, personas, tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text(PLAN_TEXT, encoding="utf-8")
    call_command("plan_ingest", str(path), "--unit", "370200", "--year", "2025", stdout=io.StringIO())
    publish_all(PlanVersion.objects.get(), personas.city_admin)
    dated = Task.objects.exclude(deadline__isnull=True).count()
    assert dated > 0
    out = io.StringIO()
    call_command("plan_escalate", "--date", "2026-01-05", stdout=out)
    assert Escalation.objects.count() == dated
    assert f"本次发起督办 {dated} 件" in out.getvalue()
    call_command("plan_escalate", "--date", dt.date(2026, 1, 6).isoformat(), stdout=out)
    assert Escalation.objects.count() == dated
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("plan_escalate", "--date", "2026/01/05")
