"""Mental health (心理健康): screening results imported from a school's or county's file, graded into risk levels by
configurable cut-offs (edugov/cases/config/screening_cutoffs.json), cases opened at or above the configured level,
and the intervention records of those cases.

Everything here is restricted: importing and reading needs `view_mental_health` (the 心理健康专员 role) at the unit.
Case titles and audit entries carry no names (the audit shows "心理个案 #id")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.cases import services
from edugov.cases.engine import screening
from edugov.cases.models import (
    Case,
    DetectionRule,
    InterventionKind,
    InterventionRecord,
    ScreeningImport,
    ScreeningResult,
)
from edugov.cases.services import CaseInputError
from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.scoping import scope_for, scope_ids
from edugov.lib.idcard import validate_id
from edugov.registry.models import OrgUnit
from edugov.stats.models import StudentRecord

CASE_TYPE = "mental_health"
COLUMNS = {"学籍号": "student_no", "身份证号": "id_number", "量表": "scale", "得分": "score", "日期": "date",
           "筛查日期": "date"}


@cache
def _cutoffs(path: str) -> screening.Cutoffs:
    return screening.load_cutoffs(Path(path) if path else None)


def cutoffs() -> screening.Cutoffs:
    """The cut-offs in force (`EDUGOV_SCREENING_CUTOFFS` may point to a local file; default: the shipped one)."""
    return _cutoffs(str(getattr(settings, "EDUGOV_SCREENING_CUTOFFS", "") or ""))


def _require(actor: Actor, unit_id: int, what: str) -> None:
    if actor is not None and not scope_for(actor).can_at(Permission.VIEW_MENTAL_HEALTH, unit_id):
        raise PermissionDenied(what)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", str(value or "").strip())
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def read_rows(file_name: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of an uploaded CSV (UTF-8, with or without BOM, or GB18030) or XLSX file, keyed by header."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        if ws is None:
            return []
        values = list(ws.iter_rows(values_only=True))
        if not values:
            return []
        headers = [str(h or "").strip() for h in values[0]]
        return [{h: v for h, v in zip(headers, row, strict=False) if h} for row in values[1:]]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return list(csv.DictReader(io.StringIO(text)))


@dataclass
class ScreeningOutcome:
    batch: ScreeningImport
    results: list[ScreeningResult]
    opened: list[Case] = field(default_factory=list)


@transaction.atomic
def import_screening(*, actor: Actor, unit: OrgUnit, year: int, rows: Sequence[Mapping[str, Any]],
                     file_name: str = "", first_row: int = 2,
                     cut: screening.Cutoffs | None = None) -> ScreeningOutcome:
    """Imports screening results (学籍号 or 身份证号, 量表, 得分, 日期) for pupils of `unit`'s subtree, all or nothing;
    every problem is reported with its row number. Results at or above the configured level open a mental-health
    case at the pupil's school (one open case per pupil: later results are linked to it)."""
    _require(actor, unit.pk, _("只有心理健康专员可以导入“%(unit)s”的心理筛查结果。") % {"unit": unit.name})
    cut = cut or cutoffs()
    pupils = StudentRecord.objects.filter(year=year, unit_id__in=scope_ids([unit.pk])).select_related("unit")
    by_no = {s.student_no: s for s in pupils}
    by_id = {s.id_number.upper(): s for s in pupils if s.id_number}
    problems: list[str] = []
    parsed: list[tuple[int, StudentRecord, screening.Scale, Decimal, dt.date, str]] = []
    seen: dict[tuple[int, str, dt.date], int] = {}
    for offset, raw in enumerate(rows):
        row = first_row + offset
        values = {COLUMNS.get(str(k).strip(), str(k).strip()): v for k, v in raw.items() if k}
        if not any(str(v or "").strip() for v in values.values()):
            continue
        here: list[str] = []
        student_no = str(values.get("student_no") or "").strip()
        id_number = str(values.get("id_number") or "").strip().upper()
        student = by_no.get(student_no) if student_no else None
        if student is None and id_number:
            check = validate_id(id_number)
            student = by_id.get(check.normalized) if check.ok else None
            if not check.ok:
                here.append(_("身份证号无效"))
        if student is None and not here:
            here.append(_("未找到该学生（学籍号或身份证号不在本单位 %(year)s 学年学籍中）") % {"year": year}
                        if student_no or id_number else _("缺少学籍号或身份证号"))
        scale = cut.scale(str(values.get("scale") or ""))
        if scale is None:
            here.append(_("量表“%(scale)s”未配置分界值（可用：%(known)s）")
                        % {"scale": values.get("scale") or "", "known": "、".join(cut.scales)})
        try:
            score = Decimal(str(values.get("score")).strip())
            if not score.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            here.append(_("得分“%(score)s”不是数字") % {"score": values.get("score") or ""})
            score = Decimal(0)
        level = ""
        if scale is not None and not here:
            try:
                level = scale.level_of(score)
            except ValueError as exc:
                here.append(str(exc))
        screened_on = _date(values.get("date"))
        if screened_on is None:
            here.append(_("日期“%(date)s”无效（应如 2025-03-01）") % {"date": values.get("date") or ""})
        elif screened_on > timezone.localdate():
            here.append(_("日期不能晚于今天"))
        if here:
            problems.extend(_("第%(row)s行：%(problem)s") % {"row": row, "problem": p} for p in here)
            continue
        assert student is not None and scale is not None and screened_on is not None
        key = (student.pk, scale.code, screened_on)
        if key in seen:
            problems.append(_("第%(row)s行：与第%(first)s行重复（同一学生、量表和日期）")
                            % {"row": row, "first": seen[key]})
            continue
        seen[key] = row
        parsed.append((row, student, scale, score, screened_on, level))
    if not parsed and not problems:
        problems.append(_("文件中没有数据行。"))
    if problems:
        raise CaseInputError(problems)
    batch = ScreeningImport.objects.create(unit=unit, year=year, file_name=file_name[:255],
                                           cutoff_version=cut.version, uploaded_by=services._user(actor))
    outcome = ScreeningOutcome(batch=batch, results=[])
    for row, student, scale, score, screened_on, level in parsed:
        result = ScreeningResult.objects.create(batch=batch, row=row, student=student, scale=scale.code, score=score,
                                                screened_on=screened_on, year=year, risk_level=level,
                                                cutoff_version=cut.version)
        outcome.results.append(result)
        if cut.opens_case(level):
            case = _case_for(actor, result, scale, level, outcome)
            ScreeningResult.objects.filter(pk=result.pk).update(case=case)
            result.case = case
    audit.record(actor=actor, action=AuditAction.IMPORT, obj=batch, org_unit_id=unit.pk,
                 after={"year": year, "rows": len(parsed), "cases": len(outcome.opened),
                        "cutoff_version": cut.version})
    return outcome


def _case_for(actor: Actor, result: ScreeningResult, scale: screening.Scale, level: str,
              outcome: ScreeningOutcome) -> Case:
    subject = f"student:{result.student.student_no}"
    existing = Case.objects.filter(case_type=CASE_TYPE, rule=DetectionRule.SCREENING, subject_key=subject,
                                   closed_at__isnull=True).first()
    if existing is not None:
        return existing
    label = screening.LEVELS[level]
    case = services.open_case(
        actor=actor, case_type_code=CASE_TYPE, unit=result.student.unit, year=result.year, student=result.student,
        school=result.student.unit, title=_("心理筛查预警（%(scale)s %(level)s）") % {"scale": scale.code,
                                                                                 "level": label},
        rule=DetectionRule.SCREENING, subject_key=subject, source_ref=f"screening:{result.pk}",
        data={"scale": scale.code, "score": str(result.score), "risk_level": level,
              "screened_on": result.screened_on.isoformat(), "cutoff_version": result.cutoff_version})
    outcome.opened.append(case)
    return case


@transaction.atomic
def add_intervention(*, actor: Actor, case: Case, on: dt.date, kind: str, by: str, note: str) -> InterventionRecord:
    """Records one intervention (辅导, 家校沟通, 危机干预, 随访 …) on an open mental-health case."""
    case = Case.objects.select_related("unit").get(pk=case.pk)
    if case.case_type != CASE_TYPE:
        raise CaseInputError(_("只有心理健康个案可以登记干预记录。"))
    _require(actor, case.unit_id, _("只有心理健康专员可以登记干预记录。"))
    if not case.is_open:
        raise CaseInputError(_("个案已结案，不能再登记干预记录。"))
    if kind not in InterventionKind.values:
        raise CaseInputError(_("未知的干预方式：%(kind)s") % {"kind": kind})
    if on > timezone.localdate():
        raise CaseInputError(_("干预日期不能晚于今天。"))
    if not by.strip() or not note.strip():
        raise CaseInputError(_("请填写干预人员和情况记录。"))
    record = InterventionRecord.objects.create(case=case, on=on, kind=kind, by=by.strip()[:100], note=note.strip(),
                                               recorded_by=services._user(actor))
    if kind == InterventionKind.FOLLOW_UP and case.follow_up_on is not None:
        Case.objects.filter(pk=case.pk).update(follow_up_done_on=on)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=record, org_unit_id=case.unit_id,
                 after={"case": case.pk, "on": on.isoformat(), "kind": kind})
    return record
