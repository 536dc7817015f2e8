"""Student-weighted coefficient of variation (校际差异系数) across the schools of one section of one county.

x̄ = Σ raw totals ÷ Σ pupils (the pupil-weighted mean), S = √(Σ (pᵢ/P)(xᵢ − x̄)²), CV = S ÷ x̄. Everything up
to the square root is exact; the pass test compares CV² with limit² exactly, so the rounding of the square root
can never flip a verdict at the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

# 40 significant digits is far beyond any display need and keeps the square root stable for large counties.
SQRT_PRECISION = 40


@dataclass(frozen=True)
class WeightedCV:
    """The CV and its parts; ``variance_over_mean_sq`` is CV² as an exact fraction."""

    mean: Fraction
    variance: Fraction
    variance_over_mean_sq: Fraction

    @property
    def cv(self) -> Decimal:
        return decimal_sqrt(self.variance_over_mean_sq)

    @property
    def std(self) -> Decimal:
        return decimal_sqrt(self.variance)

    def within(self, limit: Fraction) -> bool:
        return self.variance_over_mean_sq <= limit * limit


def decimal_sqrt(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = SQRT_PRECISION
        return (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()


def weighted_cv(items: Sequence[tuple[int, Fraction]]) -> WeightedCV | None:
    """CV of per-pupil values from ``(pupils, raw total)`` pairs; ``None`` if there are no pupils or the mean is 0.

    The scale of the indicator (per pupil or per 100 pupils) cancels out of the CV, so raw totals are enough.
    """
    total_pupils = sum(p for p, _ in items)
    if total_pupils == 0:
        return None
    mean = sum((t for _, t in items), Fraction(0)) / total_pupils
    if mean == 0:
        return None
    variance = sum((Fraction(p, total_pupils) * (t / p - mean) ** 2 for p, t in items if p > 0), Fraction(0))
    return WeightedCV(mean=mean, variance=variance, variance_over_mean_sq=variance / (mean * mean))


def unweighted_cv(values: Sequence[Fraction]) -> Decimal | None:
    """Plain population CV of school values, only for showing how much the pupil weighting matters."""
    if not values:
        return None
    mean = sum(values, Fraction(0)) / len(values)
    if mean == 0:
        return None
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)
    return decimal_sqrt(variance / (mean * mean))
