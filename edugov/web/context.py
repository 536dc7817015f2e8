from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from edugov.core.choices import Permission
from edugov.core.scoping import scope_for
from edugov.web.years import available_years, selected_year


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the header needs on every page: who the user is, where they work, what the menus may offer, and the
    school year being viewed. Menus show only what the role may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    roles = getattr(request, "_web_roles", None)
    if roles is None:
        roles = list(user.roles.select_related("org_unit").order_by("org_unit__code", "role"))
        request._web_roles = roles  # type: ignore[attr-defined]
    return {
        "scope": scope,
        "user_roles": roles,
        "can_import": scope.can(Permission.IMPORT),
        "can_view_audit": scope.can(Permission.VIEW_AUDIT),
        "can_view_sensitive": scope.can(Permission.VIEW_SENSITIVE),
        "school_years": available_years(request),
        "school_year": selected_year(request),
    }
