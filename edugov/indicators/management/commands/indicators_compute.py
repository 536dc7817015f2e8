"""`indicators_compute --unit CODE --year YEAR [--children] [--drilldown] [--format json|text]`: every indicator of the
catalogue (key ``catalogue``) and the 7 优质均衡 resource indicators per section (key ``sections``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edugov.indicators.adapter import DEFAULT_SCHEME, children_on, indicator_values
from edugov.indicators.catalogue import COMPARATORS_TEXT
from edugov.indicators.compute import Snapshot, value_json
from edugov.indicators.engine import load_scheme
from edugov.indicators.management.commands._common import add_unit_year, get_unit, shown, to_json


class Command(BaseCommand):
    help = ("计算优质均衡资源配置 7 项指标：学校为本校数值，区域为按学生数加权的均值（Σ分子 ÷ Σ学生数）。"
            "--children 时逐个列出下级机构。")

    def add_arguments(self, parser: CommandParser) -> None:
        add_unit_year(parser)
        parser.add_argument("--children", action="store_true", help="逐个列出下级机构")
        parser.add_argument("--drilldown", action="store_true", help="JSON 中列出各学校（区域）的分子、分母")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = get_unit(options["unit"])
        year: int = options["year"]
        scheme = load_scheme(DEFAULT_SCHEME)
        snapshot = Snapshot(unit, year)
        drill = options["drilldown"]
        data = indicator_values(unit, year, scheme=scheme)
        data["catalogue"] = [value_json(v, drilldown=drill) for v in snapshot.values()]
        if options["children"]:
            data["children"] = []
            for child in children_on(unit, year):
                entry = indicator_values(child, year, scheme=scheme)
                entry["catalogue"] = [value_json(v, drilldown=drill) for v in snapshot.values(child.pk)]
                data["children"].append(entry)
        if options["format"] == "json":
            self.stdout.write(to_json(data))
            return
        self._text(data)
        for child in data.get("children", []):
            self.stdout.write("")
            self._text(child)

    def _text(self, data: dict[str, Any]) -> None:
        unit = data["unit"]
        self.stdout.write(f"{unit['name']}（{unit['code']}） {data['year']}-{data['year'] + 1}学年 指标目录")
        for ind in data["catalogue"]:
            self.stdout.write(f"    {ind['name']}：{_catalogue_line(ind)}")
        self.stdout.write(f"{unit['name']}（{unit['code']}） {data['year']}-{data['year'] + 1}学年 资源配置指标")
        if not data["sections"]:
            self.stdout.write("  无义务教育学校")
        for sec in data["sections"]:
            self.stdout.write(f"  {sec['section_label']}：{sec['schools']} 所，学生 {sec['pupils']} 人")
            for ind in sec["indicators"]:
                note = f"（{ind['reason']}）" if ind["reason"] else ""
                self.stdout.write(f"    {ind['name']}：{shown(ind['display'], ind['unit'])}"
                                  f"（标准 {ind['threshold_display']}）{note}")


def _catalogue_line(ind: dict[str, Any]) -> str:
    """"80.0 %（v1，标准 ≥ 85，未达标）" or "无数据（reason，v1）"; an UNCERTAIN threshold says so."""
    if ind["value"] is None:
        return f"无数据（{ind['no_data_reason']}，v{ind['version']}）"
    notes = [f"v{ind['version']}"]
    t = ind["threshold"]
    if t is not None:
        uncertain = "，阈值待核实" if t["uncertain"] else ""
        notes.append(f"标准 {COMPARATORS_TEXT[t['comparator']]} {t['value']}{uncertain}")
        notes.append("达标" if ind["met"] else "未达标")
    if ind["status"] != "CONFIRMED":
        notes.append("口径待核实")
    return f"{shown(ind['display'], ind['unit'])}（{'，'.join(notes)}）"
