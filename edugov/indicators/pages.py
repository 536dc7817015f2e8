"""What the indicator pages show, assembled from the catalogue engine and the user's scope (no HTTP here).

- ``catalogue_rows``: every catalogue indicator for a unit with its threshold verdict and its rank among peers
  (the siblings under the same parent if the user may see the parent's subtree, else the siblings they can see).
- ``indicator_detail``: one indicator for a unit, its children ranked, the drill-down and the disaggregations.
- ``counties_under``: the counties at or below a unit that the user may see, for the acceptance page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edugov.core.scoping import UserScope
from edugov.indicators.catalogue import DIMENSIONS, IndicatorValue, decimal_text
from edugov.indicators.catalogue.spec import COMPARATORS, Indicator
from edugov.indicators.compute import Snapshot, disaggregate
from edugov.indicators.ranking import higher_is_better, rank
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import children, parents_on, subtree

NO_DATA = "暂无数据"
UNCERTAIN_THRESHOLD = "阈值待核实"
#: the disaggregations offered on the indicator page (学段 is a property of most definitions already)
DETAIL_DIMENSIONS = ("sex", "urban_rural", "public")


def threshold_text(indicator: Indicator) -> str:
    t = indicator.threshold
    if t is None:
        return ""
    return f"{COMPARATORS[t.comparator]}{decimal_text(t.value)}{indicator.unit if indicator.unit == '%' else ''}"


@dataclass(frozen=True)
class Row:
    """One indicator (or one unit's value of an indicator) as a table row."""

    value: IndicatorValue
    indicator: Indicator
    unit: OrgUnit | None = None
    rank: int | None = None
    of: int = 0

    @property
    def display(self) -> str:
        return self.value.display if self.value.display is not None else NO_DATA

    @property
    def threshold(self) -> str:
        return threshold_text(self.indicator)

    @property
    def threshold_uncertain(self) -> bool:
        return self.indicator.threshold is not None and self.indicator.threshold.uncertain

    @property
    def met(self) -> bool | None:
        return self.value.met

    @property
    def verdict(self) -> str:
        if self.value.value is None:
            return NO_DATA
        if self.value.met is None:
            return "—"
        return "达标" if self.value.met else "未达标"

    @property
    def order(self) -> int:
        """Failing first, then met, then values without a threshold, then no data."""
        if self.value.value is None:
            return 3
        return {False: 0, True: 1, None: 2}[self.value.met]


@dataclass
class Peers:
    """Who a unit is ranked among, and how to say it."""

    units: list[OrgUnit]
    parent: OrgUnit | None
    whole: bool  # all siblings (the user may see the parent's subtree) or only the visible ones

    @property
    def text(self) -> str:
        if self.parent is None:
            return "本单位没有上级单位，不排名"
        if self.whole:
            return f"在{self.parent.name}的全部{len(self.units)}个下级单位中排名"
        return f"在您可见的{len(self.units)}个同级单位中排名（上级单位{self.parent.name}不在您的权限范围内）"


def peers_of(unit: OrgUnit, year: SchoolYear, scope: UserScope) -> Peers:
    on = year.reference_date
    parent_id = parents_on([unit.pk], on).get(unit.pk)
    if parent_id is None:
        return Peers([unit], None, False)
    parent = OrgUnit.objects.get(pk=parent_id)
    siblings = [u for u in children(parent, on=on) if u.kind == unit.kind]
    if scope.contains(parent.pk):
        return Peers(siblings, parent, True)
    return Peers([u for u in siblings if scope.contains(u.pk)], parent, False)


def catalogue_rows(unit: OrgUnit, year: SchoolYear, scope: UserScope) -> tuple[list[Row], Peers]:
    """Every current catalogue indicator for ``unit``, failing first, with its rank among its peers."""
    peers = peers_of(unit, year, scope)
    if peers.whole and peers.parent is not None:
        snapshot = Snapshot(peers.parent, year.start_year)
        snaps = {u.pk: snapshot for u in peers.units}
    else:  # read only what the user may see: one snapshot per visible peer
        snaps = {u.pk: Snapshot(u, year.start_year) for u in peers.units}
    if unit.pk not in snaps:
        snaps[unit.pk] = Snapshot(unit, year.start_year)
    catalogue = snaps[unit.pk].catalogue
    rows = []
    for code, indicator in catalogue.indicators.items():
        values = {pk: snap.value(code, pk) for pk, snap in snaps.items() if pk in snap.units}
        ranks = rank({pk: v.value for pk, v in values.items()}, higher_better=higher_is_better(indicator))
        ranked = sum(1 for v in values.values() if v.value is not None)
        rows.append(Row(values[unit.pk], indicator, unit, ranks.get(unit.pk) if peers.parent else None, ranked))
    rows.sort(key=lambda r: r.order)
    return rows, peers


@dataclass
class Detail:
    indicator: Indicator
    value: IndicatorValue
    children: list[Row]
    disaggregations: list[dict[str, Any]] = field(default_factory=list)
    not_disaggregated: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> str:
        return threshold_text(self.indicator)


def visible_children(unit: OrgUnit, year: SchoolYear, scope: UserScope) -> list[OrgUnit]:
    kids = [u for u in children(unit, on=year.reference_date) if scope.contains(u.pk)]
    return sorted(kids, key=lambda u: (u.kind == UnitKind.SCHOOL, u.code))


def children_rows(snapshot: Snapshot, code: str, kids: Sequence[OrgUnit]) -> list[Row]:
    indicator = snapshot.catalogue.indicator(code)
    present = [u for u in kids if u.pk in snapshot.units]
    values = {u.pk: snapshot.value(code, u.pk) for u in present}
    ranks = rank({pk: v.value for pk, v in values.items()}, higher_better=higher_is_better(indicator))
    ranked = sum(1 for v in values.values() if v.value is not None)
    return [Row(values[u.pk], indicator, u, ranks.get(u.pk), ranked) for u in present]


def indicator_detail(unit: OrgUnit, code: str, year: SchoolYear, scope: UserScope, *,
                     with_disaggregations: bool = True) -> Detail:
    """One indicator for ``unit``: its value with the drill-down, its visible children ranked, and the splits by
    sex, 城乡 and 公办/民办 that apply (a split none of whose parts has data is listed with the reason instead)."""
    snapshot = Snapshot(unit, year.start_year)
    indicator = snapshot.catalogue.indicator(code)
    value = snapshot.value(code, unit.pk)
    detail = Detail(indicator, value, children_rows(snapshot, code, visible_children(unit, year, scope)))
    if with_disaggregations and value.value is not None:
        for dim in DETAIL_DIMENSIONS:
            parts = disaggregate(code, unit, year.start_year, by=dim)
            label = DIMENSIONS[dim][0]
            if any(v.value is not None for v in parts.values()):
                detail.disaggregations.append({"dimension": dim, "label": label, "parts": [
                    {"name": name, "value": v, "display": v.display or NO_DATA, "reason": v.reason}
                    for name, v in parts.items()]})
            else:
                reasons = list(dict.fromkeys(v.reason for v in parts.values() if v.reason))
                detail.not_disaggregated.append(f"{label}：{'；'.join(reasons) or NO_DATA}")
    return detail


def counties_under(unit: OrgUnit, year: SchoolYear, scope: UserScope) -> list[OrgUnit]:
    """The unit itself if it is a county, else the counties below it on the reference date that the user may see."""
    if unit.kind == UnitKind.COUNTY:
        return [unit]
    on = year.reference_date
    return sorted((u for u in subtree(unit, on=on) if u.kind == UnitKind.COUNTY and u.pk != unit.pk
                   and scope.contains(u.pk)), key=lambda u: u.code)
