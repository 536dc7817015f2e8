"""数据导入 through HTTP: upload → dry-run preview → confirm → data on the school page. The import runs in the
request here (EDUGOV_IMPORT_SYNC); in production it runs in a background thread after the response."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import City
from edugov.dataio.models import ImportRun, ImportStatus
from edugov.stats.models import GradeEnrolment

pytestmark = pytest.mark.django_db

# 东区新镇中心幼儿园 has no person records, so its enrolment may be imported as aggregates.
VALID_CSV = "学年,学校标识码,年级,男生数,女生数\n2024,1137020003,中班,51,47\n2024,1137020003,大班,40,44\n"
INVALID_CSV = "学年,学校标识码,年级,男生数,女生数\n2024,2137020001,三年级,五十,47\n2024,2137030001,一年级,1,1\n"


@pytest.fixture(autouse=True)
def synchronous_imports(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.EDUGOV_IMPORT_SYNC = True
    settings.MEDIA_ROOT = tmp_path


def upload(client, name: str, text: str):  # type: ignore[no-untyped-def]
    return client.post("/imports/", {"file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")})


def test_upload_preview_confirm_and_see_the_data(as_user, city: City, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    response = upload(client, "分年级在校生.csv", VALID_CSV)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{run.pk}/"
    assert run.status == ImportStatus.PREVIEWED

    preview = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'id="import-confirm"' in preview
    assert 'class="num count-new">2<' in preview
    # A dry run writes nothing.
    assert not GradeEnrolment.objects.filter(unit=city.east_kindergarten, grade="K2").exists()

    response = client.post(f"/imports/{run.pk}/apply/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.APPLIED

    school = client.get(f"/units/{city.east_kindergarten.code}/").content.decode()
    assert "中班" in school and "大班" in school
    assert 'id="enrolment-total">240<' in school  # 58 already there + 98 + 84

    history = client.get("/imports/").content.decode()
    assert "分年级在校生.csv" in history and "已导入" in history


def test_errors_are_listed_and_block_the_confirm_button(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    upload(client, "分年级在校生.csv", INVALID_CSV)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.INVALID
    html = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'id="import-confirm"' not in html
    assert 'id="import-errors"' in html and "五十" in html
    for header in ("文件", "工作表", "行", "列", "错误值", "问题", "修改建议", "次数"):
        assert f"<th>{header}</th>" in html or f'<th class="num">{header}</th>' in html
    assert client.post(f"/imports/{run.pk}/apply/").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.INVALID
    assert not GradeEnrolment.objects.filter(grade="3").exists()


def test_error_report_downloads_as_xlsx(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("edugov.dataio.reports")
    from openpyxl import load_workbook

    client = as_user("east_admin")
    upload(client, "分年级在校生.csv", INVALID_CSV)
    run = ImportRun.objects.get()
    response = client.get(f"/imports/{run.pk}/errors.xlsx")
    assert response.status_code == 200
    load_workbook(io.BytesIO(response.content))


def test_template_downloads_as_xlsx(as_user) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("edugov.dataio.templates")
    from openpyxl import load_workbook

    response = as_user("school_admin").get("/imports/template.xlsx")
    assert response.status_code == 200
    assert "学生" in load_workbook(io.BytesIO(response.content)).sheetnames


def test_a_run_is_applied_only_once(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    upload(client, "分年级在校生.csv", VALID_CSV)
    run = ImportRun.objects.get()
    client.post(f"/imports/{run.pk}/apply/")
    response = client.post(f"/imports/{run.pk}/apply/", follow=True)
    assert "不能再次导入" in response.content.decode()


def test_other_peoples_runs_are_not_found(as_user, personas, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    upload(client, "分年级在校生.csv", VALID_CSV)
    run = ImportRun.objects.get()
    client.logout()
    other = as_user("school_admin")
    for url in (f"/imports/{run.pk}/", f"/imports/{run.pk}/progress/", f"/imports/{run.pk}/errors.xlsx"):
        assert other.get(url).status_code == 404
    assert other.post(f"/imports/{run.pk}/apply/").status_code == 404
    assert "分年级在校生.csv" not in other.get("/imports/").content.decode()


def test_roles_without_import_permission_cannot_upload(as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("viewer")
    assert upload(client, "分年级在校生.csv", VALID_CSV).status_code == 403
    assert client.get("/imports/template.xlsx").status_code == 403
    assert not ImportRun.objects.exists()


def test_wrong_file_types_are_refused_with_a_hint(as_user) -> None:  # type: ignore[no-untyped-def]
    html = upload(as_user("east_admin"), "统计表.xls", "x").content.decode()
    assert "另存为 .xlsx" in html
    assert not ImportRun.objects.exists()


def test_progress_endpoint_stops_polling_when_done(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    upload(client, "分年级在校生.csv", VALID_CSV)
    run = ImportRun.objects.get()
    response = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_progress_bar_polls_while_running(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    upload(client, "分年级在校生.csv", VALID_CSV)
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.VALIDATING, rows_total=10, rows_done=4)
    html = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'id="import-progress-bar"' in html and 'hx-trigger="every 1s"' in html
    response = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in response
