"""Exact numbers for schemes and inputs: strings, integers, ``Decimal`` or ``Fraction``, never floats.

A float such as ``85.1`` is already inexact before the engine sees it, so it is refused with an error that names
where it came from. Everything is computed as :class:`fractions.Fraction`; :func:`display` rounds only for showing.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

Exact = int | str | Decimal | Fraction


def to_fraction(value: object, where: str, error: type[ValueError] = ValueError) -> Fraction:
    """Parse an exact number; ``where`` names the place in Chinese for the error message."""
    if isinstance(value, bool | float):
        raise error(f"{where}：数值必须写成字符串或整数（不接受浮点数或布尔值），收到 {value!r}")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise error(f"{where}：数值必须是有限数，收到 {value!r}")
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError, InvalidOperation):
            pass
    raise error(f"{where}：不是有效数值：{value!r}")


def _terminates(value: Fraction) -> bool:
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def exact_str(value: Fraction) -> str:
    """Canonical exact text: ``"85.5"`` for terminating decimals, ``"176/3"`` otherwise (used in hashes and JSON)."""
    if value.denominator == 1:
        return str(value.numerator)
    if not _terminates(value):
        return f"{value.numerator}/{value.denominator}"
    places = 0
    while (10**places) % value.denominator:
        places += 1
    digits = str(abs(value.numerator) * (10**places // value.denominator)).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")


def display(value: Fraction | Decimal | int, places: int) -> Decimal:
    """Round half up for display only; never feed the result back into a comparison."""
    if isinstance(value, int):
        value = Decimal(value)
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def readable(value: Fraction) -> str:
    """Text for reasons shown to people: exact when the decimal terminates, else ``≈`` and 2 places."""
    if _terminates(value):
        return exact_str(value)
    return f"≈{display(value, 2)}"
