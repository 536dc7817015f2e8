"""The upload workflow the web and API use: create_run → validate_run (preview) → apply_run, with progress."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from edugov.core.models import AuditEvent
from edugov.dataio import importer, services
from edugov.dataio.models import ImportRun
from edugov.dataio.services import apply_run, create_run, read_progress, validate_run
from edugov.dataio.tests.conftest import STUDENT_HEADERS, db_state, many_students, student, write_xlsx
from edugov.stats.models import StudentRecord


def upload(tmp_path: Path, actor: Any, rows: list[list[Any]], name: str = "学生名册.xlsx") -> ImportRun:
    path = write_xlsx(tmp_path / "upload.xlsx", {"学生": rows})
    return create_run(actor=actor, file_name=name, content=path.read_bytes())


def test_a_run_is_stored_previewed_without_writing_and_then_applied(city, personas, tmp_path, media_root):
    run = upload(tmp_path, personas.east_admin, [STUDENT_HEADERS, student("G1"), student("G2", seq=2)])
    assert run.status == "pending" and run.size_bytes > 0 and len(run.sha256) == 64
    assert Path(run.stored_path).parent.parent == media_root / "imports"
    assert Path(run.stored_path).name == "学生名册.xlsx"
    before = db_state()
    run = validate_run(run, actor=personas.east_admin)
    assert run.status == "previewed", run.errors
    assert run.summary == {"students": {"new": 2, "changed": 0, "unchanged": 0, "error": 0}}
    assert run.rows_done == 2 and db_state() == before
    run = apply_run(run, actor=personas.east_admin)
    assert run.status == "applied" and run.applied_at is not None
    assert StudentRecord.objects.count() == 2
    audited = AuditEvent.objects.filter(object_type="dataio.ImportRun", object_id=str(run.pk), action="import")
    assert audited.count() == 1
    assert ImportRun.objects.count() == 1  # the upload record itself, no second record for the application
    with pytest.raises(ValidationError):
        apply_run(run, actor=personas.east_admin)


def test_an_invalid_run_keeps_its_grouped_errors_and_applies_nothing(city, personas, tmp_path):
    run = upload(tmp_path, personas.east_admin, [STUDENT_HEADERS, student("G1", school="2137030001")])
    run = validate_run(run, actor=personas.east_admin)
    assert run.status == "invalid"
    assert [e["code"] for e in run.errors] == ["out_of_scope"]
    run = apply_run(run, actor=personas.east_admin)
    assert run.status == "invalid" and not StudentRecord.objects.exists()
    assert "未写入任何数据" in run.message


def test_a_file_changed_after_upload_is_not_applied(city, personas, tmp_path):
    run = upload(tmp_path, personas.east_admin, [STUDENT_HEADERS, student("G1")])
    Path(run.stored_path).write_bytes(b"tampered")
    run = apply_run(run, actor=personas.east_admin)
    assert run.status == "failed" and "重新上传" in run.message


def test_an_upload_over_the_size_limit_is_refused_and_not_kept(city, personas, settings, media_root):
    settings.EDUGOV_IMPORT_MAX_BYTES = 1024
    with pytest.raises(services.ImportFileTooLarge) as raised:
        create_run(actor=personas.east_admin, file_name="学生.csv", content=io.BytesIO(b"x" * 5000))
    assert "文件超过 1 KB 的上限" in raised.value.messages[0]
    assert not ImportRun.objects.exists()
    assert not any((media_root / "imports").glob("*/*"))


def test_only_xlsx_and_csv_uploads_and_only_importing_roles_are_accepted(city, personas):
    with pytest.raises(ValidationError):
        create_run(actor=personas.east_admin, file_name="学生.xls", content=b"x")
    with pytest.raises(PermissionDenied):
        create_run(actor=personas.inspector, file_name="学生.csv", content=b"x")


def test_a_crash_inside_the_engine_marks_the_run_failed_and_writes_nothing(city, personas, tmp_path, monkeypatch):
    run = upload(tmp_path, personas.east_admin, [STUDENT_HEADERS, student("G1")])

    def broken(self: Any, *args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(importer.Importer, "_derive", broken)
    run = apply_run(run, actor=personas.east_admin)
    assert run.status == "failed" and "内部错误" in run.message
    assert not StudentRecord.objects.exists()


def test_progress_is_readable_from_outside_while_the_import_runs(city, personas, tmp_path, monkeypatch):
    """GIVEN a 3,000-row upload WHEN the engine reports progress THEN another reader sees it in the progress file,
    and once the run is over the figures are on the ImportRun row."""
    run = upload(tmp_path, personas.east_admin, [STUDENT_HEADERS, *many_students(3000)])
    seen: list[dict[str, Any]] = []
    original = importer.Progress.report

    def report_and_peek(self: importer.Progress, *, force: bool = False) -> None:
        original(self, force=True)
        if self.done and not force:
            seen.append(read_progress(run))

    monkeypatch.setattr(importer.Progress, "report", report_and_peek)
    run = validate_run(run, actor=personas.east_admin)
    assert run.status == "previewed"
    assert seen and seen[0]["status"] == "validating" and 0 < seen[0]["rows_done"] < 3000
    assert seen[0]["rows_total"] >= 3000 and 0 < seen[0]["percent"] < 100
    assert not services.progress_path(run).exists()
    assert read_progress(run) == {"rows_done": 3000, "rows_total": 3000, "percent": 100, "status": "previewed"}


def test_the_progress_file_is_plain_json(city, personas, tmp_path):
    run = upload(tmp_path, personas.east_admin, [STUDENT_HEADERS, student("G1")])
    write = services._progress_writer(run, "applying")
    write(5, 10)
    data = json.loads(services.progress_path(run).read_text(encoding="utf-8"))
    assert (data["rows_done"], data["rows_total"], data["status"]) == (5, 10, "applying")
    assert read_progress(run)["percent"] == 50
