"""均衡分班 from a school's 学籍 records: built on the server, committed, drawn and verified like an upload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from edugov.allocation import services
from edugov.allocation.choices import DrawSource, DrawStatus
from edugov.allocation.engine.runs import read_csv
from edugov.allocation.models import Draw
from edugov.allocation.queries import mask_student_no, public_rows
from edugov.stats.models import StudentRecord

ID_NUMBERS = ["370202201809010011", "370202201809020022", "370202201809030033", "370202201809040044",
              "370202201809050055", "37020220180906006X"]


@pytest.fixture
def roster(city):
    """Six first-graders of 东区实验小学 in 2024 (学籍号 = G + ID number), one with a disability; one second-grader
    and one first-grader of another school, who must not be in the input."""
    records = []
    for i, id_number in enumerate(ID_NUMBERS):
        records.append(StudentRecord(year=2024, student_no=f"G{id_number}", id_number=id_number, name=f"测试学生{i}",
                                     sex="1" if i % 2 == 0 else "2", birth_date=dt.date(2018, 9, i + 1),
                                     unit=city.east_primary, grade="1", disability="1" if i == 3 else ""))
    records.append(StudentRecord(year=2024, student_no="G370202201709010099", name="二年级学生", sex="1",
                                 birth_date=dt.date(2017, 9, 1), unit=city.east_primary, grade="2"))
    records.append(StudentRecord(year=2024, student_no="G370203201809010088", name="西区学生", sex="2",
                                 birth_date=dt.date(2018, 9, 1), unit=city.west_primary, grade="1"))
    StudentRecord.objects.bulk_create(records)
    return records


def test_the_input_holds_student_numbers_gender_and_special_needs_only(city, roster):
    data = services.roster_cohort(city.east_primary, 2024, "1")
    rows, header = read_csv(data)
    assert header == ["学籍号", "性别", "特殊需要"]
    assert [r["学籍号"] for r in rows] == sorted(f"G{n}" for n in ID_NUMBERS)
    assert [r["性别"] for r in rows] == ["男", "女", "男", "女", "男", "女"]
    assert [r["特殊需要"] for r in rows] == ["0", "0", "0", "1", "0", "0"]
    text = data.decode()
    assert "测试学生" not in text and "二年级" not in text and "G370203" not in text


def test_a_school_admin_creates_draws_and_verifies_a_roster_draw_from_the_page(client, personas, city, roster):
    client.force_login(personas.school_admin)
    html = client.get(reverse("allocation:list")).content.decode()
    assert "roster-create-form" in html and "东区实验小学" in html
    response = client.post(reverse("allocation:roster"), {
        "school": city.east_primary.pk, "year": 2024, "grade": "1", "classes": 2, "min_size": 3, "max_size": 3,
    })
    draw = Draw.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/draws/{draw.public_id}/")
    assert draw.source == DrawSource.ROSTER and draw.kind == "classes"
    assert draw.title == "东区实验小学2024学年一年级均衡分班"
    assert draw.parameters["classes"] == 2 and draw.parameters["max_size"] == 3
    assert "测试学生" not in bytes(draw.input_bytes).decode()
    assert client.post(reverse("allocation:perform", args=[draw.public_id])).status_code == 302
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    assert services.verify_draw(draw).ok
    output, _header = read_csv(bytes(draw.output_bytes))
    assert sorted(r["class"] for r in output) == ["1", "1", "1", "2", "2", "2"]
    by_class = {r["id"]: r["class"] for r in output}
    boys = [f"G{n}" for i, n in enumerate(ID_NUMBERS) if i % 2 == 0]
    assert sorted(by_class[b] for b in boys) in (["1", "1", "2"], ["1", "2", "2"])
    # public page: masked 学籍号 (first 4, last 2), never the ID number inside it; the verify button passes
    client.logout()
    html = client.get(reverse("allocation:public", args=[draw.public_id])).content.decode()
    for id_number in ID_NUMBERS:
        assert id_number not in html
    assert mask_student_no(f"G{ID_NUMBERS[0]}") in html
    assert "验证通过" in client.post(reverse("allocation:verify", args=[draw.public_id])).content.decode()
    public = client.get(reverse("allocation:public_csv", args=[draw.public_id])).content.decode()
    assert "\nG370*************11," in public and ID_NUMBERS[0] not in public
    header, rows = public_rows(draw)
    assert header == ["id", "class"] and all(r[0].startswith("G370") and "*" in r[0] for r in rows)


def test_a_west_admin_gets_404_for_an_east_school(client, personas, city, roster):
    client.force_login(personas.west_admin)
    response = client.post(reverse("allocation:roster"), {
        "school": city.east_primary.pk, "year": 2024, "grade": "1", "classes": 2,
    })
    assert response.status_code == 404
    assert not Draw.objects.exists()
    with pytest.raises(PermissionDenied):
        services.commit_roster_draw(actor=personas.west_admin, school=city.east_primary, year=2024, grade="1",
                                    classes=2)


def test_impossible_bounds_and_an_empty_grade_are_refused_in_chinese(client, personas, city, roster):
    client.force_login(personas.school_admin)
    response = client.post(reverse("allocation:roster"), {
        "school": city.east_primary.pk, "year": 2024, "grade": "1", "classes": 2, "max_size": 2,
    })
    assert response.status_code == 200 and "超过班额上限 2" in response.content.decode()
    with pytest.raises(ValidationError, match="没有学生学籍记录"):
        services.commit_roster_draw(actor=personas.school_admin, school=city.east_primary, year=2024, grade="3",
                                    classes=1)
    assert not Draw.objects.exists()


def test_student_number_masking():
    assert mask_student_no("G370202201809010011") == "G370*************11"
    assert mask_student_no("2024001") == "2024*01"
    assert mask_student_no("12345") == "***45"
