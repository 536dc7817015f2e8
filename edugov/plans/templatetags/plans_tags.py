from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def exact(value: Decimal | None) -> str:
    """A target value as written: 95.5 → "95.5", 15000.000000 → "15000" (never 1.5E+4)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


@register.filter
def fraction(value: object, places: int = 2) -> str:
    """An exact value (Fraction) shown rounded half-up; "—" for none. Only for display: never compare the result."""
    from fractions import Fraction

    from edugov.indicators.catalogue.evaluate import display

    if value is None:
        return "—"
    if not isinstance(value, Fraction):
        value = Fraction(str(value))
    shown = display(value, int(places))
    return format(shown, "f")
