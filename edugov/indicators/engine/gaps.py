"""Gap to pass: the smallest additions that make a school section, or a county's CV, meet the scheme.

Additions are whole steps of what a bureau can actually add (1 teacher, 1 classroom, 0.01 m², 0.01 yuan; the step
is configured per indicator) and are always rounded up, so the stated addition passes and one step less does not.
All arithmetic is exact; only the text rendering rounds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from edugov.indicators.engine.assess import CountyResult, IndicatorResult, SchoolResult
from edugov.indicators.engine.cv import WeightedCV, weighted_cv
from edugov.indicators.engine.scheme import IndicatorDef, Scheme

# Bisection steps on the levelling target; 2⁻⁶⁰ of the value range is far below any addable step.
_BISECTION_STEPS = 60


def ceil_to_step(amount: Fraction, step: Fraction) -> Fraction:
    """Round ``amount`` up to a whole multiple of ``step``; negative amounts (no shortfall) become 0."""
    if amount <= 0:
        return Fraction(0)
    return math.ceil(amount / step) * step


def smallest_addition(numerator: Fraction, pupils: int, per_pupils: int, target: Fraction, step: Fraction) -> Fraction:
    """Smallest multiple of ``step`` to add to ``numerator`` so that numerator × per ÷ pupils ≥ target."""
    return ceil_to_step(target * pupils / per_pupils - numerator, step)


def format_amount(amount: Fraction) -> str:
    """``3`` for whole amounts, ``1,240.50`` otherwise; additions are already multiples of their step."""
    if amount.denominator == 1:
        return f"{amount.numerator:,}"
    return f"{Decimal(amount.numerator) / Decimal(amount.denominator):,.2f}"


@dataclass(frozen=True)
class Addition:
    """An amount of one indicator's numerator to add at one school section, with its cost if one is configured."""

    school_id: str
    code: str
    label: str
    measure: str
    amount: Fraction
    #: the level the addition reaches: the threshold, or 85% of it under the remaining-indicator rule
    target: Fraction
    cost: Fraction | None

    def text(self) -> str:
        return f"需增加{self.label} {format_amount(self.amount)} {self.measure}"


def _addition(result: SchoolResult, ir: IndicatorResult, ind: IndicatorDef, scheme: Scheme,
              target: Fraction) -> Addition:
    assert ir.numerator is not None  # callers pass only indicators with data
    amount = smallest_addition(ir.numerator, result.section.pupils, ind.per_pupils, target, ind.gap.step)
    unit = scheme.unit_costs.get(ind.code)
    return Addition(result.section.school_id, ind.code, ind.gap.label, ind.gap.measure, amount, target,
                    None if unit is None else amount * unit.amount)


@dataclass(frozen=True)
class SchoolGap:
    """What a failing school section needs.

    ``per_indicator`` lists, for every unmet indicator, the addition that meets its full threshold. ``plan`` is
    the cheapest set that makes the section pass: enough indicators raised to the threshold to reach ≥ N of 7,
    and, if the 85% rule is on, every other unmet indicator raised to 85% of its threshold. ``missing`` names
    indicators without data, for which no addition can be computed.
    """

    school_id: str
    per_indicator: tuple[Addition, ...]
    plan: tuple[Addition, ...]
    missing: tuple[str, ...]


def school_gap(result: SchoolResult, scheme: Scheme) -> SchoolGap | None:
    """``None`` for sections that pass, are excluded or have no pupils: they need nothing."""
    if result.passes is not False:
        return None
    unmet = [ir for ir in result.unmet if ir.value is not None]
    missing = tuple(ir.code for ir in result.unmet if ir.value is None)
    full = {ir.code: _addition(result, ir, scheme.indicator(ir.code), scheme, ir.threshold) for ir in unmet}
    share = scheme.remaining_rule_share
    partial = {ir.code: _addition(result, ir, scheme.indicator(ir.code), scheme, share * ir.threshold)
               for ir in unmet if result.remaining_rule_applied}
    # Missing indicators count as unmet and cannot be fixed here, so they use up the allowance of unmet ones.
    must_fix = max(0, result.min_met - result.count_met)
    if must_fix > len(unmet):
        return SchoolGap(result.section.school_id, tuple(full.values()), (), missing)
    best: tuple[Addition, ...] = ()
    best_key: tuple[Fraction, int] | None = None
    for chosen in itertools.combinations(unmet, must_fix):
        codes = {ir.code for ir in chosen}
        plan = tuple(full[ir.code] if ir.code in codes else partial[ir.code]
                     for ir in unmet if ir.code in codes or ir.code in partial)
        plan = tuple(a for a in plan if a.amount > 0)
        # Cheapest by configured cost; without costs, the plan touching fewest indicators, then input order.
        cost = sum((a.cost or Fraction(0) for a in plan), Fraction(0))
        key = (cost, len(plan))
        if best_key is None or key < best_key:
            best, best_key = plan, key
    return SchoolGap(result.section.school_id, tuple(full.values()), best, missing)


@dataclass(frozen=True)
class CvGap:
    """Additions that bring one indicator's county CV within the limit, by levelling up the lowest schools."""

    code: str
    limit: Fraction
    before: WeightedCV
    after: WeightedCV
    additions: tuple[Addition, ...]

    @property
    def reached(self) -> bool:
        """False only if even levelling every school up to the best one cannot meet the limit."""
        return self.after.within(self.limit)

    @property
    def total(self) -> Fraction:
        return sum((a.amount for a in self.additions), Fraction(0))

    @property
    def cost(self) -> Fraction | None:
        costs = [a.cost for a in self.additions]
        return None if None in costs else sum((c for c in costs if c is not None), Fraction(0))


def _levelled(items: Sequence[tuple[str, int, Fraction]], ind: IndicatorDef, level: Fraction
              ) -> list[tuple[str, Fraction]]:
    """Per school, the step-rounded addition that lifts its value to at least ``level``."""
    return [(sid, smallest_addition(total, pupils, ind.per_pupils, level, ind.gap.step))
            for sid, pupils, total in items]


def _cv_after(items: Sequence[tuple[str, int, Fraction]], adds: Sequence[tuple[str, Fraction]]) -> WeightedCV | None:
    return weighted_cv([(p, t + a) for (_, p, t), (_, a) in zip(items, adds, strict=True)])


def cv_gap(county: CountyResult, code: str, scheme: Scheme) -> CvGap | None:
    """Greedy levelling: raise every school below a level L up to L, with the lowest L that gets CV ≤ limit.

    Raising the bottom of the distribution is what bureaus actually fund and is the cheapest way to cut the
    spread; it is not a global optimum over all possible additions. ``None`` if the CV cannot be computed or
    already passes.
    """
    icv = county.cv(code)
    if icv.cv is None or icv.cv.within(icv.limit):
        return None
    ind = scheme.indicator(code)
    items = []
    for r in county.schools:
        if r.passes is None:
            continue
        ir = r.result(code)
        assert ir.numerator is not None  # a computable CV implies every entering school has data
        items.append((r.section.school_id, r.section.pupils, ir.numerator))
    values = [t * ind.per_pupils / p for _, p, t in items]
    lo, hi = min(values), max(values)
    # At the top value every school is (after rounding up) at least as high as the best one, so the CV is ~0;
    # bisect for the lowest level that passes with step-rounded additions.
    for _ in range(_BISECTION_STEPS):
        mid = (lo + hi) / 2
        after = _cv_after(items, _levelled(items, ind, mid))
        if after is not None and after.within(icv.limit):
            hi = mid
        else:
            lo = mid
    adds = _levelled(items, ind, hi)
    after = _cv_after(items, adds)
    assert after is not None
    unit = scheme.unit_costs.get(code)
    additions = tuple(
        Addition(sid, code, ind.gap.label, ind.gap.measure, amount, hi, None if unit is None else amount * unit.amount)
        for sid, amount in adds if amount > 0
    )
    return CvGap(code, icv.limit, icv.cv, after, additions)


@dataclass(frozen=True)
class CountyGapReport:
    """Everything a county section needs: school plans, CV levelling per indicator, and per-indicator totals."""

    county_id: str
    section: str
    school_gaps: tuple[SchoolGap, ...]
    cv_gaps: tuple[CvGap, ...]

    def totals(self) -> dict[str, tuple[Fraction, Fraction | None]]:
        """Per indicator: (amount, cost) summed over school plans and CV additions.

        A school can appear in both; the sums are an upper bound because an addition made for the school rule
        also lowers the CV.
        """
        out: dict[str, tuple[Fraction, Fraction | None]] = {}
        adds: Iterable[Addition] = itertools.chain(
            (a for g in self.school_gaps for a in g.plan), (a for g in self.cv_gaps for a in g.additions))
        for a in adds:
            amount, cost = out.get(a.code, (Fraction(0), Fraction(0)))
            out[a.code] = (amount + a.amount, None if cost is None or a.cost is None else cost + a.cost)
        return out


def county_gaps(county: CountyResult, scheme: Scheme) -> CountyGapReport:
    school = tuple(sg for r in county.schools if (sg := school_gap(r, scheme)) is not None)
    cvs = tuple(cg for ind in scheme.indicators if (cg := cv_gap(county, ind.code, scheme)) is not None)
    return CountyGapReport(county.county_id, county.section.value, school, cvs)
