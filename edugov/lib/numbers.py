"""Exact arithmetic for imported figures and indicators.

Indicator thresholds are compared exactly (4.2 teachers per 100 pupils is met or not),
so values are parsed to Decimal, ratios are kept as Fraction, and rounding happens
only when formatting for display.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from edugov.lib.text import clean_cell, to_halfwidth

__all__ = [
    "NumberFormatError",
    "format_decimal",
    "parse_count",
    "parse_decimal",
    "per_hundred",
    "ratio",
]

NumberInput = str | int | float | Decimal
Exact = int | float | Decimal | Fraction

# Either plain digits or correctly grouped thousands, optional sign and fraction; no exponent, no "%".
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?")


class NumberFormatError(ValueError):
    """A value is not an acceptable number; ``str()`` is a Chinese message naming the value."""


def _shown(value: object) -> str:
    return clean_cell(value) if isinstance(value, str) else repr(value)


def parse_decimal(value: NumberInput) -> Decimal:
    """Parse a number exactly, raising :class:`NumberFormatError` (Chinese message) if it is not one.

    Accepts int, float, Decimal and strings. Strings may carry surrounding spaces,
    full-width digits and correctly grouped thousands separators ("1,234.5"); percent
    signs, exponents, units and other text are rejected. Floats go through ``repr`` so
    0.1 becomes Decimal("0.1"), not its binary expansion. Booleans, NaN and infinities
    are rejected.
    """
    if isinstance(value, bool):
        raise NumberFormatError(f"不是有效的数字：{value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberFormatError(f"不是有效的数字：{value!r}")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberFormatError(f"不是有效的数字：{value}")
        return value
    if not isinstance(value, str):
        raise NumberFormatError(f"不是有效的数字：{value!r}")
    text = to_halfwidth(clean_cell(value))
    if not text:
        raise NumberFormatError("数值为空，请填写数字")
    if not any(char in "0123456789" for char in text) or not _NUMBER.fullmatch(text):
        raise NumberFormatError(f"不是有效的数字：{_shown(value)}")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid literals
        raise NumberFormatError(f"不是有效的数字：{_shown(value)}") from exc


def parse_count(value: NumberInput) -> int:
    """Parse a count (pupils, teachers, rooms): a non-negative whole number.

    Accepts anything :func:`parse_decimal` accepts whose value is whole ("12", 12, 12.0,
    "12.0"). Raises :class:`NumberFormatError` with distinct Chinese messages for
    non-numbers, negative numbers and fractions.
    """
    number = parse_decimal(value)
    if number < 0:
        raise NumberFormatError(f"数量不能为负数：{_shown(value)}")
    if number != number.to_integral_value():
        raise NumberFormatError(f"数量必须是整数：{_shown(value)}")
    return int(number)


def _to_fraction(value: Exact) -> Fraction:
    if isinstance(value, bool):
        raise TypeError(f"不是有效的数字：{value!r}")
    if isinstance(value, Fraction):
        return value
    return Fraction(parse_decimal(value))


def ratio(numerator: Exact, denominator: Exact) -> Fraction | None:
    """Return numerator / denominator exactly, or None when the denominator is 0 ("no data", not zero)."""
    bottom = _to_fraction(denominator)
    if bottom == 0:
        return None
    return _to_fraction(numerator) / bottom


def per_hundred(numerator: Exact, denominator: Exact) -> Fraction | None:
    """Return numerator per 100 of denominator exactly (e.g. teachers per 100 pupils), or None if it is 0."""
    value = ratio(numerator, denominator)
    return None if value is None else value * 100


def format_decimal(value: Exact, places: int, *, grouping: bool = False) -> str:
    """Format a number with exactly ``places`` decimals, rounding half away from zero (ROUND_HALF_UP).

    For display only: rounding is done on the exact value, so 2.675 shows as "2.68" and
    1/3 as "0.33". A result that rounds to zero never shows a minus sign. ``grouping``
    adds thousands separators.
    """
    if places < 0:
        raise ValueError(f"小数位数不能为负数：{places}")
    scaled = _to_fraction(value) * 10**places
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    sign = 1 if scaled < 0 and magnitude != 0 else 0
    exact = Decimal((sign, tuple(int(digit) for digit in str(magnitude)), -places))
    return f"{exact:,.{places}f}" if grouping else f"{exact:.{places}f}"
