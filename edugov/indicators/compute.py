"""The catalogue engine on the database: every indicator for an org unit and school year, exact, with drill-down.

Public API (for target status, dashboards, the CLI)::

    compute_indicator("public_kindergarten_share", unit, 2024)          # -> IndicatorValue
    compute_all(unit, 2024)                                               # -> [IndicatorValue, ...]
    compute_all(unit, 2024, filters={"urban_rural": "乡村"})              # 城乡 / 公办 / 学段 / 性别
    disaggregate("kg_gross", unit, 2024, by="sex")                        # -> {"男": IndicatorValue, "女": ...}
    snap = Snapshot(city, 2024); [snap.values(c.pk) for c in children]    # one read for a whole subtree

The unit's subtree is the administrative tree on the year's reference date (1 September): schools open on that
date below the unit, with their attributes (办学类型, 城乡, 公办, 普惠) as they stood then; a school closed or merged
before it is not counted, one closed later is. Each data element is one grouped query over the subtree
(``SELECT unit_id, SUM…, COUNT… GROUP BY unit_id``) through a backend: :class:`OrmBackend` (SQLite, PostgreSQL) or
``edugov.indicators.duckdb_backend.DuckDBBackend`` (the same definitions over exported tables).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from django.db import models
from django.db.models import Count, Q, Sum

from edugov.core.scoping import descendant_ids
from edugov.indicators.catalogue import (
    DIMENSIONS,
    Catalogue,
    ElementData,
    ElementQuery,
    IndicatorValue,
    NotApplicable,
    UnitRef,
    compile_element,
    decimal_text,
    evaluate,
)
from edugov.indicators.catalogue.plan import Condition, validate_dimensions
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import children, parents_on, version_rows_on
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    PopulationByAge,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

__all__ = [
    "Aggregate",
    "Backend",
    "OrmBackend",
    "Snapshot",
    "compute_all",
    "compute_indicator",
    "disaggregate",
    "rows_behind",
    "value_json",
]

#: statistics table → model, for the ORM backend
MODELS: Mapping[str, type[models.Model]] = {
    "stats_gradeenrolment": GradeEnrolment, "stats_classsection": ClassSection, "stats_teacherstats": TeacherStats,
    "stats_schoolyearstats": SchoolYearStats, "stats_populationbyage": PopulationByAge,
    "stats_studentrecord": StudentRecord, "stats_teacherrecord": TeacherRecord,
}
_KIND_RANK: dict[str, int] = {
    str(UnitKind.SCHOOL): 0, str(UnitKind.TOWN): 1, str(UnitKind.ZONE): 1, str(UnitKind.GROUP): 1,
    str(UnitKind.DEPARTMENT): 1, str(UnitKind.COUNTY): 2, str(UnitKind.CITY): 3}
_LEVEL_RANK = {"school": 0, "county": 2, "city": 3}
_LEVEL_TEXT = {"county": "区县及以上", "city": "市级"}


@dataclass(frozen=True)
class Aggregate:
    """One unit's row of an element query: the sum and non-null count of each summed column, and the row count."""

    sums: tuple[Fraction, ...]
    counts: tuple[int, ...]
    rows: int


class Backend(Protocol):
    def fetch(self, query: ElementQuery, unit_ids: Sequence[int], year: int) -> dict[int, Aggregate]:
        """unit id → Aggregate for the units among ``unit_ids`` that have matching rows in ``year``."""


def to_fraction(value: Any) -> Fraction:
    if value is None:
        return Fraction(0)
    if isinstance(value, float):  # never expected: every summed column is an integer or a decimal
        raise TypeError("浮点数汇总结果不精确")
    return Fraction(value if isinstance(value, int | Fraction) else Decimal(value))


def scalar(value: Any) -> Any:
    """A condition value as the database expects it: int for whole numbers, Decimal for other fractions."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else Decimal(value.numerator) / Decimal(value.denominator)
    return value


def _q(c: Condition) -> Q:
    value = scalar(c.value)
    match c.op:
        case "eq":
            return Q(**{c.column: value})
        case "ne":
            return ~Q(**{c.column: value})
        case "in":
            return Q(**{f"{c.column}__in": list(value)})
        case "nin":
            return ~Q(**{f"{c.column}__in": list(value)})
        case "nonempty":
            return ~Q(**{c.column: ""}) & Q(**{f"{c.column}__isnull": False})
        case "empty":
            return Q(**{c.column: ""})
        case _:
            return Q(**{f"{c.column}__{c.op}": value})


def queryset(query: ElementQuery, year: int) -> models.QuerySet[Any]:
    """The rows behind an element in ``year`` (all units), filtered by its conditions."""
    assert query.source.table is not None
    model = MODELS[query.source.table]
    qs = model._default_manager.filter(year=year)
    for c in query.conditions:
        qs = qs.filter(_q(c))
    return qs


class OrmBackend:
    """Django ORM aggregates: the same SQL shape on SQLite and PostgreSQL."""

    def fetch(self, query: ElementQuery, unit_ids: Sequence[int], year: int) -> dict[int, Aggregate]:
        annotations: dict[str, Any] = {"n": Count("pk")}
        for i, column in enumerate(query.sums):
            annotations[f"s{i}"] = Sum(column)
            annotations[f"c{i}"] = Count(column)
        rows = (queryset(query, year).filter(unit_id__in=list(unit_ids)).order_by().values("unit_id")
                .annotate(**annotations))
        return {row["unit_id"]: Aggregate(
            sums=tuple(to_fraction(row[f"s{i}"]) for i in range(len(query.sums))),
            counts=tuple(int(row[f"c{i}"]) for i in range(len(query.sums))), rows=int(row["n"]))
            for row in rows}


@dataclass(frozen=True)
class _School:
    school_type: str
    urban_rural: str
    is_public: bool | None
    is_inclusive: bool | None


class Snapshot:
    """Everything needed to evaluate catalogue indicators for a unit and every unit below it, in one school year.

    Registry reads happen at construction (4 queries); each data element is read once, on first use, with one
    grouped query over the whole subtree. ``values(unit_id)`` then evaluates for any unit of the subtree.
    """

    def __init__(self, root: OrgUnit, year: int, *, catalogue: Catalogue | None = None,
                 backend: Backend | None = None, filters: Mapping[str, str] | None = None) -> None:
        from edugov.indicators.services import current_catalogue

        self.root = root
        self.year = year
        self.on: dt.date = SchoolYear(year).reference_date
        self.catalogue = catalogue if catalogue is not None else current_catalogue()
        self.backend: Backend = backend if backend is not None else OrmBackend()
        self.filters = dict(filters or {})
        validate_dimensions(self.filters)
        ids = set(descendant_ids([root.pk], on=self.on)) | {root.pk}
        # plain rows rather than model instances: a city subtree is thousands of units, read on every recompute
        found = {pk: (code, name, kind) for pk, code, name, kind, opened, closed in OrgUnit.objects.filter(
            pk__in=ids).values_list("pk", "code", "name", "kind", "opened_on", "closed_on")
            if pk == root.pk or ((opened is None or opened <= self.on) and (closed is None or closed > self.on))}
        active = set(found)
        versions = version_rows_on(active, self.on, "name", "school_type_code", "urban_rural_code", "is_public",
                                   "is_inclusive")
        self.units: dict[int, UnitRef] = {
            pk: UnitRef(pk, code, versions[pk][0] if pk in versions else name, kind)
            for pk, (code, name, kind) in found.items()}
        self.parents = {c: p for c, p in parents_on(active - {root.pk}, self.on).items() if p in active}
        self.children: dict[int, list[int]] = defaultdict(list)
        for child, parent in self.parents.items():
            self.children[parent].append(child)
        self.schools = {pk: _School(*versions[pk][1:]) if pk in versions else _School("", "", None, None)
                        for pk, (_, _, kind) in found.items() if kind == UnitKind.SCHOOL}
        self._data: dict[str, ElementData] = {}
        self._inside: dict[int, tuple[set[int], dict[int, UnitRef]]] = {}

    # -------------------------------------------------------------------------------------------- element reads

    def element(self, code: str) -> ElementData:
        if code not in self._data:
            self._data[code] = self._read(code)
        return self._data[code]

    def _read(self, code: str) -> ElementData:
        element = self.catalogue.elements[code]
        source = element.source_def
        if not source.held:
            return ElementData(unavailable=source.missing_reason)
        query = compile_element(element, self.filters)
        if isinstance(query, NotApplicable):
            return ElementData(unavailable=query.reason)
        if source.per == "school":
            candidates = [pk for pk, s in self.schools.items()
                          if query.school.matches(school_type=s.school_type, urban_rural=s.urban_rural,
                                                  is_public=s.is_public, is_inclusive=s.is_inclusive)]
        else:
            candidates = list(self.units)
        found = {} if query.never or not candidates else self.backend.fetch(
            query, candidates, self.year + query.year_offset)
        parts: dict[int, Fraction | None] = {}
        for pk in candidates:
            agg = found.get(pk)
            if agg is None:
                if source.per == "school":
                    parts[pk] = None if source.nullable else Fraction(0)
                continue
            if not query.sums:
                parts[pk] = Fraction(agg.rows)
            elif source.nullable and any(c < agg.rows for c in agg.counts):
                parts[pk] = None
            else:
                parts[pk] = sum(agg.sums, Fraction(0))
        return ElementData(parts=parts)

    # ------------------------------------------------------------------------------------------------ evaluation

    def below(self, unit_id: int) -> list[int]:
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.children.get(current, ()))
        return found

    def _area_parts(self, data: ElementData, inside: set[int]) -> ElementData:
        """Population rows may exist for a county and its towns: keep the topmost within the unit's subtree."""
        having = {u for u in data.parts if u in inside}

        def covered(u: int) -> bool:
            current = self.parents.get(u)
            while current is not None and current in inside:
                if current in having:
                    return True
                current = self.parents.get(current)
            return False

        return ElementData(parts={u: data.parts[u] for u in having if not covered(u)},
                           unavailable=data.unavailable)

    def value(self, code: str, unit_id: int | None = None) -> IndicatorValue:
        indicator = self.catalogue.indicator(code)
        unit_id = self.root.pk if unit_id is None else unit_id
        ref = self.units[unit_id]
        if unit_id not in self._inside:  # every indicator of a unit walks the same subtree: walk it once
            below = set(self.below(unit_id))
            self._inside[unit_id] = (below, {u: self.units[u] for u in below})
        inside, units = self._inside[unit_id]
        not_applicable = ""
        if _KIND_RANK.get(ref.kind, 1) < _LEVEL_RANK[indicator.level]:
            not_applicable = f"该指标适用于{_LEVEL_TEXT[indicator.level]}，不对{UnitKind(ref.kind).label}计算"
        data = {}
        for c in indicator.elements:
            if not_applicable:
                data[c] = ElementData()
                continue
            raw = self.element(c)
            per_area = self.catalogue.elements[c].source_def.per == "area"
            data[c] = self._area_parts(raw, inside) if per_area else raw
        return evaluate(indicator, self.catalogue.elements, data, units, org_unit=ref, year=self.year,
                        filters=self.filters, not_applicable=not_applicable)

    def values(self, unit_id: int | None = None, codes: Iterable[str] | None = None) -> list[IndicatorValue]:
        return [self.value(c, unit_id) for c in (codes if codes is not None else self.catalogue.indicators)]


# ---------------------------------------------------------------------------------------------------- the API


def compute_indicator(code: str, unit: OrgUnit, year: int, *, filters: Mapping[str, str] | None = None,
                      catalogue: Catalogue | None = None, backend: Backend | None = None) -> IndicatorValue:
    """One catalogue indicator for ``unit`` in school year ``year`` (value ``None`` + ``reason`` = no data)."""
    return Snapshot(unit, year, catalogue=catalogue, backend=backend, filters=filters).value(code)


def compute_all(unit: OrgUnit, year: int, *, filters: Mapping[str, str] | None = None,
                catalogue: Catalogue | None = None, backend: Backend | None = None) -> list[IndicatorValue]:
    """Every current catalogue indicator for ``unit`` in ``year``, in catalogue order."""
    return Snapshot(unit, year, catalogue=catalogue, backend=backend, filters=filters).values()


def disaggregate(code: str, unit: OrgUnit, year: int, by: str, *, filters: Mapping[str, str] | None = None,
                 catalogue: Catalogue | None = None, backend: Backend | None = None) -> dict[str, IndicatorValue]:
    """The indicator split by one dimension (stage, urban_rural, public or sex): value → IndicatorValue. A part
    that cannot be split that way (e.g. population by 城乡) is no data with the reason."""
    if by not in DIMENSIONS:
        raise ValueError(f"不认识的分解维度“{by}”，可用：{'、'.join(DIMENSIONS)}")
    return {v: compute_indicator(code, unit, year, filters={**(filters or {}), by: v}, catalogue=catalogue,
                                 backend=backend) for v in DIMENSIONS[by][1]}


def rows_behind(value: IndicatorValue, school: OrgUnit, *,
                catalogue: Catalogue | None = None) -> dict[str, models.QuerySet[Any]]:
    """element code → the statistics rows of ``school`` that went into ``value`` (for the drill-down's last step).
    Elements over area sources or sources not held yet are left out."""
    from edugov.indicators.services import current_catalogue

    catalogue = catalogue if catalogue is not None else current_catalogue()
    assert value.year is not None
    out: dict[str, models.QuerySet[Any]] = {}
    for code in catalogue.indicator(value.code).elements:
        element = catalogue.elements[code]
        if not element.source_def.held or element.source_def.per != "school":
            continue
        query = compile_element(element, value.filters)
        if isinstance(query, NotApplicable):
            continue
        out[code] = queryset(query, value.year + query.year_offset).filter(unit=school)
    return out


# ------------------------------------------------------------------------------------------------- rendering


def _num(value: Fraction | None) -> str | None:
    return None if value is None else decimal_text(value)


def value_json(v: IndicatorValue, *, drilldown: bool = False) -> dict[str, Any]:
    """JSON-safe form: ``value`` is exact decimal text when the fraction terminates (else 12 places), ``fraction``
    is always exact ("p/q"), ``display`` is rounded half up to the indicator's places."""
    t = v.threshold
    out: dict[str, Any] = {
        "code": v.code, "name": v.name_zh, "version": v.version, "unit": v.unit, "status": v.status,
        "value": _num(v.value),
        "fraction": None if v.value is None else f"{v.value.numerator}/{v.value.denominator}",
        "display": v.display, "numerator": _num(v.numerator), "denominator": _num(v.denominator),
        "no_data_reason": v.reason or None,
        "threshold": None if t is None else {
            "value": decimal_text(t.value), "comparator": t.comparator, "status": t.status,
            "uncertain": t.uncertain, "source": t.source, "note": t.note},
        "met": v.met, "elements": dict(v.element_versions), "filters": dict(v.filters),
    }
    if drilldown:
        out["contributions"] = [{"unit": {"code": c.unit.code, "name": c.unit.name, "kind": c.unit.kind},
                                 "numerator": _num(c.numerator), "denominator": _num(c.denominator)}
                                for c in v.contributions]
    return out


def children_of(unit: OrgUnit, year: int) -> list[OrgUnit]:
    return children(unit, on=SchoolYear(year).reference_date)
