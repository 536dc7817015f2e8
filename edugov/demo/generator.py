"""Synthetic but realistic education data for a city (or a county, or a whole province) in the canonical format.

``generate(outdir, seed=…, scale=…, year=…, fmt=…)`` writes every table of :mod:`edugov.dataio.tables`: the
registry (city, districts and counties, towns, 教育集团/学区, schools and kindergartens), group memberships,
facilities of every school, population by age, pupils and teachers with person records, and — for a handful of
schools deliberately left without person records — aggregate enrolment, class and teacher tables.

Determinism: the same seed, scale, year and GENERATOR_VERSION give byte-identical files. All randomness comes from
:class:`edugov.demo.rng.Rng`; nothing depends on time, hashing or set order. Change GENERATOR_VERSION whenever a
change alters the output for an existing seed.

Memory: people are generated school by school and streamed to the sink, so the province scale (≈ 16 million
pupils) runs in bounded memory. Pure Python: no Django import, so it also runs outside the project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from edugov.dataio.tables import (
    CLASSES,
    ENROLMENT,
    MEMBERSHIPS,
    POPULATION,
    SCHOOL_STATS,
    STUDENTS,
    TABLES,
    TEACHER_STATS,
    TEACHERS,
    UNITS,
    Table,
)
from edugov.demo import vocab
from edugov.demo.people import IdNumbers, TeacherDraw, pupil_rows, teacher_draws
from edugov.demo.plan import (
    AGE_BANDS,
    SCALES,
    STAGE_GRADES,
    County,
    Plan,
    School,
    Section,
    Town,
    build_plan,
)
from edugov.demo.rng import Rng, derive_seed
from edugov.demo.sinks import Cell, CsvSink, Row, Sink, XlsxSink
from edugov.stats.grades import GRADE_LABELS

__all__ = ["DEFAULT_SEED", "FORMATS", "GENERATOR_VERSION", "GenerationSummary", "StudentFiles", "generate",
           "generate_students"]

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20240901
FORMATS = ("csv", "xlsx")

# The people rows are built positionally for speed; this is the layout they assume.
_STUDENT_FIELDS = ("year", "student_no", "id_number", "name", "sex", "birth_date", "ethnicity", "unit", "grade",
                   "class_name", "boarding", "residence", "left_behind", "disability", "hardship")
_TEACHER_FIELDS = ("year", "staff_no", "id_number", "name", "sex", "birth_date", "ethnicity", "unit", "stage",
                   "is_fulltime", "education_code", "title_code", "subject", "backbone_level", "has_certificate",
                   "training_hours")

_KIND_WORDS = {"city": "市", "county": "区县", "town": "镇街", "group": "教育集团", "zone": "学区", "school": "学校"}
_HIERARCHY_WORDS = {"group": "教育集团", "zone": "学区"}
_STAGE_WORDS = {"kindergarten": "学前", "primary": "小学", "junior": "初中", "senior": "高中"}
_AGE_BAND_WORDS = {"3-5": "3-5岁", "6-11": "6-11岁", "12-14": "12-14岁", "15-17": "15-17岁"}


@dataclass(frozen=True)
class GenerationSummary:
    """What was written: row counts per table (keyed by Table.key), files, and the shape of the place."""

    scale: str
    seed: int
    year: int
    fmt: str
    files: tuple[Path, ...]
    rows: Mapping[str, int]
    cities: int = 0
    counties: int = 0
    towns: int = 0
    schools: int = 0  # every unit of kind 学校: schools, kindergartens and 教学点
    kindergartens: int = 0
    teaching_points: int = 0
    groups: int = 0
    aggregate_only_schools: int = 0
    students: int = 0  # pupils with person records plus pupils in aggregate-only schools
    teachers: int = 0  # full-time teachers, with or without person records
    version: str = GENERATOR_VERSION

    def lines_zh(self) -> list[str]:
        """The summary as the generate command prints it."""
        lines = [
            f"已生成示范数据：规模 {self.scale}，随机种子 {self.seed}，{self.year}-{self.year + 1}学年，格式 "
            f"{self.fmt.upper()}（生成器版本 {self.version}）",
            f"  市 {self.cities} 个，区县 {self.counties} 个，镇街 {self.towns} 个，教育集团/学区 {self.groups} 个",
            f"  学校及幼儿园 {self.schools} 所（其中幼儿园 {self.kindergartens} 所、教学点 {self.teaching_points} 个，"
            f"仅有汇总数据的 {self.aggregate_only_schools} 所）",
            f"  在校生 {self.students:,} 人，专任教师 {self.teachers:,} 人",
            "  各表行数：",
        ]
        width = max(len(t.sheet) for t in TABLES)
        for table in TABLES:
            lines.append(f"    {table.sheet.ljust(width, '　')}  {self.rows.get(table.key, 0):>12,}")
        lines.append("  文件：")
        lines.extend(f"    {path}" for path in self.files)
        return lines


def _check_layout() -> None:
    for table, expected in ((STUDENTS, _STUDENT_FIELDS), (TEACHERS, _TEACHER_FIELDS)):
        actual = tuple(c.field for c in table.columns)
        if actual != expected:
            raise RuntimeError(f"表“{table.sheet}”的列已变化，请同步更新 edugov/demo/people.py：{actual}")


class _Writer:
    """Counts rows per table on their way to the sink."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.rows: dict[str, int] = {t.key: 0 for t in TABLES}

    def write(self, table: Table, row: Row) -> None:
        self.sink.write(table, row)
        self.rows[table.key] += 1

    def write_fields(self, table: Table, values: Mapping[str, Cell]) -> None:
        self.write(table, [values.get(c.field) for c in table.columns])


def _open_sink(outdir: Path, fmt: str, name: str, year: int, tables: Iterable[Table] = TABLES) -> Sink:
    if fmt == "csv":
        return CsvSink(outdir, tuple(tables))
    if fmt == "xlsx":
        return XlsxSink(outdir / name, stamp=date(year, 9, 1), tables=tuple(tables))
    raise ValueError(f"未知的格式“{fmt}”，可选：csv、xlsx")


def generate(outdir: Path, *, seed: int = DEFAULT_SEED, scale: str = "city", year: int = 2024, fmt: str = "csv"
             ) -> GenerationSummary:
    """Writes the synthetic place of the given scale to ``outdir`` (CSV files named after the sheets, or one
    workbook ``demo_<scale>_<year>.xlsx``) and returns what was written."""
    if scale not in SCALES:
        raise ValueError(f"未知的规模“{scale}”，可选：{'、'.join(SCALES)}")
    if scale == "province" and fmt != "csv":
        raise ValueError("省级规模数据量过大（约1600万行），只能生成CSV")
    _check_layout()
    plan = build_plan(scale, seed=seed, year=year)
    outdir = Path(outdir)
    writer = _Writer(_open_sink(outdir, fmt, f"demo_{scale}_{year}.xlsx", year))
    _write_registry(writer, plan)
    _write_population(writer, plan)
    ids = IdNumbers(seed, year)
    origins = _migrant_origins(plan)
    staff_regions = tuple(sorted({c.code for c in plan.counties()})) + vocab.MIGRANT_ORIGINS[:5]
    students = teachers = 0
    for school in plan.schools():
        _write_school_stats(writer, plan, school)
        draws = teacher_draws(school, year=year, seed=seed, ids=ids, staff_regions=staff_regions)
        if school.person_records:
            for row in pupil_rows(school, year=year, seed=seed, ids=ids, migrant_origins=origins):
                writer.write(STUDENTS, row)
            for teacher in draws:
                writer.write(TEACHERS, teacher.row(year, school.code))
        else:
            _write_aggregates(writer, plan, school, list(draws))
        students += school.enrolment
        teachers += school.teachers
    files = writer.sink.close()
    schools = list(plan.schools())
    return GenerationSummary(
        scale=scale, seed=seed, year=year, fmt=fmt, files=tuple(files), rows=dict(writer.rows),
        cities=len(plan.cities), counties=sum(1 for _ in plan.counties()),
        towns=sum(len(c.towns) for c in plan.counties()), schools=len(schools),
        kindergartens=sum(1 for s in schools if s.type_code == "111"),
        teaching_points=sum(1 for s in schools if s.type_code == "218"), groups=len(plan.groups),
        aggregate_only_schools=sum(1 for s in schools if not s.person_records), students=students, teachers=teachers,
    )


def _migrant_origins(plan: Plan) -> tuple[str, ...]:
    """Where 随迁子女 are registered: other provinces' and other cities' counties, and this place's own rural
    counties (moving from a county to the city also makes a child 随迁)."""
    rural = tuple(c.code for c in plan.counties() if not c.spec.is_district)
    return vocab.MIGRANT_ORIGINS + rural


# -- registry -----------------------------------------------------------------------------------------------------


def _write_registry(writer: _Writer, plan: Plan) -> None:
    """机构 rows parent before child: cities, counties, 教育集团/学区, towns, schools; then the memberships."""
    for city in plan.cities:
        writer.write_fields(UNITS, {"code": city.code, "name": city.name, "kind": _KIND_WORDS["city"],
                                    "division_code": city.code, "opened_on": city.opened_on,
                                    "effective_on": city.opened_on})
    for county in plan.counties():
        writer.write_fields(UNITS, {"code": county.code, "name": county.name, "kind": _KIND_WORDS["county"],
                                    "parent": f"{county.code[:4]}00", "division_code": county.code,
                                    "stat_division_code": f"{county.code}000000", "opened_on": county.opened_on,
                                    "effective_on": county.opened_on})
    for group in plan.groups:
        writer.write_fields(UNITS, {"code": group.code, "name": group.name, "kind": _KIND_WORDS[group.hierarchy],
                                    "parent": group.county.code, "division_code": group.county.code,
                                    "opened_on": group.opened_on, "effective_on": group.opened_on})
    for county in plan.counties():
        for town in county.towns:
            _write_town(writer, county, town)
    for school in plan.schools():
        writer.write_fields(UNITS, {
            "code": school.code, "name": school.name, "kind": _KIND_WORDS["school"], "parent": school.town.code,
            "school_type_code": school.type_code, "urban_rural_code": school.urban_rural,
            "sponsor_code": school.sponsor, "ownership": "公办" if school.public else "民办",
            "is_inclusive": None if school.inclusive is None else ("是" if school.inclusive else "否"),
            "division_code": school.county.code, "stat_division_code": school.stat_code, "address": school.address,
            "opened_on": school.opened_on, "effective_on": school.opened_on,
        })
    for group in plan.groups:
        for member in group.members:
            writer.write_fields(MEMBERSHIPS, {"unit": member.code, "hierarchy": _HIERARCHY_WORDS[group.hierarchy],
                                              "parent": group.code, "effective_on": group.opened_on})


def _write_town(writer: _Writer, county: County, town: Town) -> None:
    writer.write_fields(UNITS, {"code": town.code, "name": town.name, "kind": _KIND_WORDS["town"],
                                "parent": county.code, "urban_rural_code": town.urban_rural,
                                "division_code": county.code, "stat_division_code": f"{town.code}000",
                                "opened_on": town.opened_on, "effective_on": town.opened_on})


def _write_population(writer: _Writer, plan: Plan) -> None:
    for county in plan.counties():
        for band, ages in AGE_BANDS:
            writer.write_fields(POPULATION, {"year": plan.year, "unit": county.code,
                                             "age_band": _AGE_BAND_WORDS[band],
                                             "population": county.population_band(ages)})


def _write_school_stats(writer: _Writer, plan: Plan, school: School) -> None:
    stats = school.stats
    if stats is None:
        return
    writer.write_fields(SCHOOL_STATS, {
        "year": plan.year, "unit": school.code, "teaching_area": stats.teaching_area,
        "sports_ground_area": stats.sports_ground_area, "gym_area": stats.gym_area,
        "equipment_value": stats.equipment_value, "multimedia_classrooms": stats.multimedia_classrooms,
        "library_books": stats.library_books, "music_rooms": stats.music_rooms, "art_rooms": stats.art_rooms,
        "operating_expenditure": stats.operating_expenditure,
    })


# -- aggregate-only schools ----------------------------------------------------------------------------------------


def _write_aggregates(writer: _Writer, plan: Plan, school: School, teachers: list[TeacherDraw]) -> None:
    """分年级在校生, 班级 and 专任教师统计 for a school without person records, as a county would report it."""
    rng = Rng(derive_seed(plan.seed, "aggregates", school.code))
    for section in school.sections:
        for grade in section.grades:
            sizes = section.classes[grade]
            if not sizes:
                continue
            pupils = sum(sizes)
            male = rng.binomial(pupils, 0.52)
            writer.write_fields(ENROLMENT, {"year": plan.year, "unit": school.code, "grade": GRADE_LABELS[grade],
                                            "male": male, "female": pupils - male})
            for number, size in enumerate(sizes, start=1):
                writer.write_fields(CLASSES, {"year": plan.year, "unit": school.code, "grade": GRADE_LABELS[grade],
                                              "name": f"{number}班", "size": size})
        fulltime = [t for t in teachers if t.fulltime and t.stage == section.stage]
        if fulltime:
            writer.write_fields(TEACHER_STATS, {"year": plan.year, "unit": school.code,
                                                "stage": _STAGE_WORDS[section.stage], **_teacher_totals(fulltime)})


def _teacher_totals(teachers: list[TeacherDraw]) -> dict[str, Cell]:
    """The 专任教师统计 columns summed from teacher draws, with the bands the statistics use (GB/T 4658 prefix)."""

    def count(predicate: Callable[[TeacherDraw], bool]) -> int:
        return sum(1 for t in teachers if predicate(t))

    return {
        "fulltime": len(teachers),
        "female": count(lambda t: not t.male),
        "edu_postgraduate": count(lambda t: t.education[0] == "1"),
        "edu_bachelor": count(lambda t: t.education[0] == "2"),
        "edu_associate": count(lambda t: t.education[0] == "3"),
        "edu_below_associate": count(lambda t: t.education[0] not in "123"),
        "backbone_county": count(lambda t: t.backbone == "县级"),
        "backbone_city": count(lambda t: t.backbone == "市级"),
        "backbone_province": count(lambda t: t.backbone in ("省级", "国家级")),
        "pe_teachers": count(lambda t: t.subject == "体育"),
        "music_teachers": count(lambda t: t.subject == "音乐"),
        "art_teachers": count(lambda t: t.subject == "美术"),
        "certified": count(lambda t: t.certified),
        "training_hours": Decimal(sum(t.training_hours for t in teachers)),
    }


# -- bench input ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentFiles:
    """A registry file (city, county, town, primary schools) and a 学生 file holding exactly ``rows`` pupils."""

    registry: Path
    students: Path
    rows: int
    schools: int = 0


def generate_students(outdir: Path, *, rows: int, seed: int = DEFAULT_SEED, year: int = 2024, fmt: str = "csv"
                      ) -> StudentFiles:
    """Input for the import benchmark: ``rows`` pupils with person records in 48-class primary schools of one county
    of 示范市, drawn by the same code as :func:`generate`. The registry and the pupils go to separate outputs so
    that the pupils can be imported (and timed) on their own."""
    _check_layout()
    plan = build_plan("tiny", seed=seed, year=year)
    county = next(iter(plan.counties()))
    town = next(t for t in county.towns if t.kind == "street")
    per_class, classes_per_grade = 50, 8
    schools: list[School] = []
    remaining = rows
    while remaining > 0:
        number = len(schools) + 1
        section = Section("primary", STAGE_GRADES["primary"], 1.0)
        for grade in section.grades:
            sizes = []
            for _ in range(classes_per_grade):
                size = min(per_class, remaining)
                if size:
                    sizes.append(size)
                remaining -= size
            section.classes[grade] = sizes
        schools.append(School(
            code=f"2137{900000 + number:06d}", name=f"{county.name}基准测试第{number}小学", type_code="211",
            county=county, town=town, urban_rural="111", sponsor="831", stat_code=f"{town.code}001",
            address=f"{county.name}{town.name}", opened_on=date(2000, 9, 1), sections=[section],
        ))
    suffix = "csv" if fmt == "csv" else "xlsx"
    registry_dir, students_dir = Path(outdir) / f"registry-{suffix}", Path(outdir) / f"students-{suffix}"
    registry = _Writer(_open_sink(registry_dir, fmt, "registry.xlsx", year, (UNITS,)))
    for city in plan.cities:
        registry.write_fields(UNITS, {"code": city.code, "name": city.name, "kind": _KIND_WORDS["city"],
                                      "division_code": city.code, "opened_on": city.opened_on,
                                      "effective_on": city.opened_on})
    registry.write_fields(UNITS, {"code": county.code, "name": county.name, "kind": _KIND_WORDS["county"],
                                  "parent": f"{county.code[:4]}00", "division_code": county.code,
                                  "opened_on": county.opened_on, "effective_on": county.opened_on})
    _write_town(registry, county, town)
    for school in schools:
        registry.write_fields(UNITS, {
            "code": school.code, "name": school.name, "kind": _KIND_WORDS["school"], "parent": town.code,
            "school_type_code": "211", "urban_rural_code": "111", "sponsor_code": "831", "ownership": "公办",
            "division_code": county.code, "stat_division_code": school.stat_code, "address": school.address,
            "opened_on": school.opened_on, "effective_on": school.opened_on,
        })
    registry_files = registry.sink.close()
    pupils = _Writer(_open_sink(students_dir, fmt, "students.xlsx", year, (STUDENTS,)))
    ids = IdNumbers(seed, year)
    origins = _migrant_origins(plan)
    for school in schools:
        for row in pupil_rows(school, year=year, seed=seed, ids=ids, migrant_origins=origins):
            pupils.write(STUDENTS, row)
    student_files = pupils.sink.close()
    return StudentFiles(registry=registry_files[0], students=student_files[0], rows=pupils.rows["students"],
                        schools=len(schools))
