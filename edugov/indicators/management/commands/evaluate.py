"""`evaluate SCHEME --unit CODE --year YEAR [--override FILE]... [--format json|text]`: the 优质均衡 resource report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.indicators.adapter import evaluate_resources
from edugov.indicators.engine import SchemeError
from edugov.indicators.management.commands._common import add_unit_year, get_unit, shown, to_json, verdict

SCHEMES = ["youzhi_junheng_2017"]


class Command(BaseCommand):
    help = "按评估方案评估资源配置：各区县各学段的差异系数、学校达标情况及差距。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scheme", choices=SCHEMES, help="评估方案")
        add_unit_year(parser)
        parser.add_argument("--override", action="append", default=[],
                            help="省、市调整方案文件（JSON，可重复，按顺序叠加）")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = get_unit(options["unit"])
        try:
            report = evaluate_resources(unit, options["year"], overrides=options["override"],
                                        scheme_name=options["scheme"])
        except (OSError, SchemeError) as exc:
            raise CommandError(f"无法加载评估方案：{exc}") from exc
        if options["format"] == "json":
            self.stdout.write(to_json(report))
        else:
            self._text(report)

    def _text(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        unit = report["unit"]
        w(f"{unit['name']}（{unit['code']}） {report['year']}-{report['year'] + 1}学年 优质均衡资源配置评估"
          f"（方案 {report['scheme']['id']} {report['scheme']['version']}，统计时点 {report['reference_date']}）")
        if not report["counties"]:
            w("  无义务教育学校")
        for c in report["counties"]:
            w("")
            w(f"== {c['county']['name']}（{c['county']['code']}） {c['section_label']} ==")
            w(f"  差异系数：{verdict(c['cvs_pass'])}")
            for cv in c["cvs"]:
                note = f"（{cv['reason']}）" if cv["reason"] else ""
                w(f"    {cv['name']}：{shown(cv['display'])} ≤ {cv['limit_display']} {verdict(cv['passes'])}{note}")
            share = c["schools_passing_share"]
            w(f"  参评学校 {c['schools_assessed']} 所，达标比例 {shown(share and share['display'])}")
            for s in c["schools"]:
                status = {"assessed": verdict(s["passes"]), "excluded": f"不参评（{s['excluded_reason']}）",
                          "no data": "无数据"}[s["status"]]
                w(f"  - {s['name']}（{s['code']}，{s['pupils']} 人）：{status}，达标 {s['count_met']}/7")
                for ind in s["indicators"]:
                    mark = "✓" if ind["met"] else ("?" if ind["met"] is None else "✗")
                    value = shown(ind["display"], ind["unit"])
                    w(f"      {mark} {ind['name']}：{value}（标准 {ind['threshold_display']}）")
                if s["gaps"]:
                    for a in s["gaps"]["plan"]:
                        w(f"      → {a['text']}")
                    if s["gaps"]["missing"]:
                        w(f"      → 缺少数据：{'、'.join(s['gaps']['missing'])}")
            for g in c["cv_gaps"]:
                reached = "可达标" if g["reached"] else "仍未达标"
                w(f"  差异系数差距 {g['code']}：{g['before']} → {g['after']}（{reached}）")
                for a in g["additions"]:
                    w(f"      {a['school']}：{a['text']}")
            if c["totals"]:
                parts = [f"{v['label']} {v['amount_display']} {v['measure']}" for v in c["totals"].values()]
                w("  合计需增加（上限）：" + "；".join(parts))
