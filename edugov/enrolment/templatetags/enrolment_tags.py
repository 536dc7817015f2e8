"""Masking filters for the enrolment pages (the rules are edugov.lib.idcard's)."""

from __future__ import annotations

from django import template

from edugov.enrolment.services import mask_phone
from edugov.lib.idcard import mask_id, mask_name

register = template.Library()


@register.filter(name="mask_id")
def mask_id_filter(value: str) -> str:
    return mask_id(value or "")


@register.filter(name="mask_name")
def mask_name_filter(value: str) -> str:
    return mask_name(value or "")


@register.filter(name="mask_phone")
def mask_phone_filter(value: str) -> str:
    return mask_phone(value or "")
