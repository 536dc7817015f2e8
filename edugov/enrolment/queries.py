"""Reads for the enrolment pages. Staff read through ``scope_for``: the district sees every application of its
rounds, a school only the applications that chose it. Parents read only their own applications. Anything else is
a 404, so that its existence is not revealed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from edugov.core.choices import Permission
from edugov.core.scoping import scope_for
from edugov.enrolment.choices import DRAW_OUTCOMES, ApplicationStatus, RoundStatus
from edugov.enrolment.models import Application, ApplicationChoice, EnrolmentRound
from edugov.lib.idcard import mask_id, mask_name

_CHOICES = Prefetch("choices", queryset=ApplicationChoice.objects.select_related("school__school").order_by("rank"))


def open_rounds() -> QuerySet[EnrolmentRound]:
    """Rounds a parent may apply to now."""
    now = timezone.now()
    return (EnrolmentRound.objects.filter(status=RoundStatus.OPEN, opens_at__lte=now, closes_at__gt=now)
            .select_related("unit").prefetch_related("schools__school").order_by("closes_at"))


def public_round(public_id: str) -> EnrolmentRound:
    return get_object_or_404(EnrolmentRound.objects.select_related("unit", "first_round"), public_id=public_id)


def rounds_for_staff(user: Any) -> QuerySet[EnrolmentRound]:
    """The rounds of the districts in the user's scope and the rounds in which a school of the scope takes part."""
    scope = scope_for(user)
    rounds = EnrolmentRound.objects.select_related("unit").defer(
        "sealed_seed", "input_schools", "input_applicants", "output_bytes")
    if scope.everything:
        return rounds
    return rounds.filter(Q(unit_id__in=scope.unit_ids) | Q(schools__school_id__in=scope.unit_ids)).distinct()


def round_for_staff(user: Any, public_id: str) -> EnrolmentRound:
    try:
        return rounds_for_staff(user).get(public_id=public_id)
    except EnrolmentRound.DoesNotExist as exc:
        raise Http404 from exc


def applications_for_staff(user: Any, rnd: EnrolmentRound) -> QuerySet[Application]:
    """The round's applications the user may see: all for the district, those choosing one of its schools for a
    school."""
    scope = scope_for(user)
    apps = rnd.applications.select_related("round", "admitted_school__school").prefetch_related(_CHOICES)
    if scope.contains(rnd.unit_id):
        return apps
    return apps.filter(choices__school__school_id__in=scope.unit_ids).distinct()


def application_for_staff(user: Any, pk: int) -> Application:
    scope = scope_for(user)
    apps = Application.objects.select_related("round__unit", "admitted_school__school", "parent").prefetch_related(
        _CHOICES)
    if not scope.everything:
        apps = apps.filter(Q(round__unit_id__in=scope.unit_ids)
                           | Q(choices__school__school_id__in=scope.unit_ids)).distinct()
    try:
        return apps.get(pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def can_see_sensitive(user: Any, application: Application) -> bool:
    """VIEW_SENSITIVE at the round's district or at a school the application chose."""
    scope = scope_for(user)
    units = [application.round.unit_id, *(c.school.school_id for c in application.choices.all())]
    return any(scope.can_at(Permission.VIEW_SENSITIVE, unit) for unit in units)


def applications_of_parent(user: Any) -> QuerySet[Application]:
    return (Application.objects.filter(parent=user).select_related("round", "admitted_school__school")
            .prefetch_related(_CHOICES).order_by("-created_at"))


def application_for_parent(user: Any, pk: int) -> Application:
    """The user's own application; someone else's is a 404."""
    return get_object_or_404(applications_of_parent(user), pk=pk)


def result_visible_to_parent(application: Application) -> bool:
    """Lottery outcomes are shown to the parent only once the round's results are published."""
    return application.status not in DRAW_OUTCOMES or application.round.status == RoundStatus.PUBLISHED


def parent_status_label(application: Application) -> str:
    if result_visible_to_parent(application):
        return str(application.get_status_display())
    return str(ApplicationStatus.APPROVED.label)


@dataclass(frozen=True)
class PublicRow:
    """One line of the public results: reference, masked name and ID, and the outcome."""

    reference: str
    name: str
    id_number: str
    lottery: str
    school: str
    waitlist: str
    status: str


def public_rows(rnd: EnrolmentRound) -> list[PublicRow]:
    """The published results with names (张*) and ID numbers (370**********1234) masked; empty before publishing."""
    if rnd.status != RoundStatus.PUBLISHED:
        return []
    apps = (rnd.applications.exclude(lottery_number="").select_related("admitted_school__school")
            .prefetch_related(_CHOICES).order_by("reference"))
    rows = []
    for a in apps:
        waits = "；".join(f"{c.school.school.name} 第{c.waitlist_rank}位" for c in a.choices.all()
                         if c.waitlist_rank is not None)
        rows.append(PublicRow(
            reference=a.reference, name=mask_name(a.child_name), id_number=mask_id(a.id_number),
            lottery=a.lottery_number, school=a.admitted_school.school.name if a.admitted_school else "",
            waitlist=waits, status=str(a.get_status_display()),
        ))
    return rows
