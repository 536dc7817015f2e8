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
