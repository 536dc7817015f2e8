"""Display helpers for national codes, exact figures, grades and masked personal data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edugov.lib.numbers import format_decimal
from edugov.lib.schoolyear import SchoolYear
from edugov.stats.grades import GRADE_LABELS
from edugov.web import masking
from edugov.web.queries import CATEGORY_LABELS, class_size_level, code_name, urban_rural_category

register = template.Library()


@register.filter
def coded(code: str | None, list_name: str) -> str:
    """“211 小学”: the code users type in their workbooks, with the name they recognise."""
    if not code:
        return "—"
    name = code_name(list_name, code)
    return f"{code} {name}" if name else code


@register.filter
def area_category(urban_rural_code: str | None) -> str:
    return urban_rural_category(urban_rural_code or "")


@register.filter
def category_label(key: str) -> str:
    label = CATEGORY_LABELS.get(key)
    return str(label) if label is not None else key


# The grade names of edugov.stats.grades, marked here for translation (that module is pure and has no gettext).
GRADE_NAMES: dict[str, Promise] = {
    "K0": gettext_lazy("托班"), "K1": gettext_lazy("小班"), "K2": gettext_lazy("中班"), "K3": gettext_lazy("大班"),
    "1": gettext_lazy("一年级"), "2": gettext_lazy("二年级"), "3": gettext_lazy("三年级"), "4": gettext_lazy("四年级"),
    "5": gettext_lazy("五年级"), "6": gettext_lazy("六年级"), "7": gettext_lazy("七年级"), "8": gettext_lazy("八年级"),
    "9": gettext_lazy("九年级"), "10": gettext_lazy("高一"), "11": gettext_lazy("高二"), "12": gettext_lazy("高三"),
}


@register.filter
def grade_label(grade: str) -> str:
    name = GRADE_NAMES.get(grade)
    return str(name) if name is not None else GRADE_LABELS.get(grade, grade)


@register.filter
def figure(value: Fraction | Decimal | int | None, places: int = 2) -> str:
    """An exact figure rounded for display only (half away from zero), with thousands separators."""
    if value is None:
        return "—"
    return format_decimal(value, int(places), grouping=True)


@register.filter
def year_label(year: SchoolYear | int | None) -> str:
    """“2024-2025学年”, translated (SchoolYear.label is always Chinese)."""
    if year is None or year == "":
        return ""
    start = year.start_year if isinstance(year, SchoolYear) else int(year)
    return _("%(start)d-%(end)d学年") % {"start": start, "end": start + 1}


@register.filter
def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("是") if value else _("否")


@register.filter
def masked_id(value: str) -> str:
    return masking.mask_id(value) if value else "—"


@register.filter
def masked_name(value: str) -> str:
    return masking.mask_name(value)


@register.filter
def masked_number(value: str) -> str:
    return masking.mask_number(value)


@register.filter
def masked_birth(value: dt.date | None) -> str:
    return masking.mask_birth_date(value)


@register.filter
def size_level(section: Any) -> int | None:
    return class_size_level(section)


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced, for pagination links that keep the filters."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
