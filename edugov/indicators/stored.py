"""Stored catalogue values (``IndicatorValueRecord``) and their recomputation, full or after one school's change.

Dashboards may keep computing live (``compute.Snapshot``); the stored values are for speed at city scale and for
history. Both give the same numbers: the full recompute *is* a ``Snapshot`` per root, and the incremental one is
tested to write exactly what a full recompute writes.

* ``recompute(year, units=None)``: every unit below each root (default: every top-level unit on the reference
  date), one ``Snapshot`` per root, all values written in one transaction with bulk upserts.
* ``recompute_for_school(school, year)``: after one school's statistics changed, only the school and its
  ancestors (the units whose aggregates include it). Every value is Σ numerator parts ÷ Σ denominator parts over
  the unit's schools, so an ancestor's stored numerator and denominator are updated by the school's new part minus
  its old part (the old part is the school's own stored record). Where that is not exact — an unreported part (the
  reason lists schools), a stored value of another definition version, a county-level indicator (no school
  record to take the old part from) — the value is evaluated afresh with a ``Snapshot`` of the chain's root,
  which reads only the elements those indicators need. Values of the years whose elements read this year through
  a ``year_offset`` (初中三年巩固率 two years on) are refreshed too, if any are stored.
* ``recompute_after_import(pairs)``: the handler of ``edugov.dataio.signals.statistics_applied`` (the import sends
  the (unit id, year) pairs it wrote). Years with no stored values are skipped (run ``recompute`` first); a
  school's change goes through ``recompute_for_school``; an area unit's (population) change re-evaluates the
  indicators that read area data along its chain; more than ``FULL_RECOMPUTE_AT`` units in a year → full recompute.

Not handled incrementally: a registry change (a school moved to another town, opened or closed). Run
``recompute(year)`` after one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from edugov.indicators.catalogue import Catalogue, ElementData, IndicatorValue, evaluate
from edugov.indicators.catalogue.spec import Indicator
from edugov.indicators.compute import _KIND_RANK, _LEVEL_RANK, _LEVEL_TEXT, Snapshot
from edugov.indicators.models import IndicatorValueRecord
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import parents_on

__all__ = ["FULL_RECOMPUTE_AT", "recompute", "recompute_after_import", "recompute_for_school", "record_values"]

logger = logging.getLogger(__name__)

#: more changed units than this in one year → one full recompute instead of one chain per unit
FULL_RECOMPUTE_AT = 50
_FIELDS = ["version", "element_versions", "value", "fraction", "numerator", "denominator", "met", "reason",
           "computed_at"]
_PLACES = Decimal(1).scaleb(-12)
_MAX_DEPTH = 10
_BATCH = 2000


def _exact(value: Fraction | None) -> str:
    if value is None:
        return ""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _parse(text: str) -> Fraction | None:
    return None if text == "" else Fraction(text)


def _record(v: IndicatorValue, unit_id: int, year: int, now: Any) -> IndicatorValueRecord:
    value = v.value
    return IndicatorValueRecord(
        unit_id=unit_id, year=year, code=v.code, version=v.version, element_versions=dict(v.element_versions),
        value=None if value is None else (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            _PLACES, rounding=ROUND_HALF_UP),
        fraction="" if value is None else f"{value.numerator}/{value.denominator}",
        numerator=_exact(v.numerator), denominator=_exact(v.denominator), met=v.met, reason=v.reason,
        computed_at=now)


def _write(records: list[IndicatorValueRecord]) -> None:
    IndicatorValueRecord.objects.bulk_create(records, batch_size=_BATCH, update_conflicts=True,
                                             unique_fields=["unit", "year", "code"], update_fields=_FIELDS)


def _catalogue(catalogue: Catalogue | None) -> Catalogue:
    from edugov.indicators.services import current_catalogue

    return catalogue if catalogue is not None else current_catalogue()


def _roots(year: int) -> list[OrgUnit]:
    """Units active on the reference date with no parent then (the tops of the administrative tree)."""
    on = SchoolYear(year).reference_date
    active = list(OrgUnit.objects.active_at(on))
    parents = parents_on([u.pk for u in active], on)
    return [u for u in active if u.pk not in parents]


def record_values(snap: Snapshot, unit_ids: Iterable[int], now: Any = None) -> list[IndicatorValueRecord]:
    """Records of every catalogue indicator for ``unit_ids`` (units of the snapshot's subtree)."""
    now = now or timezone.now()
    return [_record(snap.value(code, uid), uid, snap.year, now)
            for uid in unit_ids for code in snap.catalogue.indicators]


def recompute(year: int, units: Iterable[OrgUnit] | None = None, *, catalogue: Catalogue | None = None) -> int:
    """Computes and stores every catalogue indicator for every unit below each of ``units`` (default: every
    top-level unit) in ``year``; returns the number of values written. One transaction."""
    catalogue = _catalogue(catalogue)
    roots = list(units) if units is not None else _roots(year)
    now = timezone.now()
    records: list[IndicatorValueRecord] = []
    covered: set[int] = set()
    for root in roots:
        snap = Snapshot(root, year, catalogue=catalogue)
        ids = [uid for uid in snap.units if uid not in covered]
        covered.update(ids)
        records.extend(record_values(snap, ids, now))
    with transaction.atomic():
        # Values of indicators no longer in the catalogue would otherwise linger beside the fresh ones.
        (IndicatorValueRecord.objects.filter(year=year, unit_id__in=covered)
         .exclude(code__in=list(catalogue.indicators)).delete())
        _write(records)
    return len(records)


# ----------------------------------------------------------------------------------------- one school's change


def _chain(unit_id: int, year: int) -> list[int]:
    """The unit and its ancestors on the reference date, bottom up."""
    on = SchoolYear(year).reference_date
    chain = [unit_id]
    for _ in range(_MAX_DEPTH):
        up = parents_on([chain[-1]], on)
        if chain[-1] not in up or up[chain[-1]] in chain:
            break
        chain.append(up[chain[-1]])
    return chain


def _affected_years(year: int, catalogue: Catalogue) -> list[int]:
    """The indicator years whose values read data of ``year`` (year − offset for every element offset)."""
    offsets = {catalogue.elements[c].year_offset for ind in catalogue.indicators.values() for c in ind.elements}
    return sorted({year - o for o in offsets})


@dataclass(frozen=True)
class _Part:
    """A school's share of an indicator: what it adds to an ancestor's numerator and denominator."""

    numerator: Fraction
    denominator: Fraction | None


def _part(numerator: Fraction | None, denominator: Fraction | None, has_den: bool) -> _Part | None:
    """As ``evaluate`` sums a unit in: ``None`` when the part makes the ancestor "no data" (not reported)."""
    if has_den:
        if denominator is None:
            return None
        if numerator is None:
            return _Part(Fraction(0), denominator) if denominator == 0 else None
        return _Part(numerator, denominator)
    return None if numerator is None else _Part(numerator, None)


def _new_part(snap: Snapshot, indicator: Indicator, school_id: int) -> _Part | None:
    nums = [snap.element(c).parts.get(school_id, Fraction(0)) for c in indicator.numerator]
    dens = [snap.element(c).parts.get(school_id, Fraction(0)) for c in indicator.denominator]
    num = None if any(p is None for p in nums) else sum((p for p in nums if p is not None), Fraction(0))
    den = None if any(p is None for p in dens) else sum((p for p in dens if p is not None), Fraction(0))
    return _part(num, den, bool(indicator.denominator))


def _current(rec: IndicatorValueRecord | None, indicator: Indicator, element_versions: Mapping[str, int]) -> bool:
    return rec is not None and rec.version == indicator.version and rec.element_versions == element_versions


def _shifted(indicator: Indicator, catalogue: Catalogue, rec: IndicatorValueRecord, old: _Part, new: _Part,
             year: int) -> IndicatorValue | None:
    """The ancestor's value with the school's old part replaced by the new one, or None if not exact."""
    has_den = bool(indicator.denominator)
    num = _parse(rec.numerator)
    den = _parse(rec.denominator)
    den_zero = "分母“{}”为0，无数据".format("、".join(catalogue.elements[c].name_zh for c in indicator.denominator))
    if num is None or (has_den and den is None) or rec.reason not in ("", den_zero):
        return None
    num = num - old.numerator + new.numerator
    value: Fraction | None
    reason = ""
    if has_den:
        assert den is not None and old.denominator is not None and new.denominator is not None
        den = den - old.denominator + new.denominator
        if den == 0:
            value, reason = None, den_zero
        else:
            value = num / den * indicator.factor
    else:
        value = num * indicator.factor
    met = None if value is None or indicator.threshold is None else indicator.threshold.met(value)
    return IndicatorValue(
        code=indicator.code, name_zh=indicator.name_zh, version=indicator.version, unit=indicator.unit,
        status=indicator.status, display_places=indicator.display_places, value=value, numerator=num,
        denominator=den if has_den else None, reason=reason, threshold=indicator.threshold, met=met,
        contributions=(), element_versions={c: catalogue.elements[c].version for c in indicator.elements},
        filters={}, year=year)


def _recompute_chain(school: OrgUnit, year: int, catalogue: Catalogue) -> list[IndicatorValueRecord]:
    on = SchoolYear(year).reference_date
    if not school.is_active(on):
        return []  # a school closed (or not yet opened) on the reference date counts nowhere that year
    chain = _chain(school.pk, year)
    kinds = dict(OrgUnit.objects.filter(pk__in=chain).values_list("pk", "kind"))
    stored = {(r.unit_id, r.code): r for r in IndicatorValueRecord.objects.filter(year=year, unit_id__in=chain)}
    own = Snapshot(school, year, catalogue=catalogue)
    root: Snapshot | None = None
    now = timezone.now()
    records = [_record(v, school.pk, year, now) for v in own.values(school.pk)]
    for code, indicator in catalogue.indicators.items():
        versions = {c: catalogue.elements[c].version for c in indicator.elements}
        unavailable = any(own.element(c).unavailable for c in indicator.elements)
        old_rec = stored.get((school.pk, code))
        old = None
        if _current(old_rec, indicator, versions) and not unavailable:
            assert old_rec is not None
            old = _part(_parse(old_rec.numerator), _parse(old_rec.denominator), bool(indicator.denominator))
            if old_rec.reason and old_rec.numerator == "":  # not applicable at school level, or not reported
                old = None
        new = None if unavailable else _new_part(own, indicator, school.pk)
        for uid in chain[1:]:
            kind = kinds.get(uid, "")
            value: IndicatorValue | None = None
            not_applicable = ""
            if _KIND_RANK.get(kind, 1) < _LEVEL_RANK[indicator.level]:
                not_applicable = f"该指标适用于{_LEVEL_TEXT[indicator.level]}，不对{UnitKind(kind).label}计算"
            if not_applicable or unavailable:
                # Independent of the data: the indicator does not apply to the unit, or its source is not held.
                data = {c: ElementData() if not_applicable else own.element(c) for c in indicator.elements}
                value = evaluate(indicator, catalogue.elements, data, {}, year=year, not_applicable=not_applicable)
            else:
                rec = stored.get((uid, code))
                if old is not None and new is not None and rec is not None and _current(rec, indicator, versions):
                    value = _shifted(indicator, catalogue, rec, old, new, year)
                if value is None:
                    root = root or Snapshot(OrgUnit.objects.get(pk=chain[-1]), year, catalogue=catalogue)
                    value = root.value(code, uid)
            records.append(_record(value, uid, year, now))
    return records


def recompute_for_school(school: OrgUnit | int, year: int, *, catalogue: Catalogue | None = None) -> int:
    """After ``school``'s statistics of ``year`` changed: recompute and store the values of the school and of
    every unit above it (and of later years reading ``year`` through an offset, where stored). Exactly what
    ``recompute`` would store for those units. Returns the number of values written."""
    catalogue = _catalogue(catalogue)
    if not isinstance(school, OrgUnit):
        school = OrgUnit.objects.get(pk=school)
    records: list[IndicatorValueRecord] = []
    for target in _affected_years(year, catalogue):
        if target != year and not IndicatorValueRecord.objects.filter(year=target).exists():
            continue
        records.extend(_recompute_chain(school, target, catalogue))
    with transaction.atomic():
        _write(records)
    return len(records)


def _recompute_area(unit: OrgUnit, year: int, catalogue: Catalogue) -> int:
    """An area unit's own rows (population) changed: the indicators reading area data, along its chain."""
    codes = [code for code, ind in catalogue.indicators.items()
             if any(catalogue.elements[c].source_def.per == "area" for c in ind.elements)]
    chain = _chain(unit.pk, year)
    snap = Snapshot(OrgUnit.objects.get(pk=chain[-1]), year, catalogue=catalogue)
    now = timezone.now()
    records = [_record(snap.value(code, uid), uid, year, now) for uid in chain if uid in snap.units for code in codes]
    with transaction.atomic():
        _write(records)
    return len(records)


def recompute_after_import(pairs: Iterable[tuple[int, int]], *, catalogue: Catalogue | None = None) -> int:
    """Refresh the stored values an import made stale; ``pairs`` are the (unit id, year) it wrote statistics for.
    Years without stored values are left alone. Returns the number of values written."""
    by_year: dict[int, set[int]] = defaultdict(set)
    for unit_id, year in pairs:
        by_year[year].add(unit_id)
    catalogue = _catalogue(catalogue)
    written = 0
    for year, unit_ids in sorted(by_year.items()):
        years = [t for t in _affected_years(year, catalogue)
                 if IndicatorValueRecord.objects.filter(year=t).exists()]
        if not years:
            continue
        if len(unit_ids) > FULL_RECOMPUTE_AT:
            written += sum(recompute(t, catalogue=catalogue) for t in years)
            continue
        for unit in OrgUnit.objects.filter(pk__in=unit_ids).order_by("pk"):
            if unit.kind == UnitKind.SCHOOL:
                written += recompute_for_school(unit, year, catalogue=catalogue)
            else:
                written += sum(_recompute_area(unit, t, catalogue) for t in years)
    return written


def on_statistics_applied(sender: Any, pairs: Iterable[tuple[int, int]] = (), **kwargs: Any) -> None:
    """Receiver of ``edugov.dataio.signals.statistics_applied`` (connected in apps.py)."""
    try:
        recompute_after_import(pairs)
    except Exception:  # the import itself is committed; stale stored values are fixed by the next recompute
        logger.exception("recomputing stored indicator values after an import failed")
