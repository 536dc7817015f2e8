"""Pages issue a bounded number of queries, however many schools, pupils or events there are."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import City, make_school
from edugov.core import audit
from edugov.core.choices import AuditAction
from edugov.stats.models import ClassSection, GradeEnrolment, StudentRecord, TeacherStats

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    """Twenty more schools with data under the east district, and 120 pupils at 东区实验小学."""
    for i in range(20):
        school = make_school(f"21370288{i:02d}", f"附加小学{i}", city.east_town if i % 2 else city.east)
        GradeEnrolment.objects.create(unit=school, year=2024, grade="1", stage="primary", male=10, female=10)
        ClassSection.objects.create(unit=school, year=2024, grade="1", name="1班", size=60)
        TeacherStats.objects.create(unit=school, year=2024, stage="primary", fulltime=3)
        audit.record(actor=None, action=AuditAction.UPDATE, obj=school, org_unit_id=school.pk)
    for i in range(120):
        StudentRecord.objects.create(year=2024, student_no=f"S{i:05d}", name=f"学生{i}", sex="1",
                                     birth_date=dt.date(2017, 5, 1), unit=city.east_primary, grade="1")


PAGES = {
    "home": ("/", 25),
    "org": ("/org/", 20),
    "org_search": ("/org/?q=小学", 20),
    "org_children": ("/org/370202/children/", 16),
    "unit": ("/units/2137020001/", 40),
    "district": ("/units/370202/", 40),
    "students": ("/units/2137020001/students/", 16),
    "teachers": ("/units/2137020001/teachers/", 16),
    "quality": ("/quality/", 35),
    "audit": ("/audit/", 18),
    "chart_students": ("/units/370202/charts/students.json", 14),
    "chart_sizes": ("/units/370202/charts/class-sizes.json", 14),
}


@pytest.mark.parametrize("name", PAGES)
def test_query_count_is_bounded(as_user, many, django_assert_max_num_queries, name: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    url, limit = PAGES[name]
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200
