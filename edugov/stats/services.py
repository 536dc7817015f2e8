"""Writes to the statistics that are not plain imports: aggregates derived from person records, and the school-year
rollover. Both are atomic and audited.

Derivation rule: for a (school, year) that has pupil records, its 分年级在校生 and 班级 rows are exactly what the
pupil records add up to (source = derived); likewise 专任教师统计 from teacher records. Where a school-year has no
person records, imported aggregate rows stand. Derivation compares with what is stored and writes only differences,
so deriving twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Sum

from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction
from edugov.core.scoping import scope_for
from edugov.lib import codelists
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.queries import versions_on
from edugov.stats.choices import Source
from edugov.stats.grades import grades_offered, next_grade, stage_of
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

Pair = tuple[int, int]  # (unit id, school year)
Counts = dict[str, int]

#: pairs per query, far below every database's parameter limit
_PAIR_BATCH = 400

# 学历 bands (education_level.csv `band`) → TeacherStats field; every lower band counts as 高中及以下.
_EDUCATION_FIELDS = {"postgraduate": "edu_postgraduate", "bachelor": "edu_bachelor", "associate": "edu_associate"}
# 骨干级别 rank (backbone_level.csv `rank`): 2 县级, 3 市级, 4 省级 and 5 国家级 (counted as 省级及以上).
_BACKBONE_FIELDS = {2: "backbone_county", 3: "backbone_city", 4: "backbone_province", 5: "backbone_province"}
_ONE_DECIMAL = Decimal("0.1")


def _batches(pairs: Iterable[Pair]) -> Iterator[list[Pair]]:
    batch: list[Pair] = []
    for pair in sorted(pairs):
        batch.append(pair)
        if len(batch) >= _PAIR_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _pair_filter(batch: list[Pair]) -> dict[str, Any]:
    # A superset filter (units × years); rows are then matched to exact pairs in Python.
    return {"unit_id__in": {u for u, _y in batch}, "year__in": {y for _u, y in batch}}


def _desired_enrolment(batch: list[Pair]) -> tuple[set[Pair], dict[tuple[Any, ...], dict[str, Any]]]:
    wanted = set(batch)
    has_records: set[Pair] = set()
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    counts = (StudentRecord.objects.filter(**_pair_filter(batch)).values("unit_id", "year", "grade", "sex")
              .annotate(n=Count("id")).order_by())
    for item in counts:
        pair = (item["unit_id"], item["year"])
        if pair not in wanted:
            continue
        has_records.add(pair)
        key = (item["unit_id"], item["year"], item["grade"])
        row = rows.setdefault(key, {"stage": stage_of(item["grade"]), "male": 0, "female": 0,
                                    "source": Source.DERIVED})
        # 未知/未说明 (0/9) cannot be stored on a pupil record, so every pupil is male or female here.
        row["male" if item["sex"] == "1" else "female"] += item["n"]
    return has_records, rows


def _desired_classes(batch: list[Pair]) -> tuple[set[Pair], dict[tuple[Any, ...], dict[str, Any]]]:
    wanted = set(batch)
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    has_records = {p for p in StudentRecord.objects.filter(**_pair_filter(batch)).values_list("unit_id", "year")
                   .distinct().order_by() if p in wanted}
    sizes = (StudentRecord.objects.filter(**_pair_filter(batch)).exclude(class_name="")
             .values("unit_id", "year", "grade", "class_name").annotate(n=Count("id")).order_by())
    for item in sizes:
        if (item["unit_id"], item["year"]) not in wanted:
            continue
        rows[(item["unit_id"], item["year"], item["grade"], item["class_name"])] = {
            "size": item["n"], "source": Source.DERIVED}
    return has_records, rows


def _desired_teacher_stats(batch: list[Pair]) -> tuple[set[Pair], dict[tuple[Any, ...], dict[str, Any]]]:
    wanted = set(batch)
    education = codelists.load("education_level")
    backbone = codelists.load("backbone_level")
    subjects = codelists.load("subject")
    has_records = {p for p in TeacherRecord.objects.filter(**_pair_filter(batch)).values_list("unit_id", "year")
                   .distinct().order_by() if p in wanted}
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    groups = (TeacherRecord.objects.filter(is_fulltime=True, **_pair_filter(batch))
              .values("unit_id", "year", "stage", "sex", "education_code", "backbone_level", "subject",
                      "has_certificate")
              .annotate(n=Count("id"), hours=Sum("training_hours")).order_by())
    for item in groups:
        if (item["unit_id"], item["year"]) not in wanted:
            continue
        key = (item["unit_id"], item["year"], item["stage"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = {f: 0 for f in _TEACHER_COUNT_FIELDS}
            row["training_hours"] = Decimal(0)
            row["source"] = Source.DERIVED
        n = item["n"]
        row["fulltime"] += n
        if item["sex"] == "2":
            row["female"] += n
        entry = education.get(item["education_code"] or "")
        band = entry.extra.get("band", "") if entry is not None else ""
        row[_EDUCATION_FIELDS.get(band, "edu_below_associate")] += n
        level = backbone.get(item["backbone_level"] or "")
        backbone_field = _BACKBONE_FIELDS.get(int(level.extra["rank"])) if level is not None else None
        if backbone_field:
            row[backbone_field] += n
        subject = subjects.get(item["subject"] or "")
        if subject is not None:
            if subject.extra.get("group") == "pe":
                row["pe_teachers"] += n
            elif subject.name == "音乐":
                row["music_teachers"] += n
            elif subject.name == "美术":
                row["art_teachers"] += n
        if item["has_certificate"]:
            row["certified"] += n
        row["training_hours"] += Decimal(str(item["hours"] or 0))
    for row in rows.values():
        row["training_hours"] = row["training_hours"].quantize(_ONE_DECIMAL)
    return has_records, rows


_TEACHER_COUNT_FIELDS = ("fulltime", "female", "edu_postgraduate", "edu_bachelor", "edu_associate",
                         "edu_below_associate", "backbone_county", "backbone_city", "backbone_province",
                         "pe_teachers", "music_teachers", "art_teachers", "certified")

_DERIVATIONS: tuple[tuple[str, type[models.Model], tuple[str, ...], Any], ...] = (
    ("enrolment", GradeEnrolment, ("unit_id", "year", "grade"), _desired_enrolment),
    ("classes", ClassSection, ("unit_id", "year", "grade", "name"), _desired_classes),
    ("teacher_stats", TeacherStats, ("unit_id", "year", "stage"), _desired_teacher_stats),
)


def _replace(model: type[models.Model], key_fields: tuple[str, ...], batch: list[Pair], has_records: set[Pair],
             desired: dict[tuple[Any, ...], dict[str, Any]], counts: Counts) -> None:
    wanted = set(batch)
    existing = {tuple(getattr(obj, f) for f in key_fields): obj
                for obj in model._default_manager.filter(**_pair_filter(batch))
                if (obj.unit_id, obj.year) in wanted}  # type: ignore[attr-defined]
    stale: list[int] = []
    changed: list[models.Model] = []
    changed_fields: set[str] = set()
    new: list[models.Model] = []
    for key, obj in existing.items():
        pair = (key[0], key[1])
        if pair in has_records:
            if key not in desired:
                stale.append(obj.pk)
        elif obj.source == Source.DERIVED:  # type: ignore[attr-defined]
            stale.append(obj.pk)  # the person records it came from are gone; imported rows, if any, stand
    for key, values in desired.items():
        stored = existing.get(key)
        if stored is None:
            new.append(model(**dict(zip(key_fields, key, strict=True)), **values))
            continue
        differs = [f for f, v in values.items() if getattr(stored, f) != v]
        if differs:
            for f in differs:
                setattr(stored, f, values[f])
            changed.append(stored)
            changed_fields.update(differs)
        else:
            counts["unchanged"] += 1
    if stale:
        model._default_manager.filter(pk__in=stale).delete()
    if new:
        model._default_manager.bulk_create(new, batch_size=500)
    if changed:
        model._default_manager.bulk_update(changed, sorted(changed_fields), batch_size=500)
    counts["new"] += len(new)
    counts["changed"] += len(changed)
    counts["deleted"] += len(stale)


@transaction.atomic
def derive_aggregates(*, actor: Actor, pairs: Iterable[Pair], audit_changes: bool = True) -> dict[str, Counts]:
    """Makes the aggregates of each (school, year) agree with its person records.

    For pairs with pupil records, GradeEnrolment and ClassSection rows become exactly the derived ones (imported
    rows are replaced); for pairs with teacher records, TeacherStats likewise. Derived rows of pairs that no longer
    have person records are removed. Returns {table key: {"new", "changed", "unchanged", "deleted"}}. The import
    audits the derivation itself (audit_changes=False); other callers get one audit event per changed table.
    """
    pair_set = set(pairs)
    result: dict[str, Counts] = {}
    for key, model, key_fields, derive in _DERIVATIONS:
        counts: Counts = {"new": 0, "changed": 0, "unchanged": 0, "deleted": 0}
        for batch in _batches(pair_set):
            has_records, desired = derive(batch)
            _replace(model, key_fields, batch, has_records, desired, counts)
        result[key] = counts
        if audit_changes and (counts["new"] or counts["changed"] or counts["deleted"]):
            audit.record(actor=actor, action=AuditAction.UPDATE, object_type=model._meta.label,
                         object_repr=f"{model._meta.verbose_name}（由个人记录汇总）", after={**counts},
                         message=f"由个人记录汇总{model._meta.verbose_name}：新增 {counts['new']}，"
                                 f"修改 {counts['changed']}，删除 {counts['deleted']}")
    return result


# --- rollover ----------------------------------------------------------------------------------------------------

_COPIED_FACILITY_FIELDS = ("teaching_area", "sports_ground_area", "gym_area", "equipment_value",
                           "multimedia_classrooms", "library_books", "music_rooms", "art_rooms",
                           "operating_expenditure")
_STUDENT_FIELDS = ("student_no", "id_number", "name", "sex", "birth_date", "ethnicity", "unit_id", "class_name",
                   "boarding", "residence", "left_behind", "disability", "hardship")
_TEACHER_FIELDS = ("staff_no", "id_number", "name", "sex", "birth_date", "ethnicity", "unit_id", "stage",
                   "is_fulltime", "education_code", "title_code", "subject", "backbone_level", "has_certificate")


@transaction.atomic
def rollover(*, actor: Actor, from_year: int) -> dict[str, int]:
    """Creates the frame of school year `from_year + 1` from `from_year`.

    Facility statistics are copied where the new year has none; pupils move up one grade, and stay only if their
    school still exists and teaches that grade (the others have graduated or leave for the next stage and are left
    out); teachers are copied with their training hours reset (hours are per year). The actor's scope limits which
    schools roll over (system: all). Refuses, changing nothing, when the new year already has person records in that
    scope. Aggregates of the new year are then derived from the copied person records.
    """
    SchoolYear(from_year + 1)  # range check with a Chinese message
    to_year = from_year + 1
    scope = scope_for(actor) if actor is not None else None

    def scoped(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        return scope.filter(queryset) if scope is not None else queryset

    already = scoped(StudentRecord.objects.filter(year=to_year)).exists() or scoped(
        TeacherRecord.objects.filter(year=to_year)).exists()
    if already:
        raise ValidationError(
            f"{SchoolYear(to_year).label}已有学生或教师个人记录，不能结转。"
            f"如需重新结转，请先删除{SchoolYear(to_year).label}的个人记录；如只需补充，请直接导入。")
    on = SchoolYear(to_year).reference_date
    summary = {"school_stats": 0, "students_promoted": 0, "students_left": 0, "teachers": 0}

    existing_stats = set(scoped(SchoolYearStats.objects.filter(year=to_year)).values_list("unit_id", flat=True))
    copies = [SchoolYearStats(unit_id=stats.unit_id, year=to_year,
                              **{f: getattr(stats, f) for f in _COPIED_FACILITY_FIELDS})
              for stats in scoped(SchoolYearStats.objects.filter(year=from_year))
              if stats.unit_id not in existing_stats]
    SchoolYearStats.objects.bulk_create(copies, batch_size=500)
    summary["school_stats"] = len(copies)

    students = scoped(StudentRecord.objects.filter(year=from_year))
    unit_ids = set(students.values_list("unit_id", flat=True).distinct().order_by()) | set(
        scoped(TeacherRecord.objects.filter(year=from_year)).values_list("unit_id", flat=True).distinct().order_by())
    versions = versions_on(unit_ids, on)  # a school closed by the new year has no version valid then
    offered = {unit_id: set(grades_offered(version.school_type_code)) for unit_id, version in versions.items()}
    promoted: list[StudentRecord] = []
    for student in students.iterator(chunk_size=2000):
        grade = next_grade(student.grade)
        if grade is None or grade not in offered.get(student.unit_id, ()):
            summary["students_left"] += 1
            continue
        promoted.append(StudentRecord(year=to_year, grade=grade,
                                      **{f: getattr(student, f) for f in _STUDENT_FIELDS}))
        if len(promoted) >= 2000:
            StudentRecord.objects.bulk_create(promoted)
            summary["students_promoted"] += len(promoted)
            promoted = []
    StudentRecord.objects.bulk_create(promoted)
    summary["students_promoted"] += len(promoted)

    teachers = [TeacherRecord(year=to_year, training_hours=Decimal(0), **{f: getattr(t, f) for f in _TEACHER_FIELDS})
                for t in scoped(TeacherRecord.objects.filter(year=from_year)) if t.unit_id in versions]
    TeacherRecord.objects.bulk_create(teachers, batch_size=2000)
    summary["teachers"] = len(teachers)

    derived = derive_aggregates(actor=actor, pairs={(u, to_year) for u in unit_ids}, audit_changes=False)
    for key, counts in derived.items():
        summary[f"derived_{key}"] = counts["new"] + counts["changed"]
    audit.record(actor=actor, action=AuditAction.CREATE, object_type="stats.SchoolYear", object_id=str(to_year),
                 object_repr=SchoolYear(to_year).label, after=summary,
                 message=(f"学年结转 {SchoolYear(from_year).label} → {SchoolYear(to_year).label}："
                          f"办学条件 {summary['school_stats']} 条，学生升级 {summary['students_promoted']} 人，"
                          f"毕业或离校 {summary['students_left']} 人，教师 {summary['teachers']} 人"))
    return summary
