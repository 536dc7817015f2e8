"""`rollover --from-year YEAR`: create next school year's frame from this one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.dataio.management.commands._common import resolve_user
from edugov.lib.schoolyear import SchoolYear
from edugov.stats.services import rollover

LABELS = {
    "school_stats": "复制办学条件（条）",
    "students_promoted": "学生升级（人）",
    "students_left": "毕业或离校未结转（人）",
    "teachers": "复制教师（人）",
    "derived_enrolment": "汇总分年级在校生（条）",
    "derived_classes": "汇总班级（条）",
    "derived_teacher_stats": "汇总专任教师统计（条）",
}


class Command(BaseCommand):
    help = "学年结转：复制办学条件、学生升一个年级（毕业生不结转）、复制教师，生成下一学年的框架。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from-year", type=int, required=True, help="结转的起始学年，如 2024 表示 2024-2025学年")
        parser.add_argument("--user", help="以该用户身份结转（只结转其管理范围）；不填则结转全部")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["from_year"]
        try:
            summary = rollover(actor=resolve_user(options.get("user")), from_year=year)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已由{SchoolYear(year).label}结转生成{SchoolYear(year + 1).label}：")
        for key, value in summary.items():
            self.stdout.write(f"  {LABELS.get(key, key)}：{value}")
