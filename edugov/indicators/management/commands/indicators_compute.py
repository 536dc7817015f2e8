"""`indicators_compute --unit CODE --year YEAR [--children] [--format json|text]`: the 7 resource indicators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edugov.indicators.adapter import DEFAULT_SCHEME, children_on, indicator_values
from edugov.indicators.engine import load_scheme
from edugov.indicators.management.commands._common import add_unit_year, get_unit, shown, to_json


class Command(BaseCommand):
    help = ("计算优质均衡资源配置 7 项指标：学校为本校数值，区域为按学生数加权的均值（Σ分子 ÷ Σ学生数）。"
            "--children 时逐个列出下级机构。")

    def add_arguments(self, parser: CommandParser) -> None:
        add_unit_year(parser)
        parser.add_argument("--children", action="store_true", help="逐个列出下级机构")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = get_unit(options["unit"])
        year: int = options["year"]
        scheme = load_scheme(DEFAULT_SCHEME)
        data = indicator_values(unit, year, scheme=scheme)
        if options["children"]:
            data["children"] = [indicator_values(child, year, scheme=scheme) for child in children_on(unit, year)]
        if options["format"] == "json":
            self.stdout.write(to_json(data))
            return
        self._text(data)
        for child in data.get("children", []):
            self.stdout.write("")
            self._text(child)

    def _text(self, data: dict[str, Any]) -> None:
        unit = data["unit"]
        self.stdout.write(f"{unit['name']}（{unit['code']}） {data['year']}-{data['year'] + 1}学年 资源配置指标")
        if not data["sections"]:
            self.stdout.write("  无义务教育学校")
        for sec in data["sections"]:
            self.stdout.write(f"  {sec['section_label']}：{sec['schools']} 所，学生 {sec['pupils']} 人")
            for ind in sec["indicators"]:
                note = f"（{ind['reason']}）" if ind["reason"] else ""
                self.stdout.write(f"    {ind['name']}：{shown(ind['display'], ind['unit'])}"
                                  f"（标准 {ind['threshold_display']}）{note}")
