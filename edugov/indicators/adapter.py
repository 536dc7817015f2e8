"""Django adapter of the 优质均衡 resource engine: stats and registry rows → engine inputs → a JSON-safe report.

Everything is read as it stood on the school year's reference date (1 September of the start year): which schools
sit below a unit, which county each belongs to and its 办学类型代码. All reads are a constant number of queries
whatever the number of schools. Values stay exact (``Decimal``/``Fraction``); the report renders them as strings
("p/q" for fractions) with a rounded ``display`` next to them.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple, cast

from django.db import connection
from django.db.models import DecimalField, Field, Model

from edugov.indicators.engine import (
    SchoolResult,
    SchoolSection,
    Section,
    SharedAssets,
    StaffCounts,
    WholeSchool,
    assess_county,
    assess_school,
    county_gaps,
    display,
    load_scheme,
    school_gap,
    split_combined_school,
)
from edugov.indicators.engine.gaps import format_amount
from edugov.indicators.engine.scheme import Scheme
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.choices import HierarchyCode, UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import parents_on, registry_revision
from edugov.stats.models import GradeEnrolment, SchoolYearStats, TeacherStats

DEFAULT_SCHEME = "youzhi_junheng_2017"
#: 九年一贯制, 完全中学, 十二年一贯制: assets are reported for the whole school and split by the scheme's ratios
COMBINED_TYPES = frozenset({"312", "341", "345"})
NO_DATA = "no data"
CV_PLACES = 3
SECTION_LABELS = {Section.PRIMARY: "小学", Section.JUNIOR: "初中", Section.SENIOR: "高中"}
_STAFF_FIELDS = StaffCounts._fields
_ASSET_FIELDS = SharedAssets._fields
_NO_ASSETS = SharedAssets()
_MAX_DEPTH = 10
_SECTIONS = {s.value: s for s in Section}


def reference_date(year: int) -> dt.date:
    return SchoolYear(year).reference_date


def _plain_sections(type_code: str, pupils: Mapping[Section, int]) -> list[Section]:
    """Compulsory sections of a non-combined school, or [] for kindergartens and senior-only schools."""
    if type_code.startswith("1") or type_code.startswith("34"):
        return []
    if type_code.startswith("2"):
        return [Section.PRIMARY]
    if type_code.startswith("31"):
        return [Section.JUNIOR]
    # Special, vocational or unclassified schools: the compulsory stages they report pupils in (the scheme's
    # exclusions then decide whether they are assessed).
    return [s for s in (Section.PRIMARY, Section.JUNIOR) if pupils.get(s, 0) > 0]


def _may_have_compulsory_sections(type_code: str) -> bool:
    """False for kindergartens and senior-only schools (see :func:`_plain_sections`), whose statistics need not be
    read at all."""
    return type_code in COMBINED_TYPES or not type_code.startswith(("1", "34"))


def _county_of(unit_id: int, parents: Mapping[int, int], kinds: Mapping[int, str]) -> int | None:
    current: int | None = unit_id
    for _ in range(_MAX_DEPTH):
        if current is None:
            return None
        if kinds.get(current) == UnitKind.COUNTY:
            return current
        current = parents.get(current)
    return None


def _ancestor_links(unit: OrgUnit, on: dt.date) -> dict[int, int]:
    """child → parent for the unit's chain upwards (one query per level; bounded by the depth of the tree)."""
    links: dict[int, int] = {}
    current = unit.pk
    for _ in range(_MAX_DEPTH):
        up = parents_on([current], on)
        if current not in up or up[current] in links:
            break
        links[current] = up[current]
        current = up[current]
    return links


_TREE_SQL = """
WITH RECURSIVE tree(id) AS (
    SELECT id FROM registry_orgunit WHERE id = %s
    UNION
    SELECT link.child_id FROM registry_orglink AS link JOIN tree ON link.parent_id = tree.id
    WHERE link.hierarchy = %s AND link.valid_from <= %s AND (link.valid_to IS NULL OR link.valid_to > %s))
SELECT u.id, u.code, u.name, u.kind,
       CASE WHEN (u.opened_on IS NULL OR u.opened_on <= %s) AND (u.closed_on IS NULL OR u.closed_on > %s)
            THEN 1 ELSE 0 END,
       v.id, v.school_type_code, v.name, up.parent_id
FROM tree
JOIN registry_orgunit u ON u.id = tree.id
LEFT JOIN registry_orgunitversion v
    ON v.unit_id = u.id AND v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)
LEFT JOIN registry_orglink up
    ON up.child_id = u.id AND up.hierarchy = %s AND up.valid_from <= %s AND (up.valid_to IS NULL OR up.valid_to > %s)
"""


class _Unit(NamedTuple):
    code: str
    name: str
    kind: str
    active: bool
    type_code: str


def _tree(unit: OrgUnit, on: dt.date) -> tuple[dict[int, _Unit], dict[int, int]]:
    """Every unit below ``unit`` (and the unit) on the date with its attributes then, and child → parent."""
    admin = HierarchyCode.ADMIN
    params: list[Any] = [unit.pk, admin, on, on, on, on, on, on, admin, on, on]
    units: dict[int, _Unit] = {}
    parents: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(_TREE_SQL, params)
        for pk, code, name, kind, active, version, type_code, version_name, parent in cursor.fetchall():
            # no attribute version on the date: the unit's own name and no school type
            units[pk] = _Unit(code, name if version is None else version_name, kind, bool(active), type_code or "")
            if parent is not None and pk != unit.pk:
                parents[pk] = parent
    return units, parents


@dataclass(frozen=True)
class _RegistryView:
    """What the resource computation needs of the registry below a unit on a date (read-only: it may be shared)."""

    units: Mapping[int, _Unit]
    parents: Mapping[int, int]  # child → parent, the unit's own chain upwards included
    kinds: Mapping[int, str]
    codes: Mapping[int, str]
    school_ids: tuple[int, ...]  # active schools that can have compulsory sections


_VIEWS: OrderedDict[tuple[str, int, dt.date, str], _RegistryView] = OrderedDict()
_VIEWS_KEPT = 16


def _registry_view(unit: OrgUnit, on: dt.date) -> _RegistryView:
    """The registry below ``unit`` on ``on``, cached under the registry's revision token.

    The token is renewed by database triggers on every write to units, versions and links (bulk and raw SQL
    included), so a cached view is never stale; it is read before and after the registry, and the view is kept
    only if the two agree (no write committed in between).
    """
    before = registry_revision()
    key = (connection.alias, unit.pk, on, before or "")
    if before is not None and key in _VIEWS:
        _VIEWS.move_to_end(key)
        return _VIEWS[key]
    units, parents = _tree(unit, on)
    up = _ancestor_links(unit, on)
    parents.update(up)
    kinds = {pk: u.kind for pk, u in units.items()}
    codes = {pk: u.code for pk, u in units.items()}
    for pk, kind, code in OrgUnit.objects.filter(pk__in=set(up.values()) - units.keys()).values_list(
            "pk", "kind", "code"):
        kinds[pk], codes[pk] = kind, code
    school_ids = tuple(pk for pk, u in units.items()
                       if u.kind == UnitKind.SCHOOL and u.active and _may_have_compulsory_sections(u.type_code))
    view = _RegistryView(units, parents, kinds, codes, school_ids)
    if before is not None and registry_revision() == before:
        _VIEWS[key] = view
        while len(_VIEWS) > _VIEWS_KEPT:
            _VIEWS.popitem(last=False)
    return view


def _rows(model: type[Model], columns: Sequence[str], year: int, unit_ids: Iterable[int], *,
          group_by: str = "") -> list[tuple[Any, ...]]:
    """``unit_id, *columns`` of a statistics table for the units in ``year``, with decimals as the ORM reads them
    (``group_by`` a column: ``unit_id, that column`` and the sums of the other columns).

    One plain SQL read: through the ORM, preparing a thousand ``IN`` parameters and building a dict per row cost
    more than the whole 优质均衡 computation. The ids are integers from the registry, written into the SQL as such.
    """
    ids = ",".join(str(int(pk)) for pk in unit_ids)
    if not ids:
        return []
    meta = model._meta
    fields = [cast(Field, meta.get_field(c)) for c in columns]  # type: ignore[type-arg]
    decimal_places = [f.decimal_places if isinstance(f, DecimalField) else None for f in fields]
    names = [str(f.column) for f in fields]
    if group_by:
        select = ", ".join(n if c == group_by else f"SUM({n})" for c, n in zip(columns, names, strict=True))
        grouping = f" GROUP BY unit_id, {names[list(columns).index(group_by)]}"
    else:
        select, grouping = ", ".join(names), ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, {select} FROM {meta.db_table} WHERE year = %s AND unit_id IN ({ids})"
                       f"{grouping}", [year])
        rows = cursor.fetchall()
    if not any(p is not None for p in decimal_places):
        return rows
    return [(row[0], *(_decimal(v, p) if p is not None else v for v, p in zip(row[1:], decimal_places, strict=True)))
            for row in rows]


def _decimal(value: Any, places: int) -> Decimal | None:
    """A decimal column's value as stored (SQLite hands back floats). The shortest text of the float is the stored
    decimal whenever it has at most 15 significant digits — the same assumption as Django's SQLite converter, which
    rounds to 15 digits and then to the field's places (this gives the same number without trailing zeros)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def sections_for(unit: OrgUnit, year: int, *, scheme: Scheme) -> list[SchoolSection]:
    """Every compulsory school section below ``unit`` (or the unit itself if it is a school) in ``year``.

    ``school_id`` is the school code and ``county_id`` the code of its county on the reference date ("" if it has
    none). Missing enrolment gives 0 pupils (the engine reports "no data"); a missing ``SchoolYearStats`` row
    gives unreported (``None``) assets, never zeros. A constant number of queries whatever the number of schools.
    """
    view = _registry_view(unit, reference_date(year))
    units, parents, kinds, codes, school_ids = view.units, view.parents, view.kinds, view.codes, view.school_ids
    if not school_ids:
        return []

    pupils: dict[int, dict[Section, int]] = defaultdict(dict)
    for unit_id, stage, male, female in _rows(GradeEnrolment, ("stage", "male", "female"), year, school_ids,
                                              group_by="stage"):
        if stage in _SECTIONS:
            pupils[unit_id][_SECTIONS[stage]] = (male or 0) + (female or 0)
    staff: dict[int, dict[Section, StaffCounts]] = defaultdict(dict)
    for unit_id, stage, *counts in _rows(TeacherStats, ("stage", *_STAFF_FIELDS), year, school_ids):
        if stage in _SECTIONS:
            staff[unit_id][_SECTIONS[stage]] = StaffCounts(*counts)
    assets = {unit_id: SharedAssets(*values) for unit_id, *values in _rows(SchoolYearStats, _ASSET_FIELDS, year,
                                                                           school_ids)}

    out: list[SchoolSection] = []
    county_of_parent: dict[int | None, int | None] = {}
    for pk in sorted(school_ids, key=lambda i: units[i].code):
        school = units[pk]
        type_code = school.type_code
        parent = parents.get(pk)
        if parent not in county_of_parent:  # schools share their town's walk up to the county
            county_of_parent[parent] = None if parent is None else _county_of(parent, parents, kinds)
        county = county_of_parent[parent]
        county_id = codes[county] if county is not None else ""
        school_assets = assets.get(pk, _NO_ASSETS)
        by_stage = pupils.get(pk, {})
        if type_code in COMBINED_TYPES:
            whole = WholeSchool(
                school_id=school.code, county_id=county_id, school_type_code=type_code, name=school.name,
                pupils=dict(by_stage),
                staff=staff.get(pk, {}), assets=school_assets)
            whole = _with_compulsory(whole, type_code)
            out.extend(split_combined_school(whole, scheme))
            continue
        for section in _plain_sections(type_code, by_stage):
            out.append(SchoolSection(
                school_id=school.code, county_id=county_id, section=section, school_type_code=type_code,
                pupils=by_stage.get(section, 0), staff=staff.get(pk, {}).get(section, StaffCounts()),
                assets=school_assets, name=school.name))
    return out


def _compulsory_of(type_code: str) -> tuple[Section, ...]:
    return (Section.JUNIOR,) if type_code == "341" else (Section.PRIMARY, Section.JUNIOR)


def _with_compulsory(whole: WholeSchool, type_code: str) -> WholeSchool:
    """Make sure every compulsory section of the type appears (with 0 pupils = "no data") and no foreign one does."""
    wanted = _compulsory_of(type_code)
    senior_ok = type_code in ("341", "345")
    pupils = {s: n for s, n in whole.pupils.items() if s in wanted or (s == Section.SENIOR and senior_ok)}
    for s in wanted:
        pupils.setdefault(s, 0)
    return WholeSchool(school_id=whole.school_id, county_id=whole.county_id, school_type_code=type_code,
                       pupils=pupils, staff=whole.staff, assets=whole.assets, name=whole.name)


# ---------------------------------------------------------------------------------------------------- rendering


def exact(value: Fraction | Decimal | int | None) -> str | None:
    """Exact text of a number: str of a Decimal/int, "p/q" (or "n") for a Fraction."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return str(value)


def plain(value: Fraction) -> str:
    """A scheme number in decimal notation for people ("5.3" rather than "53/10"); 6 places at most."""
    return format(display(value, 6).normalize(), "f")


def number(value: Fraction | Decimal | None, places: int) -> dict[str, str | None]:
    """``{"value": exact, "display": rounded}``; both None for "no data"."""
    if value is None:
        return {"value": None, "display": None}
    return {"value": exact(value), "display": str(display(value, places))}


def _school_entry(result: SchoolResult, scheme: Scheme) -> dict[str, Any]:
    s = result.section
    indicators = []
    for ir in result.indicators:
        ind = scheme.indicator(ir.code)
        indicators.append({
            "code": ir.code, "name": ind.name, "unit": ind.unit, **number(ir.value, ind.display_places),
            "threshold": exact(ir.threshold), "threshold_display": plain(ir.threshold), "met": ir.met,
            "status": NO_DATA if ir.value is None else "ok",
            "reason": ir.reason,
        })
    gap = school_gap(result, scheme)
    return {
        "code": s.school_id, "name": s.name, "school_type_code": s.school_type_code, "pupils": s.pupils,
        "status": NO_DATA if not result.has_data else ("excluded" if result.excluded else "assessed"),
        "excluded_reason": result.excluded_reason,
        "indicators": indicators,
        "met": [ir.code for ir in result.indicators if ir.met],
        "unmet": [ir.code for ir in result.unmet],
        "count_met": result.count_met, "passes": result.passes,
        "gaps": None if gap is None else {
            "per_indicator": [{"code": a.code, "amount": exact(a.amount), "text": a.text()}
                              for a in gap.per_indicator],
            "plan": [{"code": a.code, "amount": exact(a.amount), "text": a.text()} for a in gap.plan],
            "missing": list(gap.missing),
        },
    }


def evaluate_resources(unit: OrgUnit, year: int, *, overrides: Sequence[str | Path | Mapping[str, Any]] = (),
                       scheme_name: str = DEFAULT_SCHEME) -> dict[str, Any]:
    """The JSON-safe resource-allocation report for every county and section below ``unit`` in ``year``."""
    scheme = load_scheme(scheme_name, overrides=overrides)
    on = reference_date(year)
    sections = sections_for(unit, year, scheme=scheme)
    county_names = dict(OrgUnit.objects.filter(code__in={s.county_id for s in sections}).values_list("code", "name"))
    counties = []
    for county in assess_county(sections, scheme, as_of=on):
        report = county_gaps(county, scheme)
        share = county.schools_passing_share
        counties.append({
            "county": {"code": county.county_id, "name": county_names.get(county.county_id, "未归属区县")},
            "section": county.section.value, "section_label": SECTION_LABELS[county.section],
            "cvs": [{
                "code": c.code, "name": scheme.indicator(c.code).name,
                "value": None if c.value is None else str(c.value),
                "display": None if c.value is None else str(display(c.value, CV_PLACES)),
                "limit": exact(c.limit), "limit_display": plain(c.limit), "passes": c.passes,
                "status": NO_DATA if c.cv is None else "ok",
                "reason": c.reason,
            } for c in county.cvs],
            "cvs_pass": county.cvs_pass,
            "schools_assessed": len(county.assessed),
            "schools_passing_share": number(share, CV_PLACES) if share is not None else None,
            "schools": [_school_entry(r, scheme) for r in county.schools],
            "cv_gaps": [{
                "code": g.code, "limit": exact(g.limit),
                "before": str(display(g.before.cv, CV_PLACES)), "after": str(display(g.after.cv, CV_PLACES)),
                "reached": g.reached, "total": exact(g.total), "cost": exact(g.cost),
                "additions": [{"school": a.school_id, "amount": exact(a.amount), "text": a.text()}
                              for a in g.additions],
            } for g in report.cv_gaps],
            "totals": {code: {"label": scheme.indicator(code).gap.label, "measure": scheme.indicator(code).gap.measure,
                              "amount": exact(amount), "amount_display": format_amount(amount), "cost": exact(cost)}
                       for code, (amount, cost) in report.totals().items()},
        })
    return {
        "scheme": {"id": scheme.id, "version": scheme.version, "jurisdiction": scheme.jurisdiction,
                   "unit_costs_are_examples": scheme.unit_costs_are_examples},
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind},
        "year": year, "reference_date": on.isoformat(),
        "counties": counties,
    }


def indicator_values(unit: OrgUnit, year: int, *, scheme: Scheme | None = None) -> dict[str, Any]:
    """The 7 values of ``unit`` per section: a school's own values, or for an area the pupil-weighted mean
    Σ numerators ÷ Σ pupils over its assessed (non-excluded, with pupils) school sections. "No data" (None with
    a reason) if no section has pupils or any assessed section lacks an input."""
    scheme = scheme or load_scheme(DEFAULT_SCHEME)
    on = reference_date(year)
    results = [assess_school(s, scheme, on) for s in sections_for(unit, year, scheme=scheme)]
    by_section: dict[Section, list[SchoolResult]] = defaultdict(list)
    for r in results:
        by_section[r.section.section].append(r)
    sections = []
    for section in (Section.PRIMARY, Section.JUNIOR):
        group = by_section.get(section, [])
        if not group:
            continue
        entering = group if unit.kind == UnitKind.SCHOOL else [r for r in group if r.passes is not None]
        pupils = sum(r.section.pupils for r in entering)
        values = []
        for ind in scheme.indicators:
            missing = [r.section.name or r.section.school_id for r in entering
                       if r.result(ind.code).numerator is None]
            value: Fraction | None = None
            reason = ""
            if pupils <= 0:
                reason = "在校生数为0，无法计算"
            elif missing:
                reason = "缺少数据的学校：" + "、".join(missing)
            else:
                total = sum((_num(r, ind.code) for r in entering), Fraction(0))
                value = total * ind.per_pupils / pupils
            values.append({"code": ind.code, "name": ind.name, "unit": ind.unit,
                           **number(value, ind.display_places), "threshold": exact(ind.thresholds[section]),
                           "threshold_display": plain(ind.thresholds[section]),
                           "status": NO_DATA if value is None else "ok", "reason": reason})
        sections.append({"section": section.value, "section_label": SECTION_LABELS[section], "pupils": pupils,
                         "schools": len(entering), "indicators": values})
    return {"unit": {"code": unit.code, "name": unit.name, "kind": unit.kind}, "year": year, "sections": sections}


def _num(result: SchoolResult, code: str) -> Fraction:
    value = result.result(code).numerator
    assert value is not None
    return value


def children_on(unit: OrgUnit, year: int) -> list[OrgUnit]:
    from edugov.registry.queries import children

    return children(unit, on=reference_date(year))


__all__ = ["children_on", "evaluate_resources", "indicator_values", "sections_for"]
