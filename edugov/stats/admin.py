"""Annual statistics and person records in the admin, for looking up a row behind a figure. Read-only: figures are
changed by re-importing, so that every change is validated the same way and audited."""

from __future__ import annotations

from django.contrib import admin

from edugov.registry.admin import ReadOnlyAdmin
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    PopulationByAge,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

_UNIT_SEARCH = ("unit__code", "unit__name")


@admin.register(SchoolYearStats)
class SchoolYearStatsAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "teaching_area", "sports_ground_area", "equipment_value", "library_books")
    list_filter = ("year",)
    search_fields = _UNIT_SEARCH
    list_select_related = ("unit",)


@admin.register(GradeEnrolment)
class GradeEnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "grade", "stage", "male", "female", "source")
    list_filter = ("year", "stage", "source")
    search_fields = _UNIT_SEARCH
    list_select_related = ("unit",)


@admin.register(ClassSection)
class ClassSectionAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "grade", "name", "size", "source")
    list_filter = ("year", "source")
    search_fields = _UNIT_SEARCH
    list_select_related = ("unit",)


@admin.register(TeacherStats)
class TeacherStatsAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "stage", "fulltime", "female", "source")
    list_filter = ("year", "stage", "source")
    search_fields = _UNIT_SEARCH
    list_select_related = ("unit",)


@admin.register(PopulationByAge)
class PopulationByAgeAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "age_band", "population")
    list_filter = ("year", "age_band")
    search_fields = _UNIT_SEARCH
    list_select_related = ("unit",)


@admin.register(StudentRecord)
class StudentRecordAdmin(ReadOnlyAdmin):
    # Searching by 学籍号 or ID number is how staff find a pupil; the list itself shows no ID numbers.
    list_display = ("student_no", "year", "unit", "grade", "class_name", "sex")
    list_filter = ("year", "grade", "residence", "boarding", "left_behind")
    search_fields = ("student_no", "=id_number", *_UNIT_SEARCH)
    list_select_related = ("unit",)


@admin.register(TeacherRecord)
class TeacherRecordAdmin(ReadOnlyAdmin):
    list_display = ("staff_no", "year", "unit", "stage", "is_fulltime", "education_code", "title_code")
    list_filter = ("year", "stage", "is_fulltime", "has_certificate")
    search_fields = ("staff_no", "=id_number", *_UNIT_SEARCH)
    list_select_related = ("unit",)
