"""Permission-aware reads of cases and notifications.

A case is visible to users whose scope contains its responsible unit. A unit's notifications go to the users holding
a role at that very unit (a county's notices are not every school's); a user's own notifications to them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from edugov.cases.models import Case, Notification
from edugov.cases.services import case_type, restricted_types
from edugov.core.scoping import scope_for


def _visible(user: Any, prefix: str = "") -> Q:
    """Restricted case types (mental health) are visible only where the user holds their permission: an ordinary
    admin's scope, however wide, does not include them."""
    scope = scope_for(user)
    restricted = restricted_types()
    q = ~Q(**{f"{prefix}case_type__in": list(restricted)})
    for code, permission in restricted.items():
        units = scope.units_with(permission)
        q |= Q(**{f"{prefix}case_type": code}) if units is None else Q(
            **{f"{prefix}case_type": code, f"{prefix}unit_id__in": units})
    return q


def cases_for(user: Any) -> QuerySet[Case]:
    rows = Case.objects.select_related("unit", "student", "resident_child", "school")
    return scope_for(user).filter(rows, "unit").filter(_visible(user))


def min_aggregate() -> int:
    """Counts of restricted cases below this are shown as "<N" to users who may not see the cases."""
    return int(getattr(settings, "EDUGOV_MIN_AGGREGATE_SIZE", 5))


def suppressed(count: int, minimum: int | None = None) -> str:
    """A count as shown to users who may not see the cases: 0 and counts below the minimum become "<N"."""
    minimum = min_aggregate() if minimum is None else minimum
    return f"<{minimum}" if count < minimum else str(count)


def restricted_aggregates(user: Any, today: dt.date | None = None) -> list[dict[str, str]]:
    """For each restricted case type the user may not see: the number of open cases in their scope, suppressed
    below the minimum aggregate size (a school with two pupils in 心理预警 shows "<5")."""
    scope = scope_for(user)
    out = []
    for code, permission in restricted_types().items():
        if scope.everything or scope.unit_ids <= (scope.units_with(permission) or frozenset()):
            continue  # they see every such case in their scope
        hidden = scope.filter(Case.objects.filter(case_type=code, closed_at__isnull=True), "unit").exclude(
            unit_id__in=scope.units_with(permission) or frozenset())
        count = hidden.count()
        out.append({"case_type": code, "name": case_type(code).name, "open": suppressed(count)})
    return out


def case_or_404(user: Any, pk: int) -> Case:
    try:
        return cases_for(user).get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def notifications_for(user: Any) -> QuerySet[Notification]:
    scope = scope_for(user)
    rows = Notification.objects.select_related("case", "unit").filter(_visible(user, "case__"))
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
