"""`evaluate SCHEME --unit CODE --year YEAR [--override FILE]... [--format json|text]`: a unit's result on a scheme.

- ``youzhi_junheng_2017``: the 优质均衡 resource report (per county and section: CVs, schools, gaps to pass);
- ``puji_puhui_2020``: 普及普惠 of the unit (a county) or of every county below it, items with the gap to pass;
- any 督导评价 scheme of ``edugov/evaluation/schemes/`` (e.g. ``youzhi_junheng_2017_county``): the unit's result
  in the latest round on that scheme with this data year that evaluates it (every stage, the latest winning), or
  — when no round does — on the indicator catalogue's data alone, the other items reported missing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.evaluation.engine import ItemInput, StageInput, UnitInputs, evaluate, exact_str, list_schemes, load_scheme
from edugov.evaluation.engine import SchemeError as EvaluationSchemeError
from edugov.evaluation.models import DATA_STAGE, EvaluationRound
from edugov.evaluation.services import catalogue_leaves, catalogue_values, engine_scheme, evaluate_unit, scheme_of
from edugov.indicators.acceptance import assess_puji
from edugov.indicators.adapter import evaluate_resources
from edugov.indicators.compute import Snapshot
from edugov.indicators.engine import SchemeError
from edugov.indicators.management.commands._common import add_unit_year, get_unit, shown, to_json, verdict
from edugov.indicators.puji import DEFAULT_PUJI_SCHEME, AcceptanceResult, load_puji_scheme
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import subtree

RESOURCES_SCHEME = "youzhi_junheng_2017"


def scheme_choices() -> list[str]:
    return [RESOURCES_SCHEME, DEFAULT_PUJI_SCHEME, *sorted({ref.id for ref in list_schemes()})]


class Command(BaseCommand):
    help = "按评估方案评估资源配置：各区县各学段的差异系数、学校达标情况及差距。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scheme", choices=scheme_choices(), help="评估方案")
        add_unit_year(parser)
        parser.add_argument("--override", action="append", default=[],
                            help="省、市调整方案文件（JSON，可重复，按顺序叠加）")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = get_unit(options["unit"])
        if options["scheme"] == DEFAULT_PUJI_SCHEME:
            return self._emit(options["format"], puji_report(unit, options["year"], options["override"]),
                              self._puji_text)
        if options["scheme"] != RESOURCES_SCHEME:
            if options["override"]:
                raise CommandError("督导评价方案不接受 --override：省、市调整请另存为新版本的方案文件")
            try:
                report = scheme_report(options["scheme"], unit, options["year"])
            except EvaluationSchemeError as exc:
                raise CommandError(f"无法加载评估方案：{exc}") from exc
            return self._emit(options["format"], report, self._scheme_text)
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

    def _emit(self, fmt: str, report: dict[str, Any], text: Any) -> None:
        if fmt == "json":
            self.stdout.write(to_json(report))
        else:
            text(report)

    def _puji_text(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        w(f"学前教育普及普惠（方案 {report['scheme']['id']} {report['scheme']['version']}） {report['year']}-"
          f"{report['year'] + 1}学年")
        if not report["counties"]:
            w("  无区县")
        for c in report["counties"]:
            w("")
            w(f"== {c['county']['name']}（{c['county']['code']}）：{c['status']} ==")
            for item in c["items"]:
                mark = "✓" if item["met"] else ("?" if item["met"] is None else "✗")
                w(f"  {mark} {item['number']}. {item['name']}：{item['display']}（标准 {item['threshold']}）"
                  + (f" → {item['gap']['text']}" if item["gap"] else "")
                  + (f"（{item['reason']}）" if item["reason"] else ""))

    def _scheme_text(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        r = report["result"]
        source = (f"评价轮次“{report['round']['name']}”" if report["round"] else "仅指标目录数据（尚无评价轮次）")
        w(f"{report['unit']['name']}（{report['unit']['code']}） {report['scheme']['name']}"
          f"（{report['scheme']['id']} {report['scheme']['version']}），{source}")
        w(f"  总分 {r['total']} / {r['max_score']}，等级 {r['grade'] or '—'}"
          + ("，一票否决" if r["vetoed"] else "") + (f"，缺少数据 {len(r['missing'])} 项" if r["missing"] else ""))

        def walk(items: list[dict[str, Any]], depth: int) -> None:
            for item in items:
                why = "缺少数据" if item["missing"] else item["reason"]
                w(f"  {'  ' * depth}{item['code']} {item['name']}：{item['points']} / {item['max_points']}"
                  + (f"（{why}）" if why else ""))
                walk(item["children"], depth + 1)

        walk(r["items"], 0)
        for v in r["vetoes"]:
            w(f"  一票否决：{v['name']}" + (f"（{v['reason']}）" if v["reason"] else ""))


def _puji_item(r: Any) -> dict[str, Any]:
    gap = r.gap
    return {"code": r.code, "number": r.item.number, "name": r.item.name, "value": exact_str(r.value.value)
            if r.value.value is not None else None, "display": r.display, "threshold": r.item.threshold_text,
            "met": r.met, "status": r.item.status, "reason": r.reason,
            "gap": None if gap is None else {
                "text": gap.text(), "alternative": gap.alternative_text() or None, "amount": exact_str(gap.amount),
                "cost": None if gap.cost is None else exact_str(gap.cost)}}


def puji_report(unit: OrgUnit, year: int, overrides: list[str]) -> dict[str, Any]:
    """普及普惠 of the unit if it is a county, else of every county below it on the reference date."""
    try:
        scheme = load_puji_scheme(DEFAULT_PUJI_SCHEME, overrides)
    except (OSError, SchemeError) as exc:
        raise CommandError(f"无法加载评估方案：{exc}") from exc
    counties = [unit] if unit.kind == UnitKind.COUNTY else [
        u for u in subtree(unit, on=SchoolYear(year).reference_date) if u.kind == UnitKind.COUNTY]
    snapshot = Snapshot(unit, year)
    results: list[AcceptanceResult] = [assess_puji(c, year, scheme=scheme, snapshot=snapshot) for c in counties]
    return {
        "scheme": {"id": scheme.id, "version": scheme.version, "document": scheme.document},
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind}, "year": year,
        "counties": [{"county": {"code": r.county_code, "name": r.county_name}, "status": r.status,
                      "passes": r.passes, "items": [_puji_item(i) for i in r.ordered()],
                      "total_cost": None if r.total_cost is None else exact_str(r.total_cost)} for r in results],
    }


def scheme_report(scheme_id: str, unit: OrgUnit, year: int) -> dict[str, Any]:
    """The unit's result on a 督导评价 scheme for data year ``year``: from the latest round that evaluates it, or on
    the catalogue's data alone."""
    rnd = (EvaluationRound.objects.filter(scheme_id=scheme_id, data_year=year, units=unit)
           .order_by("-created_at", "-pk").first())
    notes: dict[str, str] = {}
    if rnd is not None:
        scheme = scheme_of(rnd)
        result = evaluate_unit(rnd, unit, scheme)
    else:
        scheme = _scheme_for_year(scheme_id, year)
        snap = Snapshot(unit, year)
        leaves, notes = catalogue_leaves(scheme, snap.catalogue)
        values, unit_notes = catalogue_values(snap, unit, leaves, year)
        notes.update(unit_notes)
        items = {code: ItemInput(value=exact_str(value), note=note) for code, (value, note) in values.items()}
        inputs = UnitInputs(unit_id=unit.code, unit_name=unit.name, year=year,
                            stages=(StageInput(DATA_STAGE, items, (), ()),))
        result = evaluate(engine_scheme(scheme), inputs)
    return {
        "scheme": {"id": scheme.id, "name": scheme.name, "version": scheme.version},
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind}, "year": year,
        "source": "round" if rnd is not None else "catalogue",
        "round": None if rnd is None else {"id": rnd.pk, "name": rnd.name, "year": rnd.year},
        "notes": notes,
        "result": result.as_dict(),
    }


def _scheme_for_year(scheme_id: str, data_year: int) -> Any:
    """The version valid in the evaluation year after the data year (or the data year itself), else the latest."""
    for year in (data_year + 1, data_year):
        try:
            return load_scheme(scheme_id, year=year)
        except EvaluationSchemeError:
            continue
    return load_scheme(scheme_id)
