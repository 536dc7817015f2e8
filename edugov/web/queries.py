"""Read-side queries behind the web pages: the year's org tree, counts per unit, and a school's annual data.

Everything starts from a UserScope and a school year. The tree is the administrative hierarchy as it stood on the
year's reference date (1 September), intersected with the user's scope (which follows today's tree), so that a
school moved or closed later is still counted where it was that year, and nobody sees a unit outside their scope.

Counts are computed with a fixed number of queries whatever the size of the tree: the subtree is fetched once, the
statistics are grouped by school in the database, and the roll-up to towns and districts happens in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from edugov.core.scoping import UserScope, descendant_ids
from edugov.lib import codelists
from edugov.lib.numbers import per_hundred, ratio
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.choices import HierarchyCode, UnitKind
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitEvent, OrgUnitVersion
from edugov.registry.queries import parents_on, versions_on
from edugov.stats.grades import GRADE_ORDER
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

# 大班额 thresholds of the national class-size policy: 56+ is a large class, 66+ a very large one.
LARGE_CLASS = 56
VERY_LARGE_CLASS = 66

# Which 办学类型代码 count as which kind of school on the dashboard. 附设班 (119, 219, 319, 349, 368, 519) are classes
# attached to another school, not schools, so they fall under 其他 rather than inflating the school counts.
SCHOOL_CATEGORIES: tuple[tuple[str, Promise, frozenset[str]], ...] = (
    ("primary", _("小学"), frozenset({"211"})),
    ("junior", _("初中"), frozenset({"311", "321"})),
    ("nine_year", _("九年一贯制"), frozenset({"312"})),
    ("complete", _("完全中学"), frozenset({"341"})),
    ("senior", _("高中"), frozenset({"342"})),
    ("twelve_year", _("十二年一贯制"), frozenset({"345"})),
    ("vocational", _("中职"), frozenset({"361", "362", "363", "364", "365", "366", "369"})),
    ("special", _("特殊教育"), frozenset({"511", "512", "513", "514"})),
    ("kindergarten", _("幼儿园"), frozenset({"111"})),
    ("teaching_point", _("教学点"), frozenset({"218"})),
    ("other", _("其他"), frozenset()),
)
_CATEGORY_BY_CODE = {code: key for key, _label, codes in SCHOOL_CATEGORIES for code in codes}
CATEGORY_LABELS: dict[str, Promise] = {key: label for key, label, _codes in SCHOOL_CATEGORIES}

_KIND_ORDER: dict[str, int] = {str(kind): index for index, kind in enumerate(
    (UnitKind.CITY, UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.ZONE, UnitKind.GROUP,
     UnitKind.SCHOOL))}

# Class-size histogram buckets (inclusive bounds). The last two start exactly at the 大班额 thresholds.
CLASS_SIZE_BUCKETS: tuple[tuple[int | None, int | None], ...] = (
    (None, 25), (26, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 65), (66, None),
)


def school_category(school_type_code: str) -> str:
    return _CATEGORY_BY_CODE.get(school_type_code, "other")


def code_name(list_name: str, code: str) -> str:
    """The Chinese name of a national code, or "" when the code is empty or unknown (shown as the bare code)."""
    if not code:
        return ""
    entry = codelists.load(list_name).get(code)
    return entry.name if entry is not None else ""


def urban_rural_category(code: str) -> str:
    entry = codelists.load("urban_rural").get(code) if code else None
    return entry.extra.get("category", "") if entry is not None else ""


def _valid_on(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__gt=on) | Q(valid_to__isnull=True))


def _not_kindergarten() -> Q:
    # 大班额 is a primary/secondary notion; kindergarten classes (grades K0–K3) have their own, smaller limits.
    return ~Q(grade__startswith="K")


# --- the year's tree ---------------------------------------------------------------------------------------------


@dataclass
class Tree:
    """The part of the administrative tree a user may see, as it stood on one date."""

    on: dt.date
    units: dict[int, OrgUnit]
    versions: dict[int, OrgUnitVersion]
    children: dict[int, list[int]]
    roots: list[int]

    def name(self, unit_id: int) -> str:
        version = self.versions.get(unit_id)
        return version.name if version is not None else self.units[unit_id].name

    def below(self, unit_id: int) -> list[int]:
        """The unit and everything under it in this tree."""
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.children.get(current, ()))
        return found

    def schools_below(self, unit_id: int) -> list[int]:
        return [u for u in self.below(unit_id) if self.units[u].kind == UnitKind.SCHOOL]

    def category(self, unit_id: int) -> str:
        version = self.versions.get(unit_id)
        return school_category(version.school_type_code if version else "")


def top_unit_ids(scope: UserScope, on: dt.date) -> list[int]:
    """Where the user's view starts: the units they hold roles at, or, for superusers, the tops of the tree."""
    if not scope.everything:
        return sorted(scope.root_ids)
    has_parent = OrgLink.objects.filter(_valid_on(on), hierarchy=HierarchyCode.ADMIN).values("child_id")
    tops = OrgUnit.objects.active_at(on).exclude(pk__in=has_parent).exclude(kind__in=(UnitKind.ZONE, UnitKind.GROUP))
    return list(tops.values_list("pk", flat=True))


def build_tree(scope: UserScope, root_ids: Iterable[int], on: dt.date, hierarchy: str = HierarchyCode.ADMIN) -> Tree:
    """The subtree under the roots on the date, limited to the scope. Four queries."""
    roots = list(root_ids)
    ids = descendant_ids(roots, on=on, hierarchy=hierarchy)
    if not scope.everything:
        ids = ids & scope.unit_ids
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids).active_at(on)}
    parents = parents_on(units, on, hierarchy=hierarchy)
    versions = versions_on(units, on)
    children: dict[int, list[int]] = defaultdict(list)
    for child, parent in parents.items():
        if parent in units and child in units:
            children[parent].append(child)
    for kids in children.values():
        kids.sort(key=lambda u: (_KIND_ORDER.get(units[u].kind, 99), units[u].code))
    # A role inside another role's subtree adds nothing to show.
    top = [r for r in dict.fromkeys(roots) if r in units and parents.get(r) not in units]
    return Tree(on=on, units=units, versions=versions, children=dict(children), roots=top)


# --- counts ------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The headline numbers of a school or of all schools under a unit for one year."""

    students: int = 0
    classes: int = 0
    classes_56: int = 0
    classes_66: int = 0
    teachers: int = 0

    def add(self, other: Figures) -> None:
        self.students += other.students
        self.classes += other.classes
        self.classes_56 += other.classes_56
        self.classes_66 += other.classes_66
        self.teachers += other.teachers


def figures_by_school(school_ids: Sequence[int], years: Sequence[int]) -> dict[tuple[int, int], Figures]:
    """(year, school id) → Figures, from three grouped queries."""
    result: dict[tuple[int, int], Figures] = defaultdict(Figures)
    if not school_ids or not years:
        return result
    where = {"unit_id__in": list(school_ids), "year__in": list(years)}
    for row in (GradeEnrolment.objects.filter(**where).order_by().values("year", "unit_id")
                .annotate(n=Sum(F("male") + F("female")))):
        result[(row["year"], row["unit_id"])].students = row["n"] or 0
    for row in (ClassSection.objects.filter(**where).order_by().values("year", "unit_id").annotate(
            n=Count("id"),
            n56=Count("id", filter=Q(size__gte=LARGE_CLASS) & _not_kindergarten()),
            n66=Count("id", filter=Q(size__gte=VERY_LARGE_CLASS) & _not_kindergarten()))):
        figures = result[(row["year"], row["unit_id"])]
        figures.classes, figures.classes_56, figures.classes_66 = row["n"], row["n56"], row["n66"]
    for row in TeacherStats.objects.filter(**where).order_by().values("year", "unit_id").annotate(n=Sum("fulltime")):
        result[(row["year"], row["unit_id"])].teachers = row["n"] or 0
    return result


@dataclass
class UnitSummary:
    """One row of a dashboard: a unit, its schools by category and the figures of all schools under it."""

    unit: OrgUnit
    name: str
    schools: dict[str, int] = field(default_factory=dict)
    figures: Figures = field(default_factory=Figures)

    @property
    def school_total(self) -> int:
        return sum(self.schools.values())


def summarize(tree: Tree, unit_id: int, per_school: dict[tuple[int, int], Figures], year: int) -> UnitSummary:
    summary = UnitSummary(unit=tree.units[unit_id], name=tree.name(unit_id))
    for school_id in tree.schools_below(unit_id):
        category = tree.category(school_id)
        summary.schools[category] = summary.schools.get(category, 0) + 1
        if (year, school_id) in per_school:
            summary.figures.add(per_school[(year, school_id)])
    return summary


@dataclass
class Section:
    """A unit with its own totals and one row per child unit."""

    total: UnitSummary
    children: list[UnitSummary]
    categories: list[tuple[str, Promise]]


def _categories_present(summaries: Iterable[UnitSummary]) -> list[tuple[str, Promise]]:
    present = {key for s in summaries for key, n in s.schools.items() if n}
    return [(key, label) for key, label, _codes in SCHOOL_CATEGORIES if key in present]


def section_for(tree: Tree, unit_id: int, year: SchoolYear) -> Section:
    """Totals of a unit and of each of its administrative children for the year. Three queries."""
    per_school = figures_by_school(tree.schools_below(unit_id), [year.start_year])
    # 学区 and 教育集团 sit in the administrative tree without schools of their own; they are not rows here (their
    # own pages count their member schools). A bureau's offices have no schools at all.
    child_ids = [c for c in tree.children.get(unit_id, [])
                 if tree.units[c].kind not in (UnitKind.ZONE, UnitKind.GROUP, UnitKind.DEPARTMENT)]
    total = summarize(tree, unit_id, per_school, year.start_year)
    children = [summarize(tree, c, per_school, year.start_year) for c in child_ids]
    return Section(total=total, children=children, categories=_categories_present([total]))


def class_size_distribution(school_ids: Sequence[int], year: SchoolYear) -> list[tuple[str, int, int | None]]:
    """(label, number of classes, lower bound) per histogram bucket, for primary and secondary classes. One query."""
    aggregates = {}
    for index, (low, high) in enumerate(CLASS_SIZE_BUCKETS):
        condition = Q()
        if low is not None:
            condition &= Q(size__gte=low)
        if high is not None:
            condition &= Q(size__lte=high)
        aggregates[f"b{index}"] = Count("id", filter=condition)
    counts = (ClassSection.objects.filter(unit_id__in=list(school_ids), year=year.start_year)
              .filter(_not_kindergarten()).aggregate(**aggregates)) if school_ids else {}
    rows = []
    for index, (low, high) in enumerate(CLASS_SIZE_BUCKETS):
        label = f"≤{high}" if low is None else (f"≥{low}" if high is None else f"{low}–{high}")
        rows.append((label, counts.get(f"b{index}", 0) or 0, low))
    return rows


def students_by_grade(school_id: int, year: SchoolYear) -> list[tuple[str, int, int]]:
    """(grade code, male, female) in grade order for one school. One query."""
    rows = {e.grade: e for e in GradeEnrolment.objects.filter(unit_id=school_id, year=year.start_year)}
    return [(g, rows[g].male, rows[g].female) for g in GRADE_ORDER if g in rows]


# --- org tree browsing -------------------------------------------------------------------------------------------


@dataclass
class Node:
    unit: OrgUnit
    version: OrgUnitVersion | None
    child_count: int
    parent_name: str = ""
    # Filled for nodes shown open on arrival (the user's own units); others load their children on demand.
    children: list[Node] | None = None

    @property
    def name(self) -> str:
        return self.version.name if self.version is not None else self.unit.name

    @property
    def school_type(self) -> str:
        return self.version.school_type_code if self.version is not None else ""

    @property
    def urban_rural(self) -> str:
        return self.version.urban_rural_code if self.version is not None else ""


def hierarchy_below(unit: OrgUnit) -> str:
    # A 学区 or 教育集团 lists its member schools, which hang under it in its own hierarchy.
    below: dict[str, str] = {UnitKind.ZONE: HierarchyCode.ZONE, UnitKind.GROUP: HierarchyCode.GROUP}
    return below.get(unit.kind, HierarchyCode.ADMIN)


def _child_counts(units: Sequence[OrgUnit], scope: UserScope, on: dt.date) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    by_hierarchy: dict[str, list[int]] = defaultdict(list)
    for unit in units:
        by_hierarchy[hierarchy_below(unit)].append(unit.pk)
    for hierarchy, parent_ids in by_hierarchy.items():
        links = OrgLink.objects.filter(_valid_on(on), hierarchy=hierarchy, parent_id__in=parent_ids)
        links = links.filter(Q(child__opened_on__lte=on) | Q(child__opened_on__isnull=True))
        links = links.filter(Q(child__closed_on__gt=on) | Q(child__closed_on__isnull=True))
        if not scope.everything:
            links = links.filter(child_id__in=scope.unit_ids)
        for row in links.order_by().values("parent_id").annotate(n=Count("child_id")):
            counts[row["parent_id"]] = row["n"]
    return counts


def nodes(units: Sequence[OrgUnit], scope: UserScope, on: dt.date, *, with_parents: bool = False) -> list[Node]:
    """Tree nodes for the units: their attributes on the date and how many visible children they have."""
    versions = versions_on([u.pk for u in units], on)
    counts = _child_counts(units, scope, on)
    parent_names: dict[int, str] = {}
    if with_parents:
        parents = parents_on([u.pk for u in units], on)
        parent_versions = versions_on(set(parents.values()), on)
        parent_names = {child: parent_versions[p].name for child, p in parents.items() if p in parent_versions}
    return [Node(unit=u, version=versions.get(u.pk), child_count=counts.get(u.pk, 0),
                 parent_name=parent_names.get(u.pk, "")) for u in units]


def child_units(unit: OrgUnit, scope: UserScope, on: dt.date) -> list[OrgUnit]:
    child_ids = OrgLink.objects.filter(_valid_on(on), hierarchy=hierarchy_below(unit), parent=unit).values("child_id")
    children = scope.filter(OrgUnit.objects.filter(pk__in=child_ids).active_at(on), "pk")
    return sorted(children, key=lambda u: (_KIND_ORDER.get(u.kind, 99), u.code))


def top_units(scope: UserScope, on: dt.date) -> list[OrgUnit]:
    units = OrgUnit.objects.filter(pk__in=top_unit_ids(scope, on)).active_at(on)
    return sorted(units, key=lambda u: (_KIND_ORDER.get(u.kind, 99), u.code))


def search_units(scope: UserScope, on: dt.date, *, text: str = "", kind: str = "", category: str = "",
                 area: str = "") -> QuerySet[OrgUnit]:
    """Units in scope active on the date, matching a name or code fragment and filters on the attributes valid then.

    `category` is a dashboard school category, `area` one of 城区/镇区/乡村."""
    units = scope.filter(OrgUnit.objects.active_at(on), "pk")
    if kind:
        units = units.filter(kind=kind)
    versions = OrgUnitVersion.objects.filter(_valid_on(on))
    filtered = False
    if text:
        versions = versions.filter(Q(name__icontains=text) | Q(unit__code__startswith=text))
        filtered = True
    if category:
        codes = [c for c in _CATEGORY_BY_CODE if _CATEGORY_BY_CODE[c] == category]
        if category == "other":
            versions = versions.filter(unit__kind=UnitKind.SCHOOL).exclude(school_type_code__in=list(_CATEGORY_BY_CODE))
        else:
            versions = versions.filter(school_type_code__in=codes)
        filtered = True
    if area:
        codes = [e.code for e in codelists.load("urban_rural").where("category", area)]
        versions = versions.filter(urban_rural_code__in=codes)
        filtered = True
    if filtered:
        units = units.filter(pk__in=versions.values("unit_id"))
    return units.order_by("code")


# --- a unit's page -----------------------------------------------------------------------------------------------


@dataclass
class Membership:
    hierarchy: str
    parent: OrgUnit
    valid_from: dt.date
    valid_to: dt.date | None
    visible: bool


def memberships(unit: OrgUnit, scope: UserScope, on: dt.date) -> list[Membership]:
    """The 学区 and 教育集团 the unit belonged to on the date."""
    links = (OrgLink.objects.filter(_valid_on(on), child=unit).exclude(hierarchy=HierarchyCode.ADMIN)
             .select_related("parent").order_by("hierarchy", "valid_from"))
    return [Membership(hierarchy=link.hierarchy, parent=link.parent, valid_from=link.valid_from,
                       valid_to=link.valid_to, visible=scope.contains(link.parent_id)) for link in links]


@dataclass
class Crumb:
    unit: OrgUnit
    name: str
    visible: bool


def breadcrumb(unit: OrgUnit, scope: UserScope, on: dt.date) -> list[Crumb]:
    """The administrative ancestors on the date, top first; one query per level (the tree is at most four deep).
    Ancestors outside the scope are shown by name only."""
    chain: list[Crumb] = []
    seen = {unit.pk}
    current = unit
    while True:
        link = (OrgLink.objects.filter(_valid_on(on), hierarchy=HierarchyCode.ADMIN, child=current)
                .select_related("parent").first())
        if link is None or link.parent_id in seen:
            break
        version = versions_on([link.parent_id], on).get(link.parent_id)
        chain.append(Crumb(unit=link.parent, name=version.name if version else link.parent.name,
                           visible=scope.contains(link.parent_id)))
        seen.add(link.parent_id)
        current = link.parent
    return list(reversed(chain))


@dataclass
class PerPupil:
    label: Promise
    value: Fraction | None
    unit_label: Promise
    places: int = 2


@dataclass
class SchoolYearData:
    """Everything recorded about one school for one year."""

    stats: SchoolYearStats | None
    enrolment: Sequence[GradeEnrolment]
    classes: Sequence[ClassSection]
    teachers: Sequence[TeacherStats]
    per_pupil: list[PerPupil]

    @property
    def students(self) -> int:
        return sum(e.total for e in self.enrolment)

    @property
    def male(self) -> int:
        return sum(e.male for e in self.enrolment)

    @property
    def female(self) -> int:
        return sum(e.female for e in self.enrolment)

    @property
    def fulltime_teachers(self) -> int:
        return sum(t.fulltime for t in self.teachers)

    @property
    def large_classes(self) -> int:
        return sum(1 for c in self.classes if class_size_level(c) is not None)

    @staticmethod
    def _sources(rows: Iterable[GradeEnrolment | ClassSection | TeacherStats]) -> list[str]:
        return sorted({r.get_source_display() for r in rows})

    @property
    def enrolment_sources(self) -> list[str]:
        return self._sources(self.enrolment)

    @property
    def class_sources(self) -> list[str]:
        return self._sources(self.classes)

    @property
    def teacher_sources(self) -> list[str]:
        return self._sources(self.teachers)


def class_size_level(section: ClassSection) -> int | None:
    """66 or 56 for a large primary/secondary class, None otherwise."""
    if section.grade.startswith("K"):
        return None
    if section.size >= VERY_LARGE_CLASS:
        return VERY_LARGE_CLASS
    if section.size >= LARGE_CLASS:
        return LARGE_CLASS
    return None


def _grade_rank() -> Case:
    return Case(*[When(grade=g, then=Value(i)) for i, g in enumerate(GRADE_ORDER)], default=Value(99),
                output_field=IntegerField())


def per_pupil_figures(stats: SchoolYearStats | None, students: int) -> list[PerPupil]:
    """The per-pupil resource figures of the 优质均衡 standards, as exact fractions (None when a part is missing)."""

    def each(value: Decimal | int | None) -> Fraction | None:
        return ratio(value, students) if value is not None and students else None

    sports: Decimal | None = None
    if stats is not None and stats.sports_ground_area is not None:
        sports = stats.sports_ground_area + (stats.gym_area or Decimal(0))
    multimedia = stats.multimedia_classrooms if stats is not None else None
    return [
        PerPupil(_("生均教学及辅助用房面积"), each(stats.teaching_area if stats else None), _("平方米")),
        PerPupil(_("生均体育运动场馆面积"), each(sports), _("平方米")),
        PerPupil(_("生均教学仪器设备值"), each(stats.equipment_value if stats else None), _("元")),
        PerPupil(_("每百名学生拥有网络多媒体教室数"),
                 per_hundred(multimedia, students) if multimedia is not None and students else None, _("间")),
        PerPupil(_("生均图书"), each(stats.library_books if stats else None), _("册")),
        PerPupil(_("生均公用经费支出"), each(stats.operating_expenditure if stats else None), _("元")),
    ]


def school_year_data(unit: OrgUnit, year: SchoolYear) -> SchoolYearData:
    """A school's annual tables for one year. Four queries."""
    y = year.start_year
    stats = SchoolYearStats.objects.filter(unit=unit, year=y).first()
    enrolment = list(GradeEnrolment.objects.filter(unit=unit, year=y).annotate(rank=_grade_rank())
                     .order_by("rank", "grade"))
    classes = list(ClassSection.objects.filter(unit=unit, year=y).annotate(rank=_grade_rank()).order_by("rank", "name"))
    teachers = list(TeacherStats.objects.filter(unit=unit, year=y).order_by("stage"))
    students = sum(e.total for e in enrolment)
    return SchoolYearData(stats=stats, enrolment=enrolment, classes=classes, teachers=teachers,
                          per_pupil=per_pupil_figures(stats, students))


@dataclass
class YearRow:
    year: SchoolYear
    schools: int
    figures: Figures
    teaching_area: Decimal | None
    teaching_area_per_pupil: Fraction | None


def yearly_rows(scope: UserScope, unit: OrgUnit, years: Sequence[int]) -> list[YearRow]:
    """Key figures for each year, over the schools under the unit in that year's tree (newest first).
    One tree query per year plus four grouped queries."""
    schools_by_year: dict[int, set[int]] = {}
    for y in years:
        on = SchoolYear(y).reference_date
        ids = descendant_ids([unit.pk], on=on, hierarchy=hierarchy_below(unit))
        if not scope.everything:
            ids = ids & scope.unit_ids
        schools_by_year[y] = set(ids)
    all_ids = set().union(*schools_by_year.values()) if schools_by_year else set()
    school_ids = set(OrgUnit.objects.filter(pk__in=all_ids, kind=UnitKind.SCHOOL).values_list("pk", flat=True))
    per_school = figures_by_school(sorted(school_ids), list(years))
    area_rows = SchoolYearStats.objects.filter(unit_id__in=school_ids, year__in=list(years),
                                               teaching_area__isnull=False).values("year", "unit_id", "teaching_area")
    areas: dict[tuple[int, int], Decimal] = {(row["year"], row["unit_id"]): row["teaching_area"] for row in area_rows}
    rows = []
    for y in sorted(years, reverse=True):
        members = schools_by_year[y] & school_ids
        totals = Figures()
        area_sum: Decimal | None = None
        area_students = 0
        for school_id in members:
            figures = per_school.get((y, school_id))
            if figures is not None:
                totals.add(figures)
            if (y, school_id) in areas:
                area_sum = (area_sum or Decimal(0)) + areas[(y, school_id)]
                area_students += figures.students if figures is not None else 0
        rows.append(YearRow(year=SchoolYear(y), schools=len(members), figures=totals, teaching_area=area_sum,
                            teaching_area_per_pupil=ratio(area_sum, area_students)
                            if area_sum is not None and area_students else None))
    return rows


@dataclass
class History:
    versions: list[OrgUnitVersion]
    links: list[OrgLink]
    events: list[OrgUnitEvent]


def history(unit: OrgUnit) -> History:
    return History(
        versions=list(unit.versions.order_by("-valid_from")),
        links=list(unit.parent_links.select_related("parent").order_by("hierarchy", "-valid_from")),
        events=list(unit.events.select_related("other_unit").order_by("-on", "-id")),
    )


def students_of(unit: OrgUnit, year: SchoolYear) -> QuerySet[StudentRecord]:
    return (StudentRecord.objects.filter(unit=unit, year=year.start_year).annotate(rank=_grade_rank())
            .order_by("rank", "class_name", "student_no"))


def teachers_of(unit: OrgUnit, year: SchoolYear) -> QuerySet[TeacherRecord]:
    return TeacherRecord.objects.filter(unit=unit, year=year.start_year).order_by("stage", "staff_no")
