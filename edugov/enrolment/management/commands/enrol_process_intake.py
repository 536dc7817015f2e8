"""`edugov manage enrol_process_intake [--loop]`: files the registrations received by the intake endpoint."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edugov.enrolment import intake


class Command(BaseCommand):
    help = "核验并登记已受理的入学报名（--loop 持续运行，供报名高峰期单独部署）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="持续运行，每秒检查一次")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            handled = 0
            while batch := intake.process(limit=500):
                handled += batch
            if handled:
                self.stdout.write(f"已处理受理记录 {handled} 条")
            if not options["loop"]:
                return
            time.sleep(1)
