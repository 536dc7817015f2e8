"""All writes of the enrolment workflow. Each function is atomic, takes the acting user, checks that the user may act
(parents on their own applications, staff through ``scope_for`` on the round's district or the chosen school) and
writes the audit trail with the status before and after. An application's status moves only along
``choices.TRANSITIONS``, by compare-and-swap, and every move leaves an ApplicationEvent.

Lottery protocol (docs/enrolment.md): after the deadline and the review, ``commit_seed`` freezes the lottery input
(school codes, seats, tiers; references and verified tiers of the approved applications: no personal data) and
publishes SHA-256(seed) with the input hash; ``draw`` reveals the seed, refuses it unless it hashes to the
commitment, refuses to run if the approved applications changed since the commitment, and stores output, hashes
and run record; ``publish`` shows the results to parents and on the public page.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.allocation.engine.records import check_seed
from edugov.allocation.engine.records import commit_seed as seed_commitment_of
from edugov.allocation.engine.runs import read_csv
from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction, Permission
from edugov.core.files import store_by_hash
from edugov.core.scoping import descendant_ids, scope_for
from edugov.enrolment import lottery
from edugov.enrolment.choices import (
    EDITABLE_BY_PARENT,
    HOLDS_SEAT,
    PENDING_REVIEW,
    SECOND_ROUND_ELIGIBLE,
    TRANSITIONS,
    ApplicationStatus,
    EvidenceKind,
    RoundKind,
    RoundStatus,
    Tier,
)
from edugov.enrolment.models import (
    Application,
    ApplicationChoice,
    ApplicationEvent,
    EnrolmentRound,
    Evidence,
    ParentAccount,
    RoundSchool,
)
from edugov.lib.idcard import mask_id, mask_name, upgrade_15_to_18, validate_id
from edugov.lib.text import new_public_id
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit

MAX_CHOICES = 3
MAX_SEED_LENGTH = 200
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: accepted evidence files: suffix → the bytes such a file starts with
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_KIND_LETTER = {RoundKind.KINDERGARTEN: "K", RoundKind.PRIMARY: "P", RoundKind.JUNIOR: "J"}
#: the entry age of each grade: a child of a round in year Y is born from 1 Sept of Y-age-1 to 31 Aug of Y-age
_ENTRY_AGE = {RoundKind.KINDERGARTEN: 3, RoundKind.PRIMARY: 6, RoundKind.JUNIOR: 12}


class EnrolmentError(ValidationError):
    """Input or a step the workflow refuses; the message is for the user, in Chinese."""


@dataclass
class ApplicationData:
    """What a parent fills in: the child, the guardian, the address and the ranked choices with claimed tiers."""

    child_name: str
    id_number: str
    guardian_name: str
    guardian_phone: str
    address: str
    choices: Sequence[tuple[RoundSchool, str]] = field(default_factory=list)


def default_age_window(kind: str, year: int) -> tuple[dt.date, dt.date]:
    """Born between 1 September of year-age-1 and 31 August of year-age (e.g. primary 2026: 2019-09-01..2020-08-31)."""
    age = _ENTRY_AGE[RoundKind(kind)]
    return dt.date(year - age - 1, 9, 1), dt.date(year - age, 8, 31)


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise one's own number, not enough to call it."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "*" * len(phone)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------------------------------------
# Permissions


def can_manage_round(actor: Actor, rnd: EnrolmentRound) -> bool:
    """The district bureau runs the round: edit permission at its unit."""
    return scope_for(actor).can_at(Permission.EDIT, rnd.unit_id)


def _require_manage(actor: Actor, rnd: EnrolmentRound) -> None:
    if not can_manage_round(actor, rnd):
        raise PermissionDenied(_("您无权管理该招生轮次。"))


def can_review(actor: Actor, application: Application, school_ids: Sequence[int] | None = None) -> bool:
    """The district bureau, or a school the application chose (school review)."""
    scope = scope_for(actor)
    if scope.can_at(Permission.EDIT, application.round.unit_id):
        return True
    if school_ids is None:
        school_ids = [c.school.school_id for c in application.choices.all()]
    return any(scope.can_at(Permission.EDIT, unit_id) for unit_id in school_ids)


def _require_review(actor: Actor, application: Application) -> None:
    if not can_review(actor, application):
        raise PermissionDenied(_("您无权审核该报名。"))


def _require_owner(actor: Actor, application: Application) -> None:
    user = _user(actor)
    if user is None or application.parent_id != user.pk:
        raise PermissionDenied(_("只能操作本人提交的报名。"))


# --------------------------------------------------------------------------------------------------------------------
# Audit and transitions


def _round_view(rnd: EnrolmentRound) -> dict[str, Any]:
    # Never the sealed seed: administrators read the audit trail before the draw.
    return audit.snapshot(rnd, ("public_id", "name", "kind", "year", "status", "opens_at", "closes_at", "born_from",
                                "born_to", "seed_commitment", "seed", "input_sha256", "output_sha256"))


def _app_view(application: Application) -> dict[str, Any]:
    # Masked: inspectors read the audit trail without the right to see ID numbers.
    return {"reference": application.reference, "status": application.status,
            "child": mask_name(application.child_name), "id_number": mask_id(application.id_number)}


def _event(application: Application, actor: Actor, from_status: str, to_status: str, reason: str = "",
           notify: bool = True) -> ApplicationEvent:
    return ApplicationEvent.objects.create(application=application, actor=_user(actor), from_status=from_status,
                                           to_status=to_status, reason=reason, notify=notify)


def _transition(application: Application, to: str, *, actor: Actor, reason: str = "", message: str,
                notify: bool = True, **updates: Any) -> Application:
    """Moves the application from its current status to ``to`` if allowed and nobody moved it meanwhile."""
    current = application.status
    if to not in TRANSITIONS.get(current, frozenset()):
        raise EnrolmentError(
            _("报名当前状态为“%(current)s”，不能改为“%(to)s”。")
            % {"current": ApplicationStatus(current).label, "to": ApplicationStatus(to).label}
        )
    before = _app_view(application)
    changed = Application.objects.filter(pk=application.pk, status=current).update(
        status=to, updated_at=timezone.now(), **updates)
    if changed != 1:
        raise EnrolmentError(_("该报名刚被其他人处理过，请刷新页面后重试。"))
    application.refresh_from_db()
    _event(application, actor, current, to, reason, notify)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=application, org_unit_id=application.round.unit_id,
                 before=before, after=_app_view(application), message=message)
    return application


# --------------------------------------------------------------------------------------------------------------------
# Parent accounts


@transaction.atomic
def register_parent(*, username: str, password: str, phone: str) -> Any:
    """A parent account: a user with no role, who sees only their own applications."""
    User = get_user_model()
    username = username.strip()
    if not username:
        raise EnrolmentError(_("请填写用户名。"))
    if User.objects.filter(username__iexact=username).exists():
        raise EnrolmentError(_("该用户名已被注册。"))
    phone = _clean_phone(phone)
    validate_password(password, User(username=username))
    user = User.objects.create_user(username=username, password=password)
    ParentAccount.objects.create(user=user, phone=phone)
    audit.record(actor=user, action=AuditAction.CREATE, obj=user, after={"username": username,
                                                                         "phone": mask_phone(phone)},
                 message=_("家长注册账号"))
    return user


def _clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not _PHONE.fullmatch(phone):
        raise EnrolmentError(_("手机号应为11位数字，以1开头。"))
    return phone


# --------------------------------------------------------------------------------------------------------------------
# Rounds


def _check_seed_text(seed: str) -> None:
    if not seed or "|" in seed or len(seed) > MAX_SEED_LENGTH:
        raise EnrolmentError(_("种子不能为空、不能包含“|”，且不超过 %(n)d 个字符。") % {"n": MAX_SEED_LENGTH})


@transaction.atomic
def create_round(*, actor: Actor, unit: OrgUnit, kind: str, year: int, name: str, opens_at: dt.datetime,
                 closes_at: dt.datetime, age_window: tuple[dt.date | None, dt.date | None] | None = None,
                 first_round: EnrolmentRound | None = None) -> EnrolmentRound:
    """A new round in draft. The age window defaults to the grade's usual one (``default_age_window``)."""
    if not scope_for(actor).can_at(Permission.EDIT, unit.pk):
        raise PermissionDenied(_("您无权在该机构组织招生。"))
    if unit.kind == UnitKind.SCHOOL:
        raise EnrolmentError(_("招生轮次由区县教育局组织，请选择区县。"))
    if kind not in RoundKind.values:
        raise EnrolmentError(_("未知的学段。"))
    if closes_at <= opens_at:
        raise EnrolmentError(_("报名截止时间必须晚于开始时间。"))
    if not name.strip():
        raise EnrolmentError(_("请填写名称。"))
    born_from, born_to = age_window if age_window is not None else default_age_window(kind, year)
    if born_from and born_to and born_from > born_to:
        raise EnrolmentError(_("出生日期范围的起点晚于终点。"))
    rnd = EnrolmentRound.objects.create(
        public_id=new_public_id(12), unit=unit, kind=kind, year=year, name=name.strip(), opens_at=opens_at,
        closes_at=closes_at, born_from=born_from, born_to=born_to, first_round=first_round,
        created_by=_user(actor),
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rnd, org_unit_id=unit.pk, after=_round_view(rnd),
                 message=_("新建招生轮次"))
    return rnd


def _clean_tiers(tiers: Sequence[str]) -> list[str]:
    cleaned = [t.strip() for t in tiers if t and t.strip()]
    unknown = [t for t in cleaned if t not in Tier.values]
    if unknown:
        raise EnrolmentError(_("未知的录取顺位：%(tiers)s") % {"tiers": "、".join(unknown)})
    if not cleaned or len(set(cleaned)) != len(cleaned):
        raise EnrolmentError(_("录取顺位不能为空，也不能重复。"))
    return cleaned


@transaction.atomic
def add_school(*, actor: Actor, rnd: EnrolmentRound, school: OrgUnit, capacity: int,
               tiers: Sequence[str] = tuple(Tier.values)) -> RoundSchool:
    """Adds (or updates) a school of the round's district with its seats and tiers, before the round opens."""
    _require_manage(actor, rnd)
    if rnd.status != RoundStatus.DRAFT:
        raise EnrolmentError(_("报名开始后不能再修改招生学校。"))
    if school.kind != UnitKind.SCHOOL or school.pk not in descendant_ids([rnd.unit_id]):
        raise EnrolmentError(_("“%(school)s”不是本区县的学校。") % {"school": school.name})
    if capacity < 0:
        raise EnrolmentError(_("招生计划数不能为负。"))
    rs, created = RoundSchool.objects.update_or_create(
        round=rnd, school=school, defaults={"capacity": capacity, "tiers": _clean_tiers(tiers)})
    audit.record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=rs,
                 org_unit_id=rnd.unit_id, after={"round": rnd.public_id, "school": school.code,
                                                 "capacity": capacity, "tiers": rs.tiers},
                 message=_("设置招生学校"))
    return rs


def _set_round_status(actor: Actor, rnd: EnrolmentRound, old: str, new: str, message: str,
                      **updates: Any) -> EnrolmentRound:
    before = _round_view(rnd)
    changed = EnrolmentRound.objects.filter(pk=rnd.pk, status=old).update(status=new, **updates)
    if changed != 1:
        raise EnrolmentError(_("该招生轮次的状态已经变化，请刷新页面后重试。"))
    rnd.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rnd, org_unit_id=rnd.unit_id, before=before,
                 after=_round_view(rnd), message=message)
    return rnd


@transaction.atomic
def open_round(*, actor: Actor, rnd: EnrolmentRound) -> EnrolmentRound:
    """Draft → open: parents may apply between opens_at and closes_at."""
    _require_manage(actor, rnd)
    if not rnd.schools.exists():
        raise EnrolmentError(_("请先添加招生学校。"))
    return _set_round_status(actor, rnd, RoundStatus.DRAFT, RoundStatus.OPEN, _("开始报名"))


@transaction.atomic
def close_round(*, actor: Actor, rnd: EnrolmentRound, now: dt.datetime | None = None) -> EnrolmentRound:
    """Open → closed, once the deadline has passed and every registration received in time has been filed."""
    _require_manage(actor, rnd)
    if (now or timezone.now()) < rnd.closes_at:
        raise EnrolmentError(_("报名尚未截止，不能结束报名。"))
    if rnd.intakes.filter(processed_at__isnull=True).exists():
        raise EnrolmentError(_("还有已受理但尚未核验的报名，请稍候片刻再结束报名。"))
    return _set_round_status(actor, rnd, RoundStatus.OPEN, RoundStatus.CLOSED, _("结束报名"))


def _lottery_input(rnd: EnrolmentRound) -> tuple[bytes, bytes]:
    """The two lottery input files, built from the round's schools and its approved applications."""
    schools = [lottery.SchoolSeats(rs.school.code, rs.capacity, tuple(rs.tiers))
               for rs in rnd.schools.select_related("school")]
    applications = (rnd.applications.filter(status=ApplicationStatus.APPROVED)
                    .prefetch_related("choices__school__school").order_by("reference"))
    applicants = [lottery.Applicant(a.reference, tuple((c.school.school.code, c.verified_tier or c.claimed_tier)
                                                       for c in a.choices.all()))
                  for a in applications]
    return lottery.schools_csv(schools), lottery.applicants_csv(applicants)


@transaction.atomic
def commit_seed(*, actor: Actor, rnd: EnrolmentRound, seed: str | None = None) -> EnrolmentRound:
    """Freezes the lottery input and publishes SHA-256(seed); the seed (a fresh 128-bit one unless given) is sealed.

    Refused while applications still wait for review: the input must be final before anyone can know the seed."""
    _require_manage(actor, rnd)
    rnd = EnrolmentRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status != RoundStatus.CLOSED:
        raise EnrolmentError(_("只能在报名截止后、摇号前公布种子承诺值。"))
    if rnd.seed_commitment:
        raise EnrolmentError(_("本轮已公布种子承诺值。"))
    pending = rnd.applications.filter(status__in=PENDING_REVIEW).count()
    if pending:
        raise EnrolmentError(_("还有 %(n)d 份报名未审核，审核完毕后才能公布种子承诺值。") % {"n": pending})
    sealed = (seed or "").strip() or secrets.token_hex(16)
    _check_seed_text(sealed)
    schools_data, applicants_data = _lottery_input(rnd)
    before = _round_view(rnd)
    rnd.sealed_seed = sealed
    rnd.seed_commitment = seed_commitment_of(sealed)
    rnd.input_schools = schools_data
    rnd.input_applicants = applicants_data
    rnd.input_sha256 = lottery.input_sha256(schools_data, applicants_data)
    rnd.committed_at = timezone.now()
    rnd.save(update_fields=["sealed_seed", "seed_commitment", "input_schools", "input_applicants", "input_sha256",
                            "committed_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rnd, org_unit_id=rnd.unit_id, before=before,
                 after=_round_view(rnd), message=_("公布摇号种子承诺值"))
    return rnd


def draw(*, actor: Actor, rnd: EnrolmentRound, seed: str | None = None) -> EnrolmentRound:
    """Reveals the seed, runs the lottery on the frozen input and stores where every approved child was placed.

    The revealed seed (default: the sealed one) must hash to the commitment, and the approved applications must
    still give the committed input; otherwise nothing changes. Closed → drawn happens once."""
    _require_manage(actor, rnd)
    rnd = EnrolmentRound.objects.get(pk=rnd.pk)
    if rnd.status != RoundStatus.CLOSED or not rnd.seed_commitment:
        raise EnrolmentError(_("请先在报名截止后公布种子承诺值，再摇号。"))
    revealed = (seed or "").strip() or rnd.sealed_seed
    _check_seed_text(revealed)
    if not check_seed(revealed, rnd.seed_commitment):
        raise EnrolmentError(
            _("公布的种子与事先公布的承诺值不符（SHA-256 为 %(actual)s，承诺值为 %(commitment)s），未摇号。")
            % {"actual": seed_commitment_of(revealed), "commitment": rnd.seed_commitment})
    schools_data, applicants_data = bytes(rnd.input_schools), bytes(rnd.input_applicants)
    if lottery.input_sha256(*_lottery_input(rnd)) != rnd.input_sha256:
        raise EnrolmentError(_("公布承诺值之后报名数据发生了变化，与冻结的摇号输入不符，未摇号。"))
    try:
        result = lottery.run(schools_data, applicants_data, revealed)
    except ValueError as exc:
        raise EnrolmentError(str(exc)) from exc
    record = lottery.make_record(seed=revealed, commitment=rnd.seed_commitment, schools_data=schools_data,
                                 applicants_data=applicants_data, output_sha256=result.output_sha256)
    with transaction.atomic():
        rnd = _set_round_status(actor, rnd, RoundStatus.CLOSED, RoundStatus.DRAWN, _("摇号"), seed=revealed,
                                output_bytes=result.output, output_sha256=result.output_sha256,
                                algorithm_version=lottery.ALGORITHM_VERSION, record=record, drawn_at=timezone.now())
        _apply_result(actor, rnd, result.result)
    return rnd


def _apply_result(actor: Actor, rnd: EnrolmentRound, result: lottery.MatchResult) -> None:
    by_code = {rs.school.code: rs for rs in rnd.schools.select_related("school")}
    ranks = result.waitlist_ranks()
    applications = (rnd.applications.filter(reference__in=list(result.admitted))
                    .select_related("round").prefetch_related("choices__school__school"))
    for application in applications:
        ref = application.reference
        school_code = result.admitted[ref]
        waits = ranks.get(ref, {})
        for choice in application.choices.all():
            rank = waits.get(choice.school.school.code)
            if rank is not None:
                ApplicationChoice.objects.filter(pk=choice.pk).update(waitlist_rank=rank)
        if school_code is not None:
            school = by_code[school_code]
            to, reason = ApplicationStatus.ADMITTED, _("录取学校：%(school)s") % {"school": school.school.name}
        elif waits:
            school = None
            to, reason = ApplicationStatus.WAITLISTED, _("候补")
        else:
            school = None
            to, reason = ApplicationStatus.UNPLACED, _("所填志愿均未录取，且不符合候补条件")
        # Hidden from the parent until the results are published.
        _transition(application, to, actor=actor, reason=reason, notify=False, message=_("摇号结果"),
                    lottery_number=result.lottery[ref], admitted_school=school)


@transaction.atomic
def publish(*, actor: Actor, rnd: EnrolmentRound) -> EnrolmentRound:
    """Drawn → published: parents see their result (and may accept or decline), the public page shows the list."""
    _require_manage(actor, rnd)
    rnd = _set_round_status(actor, rnd, RoundStatus.DRAWN, RoundStatus.PUBLISHED, _("公布录取结果"),
                            published_at=timezone.now())
    for application in rnd.applications.filter(status__in=(ApplicationStatus.ADMITTED, ApplicationStatus.WAITLISTED,
                                                           ApplicationStatus.UNPLACED)):
        _event(application, actor, application.status, application.status, _("录取结果已公布，请查看。"))
    return rnd


# --------------------------------------------------------------------------------------------------------------------
# Applications


def check_window(rnd: EnrolmentRound, now: dt.datetime) -> None:
    """Refuses a registration outside the round's window, saying when it closed (or that it has not opened)."""
    if rnd.status == RoundStatus.DRAFT or now < rnd.opens_at:
        raise EnrolmentError(_("报名尚未开始。"))
    if rnd.status != RoundStatus.OPEN or now >= rnd.closes_at:
        raise EnrolmentError(_("报名已截止（截止时间：%(at)s），不能再提交报名。")
                             % {"at": timezone.localtime(rnd.closes_at).strftime("%Y-%m-%d %H:%M")})


def _clean_id(raw: str) -> tuple[str, dt.date, str]:
    number = (raw or "").strip()
    check = validate_id(number)
    if not check.ok and check.error_code == "length_15":
        try:
            check = validate_id(upgrade_15_to_18(check.normalized))
        except ValueError as exc:
            raise EnrolmentError(str(exc)) from exc
    if not check.ok or check.birth_date is None or check.sex is None:
        raise EnrolmentError(check.message_zh or _("身份证号无效。"))
    return check.normalized, check.birth_date, check.sex


@dataclass
class _Clean:
    child_name: str
    id_number: str
    birth_date: dt.date
    sex: str
    guardian_name: str
    guardian_phone: str
    address: str
    choices: list[tuple[RoundSchool, str]]


def _validate(rnd: EnrolmentRound, data: ApplicationData) -> _Clean:
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    child_name = data.child_name.strip()
    if not child_name:
        fail("child_name", _("请填写儿童姓名。"))
    id_number, birth, sex = "", dt.date.min, ""
    try:
        id_number, birth, sex = _clean_id(data.id_number)
    except EnrolmentError as exc:
        fail("id_number", exc.messages[0])
    else:
        if (rnd.born_from and birth < rnd.born_from) or (rnd.born_to and birth > rnd.born_to):
            fail("id_number", _("身份证号显示出生日期为 %(birth)s，不在本轮招生的年龄范围（%(lo)s 至 %(hi)s）内。")
                 % {"birth": birth.isoformat(), "lo": rnd.born_from or "—", "hi": rnd.born_to or "—"})
    guardian_name = data.guardian_name.strip()
    if not guardian_name:
        fail("guardian_name", _("请填写监护人姓名。"))
    phone = ""
    try:
        phone = _clean_phone(data.guardian_phone)
    except EnrolmentError as exc:
        fail("guardian_phone", exc.messages[0])
    address = data.address.strip()
    if not address:
        fail("address", _("请填写现居住地址。"))
    choices = list(data.choices)
    if not choices or len(choices) > MAX_CHOICES:
        fail("choices", _("请填报 1 至 %(n)d 个志愿。") % {"n": MAX_CHOICES})
    if len({rs.pk for rs, _tier in choices}) != len(choices):
        fail("choices", _("志愿中不能重复填报同一所学校。"))
    for rs, tier in choices:
        if rs.round_id != rnd.pk:
            fail("choices", _("“%(school)s”不在本轮招生的学校中。") % {"school": rs.school.name})
        elif tier not in rs.tiers:
            fail("choices", _("“%(school)s”本轮不招收“%(tier)s”类别的儿童。")
                 % {"school": rs.school.name, "tier": Tier(tier).label if tier in Tier.values else tier})
    if errors:
        raise EnrolmentError(errors)
    return _Clean(child_name, id_number, birth, sex, guardian_name, phone, address, choices)


def _check_not_registered(rnd: EnrolmentRound, id_number: str, exclude: int | None = None) -> None:
    live = rnd.applications.filter(id_number=id_number).exclude(status=ApplicationStatus.REJECTED)
    if exclude is not None:
        live = live.exclude(pk=exclude)
    if live.exists():
        raise EnrolmentError({"id_number": [
            _("该儿童（身份证号 %(id)s）已在本轮报名，不能重复报名。如需修改，请在“我的报名”中操作。")
            % {"id": mask_id(id_number)}]})


def _check_second_round(actor: Actor, rnd: EnrolmentRound, id_number: str) -> None:
    if rnd.first_round_id is None:
        return
    eligible = Application.objects.filter(round_id=rnd.first_round_id, id_number=id_number,
                                          parent=_user(actor), status__in=SECOND_ROUND_ELIGIBLE).exists()
    if not eligible:
        raise EnrolmentError({"id_number": [
            _("第二轮只接受第一轮由本账号报名、未被录取（候补或未录取）的儿童。")]})


# Crockford's base-32 alphabet: no I, L, O, U, so a reference read aloud over the phone is not misheard.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_LENGTH = 8  # 40 bits: a collision is negligible at any round's size, and one is retried anyway


def _new_reference(rnd: EnrolmentRound) -> str:
    """A random public reference (P2026-7K3QX9MD). Random, not numbered by arrival: numbering needs a lock that
    makes every registration of a round wait for the previous one, and the lottery never depends on arrival."""
    prefix = f"{_KIND_LETTER[RoundKind(rnd.kind)]}{rnd.year}{'B' if rnd.first_round_id else ''}"
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))
    return f"{prefix}-{body}"


def _write_choices(application: Application, choices: Sequence[tuple[RoundSchool, str]]) -> None:
    application.choices.all().delete()
    ApplicationChoice.objects.bulk_create(
        ApplicationChoice(application=application, rank=n, school=rs, claimed_tier=tier)
        for n, (rs, tier) in enumerate(choices, start=1))


def submit_application(*, actor: Actor, rnd: EnrolmentRound, data: ApplicationData, idempotency_key: str,
                       now: dt.datetime | None = None) -> Application:
    """Files a parent's application. A retry with the same ``idempotency_key`` returns the application the first
    attempt created; a child already registered in the round, a late submission or a bad ID number is refused."""
    user = _user(actor)
    if user is None:
        raise PermissionDenied(_("请先登录。"))
    key = (idempotency_key or "").strip()[:64]
    if not key:
        raise EnrolmentError(_("提交缺少防重复编号，请刷新页面后重试。"))
    existing = _by_key(rnd, key, user)
    if existing is not None:
        return existing
    check_window(rnd, now or timezone.now())
    clean = _validate(rnd, data)
    _check_not_registered(rnd, clean.id_number)
    _check_second_round(actor, rnd, clean.id_number)
    for attempt in range(3):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    round=rnd, parent=user, reference=_new_reference(rnd), idempotency_key=key,
                    child_name=clean.child_name, id_number=clean.id_number, birth_date=clean.birth_date,
                    sex=clean.sex, guardian_name=clean.guardian_name, guardian_phone=clean.guardian_phone,
                    address=clean.address,
                )
                _write_choices(application, clean.choices)
                _event(application, actor, "", ApplicationStatus.SUBMITTED, _("报名已提交，等待审核。"))
                audit.record(actor=actor, action=AuditAction.CREATE, obj=application, org_unit_id=rnd.unit_id,
                             after=_app_view(application), message=_("提交入学报名"))
            return application
        except IntegrityError:
            # A concurrent retry with the same key, or the same child registered at the same moment; else the rare
            # reference collision, which a new reference resolves.
            existing = _by_key(rnd, key, user)
            if existing is not None:
                return existing
            _check_not_registered(rnd, clean.id_number)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _by_key(rnd: EnrolmentRound, key: str, user: Any) -> Application | None:
    existing = Application.objects.filter(round=rnd, idempotency_key=key).first()
    if existing is not None and existing.parent_id != user.pk:
        raise EnrolmentError(_("提交编号冲突，请刷新页面后重新填写。"))
    return existing


def _require_parent_can_change(rnd: EnrolmentRound) -> None:
    if rnd.seed_commitment or rnd.status not in (RoundStatus.OPEN, RoundStatus.CLOSED):
        raise EnrolmentError(_("本轮已进入摇号阶段，报名不能再修改。"))


@transaction.atomic
def resubmit(*, actor: Actor, application: Application, data: ApplicationData | None = None) -> Application:
    """Returned → resubmitted, with corrected data when given. Allowed until the seed commitment, also after the
    deadline: the parent corrects an application filed in time."""
    _require_owner(actor, application)
    rnd = application.round
    _require_parent_can_change(rnd)
    if application.status != ApplicationStatus.RETURNED:
        raise EnrolmentError(_("只有被退回的报名才能重新提交。"))
    if data is not None:
        clean = _validate(rnd, data)
        _check_not_registered(rnd, clean.id_number, exclude=application.pk)
        Application.objects.filter(pk=application.pk).update(
            child_name=clean.child_name, id_number=clean.id_number, birth_date=clean.birth_date, sex=clean.sex,
            guardian_name=clean.guardian_name, guardian_phone=clean.guardian_phone, address=clean.address)
        application.refresh_from_db()
        _write_choices(application, clean.choices)
    return _transition(application, ApplicationStatus.RESUBMITTED, actor=actor, reason=_("已补正并重新提交。"),
                       message=_("重新提交入学报名"), return_reason="")


def _store(data: bytes, suffix: str) -> tuple[str, str]:
    return store_by_hash("enrolment", data, suffix)


def check_evidence_file(name: str, data: bytes) -> str:
    """The file's suffix if it is a PDF, JPEG or PNG of at most 10 MB whose content matches its type."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise EnrolmentError(_("证明材料只能是 PDF、JPG 或 PNG 文件。"))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EnrolmentError(_("文件过大（上限 10 MB）。"))
    if not data.startswith(EVIDENCE_TYPES[suffix]):
        raise EnrolmentError(_("文件内容与扩展名 %(suffix)s 不符，请上传原始文件。") % {"suffix": suffix})
    return ".jpg" if suffix == ".jpeg" else suffix


def add_evidence(*, actor: Actor, application: Application, kind: str, name: str, data: bytes) -> Evidence:
    """Stores a document by content hash (before the row that points at it) and attaches it to the application."""
    _require_owner(actor, application)
    _require_parent_can_change(application.round)
    if application.status not in EDITABLE_BY_PARENT:
        raise EnrolmentError(_("报名审核完成后不能再上传材料。"))
    if kind not in EvidenceKind.values:
        raise EnrolmentError(_("未知的材料类型。"))
    suffix = check_evidence_file(name, data)
    path, digest = _store(data, suffix)
    with transaction.atomic():
        evidence = Evidence.objects.create(application=application, kind=kind, file_name=Path(name).name[:255],
                                           sha256=digest, size=len(data), stored_path=path, uploaded_by=_user(actor))
        audit.record(actor=actor, action=AuditAction.CREATE, obj=evidence, org_unit_id=application.round.unit_id,
                     after={"application": application.reference, "kind": kind, "sha256": digest, "size": len(data)},
                     message=_("上传证明材料"))
    return evidence


def _require_reviewable(actor: Actor, application: Application) -> None:
    _require_review(actor, application)
    rnd = application.round
    if rnd.seed_commitment or rnd.status not in (RoundStatus.OPEN, RoundStatus.CLOSED):
        raise EnrolmentError(_("本轮已公布种子承诺值，审核已结束。"))


@transaction.atomic
def approve(*, actor: Actor, application: Application,
            verified_tiers: Mapping[int, str] | None = None) -> Application:
    """Approves the application. ``verified_tiers`` (choice id → tier) confirms or downgrades the claimed tier per
    choice; a choice not named keeps its claimed tier. An upgrade over the claim is refused."""
    _require_reviewable(actor, application)
    verified_tiers = dict(verified_tiers or {})
    choices = list(application.choices.select_related("school__school"))
    unknown = set(verified_tiers) - {c.pk for c in choices}
    if unknown:
        raise EnrolmentError(_("核定顺位对应的志愿不属于该报名。"))
    scope = scope_for(actor)
    for choice in choices:
        tier = verified_tiers.get(choice.pk, choice.verified_tier or choice.claimed_tier)
        if tier not in Tier.values:
            raise EnrolmentError(_("未知的录取顺位：%(tier)s") % {"tier": tier})
        if tier != choice.claimed_tier and not (scope.can_at(Permission.EDIT, application.round.unit_id)
                                                or scope.can_at(Permission.EDIT, choice.school.school_id)):
            raise PermissionDenied(_("只能核定本校志愿的顺位。"))
        tiers = choice.school.tiers
        claimed_pos = tiers.index(choice.claimed_tier) if choice.claimed_tier in tiers else len(tiers)
        if tier in tiers and tiers.index(tier) < claimed_pos:
            raise EnrolmentError(_("核定顺位不能高于家长申报的顺位（%(school)s）。")
                                 % {"school": choice.school.school.name})
        if tier != choice.verified_tier:
            ApplicationChoice.objects.filter(pk=choice.pk).update(verified_tier=tier)
    final = {c.pk: verified_tiers.get(c.pk, c.verified_tier or c.claimed_tier) for c in choices}
    tiers_text = "；".join(f"{c.rank}. {c.school.school.name}：{Tier(final[c.pk]).label}" for c in choices)
    return _transition(application, ApplicationStatus.APPROVED, actor=actor,
                       reason=_("审核通过。核定顺位：") + tiers_text, message=_("审核通过入学报名"))


@transaction.atomic
def return_application(*, actor: Actor, application: Application, reason: str) -> Application:
    """Returns the application to the parent for correction; the reason is required and shown to the parent."""
    _require_reviewable(actor, application)
    reason = reason.strip()
    if not reason:
        raise EnrolmentError(_("退回时必须填写原因。"))
    return _transition(application, ApplicationStatus.RETURNED, actor=actor, reason=reason,
                       message=_("退回入学报名"), return_reason=reason[:500])


@transaction.atomic
def reject(*, actor: Actor, application: Application, reason: str) -> Application:
    """Rejects the application (e.g. not eligible for this district); the reason is required."""
    _require_reviewable(actor, application)
    reason = reason.strip()
    if not reason:
        raise EnrolmentError(_("审核不通过时必须填写原因。"))
    return _transition(application, ApplicationStatus.REJECTED, actor=actor, reason=reason,
                       message=_("审核不通过入学报名"), return_reason=reason[:500])


@transaction.atomic
def respond(*, actor: Actor, application: Application, accept: bool) -> Application:
    """The parent confirms (确认入学) or gives up (放弃) an admission. A declined seat is a vacancy for the second
    round."""
    _require_owner(actor, application)
    if application.round.status != RoundStatus.PUBLISHED:
        raise EnrolmentError(_("录取结果尚未公布。"))
    to = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.DECLINED
    reason = _("家长确认入学。") if accept else _("家长放弃录取，学位将用于第二轮招生。")
    return _transition(application, to, actor=actor, reason=reason,
                       message=_("确认入学") if accept else _("放弃录取"))


# --------------------------------------------------------------------------------------------------------------------
# Second round


def vacancies(rnd: EnrolmentRound) -> dict[int, int]:
    """RoundSchool id → seats not held: capacity minus children admitted or accepted (declines free their seat)."""
    held = dict(rnd.applications.filter(status__in=HOLDS_SEAT, admitted_school__isnull=False)
                .values_list("admitted_school").annotate(n=Count("id")))
    return {rs.pk: max(rs.capacity - held.get(rs.pk, 0), 0) for rs in rnd.schools.all()}


@transaction.atomic
def open_second_round(*, actor: Actor, first: EnrolmentRound, name: str, opens_at: dt.datetime,
                      closes_at: dt.datetime) -> EnrolmentRound:
    """Opens a second round of a published round: same district, grade, age window and tiers; each school's seats
    are its vacancies now. Waitlisted and unplaced children of the first round may re-apply (by the same account);
    they are told so in their message feed. Admissions not yet confirmed keep their seat."""
    _require_manage(actor, first)
    if first.status != RoundStatus.PUBLISHED or first.first_round_id is not None:
        raise EnrolmentError(_("只能在第一轮结果公布后开启第二轮。"))
    if first.second_rounds.exists():
        raise EnrolmentError(_("本轮已开启第二轮。"))
    free = vacancies(first)
    if not any(free.values()):
        raise EnrolmentError(_("没有空余学位，无需第二轮招生。"))
    second = create_round(actor=actor, unit=first.unit, kind=first.kind, year=first.year, name=name,
                          opens_at=opens_at, closes_at=closes_at, age_window=(first.born_from, first.born_to),
                          first_round=first)
    for rs in first.schools.select_related("school"):
        if free[rs.pk]:
            add_school(actor=actor, rnd=second, school=rs.school, capacity=free[rs.pk], tiers=rs.tiers)
    second = open_round(actor=actor, rnd=second)
    for application in first.applications.filter(status__in=SECOND_ROUND_ELIGIBLE):
        _event(application, actor, application.status, application.status,
               _("第二轮招生“%(name)s”已开放，可在报名截止前重新报名。") % {"name": second.name})
    return second


# --------------------------------------------------------------------------------------------------------------------
# Verification


def find_round(public_id: str) -> EnrolmentRound | None:
    """The round with this public id, or None (used by ``edugov allocate verify PUBLIC_ID``)."""
    return EnrolmentRound.objects.select_related("unit").filter(public_id=public_id).first()


def verify_round(rnd: EnrolmentRound) -> lottery.Verification:
    """Re-runs the lottery from the stored input and seed, and checks that the placements stored on the
    applications are the ones the output says. Reads only; anyone may call it."""
    if not rnd.record:
        report = lottery.Verification(recorded_output_sha256="")
        report.problems.append(_("尚未摇号，无法验证。"))
        return report
    report = lottery.verify(rnd.record, bytes(rnd.input_schools), bytes(rnd.input_applicants),
                            bytes(rnd.output_bytes))
    if rnd.seed != rnd.record.get("seed") or rnd.seed_commitment != rnd.record.get("seed_commitment"):
        report.problems.append(_("保存的种子或承诺值与运行记录不一致。"))
    if rnd.input_sha256 != lottery.input_sha256(bytes(rnd.input_schools), bytes(rnd.input_applicants)):
        report.problems.append(_("保存的摇号输入与公布的输入 SHA-256 不符。"))
    if report.ok:
        stored = {ref: code or None for ref, code in (
            rnd.applications.filter(lottery_number__gt="").values_list("reference", "admitted_school__school__code"))}
        rows, _header = read_csv(bytes(rnd.output_bytes))
        published = {r["reference"]: r["school_id"] or None for r in rows}
        if stored != published:
            differing = sorted(ref for ref in set(stored) | set(published) if stored.get(ref) != published.get(ref))
            report.problems.append(_("报名记录中的录取学校与摇号结果不一致：%(refs)s")
                                   % {"refs": "、".join(differing[:5])})
    return report
