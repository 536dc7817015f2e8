"""Data-quality findings for one school year within a user's scope: what is missing, what looks wrong, and which
people seem to be recorded twice. The rules are deliberately simple and are explained on the page, so that a district
officer can tell a school exactly why a figure was flagged."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from edugov.core.scoping import UserScope
from edugov.lib.numbers import ratio
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.models import OrgUnit
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)
from edugov.web.queries import LARGE_CLASS, VERY_LARGE_CLASS, Tree, build_tree, top_unit_ids

# Each list shows at most this many findings; the count above it says how many there are in all.
LIMIT = 200

# Per-pupil outliers: a school is flagged when its figure lies outside median ± 3 × IQR of schools of the same
# category. The median and IQR are robust: one absurd value (a typo of 52300 for 5230) cannot hide itself by dragging
# the mean and standard deviation along. Fewer than five comparable schools give no meaningful spread.
IQR_FACTOR = 3
MIN_GROUP = 5

# A teacher's yearly training: the national requirement is 360 hours in five years; a long national programme may
# reach a few hundred hours in one year, but more than 500 is almost certainly a unit or typing error.
MAX_TRAINING_HOURS = Decimal(500)

# The usual age of a pupil on 1 September is 5 + grade (一年级 at 6), 小班 at 3. Pupils more than 2 years younger
# or 3 years older than that are flagged: early entry and repeating a year explain smaller gaps.
AGE_BELOW = 2
AGE_ABOVE = 3
_TYPICAL_AGE: dict[str, int] = {"K0": 2, "K1": 3, "K2": 4, "K3": 5, **{str(g): 5 + g for g in range(1, 13)}}


@dataclass
class Listing:
    """Some findings of one kind, the first LIMIT of them."""

    items: list
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)


def _listing(items: Sequence) -> Listing:
    return Listing(items=list(items[:LIMIT]), total=len(items))


@dataclass
class MissingRow:
    unit: OrgUnit
    name: str
    stats: bool
    enrolment: bool
    teachers: bool


@dataclass
class Outlier:
    unit: OrgUnit
    name: str
    measure: Promise
    value: Fraction
    low: Fraction
    high: Fraction
    median: Fraction


@dataclass
class AgeFinding:
    record: StudentRecord
    age: int
    typical: int


@dataclass
class PersonGroup:
    """Records that look like the same person: key shown to the user, and the records with their school."""

    key: str
    records: list = field(default_factory=list)


@dataclass
class Report:
    year: SchoolYear
    schools: int
    missing: Listing
    large_classes: Listing
    large_class_counts: tuple[int, int]
    outliers: Listing
    training: Listing
    ages: Listing
    duplicate_students: Listing
    duplicate_teachers: Listing
    reused_ids: Listing


def _school_ids(tree: Tree) -> list[int]:
    return sorted(u for u, unit in tree.units.items() if unit.kind == "school")


def missing_data(tree: Tree, school_ids: list[int], year: int) -> Listing:
    """Schools of the year's tree without 办学条件, without enrolment or without teacher figures. Three queries."""
    with_stats = set(SchoolYearStats.objects.filter(unit_id__in=school_ids, year=year)
                     .values_list("unit_id", flat=True))
    with_enrolment = set(GradeEnrolment.objects.filter(unit_id__in=school_ids, year=year)
                         .values_list("unit_id", flat=True).distinct())
    with_teachers = set(TeacherStats.objects.filter(unit_id__in=school_ids, year=year)
                        .values_list("unit_id", flat=True).distinct())
    rows = [MissingRow(unit=tree.units[s], name=tree.name(s), stats=s not in with_stats,
                       enrolment=s not in with_enrolment, teachers=s not in with_teachers) for s in school_ids]
    return _listing([r for r in rows if r.stats or r.enrolment or r.teachers])


def large_classes(school_ids: list[int], year: int) -> tuple[Listing, tuple[int, int]]:
    sections = (ClassSection.objects.filter(unit_id__in=school_ids, year=year, size__gte=LARGE_CLASS)
                .exclude(grade__startswith="K").select_related("unit").order_by("-size", "unit__code", "grade"))
    counts = sections.aggregate(n56=Count("id"), n66=Count("id", filter=Q(size__gte=VERY_LARGE_CLASS)))
    return Listing(items=list(sections[:LIMIT]), total=counts["n56"]), (counts["n56"], counts["n66"])


def _quantile(sorted_values: list[Fraction], q: Fraction) -> Fraction:
    """Linear interpolation between closest ranks (the method spreadsheets use for QUARTILE.INC)."""
    position = (len(sorted_values) - 1) * q
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def per_pupil_outliers(tree: Tree, school_ids: list[int], year: int) -> Listing:
    """Schools whose teaching area or sports area per pupil lies outside median ± 3×IQR of their category."""
    # Summed in Python: one row per grade and school is few rows, and it avoids a second grouped query shape.
    students: dict[int, int] = defaultdict(int)
    for row in GradeEnrolment.objects.filter(unit_id__in=school_ids, year=year).values("unit_id", "male", "female"):
        students[row["unit_id"]] += row["male"] + row["female"]
    measures: list[tuple[Promise, dict[int, Fraction]]] = [
        (_("生均教学及辅助用房面积"), {}), (_("生均体育运动场馆面积"), {})]
    for stats in SchoolYearStats.objects.filter(unit_id__in=school_ids, year=year):
        pupils = students.get(stats.unit_id, 0)
        if not pupils:
            continue
        if stats.teaching_area is not None:
            measures[0][1][stats.unit_id] = ratio(stats.teaching_area, pupils)  # type: ignore[assignment]
        if stats.sports_ground_area is not None:
            area = stats.sports_ground_area + (stats.gym_area or Decimal(0))
            measures[1][1][stats.unit_id] = ratio(area, pupils)  # type: ignore[assignment]
    findings: list[Outlier] = []
    for label, values in measures:
        groups: dict[str, list[int]] = defaultdict(list)
        for school_id in values:
            groups[tree.category(school_id)].append(school_id)
        for members in groups.values():
            if len(members) < MIN_GROUP:
                continue
            ordered = sorted(values[m] for m in members)
            q1, median, q3 = (_quantile(ordered, Fraction(n, 4)) for n in (1, 2, 3))
            spread = (q3 - q1) * IQR_FACTOR
            low, high = median - spread, median + spread
            findings.extend(Outlier(unit=tree.units[m], name=tree.name(m), measure=label, value=values[m], low=low,
                                    high=high, median=median)
                            for m in members if not low <= values[m] <= high)
    findings.sort(key=lambda o: (o.unit.code, str(o.measure)))
    return _listing(findings)


def implausible_training(school_ids: list[int], year: int) -> Listing:
    records = (TeacherRecord.objects.filter(unit_id__in=school_ids, year=year, training_hours__gt=MAX_TRAINING_HOURS)
               .select_related("unit").order_by("-training_hours", "staff_no"))
    return Listing(items=list(records[:LIMIT]), total=records.count())


def implausible_ages(school_ids: list[int], year: SchoolYear) -> Listing:
    """Pupils far from the usual age of their grade on the reference date, filtered in the database by birth date
    ranges (one condition per grade) so that no pupil rows are loaded needlessly."""
    on = year.reference_date
    condition = Q()
    for grade, typical in _TYPICAL_AGE.items():
        # Age on `on` is below typical-AGE_BELOW when born after the date (typical-AGE_BELOW) years earlier, and
        # above typical+AGE_ABOVE when born on or before the date (typical+AGE_ABOVE+1) years earlier.
        too_young_after = _years_before(on, typical - AGE_BELOW)
        too_old_until = _years_before(on, typical + AGE_ABOVE + 1)
        condition |= Q(grade=grade) & (Q(birth_date__gt=too_young_after) | Q(birth_date__lte=too_old_until))
    records = (StudentRecord.objects.filter(unit_id__in=school_ids, year=year.start_year).filter(condition)
               .select_related("unit").order_by("unit__code", "grade", "student_no"))
    total = records.count()
    items = [AgeFinding(record=r, age=_age(r.birth_date, on), typical=_TYPICAL_AGE[r.grade]) for r in records[:LIMIT]]
    return Listing(items=items, total=total)


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def duplicate_people(model: type[StudentRecord] | type[TeacherRecord], school_ids: list[int], year: int) -> Listing:
    """The same name, birth date and sex at two or more schools in the same year. Two queries."""
    records: QuerySet = model.objects.filter(unit_id__in=school_ids, year=year, birth_date__isnull=False)
    keys = list(records.order_by().values("name", "birth_date", "sex").annotate(schools=Count("unit", distinct=True))
                .filter(schools__gt=1).values_list("name", "birth_date", "sex")[: LIMIT + 1])
    total = len(keys)
    condition = Q(pk__in=[])
    for name, birth, sex in keys[:LIMIT]:
        condition |= Q(name=name, birth_date=birth, sex=sex)
    groups: dict[tuple, PersonGroup] = {}
    for record in records.filter(condition).select_related("unit").order_by("name", "birth_date", "unit__code"):
        key = (record.name, record.birth_date, record.sex)
        group = groups.setdefault(key, PersonGroup(key=f"{record.name}|{record.birth_date}|{record.sex}"))
        group.records.append(record)
    return Listing(items=list(groups.values()), total=total)


def reused_id_numbers(scope: UserScope) -> Listing:
    """The same ID number under different 学籍号 in any years, among pupils in scope. Two queries."""
    records = scope.filter(StudentRecord.objects.exclude(id_number=""), "unit")
    numbers = list(records.order_by().values("id_number").annotate(n=Count("student_no", distinct=True))
                   .filter(n__gt=1).values_list("id_number", flat=True)[: LIMIT + 1])
    groups: dict[str, PersonGroup] = {}
    for record in (records.filter(id_number__in=numbers[:LIMIT]).select_related("unit")
                   .order_by("id_number", "year", "student_no")):
        groups.setdefault(record.id_number, PersonGroup(key=record.id_number)).records.append(record)
    return Listing(items=list(groups.values()), total=len(numbers))


def report(scope: UserScope, year: SchoolYear) -> Report:
    """All findings for the year within the scope (about twenty queries, independent of the number of schools)."""
    on = year.reference_date
    tree = build_tree(scope, top_unit_ids(scope, on), on)
    school_ids = _school_ids(tree)
    y = year.start_year
    classes, class_counts = large_classes(school_ids, y)
    return Report(
        year=year,
        schools=len(school_ids),
        missing=missing_data(tree, school_ids, y),
        large_classes=classes,
        large_class_counts=class_counts,
        outliers=per_pupil_outliers(tree, school_ids, y),
        training=implausible_training(school_ids, y),
        ages=implausible_ages(school_ids, year),
        duplicate_students=duplicate_people(StudentRecord, school_ids, y),
        duplicate_teachers=duplicate_people(TeacherRecord, school_ids, y),
        reused_ids=reused_id_numbers(scope),
    )

