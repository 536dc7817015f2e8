"""Logins and failed logins, from every door (web, admin, API), go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from edugov.core import audit
from edugov.core.choices import AuditAction
from edugov.core.models import RoleAssignment


def unit_of(user: Any) -> int | None:
    """Login events are filed under the account's (first) unit, so that the administrators of that unit see attempts
    on their people's accounts."""
    if user is None:
        return None
    return RoleAssignment.objects.filter(user=user).order_by("id").values_list("org_unit_id", flat=True).first()


def _channel(request: Any) -> str:
    path = getattr(request, "path", "") or ""
    return "API 令牌登录" if path.startswith("/api/") else "网页登录"


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, object_type="auth.User", object_id=str(user.pk),
                 object_repr=user.get_username(), org_unit_id=unit_of(user), message=_channel(request))


@receiver(user_login_failed)
def record_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit.record(actor=None, action=AuditAction.LOGIN_FAILED, object_type="auth.User",
                 object_id=str(user.pk) if user is not None else "", object_repr=username[:300],
                 org_unit_id=unit_of(user), message=f"{_channel(request)}失败")
