from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from edugov.core.scoping import scope_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Makes the user's scope available to every template (menus show only what the role may use)."""
    user = getattr(request, "user", None)
    return {"scope": scope_for(user)} if user is not None and user.is_authenticated else {}
