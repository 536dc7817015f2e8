"""Whether a plan's target is met, not met, or at risk, and by how much (pure, exact, no Django).

A target says what value an indicator must reach by a date (学前三年毛入园率达到95.5%, 大班额清零, 近视率每年下降
不低于1个百分点). Given the indicator's values by year for the owner unit, the status is:

- ``met``: the latest value satisfies the target;
- ``not_met``: it does not, and the deadline has passed;
- ``at_risk``: it does not yet, the deadline is ahead, and the trend of the last years (a straight line through the
  first and last known values) will not reach it by the deadline year;
- ``on_track``: it does not yet, but the trend reaches it in time;
- ``no_data``: the indicator has no value for the unit (never reported as met or as 0).

Comparisons use the unrounded values (fractions); the gap is what must still be added (or removed) to meet it.
``==`` targets (a norm raised to a value: 生均公用经费提高到295元) are met at or beyond the value in the
direction of the change the plan asks for, which for all norms in our catalogue is upward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Status = Literal["met", "not_met", "at_risk", "on_track", "no_data"]

STATUS_LABELS: dict[str, str] = {
    "met": "已达成",
    "not_met": "未达成",
    "at_risk": "有风险",
    "on_track": "按期可达",
    "no_data": "暂无数据",
}


@dataclass(frozen=True)
class TargetRule:
    comparator: str  # >=, >, <=, <, ==, zero, increase_by, decrease_by, count
    value: Fraction
    value_max: Fraction | None = None
    deadline_year: int | None = None


@dataclass(frozen=True)
class TargetStatus:
    status: Status
    current: Fraction | None
    year: int | None  # the year of `current`
    gap: Fraction | None  # still to add (positive) or remove (negative); 0 when met
    projected: Fraction | None  # the trend's value in the deadline year
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _required(rule: TargetRule, history: Mapping[int, Fraction]) -> tuple[str, Fraction] | None:
    """The comparison the latest value must pass: (operator, bound). Change targets compare against the value of the
    year before the plan's first year (the baseline); None when that baseline is missing."""
    comparator = rule.comparator
    if comparator == "zero":
        return "<=", Fraction(0)
    if comparator in ("==", "count"):
        return ">=", rule.value
    if comparator in (">=", ">", "<=", "<"):
        return comparator, rule.value
    if comparator in ("increase_by", "decrease_by"):
        years = sorted(history)
        if len(years) < 2:
            return None
        baseline = history[years[0]]
        periods = max(1, years[-1] - years[0])
        step = rule.value * periods  # "每年下降不低于1个百分点": the change is per year
        return (">=", baseline + step) if comparator == "increase_by" else ("<=", baseline - step)
    raise ValueError(f"unknown comparator {comparator}")


def _passes(value: Fraction, operator: str, bound: Fraction) -> bool:
    return {">=": value >= bound, ">": value > bound, "<=": value <= bound, "<": value < bound}[operator]


def evaluate_target(rule: TargetRule, history: Mapping[int, Fraction | None], as_of_year: int) -> TargetStatus:
    """The status of one target for one unit from the indicator's values by year (None = no value that year)."""
    known = {year: value for year, value in history.items() if value is not None and year <= as_of_year}
    if not known:
        return TargetStatus("no_data", None, None, None, None, "该单位没有该指标的数据")
    required = _required(rule, known)
    latest_year = max(known)
    current = known[latest_year]
    if required is None:
        return TargetStatus("no_data", current, latest_year, None, None, "缺少基准年数据，无法判断变化幅度")
    operator, bound = required
    if _passes(current, operator, bound):
        return TargetStatus("met", current, latest_year, Fraction(0), None, "已达到目标")
    gap = bound - current
    deadline = rule.deadline_year
    if deadline is None:
        return TargetStatus("not_met", current, latest_year, gap, None, "尚未达到目标")
    if deadline < as_of_year:
        return TargetStatus("not_met", current, latest_year, gap, None, "已过目标期限仍未达到")
    projected = _project(known, deadline)
    if projected is None:
        return TargetStatus("at_risk", current, latest_year, gap, None, "只有一年数据，无法判断趋势，按有风险处理")
    if _passes(projected, operator, bound):
        return TargetStatus("on_track", current, latest_year, gap, projected, "按近年趋势可在期限内达到")
    return TargetStatus("at_risk", current, latest_year, gap, projected, "按近年趋势到期限仍达不到")


def _project(known: Mapping[int, Fraction], year: int) -> Fraction | None:
    """The value in `year` on the straight line through the first and last known years (exact)."""
    years = sorted(known)
    if len(years) < 2:
        return None
    first, last = years[0], years[-1]
    slope = (known[last] - known[first]) / (last - first)
    return known[last] + slope * (year - last)
