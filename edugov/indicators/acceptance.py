"""Acceptance status of counties on the database: 普及普惠 (``assess_puji``, from the catalogue values and the
``puji_puhui_2020`` scheme) and 优质均衡 resource allocation (from the engine through ``adapter.evaluate_resources``),
each with its items, failing ones first, and the gap to pass.

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
    "YouzhiCheck",
    "assess_puji",
    "county_acceptance",
]

Overrides = Sequence[str | Path | Mapping[str, Any]]


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
                      puji_overrides: Overrides = (), youzhi_overrides: Overrides = ()) -> list[CountyAcceptance]:
    """普及普惠 and 优质均衡 for each of ``counties`` (units at or below ``unit``), in the order given."""
    if not counties:
        return []
    scheme = load_puji_scheme(DEFAULT_PUJI_SCHEME, puji_overrides)
    snapshot = Snapshot(unit, year)
    report = evaluate_resources(unit, year, overrides=youzhi_overrides)
    by_county: dict[str, list[dict[str, Any]]] = {}
    for entry in report["counties"]:
        by_county.setdefault(entry["county"]["code"], []).append(entry)
    out = []
    for county in counties:
        entries = by_county.get(county.code, [])
        out.append(CountyAcceptance(
            county=county, puji=assess_puji(county, year, scheme=scheme, snapshot=snapshot), sections=entries,
            checks=[c for e in entries for c in _checks(e)], scheme=report["scheme"]))
    return out
