"""All writes to plans and the task ledger. Each function is atomic, takes the acting user, checks that the user may
act on the unit concerned, and writes the audit trail.

Files (the plan document, evidence) are stored by content hash under MEDIA_ROOT before the database rows that
point at them; a crash in between leaves at most an unreferenced file, never a row without its file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

import edugov
from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.files import evidence_problem, store_by_hash, suffix_of
from edugov.core.scoping import descendant_ids, scope_for
from edugov.plans import diff as plan_diff
from edugov.plans.extract import PlanReadError, extract_structure, extract_targets, read_plan_bytes
from edugov.plans.models import (
    OPEN_TASK_STATUSES,
    Comparator,
    Escalation,
    EscalationKind,
    ItemOrigin,
    Measure,
    Plan,
    PlanSection,
    PlanVersion,
    ReviewStatus,
    Target,
    Task,
    TaskEvidence,
    TaskReport,
    TaskStatus,
    VersionStatus,
)
from edugov.plans.owners import Candidate, resolve_unit_names
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.services import current_parent

EXTRACTOR_VERSION = f"edugov-{edugov.__version__}"

# Evidence: documents and photos a bureau actually exchanges; no executables, no archives that hide their content.


class PlanInputError(ValidationError):
    """Bad input to a plan service; the message is for the user, in their language."""


@dataclass(frozen=True)
class UploadedDocument:
    name: str
    data: bytes


# --------------------------------------------------------------------------------------------------------------------
# Permissions


def _require_edit(actor: Actor, unit: OrgUnit) -> None:
    # actor=None is the system itself (management commands, the demo); web and API always pass request.user, which
    # is never None (AnonymousUser has no scope).
    if actor is None:
        return
    if not scope_for(actor).can_at(Permission.EDIT, unit.pk):
        raise PermissionDenied(_("您无权修改“%(unit)s”的工作计划或任务。") % {"unit": unit.name})


def can_edit_plan(actor: Actor, plan: Plan) -> bool:
    return scope_for(actor).can_at(Permission.EDIT, plan.unit_id)


def can_report(actor: Actor, task: Task) -> bool:
    """The lead unit reports progress; the plan's issuing bureau may report on its behalf."""
    scope = scope_for(actor)
    return scope.can_at(Permission.EDIT, task.lead_unit_id) or scope.can_at(Permission.EDIT, task.plan.unit_id)


# --------------------------------------------------------------------------------------------------------------------
# Storage


def _store(kind: str, name: str, data: bytes) -> tuple[str, str]:
    return store_by_hash(kind, data, suffix_of(name))


def read_stored(path: str) -> bytes:
    return Path(path).read_bytes()


# --------------------------------------------------------------------------------------------------------------------
# Ingest


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _parse_iso(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _target_period(deadline_text: str | None, year: int) -> dt.date:
    """The date by which a target is due: a year written in the text means its end; 年底/年内/none mean the plan's."""
    if deadline_text and re.fullmatch(r"\d{4}", deadline_text):
        return _year_end(int(deadline_text))
    return _year_end(year)


def _owner_candidates(unit: OrgUnit) -> tuple[Candidate, list[Candidate]]:
    ids = descendant_ids([unit.pk])
    below = OrgUnit.objects.filter(pk__in=ids).exclude(pk=unit.pk).exclude(kind=UnitKind.SCHOOL)
    return (Candidate(unit.pk, unit.name, unit.kind),
            [Candidate(u.pk, u.name, u.kind) for u in below.only("pk", "name", "kind")])


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PlanInputError(_("“%(value)s”不是数字。") % {"value": value}) from exc


def read_document(document: UploadedDocument) -> str:
    """The decoded text of an uploaded plan, or a PlanInputError saying in Chinese what is wrong with the file."""
    try:
        return read_plan_bytes(document.data, document.name)
    except PlanReadError as exc:
        raise PlanInputError(f"{document.name}：{exc.message_zh}", code=exc.code) from exc


@transaction.atomic
def ingest_plan(*, actor: Actor, unit: OrgUnit, document: UploadedDocument, year: int | None = None,
                plan: Plan | None = None, title: str = "") -> PlanVersion:
    """Reads a plan document and stores it as a new version for review, with the sections, measures and targets
    found in it. A new plan is created unless `plan` is given (a revision). Nothing is stored if the file is bad."""
    if plan is not None:
        unit = plan.unit
    _require_edit(actor, unit)
    text = read_document(document)
    structure = extract_structure(text, document.name, plan_year=year or (plan.year if plan else None))
    info = structure.info
    year = year or (plan.year if plan else None) or info.year
    if year is None:
        raise PlanInputError(_("无法从文件中确定计划年度，请填写年度。"))
    path, digest = _store("plans", document.name, document.data)
    if plan is None:
        plan = Plan.objects.create(unit=unit, year=year, created_by=audit_user(actor),
                                   title=(title or info.title or Path(document.name).stem)[:300])
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan, number=number, file_name=document.name[:255], file_sha256=digest, file_size=len(document.data),
        stored_path=path, text=text, doc_title=(info.title or "")[:300], issuer=(info.issuer or "")[:200],
        issued_on=_parse_iso(info.issued_on), doc_number=(info.doc_number or "")[:100],
        extractor_version=EXTRACTOR_VERSION, uploaded_by=audit_user(actor),
    )
    sections: list[PlanSection] = []
    for section in structure.sections:
        row = PlanSection(version=version, position=section.index, level=section.level, label=section.label[:20],
                          title=section.title[:500], start=section.start, end=section.end,
                          body_end=section.body_end)
        row.parent = sections[section.parent] if section.parent is not None else None
        row.save()
        sections.append(row)
    root, candidates = _owner_candidates(plan.unit)
    measures: list[Measure] = []
    for item in structure.measures:
        lead_ids, _unmatched = resolve_unit_names(item.lead_units, root, candidates)
        co_ids, _unmatched = resolve_unit_names(item.co_units, root, candidates)
        measure = Measure.objects.create(
            version=version, section=sections[item.section] if item.section is not None else None,
            position=item.index, quote=item.quote, start=item.start, end=item.end, content=item.quote,
            named_lead_units="、".join(item.lead_units)[:500], named_co_units="、".join(item.co_units)[:500],
            deadline=_measure_deadline(item.deadline, item.deadline_quote, year),
            deadline_quote=(item.deadline_quote or "")[:100],
        )
        measures.append(measure)
        if lead_ids:
            measure.lead_units.set(lead_ids)
        if co_ids:
            measure.co_units.set([i for i in co_ids if i not in lead_ids])
    for position, found in enumerate(extract_targets(text, document.name)):
        holder = next((m for m in measures if m.start <= found.start and found.end <= m.end), None)
        Target.objects.create(
            version=version, position=position, quote=found.quote, start=found.start, end=found.end,
            measure=holder, section=holder.section if holder else _section_at(sections, found.start),
            subject=found.subject[:200], comparator=found.comparator, value=Decimal(str(found.value)),
            value_max=_decimal(found.value_max), unit_of_measure=found.unit or "", per=found.per or "",
            deadline_text=found.deadline or "", scope_text=(found.scope or "")[:100], kind=found.kind,
            indicator_code=found.indicator or "",
            indicator_confidence=(Decimal(str(found.confidence)).quantize(Decimal("0.001"))
                                  if found.confidence is not None else None),
            owner=plan.unit, period_start=dt.date(year, 1, 1), period_end=_target_period(found.deadline, year),
        )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=version, org_unit_id=plan.unit_id,
                 after={"plan": plan.pk, "version": number, "file": document.name, "sha256": digest,
                        "sections": len(sections), "measures": len(measures),
                        "targets": version.targets.count()})
    return version


def _measure_deadline(iso: str | None, quote: str | None, year: int) -> dt.date | None:
    """The text's deadline; none where it says the work is ongoing (长期坚持); else the end of the plan's year, the
    deadline a 工作要点 implies for what it does not date (the reviewer sees that it was not written)."""
    if iso:
        return _parse_iso(iso)
    if quote:
        return None
    return _year_end(year)


def _code(unit: OrgUnit) -> str:
    return unit.code


def _section_at(sections: Sequence[PlanSection], offset: int) -> PlanSection | None:
    inner = None
    for section in sections:
        if section.start <= offset < section.body_end:
            inner = section  # later sections in document order are the deeper ones
    return inner


def audit_user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------------------------------------
# Review


def _require_review(actor: Actor, version: PlanVersion) -> None:
    _require_edit(actor, version.plan.unit)
    if version.status != VersionStatus.REVIEW:
        raise PlanInputError(_("该版本已发布，不能再修改；请上传新版本。"))


def _check_units_in_plan(plan: Plan, units: Iterable[OrgUnit]) -> None:
    allowed = descendant_ids([plan.unit_id])
    for unit in units:
        if unit.pk not in allowed:
            raise PlanInputError(_("“%(unit)s”不在“%(plan_unit)s”管辖范围内，不能承担该计划的任务。")
                                 % {"unit": unit.name, "plan_unit": plan.unit.name})


_MEASURE_FIELDS = ("content", "deadline", "status", "review_note")


def _measure_state(measure: Measure) -> dict[str, Any]:
    state = audit.snapshot(measure, _MEASURE_FIELDS)
    state["lead_units"] = sorted(u.code for u in measure.lead_units.all())
    state["co_units"] = sorted(u.code for u in measure.co_units.all())
    return state
_TARGET_FIELDS = ("subject", "comparator", "value", "value_max", "unit_of_measure", "per", "scope_text",
                  "indicator_code", "owner_id", "period_end", "status", "review_note")


@transaction.atomic
def review_measure(*, actor: Actor, measure: Measure, status: str, content: str | None = None,
                   lead_units: Sequence[OrgUnit] | None = None, co_units: Sequence[OrgUnit] | None = None,
                   deadline: dt.date | None = None, clear_deadline: bool = False, note: str = "") -> Measure:
    """Accepts or rejects a measure, optionally editing its wording, lead and co-operating units and deadline.
    Each lead unit gets a task of its own when the version is published."""
    measure = Measure.objects.select_for_update().select_related("version__plan__unit").get(pk=measure.pk)
    _require_review(actor, measure.version)
    if status not in ReviewStatus.values:
        raise PlanInputError(_("未知的审核状态：%(status)s") % {"status": status})
    before = _measure_state(measure)
    plan = measure.version.plan
    if content is not None:
        if not content.strip():
            raise PlanInputError(_("工作任务内容不能为空。"))
        measure.content = content.strip()
    if lead_units is not None:
        _check_units_in_plan(plan, lead_units)
    if co_units is not None:
        _check_units_in_plan(plan, co_units)
    if deadline is not None:
        measure.deadline = deadline
    elif clear_deadline:
        measure.deadline = None
    measure.status = status
    measure.review_note = note[:500]
    measure.reviewed_at = timezone.now()
    measure.reviewed_by = audit_user(actor)
    measure.save()
    if lead_units is not None:
        measure.lead_units.set(lead_units)
    if co_units is not None or lead_units is not None:
        leads = {u.pk for u in measure.lead_units.all()}
        measure.co_units.set([u for u in (co_units if co_units is not None else measure.co_units.all())
                              if u.pk not in leads])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=measure, org_unit_id=plan.unit_id, before=before,
                 after=_measure_state(measure))
    return measure


@transaction.atomic
def review_target(*, actor: Actor, target: Target, status: str, note: str = "", **changes: Any) -> Target:
    """Accepts or rejects a target, optionally correcting its fields (subject, comparator, value, value_max,
    unit_of_measure, per, scope_text, indicator_code, owner, period_end)."""
    target = Target.objects.select_for_update(of=("self",)).select_related("version__plan__unit").get(pk=target.pk)
    if target.version is None:
        raise PlanInputError(_("登记的目标不在计划中，不经审核；如需修改请撤销后重新登记。"))
    _require_review(actor, target.plan_version)
    if status not in ReviewStatus.values:
        raise PlanInputError(_("未知的审核状态：%(status)s") % {"status": status})
    before = audit.snapshot(target, _TARGET_FIELDS)
    _apply_target_changes(target, changes)
    target.status = status
    target.review_note = note[:500]
    target.reviewed_at = timezone.now()
    target.reviewed_by = audit_user(actor)
    target.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=target, org_unit_id=target.plan_version.plan.unit_id,
                 before=before, after=audit.snapshot(target, _TARGET_FIELDS))
    return target


_TEXT_LIMITS = {"subject": 200, "unit_of_measure": 20, "per": 20, "scope_text": 100, "indicator_code": 64}


def _apply_target_changes(target: Target, changes: dict[str, Any]) -> None:
    from edugov.plans.models import Comparator

    for name, value in changes.items():
        if value is None and name not in {"value_max"}:
            continue
        if name in _TEXT_LIMITS:
            setattr(target, name, str(value).strip()[:_TEXT_LIMITS[name]])
        elif name == "comparator":
            if value not in Comparator.values:
                raise PlanInputError(_("未知的比较方式：%(value)s") % {"value": value})
            target.comparator = value
        elif name in {"value", "value_max"}:
            setattr(target, name, _decimal(value))
        elif name == "owner":
            _check_units_in_plan(target.plan_version.plan, [value])
            target.owner = value
        elif name == "period_end":
            target.period_end = value
        else:
            raise TypeError(f"unknown target field {name}")
    if not target.subject:
        raise PlanInputError(_("指标对象不能为空。"))
    if target.value is None:
        raise PlanInputError(_("目标值不能为空。"))
    if target.value_max is not None and target.value_max < target.value:
        raise PlanInputError(_("目标上限不能小于目标值。"))


def _locate(version: PlanVersion, quote: str, near: int | None) -> tuple[int, int]:
    quote = quote.strip()
    if not quote:
        raise PlanInputError(_("请填写原文。"))
    starts = [m.start() for m in re.finditer(re.escape(quote), version.text)]
    if not starts:
        raise PlanInputError(_("原文中找不到“%(quote)s”，请从正文中原样复制。") % {"quote": quote[:40]})
    start = min(starts, key=lambda s: abs(s - near)) if near is not None else starts[0]
    return start, start + len(quote)


@transaction.atomic
def add_target(*, actor: Actor, version: PlanVersion, quote: str, subject: str, comparator: str,
               value: Any, near: int | None = None, **changes: Any) -> Target:
    """Adds a target the extractor missed. The quote must be copied from the text; it is anchored there."""
    _require_review(actor, version)
    start, end = _locate(version, quote, near)
    plan = version.plan
    target = Target(version=version, quote=version.text[start:end], start=start, end=end,
                    origin=ItemOrigin.MANUAL, subject="", comparator=comparator, value=Decimal(0),
                    kind=_kind_for(comparator), owner=plan.unit, period_start=dt.date(plan.year, 1, 1),
                    period_end=_year_end(plan.year))
    holder = version.measures.filter(start__lte=start, end__gte=end).first()
    target.measure = holder
    target.section = holder.section if holder else _section_at(list(version.sections.all()), start)
    _apply_target_changes(target, {"subject": subject, "comparator": comparator, "value": value, **changes})
    target.status = ReviewStatus.ACCEPTED
    target.reviewed_at = timezone.now()
    target.reviewed_by = audit_user(actor)
    target.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=target, org_unit_id=plan.unit_id,
                 after=audit.snapshot(target, _TARGET_FIELDS))
    return target


# Comparators a registered target may use: it is judged against an indicator's value, not a count of things done.
_ENTERED_COMPARATORS = (">=", ">", "<=", "<", "==", "zero")


@transaction.atomic
def enter_target(*, actor: Actor, owner: OrgUnit, indicator_code: str, comparator: str, value: Any,
                 deadline_year: int, note: str = "") -> Target:
    """Registers a target of the bureau's own outside any plan (e.g. 东区近视率不高于50%，2026年): linked to a
    catalogue indicator of the same unit of measure, owned by a unit the actor may edit, due at the end of
    ``deadline_year``. Its status is then computed like that of a plan's target. Audited."""
    from edugov.indicators.services import current_catalogue

    _require_edit(actor, owner)
    catalogue = current_catalogue()
    if indicator_code not in catalogue.indicators:
        raise PlanInputError(_("指标目录中没有指标“%(code)s”。") % {"code": indicator_code})
    indicator = catalogue.indicator(indicator_code)
    if comparator not in _ENTERED_COMPARATORS:
        raise PlanInputError(_("未知的比较方式：%(value)s") % {"value": comparator})
    if not 2000 <= deadline_year <= 2100:
        raise PlanInputError(_("截止年份应为2000至2100之间的年份。"))
    exact = Decimal(0) if comparator == "zero" else _decimal(value)
    if exact is None:
        raise PlanInputError(_("目标值不能为空。"))
    if not exact.is_finite() or abs(exact) >= Decimal(10) ** 14:
        raise PlanInputError(_("“%(value)s”不是有效的目标值。") % {"value": value})
    unit = indicator.unit
    shown = format(exact.normalize(), "f") + (unit if unit == "%" else f" {unit}")
    stated = "清零" if comparator == "zero" else f"{Comparator(comparator).label}{shown}"
    quote = f"{owner.name}{indicator.name_zh}{stated}（{deadline_year}年底前）"
    if note.strip():
        quote = f"{quote}。{note.strip()}"
    now = timezone.now()
    target = Target.objects.create(
        version=None, quote=quote[:2000], start=0, end=len(quote), origin=ItemOrigin.MANUAL,
        status=ReviewStatus.ACCEPTED, reviewed_at=now, reviewed_by=audit_user(actor),
        subject=indicator.name_zh[:200], comparator=comparator, value=exact, unit_of_measure=unit[:20],
        deadline_text=f"{deadline_year}"[:20], kind=_kind_for(comparator), indicator_code=indicator_code,
        owner=owner, period_start=dt.date(deadline_year, 1, 1), period_end=_year_end(deadline_year),
        entered_by=audit_user(actor), entered_at=now)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=target, org_unit_id=owner.pk,
                 after=audit.snapshot(target, _TARGET_FIELDS), message=_("登记目标"))
    return target


@transaction.atomic
def withdraw_target(*, actor: Actor, target: Target) -> None:
    """Deletes a registered target (only those entered outside a plan; a plan's targets change with the plan)."""
    target = Target.objects.select_for_update(of=("self",)).select_related("owner").get(pk=target.pk)
    if target.version_id is not None or target.owner is None:
        raise PlanInputError(_("计划中的目标随计划修订，不能单独撤销。"))
    _require_edit(actor, target.owner)
    before = audit.snapshot(target, _TARGET_FIELDS)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=target, org_unit_id=target.owner_id, before=before,
                 message=_("撤销登记的目标"))
    target.delete()


def _kind_for(comparator: str) -> str:
    from edugov.plans.models import TargetKind

    return {
        "zero": TargetKind.ZERO, "count": TargetKind.COUNT, "increase_by": TargetKind.CHANGE,
        "decrease_by": TargetKind.CHANGE, "==": TargetKind.STANDARD,
    }.get(comparator, TargetKind.RATE)


@transaction.atomic
def add_measure(*, actor: Actor, version: PlanVersion, quote: str, near: int | None = None,
                lead_units: Sequence[OrgUnit] = (), co_units: Sequence[OrgUnit] = (),
                deadline: dt.date | None = None, content: str = "") -> Measure:
    """Adds a measure the extractor missed, anchored at its quote in the text."""
    _require_review(actor, version)
    start, end = _locate(version, quote, near)
    plan = version.plan
    _check_units_in_plan(plan, [*lead_units, *co_units])
    quote = version.text[start:end]
    measure = Measure.objects.create(
        version=version, quote=quote, start=start, end=end, content=content.strip() or quote,
        section=_section_at(list(version.sections.all()), start), origin=ItemOrigin.MANUAL,
        status=ReviewStatus.ACCEPTED, reviewed_at=timezone.now(), reviewed_by=audit_user(actor),
        deadline=deadline)
    measure.lead_units.set(lead_units)
    measure.co_units.set([u for u in co_units if u not in lead_units])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=measure, org_unit_id=plan.unit_id,
                 after=_measure_state(measure))
    return measure


@transaction.atomic
def accept_pending(*, actor: Actor, version: PlanVersion) -> int:
    """Accepts every item still pending review (the reviewer has read the rest); returns how many."""
    _require_review(actor, version)
    now = timezone.now()
    user = audit_user(actor)
    count = 0
    for model in (Measure, Target):
        count += model.objects.filter(version=version, status=ReviewStatus.PENDING).update(
            status=ReviewStatus.ACCEPTED, reviewed_at=now, reviewed_by=user)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=version, org_unit_id=version.plan.unit_id,
                 message=_("批量采纳 %(count)s 项") % {"count": count})
    return count


# --------------------------------------------------------------------------------------------------------------------
# Publish


@dataclass
class PublishResult:
    created: int
    updated: int
    withdrawn: int


@transaction.atomic
def publish_version(*, actor: Actor, version: PlanVersion) -> PublishResult:
    """Publishes a reviewed version as the plan's task ledger. Tasks of the previously published version carry over
    to the reworded measures they match (keeping their reports and 督办); tasks whose measure was dropped are
    withdrawn. Refused while any item is pending review or an accepted measure has no lead unit."""
    version = PlanVersion.objects.select_for_update().select_related("plan__unit").get(pk=version.pk)
    _require_review(actor, version)
    plan = version.plan
    pending = version.measures.filter(status=ReviewStatus.PENDING).count() + \
        version.targets.filter(status=ReviewStatus.PENDING).count()
    if pending:
        raise PlanInputError(_("还有 %(count)s 项未审核，请逐项审核或“全部采纳”后再发布。") % {"count": pending})
    accepted = list(version.measures.filter(status=ReviewStatus.ACCEPTED)
                    .select_related("section").prefetch_related("lead_units", "co_units").order_by("start", "position"))
    ownerless = [m for m in accepted if not m.lead_units.all()]
    if ownerless:
        raise PlanInputError(_("有 %(count)s 项举措未指定牵头单位（第一项：“%(quote)s”）。")
                             % {"count": len(ownerless), "quote": ownerless[0].content[:30]})
    previous = plan.versions.filter(status=VersionStatus.PUBLISHED).first()
    # One task per (measure, lead unit). A task carries over when its lead unit and wording match a live task; the
    # lead unit is part of the compared text, so a county's task never passes to another county.
    live = list(plan.tasks.exclude(status=TaskStatus.WITHDRAWN).order_by("number"))
    slots = [(measure, unit) for measure in accepted for unit in sorted(measure.lead_units.all(), key=_code)]
    matches = plan_diff.match_texts([(t.pk, f"{t.lead_unit_id}|{t.content}") for t in live],
                                    [(i, f"{unit.pk}|{measure.content}") for i, (measure, unit) in enumerate(slots)])
    task_for: dict[int, Task] = {}
    by_pk = {t.pk: t for t in live}
    for pair in [*matches.unchanged, *matches.changed]:
        assert pair.old is not None and pair.new is not None
        task_for[pair.new] = by_pk[pair.old]
    next_number = (plan.tasks.aggregate(n=Max("number"))["n"] or 0) + 1
    created = updated = 0
    for index, (measure, lead) in enumerate(slots):
        co_ids = [u.pk for u in measure.co_units.all()]
        section_title = f"{measure.section.label}{measure.section.title}"[:500] if measure.section else ""
        task = task_for.get(index)
        if task is None:
            task = Task.objects.create(plan=plan, measure=measure, number=next_number, content=measure.content,
                                       section_title=section_title, lead_unit=lead, deadline=measure.deadline)
            next_number += 1
            created += 1
            task.co_units.set(co_ids)
            continue
        before = audit.snapshot(task, ("content", "lead_unit_id", "deadline"))
        task.measure = measure
        task.content = measure.content
        task.section_title = section_title
        task.lead_unit = lead
        task.deadline = measure.deadline
        task.save()
        task.co_units.set(co_ids)
        after = audit.snapshot(task, ("content", "lead_unit_id", "deadline"))
        if after != before:
            updated += 1
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=task, org_unit_id=task.lead_unit_id,
                         before=before, after=after, message=_("计划修订"))
    withdrawn_ids = [t for t in matches.removed if t is not None]
    now = timezone.now()
    Task.objects.filter(pk__in=withdrawn_ids).update(status=TaskStatus.WITHDRAWN, updated_at=now)
    Escalation.objects.filter(task_id__in=withdrawn_ids, resolved_at__isnull=True).update(
        resolved_at=now, resolution=_("计划修订后该任务已撤销"))
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = audit_user(actor)
    version.save(update_fields=["status", "published_at", "published_by"])
    result = PublishResult(created=created, updated=updated, withdrawn=len(withdrawn_ids))
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=version, org_unit_id=plan.unit_id,
                 before={"status": VersionStatus.REVIEW}, after={"status": VersionStatus.PUBLISHED},
                 message=_("发布任务台账：新增 %(created)s 项，更新 %(updated)s 项，撤销 %(withdrawn)s 项")
                 % result.__dict__)
    return result


# --------------------------------------------------------------------------------------------------------------------
# Progress and 督办


def _check_evidence(files: Sequence[UploadedDocument]) -> None:
    for f in files:
        if problem := evidence_problem(f.name, f.data):
            raise PlanInputError(problem)


def report_progress(*, actor: Actor, task: Task, progress: int, status: str, text: str,
                    evidence: Sequence[UploadedDocument] = (), today: dt.date | None = None) -> TaskReport:
    """Records a progress report from the task's owner, with evidence files. Done means 100 % and closes any 督办."""
    task = Task.objects.select_for_update().select_related("plan__unit", "lead_unit").get(pk=task.pk)
    if actor is not None and not can_report(actor, task):
        raise PermissionDenied(_("只有牵头单位可以报送该任务的进展。"))
    if task.status == TaskStatus.WITHDRAWN:
        raise PlanInputError(_("该任务已随计划修订撤销，不能再报送。"))
    if status not in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE):
        raise PlanInputError(_("未知的任务状态：%(status)s") % {"status": status})
    if not 0 <= progress <= 100:
        raise PlanInputError(_("完成进度应在 0 到 100 之间。"))
    if not text.strip():
        raise PlanInputError(_("请填写进展情况。"))
    if status == TaskStatus.DONE:
        progress = 100
    elif progress == 100:
        raise PlanInputError(_("进度为 100% 时请将状态设为“已完成”。"))
    _check_evidence(evidence)
    stored = [(f, *_store("evidence", f.name, f.data)) for f in evidence]
    before = audit.snapshot(task, ("status", "progress", "completed_on"))
    report = TaskReport.objects.create(task=task, unit=task.lead_unit, author=audit_user(actor), progress=progress,
                                       status=status, text=text.strip())
    for f, path, digest in stored:
        TaskEvidence.objects.create(report=report, file_name=f.name[:255], sha256=digest, size=len(f.data),
                                    content_type=_content_type(f.name), stored_path=path)
    now = timezone.now()
    task.status = status
    task.progress = progress
    task.last_reported_at = now
    task.completed_on = (today or timezone.localdate()) if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "progress", "last_reported_at", "completed_on", "updated_at"])
    if status == TaskStatus.DONE:
        task.escalations.filter(resolved_at__isnull=True).update(resolved_at=now, resolution=_("任务已完成"))
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=task, org_unit_id=task.lead_unit_id, before=before,
                 after=audit.snapshot(task, ("status", "progress", "completed_on")),
                 message=_("报送进展（佐证材料 %(count)s 份）") % {"count": len(stored)})
    return report


def _content_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def supervisor_of(task: Task, level: int = 1) -> OrgUnit:
    """The unit `level` steps above the task's lead unit; the plan's issuing bureau when the chain ends there."""
    unit = task.lead_unit
    for _step in range(level):
        parent = current_parent(unit)
        if parent is None:
            break
        unit = parent
    return unit if unit != task.lead_unit else task.plan.unit


@transaction.atomic
def escalate_overdue(*, today: dt.date | None = None, stall_days: int | None = None,
                     second_level_days: int | None = None) -> list[Escalation]:
    """The daily 督办 sweep. A task past its deadline and not done is raised to its lead unit's parent; if that
    notice stays open `second_level_days`, it goes one level higher. A task with a deadline whose owner has not
    reported for `stall_days` is raised as stalled. Returns the notices raised; running it twice raises nothing."""
    today = today or timezone.localdate()
    stall_days = stall_days if stall_days is not None else int(getattr(settings, "EDUGOV_TASK_STALL_DAYS", 60))
    second_level_days = (second_level_days if second_level_days is not None
                         else int(getattr(settings, "EDUGOV_ESCALATION_SECOND_LEVEL_DAYS", 14)))
    raised: list[Escalation] = []
    open_tasks = (Task.objects.filter(status__in=OPEN_TASK_STATUSES, deadline__isnull=False)
                  .select_related("lead_unit", "plan__unit"))
    open_levels: dict[int, dict[int, Escalation]] = {}
    for esc in Escalation.objects.filter(resolved_at__isnull=True, task__in=open_tasks):
        open_levels.setdefault(esc.task_id, {})[esc.level] = esc
    for task in open_tasks:
        assert task.deadline is not None
        levels = open_levels.get(task.pk, {})
        if task.deadline < today:
            if 1 not in levels and not _was_raised(task, 1, EscalationKind.OVERDUE):
                raised.append(_raise(task, 1, EscalationKind.OVERDUE,
                                     _("任务已超过完成时限（%(deadline)s），当前进度 %(progress)s%%。")
                                     % {"deadline": task.deadline.isoformat(), "progress": task.progress}))
            elif 1 in levels and 2 not in levels and \
                    (today - timezone.localdate(levels[1].raised_at)).days >= second_level_days:
                raised.append(_raise(task, 2, EscalationKind.OVERDUE,
                                     _("一级督办已 %(days)s 天未办结，升级督办。") % {"days": second_level_days}))
            continue
        last = task.last_reported_at or task.created_at
        if not levels and (today - timezone.localdate(last)).days >= stall_days:
            raised.append(_raise(task, 1, EscalationKind.STALLED,
                                 _("已 %(days)s 天未报送进展。") % {"days": (today - timezone.localdate(last)).days}))
    return raised


def _was_raised(task: Task, level: int, kind: str) -> bool:
    """An overdue notice the supervisor has already resolved is not raised again the next day."""
    return task.escalations.filter(level=level, kind=kind, resolved_at__isnull=False).exists()


def _raise(task: Task, level: int, kind: str, reason: str, actor: Actor = None) -> Escalation:
    escalation = Escalation.objects.create(task=task, to_unit=supervisor_of(task, level), level=level, kind=kind,
                                           reason=reason, raised_by=audit_user(actor))
    audit.record(actor=actor, action=AuditAction.CREATE, obj=escalation, org_unit_id=task.lead_unit_id,
                 after={"task": task.pk, "to_unit": escalation.to_unit.code, "level": level, "kind": kind,
                        "reason": reason})
    return escalation


@transaction.atomic
def raise_escalation(*, actor: Actor, task: Task, reason: str) -> Escalation:
    """A supervisor's own 督办 of a task, addressed to the supervisor's unit above the lead unit."""
    task = Task.objects.select_related("lead_unit", "plan__unit").get(pk=task.pk)
    scope = scope_for(actor)
    supervisor = supervisor_of(task, 1)
    if not (scope.can_at(Permission.EDIT, supervisor.pk) or scope.can_at(Permission.EDIT, task.plan.unit_id)):
        raise PermissionDenied(_("只有上级单位可以督办该任务。"))
    if task.status not in OPEN_TASK_STATUSES:
        raise PlanInputError(_("该任务已完成或已撤销，无需督办。"))
    if not reason.strip():
        raise PlanInputError(_("请填写督办说明。"))
    level = (task.escalations.filter(resolved_at__isnull=True).aggregate(n=Max("level"))["n"] or 0) + 1
    return _raise(task, level, EscalationKind.MANUAL, reason.strip(), actor=actor)


@transaction.atomic
def resolve_escalation(*, actor: Actor, escalation: Escalation, resolution: str) -> Escalation:
    escalation = Escalation.objects.select_for_update().select_related("task").get(pk=escalation.pk)
    if not scope_for(actor).can_at(Permission.EDIT, escalation.to_unit_id):
        raise PermissionDenied(_("只有督办单位可以办结督办。"))
    if escalation.resolved_at is not None:
        raise PlanInputError(_("该督办已办结。"))
    if not resolution.strip():
        raise PlanInputError(_("请填写办结说明。"))
    escalation.resolved_at = timezone.now()
    escalation.resolution = resolution.strip()
    escalation.save(update_fields=["resolved_at", "resolution"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=escalation, org_unit_id=escalation.task.lead_unit_id,
                 before={"resolved_at": None}, after={"resolution": escalation.resolution})
    return escalation
