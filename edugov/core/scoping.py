"""Who may see what: a user's scope is the subtree, in the administrative hierarchy, under each org unit they hold
a role at (today's tree, plus closed units under their last parent). Out-of-scope objects are reported as not found,
so that their existence is not revealed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection, models
from django.http import Http404
from django.utils import timezone

from edugov.core.choices import ROLE_PERMISSIONS

M = TypeVar("M", bound=models.Model)

_DESCENDANTS_SQL = """
WITH RECURSIVE tree(id) AS (
    SELECT id FROM registry_orgunit WHERE id IN ({roots})
    UNION
    SELECT link.child_id FROM registry_orglink AS link
    JOIN tree ON link.parent_id = tree.id
    WHERE link.hierarchy = %s AND link.valid_from <= %s AND (link.valid_to IS NULL OR link.valid_to > %s)
)
SELECT id FROM tree
"""


# Access follows responsibility: each unit sits under the parent of its latest edge that has started. For an active
# unit that is today's parent; for a closed unit it is the parent it had when it closed, so a district keeps seeing
# the history of the schools it closed or merged.
_SCOPE_SQL = """
WITH RECURSIVE tree(id) AS (
    SELECT id FROM registry_orgunit WHERE id IN ({roots})
    UNION
    SELECT link.child_id FROM registry_orglink AS link
    JOIN tree ON link.parent_id = tree.id
    WHERE link.hierarchy = %s AND link.valid_from <= %s
      AND NOT EXISTS (
        SELECT 1 FROM registry_orglink AS later
        WHERE later.child_id = link.child_id AND later.hierarchy = link.hierarchy
          AND later.valid_from > link.valid_from AND later.valid_from <= %s
      )
)
SELECT id FROM tree
"""


def scope_ids(root_ids: Iterable[int], *, hierarchy: str = "admin") -> frozenset[int]:
    """The roots and every unit whose latest started edge leads under them (see _SCOPE_SQL)."""
    today = timezone.localdate()
    return _tree_ids(_SCOPE_SQL, root_ids, [hierarchy, today, today])


def descendant_ids(root_ids: Iterable[int], *, on: dt.date | None = None, hierarchy: str = "admin") -> frozenset[int]:
    """The roots and every unit below them in the hierarchy as it stands on the given date (default today)."""
    on = on or timezone.localdate()
    return _tree_ids(_DESCENDANTS_SQL, root_ids, [hierarchy, on, on])


def _tree_ids(sql: str, root_ids: Iterable[int], params: list[Any]) -> frozenset[int]:
    roots = [int(r) for r in root_ids]
    if not roots:
        return frozenset()
    placeholders = ",".join(["%s"] * len(roots))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(roots=placeholders), [*roots, *params])
        return frozenset(row[0] for row in cursor.fetchall())


@dataclass(frozen=True)
class UserScope:
    """The org units a user may see and what they may do there. `everything` is for superusers."""

    unit_ids: frozenset[int]
    root_ids: frozenset[int]
    permissions: frozenset[str]
    everything: bool = False
    # permission → the units where some role grants it. Permissions are granted per role assignment: a school
    # administrator who is also a district viewer may see ID numbers of their own school only.
    grants: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def can(self, permission: str) -> bool:
        """Whether any of the user's roles grants the permission somewhere (for menus and endpoint access)."""
        return self.everything or permission in self.permissions

    def can_at(self, permission: str, unit_id: int | None) -> bool:
        """Whether a role granting the permission covers this unit (for object-level decisions)."""
        if self.everything:
            return True
        return unit_id is not None and unit_id in self.grants.get(permission, frozenset())

    def units_with(self, permission: str) -> frozenset[int] | None:
        """The units where the permission holds; None means every unit (superuser)."""
        if self.everything:
            return None
        return self.grants.get(permission, frozenset())

    def contains(self, unit_id: int | None) -> bool:
        return self.everything or (unit_id is not None and unit_id in self.unit_ids)

    def filter(self, queryset: models.QuerySet[M], unit_field: str = "unit") -> models.QuerySet[M]:
        """Restricts a queryset of unit-linked rows (or of units, with unit_field="pk") to this scope."""
        if self.everything:
            return queryset
        lookup = "pk__in" if unit_field == "pk" else f"{unit_field}_id__in"
        return queryset.filter(**{lookup: self.unit_ids})


NO_SCOPE = UserScope(unit_ids=frozenset(), root_ids=frozenset(), permissions=frozenset())


def scope_for(user: Any) -> UserScope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return NO_SCOPE
    cached = getattr(user, "_edugov_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if user.is_superuser:
        scope = UserScope(unit_ids=frozenset(), root_ids=frozenset(),
                          permissions=frozenset().union(*ROLE_PERMISSIONS.values()), everything=True)
    else:
        assignments = list(user.roles.values_list("role", "org_unit_id"))
        roots = frozenset(unit_id for _, unit_id in assignments)
        subtrees = {root: scope_ids([root]) for root in roots}
        grants: dict[str, frozenset[int]] = {}
        for role, root in assignments:
            for permission in ROLE_PERMISSIONS.get(role, frozenset()):
                grants[permission] = grants.get(permission, frozenset()) | subtrees[root]
        scope = UserScope(unit_ids=frozenset().union(*subtrees.values()), root_ids=roots,
                          permissions=frozenset(grants), grants=grants)
    user._edugov_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    """Drops the cached scope after the user's roles or the tree changed within the same request."""
    if hasattr(user, "_edugov_scope"):
        del user._edugov_scope


def require(user: Any, permission: str) -> UserScope:
    scope = scope_for(user)
    if not scope.can(permission):
        raise PermissionDenied
    return scope


def get_in_scope_or_404(user: Any, queryset: models.QuerySet[M], unit_field: str = "unit", **lookup: Any) -> M:
    """Fetches one object the user may see; anything else, existing or not, is a 404."""
    scope = scope_for(user)
    try:
        return scope.filter(queryset, unit_field).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
