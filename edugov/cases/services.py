"""Everything that writes cases: opening, taking a step (compare-and-swap), 劝返 contacts, the daily overdue sweep,
and the imports the 控辍保学 rules read (absences, 户籍 lists, school rosters).

Each service is atomic, takes the acting user as `actor=` (None is the system: rules, commands, the demo) and writes
its audit row in the same transaction. Bad input raises CaseInputError with a Chinese message and changes nothing."""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.cases import engine
from edugov.cases.models import (
    Absence,
    Case,
    CaseEvidence,
    ContactMethod,
    ContactRecord,
    DetectionRule,
    Inspection,
    Notification,
    ResidentChild,
    ResidentList,
    RosterUpload,
    Transition,
)
from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.files import store_by_hash, suffix_of
from edugov.core.scoping import scope_for, scope_ids
from edugov.lib.idcard import mask_id, upgrade_15_to_18, validate_id
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.services import current_parent
from edugov.stats.models import StudentRecord

# The org level a role assignment acts at, from the kind of unit it is held at.
LEVEL_OF_KIND: dict[str, str] = {UnitKind.SCHOOL: "school", UnitKind.COUNTY: "county", UnitKind.CITY: "city"}


class CaseInputError(ValidationError):
    """Bad input to a case service; the message is for the user, in their language."""


class CaseConflict(CaseInputError):
    """The case moved on since the user loaded it (someone else took a step)."""


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


@cache
def case_type(code: str) -> engine.CaseType:
    """The case type by code (loaded once per process; the files ship with the code)."""
    return engine.load_case_type(code)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _actor_name(actor: Actor) -> str:
    user = _user(actor)
    if user is None:
        return _("系统")
    return str(user.get_full_name() or user.get_username())


def _require_edit(actor: Actor, unit_id: int, what: str) -> None:
    if actor is not None and not scope_for(actor).can_at(Permission.EDIT, unit_id):
        raise PermissionDenied(what)


def restricted_permission(case_type_code: str) -> str:
    """The permission without which cases of the type are invisible ("" for ordinary types)."""
    return case_type(case_type_code).restricted_to


@cache
def restricted_types() -> dict[str, str]:
    """Restricted case types → the permission each needs (mental health → view_mental_health)."""
    return {code: ct.restricted_to for code in engine.available_case_types()
            if (ct := case_type(code)).restricted_to}


def audit_repr(case: Case) -> str:
    """What the audit log shows for a case: for restricted types a neutral label, never a title or a name."""
    if restricted_permission(case.case_type):
        return f"心理个案 #{case.pk}" if case.case_type == "mental_health" else f"受限个案 #{case.pk}"
    return str(case)[:300]


def _require_case_access(actor: Actor, case: Case, what: str) -> None:
    """Writes on a restricted case need its permission at the case's unit (EDIT alone is not enough); writes on
    an ordinary case need EDIT there."""
    permission = restricted_permission(case.case_type) or Permission.EDIT
    if actor is not None and not scope_for(actor).can_at(permission, case.unit_id):
        raise PermissionDenied(what)


# --------------------------------------------------------------------------------------------------------------------
# Roles on a case


def actor_roles(actor: Actor, unit_id: int) -> list[tuple[str, str]] | None:
    """The (role, org level) pairs the actor holds over the unit; None means no restriction (system, superuser)."""
    if actor is None or getattr(actor, "is_superuser", False):
        return None
    if not getattr(actor, "is_authenticated", False):
        return []
    pairs: list[tuple[str, str]] = []
    assignments = actor.roles.values_list("role", "org_unit_id", "org_unit__kind")  # type: ignore[union-attr]
    for role, org_unit_id, kind in assignments:
        level = LEVEL_OF_KIND.get(kind)
        if level and unit_id in scope_ids([org_unit_id]) and (role, level) not in pairs:
            pairs.append((role, level))
    return pairs


def available_transitions(actor: Actor, case: Case) -> list[engine.TransitionSpec]:
    """The steps the actor may take on the case now, in the case type's order."""
    if not case.is_open:
        return []
    ct = case_type(case.case_type)
    pairs = actor_roles(actor, case.unit_id)
    if pairs is None:
        return [t for t in ct.transitions if case.state in t.sources]
    return [t for t in ct.transitions if case.state in t.sources and any(engine.may_take(t, *p) for p in pairs)]


# --------------------------------------------------------------------------------------------------------------------
# Storage


def _store(data: bytes, name: str) -> tuple[str, str]:
    return store_by_hash("case-evidence", data, suffix_of(name))


def _attach(case: Case, log: Transition, evidence: Sequence[UploadedFile]) -> None:
    for f in evidence:
        path, digest = _store(f.data, f.name)
        CaseEvidence.objects.create(case=case, transition=log, file_name=f.name[:255], sha256=digest,
                                    size=len(f.data), stored_path=path,
                                    content_type=mimetypes.guess_type(f.name)[0] or "application/octet-stream")


# --------------------------------------------------------------------------------------------------------------------
# Notifications


def notify(*, case: Case, text: str, unit: OrgUnit | None = None, user: Any = None, key: str = "") -> Notification:
    return Notification.objects.create(case=case, unit=unit, user=user, text=text[:500], key=key)


def _notify_next(case: Case, ct: engine.CaseType) -> None:
    """Tells the case's unit of the new state, and the unit above when the next step is not the unit's own level
    (a school's case awaiting the county's verification)."""
    label = ct.label_of(case.state)
    notify(case=case, unit=case.unit,
           text=_("个案“%(title)s”已转为“%(state)s”。") % {"title": case.title, "state": label})
    own_level = LEVEL_OF_KIND.get(case.unit.kind)
    upcoming = [t for t in ct.transitions if case.state in t.sources]
    if upcoming and all(own_level not in t.levels for t in upcoming):
        parent = current_parent(case.unit)
        if parent is not None:
            notify(case=case, unit=parent, text=_("%(unit)s的个案“%(title)s”待您办理：%(steps)s。")
                   % {"unit": case.unit.name, "title": case.title, "steps": "、".join(t.label for t in upcoming)})


@transaction.atomic
def mark_read(*, actor: Actor, notifications: Sequence[Notification]) -> int:
    ids = [n.pk for n in notifications if n.read_at is None]
    return Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())


# --------------------------------------------------------------------------------------------------------------------
# Opening and moving cases


@transaction.atomic
def open_case(*, actor: Actor, case_type_code: str, unit: OrgUnit, title: str, year: int | None = None,
              student: StudentRecord | None = None, resident_child: ResidentChild | None = None,
              teacher: Any = None, school: OrgUnit | None = None, finding: str = "", rule: str = "",
              subject_key: str = "", source_ref: str = "", data: Mapping[str, Any] | None = None,
              inspection: Inspection | None = None, evidence: Sequence[UploadedFile] = (), reason: str = "") -> Case:
    """Opens a case in its type's initial state at the responsible unit and tells that unit (`reason`: why staff
    opened it by hand, kept on the log's first step)."""
    try:
        ct = case_type(case_type_code)
    except engine.CaseTypeError as exc:
        raise CaseInputError(exc.problems) from exc
    if actor is not None and not scope_for(actor).can_at(ct.restricted_to or Permission.EDIT, unit.pk):
        raise PermissionDenied(_("您无权在“%(unit)s”立案。") % {"unit": unit.name})
    if not title.strip():
        raise CaseInputError(_("请填写个案标题。"))
    now = timezone.now()
    state = ct.initial.code
    case = Case.objects.create(
        case_type=ct.code, type_version=ct.version, unit=unit, year=year, title=title.strip()[:200], student=student,
        resident_child=resident_child, teacher=teacher, school=school, finding=finding[:200], state=state,
        state_entered_at=now, due_on=engine.due_date(ct, state, timezone.localdate(now)), opened_by=_user(actor),
        rule=rule, subject_key=subject_key, source_ref=source_ref, data=dict(data or {}), inspection=inspection)
    log = Transition.objects.create(case=case, code="open", label=_("立案"), from_state="", to_state=state,
                                    actor=_user(actor), actor_name=_opener_name(actor, rule), reason=reason.strip())
    problems = engine.check_evidence(engine.EvidenceRule(), [engine.EvidenceFile(f.name, len(f.data))
                                                             for f in evidence], label=_("立案"))
    if problems:
        raise CaseInputError(problems)
    _attach(case, log, evidence)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=case, object_repr=audit_repr(case), org_unit_id=unit.pk,
                 after={"case_type": ct.code, "state": state, "rule": rule, "source": source_ref})
    notify(case=case, unit=unit, text=_("新个案：%(title)s（%(type)s），请在 %(due)s 前核实。")
           % {"title": case.title, "type": ct.name, "due": case.due_on.isoformat() if case.due_on else "—"})
    return case


def _opener_name(actor: Actor, rule: str) -> str:
    if actor is None and rule:
        return _("系统规则：%(rule)s") % {"rule": DetectionRule(rule).label}
    return _actor_name(actor)


def _conflict(case_id: int) -> CaseConflict:
    current = Case.objects.get(pk=case_id)
    label = case_type(current.case_type).label_of(current.state)
    return CaseConflict(_("该个案已被他人处理（当前状态：%(state)s），请刷新后重试") % {"state": label})


@transaction.atomic
def take_transition(*, actor: Actor, case: Case, transition_code: str, expected_state: str, expected_version: int,
                    reason: str = "", fields: Mapping[str, str] | None = None,
                    evidence: Sequence[UploadedFile] = ()) -> Case:
    """Takes one step of the case's type, as a compare-and-swap on (state, version): if the case is no longer in the
    state and version the user saw, nothing is written and the user is told to reload."""
    fields = {k: str(v).strip() for k, v in (fields or {}).items()}
    current = Case.objects.select_related("unit").get(pk=case.pk)
    if (current.state, current.version) != (expected_state, expected_version):
        raise _conflict(current.pk)
    ct = case_type(current.case_type)
    pairs = actor_roles(actor, current.unit_id)
    if pairs == []:
        raise CaseInputError(_("您在该个案的责任单位没有可办理的角色。"))
    try:
        spec = ct.transition(transition_code)
    except KeyError as exc:
        raise CaseInputError(_("“%(type)s”没有办理步骤“%(code)s”。") % {"type": ct.name, "code": transition_code}) \
            from exc
    if pairs is None:
        role, level = sorted(spec.roles)[0], sorted(spec.levels)[0]
    else:
        fitting = [p for p in pairs if engine.may_take(spec, *p)]
        role, level = (fitting or pairs)[0]
    if ct.restricted_to:
        _require_case_access(actor, current, _("您无权办理该个案。"))
    files = [engine.EvidenceFile(f.name, len(f.data)) for f in evidence]
    problems = engine.check_transition(ct, expected_state, transition_code, role, level, fields, files, reason=reason)
    if problems:
        raise CaseInputError(problems)
    now = timezone.now()
    today = timezone.localdate(now)
    closed = spec.target in ct.terminal_codes
    due_on = engine.due_date(ct, spec.target, today)
    # A step that sets a deadline (整改时限) makes it the case's due date.
    if any(f.name == "deadline" and f.type == "date" for f in spec.fields) and fields.get("deadline"):
        due_on = dt.date.fromisoformat(fields["deadline"])
    extra: dict[str, Any] = {}
    if spec.follow_up_days is not None:
        extra = {"follow_up_on": today + dt.timedelta(days=spec.follow_up_days), "follow_up_done_on": None}
    updated = Case.objects.filter(pk=current.pk, state=expected_state, version=expected_version).update(
        state=spec.target, version=F("version") + 1, state_entered_at=now, due_on=due_on,
        closed_at=now if closed else None, **extra)
    if updated != 1:
        raise _conflict(current.pk)
    log = Transition.objects.create(case=current, code=spec.code, label=spec.label, from_state=expected_state,
                                    to_state=spec.target, actor=_user(actor), actor_name=_actor_name(actor),
                                    reason=reason.strip(), fields=fields)
    _attach(current, log, evidence)
    data = dict(current.data)
    data.update({k: v for k, v in fields.items() if v})
    Case.objects.filter(pk=current.pk).update(data=data)
    case = Case.objects.select_related("unit").get(pk=current.pk)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=case, object_repr=audit_repr(case),
                 org_unit_id=case.unit_id, before={"state": expected_state, "version": expected_version},
                 after={"state": case.state, "version": case.version, "step": spec.code, "evidence": len(evidence)},
                 message=spec.label)
    _notify_next(case, ct)
    return case


@transaction.atomic
def add_contact(*, actor: Actor, case: Case, contacted_on: dt.date, contacted_by: str, method: str,
                outcome: str, contact_person: str = "") -> ContactRecord:
    """Records one 劝返 attempt on an open case."""
    case = Case.objects.select_related("unit").get(pk=case.pk)
    _require_case_access(actor, case, _("只有责任单位可以登记劝返记录。"))
    if not case.is_open:
        raise CaseInputError(_("个案已办结，不能再登记劝返记录。"))
    if method not in ContactMethod.values:
        raise CaseInputError(_("未知的联系方式：%(method)s") % {"method": method})
    if contacted_on > timezone.localdate():
        raise CaseInputError(_("联系日期不能晚于今天。"))
    if not contacted_by.strip():
        raise CaseInputError(_("请填写劝返人员。"))
    if not outcome.strip():
        raise CaseInputError(_("请填写劝返结果。"))
    record = ContactRecord.objects.create(case=case, contacted_on=contacted_on, contacted_by=contacted_by.strip(),
                                          method=method, contact_person=contact_person.strip(),
                                          outcome=outcome.strip(), recorded_by=_user(actor))
    audit.record(actor=actor, action=AuditAction.CREATE, obj=record, org_unit_id=case.unit_id,
                 after={"case": case.pk, "on": contacted_on.isoformat(), "method": method})
    return record


@transaction.atomic
def escalate_overdue(*, today: dt.date | None = None) -> list[Notification]:
    """The daily sweep: each open case that has stayed in a state past its time limit is raised once to the unit
    above its responsible unit. The notice is keyed by the case's version, so re-running raises nothing new and a
    case that moves on and stalls again is raised again."""
    today = today or timezone.localdate()
    raised: list[Notification] = []
    for case in Case.objects.filter(closed_at__isnull=True, due_on__lt=today).select_related("unit"):
        ct = case_type(case.case_type)
        state = ct.state(case.state)
        if state.escalate_to != "parent" or not engine.overdue(ct, case.state, timezone.localdate(
                case.state_entered_at), today):
            continue
        key = f"overdue:{case.pk}:{case.version}"
        parent = current_parent(case.unit)
        if parent is None or Notification.objects.filter(key=key).exists():
            continue
        notice = notify(case=case, unit=parent, key=key,
                        text=_("%(unit)s的个案“%(title)s”处于“%(state)s”已超过 %(days)s 天办理时限（%(due)s），"
                               "请督促办理。") % {"unit": case.unit.name, "title": case.title, "state": state.label,
                                                 "days": state.time_limit_days, "due": case.due_on})
        neutral = _("超时提醒：%(case)s") % {"case": audit_repr(case)} if ct.restricted_to else ""
        audit.record(actor=None, action=AuditAction.CREATE, obj=notice, object_repr=neutral, org_unit_id=case.unit_id,
                     after={"case": case.pk, "to_unit": parent.code, "state": case.state})
        raised.append(notice)
    return raised


# --------------------------------------------------------------------------------------------------------------------
# What the 控辍保学 rules read


@transaction.atomic
def record_absence(*, actor: Actor, student: StudentRecord, from_date: dt.date, days: int, note: str = "") -> Absence:
    """A run of consecutive absence days of a pupil (one row per run; a longer run for the same start replaces it)."""
    _require_edit(actor, student.unit_id, _("只有学生所在学校或其上级可以登记缺课。"))
    if days < 1 or days > 366:
        raise CaseInputError(_("连续缺课天数应在 1 到 366 之间。"))
    absence, _created = Absence.objects.update_or_create(
        student=student, from_date=from_date, defaults={"days": days, "note": note[:200], "recorded_by": _user(actor)})
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=absence, org_unit_id=student.unit_id,
                 after={"from": from_date.isoformat(), "days": days})
    return absence


@transaction.atomic
def record_roster(*, actor: Actor, school: OrgUnit, year: int, checked_on: dt.date,
                  student_nos: Sequence[str]) -> RosterUpload:
    """A school's roster of pupils actually present (学籍号 per line); duplicates are refused with their rows."""
    _require_edit(actor, school.pk, _("您无权为“%(unit)s”上传在校生名册。") % {"unit": school.name})
    if school.kind != UnitKind.SCHOOL:
        raise CaseInputError(_("在校生名册只能由学校上传。"))
    seen: dict[str, list[int]] = {}
    for row, raw in enumerate(student_nos, start=1):
        number = raw.strip()
        if number:
            seen.setdefault(number, []).append(row)
    if not seen:
        raise CaseInputError(_("名册为空：请每行填写一个学籍号。"))
    duplicates = [_("学籍号 %(no)s 在第 %(rows)s 行重复") % {"no": no, "rows": "、".join(map(str, rows))}
                  for no, rows in seen.items() if len(rows) > 1]
    if duplicates:
        raise CaseInputError(duplicates)
    upload = RosterUpload.objects.create(school=school, year=year, checked_on=checked_on, student_nos=list(seen),
                                         uploaded_by=_user(actor))
    audit.record(actor=actor, action=AuditAction.IMPORT, obj=upload, org_unit_id=school.pk,
                 after={"year": year, "checked_on": checked_on.isoformat(), "count": len(seen)})
    return upload


RESIDENT_COLUMNS = {"身份证号": "id_number", "姓名": "name", "户籍地址": "address", "监护人": "guardian"}


@transaction.atomic
def import_resident_list(*, actor: Actor, unit: OrgUnit, year: int, source: str,
                         rows: Sequence[Mapping[str, str]], file_name: str = "",
                         first_row: int = 2) -> ResidentList:
    """Imports a 户籍 / population list of children for a town or county, all or nothing.

    ID numbers are validated (GB 11643); old 15-digit numbers are upgraded to 18; malformed numbers and numbers that
    appear twice are refused with their row numbers (`first_row` is the sheet row of rows[0])."""
    if actor is not None and not scope_for(actor).can_at(Permission.IMPORT, unit.pk):
        raise CaseInputError(_("“%(unit)s”不在您的管辖范围内，不能导入其户籍名单。") % {"unit": unit.name})
    if unit.kind not in (UnitKind.COUNTY, UnitKind.TOWN):
        raise CaseInputError(_("户籍名单应属于区县或镇街，“%(unit)s”不是。") % {"unit": unit.name})
    if not source.strip():
        raise CaseInputError(_("请填写名单来源（如：公安户籍、卫健出生登记）。"))
    problems: list[str] = []
    children: list[ResidentChild] = []
    rows_of: dict[str, list[int]] = {}
    for offset, raw in enumerate(rows):
        row = first_row + offset
        values = {RESIDENT_COLUMNS.get(k.strip(), k.strip()): (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue
        number, problem = _resident_id(values.get("id_number", ""))
        if problem:
            problems.append(_("第%(row)s行：%(problem)s") % {"row": row, "problem": problem})
            continue
        if not values.get("name"):
            problems.append(_("第%(row)s行：缺少姓名") % {"row": row})
            continue
        rows_of.setdefault(number, []).append(row)
        check = validate_id(number)
        assert check.birth_date is not None
        children.append(ResidentChild(row=row, id_number=number, name=values["name"][:50], birth_date=check.birth_date,
                                      unit=unit, year=year, address=values.get("address", "")[:200],
                                      guardian=values.get("guardian", "")[:50]))
    for number, found in rows_of.items():
        if len(found) > 1:
            problems.append(_("身份证号 %(id)s 在第 %(rows)s 行重复出现") % {"id": mask_id(number),
                                                                            "rows": "、".join(map(str, found))})
    if not children and not problems:
        problems.append(_("名单中没有数据行。"))
    if problems:
        raise CaseInputError(problems)
    resident_list = ResidentList.objects.create(unit=unit, year=year, source=source.strip()[:100],
                                                file_name=file_name[:255], uploaded_by=_user(actor))
    for child in children:
        child.resident_list = resident_list
    ResidentChild.objects.bulk_create(children)
    audit.record(actor=actor, action=AuditAction.IMPORT, obj=resident_list, org_unit_id=unit.pk,
                 after={"year": year, "source": resident_list.source, "rows": len(children)})
    return resident_list


def _resident_id(raw: str) -> tuple[str, str]:
    """(normalised 18-digit number, "") or ("", the Chinese problem)."""
    check = validate_id(raw)
    if check.ok:
        return check.normalized, ""
    if check.error_code == "length_15":
        try:
            upgraded = upgrade_15_to_18(check.normalized)
        except ValueError as exc:
            return "", str(exc)
        again = validate_id(upgraded)
        return (again.normalized, "") if again.ok else ("", again.message_zh or "")
    return "", check.message_zh or _("身份证号无效")
