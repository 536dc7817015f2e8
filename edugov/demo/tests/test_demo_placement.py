"""The demo's placements: a drawn 均衡分班, a kindergarten lottery and a primary-school matching, all verifiable and
added only once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from conftest import make_school
from edugov.allocation import services as allocation
from edugov.allocation.choices import DrawSource, DrawStatus
from edugov.allocation.engine.cli import main
from edugov.allocation.models import Draw
from edugov.demo.placement import add_demo_placement
from edugov.enrolment import services as enrolment
from edugov.enrolment.choices import ApplicationStatus, RoundKind, RoundStatus
from edugov.enrolment.models import Application, EnrolmentRound
from edugov.stats.models import ClassSection, StudentRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(city):
    """The test city with 12 first-graders in two classes at 东区实验小学, three kindergartens and five primary
    schools in the east district."""
    StudentRecord.objects.bulk_create(
        StudentRecord(year=2024, student_no=f"G2024{i:04d}", name=f"学生{i}", sex="1" if i % 2 else "2",
                      birth_date=dt.date(2018, 9, 1) + dt.timedelta(days=i), unit=city.east_primary, grade="1",
                      disability="1" if i == 5 else "")
        for i in range(12))
    ClassSection.objects.bulk_create(ClassSection(unit=city.east_primary, year=2024, grade="1", name=f"{n}班", size=6)
                                     for n in (1, 2))
    for n in (4, 5):
        make_school(f"11370200{n:02d}", f"东区第{n}幼儿园", city.east, school_type="111")
    for n in (6, 7, 8, 9):
        make_school(f"21370200{n:02d}", f"东区第{n}小学", city.east)
    return city


def test_the_three_placements_exist_are_verifiable_and_are_added_once(demo_city, capsys):
    lines = add_demo_placement(lambda line: None, 2024)
    assert len(lines) == 3 and all("跳过" not in line and "已存在" not in line for line in lines)

    draw = Draw.objects.get(source=DrawSource.ROSTER)
    assert draw.org_unit == demo_city.east_primary and draw.status == DrawStatus.DRAWN
    assert draw.parameters["classes"] == 2 and "学生" not in bytes(draw.input_bytes).decode()
    assert allocation.verify_draw(draw).ok

    kindergarten = EnrolmentRound.objects.get(kind=RoundKind.KINDERGARTEN)
    assert kindergarten.unit == demo_city.east and kindergarten.status == RoundStatus.PUBLISHED
    assert kindergarten.schools.count() == 3 and kindergarten.applications.count() == 60
    assert enrolment.verify_round(kindergarten).ok
    statuses = list(kindergarten.applications.values_list("status", flat=True))
    assert statuses.count(ApplicationStatus.ADMITTED) == sum(kindergarten.schools.values_list("capacity", flat=True))
    assert statuses.count(ApplicationStatus.REJECTED) == 2
    assert ApplicationStatus.WAITLISTED in statuses  # oversubscribed: the lottery decided

    primary = EnrolmentRound.objects.get(kind=RoundKind.PRIMARY, first_round__isnull=True)
    assert primary.status == RoundStatus.PUBLISHED and primary.schools.count() == 5
    assert primary.applications.count() == 150
    assert enrolment.verify_round(primary).ok
    assert max(a.choices.count() for a in primary.applications.all()) == 3
    assert primary.applications.filter(status=ApplicationStatus.ACCEPTED).exists()
    assert primary.applications.filter(status=ApplicationStatus.DECLINED).exists()
    second = primary.second_rounds.get()
    assert second.status == RoundStatus.OPEN and sum(second.schools.values_list("capacity", flat=True)) > 0

    # the same checks from the command line, by public id
    for public_id in (draw.public_id, kindergarten.public_id, primary.public_id):
        assert main(["verify", public_id]) == 0
    assert "验证通过" in capsys.readouterr().out

    counts = (Draw.objects.count(), EnrolmentRound.objects.count(), Application.objects.count(),
              get_user_model().objects.count())
    again = add_demo_placement(lambda line: None, 2024)
    assert all("已存在" in line for line in again)
    assert counts == (Draw.objects.count(), EnrolmentRound.objects.count(), Application.objects.count(),
                      get_user_model().objects.count())


def test_without_schools_or_records_each_item_is_skipped_with_a_line(city):
    StudentRecord.objects.all().delete()
    lines = add_demo_placement(lambda line: None, 2024)
    assert "跳过" in lines[0]
    assert not Draw.objects.exists()
