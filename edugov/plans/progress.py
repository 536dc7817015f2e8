"""Plan targets against the indicator catalogue: the value each target's indicator has for the target's owner, year
by year, and the status that follows (met / not met / at risk / on track / no data) with the exact gap.

Values come from `edugov.indicators.compute.Snapshot`, read once per owner unit and school year however many targets
share them. A target is only compared with an indicator measured in the same unit of measure (a 95.5 % target is
never compared with a count of classes); zero targets compare with any unit, since none of anything is 0 in all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Max

from edugov.indicators.catalogue.evaluate import IndicatorValue
from edugov.indicators.compute import Snapshot
from edugov.plans.models import Target
from edugov.plans.status import TargetRule, TargetStatus, evaluate_target
from edugov.registry.models import OrgUnit
from edugov.stats.models import GradeEnrolment

HISTORY_YEARS = 3


@dataclass(frozen=True)
class TargetProgress:
    """One target's indicator values by school year for its owner and the status they give."""

    target: Target
    indicator_name: str | None
    indicator_unit: str | None
    values: tuple[tuple[int, IndicatorValue], ...]
    status: TargetStatus

    @property
    def latest(self) -> IndicatorValue | None:
        return self.values[-1][1] if self.values else None


def data_years(limit: int = HISTORY_YEARS) -> list[int]:
    """The latest school years that have enrolment data (statistics are collected per school year)."""
    latest = GradeEnrolment.objects.aggregate(y=Max("year"))["y"]
    if latest is None:
        return []
    return list(range(latest - limit + 1, latest + 1))


def _comparable(target: Target, indicator_unit: str) -> bool:
    if target.comparator == "zero":
        return True
    wanted = target.unit_of_measure.strip()
    if not wanted:
        return True
    return indicator_unit == wanted or indicator_unit.startswith(f"{wanted}/") or (
        wanted == "%" and indicator_unit == "%")


def _rule(target: Target) -> TargetRule:
    return TargetRule(comparator=target.comparator, value=Fraction(target.value),
                      value_max=Fraction(target.value_max) if target.value_max is not None else None,
                      deadline_year=target.period_end.year if target.period_end else None)


def target_progress(targets: Iterable[Target], *, years: Sequence[int] | None = None) -> dict[int, TargetProgress]:
    """Progress of each target linked to a catalogue indicator (others are left out), keyed by target id."""
    years = list(years) if years is not None else data_years()
    snapshots: dict[tuple[int, int], Snapshot] = {}
    owners: dict[int, OrgUnit] = {}
    result: dict[int, TargetProgress] = {}
    for target in targets:
        if not target.indicator_code or target.owner_id is None:
            continue
        owner = owners.setdefault(target.owner_id, target.owner)  # type: ignore[arg-type]
        values: list[tuple[int, IndicatorValue]] = []
        for year in years:
            snapshot = snapshots.get((owner.pk, year))
            if snapshot is None:
                snapshot = snapshots[(owner.pk, year)] = Snapshot(owner, year)
            if target.indicator_code not in snapshot.catalogue.indicators:
                break
            values.append((year, snapshot.value(target.indicator_code)))
        if not values:
            continue
        first = values[0][1]
        if not _comparable(target, first.unit):
            status = TargetStatus("no_data", None, None, None, None,
                                  f"目标单位“{target.unit_of_measure}”与指标单位“{first.unit}”不一致，无法比较")
        else:
            history = {year: value.value for year, value in values}
            status = evaluate_target(_rule(target), history, as_of_year=years[-1])
            latest = values[-1][1]
            if status.status == "no_data" and latest.value is None and latest.reason:
                status = TargetStatus("no_data", None, None, None, None, latest.reason)
        result[target.pk] = TargetProgress(target=target, indicator_name=first.name_zh, indicator_unit=first.unit,
                                           values=tuple(values), status=status)
    return result
