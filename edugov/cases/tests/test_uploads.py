"""The upload pages (户籍 list, roster, absences) and opening a case by hand: all or nothing, row-numbered errors on
the page, scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from edugov.cases import rules
from edugov.cases.models import Absence, Case, ResidentChild, ResidentList, RosterUpload, Transition
from edugov.cases.tests.conftest import make_id, make_student

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "名单.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def xlsx_file(rows: list[list[object]], name: str = "名单.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


GOOD_A = make_id(dt.date(2014, 2, 1), 31)
GOOD_B = make_id(dt.date(2015, 6, 1), 32)


def test_a_bad_resident_file_shows_every_row_error_and_stores_nothing(as_user, city):
    bad_check = GOOD_B[:-1] + ("0" if GOOD_B[-1] != "0" else "1")
    text = (f"身份证号,姓名,出生日期\n{GOOD_A},赵小红,2014-02-01\n{bad_check},钱小明,\n{GOOD_A},孙小华,\n"
            f"{GOOD_B},,\n{GOOD_B[:17]}9,李四,2015-06-02\n")
    page = as_user("east_admin").post("/cases/upload/residents/", {
        "unit": city.east_town.code, "year": 2025, "source": "公安户籍", "file": csv_file(text)}).content.decode()
    assert 'id="upload-problems"' in page
    assert "第3行" in page and "第5行：缺少姓名" in page and "第 2、4 行重复出现" in page
    assert not ResidentList.objects.exists() and not ResidentChild.objects.exists()


def test_a_resident_birth_date_that_disagrees_with_the_id_is_a_row_error(as_user, city):
    text = f"身份证号,姓名,出生日期\n{GOOD_A},赵小红,2014-02-01\n{GOOD_B},钱小明,2015-06-09\n{GOOD_B[:6]}x,孙,不详\n"
    page = as_user("east_admin").post("/cases/upload/residents/", {
        "unit": city.east_town.code, "year": 2025, "source": "公安户籍", "file": csv_file(text)}).content.decode()
    assert "第3行“出生日期”列：2015-06-09 与身份证号中的出生日期 2015-06-01 不符" in page
    assert "第4行“出生日期”列：“不详”不是有效日期" in page and "第4行：" in page
    assert not ResidentList.objects.exists()


def test_a_good_resident_xlsx_is_imported_and_detection_opens_a_case(as_user, city):
    response = as_user("east_admin").post("/cases/upload/residents/", {
        "unit": city.east_town.code, "year": 2025, "source": "公安户籍",
        "file": xlsx_file([["身份证号", "姓名", "出生日期"], [GOOD_A, "赵小红", dt.date(2014, 2, 1)], [],
                           [GOOD_B, "钱小明", None]])})
    assert response.status_code == 302
    assert list(ResidentChild.objects.order_by("row").values_list("row", "name")) == [(2, "赵小红"), (4, "钱小明")]
    assert len(rules.detect_unregistered(2025)) == 2


def test_an_out_of_scope_resident_list_is_refused(as_user, city):
    page = as_user("east_admin").post("/cases/upload/residents/", {
        "unit": city.west.code, "year": 2025, "source": "公安户籍",
        "file": csv_file(f"身份证号,姓名\n{GOOD_A},赵小红\n")}).content.decode()
    assert "“西区”不在您的管辖范围内，不能导入其户籍名单。" in page
    assert not ResidentList.objects.exists()


def test_a_roster_with_unknown_and_duplicate_numbers_is_refused_then_a_good_one_is_stored(as_user, city):
    make_student(city.east_primary, "G001", seq=1)
    make_student(city.east_primary, "G002", seq=2)
    client = as_user("school_admin")
    page = client.post("/cases/upload/roster/", {
        "school": city.east_primary.code, "year": 2025, "checked_on": "2025-09-10",
        "file": csv_file("学籍号\nG001\nG999\nG001\n")}).content.decode()
    assert "第3行“学籍号”列：G999 不是本校 2025 学年的学籍" in page and "学籍号 G001 在第 2、4 行重复" in page
    assert not RosterUpload.objects.exists()
    response = client.post("/cases/upload/roster/", {
        "school": city.east_primary.code, "year": 2025, "checked_on": "2025-09-10",
        "file": csv_file("学籍号\nG001\n")})
    assert response.status_code == 302
    assert RosterUpload.objects.get().student_nos == ["G001"]
    assert [c.student.student_no for c in rules.detect_not_on_roster(2025)] == ["G002"]


def test_a_roster_of_another_school_is_refused(as_user, city):
    make_student(city.west_primary, "W001")
    page = as_user("school_admin").post("/cases/upload/roster/", {
        "school": city.west_primary.code, "year": 2025, "checked_on": "2025-09-10",
        "file": csv_file("学籍号\nW001\n")}).content.decode()
    assert "不在您的管辖范围内" in page and not RosterUpload.objects.exists()


def test_an_absence_file_is_all_or_nothing_with_row_errors(as_user, city):
    make_student(city.east_primary, "G001", seq=1)
    make_student(city.west_primary, "W001", seq=2)
    client = as_user("east_admin")
    text = "学籍号,起始日期,天数\nG001,2025-10-08,16\nW001,2025-10-08,3\nG001,2025-13-01,2\nG001,2025-11-01,半天\n" \
           "G001,2025-10-08,4\n"
    page = client.post("/cases/upload/absences/", {"unit": city.east.code, "year": 2025,
                                                   "file": csv_file(text)}).content.decode()
    assert "第3行“学籍号”列：W001 不是东区 2025 学年的学籍" in page
    assert "第4行“起始日期”列" in page and "第5行“天数”列" in page and "第6行：与第2行重复" in page
    assert not Absence.objects.exists()
    response = client.post("/cases/upload/absences/", {"unit": city.east.code, "year": 2025,
                                                       "file": csv_file("学籍号,起始日期,天数\nG001,2025-10-08,16\n")})
    assert response.status_code == 302
    assert Absence.objects.get().days == 16
    assert len(rules.detect_absences(2025)) == 1


def test_a_missing_column_is_reported(as_user, city):
    page = as_user("east_admin").post("/cases/upload/absences/", {
        "unit": city.east.code, "year": 2025, "file": csv_file("学籍号,天数\nG001,3\n")}).content.decode()
    assert "第1行缺少列：起始日期" in page


def test_staff_open_a_case_by_hand_for_a_pupil_in_scope(as_user, city):
    student = make_student(city.east_primary, "G001", name="王小明")
    make_student(city.west_primary, "W001", seq=2)
    client = as_user("east_admin")
    assert "dropout" in client.get("/cases/new/").content.decode()
    refused = client.post("/cases/new/", {"case_type": "dropout", "year": 2025, "student_no": "W001",
                                          "title": "长期未到校", "reason": "班主任反映"}).content.decode()
    assert "在您的管辖范围内未找到 2025 学年学籍号为 W001 的学生" in refused
    named = client.post("/cases/new/", {"case_type": "dropout", "year": 2025, "student_no": "G001",
                                        "title": "王小明长期未到校", "reason": "x"}).content.decode()
    assert "标题中请勿写学生姓名" in named
    response = client.post("/cases/new/", {"case_type": "dropout", "year": 2025, "student_no": "G001",
                                           "title": "长期未到校", "reason": "班主任反映已两周未到校"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.student == student and case.unit == city.east_primary
    assert Transition.objects.get(case=case).reason == "班主任反映已两周未到校"
    again = client.post("/cases/new/", {"case_type": "dropout", "year": 2025, "student_no": "G001",
                                        "title": "长期未到校", "reason": "再次"}).content.decode()
    assert f"该学生已有办理中的同类个案（#{case.pk}）" in again
    # Mental-health cases are not offered to an administrator.
    assert "mental_health" not in client.get("/cases/new/").content.decode()
    assert client.post("/cases/new/", {"case_type": "mental_health", "year": 2025, "student_no": "G001",
                                       "reason": "x"}).status_code == 200
    assert Case.objects.count() == 1


def test_viewers_may_not_upload(as_user):
    assert as_user("viewer").get("/cases/upload/residents/").status_code == 403
    assert as_user("viewer").get("/cases/new/").status_code == 403
