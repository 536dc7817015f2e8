"""The 控辍保学 rules open the right case from imported data, once; the 户籍 list import checks its ID numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from edugov.cases import rules, services
from edugov.cases.models import Case, DetectionRule, ResidentChild, ResidentList
from edugov.cases.services import CaseInputError
from edugov.cases.tests.conftest import make_id, make_student
from edugov.lib.idcard import upgrade_15_to_18

pytestmark = pytest.mark.django_db


def test_a_long_absence_opens_a_case_at_the_school_once(city, personas):
    pupil = make_student(city.east_primary, "G001")
    short = make_student(city.east_primary, "G002", seq=2)
    services.record_absence(actor=personas.school_admin, student=pupil, from_date=dt.date(2025, 9, 8), days=16)
    services.record_absence(actor=personas.school_admin, student=short, from_date=dt.date(2025, 9, 8), days=3)
    opened = rules.detect_absences(2025, limit=15)
    assert [(c.student, c.unit, c.rule, c.state) for c in opened] == [
        (pupil, city.east_primary, DetectionRule.ABSENCE, "pending")]
    assert rules.detect_absences(2025, limit=15) == []
    # Closed as not needing persuasion, the same absence does not reopen it.
    case = opened[0]
    services.take_transition(actor=personas.school_admin, case=case, transition_code="dismiss",
                             expected_state="pending", expected_version=1,
                             fields={"basis": "在校就读（数据未同步）", "finding": "病假已补手续"},
                             evidence=[services.UploadedFile("假条.pdf", b"%PDF-1.4 x")])
    assert rules.detect_absences(2025, limit=15) == []
    assert len(rules.detect_absences(2025, limit=3)) == 1  # a lower limit catches the shorter run


def test_a_school_age_child_on_the_list_with_no_xueji_opens_a_case_once(city, personas):
    enrolled = make_student(city.east_junior, "G010", birth=dt.date(2013, 5, 1), seq=10)
    rows = [
        {"身份证号": enrolled.id_number, "姓名": "在读生"},
        {"身份证号": make_id(dt.date(2014, 2, 1), 11), "姓名": "失学儿"},       # 11 on 1 Sept 2025: compulsory age
        {"身份证号": make_id(dt.date(2020, 2, 1), 12), "姓名": "幼儿"},          # 5: too young
        {"身份证号": make_id(dt.date(2009, 9, 2), 13), "姓名": "大龄"},          # 15 on 1 Sept 2025: still compulsory
    ]
    services.import_resident_list(actor=personas.east_admin, unit=city.east_town, year=2025, source="公安户籍",
                                  rows=rows)
    opened = rules.detect_unregistered(2025)
    assert sorted(c.resident_child.name for c in opened) == ["大龄", "失学儿"]
    assert {c.unit for c in opened} == {city.east_town}
    assert rules.detect_unregistered(2025) == []
    # The same child on a second list of the year opens nothing new.
    services.import_resident_list(actor=personas.east_admin, unit=city.east_town, year=2025, source="卫健出生登记",
                                  rows=rows[1:2])
    assert rules.detect_unregistered(2025) == []


def test_a_xueji_missing_from_the_schools_roster_opens_a_case_once(city, personas):
    present = make_student(city.east_primary, "G001")
    absent = make_student(city.east_primary, "G002", seq=2)
    services.record_roster(actor=personas.school_admin, school=city.east_primary, year=2025,
                           checked_on=dt.date(2025, 9, 10), student_nos=["G001"])
    opened = rules.detect_not_on_roster(2025)
    assert [c.student for c in opened] == [absent] and present.cases.count() == 0
    assert rules.detect_not_on_roster(2025) == []
    call_command("case_detect", "--year", "2025")
    assert Case.objects.count() == 1


def test_a_roster_with_duplicate_numbers_is_refused_with_the_rows(city, personas):
    with pytest.raises(CaseInputError, match="学籍号 G001 在第 1、3 行重复"):
        services.record_roster(actor=personas.school_admin, school=city.east_primary, year=2025,
                               checked_on=dt.date(2025, 9, 10), student_nos=["G001", "G002", "G001"])


def test_a_15_digit_id_is_upgraded_and_malformed_or_duplicate_ids_are_refused_with_row_numbers(city, personas):
    old = "370202900101123"  # born 1990: the list keeps it, the age rule ignores it
    good = make_id(dt.date(2015, 1, 1), 21)
    resident_list = services.import_resident_list(
        actor=personas.east_admin, unit=city.east, year=2025, source="公安户籍",
        rows=[{"身份证号": old, "姓名": "甲"}, {"身份证号": good, "姓名": "乙"}])
    assert set(resident_list.children.values_list("id_number", flat=True)) == {upgrade_15_to_18(old), good}
    with pytest.raises(CaseInputError) as info:
        services.import_resident_list(
            actor=personas.east_admin, unit=city.east, year=2025, source="公安户籍",
            rows=[{"身份证号": good, "姓名": "乙"}, {"身份证号": "37020220150101002", "姓名": "丙"},
                  {"身份证号": good[:-1] + ("0" if good[-1] != "0" else "1"), "姓名": "丁"},
                  {"身份证号": good.lower(), "姓名": "乙"}, {"身份证号": make_id(dt.date(2015, 1, 1), 22), "姓名": ""}])
    problems = info.value.messages
    assert any(p.startswith("第3行：身份证号应为18位") for p in problems)
    assert any(p.startswith("第4行：身份证号校验位") for p in problems)
    assert "第6行：缺少姓名" in problems
    assert any("在第 2、5 行重复出现" in p for p in problems)
    assert ResidentList.objects.count() == 1 and ResidentChild.objects.count() == 2


def test_a_list_for_a_unit_outside_the_users_scope_is_refused(city, personas):
    with pytest.raises(CaseInputError, match="“西区”不在您的管辖范围内"):
        services.import_resident_list(actor=personas.east_admin, unit=city.west, year=2025, source="公安户籍",
                                      rows=[{"身份证号": make_id(dt.date(2015, 1, 1)), "姓名": "甲"}])
    assert not ResidentList.objects.exists()
