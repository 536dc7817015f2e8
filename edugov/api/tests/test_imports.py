from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from edugov.api.tests.conftest import id_number
from edugov.dataio.models import ImportRun, ImportStatus
from edugov.stats.models import StudentRecord

IMPORTS = "/api/v1/imports/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["学年", "学籍号", "身份证号", "姓名", "性别", "出生日期", "学校标识码", "年级", "班级"]



@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def workbook(rows: list[list[Any]], name: str = "学生.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "学生"
    for row in [HEADERS, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def pupil(no: int, school: str = "2137020001", birth: str = "2017-01-01") -> list[Any]:
    number = id_number(f"37020220170101{no:03d}")
    sex = "男" if no % 2 else "女"  # the 17th digit of the ID number is odd for men
    return [2024, f"G{number}", number, f"学生{no}", sex, birth, school, "二年级", "1班"]


def upload(client: Any, file: SimpleUploadedFile) -> Any:
    return client.post(IMPORTS, {"file": file}, format="multipart")


def test_upload_validates_without_writing_and_apply_writes(personas: Any, client_for: Any) -> None:
    client = client_for(personas.school_admin)

    response = upload(client, workbook([pupil(1), pupil(2)]))

    assert response.status_code == 201, response.content
    run = response.json()
    assert run["status"] == ImportStatus.PREVIEWED, run["errors"]
    assert run["errors"] == []
    assert set(run["progress"]) == {"rows_done", "rows_total", "percent", "status"}
    assert StudentRecord.objects.count() == 0

    applied = client.post(f"{IMPORTS}{run['id']}/apply/")

    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == ImportStatus.APPLIED
    assert StudentRecord.objects.count() == 2
    again = client.post(f"{IMPORTS}{run['id']}/apply/")
    assert again.status_code == 409


def test_an_invalid_file_reports_its_errors_and_cannot_be_applied(personas: Any, client_for: Any) -> None:
    client = client_for(personas.school_admin)

    response = upload(client, workbook([pupil(1, birth="2017-02-30")]))

    assert response.status_code == 201
    run = response.json()
    assert run["status"] == ImportStatus.INVALID
    assert run["error_count"] == len(run["errors"]) > 0
    assert run["warning_count"] == 0
    assert {"row", "problem"} <= set(run["errors"][0])
    assert client.post(f"{IMPORTS}{run['id']}/apply/").status_code == 409
    assert StudentRecord.objects.count() == 0


def test_the_error_report_downloads_as_a_workbook(personas: Any, client_for: Any) -> None:
    client = client_for(personas.school_admin)
    run = upload(client, workbook([pupil(1, birth="2017-02-30")])).json()

    response = client.get(f"{IMPORTS}{run['id']}/errors.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames


def test_an_unsupported_file_type_is_a_400(personas: Any, client_for: Any) -> None:
    response = upload(client_for(personas.school_admin), SimpleUploadedFile("notes.docx", b"hello"))

    assert response.status_code == 400
    assert "file" in response.json()
    assert not ImportRun.objects.exists()


def test_a_file_over_the_limit_is_a_400(personas: Any, client_for: Any, settings: Any) -> None:
    settings.EDUGOV_IMPORT_MAX_BYTES = 100

    response = upload(client_for(personas.school_admin), workbook([pupil(1)]))

    assert response.status_code == 400
    assert "file" in response.json()


def test_a_request_without_a_file_is_a_400(personas: Any, client_for: Any) -> None:
    assert client_for(personas.school_admin).post(IMPORTS, {}, format="multipart").status_code == 400


@pytest.mark.parametrize("persona", ["inspector", "viewer"])
def test_imports_require_the_import_permission(personas: Any, client_for: Any, persona: str) -> None:
    client = client_for(getattr(personas, persona))

    assert client.get(IMPORTS).status_code == 403
    assert upload(client, workbook([pupil(1)])).status_code == 403
    assert not ImportRun.objects.exists()


def test_users_see_only_their_own_runs_and_the_city_admin_sees_all(personas: Any, client_for: Any) -> None:
    mine = upload(client_for(personas.school_admin), workbook([pupil(1)])).json()["id"]
    theirs = upload(client_for(personas.west_admin),
                    workbook([pupil(3, school="2137030001")])).json()["id"]
    school_admin = client_for(personas.school_admin)

    assert [r["id"] for r in school_admin.get(IMPORTS).json()["results"]] == [mine]
    assert school_admin.get(f"{IMPORTS}{theirs}/").status_code == 404
    assert school_admin.post(f"{IMPORTS}{theirs}/apply/").status_code == 404
    assert school_admin.get(f"{IMPORTS}{theirs}/errors.xlsx").status_code == 404
    assert {r["id"] for r in client_for(personas.city_admin).get(IMPORTS).json()["results"]} == {mine, theirs}


def test_a_school_admin_cannot_import_into_another_school(personas: Any, client_for: Any) -> None:
    run = upload(client_for(personas.school_admin), workbook([pupil(1, school="2137030001")])).json()

    assert run["status"] == ImportStatus.INVALID
    assert StudentRecord.objects.count() == 0


def test_the_import_list_does_not_query_per_run(personas: Any, client_for: Any,
                                                django_assert_max_num_queries: Any) -> None:
    for n in range(5):
        ImportRun.objects.create(actor=personas.city_admin, file_name=f"{n}.xlsx", sha256="0" * 64)
    client = client_for(personas.city_admin)

    with django_assert_max_num_queries(5):
        assert len(client.get(IMPORTS).json()["results"]) == 5
