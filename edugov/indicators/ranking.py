"""Ranks of units on an indicator: competition ranking ("1, 2, 2, 4"), ties shared, units without data unranked.
Pure: no Django."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TypeVar

from edugov.indicators.catalogue.spec import Indicator

__all__ = ["LOWER_IS_BETTER", "higher_is_better", "rank"]

K = TypeVar("K")

#: indicators without a threshold for which a lower value is the better one
LOWER_IS_BETTER = frozenset({"myopia_rate", "large_class_count", "super_large_class_count"})


def higher_is_better(indicator: Indicator) -> bool:
    """The threshold's direction (≥ / > : higher is better); without a threshold, higher unless listed."""
    if indicator.threshold is not None:
        return indicator.threshold.comparator in (">=", ">")
    return indicator.code not in LOWER_IS_BETTER


def rank(values: Mapping[K, Fraction | None], *, higher_better: bool = True) -> dict[K, int]:
    """key → rank (1 = best) for the keys with a value; equal values share a rank and the next rank skips."""
    present = [(k, v) for k, v in values.items() if v is not None]
    out: dict[K, int] = {}
    for key, value in present:
        better = sum(1 for _k, other in present if (other > value if higher_better else other < value))
        out[key] = better + 1
    return out
