"""Export in exactly the import format: headers are Column.header and values are written so that importing the
file again gives identical database values (exact decimals, ISO dates, codes in “代码” columns and names in
human columns, 是/否 for yes/no).

Aggregates derived from person records (source = derived) are not exported: the 学生 and 教师 sheets carry them,
and the importer refuses aggregate rows for school-years that have person records.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.scoping import UserScope, scope_for
from edugov.dataio.importer import SYSTEM_SCOPE
from edugov.dataio.tables import CHOICES, TABLES, Column, Table
from edugov.lib import codelists
from edugov.registry.choices import HierarchyCode
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitVersion
from edugov.stats.choices import Source
from edugov.stats.grades import GRADE_LABELS
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    PopulationByAge,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

STAT_MODELS = {
    "school_stats": SchoolYearStats,
    "enrolment": GradeEnrolment,
    "classes": ClassSection,
    "teacher_stats": TeacherStats,
    "population": PopulationByAge,
    "students": StudentRecord,
    "teachers": TeacherRecord,
}
DERIVABLE = frozenset({"enrolment", "classes", "teacher_stats"})
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _scope(actor: Actor) -> UserScope:
    if actor is None:
        return SYSTEM_SCOPE
    scope = scope_for(actor)
    if not scope.can(Permission.VIEW):
        raise PermissionDenied(_("您没有查看数据的权限"))
    return scope


def format_decimal(value: Decimal) -> str:
    """Exact and without float noise or exponent: 8600.00 → “8600”, 5230.50 → “5230.5”."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


class Exporter:
    """Produces each table's rows as typed Python values, in import order (parents before children)."""

    def __init__(self, *, actor: Actor, years: list[int] | None = None) -> None:
        self.actor = actor
        self.scope = _scope(actor)
        self.years = years
        # ID numbers are exported only from units where one of the actor's roles grants sensitive access.
        self.sensitive_units = None if actor is None else self.scope.units_with(Permission.VIEW_SENSITIVE)
        self.today = timezone.localdate()
        self.codes: dict[int, str] = dict(OrgUnit.objects.values_list("id", "code"))
        self.counts: dict[str, int] = {}

    def rows(self, table: Table) -> Iterator[list[Any]]:
        if table.key == "units":
            producer: Iterator[dict[str, Any]] = self._units()
        elif table.key == "memberships":
            producer = self._memberships()
        else:
            producer = self._stats(table)
        formatters = [(column.field, self._formatter(column)) for column in table.columns]
        has_ids = any(column.kind == "id_number" for column in table.columns)
        count = 0
        for values in producer:
            count += 1
            if has_ids and not self._sensitive_at(values.get("unit")):
                values["id_number"] = None
            yield [fmt(values.get(field)) for field, fmt in formatters]
        self.counts[table.key] = count

    def _formatter(self, column: Column) -> Any:
        kind = column.kind
        if kind == "grade":
            return lambda v: GRADE_LABELS.get(v, v) if v else None
        if kind.startswith("choice:"):
            words = {key: accepted[0] for key, accepted in CHOICES[kind.split(":", 1)[1]].items()}
            return lambda v: words.get(v, v) if v else None
        if kind.startswith("code:"):
            codes = codelists.load(kind.split(":", 1)[1])
            if "代码" in column.header:
                return lambda v: v or None
            return lambda v: (codes.name(v) if codes.get(v) is not None else v) if v else None
        if kind == "bool":
            return lambda v: None if v is None else ("是" if v else "否")
        if kind == "unit_code":
            return lambda v: self.codes.get(v) if isinstance(v, int) else v
        if kind == "id_number":
            return lambda v: v or None
        return lambda v: None if v == "" else v

    # -- sources ----------------------------------------------------------------------------------------------

    def _in_scope(self, unit_id: int) -> bool:
        return self.scope.contains(unit_id)

    def _sensitive_at(self, unit_id: Any) -> bool:
        return self.sensitive_units is None or unit_id in self.sensitive_units

    def _units(self) -> Iterator[dict[str, Any]]:
        units = {u.pk: u for u in OrgUnit.objects.all() if self._in_scope(u.pk)}
        links: dict[int, OrgLink] = {}
        for link in OrgLink.objects.filter(hierarchy=HierarchyCode.ADMIN, child_id__in=units).order_by("valid_from"):
            valid_today = _is_current(link, self.today)
            if valid_today or link.child_id not in links or not _is_current(links[link.child_id], self.today):
                links[link.child_id] = link  # the link valid today, else the last one (closed units)
        versions: dict[int, OrgUnitVersion] = {}
        for version in OrgUnitVersion.objects.filter(unit_id__in=units).order_by("valid_from"):
            if version.unit_id not in versions or not _is_current(versions[version.unit_id], self.today):
                versions[version.unit_id] = version
        for unit in _parents_first(units, links):
            current = versions.get(unit.pk)
            parent_link = links.get(unit.pk)
            starts = [d for d in (current.valid_from if current else None,
                                  parent_link.valid_from if parent_link else None) if d]
            values: dict[str, Any] = {
                "code": unit.code, "name": current.name if current else unit.name, "kind": unit.kind,
                "parent": parent_link.parent_id if parent_link else None, "opened_on": unit.opened_on,
                "closed_on": unit.closed_on, "effective_on": max(starts) if starts else None,
            }
            if current is not None:
                for field in ("school_type_code", "urban_rural_code", "sponsor_code", "is_inclusive",
                              "division_code", "stat_division_code", "address"):
                    values[field] = getattr(current, field)
                values["ownership"] = None if current.is_public is None else (
                    "public" if current.is_public else "private")
            yield values

    def _memberships(self) -> Iterator[dict[str, Any]]:
        links = (OrgLink.objects.filter(hierarchy__in=[HierarchyCode.ZONE, HierarchyCode.GROUP],
                                        valid_from__lte=self.today)
                 .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.today)).order_by("hierarchy", "child_id"))
        for link in links:
            if not self._in_scope(link.child_id):
                continue
            yield {"unit": link.child_id, "hierarchy": link.hierarchy, "parent": link.parent_id,
                   "effective_on": link.valid_from}

    def _stats(self, table: Table) -> Iterator[dict[str, Any]]:
        model = STAT_MODELS[table.key]
        queryset: QuerySet[Any] = model._default_manager.all()
        if not self.scope.everything:
            queryset = queryset.filter(unit_id__in=self.scope.unit_ids)
        if self.years is not None:
            queryset = queryset.filter(year__in=self.years)
        if table.key in DERIVABLE:
            queryset = queryset.filter(source=Source.IMPORTED)
        fields = [("unit_id" if c.field == "unit" else c.field) for c in table.columns]
        order = [("unit_id" if f == "unit" else f) for f in table.natural_key]
        for row in queryset.order_by(*order).values(*fields).iterator(chunk_size=5000):
            if "unit_id" in row:
                row["unit"] = row.pop("unit_id")
            yield row


def _is_current(interval: Any, today: dt.date) -> bool:
    return bool(interval.valid_from <= today and (interval.valid_to is None or interval.valid_to > today))


def _parents_first(units: dict[int, OrgUnit], links: dict[int, OrgLink]) -> list[OrgUnit]:
    depth: dict[int, int] = {}

    def depth_of(unit_id: int, seen: frozenset[int] = frozenset()) -> int:
        if unit_id in depth:
            return depth[unit_id]
        link = links.get(unit_id)
        parent = link.parent_id if link else None
        value = 0 if parent is None or parent not in units or parent in seen else depth_of(parent, seen | {unit_id}) + 1
        depth[unit_id] = value
        return value

    return sorted(units.values(), key=lambda u: (depth_of(u.pk), u.code))


# --- writers -----------------------------------------------------------------------------------------------------

def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        text = format_decimal(value)
        as_float = float(text)
        # A number cell when the float prints back exactly; otherwise text, which the importer reads exactly too.
        return as_float if format_decimal(Decimal(repr(as_float))) == text else text
    return value


def export_workbook(path: str | Path, *, actor: Actor, years: list[int] | None = None) -> dict[str, int]:
    """Writes every table the actor may see to one .xlsx workbook (one sheet per table). Returns rows per table."""
    exporter = Exporter(actor=actor, years=years)
    workbook = openpyxl.Workbook(write_only=True)
    for table in TABLES:
        sheet = workbook.create_sheet(table.sheet)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns):
            letter = openpyxl.utils.get_column_letter(index + 1)
            sheet.column_dimensions[letter].width = max(10, min(40, len(column.header) * 2 + 4))
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        sheet.append(header)
        date_columns = {i for i, c in enumerate(table.columns) if c.kind == "date"}
        for row in exporter.rows(table):
            if date_columns:
                cells: list[Any] = []
                for index, value in enumerate(row):
                    if index in date_columns and value is not None:
                        cell = WriteOnlyCell(sheet, value=value)
                        cell.number_format = "yyyy-mm-dd"
                        cells.append(cell)
                    else:
                        cells.append(_xlsx_value(value))
                sheet.append(cells)
            else:
                sheet.append([_xlsx_value(v) for v in row])
    workbook.save(str(path))
    _audit_export(actor, exporter.counts, str(path))
    return exporter.counts


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_csv_folder(path: str | Path, *, actor: Actor, encoding: str = "utf-8-sig",
                      years: list[int] | None = None) -> dict[str, int]:
    """Writes one <sheet name>.csv per table into a folder. `encoding` is utf-8-sig (UTF-8 with BOM, which Excel
    opens correctly) or gb18030 (for older Chinese Excel and WPS). Returns rows per table."""
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"
    if encoding.lower() in {"gbk", "gb2312"}:
        encoding = "gb18030"
    if encoding not in {"utf-8-sig", "gb18030"}:
        raise ValueError(f"unsupported CSV encoding {encoding!r}: use utf-8-sig or gb18030")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    exporter = Exporter(actor=actor, years=years)
    for table in TABLES:
        with (folder / f"{table.sheet}.csv").open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.headers)
            for row in exporter.rows(table):
                writer.writerow([_csv_value(v) for v in row])
    _audit_export(actor, exporter.counts, str(folder))
    return exporter.counts


def _audit_export(actor: Actor, counts: dict[str, int], target: str) -> None:
    audit.record(actor=actor, action=AuditAction.EXPORT, object_type="dataio.export", object_repr=Path(target).name,
                 after=counts, message="导出：" + "，".join(f"{t.sheet} {counts.get(t.key, 0)} 行" for t in TABLES))
