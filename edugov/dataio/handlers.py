"""Per-table import logic: checks that need more than one cell or the database, and the writes.

Registry tables (机构, 学区与集团) go row by row through edugov.registry.services, so that versions, links, events and
the audit trail are exactly what the registry screens produce; they are small. Statistics and person tables are
written in chunks: the existing rows for a chunk's natural keys are fetched in one query, compared field by field,
and new and changed rows are written with bulk_create / bulk_update. Only columns present in the sheet are compared
and written, so a sheet without an 地址 column leaves addresses alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.core.choices import Permission
from edugov.dataio.importer import ColumnPlan, ImportContext, SheetContext, UnitRef
from edugov.dataio.problems import ERROR, WARNING
from edugov.dataio.tables import Table
from edugov.dataio.validate import CellError, FieldLimits
from edugov.lib.codelists import is_public_sponsor
from edugov.lib.divisions import DivisionLevel, validate_division_code, validate_statistical_code
from edugov.lib.school_code import validate_school_code
from edugov.registry import services as registry
from edugov.registry.choices import ADMIN_PARENT_KINDS, HierarchyCode, UnitKind
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitVersion
from edugov.stats.choices import Source
from edugov.stats.grades import GRADE_LABELS, grades_offered, stage_of
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    PopulationByAge,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

CHUNK_ROWS = 2000
KIND_LABELS = {k.value: str(k.label) for k in UnitKind}


def field_limits(table: Table) -> dict[str, FieldLimits]:
    """Database limits of each column's model field (lengths, decimal places, allowed codes)."""
    models_for_table: tuple[type[models.Model], ...] = MODELS.get(table.key, ())
    limits: dict[str, FieldLimits] = {}
    for column in table.columns:
        for model in models_for_table:
            try:
                model_field = model._meta.get_field(column.field)
            except Exception:
                continue
            if isinstance(model_field, models.ForeignKey) or not isinstance(model_field, models.Field):
                break
            choices = frozenset(str(v) for v, _label in model_field.choices) if model_field.choices else None
            limits[column.field] = FieldLimits(
                max_length=getattr(model_field, "max_length", None),
                max_digits=getattr(model_field, "max_digits", None),
                decimal_places=getattr(model_field, "decimal_places", None),
                choices=choices,
            )
            break
    return limits


class TableHandler:
    """Base: converts rows with the sheet's column plans and counts outcomes. See importer.py for the contract."""

    def __init__(self, table: Table, context: ImportContext) -> None:
        self.table = table
        self.ctx = context
        self.log = context.log
        self.counts: dict[str, int] = {"new": 0, "changed": 0, "unchanged": 0, "error": 0}
        self.sheet: SheetContext | None = None
        self.plans: list[ColumnPlan] = []
        self.present: frozenset[str] = frozenset()
        self.required: frozenset[str] = frozenset(c.field for c in table.columns if c.required)
        self.blocked = False
        self.source_index = -1
        self._columns: list[tuple[str, str, Any, bool, ColumnPlan]] = []

    # -- contract ---------------------------------------------------------------------------------------------

    def start_source(self, sheet: SheetContext) -> None:
        self.sheet = sheet
        self.plans = list(sheet.plans.values())
        self.present = frozenset(sheet.plans)
        self.source_index += 1
        # Flat tuples for the per-cell loop: attribute lookups add up over millions of cells.
        self._columns = [(plan.key, plan.field, plan.convert, plan.field in self.required, plan)
                         for plan in self.plans]

    def process(self, number: int, record: dict[str, Any]) -> None:
        values = self.convert(number, record)
        if values is None or not self.check(number, values):
            self.counts["error"] += 1
            return
        self.accept(number, values)

    def end_source(self) -> None:
        pass

    def finish(self) -> None:
        pass

    # -- helpers ----------------------------------------------------------------------------------------------

    def check(self, number: int, values: dict[str, Any]) -> bool:
        return True

    def accept(self, number: int, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def convert(self, number: int, record: dict[str, Any]) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        ok = True
        for key, field_name, convert, required, plan in self._columns:
            raw = record[key]
            if raw is None or (raw.__class__ is str and (not raw or raw.isspace())):
                values[field_name] = None
                if required:
                    ok = False
                    if self.sheet is not None and self.sheet.already_reported(plan, number):
                        continue
                    self.cell_error(number, field_name, "", "required",
                                    _("“%(h)s”是必填项，此处为空") % {"h": plan.header},
                                    _("请填写“%(h)s”") % {"h": plan.header})
                continue
            try:
                values[field_name] = convert(raw)
            except CellError as exc:
                ok = False
                if self.sheet is None or not self.sheet.already_reported(plan, number):
                    self.cell_error(number, field_name, raw, exc.code, exc.problem, exc.fix)
        return values if ok else None

    def cell_error(self, row: int | None, field_name: str, value: Any, code: str, problem: str, fix: str,
                   severity: str = ERROR) -> None:
        sheet = self.sheet
        plan = sheet.plans.get(field_name) if sheet is not None else None
        header = plan.header if plan is not None else self._header(field_name)
        self.log.add(file=sheet.source.file if sheet else "", sheet=sheet.source.sheet if sheet else self.table.sheet,
                     row=row, column=header, column_letter=plan.letter if plan else "", value=value, code=code,
                     problem=problem, fix=fix, severity=severity)

    def sheet_error(self, code: str, problem: str, fix: str) -> None:
        sheet = self.sheet
        self.log.add(file=sheet.source.file if sheet else "", sheet=sheet.source.sheet if sheet else self.table.sheet,
                     row=sheet.opened.header_row if sheet else None, code=code, problem=problem, fix=fix)

    def _header(self, field_name: str) -> str:
        try:
            return self.table.column(field_name).header
        except KeyError:
            return field_name

    def row_label(self, encoded: int) -> str:
        """A row remembered from an earlier sheet of the same table is named with its file."""
        source_index, row = divmod(encoded, 1 << 32)
        if source_index == self.source_index:
            return _("第 %(row)s 行") % {"row": row}
        return _("另一文件的第 %(row)s 行") % {"row": row}

    def encode_row(self, row: int) -> int:
        return (self.source_index << 32) | row

    def unit(self, number: int, values: dict[str, Any], field_name: str = "unit",
             kinds: Iterable[str] = (UnitKind.SCHOOL,), what: str = "") -> UnitRef | None:
        """Resolves a unit code cell to a unit the actor may import for; logs why not otherwise."""
        code = values.get(field_name)
        if code is None:
            return None
        ref = self.ctx.units.get(code)
        header = self._header(field_name)
        if ref is None:
            self.cell_error(number, field_name, code, "unknown_unit",
                            _("%(h)s“%(code)s”在系统中不存在") % {"h": header, "code": code},
                            _("请核对代码；新机构请先在“机构”表中登记（可放在同一文件中）"))
            return None
        allowed = tuple(kinds)
        if ref.kind not in allowed:
            self.cell_error(number, field_name, code, "wrong_kind",
                            _("“%(code)s”是%(kind)s，这里需要%(what)s") % {
                                "code": code, "kind": KIND_LABELS.get(ref.kind, ref.kind),
                                "what": what or "、".join(KIND_LABELS[k] for k in allowed)},
                            _("请核对%(h)s") % {"h": header})
            return None
        if not ref.in_scope:
            self.cell_error(number, field_name, code, "out_of_scope",
                            _("“%(code)s”不在您的管理范围内（您可导入：%(scope)s 及其下级机构）") % {
                                "code": code, "scope": self.ctx.scope_label()},
                            _("请删除本行，或请该机构的上级管理员导入"))
            return None
        return ref


# --- statistics and person tables ------------------------------------------------------------------------------

class ModelHandler(TableHandler):
    """Upserts rows of one statistics model by natural key, in chunks."""

    model: type[models.Model]
    unit_kinds: tuple[str, ...] = (UnitKind.SCHOOL,)

    def __init__(self, table: Table, context: ImportContext) -> None:
        super().__init__(table, context)
        self.queue: list[tuple[int, dict[str, Any]]] = []
        self.seen: dict[tuple[Any, ...], int] = {}
        self.key_fields = table.natural_key
        self.attnames = {c.field: ("unit_id" if c.field == "unit" else c.field) for c in table.columns}
        self.db_key_fields = tuple(self.attnames[f] for f in self.key_fields)
        self.empty_values: dict[str, Any] = {}
        for column in table.columns:
            if column.field == "unit":
                continue
            model_field = self.model._meta.get_field(column.field)
            assert isinstance(model_field, models.Field)
            self.empty_values[column.field] = None if model_field.null else model_field.get_default()
        self._write_fields: list[tuple[str, str, Any]] = []
        self._offered: dict[tuple[int | str, int], tuple[str, ...]] = {}
        self._year_had_rows: dict[int, bool] = {}

    def start_source(self, sheet: SheetContext) -> None:
        super().start_source(sheet)
        self._write_fields = [(f, self.attnames[f], self.empty_values.get(f)) for f in self.table_fields()
                              if f in self.present and f != "unit"]

    def table_fields(self) -> list[str]:
        return [c.field for c in self.table.columns]

    def end_source(self) -> None:
        self.flush()

    def check(self, number: int, values: dict[str, Any]) -> bool:
        ref = self.unit(number, values, kinds=self.unit_kinds)
        if ref is None:
            return False
        values["unit"] = ref
        return self.check_row(number, values, ref) and self.check_duplicate(number, values)

    def check_row(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        return True

    def check_duplicate(self, number: int, values: dict[str, Any]) -> bool:
        key = tuple(values[f].code if f == "unit" else values[f] for f in self.key_fields)
        previous = self.seen.get(key)
        if previous is not None:
            labels = "+".join(self._header(f) for f in self.key_fields)
            self.cell_error(number, self.key_fields[-1], values[self.key_fields[-1]], "duplicate_row",
                            _("与%(prev)s重复（%(labels)s 相同）") % {
                                "prev": self.row_label(previous), "labels": labels},
                            _("同一%(labels)s只能有一行，请删除或合并重复的行") % {"labels": labels})
            return False
        self.seen[key] = self.encode_row(number)
        return True

    def grade_offered(self, number: int, values: dict[str, Any], ref: UnitRef) -> None:
        """Warns when a school's type does not teach the grade (a 小学 reporting 七年级)."""
        grade = values.get("grade")
        if grade is None:
            return
        cache_key = (ref.id if ref.id is not None else ref.code, values["year"])
        offered = self._offered.get(cache_key)
        if offered is None:
            offered = grades_offered(self.ctx.school_type(ref, values["year"]))
            self._offered[cache_key] = offered
        if grade not in offered:
            self.cell_error(number, "grade", GRADE_LABELS.get(grade, grade), "grade_not_offered",
                            _("%(school)s的办学类型没有%(grade)s") % {"school": ref.name,
                                                                 "grade": GRADE_LABELS.get(grade, grade)},
                            _("请核对年级或该校的办学类型代码"), severity=WARNING)

    def accept(self, number: int, values: dict[str, Any]) -> None:
        self.queue.append((number, values))
        if len(self.queue) >= CHUNK_ROWS:
            self.flush()

    def model_values(self, values: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"unit_id": values["unit"].id}
        for field_name, attname, empty in self._write_fields:
            value = values[field_name]
            result[attname] = empty if value is None else value
        return result

    def year_had_rows(self, year: int) -> bool:
        """Whether the table held rows of this year before this import wrote any.

        Asked at the first chunk of a year, before that chunk is written. For a year imported for the first time
        (the usual annual load) every row is new, and the per-chunk look-ups can be skipped: the duplicate checks
        within the file already cover what the database would have said."""
        had = self._year_had_rows.get(year)
        if had is None:
            had = self._year_had_rows[year] = self.model._default_manager.filter(year=year).exists()
        return had

    def fetch_existing(self, rows: list[tuple[int, dict[str, Any], dict[str, Any]]],
                       fields: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The stored values of `fields` (and pk) for the chunk's natural keys, in one query."""
        lookup: dict[str, set[Any]] = {f"{attname}__in": set() for attname in self.db_key_fields}
        for _number, _values, model_values in rows:
            for attname in self.db_key_fields:
                lookup[f"{attname}__in"].add(model_values[attname])
        key_fields = self.db_key_fields
        wanted = list(dict.fromkeys(["pk", *key_fields, *fields]))
        return {tuple(row[f] for f in key_fields): row
                for row in self.model._default_manager.filter(**lookup).values(*wanted).order_by()}

    def check_existing(self, number: int, values: dict[str, Any], existing: dict[str, Any] | None) -> bool:
        return True

    def flush(self) -> None:
        queued, self.queue = self.queue, []
        if not queued:
            return
        rows: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for number, values in queued:
            if values["unit"].id is None:
                self.counts["new"] += 1  # its school exists only in this (already failing) file
                continue
            rows.append((number, values, self.model_values(values)))
        if not rows:
            return
        fields = list(rows[0][2])  # every row of a chunk comes from one sheet, so has the same columns
        stored_rows = [row for row in rows if self.year_had_rows(row[2]["year"])]
        existing = self.fetch_existing(stored_rows, fields)  # with no rows, Django sends no query
        key_fields = self.db_key_fields
        new: list[dict[str, Any]] = []
        changed: list[models.Model] = []
        changed_fields: set[str] = set()
        counts = self.counts
        for number, values, model_values in rows:
            stored = existing.get(tuple(model_values[f] for f in key_fields))
            if not self.check_existing(number, values, stored):
                counts["error"] += 1
                continue
            if stored is None:
                new.append(model_values)
                counts["new"] += 1
                continue
            differs = [f for f in fields if stored[f] != model_values[f]]
            if differs:
                changed.append(self.model(pk=stored["pk"], **model_values))
                changed_fields.update(differs)
                counts["changed"] += 1
            else:
                counts["unchanged"] += 1
        if self.ctx.writing and (new or changed):
            self.write(new, changed, changed_fields, first_row=rows[0][0])
            self.ctx.written_pairs.update((r["unit_id"], r["year"]) for r in new)
            self.ctx.written_pairs.update((c.__dict__["unit_id"], c.__dict__["year"]) for c in changed)

    def write(self, new: list[dict[str, Any]], changed: list[models.Model], fields: set[str], *,
              first_row: int) -> None:
        try:
            with transaction.atomic():
                if new:
                    insert_rows(self.model, new)
                if changed:
                    stamped = [f.attname for f in self.model._meta.concrete_fields
                               if getattr(f, "auto_now", False)]  # bulk_update does not call pre_save
                    now = timezone.now()
                    for instance in changed:
                        for attname in stamped:
                            setattr(instance, attname, now)
                    self.model._default_manager.bulk_update(changed, sorted(fields | set(stamped)), batch_size=500)
        except DatabaseError as exc:
            # Checks above should make this unreachable; if the database still refuses, say so and stop writing.
            self.cell_error(first_row, self.key_fields[-1], "", "database",
                            _("数据库拒绝写入从第 %(row)s 行开始的一批数据：%(error)s") % {"row": first_row,
                                                                              "error": exc},
                            _("请把本错误报告发给系统管理员"))


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT of many rows with one executemany: the values are already typed and checked, so Django's per-field
    preparation (and a model instance per row) is skipped; only dates and decimals go through the backend's own
    adapters. Fields a row does not give get the model default. For a million pupils this is most of the write
    cost saved, which the validation spends instead."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    adapters: dict[str, Any] = {}
    defaults = {f.attname: f.get_default() for f in fields}
    for model_field in fields:
        if isinstance(model_field, models.DateTimeField):
            adapters[model_field.attname] = ops.adapt_datetimefield_value
            if model_field.auto_now or model_field.auto_now_add:
                defaults[model_field.attname] = timezone.now()
        elif isinstance(model_field, models.DateField):
            adapters[model_field.attname] = ops.adapt_datefield_value
        elif isinstance(model_field, models.DecimalField):
            adapters[model_field.attname] = ops.adapt_decimalfield_value
    attnames = [f.attname for f in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(model._meta.db_table), ", ".join(ops.quote_name(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)))
    adapt_at = [(index, adapters[name]) for index, name in enumerate(attnames) if name in adapters]
    params = []
    for row in rows:
        values = [row.get(name, defaults[name]) for name in attnames]
        for index, adapt in adapt_at:
            if values[index] is not None:
                values[index] = adapt(values[index])
        params.append(values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: several times faster than row-by-row INSERT, inside the same
            # transaction, so all-or-nothing still holds.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                ops.quote_name(model._meta.db_table), ", ".join(ops.quote_name(str(f.column)) for f in fields))
            with cursor.cursor.copy(copy_sql) as copy:
                for values in params:
                    copy.write_row(values)
        else:
            cursor.executemany(sql, params)


class SchoolStatsHandler(ModelHandler):
    model = SchoolYearStats


class PopulationHandler(ModelHandler):
    model = PopulationByAge
    unit_kinds = (UnitKind.CITY, UnitKind.COUNTY, UnitKind.TOWN)


class AggregateHandler(ModelHandler):
    """Aggregates that person records replace: refused for a school-year that has person records."""

    person_table = "students"

    def __init__(self, table: Table, context: ImportContext) -> None:
        super().__init__(table, context)
        self._db_pairs: dict[int, set[int]] = {}

    def has_person_records(self, ref: UnitRef, year: int) -> bool:
        if (ref.code, year) in self.ctx.person_pairs[self.person_table]:
            return True
        if ref.id is None:
            return False
        units = self._db_pairs.get(year)
        if units is None:
            model = StudentRecord if self.person_table == "students" else TeacherRecord
            units = set(model.objects.filter(year=year).values_list("unit_id", flat=True).distinct().order_by())
            self._db_pairs[year] = units
        return ref.id in units

    def check_row(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        if self.has_person_records(ref, values["year"]):
            person_sheet = _("学生") if self.person_table == "students" else _("教师")
            self.cell_error(number, "unit", ref.code, "derived_from_persons",
                            _("%(school)s %(year)s学年已有%(persons)s个人记录，"
                              "本表数据由个人记录自动汇总，不能再导入") % {
                                "school": ref.name, "year": values["year"], "persons": person_sheet},
                            _("请删除这些行；如需修改，请修改“%(sheet)s”表中的个人记录") % {"sheet": person_sheet})
            return False
        return self.check_aggregate(number, values, ref)

    def check_aggregate(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        return True

    def model_values(self, values: dict[str, Any]) -> dict[str, Any]:
        result = super().model_values(values)
        result["source"] = Source.IMPORTED
        return result


class EnrolmentHandler(AggregateHandler):
    model = GradeEnrolment

    def check_aggregate(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        self.grade_offered(number, values, ref)
        return True

    def model_values(self, values: dict[str, Any]) -> dict[str, Any]:
        result = super().model_values(values)
        result["stage"] = stage_of(values["grade"])
        return result


class ClassesHandler(AggregateHandler):
    model = ClassSection

    def check_aggregate(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        self.grade_offered(number, values, ref)
        return True


class TeacherStatsHandler(AggregateHandler):
    model = TeacherStats
    person_table = "teachers"
    EDUCATION = ("edu_postgraduate", "edu_bachelor", "edu_associate", "edu_below_associate")
    BACKBONE = ("backbone_county", "backbone_city", "backbone_province")
    PARTS = ("female", "pe_teachers", "music_teachers", "art_teachers", "certified")

    def check_aggregate(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        fulltime = values["fulltime"]
        ok = True
        for group, what in ((self.EDUCATION, _("各学历人数之和")), (self.BACKBONE, _("各级骨干教师之和"))):
            present = [f for f in group if values.get(f) is not None]
            total = sum(values[f] for f in present)
            if present and total > fulltime:
                ok = False
                self.cell_error(number, present[-1], total, "exceeds_fulltime",
                                _("%(what)s（%(total)s）大于专任教师数（%(ft)s）") % {
                                    "what": what, "total": total, "ft": fulltime},
                                _("请核对专任教师数和各分项人数"))
        for field_name in self.PARTS:
            value = values.get(field_name)
            if value is not None and value > fulltime:
                ok = False
                self.cell_error(number, field_name, value, "exceeds_fulltime",
                                _("“%(h)s”（%(v)s）大于专任教师数（%(ft)s）") % {
                                    "h": self._header(field_name), "v": value, "ft": fulltime},
                                _("请核对专任教师数和各分项人数"))
        return ok


class PersonHandler(ModelHandler):
    """Pupils or teachers: one row per person and school year, keyed by 学籍号 / 教职工号."""

    number_field = "student_no"

    def __init__(self, table: Table, context: ImportContext) -> None:
        super().__init__(table, context)
        # year → number → encoded row; year → ID number → person number. Nested by year and keyed by plain strings
        # rather than tuples: for a million pupils this halves the memory of the duplicate checks.
        self.numbers: dict[int, dict[str, int]] = {}
        self.ids: dict[int, dict[str, str]] = {}
        self.pairs = context.person_pairs[table.key]
        self._birth_text: dict[dt.date, str] = {}
        self._id_holders: dict[tuple[int, str], tuple[str, int]] = {}

    def check_duplicate(self, number: int, values: dict[str, Any]) -> bool:
        return True  # done in check_row, where the ID number is at hand

    def check_row(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        ok = True
        year = values["year"]
        person_no = values[self.number_field]
        numbers = self.numbers.get(year)
        if numbers is None:
            numbers = self.numbers[year] = {}
            self.ids[year] = {}
        previous = numbers.get(person_no)
        if previous is not None:
            ok = False
            header = self._header(self.number_field)
            self.cell_error(number, self.number_field, person_no, "duplicate_person",
                            _("%(h)s“%(no)s”与%(prev)s重复（同一学年不能出现两次）") % {
                                "h": header, "no": person_no, "prev": self.row_label(previous)},
                            _("请删除重复的行，或核对%(h)s") % {"h": header})
        else:
            numbers[person_no] = self.encode_row(number)
        id_number = values.get("id_number")
        if id_number:
            ids = self.ids[year]
            holder = ids.get(id_number)
            if holder is not None and holder != person_no:
                ok = False
                self.cell_error(number, "id_number", id_number, "duplicate_id",
                                _("同一身份证号已用于%(h)s“%(other)s”（%(prev)s）") % {
                                    "h": self._header(self.number_field), "other": holder,
                                    "prev": self.row_label(numbers.get(holder, 0))},
                                _("一个人只能有一个%(h)s，请核对身份证号或%(h)s") % {
                                    "h": self._header(self.number_field)})
            elif holder is None:
                ids[id_number] = person_no
            ok = self.check_identity(number, values, id_number) and ok
        if ok:
            self.pairs.add((ref.code, year))
        return ok

    def check_identity(self, number: int, values: dict[str, Any], id_number: str) -> bool:
        """The declared sex and birth date must agree with the ID number (GB 11643 digits 7-14 and 17)."""
        ok = True
        sex = values.get("sex")
        id_sex = "1" if int(id_number[16]) % 2 else "2"
        if sex is not None and sex != id_sex:
            ok = False
            self.cell_error(number, "sex", "男" if sex == "1" else "女", "sex_mismatch",
                            _("性别与身份证号不符：身份证号第17位表示“%(id_sex)s”") % {
                                "id_sex": "男" if id_sex == "1" else "女"},
                            _("请核对性别或身份证号"))
        birth = values.get("birth_date")
        if birth is not None:
            text = self._birth_text.get(birth)
            if text is None:
                text = self._birth_text[birth] = birth.strftime("%Y%m%d")
            if text != id_number[6:14]:
                ok = False
                shown = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
                self.cell_error(number, "birth_date", birth.isoformat(), "birth_mismatch",
                                _("出生日期与身份证号不符：身份证号中的出生日期是 %(id_birth)s") % {"id_birth": shown},
                                _("请核对出生日期或身份证号"))
        return ok

    def fetch_existing(self, rows: list[tuple[int, dict[str, Any], dict[str, Any]]],
                       fields: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
        existing = super().fetch_existing(rows, fields)
        # The same ID number held by another person number in the database (per school year).
        years: set[int] = set()
        ids: set[str] = set()
        for _number, _values, model_values in rows:
            if model_values.get("id_number"):
                years.add(model_values["year"])
                ids.add(model_values["id_number"])
        self._id_holders = {}
        if ids:
            # The exclude repeats the condition of the partial unique index on (year, id_number): without it SQLite
            # cannot use that index and scans the whole year for every chunk.
            holders = (self.model._default_manager.filter(year__in=years, id_number__in=ids).exclude(id_number="")
                       .values_list("year", "id_number", self.number_field, "unit_id").order_by())
            self._id_holders = {(year, idn): (no, unit_id) for year, idn, no, unit_id in holders}
        return existing

    def check_existing(self, number: int, values: dict[str, Any], existing: dict[str, Any] | None) -> bool:
        ok = True
        ref: UnitRef = values["unit"]
        header = self._header(self.number_field)
        if existing is not None and existing["unit_id"] != ref.id:
            ok = False
            self.cell_error(number, self.number_field, values[self.number_field], "registered_elsewhere",
                            _("%(h)s已在 %(school)s 登记") % {
                                "h": header, "school": self._school_name(existing["unit_id"])},
                            _("转学的学生请先由原学校办理转出，或核对%(h)s和学校标识码") % {"h": header}
                            if self.number_field == "student_no" else
                            _("调动的教师请先由原学校调出，或核对%(h)s和学校标识码") % {"h": header})
        id_number = values.get("id_number")
        if id_number:
            holder = self._id_holders.get((values["year"], id_number))
            if holder is not None and holder[0] != values[self.number_field]:
                own_ids = self.ids.get(values["year"], {})
                # The other person is in this file with another ID number: the file corrects the database.
                rewritten = holder[0] in self.numbers.get(values["year"], {}) and own_ids.get(id_number) != holder[0]
                if not rewritten:
                    ok = False
                    self.cell_error(number, "id_number", id_number, "id_registered",
                                    _("同一身份证号在系统中已登记为%(h)s“%(other)s”（%(school)s）") % {
                                        "h": header, "other": holder[0], "school": self._school_name(holder[1])},
                                    _("一个人只能有一个%(h)s，请核对身份证号或%(h)s") % {"h": header})
        return ok

    def _school_name(self, unit_id: int) -> str:
        ref = self.ctx.unit_by_id(unit_id)
        # Outside the actor's scope the school is not named: its pupils are none of the actor's business.
        return ref.name if ref is not None and ref.in_scope else _("其他学校")


class StudentsHandler(PersonHandler):
    model = StudentRecord
    number_field = "student_no"

    def check_row(self, number: int, values: dict[str, Any], ref: UnitRef) -> bool:
        self.grade_offered(number, values, ref)
        return super().check_row(number, values, ref)


class TeachersHandler(PersonHandler):
    model = TeacherRecord
    number_field = "staff_no"


# --- registry tables -------------------------------------------------------------------------------------------

UNIT_ATTRIBUTES = ("school_type_code", "urban_rural_code", "sponsor_code", "is_inclusive", "division_code",
                   "stat_division_code", "address")


class RegistryTableHandler(TableHandler):
    """A registry table: only roles that manage the registry may import it; otherwise the whole sheet is refused
    with one error rather than one per row."""

    def start_source(self, sheet: SheetContext) -> None:
        super().start_source(sheet)
        if not self.ctx.can(Permission.MANAGE_REGISTRY):
            self.blocked = True
            self.sheet_error("permission",
                             _("您没有管理机构的权限，不能导入“%(sheet)s”表") % {"sheet": self.table.sheet},
                             _("请删除“%(sheet)s”工作表后重新导入，或请有机构管理权限的管理员导入")
                             % {"sheet": self.table.sheet})

    def process(self, number: int, record: dict[str, Any]) -> None:
        if self.blocked:
            self.counts["error"] += 1
            return
        super().process(number, record)


class UnitsHandler(RegistryTableHandler):
    """机构: opens, changes, moves and closes units through the registry services, row by row."""

    def __init__(self, table: Table, context: ImportContext) -> None:
        super().__init__(table, context)
        self.seen: dict[str, int] = {}
        self.closings: list[tuple[int, UnitRef, dt.date]] = []

    def check(self, number: int, values: dict[str, Any]) -> bool:
        ok = True
        code, kind = values["code"], values["kind"]
        code = values["code"] = code.replace(" ", "")
        if kind == UnitKind.SCHOOL:
            check = validate_school_code(code)
            if not check.ok:
                ok = False
                self.cell_error(number, "code", code, "bad_school_code", check.message_zh or "",
                                _("学校的机构代码应为10位学校标识码"))
            if "school_type_code" in self.present and values.get("school_type_code") is None:
                ok = False
                self.cell_error(number, "school_type_code", "", "school_type_required",
                                _("学校必须填写办学类型代码"), _("请按“代码表”填写3位办学类型代码，如 211（小学）"))
            elif "school_type_code" not in self.present and code not in self.ctx.units:
                ok = False
                self.cell_error(number, "school_type_code", "", "school_type_required",
                                _("新登记的学校必须填写办学类型代码，但表中没有“办学类型代码”列"),
                                _("请增加“办学类型代码”列并填写"))
        elif kind == UnitKind.COUNTY:
            division = validate_division_code(code)
            if not division.ok or division.level != DivisionLevel.COUNTY:
                ok = False
                self.cell_error(number, "code", code, "bad_division_code",
                                division.message_zh or _("区县的机构代码应为6位县级行政区划代码（末两位不是00）"),
                                _("区县填6位行政区划代码，如 370202"))
        for field_name, validator in (("division_code", validate_division_code),
                                      ("stat_division_code", validate_statistical_code)):
            value = values.get(field_name)
            if value:
                result = validator(value)
                if not result.ok:
                    ok = False
                    self.cell_error(number, field_name, value, f"bad_{field_name}", result.message_zh or "",
                                    _("请核对%(h)s") % {"h": self._header(field_name)})
                else:
                    values[field_name] = result.normalized
        opened, closed = values.get("opened_on"), values.get("closed_on")
        if opened and closed and closed <= opened:
            ok = False
            self.cell_error(number, "closed_on", closed.isoformat(), "closed_before_opened",
                            _("撤销日期必须晚于设立日期"), _("请核对日期"))
        previous = self.seen.get(code)
        if previous is not None:
            ok = False
            self.cell_error(number, "code", code, "duplicate_unit",
                            _("机构代码“%(code)s”与%(prev)s重复") % {"code": code, "prev": self.row_label(previous)},
                            _("每个机构只能有一行，请删除或合并重复的行"))
        else:
            self.seen[code] = self.encode_row(number)
        existing = self.ctx.units.get(code)
        parent = self._parent(number, values, kind, existing)
        if parent is False:
            ok = False
        if existing is not None:
            if existing.kind != kind:
                ok = False
                self.cell_error(number, "kind", KIND_LABELS.get(kind, kind), "kind_changed",
                                _("机构“%(code)s”在系统中是%(old)s，导入不能改变层级") % {
                                    "code": code, "old": KIND_LABELS.get(existing.kind, existing.kind)},
                                _("如层级确有变化，请撤销旧机构并以新代码登记"))
            if not existing.in_scope:
                ok = False
                self.cell_error(number, "code", code, "out_of_scope",
                                _("“%(code)s”不在您的管理范围内（您可导入：%(scope)s 及其下级机构）") % {
                                    "code": code, "scope": self.ctx.scope_label()},
                                _("请删除本行，或请该机构的上级管理员导入"))
        elif parent and not parent.in_scope:
            ok = False
            self._parent_out_of_scope(number, parent)
        elif parent is None and kind != UnitKind.CITY:
            ok = False
            self.cell_error(number, "parent", "", "parent_required",
                            _("新登记的%(kind)s必须填写上级机构代码") % {"kind": KIND_LABELS.get(kind, kind)},
                            _("请填写上级机构代码（上级须已在系统中或在本表更早的行中）"))
        elif parent is None and not self.ctx.scope.everything:
            ok = False
            self.cell_error(number, "parent", "", "out_of_scope", _("只有系统管理员可以登记没有上级的机构"),
                            _("请填写上级机构代码"))
        return ok

    def _parent(self, number: int, values: dict[str, Any], kind: str,
                existing: UnitRef | None) -> UnitRef | Literal[False] | None:
        """The parent unit, None when none is given, False when it is wrong (already reported)."""
        code = values.get("parent")
        if code is None:
            return None
        ref = self.ctx.units.get(code)
        if ref is None:
            self.cell_error(number, "parent", code, "unknown_parent",
                            _("上级机构代码“%(code)s”不存在") % {"code": code},
                            _("上级机构须已在系统中，或在本表中排在下级之前"))
            return False
        allowed = ADMIN_PARENT_KINDS.get(kind, frozenset())
        if ref.kind not in allowed:
            self.cell_error(number, "parent", code, "bad_parent_kind",
                            _("%(kind)s的上级不能是%(parent)s（%(code)s）") % {
                                "kind": KIND_LABELS.get(kind, kind), "parent": KIND_LABELS.get(ref.kind, ref.kind),
                                "code": code},
                            _("%(kind)s的上级应为：%(allowed)s") % {
                                "kind": KIND_LABELS.get(kind, kind),
                                "allowed": "、".join(KIND_LABELS[k] for k in sorted(allowed)) or _("无")})
            return False
        return ref

    def _parent_out_of_scope(self, number: int, parent: UnitRef) -> None:
        self.cell_error(number, "parent", parent.code, "out_of_scope",
                        _("上级机构“%(code)s”不在您的管理范围内（您可导入：%(scope)s 及其下级机构）") % {
                            "code": parent.code, "scope": self.ctx.scope_label()},
                        _("只能在自己管理的机构之下登记或调整机构"))

    def attributes(self, values: dict[str, Any]) -> dict[str, Any]:
        """OrgUnitVersion attributes given by the row; columns absent from the sheet are left out."""
        attributes: dict[str, Any] = {"name": values["name"]}
        for field_name in UNIT_ATTRIBUTES:
            if field_name in self.present:
                value = values.get(field_name)
                if value is None:
                    value = None if field_name == "is_inclusive" else ""
                attributes[field_name] = value
        if "ownership" in self.present and values.get("ownership") is not None:
            attributes["is_public"] = values["ownership"] == "public"
        elif "sponsor_code" in self.present and values.get("sponsor_code"):
            attributes["is_public"] = is_public_sponsor(values["sponsor_code"])
        elif "ownership" in self.present or "sponsor_code" in self.present:
            attributes["is_public"] = None
        return attributes

    def accept(self, number: int, values: dict[str, Any]) -> None:
        code = values["code"]
        parent_code = values.get("parent")
        parent = self.ctx.units.get(parent_code) if parent_code else None
        existing = self.ctx.units.get(code)
        if existing is None:
            ref = UnitRef(id=None, code=code, kind=values["kind"], name=values["name"], in_scope=True,
                          school_type=values.get("school_type_code") or "")
            self.ctx.units[code] = ref
            self.counts["new"] += 1
            if self.ctx.writing and (parent is None or parent.id is not None):
                self._open(number, values, ref, parent)
            if values.get("closed_on"):
                self.closings.append((number, ref, values["closed_on"]))
            return
        if existing.id is None:
            self.counts["new"] += 1
            return
        self._update(number, values, existing, parent)

    def _open(self, number: int, values: dict[str, Any], ref: UnitRef, parent: UnitRef | None) -> None:
        attributes = self.attributes(values)
        name = attributes.pop("name")
        try:
            unit = registry.open_unit(
                actor=self.ctx.actor, code=ref.code, kind=values["kind"], name=name,
                parent=OrgUnit.objects.get(pk=parent.id) if parent is not None and parent.id is not None else None,
                opened_on=values.get("opened_on"), attributes=attributes, effective_on=values.get("effective_on"))
        except ValidationError as exc:
            self.counts["new"] -= 1
            self.counts["error"] += 1
            self.cell_error(number, "code", ref.code, "registry", "；".join(exc.messages), _("请核对本行"))
            return
        ref.id = unit.pk

    def _update(self, number: int, values: dict[str, Any], ref: UnitRef, parent: UnitRef | None) -> None:
        assert ref.id is not None
        unit = OrgUnit.objects.get(pk=ref.id)
        on = values.get("effective_on") or self.ctx.today
        closed = unit.closed_on is not None and on >= unit.closed_on
        version = (unit.versions.order_by("-valid_from").first() if closed else unit.version_at(on))
        attributes = self.attributes(values)
        changes = {k: v for k, v in attributes.items() if version is None or getattr(version, k) != v}
        parent_changed = False
        if parent is not None and parent.id is not None:
            links = OrgLink.objects.filter(child=unit, hierarchy=HierarchyCode.ADMIN)
            link = (links.order_by("-valid_from").first() if closed else
                    links.filter(valid_from__lte=on).exclude(valid_to__lte=on).first())
            parent_changed = link is None or link.parent_id != parent.id
        closing = values.get("closed_on")
        if unit.closed_on is not None:
            if closing is not None and closing != unit.closed_on:
                self._fail(number, "closed_on", closing.isoformat(), "already_closed",
                           _("该机构已于 %(date)s 撤销，与填写的撤销日期不同") % {"date": unit.closed_on},
                           _("撤销日期不能通过导入修改，请核对"))
                return
            if closing is None and "closed_on" in self.present:
                self.cell_error(number, "closed_on", "", "reopen_ignored",
                                _("该机构已于 %(date)s 撤销，导入不能恢复，已忽略") % {"date": unit.closed_on},
                                _("如需恢复，请以新代码登记"), severity=WARNING)
            if closed and (changes or parent_changed):
                self._fail(number, "code", ref.code, "closed_unit_changed",
                           _("该机构已于 %(date)s 撤销，不能再修改名称、属性或隶属") % {"date": unit.closed_on},
                           _("请核对变更生效日期，或删除本行"))
                return
        opened = values.get("opened_on")
        if opened is not None and unit.opened_on is not None and opened != unit.opened_on:
            self.cell_error(number, "opened_on", opened.isoformat(), "opened_differs",
                            _("设立日期与系统中的 %(date)s 不同，导入不修改设立日期") % {"date": unit.opened_on},
                            _("如系统中的设立日期有误，请在机构页面修改"), severity=WARNING)
        will_close = closing is not None and unit.closed_on is None
        if parent_changed and parent is not None and not parent.in_scope:
            self.counts["error"] += 1
            self._parent_out_of_scope(number, parent)
            return
        if not (changes or parent_changed or will_close):
            self.counts["unchanged"] += 1
            return
        self.counts["changed"] += 1
        if closing is not None and will_close:
            self.closings.append((number, ref, closing))
        if not self.ctx.writing:
            return
        try:
            if changes:
                registry.change_attributes(actor=self.ctx.actor, unit=unit, changes=changes, effective_on=on)
            if parent_changed and parent is not None and parent.id is not None:
                registry.move_unit(actor=self.ctx.actor, unit=unit, new_parent=OrgUnit.objects.get(pk=parent.id),
                                   effective_on=on)
        except ValidationError as exc:
            self.counts["changed"] -= 1
            self._fail(number, "code", ref.code, "registry", "；".join(exc.messages), _("请核对本行"))

    def _fail(self, number: int, field_name: str, value: Any, code: str, problem: str, fix: str) -> None:
        self.counts["error"] += 1
        self.cell_error(number, field_name, value, code, problem, fix)

    def finish(self) -> None:
        # Children close before their parents: close_unit refuses a parent with open children.
        for number, ref, closed_on in reversed(self.closings):
            if not self.ctx.writing or ref.id is None:
                continue
            assert self.sheet is not None
            try:
                registry.close_unit(actor=self.ctx.actor, unit=OrgUnit.objects.get(pk=ref.id), closed_on=closed_on)
            except ValidationError as exc:
                self.counts["error"] += 1
                self.log.add(file=self.sheet.source.file, sheet=self.table.sheet, row=number,
                             column=self._header("closed_on"), value=closed_on.isoformat(), code="registry",
                             problem="；".join(exc.messages), fix=_("请核对撤销日期和下级机构"))
        self.ctx.forget_school_types()


class MembershipsHandler(RegistryTableHandler):
    """学区与集团: a unit's parent in the 学区 or 教育集团 hierarchy, through registry.move_unit."""

    def __init__(self, table: Table, context: ImportContext) -> None:
        super().__init__(table, context)
        self.seen: dict[tuple[str, str], int] = {}

    def check(self, number: int, values: dict[str, Any]) -> bool:
        hierarchy = values["hierarchy"]
        unit = self.unit(number, values, "unit", kinds=(UnitKind.SCHOOL, UnitKind.TOWN, UnitKind.ZONE))
        parent = self.unit(number, values, "parent", kinds=(hierarchy,))
        if unit is None or parent is None:
            return False
        key = (unit.code, hierarchy)
        previous = self.seen.get(key)
        if previous is not None:
            self.cell_error(number, "unit", unit.code, "duplicate_row",
                            _("与%(prev)s重复（同一机构在同一体系中只能属于一个学区或集团）") % {
                                "prev": self.row_label(previous)},
                            _("请删除重复的行"))
            return False
        self.seen[key] = self.encode_row(number)
        values["unit"], values["parent"] = unit, parent
        return True

    def accept(self, number: int, values: dict[str, Any]) -> None:
        unit_ref: UnitRef = values["unit"]
        parent_ref: UnitRef = values["parent"]
        if unit_ref.id is None or parent_ref.id is None:
            self.counts["new"] += 1
            return
        on = values.get("effective_on") or self.ctx.today
        hierarchy = values["hierarchy"]
        unit = OrgUnit.objects.get(pk=unit_ref.id)
        current = registry.current_parent(unit, on=on, hierarchy=hierarchy)
        if current is not None and current.pk == parent_ref.id:
            self.counts["unchanged"] += 1
            return
        self.counts["new" if current is None else "changed"] += 1
        if not self.ctx.writing:
            return
        try:
            registry.move_unit(actor=self.ctx.actor, unit=unit, new_parent=OrgUnit.objects.get(pk=parent_ref.id),
                               effective_on=on, hierarchy=hierarchy)
        except ValidationError as exc:
            self.counts["new" if current is None else "changed"] -= 1
            self.counts["error"] += 1
            self.cell_error(number, "parent", parent_ref.code, "registry", "；".join(exc.messages), _("请核对本行"))


MODELS: dict[str, tuple[type[models.Model], ...]] = {
    "units": (OrgUnitVersion, OrgUnit),
    "memberships": (),
    "school_stats": (SchoolYearStats,),
    "enrolment": (GradeEnrolment,),
    "classes": (ClassSection,),
    "teacher_stats": (TeacherStats,),
    "population": (PopulationByAge,),
    "students": (StudentRecord,),
    "teachers": (TeacherRecord,),
}

HANDLERS: dict[str, type[TableHandler]] = {
    "units": UnitsHandler,
    "memberships": MembershipsHandler,
    "school_stats": SchoolStatsHandler,
    "enrolment": EnrolmentHandler,
    "classes": ClassesHandler,
    "teacher_stats": TeacherStatsHandler,
    "population": PopulationHandler,
    "students": StudentsHandler,
    "teachers": TeachersHandler,
}


def handler_for(table: Table, context: ImportContext) -> TableHandler:
    return HANDLERS[table.key](table, context)
