"""Writes to the indicator catalogue: loading the shipped catalogue, and saving an edited definition as a new
version. Reads: the current catalogue as a validated pure ``Catalogue``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction
from edugov.indicators.catalogue import Catalogue, load_shipped, parse_catalogue, parse_element, parse_indicator
from edugov.indicators.models import DataElement, IndicatorDefinition, Origin

_HEAD = ("code", "name_zh", "version")


def _spec(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in _HEAD}


def sync_shipped(element_model: Any = DataElement, indicator_model: Any = IndicatorDefinition,
                 name: str = "catalogue_v1") -> int:
    """Bring the tables up to the shipped catalogue; returns the number of rows added. Idempotent.

    A code not in the table gets the shipped entry. A code whose current row was shipped gets a new row when the
    shipped entry has a higher version than any row of that code. A code an administrator edited is left alone.
    Runs after every ``migrate`` (apps.py) with the migration state's models, and from ``indicators_catalogue``.
    """
    elements, indicators = load_shipped(name)
    parse_catalogue(elements, indicators)  # a broken shipped file fails loudly, before anything is written
    added = 0
    with transaction.atomic():
        for model, entries in ((element_model, elements), (indicator_model, indicators)):
            for entry in entries:
                version = int(entry.get("version", 1))
                rows = model.objects.filter(code=entry["code"])
                current = rows.filter(is_current=True).first()
                if current is not None and current.origin == Origin.ADMIN:
                    continue
                latest = rows.aggregate(m=Max("version"))["m"] or 0
                if latest >= version:
                    continue
                rows.update(is_current=False)
                model.objects.create(code=entry["code"], version=version, name_zh=entry["name_zh"],
                                     spec=_spec(entry), origin=Origin.SHIPPED, is_current=True)
                added += 1
    return added


def current_catalogue() -> Catalogue:
    """The current version of every element and indicator, validated (2 queries)."""
    elements = [e.as_entry() for e in DataElement.objects.filter(is_current=True).order_by("code")]
    indicators = [i.as_entry() for i in IndicatorDefinition.objects.filter(is_current=True).order_by("pk")]
    return parse_catalogue(elements, indicators)


def validate_entry(kind: str, entry: Mapping[str, Any]) -> None:
    """Raises CatalogueError (Chinese) if ``entry`` is not a valid element or indicator against the current
    catalogue (an indicator's elements must exist; an element must stay usable by the indicators naming it)."""
    catalogue = current_catalogue()
    if kind == "element":
        element = parse_element(entry)
        elements = {**catalogue.elements, element.code: element}
    else:
        elements = dict(catalogue.elements)
        parse_indicator(entry, elements)


@transaction.atomic
def save_new_version(model: type[DataElement] | type[IndicatorDefinition], *, code: str, name_zh: str,
                     spec: Mapping[str, Any], actor: Actor, note: str = "") -> DataElement | IndicatorDefinition:
    """Saves an edited (or new) definition as the next version of ``code`` and makes it current; the previous
    version stays for the values that name it. Validates first and writes an audit event."""
    kind = "element" if model is DataElement else "indicator"
    validate_entry(kind, {**spec, "code": code, "name_zh": name_zh})
    rows = model.objects.select_for_update().filter(code=code)
    before = rows.filter(is_current=True).first()
    latest = rows.aggregate(m=Max("version"))["m"] or 0
    rows.update(is_current=False)
    row = model.objects.create(code=code, version=latest + 1, name_zh=name_zh, spec=dict(spec), origin=Origin.ADMIN,
                               is_current=True, note=note,
                               created_by=getattr(actor, "get_username", lambda: "")() if actor else "")
    audit.record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=row,
                 before=None if before is None else {"version": before.version, "name_zh": before.name_zh,
                                                     "spec": before.spec},
                 after={"version": row.version, "name_zh": row.name_zh, "spec": row.spec}, message=note)
    return row
