"""Runs an import's validation or application after the upload response, in a background thread.

Why a thread: validating a city's workbook can take minutes, longer than a browser or proxy waits for one response,
and a bureau server should not need a message broker. The view records the run, answers at once with a page that
polls the run's progress (rows_done / rows_total, written by the import engine), and this module does the work in a
daemon thread started when the upload's transaction commits.

Limits that follow from that choice, accepted for a single-server deployment: a run interrupted by a server restart
stays "校验中" or "导入中" (the user uploads the file again); the work runs in the web process, so use a threaded or
multi-process server (waitress, gunicorn with threads). Tests set EDUGOV_IMPORT_SYNC = True to run it in the request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from edugov.dataio import services
from edugov.dataio.models import ImportRun, ImportStatus

logger = logging.getLogger(__name__)

RUNNING = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.APPLYING)


def _execute(run_id: int, step: str) -> None:
    run = ImportRun.objects.select_related("actor").get(pk=run_id)
    action: Callable[..., ImportRun] = services.validate_run if step == "validate" else services.apply_run
    try:
        action(run, actor=run.actor)
    except Exception as exc:
        logger.exception("import run %s: %s failed", run_id, step)
        # The engine normally records its own failures; this only catches a crash that left the run "running",
        # so that the page stops polling and tells the user (compare-and-swap on the running states).
        ImportRun.objects.filter(pk=run_id, status__in=RUNNING).update(
            status=ImportStatus.FAILED, message=f"处理时发生内部错误：{exc.__class__.__name__}。请联系管理员。")


def _in_thread(run_id: int, step: str) -> None:
    close_old_connections()
    try:
        _execute(run_id, step)
    finally:
        connection.close()


def start(run: ImportRun, step: str) -> None:
    """Starts validation ("validate") or application ("apply") of the run."""
    if getattr(settings, "EDUGOV_IMPORT_SYNC", False):
        _execute(run.pk, step)
        return
    transaction.on_commit(lambda: threading.Thread(
        target=_in_thread, args=(run.pk, step), name=f"edugov-import-{run.pk}-{step}", daemon=True).start())


def claim_for_apply(run: ImportRun) -> bool:
    """Moves a clean preview back to the queue exactly once, so that a double click cannot apply a file twice."""
    if not can_apply(run):
        return False
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEWED).update(status=ImportStatus.PENDING)
    if claimed:
        run.status = ImportStatus.PENDING
    return bool(claimed)


def progress(run: ImportRun) -> dict[str, Any]:
    """{"rows_done", "rows_total", "percent", "status"} from the engine's progress file, which it updates while its
    transaction is still open (the run's row would not show progress until the end)."""
    return services.read_progress(run)


def is_running(run: ImportRun) -> bool:
    return run.status in RUNNING


def can_apply(run: ImportRun) -> bool:
    """Only a clean preview may be applied: what the user confirms is exactly what was checked."""
    if run.status != ImportStatus.PREVIEWED:
        return False
    # Warnings inform; only errors block. An entry without a severity is treated as an error.
    if any(problem.get("severity", "error") != "warning" for problem in run.errors or []):
        return False
    return not any((counts or {}).get("error") for counts in (run.summary or {}).values())
