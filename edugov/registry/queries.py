"""Read helpers over the dated registry. Pass a date to see the tree as it stood then (a school year's reference
date for statistics); the default is today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from edugov.core.scoping import descendant_ids
from edugov.registry.choices import HierarchyCode
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitVersion


def _valid_on(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__gt=on) | Q(valid_to__isnull=True))


def versions_on(unit_ids: Iterable[int], on: dt.date | None = None) -> dict[int, OrgUnitVersion]:
    """The attribute version of each unit valid on the date, in one query."""
    on = on or timezone.localdate()
    rows = OrgUnitVersion.objects.filter(_valid_on(on), unit_id__in=list(unit_ids))
    return {v.unit_id: v for v in rows}


def registry_revision() -> str | None:
    """The token that changes with every write to the registry tables (kept by triggers; ``None``: not kept, do not
    cache)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM registry_registryrevision WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def version_rows_on(unit_ids: Iterable[int], on: dt.date, *fields: str) -> dict[int, tuple[Any, ...]]:
    """unit id → the named attribute fields of its version valid on the date, in one query, without building
    model instances (for reads over a whole city)."""
    rows = OrgUnitVersion.objects.filter(_valid_on(on), unit_id__in=list(unit_ids)).values_list("unit_id", *fields)
    return {row[0]: row[1:] for row in rows}


def parents_on(unit_ids: Iterable[int], on: dt.date | None = None,
               hierarchy: str = HierarchyCode.ADMIN) -> dict[int, int]:
    """child id → parent id in the hierarchy on the date, in one query."""
    on = on or timezone.localdate()
    rows = OrgLink.objects.filter(_valid_on(on), hierarchy=hierarchy, child_id__in=list(unit_ids))
    return dict(rows.values_list("child_id", "parent_id"))


def children(unit: OrgUnit, on: dt.date | None = None, hierarchy: str = HierarchyCode.ADMIN) -> list[OrgUnit]:
    on = on or timezone.localdate()
    child_ids = OrgLink.objects.filter(_valid_on(on), hierarchy=hierarchy, parent=unit).values("child_id")
    return list(OrgUnit.objects.filter(pk__in=child_ids).active_at(on).order_by("kind", "code"))


def subtree(unit: OrgUnit, on: dt.date | None = None, hierarchy: str = HierarchyCode.ADMIN) -> list[OrgUnit]:
    """The unit and all units below it on the date, active ones only."""
    on = on or timezone.localdate()
    ids = descendant_ids([unit.pk], on=on, hierarchy=hierarchy)
    return list(OrgUnit.objects.filter(pk__in=ids).active_at(on).order_by("code"))


def ancestors(unit: OrgUnit, on: dt.date | None = None, hierarchy: str = HierarchyCode.ADMIN) -> list[OrgUnit]:
    """From the top of the tree down to the unit's parent (for breadcrumbs)."""
    on = on or timezone.localdate()
    chain: list[OrgUnit] = []
    seen = {unit.pk}
    current = unit
    while True:
        links = OrgLink.objects.filter(_valid_on(on), hierarchy=hierarchy, child=current)
        link = links.select_related("parent").first()
        if link is None or link.parent_id in seen:
            break
        chain.append(link.parent)
        seen.add(link.parent_id)
        current = link.parent
    return list(reversed(chain))
