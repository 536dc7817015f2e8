#!/usr/bin/env python
"""Indicator benchmark: recomputing every indicator at city scale, our 优质均衡 engine against one DuckDB query,
and the incremental recompute after one school's change.

    python bench/indicators.py [--scale city|demo|county|tiny] [--seed S] [--year Y] [--repeat N] [--keep]

``--scale city`` is the issue's city: the generator's ``metro`` place (12 counties, ≈ 1,550 schools and
kindergartens, ≈ 1.2 million pupils with person records; generation and import take about 1.5 minutes);
``demo`` is the demo city (the generator's ``city``: 6 counties, 372 schools, ≈ 256,000 pupils).

Steps, all in one run and one process:

1. Generates the demo place of the scale (edugov.demo.generator.generate, seeded, CSV) in a temporary folder and
   imports it with edugov.dataio.services.import_path into a throwaway SQLite database there (migrate first).
2. (a) ours, catalogue: ``stored.recompute(year)``: every catalogue indicator for every unit, written to
   IndicatorValueRecord.
3. (b) ours, 优质均衡: ``adapter.sections_for`` (stats and registry → school sections, combined schools split) and
   ``engine.assess_county`` over every top-level unit, reading each county/section's 7 student-weighted CVs.
   (b′) the engine part alone, on the sections already read: the like-for-like counterpart of (c), which reads
   tables DuckDB already holds in memory.
4. (c) the limit: the registry and the three statistics tables the 7 indicators read are copied from SQLite into
   an in-memory DuckDB (not timed), then ONE hand-written SQL query computes the 7 indicators per school section
   (school type on the reference date, county by walking the admin links, combined schools split by the scheme's
   weights, exclusions, qualification bands) and the weighted CV per county, section and indicator.
5. Prints (b) and (c), the ratio (b)/(c) (goal ≤ 1.5), and checks the CVs agree: DuckDB divides in DOUBLE, so they
   are compared rounded to the displayed 3 places (and the largest relative difference is printed).
6. Changes one primary school's data (enrolment, a class, operating expenditure) and times
   ``stored.recompute_for_school`` (goal < 0.2 s); then checks its result equals a full recompute (not timed).

Timings are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

GOAL_RATIO = 1.5
#: bench scale → the demo generator's scale
GENERATOR_SCALE = {"city": "metro", "demo": "city", "county": "county", "tiny": "tiny"}
GOAL_INCREMENTAL_S = 0.2

LIMIT_SQL = """
WITH RECURSIVE
links AS (
    SELECT child_id, parent_id FROM registry_orglink
    WHERE hierarchy = 'admin' AND valid_from <= $on AND (valid_to IS NULL OR valid_to > $on)),
up(school_id, unit_id, depth) AS (
    SELECT id, id, 0 FROM registry_orgunit WHERE kind = 'school'
    UNION ALL
    SELECT up.school_id, links.parent_id, up.depth + 1 FROM up JOIN links ON links.child_id = up.unit_id
    WHERE up.depth < 10),
county AS (
    SELECT up.school_id, arg_min(u.code, up.depth) AS county
    FROM up JOIN registry_orgunit u ON u.id = up.unit_id WHERE u.kind = 'county' GROUP BY up.school_id),
schools AS (
    SELECT u.id, coalesce(v.school_type_code, '') AS t, c.county
    FROM registry_orgunit u
    JOIN county c ON c.school_id = u.id
    LEFT JOIN registry_orgunitversion v
        ON v.unit_id = u.id AND v.valid_from <= $on AND (v.valid_to IS NULL OR v.valid_to > $on)
    WHERE u.kind = 'school' AND (u.opened_on IS NULL OR u.opened_on <= $on)
      AND (u.closed_on IS NULL OR u.closed_on > $on)),
pupils AS (
    SELECT unit_id, stage, sum(male + female) AS p FROM stats_gradeenrolment WHERE year = $year GROUP BY ALL),
weights(t, stage, w) AS (VALUES
    ('312', 'primary', 1.0), ('312', 'junior', 1.1),
    ('345', 'primary', 1.0), ('345', 'junior', 1.1), ('345', 'senior', 1.32),
    ('341', 'junior', 1.0), ('341', 'senior', 1.2)),
combined AS (
    SELECT s.id, s.t, s.county, w.stage AS section, coalesce(p.p, 0) AS pupils,
           coalesce(p.p, 0) * w.w AS weighted,
           sum(coalesce(p.p, 0) * w.w) OVER (PARTITION BY s.id) AS total_weighted
    FROM schools s JOIN weights w ON w.t = s.t LEFT JOIN pupils p ON p.unit_id = s.id AND p.stage = w.stage),
sections AS (
    SELECT id, t, county, section, pupils,
           CASE WHEN total_weighted = 0 THEN 0 ELSE weighted::DOUBLE / total_weighted::DOUBLE END AS share
    FROM combined WHERE section IN ('primary', 'junior')
    UNION ALL
    SELECT s.id, s.t, s.county, st.section, coalesce(p.p, 0), 1.0
    FROM schools s
    CROSS JOIN (VALUES ('primary'), ('junior')) st(section)
    LEFT JOIN pupils p ON p.unit_id = s.id AND p.stage = st.section
    WHERE s.t NOT IN ('312', '341', '345') AND NOT (s.t LIKE '1%' OR s.t LIKE '34%')
      AND CASE WHEN s.t LIKE '2%' THEN st.section = 'primary'
               WHEN s.t LIKE '31%' THEN st.section = 'junior'
               ELSE coalesce(p.p, 0) > 0 END),
assessed AS (
    SELECT sec.county, sec.section, sec.pupils,
        CASE sec.section WHEN 'primary' THEN coalesce(ts.edu_associate, 0) + coalesce(ts.edu_bachelor, 0)
                                             + coalesce(ts.edu_postgraduate, 0)
                         ELSE coalesce(ts.edu_bachelor, 0) + coalesce(ts.edu_postgraduate, 0) END AS qualified,
        coalesce(ts.backbone_county, 0) + coalesce(ts.backbone_city, 0) + coalesce(ts.backbone_province, 0)
            AS backbone,
        coalesce(ts.pe_teachers, 0) + coalesce(ts.music_teachers, 0) + coalesce(ts.art_teachers, 0) AS pe_arts,
        a.teaching_area * sec.share AS teaching_area,
        (a.sports_ground_area + a.gym_area) * sec.share AS sports_area,
        a.equipment_value * sec.share AS equipment_value,
        a.multimedia_classrooms * sec.share AS multimedia_classrooms
    FROM sections sec
    LEFT JOIN stats_teacherstats ts ON ts.unit_id = sec.id AND ts.year = $year AND ts.stage = sec.section
    LEFT JOIN stats_schoolyearstats a ON a.unit_id = sec.id AND a.year = $year
    WHERE sec.pupils > 0
      AND NOT ((sec.t = '218' AND sec.pupils < 50) OR sec.t LIKE '51%' OR sec.t IN ('321', '329')
               OR sec.t LIKE '36%')),
items AS (
    SELECT county, section, code, pupils::DOUBLE AS p,
        CASE code WHEN 'qualified_teachers' THEN qualified WHEN 'backbone_teachers' THEN backbone
                  WHEN 'pe_arts_teachers' THEN pe_arts WHEN 'teaching_area' THEN teaching_area
                  WHEN 'sports_area' THEN sports_area WHEN 'equipment_value' THEN equipment_value
                  ELSE multimedia_classrooms END::DOUBLE AS total
    FROM assessed CROSS JOIN (VALUES ('qualified_teachers'), ('backbone_teachers'), ('pe_arts_teachers'),
        ('teaching_area'), ('sports_area'), ('equipment_value'), ('multimedia_classrooms')) c(code)),
moments AS (
    SELECT *, sum(total) OVER g / sum(p) OVER g AS mean, sum(p) OVER g AS big_p,
           count(*) OVER g AS n, count(total) OVER g AS reported
    FROM items WINDOW g AS (PARTITION BY county, section, code))
SELECT county, section, code,
    CASE WHEN min(reported) < min(n) OR min(mean) = 0 THEN NULL
         ELSE sqrt(sum(p / big_p * power(total / p - mean, 2))) / min(mean) END AS cv
FROM moments GROUP BY county, section, code ORDER BY county, section, code
"""

REGISTRY_TABLES = {
    "registry_orgunit": ("id", "code", "kind", "opened_on", "closed_on"),
    "registry_orgunitversion": ("unit_id", "valid_from", "valid_to", "school_type_code"),
    "registry_orglink": ("hierarchy", "child_id", "parent_id", "valid_from", "valid_to"),
}


def best(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def export_to_duckdb(year: int) -> Any:
    """Copies the registry and the three statistics tables of ``year`` into an in-memory DuckDB (not timed)."""
    import duckdb
    from django.db import connection

    from edugov.stats.models import GradeEnrolment, SchoolYearStats, TeacherStats

    con = duckdb.connect()
    for model in (GradeEnrolment, TeacherStats, SchoolYearStats):
        fields = [f for f in model._meta.concrete_fields]
        columns = ", ".join(f"{f.column} {_duck_type(f)}" for f in fields)
        con.execute(f"CREATE TABLE {model._meta.db_table} ({columns})")
        rows = list(model._default_manager.filter(year=year).values_list(*[f.attname for f in fields]))
        if rows:
            con.executemany(f"INSERT INTO {model._meta.db_table} VALUES ({', '.join('?' for _ in fields)})",
                            [list(r) for r in rows])
    types = {"id": "BIGINT", "unit_id": "BIGINT", "child_id": "BIGINT", "parent_id": "BIGINT",
             "opened_on": "DATE", "closed_on": "DATE", "valid_from": "DATE", "valid_to": "DATE"}
    with connection.cursor() as cursor:
        for table, columns in REGISTRY_TABLES.items():
            definition = ", ".join(f"{c} {types.get(c, 'VARCHAR')}" for c in columns)
            con.execute(f"CREATE TABLE {table} ({definition})")
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
            rows = cursor.fetchall()
            if rows:
                con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in columns)})",
                                [list(r) for r in rows])
    return con


def _duck_type(field: Any) -> str:
    from edugov.indicators.duckdb_backend import _column_type

    return _column_type(field)


def display(value: Any, places: int = 3) -> Decimal:
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def run(scale: str, seed: int, year: int, repeat: int, keep: bool) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="edugov-bench-indicators-"))
    os.environ.update({"DJANGO_SETTINGS_MODULE": "edugov.settings",
                       "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
                       "EDUGOV_DATA_DIR": str(workdir / "data")})
    try:
        return _measure(workdir, scale, seed, year, repeat)
    finally:
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _measure(workdir: Path, scale: str, seed: int, year: int, repeat: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from edugov.dataio.services import import_path
    from edugov.demo.generator import generate
    from edugov.indicators.adapter import sections_for
    from edugov.indicators.engine import Section, assess_county, load_scheme
    from edugov.indicators.models import IndicatorValueRecord
    from edugov.indicators.stored import _roots, recompute, recompute_for_school
    from edugov.lib.schoolyear import SchoolYear
    from edugov.registry.models import OrgUnit
    from edugov.stats.models import ClassSection, GradeEnrolment, SchoolYearStats, StudentRecord

    started = time.perf_counter()
    summary = generate(workdir / "input", seed=seed, scale=scale, year=year, fmt="csv")
    lines = summary.lines_zh()
    print(f"generated {scale} (seed {seed}) in {time.perf_counter() - started:.1f} s: "
          + "; ".join(line.strip() for line in lines[1:4]), flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    outcome = import_path(workdir / "input", actor=None)
    if not outcome.ok:
        print(f"import failed: {outcome.message}")
        return 1
    schools = OrgUnit.objects.filter(kind="school").count()
    print(f"migrated and imported into SQLite in {time.perf_counter() - started:.1f} s: "
          f"{OrgUnit.objects.count():,} units, {schools:,} schools, "
          f"{StudentRecord.objects.filter(year=year).count():,} pupil records", flush=True)

    # (a) every catalogue indicator for every unit, stored
    full_s, written = best(repeat, lambda: recompute(year))
    print(f"(a) full recompute: {written:,} values in {full_s:.3f} s", flush=True)

    # (b) the 7 resource indicators and their CVs with our adapter and engine
    scheme = load_scheme()
    on = SchoolYear(year).reference_date
    roots = _roots(year)

    def ours() -> dict[tuple[str, str, str], Decimal | None]:
        out: dict[tuple[str, str, str], Decimal | None] = {}
        for root in roots:
            for county in assess_county(sections_for(root, year, scheme=scheme), scheme, as_of=on):
                for c in county.cvs:
                    out[(county.county_id, county.section.value, c.code)] = c.value
        return out

    from edugov.indicators import adapter as adapter_module

    adapter_module._VIEWS.clear()
    cold_s, _ = best(1, ours)
    print(f"(b) ours, registry view not yet cached: {cold_s:.3f} s", flush=True)
    ours_s, ours_cv = best(repeat, ours)
    print(f"(b) ours (sections_for + assess_county): {len(ours_cv)} CVs in {ours_s:.3f} s", flush=True)
    read = [sections_for(root, year, scheme=scheme) for root in roots]

    def engine_only() -> dict[tuple[str, str, str], Decimal | None]:
        return {(county.county_id, county.section.value, c.code): c.value for sections in read
                for county in assess_county(sections, scheme, as_of=on) for c in county.cvs}

    engine_s, _ = best(repeat, engine_only)
    print(f"(b′) engine alone on the sections already read: {engine_s:.3f} s", flush=True)

    # (c) the limit: one DuckDB query over the same rows
    started = time.perf_counter()
    con = export_to_duckdb(year)
    print(f"    export SQLite → DuckDB (not timed): {time.perf_counter() - started:.1f} s", flush=True)
    sql = LIMIT_SQL.replace("$on", f"DATE '{on.isoformat()}'").replace("$year", str(year))
    limit_s, rows = best(repeat, lambda: con.execute(sql).fetchall())
    limit_cv = {(county, section, code): cv for county, section, code, cv in rows}
    print(f"(c) limit (one DuckDB SQL query): {len(limit_cv)} CVs in {limit_s:.3f} s", flush=True)

    keys = {k for k in ours_cv if k[0] and k[1] in (Section.PRIMARY.value, Section.JUNIOR.value)}
    mismatched = []
    worst = 0.0
    for key in sorted(keys | set(limit_cv)):
        a, b = ours_cv.get(key), limit_cv.get(key)
        if a is None or b is None:
            if (a is None) != (b is None):
                mismatched.append((key, a, b))
            continue
        if display(a) != display(b):
            mismatched.append((key, a, b))
        worst = max(worst, abs(float(a) - b) / float(a) if a else abs(b))

    # (d) one school's change, then the incremental recompute
    school = (OrgUnit.objects.filter(kind="school", versions__school_type_code="211").order_by("code").first()
              or OrgUnit.objects.filter(kind="school").order_by("code").first())
    assert school is not None
    timings = []
    for i in range(repeat):
        row = GradeEnrolment.objects.filter(unit=school, year=year).order_by("grade").first()
        if row is not None:
            GradeEnrolment.objects.filter(pk=row.pk).update(male=row.male + 3 + i)
        first = ClassSection.objects.filter(unit=school, year=year).order_by("pk").first()
        if first is not None:
            ClassSection.objects.filter(pk=first.pk).update(size=60 + i)
        SchoolYearStats.objects.filter(unit=school, year=year).update(operating_expenditure=Decimal(123456 + i))
        started = time.perf_counter()
        recompute_for_school(school, year)
        timings.append(time.perf_counter() - started)
    school_s = min(timings)
    fields = ("version", "element_versions", "fraction", "numerator", "denominator", "met", "reason")
    incremental = {(r["unit_id"], r["code"]): tuple(r[f] for f in fields)
                   for r in IndicatorValueRecord.objects.filter(year=year).values("unit_id", "code", *fields)}
    recompute(year)
    fresh = {(r["unit_id"], r["code"]): tuple(r[f] for f in fields)
             for r in IndicatorValueRecord.objects.filter(year=year).values("unit_id", "code", *fields)}

    ratio = ours_s / limit_s if limit_s else float("inf")
    print()
    named = next((k for k, v in GENERATOR_SCALE.items() if v == scale), scale)
    print(f"Indicators at {named} scale (generator '{scale}', seed {seed}, {year}): {schools:,} schools, "
          f"{OrgUnit.objects.count():,} units, SQLite, best of {repeat}")
    print(f"{'measure':62} {'seconds':>9}")
    print("-" * 72)
    codes = IndicatorValueRecord.objects.filter(year=year).values("code").distinct().count()
    print(f"{f'(a) ours: all {codes} catalogue indicators, all units, stored':62} {full_s:>9.3f}")
    print(f"{'(b) ours: 7 resource indicators + weighted CVs (adapter+engine)':62} {ours_s:>9.3f}")
    print(f"{'    the same, first run (registry view not yet cached)':62} {cold_s:>9.3f}")
    print(f"{'(b′) ours: the engine alone, inputs already in memory':62} {engine_s:>9.3f}")
    print(f"{'(c) limit: the same in one DuckDB SQL query':62} {limit_s:>9.3f}")
    print(f"{'(d) recompute_for_school after one school changed':62} {school_s:>9.3f}")
    print()
    verdict = "meets" if ratio <= GOAL_RATIO else "misses"
    print(f"ratio (b)/(c) = {ratio:.2f} ({verdict} the ≤ {GOAL_RATIO} goal); first run "
          f"{cold_s / limit_s if limit_s else float('inf'):.2f}; "
          f"in memory on both sides (b′)/(c) = {engine_s / limit_s if limit_s else float('inf'):.2f}")
    print(f"incremental {school_s:.3f} s ({'meets' if school_s < GOAL_INCREMENTAL_S else 'misses'} the "
          f"< {GOAL_INCREMENTAL_S} s goal); equal to a full recompute: {incremental == fresh}")
    print(f"CVs compared: {len(keys)} (county × section × indicator); agree to the displayed 3 places: "
          f"{len(keys) - len(mismatched)}; largest relative difference {worst:.1e} (DuckDB computes in DOUBLE)")
    for key, a, b in mismatched[:10]:
        print(f"  MISMATCH {key}: ours {a} limit {b}")
    return 0 if not mismatched and incremental == fresh else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=tuple(GENERATOR_SCALE), default="city",
                        help="city: ≈ 1,550 schools / 1.2 M pupils (the generator's metro); demo: the demo city")
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (input files, database)")
    args = parser.parse_args(argv)
    return run(GENERATOR_SCALE[args.scale], args.seed, args.year, args.repeat, args.keep)


if __name__ == "__main__":
    sys.exit(main())
