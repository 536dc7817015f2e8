"""Permission-aware reads of cases and notifications.

A case is visible to users whose scope contains its responsible unit. A unit's notifications go to the users holding
a role at that very unit (a county's notices are not every school's); a user's own notifications to them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from edugov.cases.models import Case, Notification
from edugov.core.scoping import scope_for


def cases_for(user: Any) -> QuerySet[Case]:
    rows = Case.objects.select_related("unit", "student", "resident_child", "school")
    return scope_for(user).filter(rows, "unit")


def case_or_404(user: Any, pk: int) -> Case:
    try:
        return cases_for(user).get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def notifications_for(user: Any) -> QuerySet[Notification]:
    scope = scope_for(user)
    rows = Notification.objects.select_related("case", "unit")
    if scope.everything:
        return rows.filter(Q(user=user) | Q(unit__isnull=False))
    return rows.filter(Q(user=user) | Q(unit_id__in=scope.root_ids))


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_for(user).filter(read_at__isnull=True).count()


def month_start(today: dt.date) -> dt.date:
    return today.replace(day=1)


def _counts(today: dt.date) -> dict[str, Any]:
    start = timezone.make_aware(dt.datetime.combine(month_start(today), dt.time.min))
    return {
        "open": Count("pk", filter=Q(closed_at__isnull=True)),
        "overdue": Count("pk", filter=Q(closed_at__isnull=True, due_on__lt=today)),
        "closed_month": Count("pk", filter=Q(closed_at__gte=start)),
    }


@dataclass(frozen=True)
class Dashboard:
    open: int
    overdue: int
    closed_month: int
    by_type: list[dict[str, Any]]
    by_unit: list[dict[str, Any]]


def dashboard(cases: QuerySet[Case], today: dt.date | None = None) -> Dashboard:
    """Open, overdue and closed-this-month counts, in total, per case type and per responsible unit."""
    today = today or timezone.localdate()
    totals = cases.order_by().aggregate(**_counts(today))
    by_type = [dict(row) for row in cases.order_by().values("case_type").annotate(**_counts(today))
               .order_by("case_type")]
    # django-stubs cannot see the annotations' names.
    by_unit = [dict(row) for row in (
        cases.order_by().values("unit_id", "unit__name", "unit__code").annotate(**_counts(today))
        .filter(Q(open__gt=0) | Q(closed_month__gt=0))  # type: ignore[misc]
        .order_by("-overdue", "-open", "unit__code")[:100])]
    return Dashboard(open=totals["open"], overdue=totals["overdue"], closed_month=totals["closed_month"],
                     by_type=by_type, by_unit=by_unit)
