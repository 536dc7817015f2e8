"""Reads for evaluation pages, scoped: a round is visible to users who see its evaluating unit (all its units) or
one of its evaluated units (those units only). Anything else is reported as not found."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from edugov.core.scoping import scope_for
from edugov.evaluation.models import EvaluationResult, EvaluationRound, StageEntry, StageEvidence
from edugov.registry.models import OrgUnit


def rounds_for(user: Any) -> QuerySet[EvaluationRound]:
    scope = scope_for(user)
    rounds = EvaluationRound.objects.select_related("evaluating_unit")
    if scope.everything:
        return rounds
    return rounds.filter(Q(evaluating_unit_id__in=scope.unit_ids) | Q(units__in=scope.unit_ids)).distinct()


def round_or_404(user: Any, pk: int) -> EvaluationRound:
    try:
        return rounds_for(user).get(pk=pk)
    except EvaluationRound.DoesNotExist as exc:
        raise Http404 from exc


def sees_all_units(user: Any, rnd: EvaluationRound) -> bool:
    return scope_for(user).contains(rnd.evaluating_unit_id)


def visible_units(user: Any, rnd: EvaluationRound) -> QuerySet[OrgUnit]:
    units = rnd.units.order_by("code")
    if sees_all_units(user, rnd):
        return units
    return scope_for(user).filter(units, "pk")


def unit_or_404(user: Any, rnd: EvaluationRound, unit_pk: int) -> OrgUnit:
    try:
        return visible_units(user, rnd).get(pk=unit_pk)
    except OrgUnit.DoesNotExist as exc:
        raise Http404 from exc


def results_for(user: Any, rnd: EvaluationRound) -> QuerySet[EvaluationResult]:
    return (EvaluationResult.objects.filter(round=rnd, unit__in=visible_units(user, rnd))
            .select_related("unit").order_by("rank", "unit__code"))


def entries_of(rnd: EvaluationRound, unit: OrgUnit) -> QuerySet[StageEntry]:
    return (StageEntry.objects.filter(round=rnd, unit=unit).select_related("entered_by")
            .prefetch_related("evidence").order_by("code", "stage"))


def evidence_or_404(user: Any, pk: int) -> StageEvidence:
    try:
        evidence = StageEvidence.objects.select_related("entry").get(pk=pk)
    except StageEvidence.DoesNotExist as exc:
        raise Http404 from exc
    rnd = round_or_404(user, evidence.entry.round_id)
    unit_or_404(user, rnd, evidence.entry.unit_id)
    return evidence
