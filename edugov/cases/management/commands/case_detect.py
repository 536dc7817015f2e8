"""`edugov manage case_detect --year Y`: runs the 控辍保学 rules over imported data and opens dropout cases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edugov.cases.models import DetectionRule
from edugov.cases.rules import detect_all


class Command(BaseCommand):
    help = "控辍保学比对：连续缺课、户籍适龄无学籍、有学籍不在校，自动立案（可重复运行，不重复立案）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="学年（如 2025 表示 2025–2026学年）")
        parser.add_argument("--absence-limit", type=int, help="连续缺课达到多少天立案（默认 15）")
        parser.add_argument("--min-age", type=int, help="义务教育适龄下限（9月1日周岁，默认 6）")
        parser.add_argument("--max-age", type=int, help="义务教育适龄上限（9月1日周岁，默认 15）")

    def handle(self, *args: Any, **options: Any) -> None:
        ages = None
        if options["min_age"] is not None or options["max_age"] is not None:
            ages = (options["min_age"] if options["min_age"] is not None else 6,
                    options["max_age"] if options["max_age"] is not None else 15)
        result = detect_all(options["year"], absence_days=options["absence_limit"], ages=ages)
        for rule, cases in result.opened.items():
            self.stdout.write(f"{DetectionRule(rule).label}：新立案 {len(cases)} 件")
        self.stdout.write(f"合计新立案 {result.total} 件。")
