"""All writes to evaluation rounds. Each function is atomic, takes the acting user, checks what that user may do,
and writes the audit trail.

Who may do what:

- create a round, fill catalogue data, move to the next stage, compute results: users who may edit at the
  evaluating unit (the city for counties, a county for its schools), or anyone above it;
- the first stage of the scheme (自评): users holding an editing role **at the evaluated unit itself**; the
  evaluating bureau does not write a unit's self-evaluation;
- later stages (复评, 抽查): users who may edit at the evaluating unit or above, and inspectors (督学) whose area
  covers the evaluating unit.

Entries are accepted only for the round's current stage. ``actor=None`` is the system (demo, commands).
"""

from __future__ import annotations

import dataclasses
import json
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission, Role
from edugov.core.files import evidence_problem, store_by_hash, suffix_of
from edugov.core.models import RoleAssignment
from edugov.core.scoping import descendant_ids, scope_for, scope_ids
from edugov.evaluation.engine import (
    AdjustmentInput,
    InputError,
    ItemInput,
    Scheme,
    SchemeError,
    StageInput,
    UnitInputs,
    UnitResult,
    VetoInput,
    evaluate,
    exact_str,
    list_schemes,
    load_scheme,
    parse_scheme,
    rank,
)
from edugov.evaluation.engine.exact import to_fraction
from edugov.evaluation.engine.scheme import BooleanRule, Item, ManualRule, Stage
from edugov.evaluation.models import (
    DATA_STAGE,
    DATA_STAGE_NAME,
    FINISHED,
    EntryKind,
    EntrySource,
    EvaluatedKind,
    EvaluationResult,
    EvaluationRound,
    StageEntry,
    StageEvidence,
)
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.models import OrgUnit

# Evidence: documents and photos a bureau actually exchanges; no executables, no archives that hide their content.


class EvaluationInputError(ValidationError):
    """Bad input to an evaluation service; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class UploadedDocument:
    name: str
    data: bytes


def audit_user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------------------------------------
# The pinned scheme


def scheme_of(rnd: EvaluationRound) -> Scheme:
    """The scheme the round was created with, from the JSON pinned in the round (never from today's files)."""
    scheme = parse_scheme(rnd.scheme_json)
    if scheme.sha256 != rnd.scheme_sha256:
        raise SchemeError(f"评价轮次 {rnd.pk} 保存的方案内容与其 SHA-256 不符")
    return scheme


def engine_scheme(scheme: Scheme) -> Scheme:
    """The scheme with the system's ``data`` stage (catalogue values) before the scheme's own stages, so that the
    self-evaluation overrides the data and the engine reports where they disagree. The hash stays the file's."""
    if any(s.code == DATA_STAGE for s in scheme.stages):
        raise SchemeError(f"评价方案 {scheme.id} 的阶段代码 {DATA_STAGE} 与系统数据阶段冲突")
    return dataclasses.replace(scheme, stages=(Stage(DATA_STAGE, DATA_STAGE_NAME), *scheme.stages))


def stage_codes(rnd: EvaluationRound) -> list[str]:
    return [s.code for s in scheme_of(rnd).stages]


# --------------------------------------------------------------------------------------------------------------------
# Permissions


def _edit_roles() -> list[str]:
    from edugov.core.choices import ROLE_PERMISSIONS

    return [role for role, perms in ROLE_PERMISSIONS.items() if Permission.EDIT in perms]


def can_manage(actor: Actor, rnd_or_unit: EvaluationRound | OrgUnit) -> bool:
    """Create rounds, fill data, advance stages, compute: editing rights at the evaluating unit."""
    if actor is None:
        return True
    unit_id = rnd_or_unit.evaluating_unit_id if isinstance(rnd_or_unit, EvaluationRound) else rnd_or_unit.pk
    return scope_for(actor).can_at(Permission.EDIT, unit_id)


def _is_inspector_over(actor: Actor, unit_id: int) -> bool:
    user_id: int = getattr(actor, "pk", 0) or 0
    roots = list(RoleAssignment.objects.filter(user_id=user_id, role=Role.INSPECTOR)
                 .values_list("org_unit_id", flat=True))
    return bool(roots) and unit_id in scope_ids(roots)


def can_enter(actor: Actor, rnd: EvaluationRound, unit: OrgUnit, stage: str) -> bool:
    """Whether the actor may enter ``stage`` for ``unit`` (regardless of whether that stage is open now)."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    codes = stage_codes(rnd)
    if stage not in codes:
        return False
    if stage == codes[0]:
        user_id: int = getattr(actor, "pk", 0) or 0
        return RoleAssignment.objects.filter(user_id=user_id, org_unit_id=unit.pk, role__in=_edit_roles()).exists()
    return can_manage(actor, rnd) or _is_inspector_over(actor, rnd.evaluating_unit_id)


def allowed_stage(actor: Actor, rnd: EvaluationRound, unit: OrgUnit) -> str | None:
    """The stage the actor may enter now for this unit: the round's current stage, if the actor may enter it."""
    if rnd.finished or not can_enter(actor, rnd, unit, rnd.stage):
        return None
    return rnd.stage


# --------------------------------------------------------------------------------------------------------------------
# Rounds


def _evaluable_units(evaluating: OrgUnit, kind: str, year: int) -> list[OrgUnit]:
    on = SchoolYear(year).reference_date
    below = descendant_ids([evaluating.pk], on=on) - {evaluating.pk}
    units = [u for u in OrgUnit.objects.filter(pk__in=below, kind=kind).order_by("code") if u.is_active(on)]
    return units


def _scheme_raw(scheme: Scheme, directory: str | Path | None) -> dict[str, Any]:
    for ref in list_schemes(directory):
        if (ref.id, ref.version) == (scheme.id, scheme.version):
            with ref.path.open(encoding="utf-8") as fh:
                raw: dict[str, Any] = json.load(fh)
            if parse_scheme(raw).sha256 != scheme.sha256:  # the file changed between two reads
                raise SchemeError(f"评价方案 {scheme.id} {scheme.version} 的文件在读取期间发生变化")
            return raw
    raise SchemeError(f"找不到评价方案 {scheme.id} {scheme.version}")


@transaction.atomic
def create_round(*, actor: Actor, evaluating_unit: OrgUnit, scheme_id: str, year: int,
                 evaluated_kind: str, name: str = "", version: str | None = None, data_year: int | None = None,
                 units: Sequence[OrgUnit] | None = None, directory: str | Path | None = None) -> EvaluationRound:
    """Opens a round on the scheme version valid for ``year`` (or the given ``version``), pinning its id, version,
    SHA-256 and full JSON. ``units`` default to every open unit of ``evaluated_kind`` below the evaluating unit."""
    if not can_manage(actor, evaluating_unit):
        raise PermissionDenied(_("您无权以“%(unit)s”的名义组织评价。") % {"unit": evaluating_unit.name})
    if evaluated_kind not in EvaluatedKind.values:
        raise EvaluationInputError(_("被评价对象只能是区县或学校。"))
    try:
        scheme = load_scheme(scheme_id, version=version, year=year, directory=directory)
        raw = _scheme_raw(scheme, directory)
        engine_scheme(scheme)
    except SchemeError as exc:
        raise EvaluationInputError(str(exc)) from exc
    candidates = _evaluable_units(evaluating_unit, evaluated_kind, data_year or year)
    if units is None:
        chosen = candidates
    else:
        allowed = {u.pk for u in candidates}
        outside = [u.name for u in units if u.pk not in allowed]
        if outside:
            raise EvaluationInputError(_("以下单位不是“%(unit)s”所属的%(kind)s：%(names)s") % {
                "unit": evaluating_unit.name, "kind": EvaluatedKind(evaluated_kind).label,
                "names": "、".join(outside)})
        chosen = list(units)
    if not chosen:
        raise EvaluationInputError(_("没有可评价的单位。"))
    rnd = EvaluationRound.objects.create(
        name=name or scheme.name, scheme_id=scheme.id, scheme_version=scheme.version, scheme_sha256=scheme.sha256,
        scheme_json=raw, year=year, data_year=data_year or year, evaluating_unit=evaluating_unit,
        evaluated_kind=evaluated_kind, stage=scheme.stages[0].code, created_by=audit_user(actor))
    rnd.units.set(chosen)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rnd, org_unit_id=evaluating_unit.pk,
                 after={"scheme": scheme.id, "version": scheme.version, "sha256": scheme.sha256, "year": year,
                        "units": [u.pk for u in chosen]})
    return rnd


@transaction.atomic
def advance_stage(*, actor: Actor, rnd: EvaluationRound) -> EvaluationRound:
    """Closes the current stage and opens the next one (after the last one the round is finished)."""
    rnd = EvaluationRound.objects.select_for_update().get(pk=rnd.pk)
    if not can_manage(actor, rnd):
        raise PermissionDenied(_("只有评价单位可以推进评价阶段。"))
    if rnd.finished:
        raise EvaluationInputError(_("本轮评价已结束。"))
    codes = stage_codes(rnd)
    before = rnd.stage
    i = codes.index(rnd.stage)
    rnd.stage = codes[i + 1] if i + 1 < len(codes) else FINISHED
    rnd.save(update_fields=["stage"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rnd, org_unit_id=rnd.evaluating_unit_id,
                 before={"stage": before}, after={"stage": rnd.stage})
    return rnd


# --------------------------------------------------------------------------------------------------------------------
# Stage 0: the catalogue's data

_MEASURED = ("threshold", "linear", "banded")


def catalogue_leaves(scheme: Scheme, catalogue: Any) -> tuple[list[tuple[Item, Any]], dict[str, str]]:
    """The scheme's measured leaves that the catalogue fills, with their catalogue indicator, and the reasons the
    other indicator-naming leaves are left to the stages (item code → reason)."""
    notes: dict[str, str] = {}
    leaves = []
    for leaf in scheme.leaves():
        if not leaf.indicator or leaf.rule is None:
            continue
        kind = type(leaf.rule).__name__
        if isinstance(leaf.rule, ManualRule | BooleanRule):
            notes[leaf.code] = f"评分规则为{'人工评分' if isinstance(leaf.rule, ManualRule) else '是/否'}，不自动填入"
            continue
        if leaf.indicator not in catalogue.indicators:
            notes[leaf.code] = f"指标 {leaf.indicator} 不在指标目录中，由各阶段填报"
            continue
        indicator = catalogue.indicator(leaf.indicator)
        if leaf.unit and leaf.unit != indicator.unit:
            notes[leaf.code] = (f"方案单位“{leaf.unit}”与指标目录单位“{indicator.unit}”不一致，不自动填入"
                                f"（{kind}）")
            continue
        leaves.append((leaf, indicator))
    return leaves, notes


def catalogue_values(snap: Any, unit: OrgUnit, leaves: Sequence[tuple[Item, Any]], data_year: int
                     ) -> tuple[dict[str, tuple[Fraction, str]], dict[str, str]]:
    """One unit's exact catalogue value of each leaf (item code → (value, note naming the indicator version)), and
    the reasons of those without a value (``item code@unit code`` → reason)."""
    values: dict[str, tuple[Fraction, str]] = {}
    notes: dict[str, str] = {}
    for leaf, indicator in leaves:
        iv = snap.value(indicator.code, unit.pk) if unit.pk in snap.units else None
        if iv is None or iv.value is None:
            notes[f"{leaf.code}@{unit.code}"] = (iv.reason if iv is not None else "单位不在数据范围内") or "无数据"
            continue
        values[leaf.code] = (Fraction(iv.value), f"指标目录 {indicator.code} 第 {iv.version} 版，{data_year} 学年")
    return values, notes


@transaction.atomic
def fill_from_catalogue(*, actor: Actor, rnd: EvaluationRound,
                        snapshot: Callable[[OrgUnit, int], Any] | None = None) -> dict[str, str]:
    """Fills every measured leaf that names an indicator with the catalogue's exact value for each unit, as the
    ``data`` stage. A leaf is left to the stages when the indicator is not in the catalogue, its unit differs from
    the scheme's (e.g. 元/生 against %), or a unit has no data; the reasons are kept in ``round.data_notes``
    (item code → reason, and ``item code@unit code`` → reason). Returns the notes."""
    from edugov.indicators.compute import Snapshot

    rnd = EvaluationRound.objects.select_for_update().get(pk=rnd.pk)
    if not can_manage(actor, rnd):
        raise PermissionDenied(_("只有评价单位可以填入指标数据。"))
    if rnd.finished:
        raise EvaluationInputError(_("本轮评价已结束，不能再更新数据。"))
    snap = (snapshot or Snapshot)(rnd.evaluating_unit, rnd.data_year)
    leaves, notes = catalogue_leaves(scheme_of(rnd), snap.catalogue)
    filled = 0
    StageEntry.objects.filter(round=rnd, stage=DATA_STAGE).delete()
    for unit in rnd.units.order_by("code"):
        values, unit_notes = catalogue_values(snap, unit, leaves, rnd.data_year)
        notes.update(unit_notes)
        for code, (value, note) in values.items():
            StageEntry.objects.create(round=rnd, unit=unit, stage=DATA_STAGE, kind=EntryKind.ITEM, code=code,
                                      value=exact_str(value), source=EntrySource.CATALOGUE, note=note)
            filled += 1
    rnd.data_notes = notes
    rnd.save(update_fields=["data_notes"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rnd, org_unit_id=rnd.evaluating_unit_id,
                 after={"data_filled": filled, "skipped": sorted(notes)},
                 message=_("从指标目录填入 %(n)s 项数据") % {"n": filled})
    return notes


# --------------------------------------------------------------------------------------------------------------------
# Stage entries


def _exact(text: str | None, label: str) -> str:
    if text is None or str(text).strip() == "":
        return ""
    try:
        return exact_str(to_fraction(str(text).strip(), label))
    except ValueError as exc:
        raise EvaluationInputError(_("%(label)s不是有效数值：%(text)s") % {"label": label, "text": text}) from exc


def _check_evidence(files: Sequence[UploadedDocument]) -> None:
    for f in files:
        if problem := evidence_problem(f.name, f.data):
            raise EvaluationInputError(problem)


def _store(name: str, data: bytes) -> tuple[str, str]:
    return store_by_hash("evaluation", data, suffix_of(name))


def _attach(entry: StageEntry, files: Sequence[UploadedDocument], actor: Actor) -> list[StageEvidence]:
    _check_evidence(files)
    out = []
    for f in files:
        path, digest = _store(f.name, f.data)
        out.append(StageEvidence.objects.create(
            entry=entry, file_name=f.name[:255], sha256=digest, size=len(f.data),
            content_type=mimetypes.guess_type(f.name)[0] or "application/octet-stream", stored_path=path,
            uploaded_by=audit_user(actor)))
    return out


def kind_of(scheme: Scheme, code: str) -> str:
    if any(a.code == code for a in scheme.adjustments):
        return EntryKind.ADJUSTMENT
    if any(v.code == code for v in scheme.vetoes):
        return EntryKind.VETO
    try:
        item = scheme.item(code)
    except KeyError:
        raise EvaluationInputError(_("方案中没有项目 %(code)s。") % {"code": code}) from None
    if not item.is_leaf:
        raise EvaluationInputError(_("项目 %(code)s 有子项，请对子项录入。") % {"code": code})
    return EntryKind.ITEM


_ENTRY_FIELDS = ("value", "points", "count", "flag", "note")


@transaction.atomic
def enter(*, actor: Actor, rnd: EvaluationRound, unit: OrgUnit, stage: str, code: str, value: str | None = None,
          points: str | None = None, count: int | None = None, flag: bool | None = None, note: str = "",
          evidence: Sequence[UploadedDocument] = ()) -> StageEntry:
    """Records (or replaces) one stage's entry for one code of one unit, with evidence files, and checks it
    against the scheme by evaluating the unit's inputs with the engine."""
    rnd = EvaluationRound.objects.select_for_update().get(pk=rnd.pk)
    if not rnd.units.filter(pk=unit.pk).exists():
        raise EvaluationInputError(_("“%(unit)s”不在本轮评价范围内。") % {"unit": unit.name})
    if not can_enter(actor, rnd, unit, stage):
        raise PermissionDenied(_("您无权录入“%(unit)s”的该阶段评价。") % {"unit": unit.name})
    if rnd.stage != stage:
        raise EvaluationInputError(_("当前不是该阶段的录入时间。"))
    scheme = scheme_of(rnd)
    kind = kind_of(scheme, code)
    fields: dict[str, Any] = {"value": _exact(value, _("数值")), "points": _exact(points, _("分值")),
                              "count": count, "flag": flag, "note": note.strip()}
    if kind == EntryKind.ITEM:
        rule = scheme.item(code).rule
        if isinstance(rule, ManualRule):
            fields.update(value="", count=None, flag=None)
            if not fields["points"]:
                raise EvaluationInputError(_("项目 %(code)s 为人工评分，请填写分值。") % {"code": code})
        elif isinstance(rule, BooleanRule):
            fields.update(value="", points="", count=None)
            if flag is None:
                raise EvaluationInputError(_("项目 %(code)s 请选择“是”或“否”。") % {"code": code})
        else:
            fields.update(points="", count=None, flag=None)
            if not fields["value"]:
                raise EvaluationInputError(_("项目 %(code)s 请填写数值。") % {"code": code})
    elif kind == EntryKind.ADJUSTMENT:
        fields.update(value="", flag=None)
        if bool(fields["points"]) == (count is not None):
            raise EvaluationInputError(_("加分/扣分项 %(code)s 请填写分值或次数之一。") % {"code": code})
    else:
        fields.update(value="", points="", count=None)
        if flag is None:
            raise EvaluationInputError(_("一票否决项 %(code)s 请选择是否触发。") % {"code": code})
    entry, created = StageEntry.objects.get_or_create(round=rnd, unit=unit, stage=stage, code=code,
                                                      defaults={"kind": kind})
    before = {} if created else audit.snapshot(entry, _ENTRY_FIELDS)
    for name, v in fields.items():
        setattr(entry, name, v)
    entry.kind = kind
    entry.source = EntrySource.MANUAL
    entry.entered_by = audit_user(actor)
    entry.save()
    stored = _attach(entry, evidence, actor)
    try:
        evaluate(engine_scheme(scheme), unit_inputs(rnd, unit))
    except InputError as exc:
        raise EvaluationInputError(str(exc)) from exc
    audit.record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=entry,
                 org_unit_id=unit.pk, before=before, after=audit.snapshot(entry, _ENTRY_FIELDS),
                 message=_("%(stage)s %(code)s（佐证材料 %(n)s 份）")
                 % {"stage": stage, "code": code, "n": len(stored)})
    return entry


@transaction.atomic
def add_evidence(*, actor: Actor, entry: StageEntry, files: Sequence[UploadedDocument]) -> list[StageEvidence]:
    """Attaches more evidence to an entry of the round's current stage."""
    rnd = EvaluationRound.objects.select_for_update().get(pk=entry.round_id)
    unit = entry.unit
    if not can_enter(actor, rnd, unit, entry.stage):
        raise PermissionDenied(_("您无权为该阶段上传佐证材料。"))
    if rnd.stage != entry.stage:
        raise EvaluationInputError(_("当前不是该阶段的录入时间。"))
    if not files:
        raise EvaluationInputError(_("请选择文件。"))
    stored = _attach(entry, files, actor)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=entry, org_unit_id=unit.pk,
                 after={"evidence": [e.sha256 for e in stored]},
                 message=_("上传佐证材料 %(n)s 份") % {"n": len(stored)})
    return stored


# --------------------------------------------------------------------------------------------------------------------
# Inputs and results


def unit_inputs(rnd: EvaluationRound, unit: OrgUnit) -> UnitInputs:
    """The unit's stored entries as engine inputs: stage ``data`` then the scheme's stages; evidence by SHA-256."""
    stages: dict[str, dict[str, Any]] = {}
    entries = (StageEntry.objects.filter(round=rnd, unit=unit).prefetch_related("evidence")
               .order_by("stage", "code"))
    for e in entries:
        s = stages.setdefault(e.stage, {"items": {}, "adjustments": [], "vetoes": []})
        refs = tuple(sorted(f.sha256 for f in e.evidence.all()))
        if e.kind == EntryKind.ITEM:
            val: str | bool | None = e.flag if e.flag is not None else (e.value or None)
            s["items"][e.code] = ItemInput(value=val, points=e.points or None, evidence=refs, note=e.note)
        elif e.kind == EntryKind.ADJUSTMENT:
            s["adjustments"].append(AdjustmentInput(e.code, points=e.points or None, count=e.count, reason=e.note,
                                                    evidence=refs))
        else:
            s["vetoes"].append(VetoInput(e.code, bool(e.flag), reason=e.note, evidence=refs))
    return UnitInputs(
        unit_id=unit.code, unit_name=unit.name, year=rnd.year,
        stages=tuple(StageInput(code, s["items"], tuple(s["adjustments"]), tuple(s["vetoes"]))
                     for code, s in sorted(stages.items())))


def evaluate_unit(rnd: EvaluationRound, unit: OrgUnit, scheme: Scheme | None = None) -> UnitResult:
    """The unit's result on the stored entries as they stand now (pure; stores nothing)."""
    return evaluate(engine_scheme(scheme or scheme_of(rnd)), unit_inputs(rnd, unit))


@transaction.atomic
def compute_results(*, actor: Actor, rnd: EvaluationRound) -> list[EvaluationResult]:
    """Evaluates every unit of the round on the pinned scheme, ranks them and stores the results (replacing any
    earlier ones). Same entries → same ``inputs_sha256`` and the same result JSON."""
    rnd = EvaluationRound.objects.select_for_update().get(pk=rnd.pk)
    if not can_manage(actor, rnd):
        raise PermissionDenied(_("只有评价单位可以计算评价结果。"))
    scheme = engine_scheme(scheme_of(rnd))
    units = {u.code: u for u in rnd.units.all()}
    try:
        results = [evaluate(scheme, unit_inputs(rnd, u)) for u in units.values()]
    except InputError as exc:
        raise EvaluationInputError(str(exc)) from exc
    now = timezone.now()
    EvaluationResult.objects.filter(round=rnd).delete()
    stored = []
    for ranked in rank(results, scheme):
        r = ranked.result
        stored.append(EvaluationResult.objects.create(
            round=rnd, unit=units[r.unit_id], result=r.as_dict(), total=exact_str(r.total), grade=r.grade,
            vetoed=r.vetoed, rank=ranked.rank, tied=ranked.tied, decided_by=ranked.decided_by,
            inputs_sha256=r.inputs_sha256, scheme_sha256=r.scheme_sha256, computed_at=now))
    rnd.computed_at = now
    rnd.save(update_fields=["computed_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rnd, org_unit_id=rnd.evaluating_unit_id,
                 after={"results": {s.unit.code: [s.total, s.grade, s.rank, s.inputs_sha256] for s in stored}},
                 message=_("计算评价结果（%(n)s 个单位）") % {"n": len(stored)})
    return stored
