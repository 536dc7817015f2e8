"""`edugov plan escalate`: the daily 督办 sweep (run it from cron or a systemd timer once a day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.plans.services import escalate_overdue


class Command(BaseCommand):
    help = "督办扫描：逾期未完成或长期未报送的任务提交上级单位督办（每天运行一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="以该日期为“今天”（YYYY-MM-DD，默认今天）")
        parser.add_argument("--stall-days", type=int, help="多少天未报送进展视为停滞（默认 60）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from exc
        raised = escalate_overdue(today=today, stall_days=options["stall_days"])
        for escalation in raised:
            task = escalation.task
            self.stdout.write(f"{escalation.get_kind_display()}  {escalation.level}级 → {escalation.to_unit.name}  "
                              f"{task.plan.year} {task.plan.title[:20]} 任务{task.number}：{task.content[:40]}")
        self.stdout.write(f"本次发起督办 {len(raised)} 件。")
