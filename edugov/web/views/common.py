from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from edugov.core.scoping import get_in_scope_or_404
from edugov.registry.models import OrgUnit

__all__ = ["get_unit", "is_htmx", "login_required", "page_of", "render_page"]


def is_htmx(request: HttpRequest) -> bool:
    # History restores re-request the whole page, so they are not fragment requests.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render_page(request: HttpRequest, page: str, fragment: str, context: dict[str, Any]) -> HttpResponse:
    """One view, two renderings: the fragment for HTMX swaps, the full page for a normal visit or a bookmark."""
    return render(request, fragment if is_htmx(request) else page, context)


def get_unit(request: HttpRequest, code: str) -> OrgUnit:
    """The unit with this code if the user may see it; 404 otherwise, whether it exists or not."""
    return get_in_scope_or_404(request.user, OrgUnit.objects.all(), "pk", code=code)


def page_of(request: HttpRequest, items: QuerySet | list, per_page: int = 50) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page") or request.POST.get("page"))
