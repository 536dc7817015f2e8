"""`edugov manage case_escalate`: the daily sweep of overdue cases (run it from cron or a systemd timer once a day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.cases.services import escalate_overdue


class Command(BaseCommand):
    help = "个案超时扫描：超过办理时限的个案通知其上级单位（每天运行一次，重复运行不重复通知）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="以该日期为“今天”（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from exc
        raised = escalate_overdue(today=today)
        for notice in raised:
            self.stdout.write(f"→ {notice.unit.name if notice.unit else ''}  #{notice.case_id} {notice.text}")
        self.stdout.write(f"本次超时上报 {len(raised)} 件。")
