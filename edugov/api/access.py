"""Who may call what, on top of edugov.core.scoping.

Endpoint permissions (import, view_audit) answer 403, because they reveal nothing about any object. Object access
is never a permission check: querysets are cut to the caller's scope, so out-of-scope objects are simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from edugov.core.choices import Permission, Role
from edugov.core.scoping import scope_for


def requires(permission: str) -> type[BasePermission]:
    """A DRF permission class that lets through authenticated users whose roles grant `permission`."""

    class _Requires(BasePermission):
        @property
        def message(self) -> str:  # read per request, so that the label follows the request's language
            return f"您没有“{Permission(permission).label}”权限。"

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and scope_for(user).can(permission))

    _Requires.__name__ = f"Requires{permission.title().replace('_', '')}"
    return _Requires


@dataclass(frozen=True)
class SensitiveAccess:
    """The units whose person records the caller may see unmasked."""

    unit_ids: frozenset[int]
    everything: bool = False

    def allows(self, unit_id: int | None) -> bool:
        return self.everything or (unit_id is not None and unit_id in self.unit_ids)


NO_SENSITIVE_ACCESS = SensitiveAccess(unit_ids=frozenset())


def sensitive_access(user: Any) -> SensitiveAccess:
    """Unmasked access is granted per role assignment, not per user (see UserScope.grants)."""
    units = scope_for(user).units_with(Permission.VIEW_SENSITIVE)
    if units is None:
        return SensitiveAccess(unit_ids=frozenset(), everything=True)
    return SensitiveAccess(unit_ids=units) if units else NO_SENSITIVE_ACCESS


def sees_all_imports(user: Any) -> bool:
    """Superusers and city administrators supervise every import; everyone else sees only their own runs."""
    if scope_for(user).everything:
        return True
    return bool(user.roles.filter(role=Role.CITY_ADMIN).exists())
