"""受理 then 审核: the burst-proof path for filing registrations (see models.Intake).

`receive` records a registration in one statement (INSERT … ON CONFLICT DO NOTHING RETURNING: a retry with the same
idempotency key finds the first one, never a second row), `process` files waiting intakes through
`services.submit_application` — the same checks, events and audit as the parent's form — and `status` tells the
parent what became of theirs. A worker thread in the web process drains the queue as intakes arrive
(`wake`); `edugov manage enrol_process_intake` drains it from the command line (or cron) as well. The deadline is
checked at receipt, so a registration received in time is filed even when the worker reaches it later.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.enrolment import services
from edugov.enrolment.models import EnrolmentRound, Intake, RoundSchool

logger = logging.getLogger(__name__)

MAX_PAYLOAD_CHOICES = 3


class IntakeRefused(ValidationError):
    """The registration cannot even be received (round closed, no key, malformed body)."""


@dataclass(frozen=True)
class Receipt:
    intake_id: int
    replayed: bool


def receive(*, user: Any, rnd: EnrolmentRound, key: str, payload: dict[str, Any],
            now: dt.datetime | None = None, payload_json: str | None = None) -> Receipt:
    """Records one registration; the same key again returns the first receipt. Refused after the deadline.
    `payload_json` is the body as received when the caller already holds it (saves serialising it again)."""
    now = now or timezone.now()
    key = key.strip()[:64]
    if not key:
        raise IntakeRefused(_("提交缺少防重复编号，请刷新页面后重试。"))
    services.check_window(rnd, now)
    table = Intake._meta.db_table
    with connection.cursor() as cursor:
        # One statement whatever happens: a retry arriving while the first is still in flight meets the unique
        # constraint and gets no row back, then reads the first one.
        cursor.execute(
            f"INSERT INTO {table} (round_id, parent_id, idempotency_key, payload, received_at, error) "
            f"VALUES (%s, %s, %s, %s, %s, '') ON CONFLICT (round_id, idempotency_key) DO NOTHING RETURNING id",
            [rnd.pk, user.pk, key, payload_json if payload_json is not None else _json(payload),
             connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    if row is not None:
        return Receipt(intake_id=int(row[0]), replayed=False)
    existing = Intake.objects.filter(round=rnd, idempotency_key=key).values_list("pk", "parent_id").first()
    if existing is None:  # pragma: no cover - the conflicting row cannot vanish: intakes are never deleted
        raise IntakeRefused(_("提交失败，请重试。"))
    if existing[1] != user.pk:
        raise IntakeRefused(_("提交编号冲突，请刷新页面后重新填写。"))
    return Receipt(intake_id=existing[0], replayed=True)


def _json(payload: dict[str, Any]) -> str:
    import json

    return json.dumps(payload, ensure_ascii=False)


def _data(rnd: EnrolmentRound, payload: dict[str, Any], schools: dict[str, RoundSchool]) -> services.ApplicationData:
    choices: list[tuple[RoundSchool, str]] = []
    raw_choices = payload.get("choices")
    for raw in (raw_choices if isinstance(raw_choices, list) else [])[:MAX_PAYLOAD_CHOICES + 1]:
        code = str(raw.get("school", "")) if isinstance(raw, dict) else ""
        if code not in schools:
            raise ValidationError({"choices": [_("“%(code)s”不在本轮招生的学校中。") % {"code": code}]})
        choices.append((schools[code], str(raw.get("tier", ""))))
    return services.ApplicationData(
        child_name=str(payload.get("child_name", "")), id_number=str(payload.get("id_number", "")),
        guardian_name=str(payload.get("guardian_name", "")), guardian_phone=str(payload.get("guardian_phone", "")),
        address=str(payload.get("address", "")), choices=choices)


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(str(m) for messages in exc.message_dict.values() for m in messages)
    return "；".join(str(m) for m in exc.messages)


def process(limit: int = 500) -> int:
    """Files up to `limit` waiting intakes, oldest first; returns how many were handled (filed or refused)."""
    handled = 0
    schools_by_round: dict[int, dict[str, RoundSchool]] = {}
    # Walk the log forward from the last receipt handled, so that each step reads from there on the primary key
    # rather than from the start of the log again (the log has no index on its queue: it is written under load).
    after = 0
    while handled < limit:
        with transaction.atomic():
            waiting = Intake.objects.filter(processed_at__isnull=True, pk__gt=after).order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                waiting = waiting.select_for_update(skip_locked=True)
            intake = waiting.select_related("round", "parent").first()
            if intake is None:
                return handled
            rnd = intake.round
            schools = schools_by_round.get(rnd.pk)
            if schools is None:
                schools = schools_by_round[rnd.pk] = {
                    rs.school.code: rs for rs in RoundSchool.objects.filter(round=rnd).select_related("school")}
            try:
                with transaction.atomic():
                    application = services.submit_application(
                        actor=intake.parent, rnd=rnd, data=_data(rnd, intake.payload, schools),
                        idempotency_key=intake.idempotency_key, now=intake.received_at)
            except (ValidationError, PermissionDenied) as exc:
                intake.error = _messages(exc) if isinstance(exc, ValidationError) else str(exc)
            else:
                intake.application = application
            intake.processed_at = timezone.now()
            intake.save(update_fields=["error", "application", "processed_at"])
            after = intake.pk
            handled += 1
    return handled


def status(intake: Intake) -> dict[str, Any]:
    """What the parent's app shows: 受理中 while waiting, then the reference or the reason."""
    if intake.processed_at is None:
        return {"intake": intake.pk, "status": "received", "label": _("已受理，正在核验")}
    if intake.application_id is not None:
        application = intake.application
        assert application is not None
        return {"intake": intake.pk, "status": "filed", "label": _("报名成功"), "reference": application.reference,
                "application_status": application.status}
    return {"intake": intake.pk, "status": "refused", "label": _("未通过核验"), "errors": intake.error}


# ---------------------------------------------------------------------------------------------------------------
# The worker thread of a web process


_wakeup = threading.Event()
_worker_lock = threading.Lock()
_worker: threading.Thread | None = None
# Receipts seen by this process; the worker compares it across a quiet period instead of being woken per receipt
# (a wake-up per request would hand the interpreter lock to the worker hundreds of times a second).
_arrivals = [0]


def wake() -> None:
    """Called after each receipt: files it in the request itself under EDUGOV_INTAKE_SYNC, leaves it to another
    process when EDUGOV_INTAKE_WORKER is off, otherwise makes sure this process's worker thread is running and
    tells it there is work."""
    if getattr(settings, "EDUGOV_INTAKE_SYNC", False):
        process()
        return
    if not getattr(settings, "EDUGOV_INTAKE_WORKER", True):
        return  # another process drains the queue (edugov manage enrol_process_intake --loop), or a test does
    global _worker
    if _worker is None or not _worker.is_alive():
        with _worker_lock:
            if _worker is None or not _worker.is_alive():
                _worker = threading.Thread(target=_run, name="enrolment-intake", daemon=True)
                _worker.start()
    _arrivals[0] += 1
    if not _wakeup.is_set():
        _wakeup.set()


# While registrations keep arriving, filing waits (at most MAX_DELAY seconds): receipts first, so that a burst is
# answered as fast as the database allows, and the checks run when it calms down or in a separate process.
QUIET_SECONDS = 0.5
MAX_DELAY_SECONDS = 20.0


def _run() -> None:
    while True:
        _wakeup.wait(timeout=5)
        first = time.monotonic()
        while time.monotonic() - first < MAX_DELAY_SECONDS:
            seen = _arrivals[0]
            time.sleep(QUIET_SECONDS)
            if _arrivals[0] == seen:
                break
        _wakeup.clear()
        try:
            while process(limit=200):
                pass
        except Exception:  # the worker must survive a bad row or a lost connection; the row stays queued
            logger.exception("enrolment intake worker failed; retrying")
        finally:
            close_old_connections()
