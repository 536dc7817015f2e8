"""Acceptance status of counties on the database: 普及普惠 (``assess_puji``, from the catalogue values and the
``puji_puhui_2020`` scheme) and 优质均衡 resource allocation (from the engine through ``adapter.evaluate_resources``),
each with its items, failing ones first, and the gap to pass. The other three parts of 优质均衡 (政府保障程度,
教育质量, 社会认可度) and its 一票否决 items come from the latest 督导评价 round on the scheme
``youzhi_junheng_2017_county`` that covers the county (``youzhi_parts``), scored by the evaluation app.

``assess_puji(county, year)`` reads the catalogue once for the county (a :class:`~edugov.indicators.compute.Snapshot`)
and judges it with the pure :mod:`edugov.indicators.puji`; ``county_acceptance(unit, year, counties)`` adds the
优质均衡 part for the pages and exports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from edugov.evaluation.engine import ItemResult, Scheme, UnitResult
from edugov.evaluation.engine.exact import exact_str
from edugov.evaluation.engine.scheme import BooleanRule, ThresholdRule
from edugov.evaluation.models import EvaluationRound
from edugov.evaluation.services import evaluate_unit, scheme_of
from edugov.indicators.adapter import evaluate_resources
from edugov.indicators.catalogue.evaluate import display
from edugov.indicators.compute import Snapshot
from edugov.indicators.puji import (
    DEFAULT_PUJI_SCHEME,
    NO_DATA_TEXT,
    AcceptanceResult,
    PujiScheme,
    assess_values,
    load_puji_scheme,
)
from edugov.registry.models import OrgUnit

__all__ = [
    "AcceptanceResult",
    "CountyAcceptance",
    "PartArea",
    "PartItem",
    "YouzhiCheck",
    "YouzhiParts",
    "assess_puji",
    "county_acceptance",
    "youzhi_parts",
]

Overrides = Sequence[str | Path | Mapping[str, Any]]

# The evaluation scheme of the other three parts of 优质均衡 and its areas (item codes of the scheme's top level).
YOUZHI_PARTS_SCHEME = "youzhi_junheng_2017_county"
PART_AREAS = (("G", "政府保障程度"), ("Q", "教育质量"), ("S", "社会认可度"))
NOT_ENTERED_TEXT = "未填报"


def assess_puji(county: OrgUnit, year: int, overrides: Overrides = (), *, scheme: PujiScheme | None = None,
                snapshot: Snapshot | None = None) -> AcceptanceResult:
    """The 普及普惠 assessment of ``county`` in school year ``year``. ``snapshot`` may be one taken at an ancestor
    (read once for several counties); ``scheme`` overrides the loading of ``DEFAULT_PUJI_SCHEME`` + ``overrides``."""
    scheme = scheme if scheme is not None else load_puji_scheme(DEFAULT_PUJI_SCHEME, overrides)
    snap = snapshot if snapshot is not None else Snapshot(county, year)
    codes = [item.indicator for item in scheme.items]
    values = {code: snap.value(code, county.pk) for code in dict.fromkeys(codes)}
    catalogue = snap.catalogue
    return assess_values(scheme, values, catalogue.indicators, catalogue.elements, county_code=county.code,
                         county_name=snap.units[county.pk].name, year=year)


# ------------------------------------------------------------------------------------------------- 优质均衡


@dataclass(frozen=True)
class YouzhiCheck:
    """One 优质均衡 item of a county and section: the share of passing schools (all must pass) or one CV."""

    section: str
    kind: str  # "schools" or "cv"
    code: str
    name: str
    value: str | None
    threshold: str
    met: bool | None
    reason: str = ""
    gaps: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return self.value if self.value is not None else NO_DATA_TEXT

    @property
    def verdict(self) -> str:
        return NO_DATA_TEXT if self.met is None else ("达标" if self.met else "未达标")

    @property
    def order(self) -> int:
        return {False: 0, None: 1, True: 2}[self.met]


@dataclass
class CountyAcceptance:
    """Everything the acceptance page and exports show for one county."""

    county: OrgUnit
    puji: AcceptanceResult
    sections: list[dict[str, Any]] = field(default_factory=list)  # the adapter's county entries (one per 学段)
    checks: list[YouzhiCheck] = field(default_factory=list)
    scheme: dict[str, Any] = field(default_factory=dict)
    parts: YouzhiParts | None = None  # 政府保障程度 · 教育质量 · 社会认可度 · 一票否决, from the evaluation round

    @property
    def youzhi_passes(self) -> bool:
        return bool(self.checks) and all(c.met is True for c in self.checks)

    @property
    def youzhi_status(self) -> str:
        if not self.checks:
            return "无义务教育学校"
        if self.youzhi_passes:
            return "达标"
        return "未达标" if any(c.met is False for c in self.checks) else "数据不全，无法认定"

    @property
    def youzhi_open_parts(self) -> list[str]:
        """The parts of 优质均衡 not yet shown to be met: 资源配置, then those of :attr:`parts` (all three when no
        evaluation round covers the county)."""
        out = [] if self.youzhi_passes else ["资源配置"]
        if self.parts is None or self.parts.result is None:
            return [*out, *(name for _, name in PART_AREAS)]
        return [*out, *self.parts.open_parts]

    @property
    def youzhi_overall(self) -> str:
        """The county's overall 优质均衡 verdict: 达标 only when resource allocation and every item of the other
        three parts are met and no veto fired."""
        if not self.youzhi_open_parts:
            return "达标"
        if self.parts is not None and self.parts.vetoes:
            return "未达标（一票否决）"
        failed = any(c.met is False for c in self.checks) or (
            self.parts is not None and any(a.unmet for a in self.parts.areas))
        return "未达标" if failed else "尚未完成认定"

    @property
    def ordered_checks(self) -> list[YouzhiCheck]:
        return sorted(self.checks, key=lambda c: c.order)

    @property
    def failing_schools(self) -> list[dict[str, Any]]:
        """Assessed school sections that fail, with their gap plans, in section then code order."""
        out = []
        for section in self.sections:
            for school in section["schools"]:
                if school["passes"] is False:
                    out.append({**school, "section_label": section["section_label"]})
        return out

    @property
    def totals(self) -> list[dict[str, Any]]:
        return [{"section_label": s["section_label"], "code": code, **t}
                for s in self.sections for code, t in s["totals"].items()]


def _checks(entry: Mapping[str, Any]) -> list[YouzhiCheck]:
    label = entry["section_label"]
    share = entry["schools_passing_share"]
    failing = [s for s in entry["schools"] if s["passes"] is False]
    assessed = entry["schools_assessed"]
    checks = [YouzhiCheck(
        section=label, kind="schools", code="schools_passing", name="学校达标比例（每校至少6项达标）",
        value=None if share is None else f"{display(Fraction(share['value']) * 100, 1)}%"
                                         f"（{assessed - len(failing)}/{assessed}所）",
        threshold="全部学校达标", met=None if share is None else not failing,
        reason="" if share is not None else "无参评学校",
        gaps=tuple(f"{s['name']}：{'；'.join(a['text'] for a in s['gaps']['plan']) or '缺少数据'}"
                   for s in failing if s["gaps"] is not None))]
    gaps_by_code = {g["code"]: g for g in entry["cv_gaps"]}
    for cv in entry["cvs"]:
        gap = gaps_by_code.get(cv["code"])
        lines: tuple[str, ...] = ()
        if gap is not None:
            outcome = "可降至" if gap["reached"] else "仍只能降至"
            lines = (f"按补齐低值学校测算，差异系数{outcome} {gap['after']}",
                     *(f"{a['school']}：{a['text']}" for a in gap["additions"]))
        checks.append(YouzhiCheck(section=label, kind="cv", code=cv["code"], name=f"差异系数：{cv['name']}",
                                  value=cv["display"], threshold=f"≤{cv['limit_display']}", met=cv["passes"],
                                  reason=cv["reason"], gaps=lines))
    return checks


def county_acceptance(unit: OrgUnit, year: int, counties: Sequence[OrgUnit], *,
                      puji_overrides: Overrides = (), youzhi_overrides: Overrides = (),
                      parts_scheme_id: str | None = YOUZHI_PARTS_SCHEME) -> list[CountyAcceptance]:
    """普及普惠 and 优质均衡 for each of ``counties`` (units at or below ``unit``), in the order given; with
    ``parts_scheme_id`` (``None`` to skip) also the other three parts of 优质均衡 from the evaluation rounds."""
    if not counties:
        return []
    scheme = load_puji_scheme(DEFAULT_PUJI_SCHEME, puji_overrides)
    snapshot = Snapshot(unit, year)
    report = evaluate_resources(unit, year, overrides=youzhi_overrides)
    schemes: dict[int, Scheme] = {}
    by_county: dict[str, list[dict[str, Any]]] = {}
    for entry in report["counties"]:
        by_county.setdefault(entry["county"]["code"], []).append(entry)
    out = []
    for county in counties:
        entries = by_county.get(county.code, [])
        out.append(CountyAcceptance(
            county=county, puji=assess_puji(county, year, scheme=scheme, snapshot=snapshot), sections=entries,
            checks=[c for e in entries for c in _checks(e)], scheme=report["scheme"],
            parts=None if parts_scheme_id is None else youzhi_parts(county, parts_scheme_id, schemes=schemes)))
    return out


# ------------------------------------------------------------------------ 优质均衡: the other three parts and vetoes


def _value_text(value: Fraction | bool | None, unit: str) -> str:
    if value is None:
        return NOT_ENTERED_TEXT
    if isinstance(value, bool):
        return "是" if value else "否"
    shown = display(value, 2).normalize()
    text = f"{shown:f}" + (unit if unit == "%" else (f" {unit}" if unit else ""))
    return text if Fraction(shown) == value else f"{text}（精确值 {exact_str(value)}）"


def _threshold_text(scheme: Scheme, code: str) -> str:
    item = scheme.item(code)
    rule = item.rule
    if isinstance(rule, ThresholdRule):
        unit = item.unit if item.unit == "%" else (f" {item.unit}" if item.unit else "")
        return f"{rule.comparator.replace('>=', '≥').replace('<=', '≤')}{exact_str(rule.threshold)}{unit}"
    if isinstance(rule, BooleanRule):
        return "是" if rule.full_when else "否"
    return f"满分 {exact_str(item.max_points)}"


@dataclass(frozen=True)
class PartItem:
    """One item (G1…G15, Q1…Q9, S1) of a county: its effective value after all stages and whether it is met.
    ``met`` is ``None`` while no stage has given it a value; a parent item (G11) lists its sub-items' values."""

    code: str
    name: str
    value: str
    threshold: str
    met: bool | None
    stage: str
    uncertain: bool
    note: str

    @property
    def order(self) -> int:
        return {False: 0, None: 1, True: 2}[self.met]


@dataclass(frozen=True)
class PartArea:
    code: str
    name: str
    items: tuple[PartItem, ...]

    @property
    def met_count(self) -> int:
        return sum(1 for i in self.items if i.met is True)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def unmet(self) -> list[PartItem]:
        return [i for i in self.items if i.met is False]

    @property
    def open_items(self) -> list[PartItem]:
        """Unmet items first, then those not yet entered (items within each group in scheme order)."""
        return sorted((i for i in self.items if i.met is not True), key=lambda i: i.order)

    @property
    def passes(self) -> bool:
        return self.met_count == self.total


@dataclass(frozen=True)
class PartVeto:
    code: str
    name: str
    reason: str
    stage: str


@dataclass
class YouzhiParts:
    """The latest evaluation round on the parts scheme that covers the county, and the county's live result on it
    (every stage's entries, the latest stage winning, scored by the evaluation app). ``round`` is ``None`` when no
    round covers the county."""

    round: EvaluationRound | None
    result: UnitResult | None = None
    areas: tuple[PartArea, ...] = ()
    vetoes: tuple[PartVeto, ...] = ()
    unit_pk: int = 0

    @property
    def passes(self) -> bool:
        """The scheme's own verdict: its top grade (达标) needs every item at full points and no veto."""
        return self.result is not None and self.result.grade == self.top_grade

    @property
    def top_grade(self) -> str:
        grades = (self.round.scheme_json.get("grades") or [{}]) if self.round is not None else [{}]
        return str(grades[0].get("name", "达标"))

    @property
    def status(self) -> str:
        if self.result is None:
            return "尚未开展评估"
        if self.passes:
            return "达标"
        if self.vetoes or any(a.unmet for a in self.areas):
            return "未达标"
        return "填报未完成"

    @property
    def open_parts(self) -> list[str]:
        out = [a.name for a in self.areas if not a.passes]
        return [*out, "一票否决"] if self.vetoes else out

    @property
    def recognition(self) -> PartItem | None:
        for area in self.areas:
            if area.code == "S" and area.items:
                return area.items[0]
        return None

    @property
    def item_areas(self) -> tuple[PartArea, ...]:
        """The areas counted item by item (政府保障程度, 教育质量); 社会认可度 is shown as its value."""
        return tuple(a for a in self.areas if a.code != "S")


def _part_item(scheme: Scheme, notes: Mapping[str, str], r: ItemResult) -> PartItem:
    leaves = [r] if not r.children else [c for c in r.children if not c.children]
    met: bool | None
    if any(not leaf.missing and leaf.points < leaf.max_points for leaf in leaves):
        met = False  # an entered (sub-)item is unmet: the item cannot be met whatever the others give
    elif any(leaf.missing for leaf in leaves):
        met = None
    else:
        met = r.points == r.max_points
    values, thresholds = [], []
    stages = []
    for leaf in leaves:
        effective = next((sv for sv in leaf.stages if sv.stage == leaf.stage), None)
        unit = scheme.item(leaf.code).unit
        text = _value_text(None if effective is None or leaf.missing else effective.value, unit)
        prefix = f"{leaf.code} " if r.children else ""
        values.append(prefix + text)
        thresholds.append(prefix + _threshold_text(scheme, leaf.code))
        if effective is not None and not leaf.missing:
            stages.append(effective.stage_name)
    note = notes.get(r.code, "")
    return PartItem(code=r.code, name=r.name, value="；".join(values), threshold="；".join(thresholds), met=met,
                    stage="、".join(dict.fromkeys(stages)), uncertain=note.startswith("UNCERTAIN"), note=note)


def _notes(raw: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(items: Sequence[Mapping[str, Any]]) -> None:
        for item in items:
            if "note" in item:
                out[str(item["code"])] = str(item["note"])
            walk(item.get("children", []))

    walk(raw.get("items", []))
    return out


def latest_parts_round(county: OrgUnit, scheme_id: str = YOUZHI_PARTS_SCHEME) -> EvaluationRound | None:
    """The latest round (by year, then the most recently opened) on ``scheme_id`` whose units include the county."""
    return (EvaluationRound.objects.filter(scheme_id=scheme_id, units=county).order_by("-year", "-pk").first())


def youzhi_parts(county: OrgUnit, scheme_id: str = YOUZHI_PARTS_SCHEME, *,
                 schemes: dict[int, Scheme] | None = None) -> YouzhiParts:
    """政府保障程度, 教育质量, 社会认可度 and 一票否决 of ``county`` from the latest round on ``scheme_id``: the
    evaluation app's live result on the stored entries (``evaluate_unit``), each area's items with values and
    thresholds, unmet first. ``schemes`` caches parsed pinned schemes by round id across counties."""
    rnd = latest_parts_round(county, scheme_id)
    if rnd is None:
        return YouzhiParts(round=None)
    cache = schemes if schemes is not None else {}
    if rnd.pk not in cache:
        cache[rnd.pk] = scheme_of(rnd)
    scheme = cache[rnd.pk]
    result = evaluate_unit(rnd, county, scheme)
    notes = _notes(rnd.scheme_json)
    stage_names = {s.code: s.name for s in scheme.stages}
    areas = []
    for top in result.items:
        areas.append(PartArea(code=top.code, name=top.name,
                              items=tuple(_part_item(scheme, notes, child) for child in top.children)))
    vetoes = tuple(PartVeto(v.code, v.name, v.reason, stage_names.get(v.stage, v.stage)) for v in result.vetoes)
    return YouzhiParts(round=rnd, result=result, areas=tuple(areas), vetoes=vetoes, unit_pk=county.pk)
