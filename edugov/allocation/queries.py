"""Reads for draws: the staff list (scoped) and the public, masked view of a draw's output."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from edugov.allocation.choices import DrawKind, DrawSource
from edugov.allocation.engine.runs import csv_bytes
from edugov.allocation.models import Draw
from edugov.core.scoping import get_in_scope_or_404, scope_for
from edugov.lib.idcard import mask_embedded_ids, mask_name

#: columns (by output header) that hold a person's name or a member list, masked on the public page
_NAME_COLUMNS = {"name"}
_MEMBER_COLUMNS = {"members"}
#: columns holding a student number: plain numbers stay, ID-number-like runs inside them are masked
_ID_COLUMNS = {"id", "student_id"}


def draws_for(user: Any) -> QuerySet[Draw]:
    """The draws of the units the user may see, newest first, without the stored files."""
    return (scope_for(user).filter(Draw.objects.all(), "org_unit").select_related("org_unit")
            .defer("input_bytes", "output_bytes", "sealed_seed"))


def get_draw_for_user(user: Any, public_id: str) -> Draw:
    """A draw of a unit in the user's scope; 404 for any other, so that its existence is not revealed."""
    return get_in_scope_or_404(user, Draw.objects.select_related("org_unit"), "org_unit", public_id=public_id)


def get_public_draw(public_id: str) -> Draw:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Draw.objects.select_related("org_unit"), public_id=public_id)


def _mask_members(value: str) -> str:
    masked = []
    for member in value.split(";"):
        role, sep, name = member.rpartition(":")
        masked.append(f"{role}{sep}{mask_name(name)}" if sep else mask_name(member))
    return ";".join(masked)


def mask_student_no(value: str) -> str:
    """学籍号 on public pages: the first 4 and the last 2 characters, the rest as ``*`` (G370…12 → G370*************12);
    numbers of 6 characters or fewer keep only their last 2."""
    if len(value) <= 6:
        return "*" * max(len(value) - 2, 0) + value[-2:]
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def _keep(value: str) -> str:
    return value


def public_rows(draw: Draw) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the output with names masked (张三 → 张*) and ID numbers inside ids masked."""
    if not draw.is_drawn:
        return [], []
    reader = csv.reader(io.StringIO(bytes(draw.output_bytes).decode("utf-8"), newline=""))
    rows = list(reader)
    if not rows:
        return [], []
    header, body = rows[0], rows[1:]
    maskers: list[Callable[[str], str]] = []
    for column in header:
        if column in _NAME_COLUMNS:
            maskers.append(mask_name)
        elif column in _MEMBER_COLUMNS:
            maskers.append(_mask_members)
        elif column in _ID_COLUMNS:
            maskers.append(mask_student_no if draw.source == DrawSource.ROSTER else mask_embedded_ids)
        else:
            maskers.append(_keep)
    return header, [[mask(cell) for mask, cell in zip(maskers, row, strict=False)] for row in body]


def public_csv(draw: Draw) -> bytes:
    """The masked output as CSV (not byte-identical to the verified output when anything was masked)."""
    header, rows = public_rows(draw)
    return csv_bytes(header, rows)


def masks_output(draw: Draw) -> bool:
    """Whether the public output differs from the stored one (names or member lists present)."""
    return draw.kind in (DrawKind.TEAMS, DrawKind.SEATS) or public_csv(draw) != bytes(draw.output_bytes)
