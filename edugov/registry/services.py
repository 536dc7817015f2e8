"""All writes to the registry. Each function is atomic, takes the acting user, keeps OrgUnit.name in step with the
version valid today, and writes the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction
from edugov.registry.choices import ADMIN_PARENT_KINDS, HierarchyCode, UnitEventKind, UnitKind
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitEvent, OrgUnitVersion

EARLIEST = dt.date(1900, 1, 1)


def _today() -> dt.date:
    return timezone.localdate()


def _unit_audit_state(unit: OrgUnit, on: dt.date) -> dict[str, Any]:
    version = unit.version_at(on)
    parent = current_parent(unit, on=on)
    state: dict[str, Any] = {"code": unit.code, "kind": unit.kind, "opened_on": unit.opened_on,
                             "closed_on": unit.closed_on, "parent": parent.code if parent else None}
    if version is not None:
        state.update(version.attributes())
    return audit.snapshot_values(state)


def current_parent(unit: OrgUnit, *, on: dt.date | None = None, hierarchy: str = HierarchyCode.ADMIN) -> OrgUnit | None:
    on = on or _today()
    link = (
        OrgLink.objects.select_related("parent")
        .filter(child=unit, hierarchy=hierarchy, valid_from__lte=on)
        .filter(Q(valid_to__gt=on) | Q(valid_to__isnull=True))
        .first()
    )
    return link.parent if link else None


def _check_parent(kind: str, parent: OrgUnit | None) -> None:
    allowed = ADMIN_PARENT_KINDS.get(kind, frozenset())
    if parent is None:
        if allowed:
            raise ValidationError(f"“{UnitKind(kind).label}”必须有上级机构")
        return
    if parent.kind not in allowed:
        raise ValidationError(
            f"“{UnitKind(kind).label}”的上级不能是“{UnitKind(parent.kind).label}”（{parent.code}）"
        )


def _field_label(name: str) -> str:
    return str(getattr(OrgUnitVersion._meta.get_field(name), "verbose_name", name))


def _sync_name(unit: OrgUnit) -> None:
    version = unit.version_at(_today()) or unit.versions.order_by("-valid_from").first()
    if version is not None and version.name != unit.name:
        unit.name = version.name
        unit.save(update_fields=["name"])


@transaction.atomic
def open_unit(
    *,
    actor: Actor,
    code: str,
    kind: str,
    name: str,
    parent: OrgUnit | None = None,
    opened_on: dt.date | None = None,
    attributes: Mapping[str, Any] | None = None,
    effective_on: dt.date | None = None,
) -> OrgUnit:
    """Creates a unit with its first version and its administrative parent edge from `effective_on`."""
    _check_parent(kind, parent)
    start = effective_on or opened_on or EARLIEST
    unit = OrgUnit.objects.create(code=code, kind=kind, name=name, opened_on=opened_on)
    OrgUnitVersion.objects.create(unit=unit, valid_from=start, name=name, **dict(attributes or {}))
    if parent is not None:
        OrgLink.objects.create(hierarchy=HierarchyCode.ADMIN, child=unit, parent=parent, valid_from=start)
    OrgUnitEvent.objects.create(unit=unit, kind=UnitEventKind.OPEN, on=opened_on or start)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=unit, org_unit_id=unit.pk,
                 after=_unit_audit_state(unit, start))
    return unit


def _split_interval_at(queryset: Any, on: dt.date) -> Any:
    """Returns the row valid on `on`, ending it at `on` (or returning it for in-place update when it starts on `on`)."""
    return queryset.filter(valid_from__lte=on).filter(Q(valid_to__gt=on) | Q(valid_to__isnull=True)).first()


@transaction.atomic
def change_attributes(
    *, actor: Actor, unit: OrgUnit, changes: Mapping[str, Any], effective_on: dt.date | None = None
) -> bool:
    """Records new attribute values from `effective_on` on; earlier years keep the old ones. Returns False when
    nothing differs."""
    on = effective_on or _today()
    current = _split_interval_at(unit.versions.all(), on)
    if current is None:
        raise ValidationError(f"机构 {unit.code} 在 {on} 没有有效的属性记录")
    unknown = set(changes) - set(OrgUnitVersion.ATTRIBUTE_FIELDS)
    if unknown:
        raise ValueError(f"unknown attributes: {sorted(unknown)}")
    if all(getattr(current, k) == v for k, v in changes.items()):
        return False
    before = _unit_audit_state(unit, on)
    if current.valid_from == on:
        for key, value in changes.items():
            setattr(current, key, value)
        current.save()
    else:
        values = current.attributes()
        values.update(changes)
        next_start = current.valid_to
        current.valid_to = on
        current.save(update_fields=["valid_to"])
        OrgUnitVersion.objects.create(unit=unit, valid_from=on, valid_to=next_start, **values)
    OrgUnitEvent.objects.create(unit=unit, kind=UnitEventKind.CHANGE, on=on,
                                note="、".join(_field_label(k) for k in changes))
    _sync_name(unit)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=unit, org_unit_id=unit.pk, before=before,
                 after=_unit_audit_state(unit, on))
    return True


@transaction.atomic
def move_unit(
    *, actor: Actor, unit: OrgUnit, new_parent: OrgUnit, effective_on: dt.date | None = None,
    hierarchy: str = HierarchyCode.ADMIN,
) -> bool:
    """Re-parents a unit from `effective_on`. In the administrative hierarchy the parent kind is checked and cycles
    are refused. Returns False when the parent is already the requested one."""
    on = effective_on or _today()
    if hierarchy == HierarchyCode.ADMIN:
        _check_parent(unit.kind, new_parent)
    from edugov.core.scoping import descendant_ids

    if new_parent.pk in descendant_ids([unit.pk], on=on, hierarchy=hierarchy):
        raise ValidationError(f"不能把 {unit.code} 调整到其下级机构 {new_parent.code} 之下")
    links = OrgLink.objects.filter(child=unit, hierarchy=hierarchy)
    current = _split_interval_at(links, on)
    if current is not None and current.parent_id == new_parent.pk:
        return False
    before = _unit_audit_state(unit, on)
    end = None
    if current is not None:
        end = current.valid_to
        if current.valid_from == on:
            current.delete()
        else:
            current.valid_to = on
            current.save(update_fields=["valid_to"])
    OrgLink.objects.create(hierarchy=hierarchy, child=unit, parent=new_parent, valid_from=on, valid_to=end)
    OrgUnitEvent.objects.create(unit=unit, kind=UnitEventKind.MOVE, on=on, other_unit=new_parent,
                                note=str(HierarchyCode(hierarchy).label))
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=unit, org_unit_id=unit.pk, before=before,
                 after=_unit_audit_state(unit, on), message=f"调整隶属（{HierarchyCode(hierarchy).label}）")
    return True


@transaction.atomic
def close_unit(*, actor: Actor, unit: OrgUnit, closed_on: dt.date, note: str = "") -> None:
    """Closes a unit: it leaves every tree from `closed_on`, and years before that still include it."""
    if unit.closed_on is not None:
        raise ValidationError(f"机构 {unit.code} 已于 {unit.closed_on} 撤销")
    if unit.opened_on and closed_on <= unit.opened_on:
        raise ValidationError("撤销日期必须晚于设立日期")
    open_children = OrgLink.objects.filter(parent=unit, hierarchy=HierarchyCode.ADMIN).filter(
        Q(valid_to__gt=closed_on) | Q(valid_to__isnull=True)
    ).filter(child__closed_on__isnull=True)
    if open_children.exists():
        raise ValidationError(f"机构 {unit.code} 仍有下级机构，请先调整或撤销下级")
    before = _unit_audit_state(unit, closed_on)
    unit.closed_on = closed_on
    unit.save(update_fields=["closed_on"])
    for model_qs in (unit.versions.all(), unit.parent_links.all()):
        model_qs.filter(Q(valid_to__gt=closed_on) | Q(valid_to__isnull=True)).filter(valid_from__lt=closed_on).update(
            valid_to=closed_on
        )
    OrgUnitEvent.objects.create(unit=unit, kind=UnitEventKind.CLOSE, on=closed_on, note=note)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=unit, org_unit_id=unit.pk, before=before,
                 after={**before, "closed_on": closed_on.isoformat()}, message="撤销")


@transaction.atomic
def merge_units(*, actor: Actor, absorbed: OrgUnit, into: OrgUnit, on: dt.date) -> None:
    """Merges `absorbed` into `into` on a date: the absorbed school closes and points at its successor."""
    if absorbed.pk == into.pk:
        raise ValidationError("不能把机构合并到自身")
    close_unit(actor=actor, unit=absorbed, closed_on=on, note=f"并入 {into.code}")
    absorbed.merged_into = into
    absorbed.save(update_fields=["merged_into"])
    OrgUnitEvent.objects.create(unit=absorbed, kind=UnitEventKind.MERGE, on=on, other_unit=into)
    OrgUnitEvent.objects.create(unit=into, kind=UnitEventKind.MERGE, on=on, other_unit=absorbed,
                                note=f"{absorbed.name} 并入")
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=into, org_unit_id=into.pk,
                 message=f"{absorbed.code} 并入本机构")
