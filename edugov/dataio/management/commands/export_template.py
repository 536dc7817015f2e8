"""`export_template PATH`: write the blank import template (with 填写说明, 示例 and 代码表)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edugov.dataio.templates import template_workbook


class Command(BaseCommand):
    help = "生成导入模板 .xlsx：每表一个工作表，附填写说明、示例和代码表。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="输出的 .xlsx 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["path"])
        if target.is_dir():
            target = target / "导入模板.xlsx"
        target.write_bytes(template_workbook())
        self.stdout.write(f"已生成导入模板 {target}")
