"""Aggregates derived from person records, and the school-year rollover."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from edugov.core.models import AuditEvent
from edugov.registry import services as registry
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)
from edugov.stats.services import derive_aggregates, rollover


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pupil(unit: Any, no: str, grade: str, *, sex: str = "1", class_name: str = "1班",
          year: int = 2024) -> StudentRecord:
    return StudentRecord.objects.create(year=year, student_no=no, name=no, sex=sex, birth_date=dt.date(2015, 1, 1),
                                        unit=unit, grade=grade, class_name=class_name)


def teacher(unit: Any, no: str, **fields: Any) -> TeacherRecord:
    values = {"year": 2024, "staff_no": no, "name": no, "sex": "2", "unit": unit, "stage": "primary",
              "education_code": "21", **fields}
    return TeacherRecord.objects.create(**values)


def test_derived_enrolment_and_classes_count_pupils_by_grade_sex_and_class(city):
    school = city.east_primary
    pupil(school, "A", "1", sex="1")
    pupil(school, "B", "1", sex="2")
    pupil(school, "C", "1", sex="2", class_name="2班")
    pupil(school, "D", "3", class_name="")
    counts = derive_aggregates(actor=None, pairs={(school.pk, 2024)})
    assert counts["enrolment"]["new"] == 2
    rows = {(g.grade, g.stage): (g.male, g.female, g.source) for g in GradeEnrolment.objects.all()}
    assert rows == {("1", "primary"): (1, 2, "derived"), ("3", "primary"): (1, 0, "derived")}
    assert sorted(ClassSection.objects.values_list("grade", "name", "size")) == [("1", "1班", 2), ("1", "2班", 1)]
    assert AuditEvent.objects.filter(object_type="stats.GradeEnrolment").count() == 1


def test_deriving_twice_changes_nothing_and_a_changed_pupil_updates_in_place(city):
    school = city.east_primary
    record = pupil(school, "A", "1")
    derive_aggregates(actor=None, pairs={(school.pk, 2024)})
    ids = list(GradeEnrolment.objects.values_list("pk", flat=True))
    again = derive_aggregates(actor=None, pairs={(school.pk, 2024)})
    assert again["enrolment"] == {"new": 0, "changed": 0, "unchanged": 1, "deleted": 0}
    record.sex = "2"
    record.save()
    derive_aggregates(actor=None, pairs={(school.pk, 2024)})
    assert list(GradeEnrolment.objects.values_list("pk", "male", "female")) == [(ids[0], 0, 1)]


def test_imported_aggregates_stand_where_there_are_no_person_records(city):
    imported = GradeEnrolment.objects.create(unit=city.east_junior, year=2024, grade="7", stage="junior", male=3,
                                             female=4)
    stale = GradeEnrolment.objects.create(unit=city.east_primary, year=2024, grade="1", stage="primary", male=1,
                                          female=1, source="derived")
    derive_aggregates(actor=None, pairs={(city.east_junior.pk, 2024), (city.east_primary.pk, 2024)})
    assert GradeEnrolment.objects.filter(pk=imported.pk).exists()
    assert not GradeEnrolment.objects.filter(pk=stale.pk).exists()  # its pupils are gone


def test_teacher_statistics_fold_bands_backbone_ranks_subjects_and_hours(city):
    school = city.east_primary
    teacher(school, "T1", education_code="14", backbone_level="5", subject="12", training_hours=Decimal("10.5"))
    teacher(school, "T2", education_code="31", backbone_level="3", subject="14", has_certificate=False,
            training_hours=Decimal("20"))
    teacher(school, "T3", education_code="61", backbone_level="1", subject="13", sex="1")
    teacher(school, "T4", education_code="21", is_fulltime=False, subject="12", training_hours=Decimal("99"))
    derive_aggregates(actor=None, pairs={(school.pk, 2024)})
    stats = TeacherStats.objects.get()
    assert (stats.fulltime, stats.female) == (3, 2)
    assert (stats.edu_postgraduate, stats.edu_bachelor, stats.edu_associate, stats.edu_below_associate) == (1, 0, 1, 1)
    assert (stats.backbone_county, stats.backbone_city, stats.backbone_province) == (0, 1, 1)
    assert (stats.pe_teachers, stats.music_teachers, stats.art_teachers, stats.certified) == (1, 1, 1, 2)
    assert stats.training_hours == Decimal("30.5")


def test_rollover_promotes_pupils_and_leaves_out_those_the_school_cannot_keep(city):
    pupil(city.east_primary, "A", "1", class_name="3班")
    pupil(city.east_primary, "B", "6")  # graduates from primary
    pupil(city.east_junior, "C", "8")
    pupil(city.east_kindergarten, "D", "K3")  # leaves kindergarten
    teacher(city.east_primary, "T1", training_hours=Decimal("40"))
    SchoolYearStats.objects.create(unit=city.east_primary, year=2024, library_books=36000,
                                   teaching_area=Decimal("5230.50"))
    summary = rollover(actor=None, from_year=2024)
    assert summary["students_promoted"] == 2 and summary["students_left"] == 2 and summary["teachers"] == 1
    promoted = {(s.student_no, s.grade, s.class_name) for s in StudentRecord.objects.filter(year=2025)}
    assert promoted == {("A", "2", "3班"), ("C", "9", "1班")}
    assert TeacherRecord.objects.get(year=2025).training_hours == 0
    copied = SchoolYearStats.objects.get(year=2025)
    assert (copied.library_books, copied.teaching_area) == (36000, Decimal("5230.50"))
    assert GradeEnrolment.objects.filter(year=2025, source="derived").count() == 2
    assert AuditEvent.objects.filter(object_type="stats.SchoolYear", object_id="2025").exists()


def test_rollover_leaves_out_pupils_of_a_school_closed_by_the_new_year(city):
    pupil(city.west_primary, "A", "1")
    registry.close_unit(actor=None, unit=city.west_primary, closed_on=dt.date(2025, 7, 1))
    assert rollover(actor=None, from_year=2024)["students_left"] == 1
    assert not StudentRecord.objects.filter(year=2025).exists()


def test_rollover_refuses_when_the_new_year_already_has_person_records(city):
    pupil(city.east_primary, "A", "1")
    pupil(city.east_primary, "A", "2", year=2025)
    with pytest.raises(ValidationError, match="已有学生或教师个人记录"):
        rollover(actor=None, from_year=2024)
    assert StudentRecord.objects.count() == 2


def test_rollover_by_a_district_administrator_only_touches_the_district(city, personas):
    pupil(city.east_primary, "A", "1")
    pupil(city.west_primary, "B", "1")
    rollover(actor=personas.east_admin, from_year=2024)
    assert list(StudentRecord.objects.filter(year=2025).values_list("student_no", flat=True)) == ["A"]
