"""Factories for enrolment tests: valid ID numbers, parents, an open round and its applications."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from edugov.enrolment import services
from edugov.enrolment.choices import Tier
from edugov.enrolment.models import Application, EnrolmentRound, RoundSchool
from edugov.lib.idcard import check_digit

SEED = "5e1f0c2b9a8d7e6f5a4b3c2d1e0f9a8b"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_id(birth: dt.date, seq: int = 1, region: str = "370202") -> str:
    """A valid 18-digit ID number for a child born on ``birth`` (odd seq = boy)."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def make_parent(username: str) -> Any:
    return services.register_parent(username=username, password="Parent-pass-2026", phone="13800001234")


def make_round(actor: Any, city: Any, second_school: Any, **kwargs: Any) -> EnrolmentRound:
    now = timezone.now()
    rnd = services.create_round(actor=actor, unit=city.east, kind="primary", year=2026,
                                name="东区2026年小学一年级招生", opens_at=now - dt.timedelta(days=1),
                                closes_at=now + dt.timedelta(days=1), **kwargs)
    services.add_school(actor=actor, rnd=rnd, school=city.east_primary, capacity=1)
    services.add_school(actor=actor, rnd=rnd, school=second_school, capacity=2,
                        tiers=[Tier.LOCAL_PROPERTY, Tier.SIBLING, Tier.LOCAL_RESIDENCE, Tier.OTHER])
    return services.open_round(actor=actor, rnd=rnd)


def school(rnd: EnrolmentRound, code: str) -> RoundSchool:
    return rnd.schools.get(school__code=code)


def data(rnd: EnrolmentRound, *, name: str = "王小明", id_number: str | None = None, birth: dt.date | None = None,
         seq: int = 1, choices: list[tuple[str, str]] | None = None) -> services.ApplicationData:
    """Application data; ``choices`` as (school code, claimed tier), default: both schools as 房户一致."""
    choices = choices or [("2137020001", Tier.LOCAL_PROPERTY), ("2137020009", Tier.LOCAL_PROPERTY)]
    return services.ApplicationData(
        child_name=name, id_number=id_number or make_id(birth or dt.date(2020, 1, 15), seq),
        guardian_name="王大明", guardian_phone="13912345678", address="东区幸福路8号3单元201",
        choices=[(school(rnd, code), tier) for code, tier in choices])


def submit(parent: Any, rnd: EnrolmentRound, key: str | None = None, **kwargs: Any) -> Application:
    return services.submit_application(actor=parent, rnd=rnd, data=data(rnd, **kwargs),
                                       idempotency_key=key or uuid.uuid4().hex)


def close(actor: Any, rnd: EnrolmentRound) -> EnrolmentRound:
    """Moves the deadline into the past and closes the round."""
    EnrolmentRound.objects.filter(pk=rnd.pk).update(opens_at=timezone.now() - dt.timedelta(days=3),
                                                    closes_at=timezone.now() - dt.timedelta(minutes=1))
    rnd.refresh_from_db()
    return services.close_round(actor=actor, rnd=rnd)


def draw_and_publish(actor: Any, rnd: EnrolmentRound, seed: str = SEED) -> EnrolmentRound:
    services.commit_seed(actor=actor, rnd=rnd, seed=seed)
    services.draw(actor=actor, rnd=rnd)
    return services.publish(actor=actor, rnd=rnd)
