#!/usr/bin/env python
"""Import benchmark: our validating importer against the plain-insert limit, on the same pupils and database.

    python bench/import_students.py [--rows N] [--format xlsx|csv|both] [--database sqlite|postgres]

Steps, all in one run:

1. Generates N pupils with person records (edugov.demo.generator.generate_students: the demo generator's own pupil
   code) in primary schools of one county, once as XLSX and once as CSV, plus a registry file for those schools.
2. Builds a base database: migrate, then the registry imported through edugov.dataio.services.import_path.
3. For each format, on a fresh copy of the base database (a file copy for SQLite, CREATE DATABASE … TEMPLATE for
   PostgreSQL), measures in its own child process:
   * ours  — import_path(file, actor=None): reading, full validation, problem log, writes, derived aggregates;
   * limit — the same file read with python-calamine (XLSX) or the csv module (CSV) and inserted into the same
     StudentRecord table with Django bulk_create in batches inside one transaction, converting only what the model
     needs (codes, dates, booleans) and validating nothing.
4. Prints rows/s and peak memory (ru_maxrss of each child, so one phase's garbage cannot flatter another) and the
   ratio ours/limit. The goals from the issue are a ratio ≤ 1.5 and peak memory < 2 GiB.

The child processes are this script again with --phase; they report one JSON line each.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULT_PREFIX = "BENCH_RESULT "
GOAL_RATIO = 1.5
GOAL_PEAK_MIB = 2048
BATCH = 5000
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"


# -- child process: one measured phase ------------------------------------------------------------------------------


def _peak_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_phase(phase: str, path: Path, fmt: str) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugov.settings")
    import django

    django.setup()
    from edugov.stats.models import StudentRecord

    started = time.perf_counter()
    result: dict[str, Any] = {"phase": phase, "format": fmt}
    if phase == "setup":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        result.update(_import(path))
    elif phase == "ours":
        result.update(_import(path))
    elif phase == "limit":
        result["inserted"] = plain_load(path, fmt)
        result["ok"] = True
    else:
        raise SystemExit(f"unknown phase {phase}")
    result["seconds"] = time.perf_counter() - started
    result["rows"] = StudentRecord.objects.count()
    result["peak_mib"] = _peak_mib()
    return result


def _import(path: Path) -> dict[str, Any]:
    from edugov.dataio.services import import_path

    outcome = import_path(path, actor=None)
    errors = [e for e in outcome.errors if e.get("severity") == "error"] if outcome.errors else []
    return {"ok": bool(outcome.ok), "errors": len(errors), "first_errors": errors[:3]}


def plain_load(path: Path, fmt: str) -> int:
    """The limit: read the 学生 table and bulk-insert it, converting only what the model fields need."""
    from django.db import transaction

    from edugov.dataio.tables import STUDENTS
    from edugov.lib.codelists import load
    from edugov.registry.models import OrgUnit
    from edugov.stats.grades import GRADE_LABELS
    from edugov.stats.models import StudentRecord

    units = dict(OrgUnit.objects.values_list("code", "id"))
    grades = {label: code for code, label in GRADE_LABELS.items()}
    ethnicity = {e.name: e.code for e in load("ethnicity")}
    disability = {e.name: e.code for e in load("disability")}
    sex = {"男": "1", "女": "2"}
    residence = {"本地户籍": "local", "随迁子女": "migrant"}
    column = {header: i for i, header in enumerate(STUDENTS.headers)}
    (year, no, idn, name, sx, birth, eth, unit, grade, cls, boarding, res, left, dis, hard) = (
        column[h] for h in STUDENTS.headers)

    def as_date(value: Any) -> Any:
        import datetime as dt

        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)

    inserted = 0
    batch: list[StudentRecord] = []
    with transaction.atomic():
        for row in _rows(path, fmt):
            batch.append(StudentRecord(
                year=int(row[year]), student_no=row[no], id_number=row[idn], name=row[name], sex=sex[row[sx]],
                birth_date=as_date(row[birth]), ethnicity=ethnicity.get(row[eth], ""), unit_id=units[row[unit]],
                grade=grades[row[grade]], class_name=row[cls], boarding=row[boarding] == "是",
                residence=residence[row[res]], left_behind=row[left] == "是",
                disability=disability.get(row[dis], ""), hardship=row[hard] or "",
            ))
            if len(batch) >= BATCH:
                StudentRecord.objects.bulk_create(batch)
                inserted += len(batch)
                batch = []
        if batch:
            StudentRecord.objects.bulk_create(batch)
            inserted += len(batch)
    return inserted


def _rows(path: Path, fmt: str) -> Any:
    if fmt == "xlsx":
        from python_calamine import CalamineWorkbook

        from edugov.dataio.tables import STUDENTS

        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(STUDENTS.sheet).iter_rows()
        next(rows)  # header
        yield from rows
    else:
        import csv

        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            yield from reader


# -- parent process: set up, run the phases, report ----------------------------------------------------------------


class Databases:
    """Fresh databases for each phase, all derived from one migrated base with the registry loaded."""

    def __init__(self, kind: str, workdir: Path, server: str) -> None:
        self.kind = kind
        self.workdir = workdir
        self.server = server.rstrip("/")
        self.prefix = f"edugov_bench_{os.getpid()}"
        self.created: list[str] = []

    def url(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / f'{name}.sqlite3'}"
        return f"{self.server}/{self.prefix}_{name}"

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.server.replace("postgres://", "postgresql://", 1) + "/postgres",
                               autocommit=True)

    def create_base(self) -> None:
        if self.kind == "postgres":
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{self.prefix}_base"')
            self.created.append(f"{self.prefix}_base")

    def clone(self, name: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                source = self.workdir / f"base.sqlite3{suffix}"
                if source.exists():
                    shutil.copyfile(source, self.workdir / f"{name}.sqlite3{suffix}")
            return
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.prefix}_{name}" TEMPLATE "{self.prefix}_base"')
        self.created.append(f"{self.prefix}_{name}")

    def drop(self, name: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                (self.workdir / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
            return
        full = f"{self.prefix}_{name}"
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
        if full in self.created:
            self.created.remove(full)

    def drop_all(self) -> None:
        if self.kind == "postgres":
            for full in list(self.created):
                with self._admin() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
            self.created.clear()


@dataclass
class Measurement:
    fmt: str
    phase: str
    rows: int
    seconds: float
    peak_mib: float
    ok: bool
    detail: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _child(phase: str, path: Path, fmt: str, database_url: str, data_dir: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "edugov.settings", "DATABASE_URL": database_url,
                "EDUGOV_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)})
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--path", str(path), "--format", fmt],
        env=env, cwd=REPO, capture_output=True, text=True, check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return dict(json.loads(line[len(RESULT_PREFIX):]))
    raise RuntimeError(f"phase {phase} ({fmt}) failed with exit code {completed.returncode}:\n"
                       f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")


def _inputs(directory: Path, rows: int, seed: int, fmt: str) -> Any:
    """The generated files for (rows, seed, fmt), reused when ``directory`` already holds them: writing a million
    XLSX rows takes minutes, far longer than importing them."""
    from edugov.demo.generator import StudentFiles, generate_students

    suffix = "csv" if fmt == "csv" else "xlsx"
    registry = directory / f"registry-{suffix}" / ("机构.csv" if fmt == "csv" else "registry.xlsx")
    students = directory / f"students-{suffix}" / ("学生.csv" if fmt == "csv" else "students.xlsx")
    if registry.exists() and students.exists():
        print(f"reusing {students}", flush=True)
        return StudentFiles(registry=registry, students=students, rows=rows, schools=0)
    started = time.perf_counter()
    files = generate_students(directory, rows=rows, seed=seed, fmt=fmt)
    size = files.students.stat().st_size / 2**20
    print(f"generated {rows:,} pupils as {fmt.upper()} in {time.perf_counter() - started:.1f} s "
          f"({size:.1f} MiB, {files.schools} schools)", flush=True)
    return files


def orchestrate(rows: int, formats: list[str], database: str, server: str, keep: bool, seed: int,
                input_dir: Path | None) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="edugov-bench-"))
    databases = Databases(database, workdir, server)
    measurements: list[Measurement] = []
    try:
        print(f"workdir {workdir}", flush=True)
        directory = (input_dir / f"{rows}-{seed}") if input_dir else workdir / "input"
        inputs = {fmt: _inputs(directory, rows, seed, fmt) for fmt in formats}
        databases.create_base()
        setup = _child("setup", inputs[formats[0]].registry, formats[0], databases.url("base"), workdir / "data")
        if not setup["ok"]:
            raise RuntimeError(f"registry import failed: {setup}")
        print(f"base database ready ({database}): migrate + registry in {setup['seconds']:.1f} s", flush=True)
        for fmt in formats:
            for phase in ("ours", "limit"):
                name = f"{fmt}_{phase}"
                databases.clone(name)
                try:
                    result = _child(phase, inputs[fmt].students, fmt, databases.url(name), workdir / "data")
                finally:
                    databases.drop(name)
                detail = "" if result["ok"] else f"errors={result.get('errors')} {result.get('first_errors')}"
                measurements.append(Measurement(fmt, phase, int(result["rows"]), float(result["seconds"]),
                                                float(result["peak_mib"]), bool(result["ok"]), detail))
                print(f"  {fmt:4} {phase:5} done: {result['rows']:,} rows in {result['seconds']:.1f} s", flush=True)
    finally:
        databases.drop_all()
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return report(measurements, rows, database)


def report(measurements: list[Measurement], rows: int, database: str) -> int:
    labels = {"ours": "ours  (import_path, full validation)", "limit": "limit (read + bulk_create, no checks)"}
    print()
    print(f"Import of {rows:,} pupils (学生) into StudentRecord, database {database}")
    header = f"{'format':6} {'phase':40} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    failed = False
    for m in measurements:
        flag = "" if m.ok and m.rows == rows else "  <-- FAILED " + m.detail
        failed |= bool(flag)
        print(f"{m.fmt:6} {labels[m.phase]:40} {m.rows:>10,} {m.seconds:>9.1f} {m.rate:>10,.0f} "
              f"{m.peak_mib:>9.0f}{flag}")
    print()
    for fmt in dict.fromkeys(m.fmt for m in measurements):
        ours = next(m for m in measurements if m.fmt == fmt and m.phase == "ours")
        limit = next(m for m in measurements if m.fmt == fmt and m.phase == "limit")
        ratio = ours.seconds / limit.seconds if limit.seconds else float("inf")
        verdict = "meets" if ratio <= GOAL_RATIO else "misses"
        memory = "meets" if ours.peak_mib < GOAL_PEAK_MIB else "misses"
        print(f"{fmt:6} ratio ours/limit = {ratio:.2f} ({verdict} the ≤ {GOAL_RATIO} goal); "
              f"peak memory of ours {ours.peak_mib:.0f} MiB ({memory} the < {GOAL_PEAK_MIB} MiB goal)")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="pupils to import (default 1,000,000)")
    parser.add_argument("--format", choices=("xlsx", "csv", "both"), default="both")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-server", default=DEFAULT_PG,
                        help=f"PostgreSQL server URL without database name (default {DEFAULT_PG})")
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (inputs, SQLite files)")
    parser.add_argument("--input-dir", type=Path,
                        help="generate the input files under DIR/<rows>-<seed>/ and reuse them on later runs")
    parser.add_argument("--phase", choices=("setup", "ours", "limit"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        result = run_phase(args.phase, args.path, args.format)
        print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False, default=str), flush=True)
        return 0
    formats = ["xlsx", "csv"] if args.format == "both" else [args.format]
    return orchestrate(args.rows, formats, args.database, args.pg_server, args.keep, args.seed, args.input_dir)


if __name__ == "__main__":
    sys.exit(main())
