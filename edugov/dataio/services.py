"""Import services: the entry points the web, the API and the command line call.

The file of an upload is stored under MEDIA_ROOT/imports/<run id>/ and its SHA-256 recorded, so that the file the
user previewed is exactly the file that gets applied. Validation (`validate_run`) and application (`apply_run`)
run the same engine (importer.py); validation always rolls back.

Progress: while an import runs, its transaction is open (and on SQLite holds the write lock), so progress cannot be
written to the ImportRun row where other requests would see it. Instead the engine writes a small JSON file,
MEDIA_ROOT/imports/<run id>.progress ({"rows_done", "rows_total", "status", "updated_at"}), replaced atomically;
`read_progress(run)` returns it (or the row's own figures once the run has finished and the file is gone).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.core.audit import Actor
from edugov.core.choices import Permission
from edugov.core.scoping import scope_for
from edugov.dataio.importer import Importer, ImportResult, user_or_none
from edugov.dataio.models import ImportRun, ImportStatus
from edugov.dataio.readers import CSV_SUFFIXES, XLSX_SUFFIXES

__all__ = [
    "ImportFileTooLarge",
    "ImportResult",
    "apply_run",
    "create_run",
    "import_path",
    "progress_path",
    "read_progress",
    "validate_run",
]

logger = logging.getLogger(__name__)

_UNSAFE_NAME = re.compile(r"[^\w.\-（）()\u3000-\u9fff]+")


class ImportFileTooLarge(ValidationError):
    """The upload exceeds settings.EDUGOV_IMPORT_MAX_BYTES."""


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def progress_path(run: ImportRun) -> Path:
    return imports_dir() / f"{run.pk}.progress"


def _safe_name(file_name: str) -> str:
    # Keep the stem: a CSV's table is chosen by its file name (学生.csv). Drop any directory part and odd characters.
    name = Path(file_name.replace("\\", "/")).name.strip() or "upload"
    return _UNSAFE_NAME.sub("_", name)[:200]


def _limit_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.0f} MB"


def create_run(*, actor: Actor, file_name: str, content: bytes | IO[bytes] | Path) -> ImportRun:
    """Stores an uploaded file and records it as a pending import.

    Raises PermissionDenied when the actor may not import, ValidationError for an unsupported file type, and
    ImportFileTooLarge when the file exceeds settings.EDUGOV_IMPORT_MAX_BYTES (nothing is kept then).
    """
    if actor is not None and not scope_for(actor).can(Permission.IMPORT):
        raise PermissionDenied(_("您没有导入数据的权限"))
    suffix = Path(file_name).suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise ValidationError(_("只能导入 Excel 工作簿（.xlsx）或 CSV 文件，“%(name)s”不是") % {"name": file_name},
                              code="file_type")
    limit = int(settings.EDUGOV_IMPORT_MAX_BYTES)
    run = ImportRun.objects.create(actor=user_or_none(actor),
                                   file_name=_safe_name(file_name)[:255], status=ImportStatus.PENDING)
    folder = imports_dir() / str(run.pk)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _safe_name(file_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("wb") as out:
            for chunk in _chunks(content):
                size += len(chunk)
                if size > limit:
                    raise ImportFileTooLarge(
                        _("文件超过 %(limit)s 的上限，无法导入") % {"limit": _limit_text(limit)}
                        + _("。请按学校或区县拆分成几个文件分别导入"), code="too_large")
                digest.update(chunk)
                out.write(chunk)
    except ValidationError:
        shutil.rmtree(folder, ignore_errors=True)
        run.delete()
        raise
    run.stored_path = str(target)
    run.sha256 = digest.hexdigest()
    run.size_bytes = size
    run.save(update_fields=["stored_path", "sha256", "size_bytes"])
    return run


def _chunks(content: bytes | IO[bytes] | Path) -> Any:
    if isinstance(content, bytes | bytearray):
        for start in range(0, len(content), 1 << 20):
            yield bytes(content[start:start + (1 << 20)])
        return
    if isinstance(content, Path):
        with content.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
        return
    if hasattr(content, "chunks"):  # Django's UploadedFile
        yield from content.chunks()
        return
    while chunk := content.read(1 << 20):
        yield chunk


def validate_run(run: ImportRun, *, actor: Actor) -> ImportRun:
    """Dry run: checks the stored file and fills summary and errors; status becomes previewed or invalid."""
    return _execute(run, actor=actor, dry_run=True)


def apply_run(run: ImportRun, *, actor: Actor) -> ImportRun:
    """Runs the stored file again and commits it if it is clean; status becomes applied, invalid or failed.

    The import writes one audit event per table (and the registry services their own for units)."""
    if run.status == ImportStatus.APPLIED:
        raise ValidationError(_("该文件已于 %(at)s 导入") % {"at": timezone.localtime(run.applied_at)
                                                         if run.applied_at else ""}, code="already_applied")
    return _execute(run, actor=actor, dry_run=False)


def _execute(run: ImportRun, *, actor: Actor, dry_run: bool) -> ImportRun:
    path = Path(run.stored_path)
    run.status = ImportStatus.VALIDATING if dry_run else ImportStatus.APPLYING
    run.rows_done = 0
    run.save(update_fields=["status", "rows_done"])
    if not path.exists() or _sha256(path) != run.sha256:
        run.status = ImportStatus.FAILED
        run.message = _("上传的文件已丢失或被改动，请重新上传")
        run.save(update_fields=["status", "message"])
        return run
    progress = _progress_writer(run, "validating" if dry_run else "applying")
    try:
        result = Importer(actor=actor, dry_run=dry_run, progress=progress, display_name=run.file_name,
                          run=None if dry_run else run).run(path)
    except Exception:
        logger.exception("import run %s failed", run.pk)
        run.status = ImportStatus.FAILED
        run.message = _("导入时发生内部错误，未写入任何数据。请把文件和本提示发给系统管理员。")
        run.save(update_fields=["status", "message"])
        _remove_progress(run)
        return run
    _remove_progress(run)
    run.summary = result.summary
    run.errors = result.errors
    run.rows_total = result.rows_total
    run.rows_done = result.rows_done
    run.message = result.message
    if not result.ok:
        run.status = ImportStatus.INVALID
    elif dry_run:
        run.status = ImportStatus.PREVIEWED
    else:
        run.status = ImportStatus.APPLIED
        run.applied_at = timezone.now()
    run.save(update_fields=["summary", "errors", "rows_total", "rows_done", "message", "status", "applied_at"])
    return run


def import_path(path: str | Path, *, actor: Actor, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Imports a file or a folder of files (command line, benchmarks). All or nothing, like an upload.

    A successful real import also records an ImportRun (status applied), in the same transaction as the data."""
    return Importer(actor=actor, dry_run=dry_run, progress=progress).run(Path(path))


# --- progress ----------------------------------------------------------------------------------------------------

def _progress_writer(run: ImportRun, status: str) -> Callable[[int, int], None]:
    target = progress_path(run)
    target.parent.mkdir(parents=True, exist_ok=True)

    def write(done: int, total: int) -> None:
        payload = {"rows_done": done, "rows_total": total, "status": status,
                   "updated_at": timezone.now().isoformat()}
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{run.pk}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(payload, out)
            os.replace(temp, target)  # atomic: a reader sees the old or the new figures, never half a file
        except OSError:
            Path(temp).unlink(missing_ok=True)

    write(0, 0)
    return write


def _remove_progress(run: ImportRun) -> None:
    progress_path(run).unlink(missing_ok=True)


def read_progress(run: ImportRun) -> dict[str, Any]:
    """{"rows_done", "rows_total", "percent", "status"} for a progress bar, readable while the import runs."""
    try:
        data = json.loads(progress_path(run).read_text(encoding="utf-8"))
        done, total, status = int(data["rows_done"]), int(data["rows_total"]), str(data["status"])
    except (OSError, ValueError, KeyError):
        run.refresh_from_db(fields=["rows_done", "rows_total", "status"])
        done, total, status = run.rows_done, run.rows_total, run.status
    percent = min(100, round(done * 100 / total)) if total else 0
    return {"rows_done": done, "rows_total": total, "percent": percent, "status": status}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
