"""`generate --out DIR [--seed N] [--scale county|city|province] [--year Y] [--format csv|xlsx]`: write demo data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.demo.generator import DEFAULT_SEED, FORMATS, generate
from edugov.demo.plan import SCALES


class Command(BaseCommand):
    help = "按随机种子生成示范城市的标准格式数据文件（同一种子、同一版本生成的文件逐字节相同）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="输出目录（不存在则创建）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子，默认 {DEFAULT_SEED}")
        parser.add_argument("--scale", choices=tuple(SCALES), default="city",
                            help="规模：tiny（测试用）、county（约3.5万学生）、city（默认，约25万学生）、"
                                 "province（约1600万学生，只能CSV）")
        parser.add_argument("--year", type=int, default=2024, help="学年起始年份，默认 2024（即2024-2025学年）")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="csv",
                            help="csv：每张表一个CSV文件（UTF-8带BOM）；xlsx：一个工作簿，每张表一个工作表")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            summary = generate(options["out"], seed=options["seed"], scale=options["scale"], year=options["year"],
                               fmt=options["fmt"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines_zh():
            self.stdout.write(line)
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")
