"""Everything that writes 精准资助 data: importing an external list, generating candidates for a programme and year,
school review, district approval and disbursement; and the eligibility computation the reports share.

Each write is atomic, takes the acting user as `actor=` (None is the system) and is audited in the same transaction.
Bad input raises AidInputError with Chinese messages and changes nothing. Every step on a candidate is a
compare-and-swap on (status, version): a candidate someone else moved meanwhile is not touched."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.aid import engine
from edugov.aid.models import (
    AidCandidate,
    CandidateStatus,
    Disbursement,
    ExternalList,
    ExternalListRow,
    IdStatus,
    MatchKind,
    RowStatus,
)
from edugov.cases.services import actor_roles
from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.scoping import descendant_ids, scope_for
from edugov.lib.idcard import mask_id
from edugov.lib.text import clean_cell, normalize_header
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.stats.grades import stage_of
from edugov.stats.models import StudentRecord


class AidInputError(ValidationError):
    """Bad input to an aid service; the message is for the user."""


class AidConflict(AidInputError):
    """The candidate moved on since the user loaded it."""


def _user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------------------------------------
# Reading an uploaded list

COLUMNS = {"身份证号": "id", "身份证号码": "id", "公民身份号码": "id", "姓名": "name", "出生日期": "birth"}


def read_table(file_name: str, data: bytes) -> tuple[list[dict[str, Any]], int]:
    """The rows of a CSV or XLSX upload as {column key: cell}, and the sheet row number of the first data row.
    Columns are recognised by header (身份证号, 姓名, 出生日期); others are ignored."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # any unreadable workbook is the user's file, not our bug
            raise AidInputError(_("无法读取该 Excel 文件，请另存为 .xlsx 后重试。")) from exc
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
    elif file_name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise AidInputError(_("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK。"))
        values = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise AidInputError(_("请上传 .xlsx 或 .csv 文件。"))
    if not values:
        raise AidInputError(_("文件为空。"))
    keys = [COLUMNS.get(normalize_header(str(h or ""))) for h in values[0]]
    missing = [label for label, key in (("身份证号", "id"), ("姓名", "name")) if key not in keys]
    if missing:
        raise AidInputError(_("第1行缺少列：%(cols)s") % {"cols": "、".join(missing)})
    rows = [{k: cell for k, cell in zip(keys, r, strict=False) if k} for r in values[1:]]
    return rows, 2


def _birth(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_cell(str(value)).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time of day)
        except ValueError:
            continue
    raise ValueError(text)


# --------------------------------------------------------------------------------------------------------------------
# Importing a list


def _students_of(year: int, unit_ids: Iterable[int] | None = None) -> engine.Students:
    rows = StudentRecord.objects.filter(year=year)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    pks, ids, names, births = [], [], [], []
    for pk, number, name, birth in rows.values_list("pk", "id_number", "name", "birth_date").iterator(chunk_size=5000):
        pks.append(pk)
        ids.append(number)
        names.append(name)
        births.append(birth)
    return engine.Students(keys=pks, id_numbers=ids, names=names, birth_dates=births)


@transaction.atomic
def import_list(*, actor: Actor, unit: OrgUnit, year: int, list_type: str, source: str,
                rows: Sequence[Mapping[str, Any]], file_name: str = "", data: bytes = b"",
                first_row: int = 2) -> ExternalList:
    """Imports an external list for a county or town, all or nothing, and matches it to the year's 学籍.

    Refused with row and column named: malformed ID numbers, an empty ID without 出生日期, missing names, bad dates,
    the same person twice (both row numbers). Kept but flagged for review: a wrong check digit. Old 15-digit numbers
    are upgraded. A list for a unit outside the user's scope is refused."""
    if actor is not None and not scope_for(actor).can_at(Permission.IMPORT, unit.pk):
        raise AidInputError(_("“%(unit)s”不在您的管辖范围内，不能导入其名单。") % {"unit": unit.name})
    if unit.kind not in (UnitKind.COUNTY, UnitKind.TOWN):
        raise AidInputError(_("外部名单应属于区县或镇街，“%(unit)s”不是。") % {"unit": unit.name})
    if list_type not in engine.LIST_TYPES:
        raise AidInputError(_("未知的名单类型：%(t)s") % {"t": list_type})
    if not source.strip():
        raise AidInputError(_("请填写名单来源（如：民政局低保名单）。"))
    problems: list[str] = []
    parsed: list[ExternalListRow] = []
    rows_of: dict[tuple[str, ...], list[int]] = {}
    for offset, raw in enumerate(rows):
        row = first_row + offset
        raw_id = clean_cell(str(raw.get("id") or ""))
        name = clean_cell(str(raw.get("name") or ""))
        if not raw_id and not name and not raw.get("birth"):
            continue
        try:
            birth = _birth(raw.get("birth"))
        except ValueError:
            problems.append(_("第%(row)s行“出生日期”列：“%(v)s”不是有效日期，请填写如 2015-03-01") %
                            {"row": row, "v": raw.get("birth")})
            continue
        checked = engine.classify_id(raw_id)
        if checked.kind is engine.IdKind.MALFORMED:
            problems.append(_("第%(row)s行“身份证号”列：%(p)s") % {"row": row, "p": checked.message})
            continue
        if checked.kind is engine.IdKind.MISSING and birth is None:
            problems.append(_("第%(row)s行“身份证号”列：未填写身份证号时须填写出生日期") % {"row": row})
            continue
        if not name:
            problems.append(_("第%(row)s行“姓名”列：缺少姓名") % {"row": row})
            continue
        birth = birth or engine.birth_from_id(checked.normalised)
        key: tuple[str, ...] = (("id", checked.normalised) if checked.normalised
                                else ("name", engine.name_key(name), str(birth)))
        rows_of.setdefault(key, []).append(row)
        parsed.append(ExternalListRow(row=row, raw_id=raw_id[:40], id_number=checked.normalised,
                                      id_status=IdStatus(checked.kind.value), name=name[:50], birth_date=birth,
                                      status=RowStatus.UNMATCHED))
    for key, found in rows_of.items():
        if len(found) > 1:
            who = mask_id(key[1]) if key[0] == "id" else _("姓名与出生日期相同的人")
            problems.append(_("第 %(rows)s 行是同一人（%(who)s）重复出现") % {"rows": "、".join(map(str, found)),
                                                                          "who": who})
    if not parsed and not problems:
        problems.append(_("名单中没有数据行。"))
    if problems:
        raise AidInputError(problems)
    external = ExternalList.objects.create(list_type=list_type, source=source.strip()[:100], unit=unit, year=year,
                                           file_name=file_name[:255], sha256=hashlib.sha256(data).hexdigest()
                                           if data else "", uploaded_by=_user(actor))
    result = engine.match(_students_of(year), [engine.ListRow(r.row, r.raw_id, r.name, r.birth_date) for r in parsed])
    best: dict[int, engine.Match] = {}
    for found_match in result.matches:
        best.setdefault(found_match.row, found_match)
    for row_obj in parsed:
        row_obj.external_list = external
        hit = best.get(row_obj.row)
        if hit is not None:
            row_obj.student_id = int(hit.student)  # type: ignore[call-overload]
            row_obj.status = RowStatus.EXACT if hit.kind is engine.MatchKind.EXACT else RowStatus.FLAGGED
    ExternalListRow.objects.bulk_create(parsed)
    audit.record(actor=actor, action=AuditAction.IMPORT, obj=external, org_unit_id=unit.pk,
                 after={"year": year, "type": list_type, "rows": len(parsed), "exact": len(result.exact),
                        "flagged": len(result.flagged), "sha256": external.sha256})
    return external


# --------------------------------------------------------------------------------------------------------------------
# Eligibility over the platform's data


@dataclass
class Assessment:
    student: StudentRecord
    result: engine.Eligibility
    match_kind: str
    lists: list[str] = field(default_factory=list)


def assess(*, programme: engine.Programme, year: int, students: QuerySet[StudentRecord]) -> dict[int, Assessment]:
    """Each pupil of `students` who matches at least one external list of the year (any county's list: a child on
    a neighbouring district's 低保 list is still eligible), with the programme's verdict. Exact matches count first;
    a pupil found only by name and birth date is assessed on those lists and marked flagged."""
    pupils = {s.pk: s for s in students.filter(year=year)}
    if not pupils:
        return {}
    columns = engine.Students(keys=list(pupils), id_numbers=[s.id_number for s in pupils.values()],
                              names=[s.name for s in pupils.values()],
                              birth_dates=[s.birth_date for s in pupils.values()])
    list_rows = list(ExternalListRow.objects.filter(external_list__year=year)
                     .values_list("pk", "raw_id", "name", "birth_date", "external_list__list_type"))
    type_of = {pk: list_type for pk, _raw, _name, _birth, list_type in list_rows}
    result = engine.match(columns, [engine.ListRow(pk, raw, name, birth) for pk, raw, name, birth, _t in list_rows])
    exact: dict[int, set[str]] = {}
    flagged: dict[int, set[str]] = {}
    for m in result.matches:
        target = exact if m.kind is engine.MatchKind.EXACT else flagged
        target.setdefault(int(m.student), set()).add(type_of[m.row])  # type: ignore[call-overload]
    out: dict[int, Assessment] = {}
    for pk in set(exact) | set(flagged):
        student = pupils[pk]
        stage = stage_of(student.grade)
        verdict = engine.eligible(stage=stage, boarding=student.boarding, lists=exact.get(pk, set()),
                                  programme=programme, year=year)
        kind, lists = MatchKind.EXACT, exact.get(pk, set())
        if not verdict.ok:
            verdict = engine.eligible(stage=stage, boarding=student.boarding, lists=flagged.get(pk, set()),
                                      programme=programme, year=year)
            kind, lists = MatchKind.FLAGGED, flagged.get(pk, set())
        out[pk] = Assessment(student, verdict, kind, sorted(lists))
    return out


def _programme(code: str) -> engine.Programme:
    try:
        return engine.load_programme(code)
    except engine.ProgrammeError as exc:
        raise AidInputError(exc.problems) from exc


@transaction.atomic
def generate_candidates(*, actor: Actor, programme_code: str, year: int, unit: OrgUnit) -> list[AidCandidate]:
    """Proposes every eligible pupil of the unit's subtree (a county, or a school) for the programme and year, once:
    pupils who already have a candidate for it (in any state) are left alone."""
    if actor is not None and not scope_for(actor).can_at(Permission.EDIT, unit.pk):
        raise PermissionDenied(_("您无权为“%(unit)s”生成资助名单。") % {"unit": unit.name})
    programme = _programme(programme_code)
    students = StudentRecord.objects.filter(unit_id__in=descendant_ids([unit.pk]))
    assessed = assess(programme=programme, year=year, students=students)
    existing = set(AidCandidate.objects.filter(programme=programme.code, year=year, student_id__in=list(assessed))
                   .values_list("student_id", flat=True))
    created = AidCandidate.objects.bulk_create([
        AidCandidate(student=a.student, programme=programme.code, programme_version=a.result.version or 0, year=year,
                     amount=a.result.amount or Decimal(0), lists=a.lists, match_kind=a.match_kind,
                     reason=a.result.reason)
        for pk, a in sorted(assessed.items()) if a.result.ok and pk not in existing])
    audit.record(actor=actor, action=AuditAction.CREATE, object_type="aid.candidates", object_id=f"{programme.code}"
                 f":{year}:{unit.code}", object_repr=f"{programme.name} {year} {unit.name}", org_unit_id=unit.pk,
                 after={"created": len(created), "flagged": sum(c.match_kind == MatchKind.FLAGGED for c in created)})
    return created


# --------------------------------------------------------------------------------------------------------------------
# Steps on a candidate


def _conflict(pk: int) -> AidConflict:
    current = AidCandidate.objects.get(pk=pk)
    return AidConflict(_("该资助对象已被他人处理（当前状态：%(s)s），请刷新后重试") %
                       {"s": current.get_status_display()})


def _district_level(actor: Actor, unit_id: int) -> None:
    pairs = actor_roles(actor, unit_id)
    if pairs is not None and not any(level in ("county", "city") and role in ("district_admin", "city_admin")
                                     for role, level in pairs):
        raise PermissionDenied(_("只有区县教育局可以审批和发放资助。"))


def _move(*, actor: Actor, candidate: AidCandidate, expected_version: int, sources: Sequence[str], target: str,
          message: str, **changes: Any) -> AidCandidate:
    current = AidCandidate.objects.select_related("student").get(pk=candidate.pk)
    if current.version != expected_version or current.status not in sources:
        raise _conflict(current.pk)
    updated = AidCandidate.objects.filter(pk=current.pk, version=expected_version, status__in=sources).update(
        status=target, version=F("version") + 1, **changes)
    if updated != 1:
        raise _conflict(current.pk)
    after = AidCandidate.objects.select_related("student").get(pk=current.pk)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=after, org_unit_id=after.student.unit_id,
                 before={"status": current.status, "version": expected_version},
                 after={"status": after.status, "version": after.version}, message=message)
    return after


@transaction.atomic
def school_review(*, actor: Actor, candidate: AidCandidate, expected_version: int, approve: bool, reason: str = "",
                  identity_confirmed: bool = False) -> AidCandidate:
    """The school confirms a candidate (a flagged match only with the pupil's identity confirmed) or rejects it."""
    student = StudentRecord.objects.get(pk=candidate.student_id)
    if actor is not None and not scope_for(actor).can_at(Permission.EDIT, student.unit_id):
        raise PermissionDenied(_("只有学生所在学校或其上级可以审核。"))
    if approve and candidate.match_kind == MatchKind.FLAGGED and not identity_confirmed:
        raise AidInputError(_("该学生是按姓名和出生日期疑似匹配的，请先核实身份（核对户口簿或身份证）再审核通过。"))
    if not approve and not reason.strip():
        raise AidInputError(_("不予资助须填写理由。"))
    target = CandidateStatus.SCHOOL_REVIEWED if approve else CandidateStatus.REJECTED
    changes: dict[str, Any] = {"reviewed_by": _user(actor)}
    if reason.strip() or identity_confirmed:
        changes["reason"] = reason.strip() or _("学校已核实身份")
    return _move(actor=actor, candidate=candidate, expected_version=expected_version,
                 sources=[CandidateStatus.CANDIDATE], target=target,
                 message=_("学校审核通过") if approve else _("学校审核不予资助"), **changes)


@transaction.atomic
def district_approve(*, actor: Actor, candidate: AidCandidate, expected_version: int, approve: bool,
                     reason: str = "") -> AidCandidate:
    student = StudentRecord.objects.get(pk=candidate.student_id)
    if actor is not None and not scope_for(actor).can_at(Permission.EDIT, student.unit_id):
        raise PermissionDenied(_("该学生不在您的管辖范围内。"))
    _district_level(actor, student.unit_id)
    if not approve and not reason.strip():
        raise AidInputError(_("不予资助须填写理由。"))
    target = CandidateStatus.DISTRICT_APPROVED if approve else CandidateStatus.REJECTED
    changes: dict[str, Any] = {"approved_by": _user(actor)}
    if reason.strip():
        changes["reason"] = reason.strip()
    return _move(actor=actor, candidate=candidate, expected_version=expected_version,
                 sources=[CandidateStatus.SCHOOL_REVIEWED], target=target,
                 message=_("区县审批通过") if approve else _("区县审批不予资助"), **changes)


@transaction.atomic
def disburse(*, actor: Actor, candidate: AidCandidate, expected_version: int, amount: Decimal | str,
             paid_on: dt.date, reference: str) -> Disbursement:
    """Records a payment on an approved candidate (per term or per year) and marks it disbursed."""
    student = StudentRecord.objects.get(pk=candidate.student_id)
    if actor is not None and not scope_for(actor).can_at(Permission.EDIT, student.unit_id):
        raise PermissionDenied(_("该学生不在您的管辖范围内。"))
    _district_level(actor, student.unit_id)
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise AidInputError(_("发放金额“%(a)s”不是数字。") % {"a": amount}) from exc
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise AidInputError(_("发放金额应为大于 0、最多两位小数的金额。"))
    if not reference.strip():
        raise AidInputError(_("请填写发放凭证号。"))
    if paid_on > timezone.localdate():
        raise AidInputError(_("发放日期不能晚于今天。"))
    moved = _move(actor=actor, candidate=candidate, expected_version=expected_version,
                  sources=[CandidateStatus.DISTRICT_APPROVED, CandidateStatus.DISBURSED],
                  target=CandidateStatus.DISBURSED, message=_("登记发放 %(a)s 元") % {"a": value})
    payment = Disbursement.objects.create(candidate=moved, amount=value, paid_on=paid_on,
                                          reference=reference.strip()[:100], recorded_by=_user(actor))
    audit.record(actor=actor, action=AuditAction.CREATE, obj=payment, org_unit_id=student.unit_id,
                 after={"candidate": moved.pk, "amount": str(value), "paid_on": paid_on.isoformat()})
    return payment
