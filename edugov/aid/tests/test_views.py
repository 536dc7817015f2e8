"""精准资助 through HTTP: upload with its error report, scoped and masked candidate lists with an audited reveal,
the review buttons with a stale-page conflict, and the reports with their Excel export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from edugov.aid import services
from edugov.aid.models import AidCandidate, CandidateStatus, ExternalList
from edugov.cases.tests.conftest import as_user, make_student  # noqa: F401 (fixture)
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(city) -> AidCandidate:  # type: ignore[no-untyped-def]
    student = make_student(city.east_primary, "G001", seq=1, name="王小明", grade="3")
    services.import_list(actor=None, unit=city.east, year=2025, list_type="dibao", source="民政局",
                         rows=[{"id": student.id_number, "name": "王小明"}])
    [created] = services.generate_candidates(actor=None, programme_code="living_subsidy", year=2025, unit=city.east)
    return created


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("低保.csv", text.encode("utf-8-sig"), content_type="text/csv")


def test_an_upload_with_bad_rows_shows_every_error_and_imports_nothing(as_user, city):  # noqa: F811
    client = as_user("east_admin")
    page = client.post("/aid/", {"list_type": "dibao", "unit": city.east.code, "year": "2025", "source": "民政局",
                                 "file": _csv("身份证号,姓名\n123,甲\n,乙\n")}).content.decode()
    assert 'id="upload-errors"' in page and "第2行“身份证号”列" in page and "第3行“身份证号”列" in page
    assert not ExternalList.objects.exists()
    outside = as_user("east_admin").post("/aid/", {"list_type": "dibao", "unit": city.west.code, "year": "2025",
                                                   "source": "民政局", "file": _csv("身份证号,姓名\n")})
    assert "不存在或不在您的管辖范围内" in outside.content.decode()


def test_candidates_are_masked_scoped_and_revealed_only_with_an_audit(as_user, candidate):  # noqa: F811
    number = candidate.student.id_number
    masked = as_user("east_admin").get("/aid/candidates/?year=2025").content.decode()
    assert "王**" in masked and number not in masked and "王小明" not in masked
    assert not AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).exists()
    revealed = as_user("east_admin").get("/aid/candidates/?year=2025&reveal=1").content.decode()
    assert "王小明" in revealed and number in revealed
    assert AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE, object_id=str(candidate.pk)).exists()
    assert "王小明" not in as_user("inspector").get("/aid/candidates/?year=2025&reveal=1").content.decode()
    assert f'id="candidate-{candidate.pk}"' not in as_user("west_admin").get("/aid/candidates/?year=2025").content \
        .decode()


def test_the_review_button_moves_the_candidate_and_a_stale_page_is_told_to_reload(as_user, candidate):  # noqa: F811
    client = as_user("school_admin")
    form = {"candidate": candidate.pk, "expected_version": "1", "programme": "living_subsidy", "year": "2025",
            "action": "review"}
    assert client.post("/aid/candidates/", form).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.SCHOOL_REVIEWED
    page = client.post("/aid/candidates/", form, follow=True).content.decode()
    assert "已被他人处理" in page


def test_the_reports_page_and_its_excel_export_list_the_gap(as_user, candidate):  # noqa: F811
    client = as_user("east_admin")
    assert "应助尽助缺口（1）" in client.get("/aid/reports/?year=2025").content.decode()
    response = client.get("/aid/reports.xlsx?year=2025")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["应助尽助缺口", "同一项目重复资助", "已不符合条件仍在资助"]
    assert book["应助尽助缺口"]["B2"].value == "王**" and book["应助尽助缺口"]["E2"].value == "500.00"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="aid.reports").exists()
