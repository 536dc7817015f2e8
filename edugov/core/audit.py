"""The audit trail. Every service that changes data calls record(); sensitive reads call record_read()."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from edugov.core.choices import AuditAction
from edugov.core.middleware import current_request_context
from edugov.core.models import AuditEvent

Actor = AbstractBaseUser | AnonymousUser | None


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data, for before/after comparison."""
    names = fields or tuple(f.attname for f in instance._meta.concrete_fields if f.attname != "id")
    return {name: _jsonable(getattr(instance, name)) for name in names}


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_unit_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    message: str = "",
) -> AuditEvent:
    """Writes one audit row in the caller's transaction, so that the row exists exactly when the change does."""
    context = current_request_context()
    user: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_username() if user is not None else "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        org_unit_id=org_unit_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        message=message,
        request_id=context.request_id if context else "",
        ip_address=context.ip_address if context else None,
    )


def record_read(*, actor: Actor, obj: models.Model, org_unit_id: int | None, fields: tuple[str, ...]) -> AuditEvent:
    """Logs that the actor saw unmasked sensitive fields of obj (e.g. a pupil's ID number)."""
    return record(actor=actor, action=AuditAction.READ_SENSITIVE, obj=obj, org_unit_id=org_unit_id,
                  message="、".join(fields))


def snapshot_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe copy of a mapping of field values."""
    return {key: _jsonable(value) for key, value in values.items()}
