"""The school year the user is looking at: chosen in the header, kept in the session, defaulting to the latest year
that has data in the user's scope."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from edugov.core.scoping import UserScope, scope_for
from edugov.lib.schoolyear import SchoolYear
from edugov.stats.models import ClassSection, GradeEnrolment, SchoolYearStats, TeacherStats

SESSION_KEY = "web.year"


def years_with_data(scope: UserScope) -> list[int]:
    """School years (newest first) for which any school in scope has annual data, in one query.

    Only the aggregate tables are read: when person records exist they are summarised into these tables, so every
    year with data appears here."""
    querysets: list[QuerySet] = [
        scope.filter(model.objects.all(), "unit").order_by().values_list("year", flat=True)
        for model in (GradeEnrolment, ClassSection, TeacherStats, SchoolYearStats)
    ]
    first, *rest = querysets
    return sorted(set(first.union(*rest)), reverse=True)


def available_years(request: HttpRequest) -> list[int]:
    """years_with_data for the request's user, computed once per request (the header and the page both need it)."""
    cached: list[int] | None = getattr(request, "_web_years", None)
    if cached is None:
        cached = years_with_data(scope_for(request.user))
        request._web_years = cached  # type: ignore[attr-defined]
    return cached


def current_school_year() -> SchoolYear:
    return SchoolYear.of_date(timezone.localdate())


def selected_year(request: HttpRequest) -> SchoolYear:
    """The year kept in the session if it still has data, else the latest year with data, else the current one."""
    years = available_years(request)
    chosen = request.session.get(SESSION_KEY)
    if isinstance(chosen, int) and chosen in years:
        return SchoolYear(chosen)
    return SchoolYear(years[0]) if years else current_school_year()


def choose_year(request: HttpRequest, value: str) -> bool:
    """Stores the year if it is one the user can choose; returns whether it was accepted."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return False
    if year not in available_years(request):
        return False
    request.session[SESSION_KEY] = year
    return True
