"""Student-weighted coefficient of variation (校际差异系数) across the schools of one section of one county.

x̄ = Σ raw totals ÷ Σ pupils (the pupil-weighted mean), S = √(Σ (pᵢ/P)(xᵢ − x̄)²), CV = S ÷ x̄. Everything up
to the square root is exact; the pass test compares CV² with limit² exactly, so the rounding of the square root
can never flip a verdict at the boundary.
"""

from __future__ import annotations

import math
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
    With m = T/P, the variance Σ (p/P)(t/p − m)² equals S/P − 2mT′/P + m², where S = Σ t²/p and T′ = Σ t over the
    schools with pupils (T′ = T when every school has pupils). Each sum is taken over one common denominator (the
    least common multiple of its terms' denominators) in integers: adding fractions one by one recomputes a
    growing gcd at every step and was most of the time of a city's CVs. The result is the same exact fraction.
    """
    return weighted_cv_of_ratios([(p, t.numerator, t.denominator) for p, t in items])


def weighted_cv_of_ratios(items: Sequence[tuple[int, int, int]]) -> WeightedCV | None:
    """:func:`weighted_cv` of ``(pupils, numerator, denominator)`` triples, the raw total being numerator ÷
    denominator (denominator > 0, not necessarily reduced)."""
    total_pupils = sum(p for p, _, _ in items)
    if total_pupils == 0:
        return None
    numerators = [n for _, n, _ in items]
    denominators = [d for _, _, d in items]
    total = _sum_over(numerators, denominators)
    if total == 0:
        return None
    if all(p > 0 for p, _, _ in items):
        total_with_pupils = total
        squares = _sum_over([n * n for n in numerators], [d * d * p for p, _, d in items])
    else:
        kept = [(p, n, d) for p, n, d in items if p > 0]
        total_with_pupils = _sum_over([n for _, n, _ in kept], [d for _, _, d in kept])
        squares = _sum_over([n * n for _, n, _ in kept], [d * d * p for p, _, d in kept])
    mean = total / total_pupils
    variance = squares / total_pupils - 2 * mean * total_with_pupils / total_pupils + mean * mean
    return WeightedCV(mean=mean, variance=variance, variance_over_mean_sq=variance / (mean * mean))


def _sum_over(numerators: Sequence[int], denominators: Sequence[int]) -> Fraction:
    """Σ nᵢ/dᵢ (dᵢ > 0) over the least common multiple of the denominators, reduced once."""
    if not denominators:
        return Fraction(0)
    common = math.lcm(*denominators)
    return Fraction(sum(n * (common // d) for n, d in zip(numerators, denominators, strict=True)), common)


def unweighted_cv(values: Sequence[Fraction]) -> Decimal | None:
    """Plain population CV of school values, only for showing how much the pupil weighting matters."""
    if not values:
        return None
    mean = sum(values, Fraction(0)) / len(values)
    if mean == 0:
        return None
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)
    return decimal_sqrt(variance / (mean * mean))
