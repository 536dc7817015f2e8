"""The audit trail as the 审计日志 page reads it: scoped to the user's units, filtered, and with personal data in
before/after values masked for users who may not see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from edugov.core.choices import Permission
from edugov.core.models import AuditEvent
from edugov.core.scoping import UserScope
from edugov.web import masking

# Objects holding a person's identity: their names and numbers are personal data inside audit snapshots too.
PERSON_TYPES = frozenset({"stats.StudentRecord", "stats.TeacherRecord"})
_ID_FIELDS = frozenset({"id_number"})
_PERSON_FIELDS = frozenset({"name", "student_no", "birth_date"})


def events_for(scope: UserScope) -> QuerySet[AuditEvent]:
    """Events about units in scope. Events without a unit (logins, system work) are for superusers only."""
    return scope.filter(AuditEvent.objects.all(), "org_unit").select_related("org_unit")


def object_type_choices(scope: UserScope) -> list[tuple[str, str]]:
    types = events_for(scope).order_by().values_list("object_type", flat=True).distinct()
    return sorted(((t, type_label(t)) for t in types if t), key=lambda pair: pair[1])


def type_label(object_type: str) -> str:
    """“机构 (registry.OrgUnit)” → the model's Chinese name where the model is known."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def filtered(events: QuerySet[AuditEvent], data: dict[str, Any]) -> QuerySet[AuditEvent]:
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"])
    if data.get("user"):
        events = events.filter(actor_name__icontains=data["user"])
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        events = events.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
    if data.get("date_to"):
        events = events.filter(at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min,
                                                          tzinfo=tz))
    return events


@dataclass
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


def _field_label(object_type: str, name: str) -> str:
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(name.removesuffix("_id")).verbose_name)
    except (LookupError, ValueError, Exception):
        return name


def _shown(value: Any, object_type: str, name: str, reveal: bool) -> Any:
    if reveal or value in (None, ""):
        return value
    if name in _ID_FIELDS:
        return masking.mask_id(str(value))
    if object_type in PERSON_TYPES and name in _PERSON_FIELDS:
        if name == "name":
            return masking.mask_name(str(value))
        if name == "student_no":
            return masking.mask_number(str(value))
        return str(value)[:7]  # year and month of a birth date
    return value


def changes(event: AuditEvent, scope: UserScope) -> list[FieldChange]:
    """The fields that differ between before and after, with labels and, unless allowed, masked personal data."""
    reveal = scope.can_at(Permission.VIEW_SENSITIVE, event.org_unit_id)
    before, after = event.before or {}, event.after or {}
    keys = sorted(set(before) | set(after))
    return [FieldChange(field=k, label=_field_label(event.object_type, k),
                        before=_shown(before.get(k), event.object_type, k, reveal),
                        after=_shown(after.get(k), event.object_type, k, reveal))
            for k in keys if before.get(k) != after.get(k)]


def shown_repr(event: AuditEvent, scope: UserScope) -> str:
    if event.object_type in PERSON_TYPES and not scope.can_at(Permission.VIEW_SENSITIVE, event.org_unit_id):
        return masking.mask_number(event.object_repr)
    return event.object_repr
