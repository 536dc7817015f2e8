"""Demo placement: a drawn 均衡分班, a kindergarten lottery and a primary-school district matching in the demo city.

What a school and a district bureau would do by hand is done here through the same services, deterministically:

* **分班**: the first primary school (by code) with 一年级 学籍 records in the demo year gets a roster draw
  (``allocation.services.commit_roster_draw``) with K = its number of classes of that grade, drawn at once.
* **幼儿园小班**: the first county (by code) with a kindergarten runs the next year's round with up to 3
  kindergartens and 60 synthetic children (fewer seats than children, so the lottery matters); every application
  is reviewed (two rejected, a few tiers downgraded), the seed committed, the lottery drawn and published.
* **小学一年级**: the first county with primary schools runs a round with up to 5 of them and 150 children ranking
  1–3 schools; drawn and published; a few parents accept or decline, and a second round opens for the freed seats.

Children are clearly fictional (示范儿童001 …) with valid ID numbers built by ``idcard.check_digit`` from a fixed
stream; parents are accounts without a usable password. Staff steps are taken by ``demo_system``, a city
administrator that cannot log in. Each item is created only when absent, so re-running the demo adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from edugov.allocation import services as allocation
from edugov.allocation.choices import DrawSource
from edugov.allocation.engine.rng import HashRng
from edugov.allocation.models import Draw
from edugov.core.choices import Role
from edugov.core.models import RoleAssignment
from edugov.core.scoping import descendant_ids, forget_scope
from edugov.enrolment import services as enrolment
from edugov.enrolment.choices import ApplicationStatus, RoundKind, Tier
from edugov.enrolment.models import Application, EnrolmentRound, ParentAccount, RoundSchool
from edugov.lib.idcard import check_digit, validate_id
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import children
from edugov.stats.models import ClassSection, StudentRecord

SYSTEM_USERNAME = "demo_system"
KINDERGARTEN_CHILDREN = 60
PRIMARY_CHILDREN = 150
#: seats per kindergarten and per primary school (fewer than the children, so the lottery decides)
KINDERGARTEN_SEATS = (16, 14, 12)
PRIMARY_SEATS = (30, 28, 26, 24, 22)
#: claimed tier of a child's first choice, by cumulative share out of 100
_TIER_SHARES = ((45, Tier.LOCAL_PROPERTY), (55, Tier.SIBLING), (75, Tier.LOCAL_RESIDENCE), (90, Tier.MIGRANT_PERMIT),
                (100, Tier.OTHER))


def _seed(*parts: object) -> str:
    """A fixed 32-hex-digit seed per item (the demo must be the same everywhere; real draws use a secret one)."""
    return hashlib.sha256("/".join(["edugov-demo", *map(str, parts)]).encode()).hexdigest()[:32]


def _at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=timezone.get_current_timezone())


def _system_user(city: OrgUnit) -> Any:
    """The demo's staff actor: a city administrator without a usable password (nobody logs in as it)."""
    user, created = get_user_model().objects.get_or_create(username=SYSTEM_USERNAME)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.CITY_ADMIN, org_unit=city)
    forget_scope(user)
    return user


def _schools(parent: OrgUnit, school_type: str) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(kind=UnitKind.SCHOOL, pk__in=descendant_ids([parent.pk]), closed_on__isnull=True,
                                       versions__valid_to__isnull=True, versions__school_type_code=school_type)
                .distinct().order_by("code"))


def _counties(city: OrgUnit) -> list[OrgUnit]:
    return sorted((unit for unit in children(city) if unit.kind == UnitKind.COUNTY and unit.closed_on is None),
                  key=lambda unit: unit.code)


# --------------------------------------------------------------------------------------------------------------------
# 分班


def _class_draw(actor: Any, city: OrgUnit, year: int) -> str:
    primaries = _schools(city, "211")
    with_pupils = set(StudentRecord.objects.filter(unit__in=primaries, year=year, grade="1")
                      .values_list("unit_id", flat=True).distinct())
    school = next((s for s in primaries if s.pk in with_pupils), None)
    if school is None:
        return "均衡分班：示范数据中没有一年级学籍记录的小学，跳过"
    existing = Draw.objects.filter(org_unit=school, source=DrawSource.ROSTER, kind="classes").first()
    if existing is not None:
        return f"均衡分班：{existing.title} 已存在（/draws/{existing.public_id}/）"
    pupils = StudentRecord.objects.filter(unit=school, year=year, grade="1").count()
    sections = ClassSection.objects.filter(unit=school, year=year, grade="1").count()
    k = max(1, min(sections or -(-pupils // 45), pupils))
    draw = allocation.commit_roster_draw(actor=actor, school=school, year=year, grade="1", classes=k,
                                         seed=_seed("classes", school.code, year))
    draw = allocation.perform_draw(actor=actor, draw=draw)
    return f"均衡分班：{draw.title}，{pupils} 名学生分 {k} 个班，已抽签（/draws/{draw.public_id}/）"


# --------------------------------------------------------------------------------------------------------------------
# Children and parents


def _region(county: OrgUnit) -> str:
    """The county's division code when it makes valid ID numbers, else 370202."""
    code = county.code[:6]
    if len(code) == 6 and code.isdigit() and validate_id(_id_number(code, dt.date(2020, 1, 1), 1)).ok:
        return code
    return "370202"


def _id_number(region: str, birth: dt.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def _parents(prefix: str, n: int) -> list[Any]:
    """``n`` parent accounts (no usable password), created in bulk; the same ones on a re-run."""
    User = get_user_model()
    names = [f"{prefix}{i:03d}" for i in range(1, n + 1)]
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create([User(username=name, password=unusable) for name in names if name not in have])
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    with_account = set(ParentAccount.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    ParentAccount.objects.bulk_create(
        [ParentAccount(user=users[name], phone=f"1390000{i:04d}") for i, name in enumerate(names, start=1)
         if users[name].pk not in with_account])
    return [users[name] for name in names]


def _tier(rng: HashRng) -> str:
    roll = rng.below(100)
    return next(tier for share, tier in _TIER_SHARES if roll < share)


def _file_applications(rnd: EnrolmentRound, parents: Sequence[Any], *, label: str, born_from: dt.date,
                       born_to: dt.date, region: str, max_choices: int) -> list[Application]:
    rng = HashRng(_seed("children", rnd.kind, rnd.year), "children")
    schools = list(rnd.schools.select_related("school").order_by("school__code"))
    span = (born_to - born_from).days + 1
    filed_at = rnd.opens_at + dt.timedelta(days=1)
    applications = []
    for n, parent in enumerate(parents, start=1):
        birth = born_from + dt.timedelta(days=rng.below(span))
        order = list(range(len(schools)))
        rng.shuffle(order)
        count = 1 + rng.below(min(max_choices, len(schools)))
        first_tier = _tier(rng)
        choices: list[tuple[RoundSchool, str]] = []
        for rank, index in enumerate(order[:count]):
            tier = first_tier if rank == 0 else (Tier.OTHER if first_tier != Tier.MIGRANT_PERMIT
                                                 else Tier.MIGRANT_PERMIT)
            choices.append((schools[index], tier))
        data = enrolment.ApplicationData(
            child_name=f"{label}{n:03d}", id_number=_id_number(region, birth, 2 * n - 1 + rng.below(2)),
            guardian_name=f"示范家长{n:03d}", guardian_phone=f"1390000{n:04d}",
            address=f"{rnd.unit.name}示范路{n}号", choices=choices)
        applications.append(enrolment.submit_application(
            actor=parent, rnd=rnd, data=data, idempotency_key=f"demo-{rnd.public_id}-{n}", now=filed_at))
    return applications


def _review(actor: Any, applications: Sequence[Application]) -> None:
    """Every application reviewed: two rejected, every seventh claim of 房户一致 downgraded to 租住, the rest approved
    as claimed."""
    for n, application in enumerate(applications, start=1):
        if n in (11, 37):
            enrolment.reject(actor=actor, application=application, reason="户籍和居住地均不在本区县（示范）")
            continue
        downgrade = {c.pk: Tier.LOCAL_RESIDENCE for c in application.choices.all()
                     if c.claimed_tier == Tier.LOCAL_PROPERTY and n % 7 == 0}
        enrolment.approve(actor=actor, application=application, verified_tiers=downgrade)


def _run_round(actor: Any, county: OrgUnit, kind: str, year: int, name: str, schools: Sequence[OrgUnit],
               seats: Sequence[int], children: int, label: str, prefix: str) -> EnrolmentRound:
    opens_at, closes_at = _at(year, 5, 6), _at(year, 5, 20, 17)
    rnd = enrolment.create_round(actor=actor, unit=county, kind=kind, year=year, name=name, opens_at=opens_at,
                                 closes_at=closes_at)
    for school, capacity in zip(schools, seats, strict=False):
        enrolment.add_school(actor=actor, rnd=rnd, school=school, capacity=capacity)
    rnd = enrolment.open_round(actor=actor, rnd=rnd)
    born_from, born_to = rnd.born_from, rnd.born_to
    assert born_from is not None and born_to is not None
    applications = _file_applications(rnd, _parents(prefix, children), label=label, born_from=born_from,
                                      born_to=born_to, region=_region(county), max_choices=3)
    rnd = enrolment.close_round(actor=actor, rnd=rnd, now=closes_at + dt.timedelta(minutes=1))
    _review(actor, applications)
    enrolment.commit_seed(actor=actor, rnd=rnd, seed=_seed("lottery", kind, county.code, year))
    enrolment.draw(actor=actor, rnd=rnd)
    return enrolment.publish(actor=actor, rnd=rnd)


def _outcome(rnd: EnrolmentRound) -> str:
    statuses = list(rnd.applications.values_list("status", flat=True))
    placed = sum(1 for s in statuses if s in (ApplicationStatus.ADMITTED, ApplicationStatus.ACCEPTED,
                                              ApplicationStatus.DECLINED))
    waitlisted = statuses.count(ApplicationStatus.WAITLISTED)
    unplaced = statuses.count(ApplicationStatus.UNPLACED)
    seats = sum(rnd.schools.values_list("capacity", flat=True))
    return (f"{len(statuses)} 份报名、{seats} 个学位，录取 {placed}，候补 {waitlisted}，未录取 {unplaced}"
            f"（/enrol/{rnd.public_id}/results/）")


# --------------------------------------------------------------------------------------------------------------------
# Rounds


def _kindergarten_round(actor: Any, city: OrgUnit, year: int) -> str:
    name_suffix = f"{year}年幼儿园小班招生（示范）"
    existing = EnrolmentRound.objects.filter(name__endswith=name_suffix, first_round__isnull=True).first()
    if existing is not None:
        return f"幼儿园招生：{existing.name} 已存在"
    for county in _counties(city):
        kindergartens = _schools(county, "111")[:len(KINDERGARTEN_SEATS)]
        if kindergartens:
            rnd = _run_round(actor, county, RoundKind.KINDERGARTEN, year, f"{county.name}{name_suffix}",
                             kindergartens, KINDERGARTEN_SEATS, KINDERGARTEN_CHILDREN, "示范儿童", "demo_parent_k")
            return f"幼儿园招生：{rnd.name}，{len(kindergartens)} 所幼儿园，{_outcome(rnd)}，已公布"
    return "幼儿园招生：示范数据中没有幼儿园，跳过"


def _primary_round(actor: Any, city: OrgUnit, year: int) -> str:
    name_suffix = f"{year}年小学一年级招生（示范）"
    existing = EnrolmentRound.objects.filter(name__endswith=name_suffix, first_round__isnull=True).first()
    if existing is not None:
        return f"小学划片招生：{existing.name} 已存在"
    # the county with the most primary schools (up to 5), the first by code among equals
    options = [(c, _schools(c, "211")[:len(PRIMARY_SEATS)]) for c in _counties(city)]
    options = [(c, schools) for c, schools in options if schools]
    if not options:
        return "小学划片招生：示范数据中没有小学，跳过"
    county, primaries = min(options, key=lambda option: (-len(option[1]), option[0].code))
    rnd = _run_round(actor, county, RoundKind.PRIMARY, year, f"{county.name}{name_suffix}", primaries,
                     PRIMARY_SEATS, PRIMARY_CHILDREN, "示范学生", "demo_parent_p")
    admitted = list(rnd.applications.filter(status=ApplicationStatus.ADMITTED).select_related("parent")
                    .order_by("reference")[:10])
    for n, application in enumerate(admitted):
        enrolment.respond(actor=application.parent, application=application, accept=n % 4 != 3)
    declined = sum(1 for n in range(len(admitted)) if n % 4 == 3)
    second = None
    if declined:
        closes_at = max(_at(year, 7, 15, 17), timezone.now() + dt.timedelta(days=30))
        second = enrolment.open_second_round(actor=actor, first=rnd, opens_at=_at(year, 7, 1), closes_at=closes_at,
                                             name=f"{county.name}{year}年小学一年级第二轮招生（示范）")
    rnd.refresh_from_db()
    tail = f"；{len(admitted) - declined} 人确认入学，{declined} 人放弃，第二轮已开放报名" if second else ""
    return f"小学划片招生：{rnd.name}，{len(primaries)} 所小学，{_outcome(rnd)}，已公布{tail}"


@transaction.atomic
def add_demo_placement(write: Callable[[str], Any], year: int) -> list[str]:
    """Adds the three demo placements (each only when absent) and writes one line per item. ``year`` is the demo's
    school year: the 分班 is of that year's 一年级, the admission rounds are for the next year."""
    city = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code").first()
    if city is None:
        return []
    started = time.monotonic()
    actor = _system_user(city)
    write("载入示范分班、幼儿园摇号和小学划片招生…")
    lines = [_class_draw(actor, city, year), _kindergarten_round(actor, city, year + 1),
             _primary_round(actor, city, year + 1)]
    for line in lines:
        write(f"  {line}")
    write(f"  完成，用时 {time.monotonic() - started:.1f} 秒")
    return lines
