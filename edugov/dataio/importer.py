"""The import engine: one code path for the dry run and the real import.

Everything happens inside one transaction. Rows stream from the readers, are converted and checked, and are written
in chunks (bulk insert and bulk update by natural key) as long as no error has been found; after the first error
the engine keeps checking, to report every problem in one go, but writes nothing more. At the end the transaction
is rolled back when this is a dry run or when any error was found, so a file applies wholly or not at all, and a
process killed midway leaves the database as it was (the database discards the open transaction).

Contract of a table handler (see handlers.py), one handler per table for all its sheets and files:
`start_source(sheet)` receives the matched columns of one sheet; `process(row, record)` converts and checks one row
and queues or writes it; `end_source()` writes what is still queued; `finish()` runs once after the last sheet (the
registry closes units there, children first). Handlers count rows as new / changed / unchanged / error, and report
problems to the shared ProblemLog; `context.writing` says whether writing is still allowed.

Tables are processed in tables.IMPORT_ORDER whatever the order of sheets, so a new school and its pupils can be in
one file.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.scoping import UserScope, forget_scope, scope_for
from edugov.dataio.problems import ERROR, WARNING, ProblemLog
from edugov.dataio.readers import ENCODING_NAMES, OpenedSheet, ReadError, Source, discover, open_source
from edugov.dataio.tables import IMPORT_ORDER, TABLES_BY_KEY, Table
from edugov.dataio.validate import match_headers
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.models import OrgUnit, OrgUnitVersion

if TYPE_CHECKING:
    from edugov.dataio.handlers import TableHandler
    from edugov.dataio.models import ImportRun

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (dry run, or errors found)."""


@dataclass
class UnitRef:
    """An org unit as the importer sees it: from the database, or declared earlier in this file (id None until it
    is written, which after an error never happens)."""

    id: int | None
    code: str
    kind: str
    name: str
    in_scope: bool
    school_type: str = ""


@dataclass
class ImportResult:
    """What an import did or would do. `ok` means no errors (warnings allowed)."""

    ok: bool
    dry_run: bool
    applied: bool
    summary: dict[str, dict[str, int]]
    errors: list[dict[str, Any]]
    derived: dict[str, dict[str, int]] = field(default_factory=dict)
    rows_total: int = 0
    rows_done: int = 0
    files: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    run_id: int | None = None

    @property
    def error_count(self) -> int:
        return sum(1 for e in self.errors if e["severity"] == ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for e in self.errors if e["severity"] == WARNING)


SYSTEM_SCOPE = UserScope(unit_ids=frozenset(), root_ids=frozenset(), permissions=frozenset(), everything=True)


class ImportContext:
    """State shared by the handlers of one import: who imports, what they may touch, the units known so far,
    and where problems go."""

    def __init__(self, *, actor: Actor, log: ProblemLog, dry_run: bool, progress: Progress) -> None:
        self.actor = actor
        self.log = log
        self.dry_run = dry_run
        self.progress = progress
        if actor is not None:
            forget_scope(actor)  # the tree may have changed since the scope was cached on this user object
        self.scope = SYSTEM_SCOPE if actor is None else scope_for(actor)
        self.today = timezone.localdate()
        self.units: dict[str, UnitRef] = {}
        # The scope already keeps closed units under their last parent (core.scoping), so a district may re-import
        # the records of schools it closed.
        for pk, code, kind, name in OrgUnit.objects.values_list("id", "code", "kind", "name"):
            self.units[code] = UnitRef(id=pk, code=code, kind=kind, name=name, in_scope=self.scope.contains(pk))
        self._school_types: dict[int, dict[int, str]] = {}
        self._by_id: dict[int, UnitRef] | None = None
        # (unit code, year) pairs that have person records in this file, by table key
        self.person_pairs: dict[str, set[tuple[str, int]]] = {"students": set(), "teachers": set()}
        # (unit id, year) pairs whose statistics rows this import wrote (for signals.statistics_applied)
        self.written_pairs: set[tuple[int, int]] = set()

    @property
    def writing(self) -> bool:
        """Rows are written only while the import is still clean; afterwards they are only checked."""
        return not self.log.has_errors

    def unit_by_id(self, unit_id: int) -> UnitRef | None:
        if self._by_id is None or len(self._by_id) != len(self.units):
            self._by_id = {ref.id: ref for ref in self.units.values() if ref.id is not None}
        return self._by_id.get(unit_id)

    def can(self, permission: str) -> bool:
        return self.actor is None or self.scope.can(permission)

    def scope_label(self) -> str:
        if self.scope.everything:
            return _("全部机构")
        names = sorted(ref.name for ref in self.units.values() if ref.id in self.scope.root_ids)
        return "、".join(names) or _("（无）")

    def school_type(self, ref: UnitRef, year: int) -> str:
        """The unit's 办学类型代码 on the school year's reference date (one query per year for all units)."""
        if ref.id is None:
            return ref.school_type
        types = self._school_types.get(year)
        if types is None:
            on = SchoolYear(year).reference_date
            rows = OrgUnitVersion.objects.filter(valid_from__lte=on).exclude(valid_to__lte=on).values_list(
                "unit_id", "school_type_code")
            types = dict(rows)
            self._school_types[year] = types
        return types.get(ref.id, ref.school_type)

    def forget_school_types(self) -> None:
        self._school_types.clear()


class Progress:
    """Counts rows and reports them through a callback at most every `interval` seconds."""

    def __init__(self, callback: ProgressCallback | None, total: int = 0, interval: float | None = None) -> None:
        self.callback = callback
        self.total = total
        self.done = 0
        # EDUGOV_PROGRESS_INTERVAL=0 reports every 1,024 rows (for tests that must see an import mid-way).
        self.interval = interval if interval is not None else float(os.environ.get("EDUGOV_PROGRESS_INTERVAL", "0.5"))
        self._last = 0.0

    def advance(self, rows: int = 1) -> None:
        self.done += rows

    def report(self, *, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            self.callback(self.done, max(self.total, self.done))


@dataclass
class ColumnPlan:
    """A matched column of one sheet: the table column, where it is in the sheet, and its converter."""

    column: Any
    key: str
    letter: str
    index: int
    convert: Callable[[Any], Any]
    field: str = ""
    header: str = ""

    def __post_init__(self) -> None:
        self.field = self.column.field
        self.header = self.column.header


@dataclass
class SheetContext:
    """The sheet being processed, for messages: file, sheet, header row and where merged cells cover values."""

    source: Source
    opened: OpenedSheet
    plans: dict[str, ColumnPlan]
    merged_cover: dict[int, list[tuple[int, int]]]

    def covered_by_merge(self, plan: ColumnPlan, row: int) -> bool:
        return any(first < row <= last for first, last in self.merged_cover.get(plan.index, ()))

    def already_reported(self, plan: ColumnPlan, row: int) -> bool:
        """A cell under a merged range or holding a formula: its emptiness or odd value is that root cause, which
        has its own record."""
        return self.covered_by_merge(plan, row) or row in self.source.formula_cells.get(plan.index, ())


class Importer:
    """Runs one import of a file or folder. Use `run()` once."""

    def __init__(self, *, actor: Actor, dry_run: bool, progress: ProgressCallback | None = None,
                 display_name: str | None = None, run: ImportRun | None = None) -> None:
        self.actor = actor
        self.dry_run = dry_run
        self.display_name = display_name
        self.run_record = run
        self.log = ProblemLog()
        self.progress = Progress(progress)

    def run(self, path: Path) -> ImportResult:
        files: list[dict[str, str]] = []
        display = self.display_name or path.name
        if self.actor is not None and not scope_for(self.actor).can(Permission.IMPORT):
            self.log.add(file=display, code="permission", problem=_("您没有导入数据的权限"),
                         fix=_("请联系管理员授予导入权限"))
            return self._result(files, summary={}, derived={}, applied=False)
        try:
            sources, notices = discover(path, display_name=self.display_name)
        except ReadError as exc:
            self.log.add(file=display, code=exc.code, problem=exc.problem, fix=exc.fix)
            return self._result(files, summary={}, derived={}, applied=False)
        for file_name, problem, fix, severity in notices:
            self.log.add(file=file_name, code="file", problem=problem, fix=fix, severity=severity)
        for source in sources:
            files.append({"file": source.file, "sheet": source.sheet, "table": source.table.key if source.table else "",
                          "encoding": ENCODING_NAMES.get(source.encoding or "", source.encoding or ""),
                          "identified_by": source.identified_by})
            if source.identified_by == "headers" and source.table is not None:
                self.log.add(file=source.file, sheet=source.sheet, code="identified_by_headers", severity=WARNING,
                             problem=_("“%(name)s”不是标准表名，已按表头识别为“%(table)s”表") % {
                                 "name": source.sheet, "table": source.table.sheet},
                             fix=_("建议把工作表或文件改名为“%(table)s”") % {"table": source.table.sheet})
        self.progress.total = sum(s.estimated_rows for s in sources)
        summary: dict[str, dict[str, int]] = {}
        derived: dict[str, dict[str, int]] = {}
        applied = False
        try:
            with transaction.atomic():
                context = ImportContext(actor=self.actor, log=self.log, dry_run=self.dry_run, progress=self.progress)
                handlers = self._process(context, sources)
                for key, handler in handlers.items():
                    summary[key] = dict(handler.counts)
                if context.writing:
                    derived = self._derive(context)
                if self.dry_run or self.log.has_errors:
                    raise _Rollback
                self._audit(summary, derived, path)
                applied = True
        except _Rollback:
            pass
        if applied and context.written_pairs:
            self._announce(context.written_pairs)
        self.progress.total = self.progress.done  # the estimate counted header and blank rows; now it is known
        self.progress.report(force=True)
        return self._result(files, summary=summary, derived=derived, applied=applied)

    # -- steps ------------------------------------------------------------------------------------------------

    def _process(self, context: ImportContext, sources: list[Source]) -> dict[str, TableHandler]:
        from edugov.dataio.handlers import handler_for

        handlers: dict[str, TableHandler] = {}
        for table in IMPORT_ORDER:
            table_sources = [s for s in sources if s.table is not None and s.table.key == table.key]
            if not table_sources:
                continue
            handler = handler_for(table, context)
            handlers[table.key] = handler
            for source in table_sources:
                self._process_source(context, handler, source)
            handler.finish()
        return handlers

    def _process_source(self, context: ImportContext, handler: TableHandler, source: Source) -> None:
        table = handler.table
        try:
            opened = open_source(source)
        except ReadError as exc:
            self.log.add(file=source.file, sheet=source.sheet, code=exc.code, problem=exc.problem, fix=exc.fix)
            return
        except Exception as exc:  # a damaged sheet inside an otherwise readable workbook
            logger.warning("cannot read %s: %s", source.label, exc)
            self.log.add(file=source.file, sheet=source.sheet, code="unreadable",
                         problem=_("工作表“%(sheet)s”无法读取（文件可能已损坏）") % {"sheet": source.sheet},
                         fix=_("请在 Excel 中打开后另存为新的 .xlsx 文件再导入"))
            return
        if opened.title_rows:
            self.log.add(file=source.file, sheet=source.sheet, row=opened.title_rows[0], code="title_rows",
                         severity=WARNING,
                         problem=_("表头在第 %(row)s 行，上方的标题行已跳过") % {"row": opened.header_row},
                         fix=_("无需处理；如有误，请让表头位于第一行"))
        plans = self._plan_columns(table, source, opened)
        if plans is None:
            # Count the rows the missing columns make impossible to check, so the summary does not say 0.
            # The rows may be uncountable (broken CSV); the missing columns are what the user must fix first anyway.
            with contextlib.suppress(csv.Error):
                handler.counts["error"] += sum(1 for _row in opened.records())
            return
        sheet = SheetContext(source=source, opened=opened, plans={p.field: p for p in plans},
                             merged_cover=self._merged_cells(source, opened, plans))
        self._formula_cells(source, opened, plans)
        handler.start_source(sheet)
        progress = self.progress
        process = handler.process
        try:
            for number, record in opened.records():
                process(number, record)
                progress.done += 1
                if not progress.done & 1023:
                    progress.report()
        except csv.Error as exc:  # a NUL byte or an unterminated quote: the rest of the file cannot be split into cells
            self.log.add(file=source.file, sheet=source.sheet, row=progress.done + opened.header_row + 1,
                         code="csv_syntax", problem=_("CSV 文件格式有误，无法继续读取：%(error)s") % {"error": exc},
                         fix=_("请用 Excel 或 WPS 打开该文件，检查引号是否成对，然后重新另存为 CSV"))
        handler.end_source()

    def _plan_columns(self, table: Table, source: Source, opened: OpenedSheet) -> list[ColumnPlan] | None:
        from edugov.dataio.handlers import field_limits
        from edugov.dataio.validate import compile_converter

        match = match_headers(table, opened.headers)
        found = "、".join(h.text for h in opened.headers) or _("（无）")
        for column, suggestion in match.missing:
            if suggestion:
                problem = _("“%(sheet)s”缺少必填列“%(col)s”；表头中的“%(sug)s”是否就是它？（表头中有：%(found)s）") % {
                    "sheet": table.sheet, "col": column.header, "sug": suggestion, "found": found}
                fix = _("请把表头“%(sug)s”改为“%(col)s”") % {"sug": suggestion, "col": column.header}
            else:
                problem = _("“%(sheet)s”缺少必填列“%(col)s”（表头中有：%(found)s）") % {
                    "sheet": table.sheet, "col": column.header, "found": found}
                fix = _("请在表头增加“%(col)s”列并填写（可从导入模板复制表头）") % {"col": column.header}
            self.log.add(file=source.file, sheet=source.sheet, row=opened.header_row, column=column.header,
                         code="missing_column", problem=problem, fix=fix)
        for cell, suggestion in match.unknown:
            fix = (_("如果是“%(sug)s”，请改为“%(sug)s”；否则可删除该列") % {"sug": suggestion} if suggestion
                   else _("无需处理；该列不会导入"))
            self.log.add(file=source.file, sheet=source.sheet, row=opened.header_row, column=cell.text,
                         column_letter=cell.letter, code="unknown_column", severity=WARNING,
                         problem=_("无法识别的列“%(h)s”，已忽略") % {"h": cell.text}, fix=fix)
        for column, first, second in match.duplicates:
            self.log.add(file=source.file, sheet=source.sheet, row=opened.header_row, column=column.header,
                         column_letter=second.letter, code="duplicate_column",
                         problem=_("“%(h)s”列出现了两次（%(a)s 列和 %(b)s 列）") % {
                             "h": column.header, "a": first.letter, "b": second.letter},
                         fix=_("请删除多余的一列"))
        if match.missing:
            return None
        limits = field_limits(table)
        return [ColumnPlan(column=column, key=cell.key, letter=cell.letter, index=cell.index,
                           convert=compile_converter(column, limits.get(column.field)))
                for column, cell in match.columns]

    def _merged_cells(self, source: Source, opened: OpenedSheet,
                      plans: list[ColumnPlan]) -> dict[int, list[tuple[int, int]]]:
        from edugov.dataio.problems import column_letter

        cover: dict[int, list[tuple[int, int]]] = {}
        by_index = {p.index: p for p in plans}
        for first_row, first_col, last_row, last_col in opened.merged:
            if last_row < opened.header_row:
                continue  # a merged title above the header is harmless
            columns = (column_letter(first_col) if first_col == last_col
                       else f"{column_letter(first_col)}至{column_letter(last_col)}")
            rows = str(first_row) if first_row == last_row else _("%(a)s至%(b)s") % {"a": first_row, "b": last_row}
            plan = by_index.get(first_col)
            self.log.add(file=source.file, sheet=source.sheet, row=first_row, column_letter=column_letter(first_col),
                         column=plan.header if plan is not None and first_col == last_col else "",
                         code="merged_cells",
                         problem=_("第%(rows)s行 %(cols)s 列为合并单元格") % {"rows": rows, "cols": columns},
                         fix=_("请取消合并后逐行填写（每一行都要有完整的值）"))
            for index in range(first_col, last_col + 1):
                cover.setdefault(index, []).append((first_row, last_row))
        return cover

    def _formula_cells(self, source: Source, opened: OpenedSheet, plans: list[ColumnPlan]) -> None:
        by_index = {p.index: p for p in plans}
        for index, rows in source.formula_cells.items():
            plan = by_index.get(index)
            if plan is None:
                continue  # a helper column that is not imported may compute whatever it likes
            for row in sorted(rows):
                if row > opened.header_row:
                    self.log.add(file=source.file, sheet=source.sheet, row=row, column=plan.header,
                                 column_letter=plan.letter, code="formula",
                                 problem=_("单元格含公式"),
                                 fix=_("请复制该列后“选择性粘贴为数值”，再保存导入"))
        if source.formula_unlocated:
            self.log.add(file=source.file, sheet=source.sheet, code="formula", problem=_("工作表中有公式"),
                         fix=_("请复制全表后“选择性粘贴为数值”，再保存导入"))

    def _announce(self, pairs: set[tuple[int, int]]) -> None:
        from edugov.dataio.signals import statistics_applied

        for receiver, response in statistics_applied.send_robust(sender=Importer, pairs=frozenset(pairs)):
            if isinstance(response, Exception):
                logger.error("statistics_applied receiver %r failed: %s", receiver, response)

    def _derive(self, context: ImportContext) -> dict[str, dict[str, int]]:
        from edugov.stats.services import derive_aggregates

        pairs: set[tuple[int, int]] = set()
        for table_pairs in context.person_pairs.values():
            for code, year in table_pairs:
                ref = context.units.get(code)
                if ref is not None and ref.id is not None:
                    pairs.add((ref.id, year))
        if not pairs:
            return {}
        context.written_pairs.update(pairs)
        return derive_aggregates(actor=self.actor, pairs=pairs, audit_changes=False)

    def _audit(self, summary: dict[str, dict[str, int]], derived: dict[str, dict[str, int]], path: Path) -> None:
        from edugov.dataio.models import ImportRun, ImportStatus

        run = self.run_record
        if run is None:
            # A command-line import has no upload record; write one in the same transaction, so it exists exactly
            # when the data does.
            run = ImportRun.objects.create(
                actor=user_or_none(self.actor),
                file_name=self.display_name or path.name, stored_path=str(path), sha256=_digest(path),
                size_bytes=_size(path), status=ImportStatus.APPLIED, rows_total=self.progress.done,
                rows_done=self.progress.done, summary=summary, applied_at=timezone.now())
            self.run_record = run
        # File the events under the importer's own unit, so that the district that imported sees them in its trail.
        roots = scope_for(self.actor).root_ids if self.actor is not None else frozenset()
        org_unit_id = min(roots) if roots else None
        for key, counts in summary.items():
            table = TABLES_BY_KEY[key]
            audit.record(actor=self.actor, action=AuditAction.IMPORT, object_type="dataio.ImportRun",
                         org_unit_id=org_unit_id,
                         object_id=str(run.pk), object_repr=f"{run.file_name} · {table.sheet}"[:300],
                         after={"table": key, **counts}, message=counts_text(table.sheet, counts))
        for key, counts in derived.items():
            if counts.get("new") or counts.get("changed") or counts.get("deleted"):
                table = TABLES_BY_KEY[key]
                audit.record(actor=self.actor, action=AuditAction.UPDATE, object_type="dataio.ImportRun",
                             org_unit_id=org_unit_id, object_id=str(run.pk),
                             object_repr=f"{run.file_name} · {table.sheet}"[:300],
                             after={"table": key, "source": "derived", **counts},
                             message=_("由个人记录汇总 %(text)s") % {"text": counts_text(table.sheet, counts)})

    def _result(self, files: list[dict[str, str]], *, summary: dict[str, dict[str, int]],
                derived: dict[str, dict[str, int]], applied: bool) -> ImportResult:
        records = self.log.records()
        ok = not self.log.has_errors
        if applied:
            message = _("已导入。") + " " + "；".join(
                counts_text(TABLES_BY_KEY[k].sheet, c) for k, c in summary.items())
        elif not ok:
            message = _("发现 %(n)s 类问题，未写入任何数据。请按错误报告修改后重新导入。") % {
                "n": sum(1 for r in records if r["severity"] == ERROR)}
        else:
            message = _("校验通过，尚未写入。") + " " + "；".join(
                counts_text(TABLES_BY_KEY[k].sheet, c) for k, c in summary.items())
        derived_changes = {k: c for k, c in derived.items() if c.get("new") or c.get("changed") or c.get("deleted")}
        if derived_changes:
            message += " " + _("由个人记录汇总：") + "；".join(
                counts_text(TABLES_BY_KEY[k].sheet, c) for k, c in derived_changes.items())
        return ImportResult(ok=ok, dry_run=self.dry_run, applied=applied, summary=summary, errors=records,
                            derived=derived, rows_total=self.progress.total,
                            rows_done=self.progress.done, files=files, message=message.strip(),
                            run_id=self.run_record.pk if self.run_record is not None else None)


def user_or_none(actor: Actor) -> Any:
    """The actor as a user row for a foreign key; None for the system and anonymous actors."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def counts_text(sheet: str, counts: dict[str, int]) -> str:
    parts = [(_("新增"), counts.get("new", 0)), (_("修改"), counts.get("changed", 0)),
             (_("未变"), counts.get("unchanged", 0))]
    if counts.get("deleted"):
        parts.append((_("删除"), counts["deleted"]))
    if counts.get("error"):
        parts.append((_("有错"), counts["error"]))
    return f"{sheet}：" + "，".join(f"{label} {n}" for label, n in parts)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file_path in files:
        with file_path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size
