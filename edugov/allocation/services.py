"""Writes for public draws: commit (publish the commitment, seal the seed) and draw (reveal the seed, run, store),
plus the verifier that re-runs a stored draw. Writes are atomic, take ``actor=`` and are audited.

Protocol: at commitment the input file, the parameters and SHA-256(seed) are fixed and shown on the public page;
the seed stays sealed. At the draw the revealed seed must hash to the commitment, so the seed cannot have been
changed after the input was known. The engine runs on the stored input with the stored parameters; its output,
the output hash and the run record (docs/allocation.md) are stored. Instead of a secret seed a draw may name a
future public number (``public_source``); then there is no commitment and the number becomes the seed at the draw.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.allocation.choices import DrawKind, DrawSource, DrawStatus
from edugov.allocation.engine import ALGORITHM_VERSION
from edugov.allocation.engine.errors import AllocationInputError
from edugov.allocation.engine.records import RunRecord, check_seed, commit_seed, sha256_hex
from edugov.allocation.engine.runs import (
    VerifyReport,
    classes_parameters,
    csv_bytes,
    execute,
    make_record,
    validate,
    verify_run,
)
from edugov.allocation.models import Draw
from edugov.allocation.queries import mask_student_no
from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.scoping import scope_for
from edugov.lib.text import new_public_id
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.stats.grades import GRADE_LABELS
from edugov.stats.models import StudentRecord

MAX_SEED_LENGTH = 200


def new_seed() -> str:
    """A secret seed with 128 bits of randomness: long enough that its commitment cannot be inverted by guessing."""
    return secrets.token_hex(16)


def _require_edit(actor: Actor, org_unit_id: int) -> None:
    scope = scope_for(actor)
    if not (scope.contains(org_unit_id) and scope.can_at(Permission.EDIT, org_unit_id)):
        raise PermissionDenied(_("您没有在该机构组织抽签的权限。"))


def _check_seed_text(seed: str) -> None:
    if not seed or "|" in seed or len(seed) > MAX_SEED_LENGTH:
        raise ValidationError(_("种子不能为空、不能包含“|”，且不超过 %(n)d 个字符。") % {"n": MAX_SEED_LENGTH})


def _audit_view(draw: Draw) -> dict[str, Any]:
    # Never the sealed seed: the audit trail is readable by administrators before the draw.
    return audit.snapshot(draw, ("public_id", "kind", "title", "status", "seed_commitment", "seed_source", "seed",
                                 "parameters", "input_name", "input_sha256", "output_sha256", "algorithm_version"))


@transaction.atomic
def commit_draw(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    kind: str,
    title: str,
    input_name: str,
    input_bytes: bytes,
    parameters: dict[str, Any],
    seed: str | None = None,
    public_source: str = "",
    source: str = DrawSource.UPLOAD,
) -> Draw:
    """Publishes a draw: stores the input, the parameters and the seed commitment; seals the seed.

    With ``public_source`` (a description of a future public number) no secret seed is kept. Otherwise ``seed``
    (or, when None, a fresh 128-bit random seed) is sealed and only SHA-256(seed) is visible. The input is checked
    as far as possible without drawing, so that a draw cannot fail later on bad input."""
    _require_edit(actor, org_unit.pk)
    if kind not in DrawKind.values:
        raise ValidationError(_("不支持的抽签类型：%(kind)s") % {"kind": kind})
    if not title.strip():
        raise ValidationError(_("请填写标题。"))
    public_source = public_source.strip()
    if public_source and seed:
        raise ValidationError(_("请在秘密种子和将来公布的公开数字之间选择一种，不能同时使用。"))
    sealed = ""
    commitment = ""
    if not public_source:
        sealed = seed.strip() if seed else new_seed()
        _check_seed_text(sealed)
        commitment = commit_seed(sealed)
    try:
        validate(kind, [input_bytes], parameters)  # type: ignore[arg-type]  # kind checked against DrawKind
    except AllocationInputError as exc:
        raise ValidationError(str(exc)) from exc
    draw = Draw.objects.create(
        public_id=new_public_id(16), org_unit=org_unit, kind=kind, title=title.strip(),
        status=DrawStatus.COMMITTED, seed_commitment=commitment, seed_source=public_source, sealed_seed=sealed,
        parameters=dict(parameters), source=source, input_name=input_name[:255], input_bytes=bytes(input_bytes),
        input_sha256=sha256_hex(bytes(input_bytes)), algorithm_version=ALGORITHM_VERSION,
        created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        committed_at=timezone.now(),
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=draw, org_unit_id=org_unit.pk,
                 after=_audit_view(draw), message=_("公布抽签承诺"))
    return draw


#: the header of a cohort built from 学籍 records (Chinese aliases of id, gender, special_needs; docs/allocation.md §2)
ROSTER_HEADER = ("学籍号", "性别", "特殊需要")
_SEX_LABEL = {"1": "男", "2": "女"}


def roster_cohort(school: OrgUnit, year: int, grade: str) -> bytes:
    """The 分班 input of a school's grade built from its StudentRecords: 学籍号, 性别 (男/女) and 特殊需要 (1 when a
    disability type is recorded), rows by 学籍号. No names, ID numbers or other personal data; no scores (entrance
    scores are uploaded as a CSV instead). The caller checks the permission."""
    records = (StudentRecord.objects.filter(unit=school, year=year, grade=grade)
               .order_by("student_no").values_list("student_no", "sex", "disability"))
    rows = []
    for student_no, sex, disability in records:
        if sex not in _SEX_LABEL:
            raise ValidationError(_("学生 %(no)s 的性别未知，无法按性别均衡分班。")
                                  % {"no": mask_student_no(student_no)})
        rows.append([student_no, _SEX_LABEL[sex], "1" if disability else "0"])
    return csv_bytes(ROSTER_HEADER, rows)


def commit_roster_draw(
    *,
    actor: Actor,
    school: OrgUnit,
    year: int,
    grade: str,
    classes: int,
    title: str = "",
    min_size: int | None = None,
    max_size: int | None = None,
    seed: str | None = None,
    public_source: str = "",
) -> Draw:
    """A 均衡分班 draw of a school's grade from its 学籍 records (``roster_cohort``); then the same commit → draw →
    verify path as an uploaded file. Refused without the edit permission at the school or without any record."""
    _require_edit(actor, school.pk)
    if school.kind != UnitKind.SCHOOL:
        raise ValidationError(_("请选择一所学校。"))
    if grade not in GRADE_LABELS:
        raise ValidationError(_("未知的年级。"))
    data = roster_cohort(school, year, grade)
    if data.count(b"\n") <= 1:
        raise ValidationError(_("%(school)s %(year)d 学年%(grade)s没有学生学籍记录。")
                              % {"school": school.name, "year": year, "grade": GRADE_LABELS[grade]})
    title = title.strip() or f"{school.name}{year}学年{GRADE_LABELS[grade]}均衡分班"
    return commit_draw(
        actor=actor, org_unit=school, kind=DrawKind.CLASSES, title=title,
        input_name=f"学籍名单-{school.code}-{year}-{grade}.csv", input_bytes=data,
        parameters=classes_parameters(classes, min_size=min_size, max_size=max_size), seed=seed,
        public_source=public_source, source=DrawSource.ROSTER,
    )


def perform_draw(*, actor: Actor, draw: Draw, seed: str | None = None) -> Draw:
    """Reveals the seed, runs the engine on the stored input and stores output, hashes and the run record.

    The revealed seed (default: the sealed one) must hash to the commitment, else ValidationError and nothing
    changes. For a draw on a future public number, ``seed`` is that number and is required. The engine runs
    outside the transaction (it may take seconds); the write is one atomic compare-and-swap from committed to
    drawn, so a draw happens at most once."""
    _require_edit(actor, draw.org_unit_id)
    draw = Draw.objects.get(pk=draw.pk)
    if draw.status != DrawStatus.COMMITTED:
        raise ValidationError(_("该抽签已经完成，不能再次抽签。"))
    revealed = (seed or "").strip()
    if draw.seed_commitment:
        revealed = revealed or draw.sealed_seed
        if not check_seed(revealed, draw.seed_commitment):
            raise ValidationError(
                _("公布的种子与事先公布的承诺值不符（SHA-256 为 %(actual)s，承诺值为 %(commitment)s），未抽签。")
                % {"actual": commit_seed(revealed), "commitment": draw.seed_commitment}
            )
    elif not revealed:
        raise ValidationError(
            _("本次抽签以公开数字为种子，请填写已公布的数字：%(source)s") % {"source": draw.seed_source}
        )
    _check_seed_text(revealed)
    input_bytes = bytes(draw.input_bytes)
    kind: Any = draw.kind
    try:
        output = execute(kind, [input_bytes], draw.parameters, revealed)
    except AllocationInputError as exc:
        raise ValidationError(str(exc)) from exc
    record = make_record(kind, draw.parameters, revealed, draw.seed_commitment, [(draw.input_name, input_bytes)],
                         output, output_name=f"draw-{draw.public_id}.csv")
    before = _audit_view(draw)
    with transaction.atomic():
        changed = Draw.objects.filter(pk=draw.pk, status=DrawStatus.COMMITTED).update(
            status=DrawStatus.DRAWN, seed=revealed, output_bytes=output.data, output_sha256=output.sha256,
            algorithm_version=ALGORITHM_VERSION, record=record.to_dict(), drawn_at=timezone.now(),
        )
        if changed != 1:
            raise ValidationError(_("该抽签已经完成，不能再次抽签。"))
        draw.refresh_from_db()
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=draw, org_unit_id=draw.org_unit_id,
                     before=before, after=_audit_view(draw), message=_("公开抽签"))
    return draw


def verify_draw(draw: Draw) -> VerifyReport:
    """Re-runs a drawn draw from its stored input, parameters and seed and compares with the stored output.

    Also checks that the stored record agrees with the draw's own fields and that the seed matches the commitment,
    so a change to any stored part (input, output, seed, record) is reported. Reads only; anyone may call it."""
    if draw.status != DrawStatus.DRAWN or not draw.record:
        report = VerifyReport(recorded_output_sha256="", seed_commitment=draw.seed_commitment)
        report.problems.append(_("尚未抽签，无法验证。"))
        return report
    try:
        record = RunRecord.from_dict(dict(draw.record))
    except AllocationInputError as exc:
        report = VerifyReport(recorded_output_sha256=draw.output_sha256, seed_commitment=draw.seed_commitment)
        report.problems.append(str(exc))
        return report
    input_bytes = bytes(draw.input_bytes)
    output_bytes = bytes(draw.output_bytes)
    report = verify_run(record, [input_bytes], output_bytes)
    mismatches = [
        (_("种子"), draw.seed, record.seed),
        (_("种子承诺值"), draw.seed_commitment, record.seed_commitment),
        (_("结果文件 SHA-256"), draw.output_sha256, record.output_sha256),
        (_("输入文件 SHA-256"), draw.input_sha256, record.inputs[0].sha256 if record.inputs else ""),
        (_("参数"), draw.parameters, record.parameters),
    ]
    for label, stored, recorded in mismatches:
        if stored != recorded:
            report.problems.append(_("%(label)s与运行记录不一致。") % {"label": label})
    if sha256_hex(input_bytes) != draw.input_sha256:
        report.problems.append(_("保存的输入文件与公布的输入文件 SHA-256 不符。"))
    return report


def find_draw(public_id: str) -> Draw | None:
    """The draw with this public id, or None (used by ``edugov allocate verify PUBLIC_ID``)."""
    return Draw.objects.select_related("org_unit").filter(public_id=public_id).first()
