"""Writes to users and roles, audited like every other change."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction
from edugov.core.models import RoleAssignment
from edugov.registry.models import OrgUnit


def new_password() -> str:
    return secrets.token_urlsafe(9)


@transaction.atomic
def grant_role(
    *, actor: Actor, username: str, role: str, unit: OrgUnit, password: str | None = None,
    display_name: str = "",
) -> tuple[AbstractBaseUser, str | None]:
    """Creates the user if needed (with the given or a random password) and grants the role at the unit.
    Returns the user and the password when one was set."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    set_password: str | None = None
    if created or password:
        set_password = password or new_password()
        user.set_password(set_password)
        if display_name:
            user.first_name = display_name
        user.save()
        if created:
            audit.record(actor=actor, action=AuditAction.CREATE, obj=user, org_unit_id=unit.pk,
                         after={"username": username})
    assignment, made = RoleAssignment.objects.get_or_create(user=user, role=role, org_unit=unit)
    if made:
        audit.record(actor=actor, action=AuditAction.CREATE, obj=assignment, org_unit_id=unit.pk,
                     after={"user": username, "role": role, "org_unit": unit.code})
    return user, set_password
