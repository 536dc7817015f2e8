"""Permission-aware reads of plans and the ledger.

A plan is visible to users whose scope contains its issuing unit. A task is visible to them and to users whose scope
contains its lead or a co-operating unit: a district sees the tasks the city's plan gives it, not the whole plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from edugov.core.scoping import scope_for
from edugov.plans import diff as plan_diff
from edugov.plans.models import (
    OPEN_TASK_STATUSES,
    Escalation,
    Measure,
    Plan,
    PlanVersion,
    ReviewStatus,
    Target,
    Task,
    TaskStatus,
    VersionStatus,
)


def _task_filter(unit_ids: frozenset[int]) -> Q:
    return Q(plan__unit_id__in=unit_ids) | Q(lead_unit_id__in=unit_ids) | Q(co_units__in=unit_ids)


def plans_for(user: object) -> QuerySet[Plan]:
    """Plans the user may open: issued within their scope, or giving a task to a unit within it."""
    scope = scope_for(user)
    plans = Plan.objects.select_related("unit")
    if scope.everything:
        return plans
    tasked = Task.objects.filter(Q(lead_unit_id__in=scope.unit_ids) | Q(co_units__in=scope.unit_ids))
    return plans.filter(Q(unit_id__in=scope.unit_ids) | Q(pk__in=tasked.values("plan_id"))).distinct()


def plan_or_404(user: object, pk: int) -> Plan:
    try:
        return plans_for(user).get(pk=pk)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc


def sees_whole_plan(user: object, plan: Plan) -> bool:
    """Whether the user sees the plan's text and review, not only their own tasks."""
    return scope_for(user).contains(plan.unit_id)


def version_or_404(user: object, pk: int) -> PlanVersion:
    version = PlanVersion.objects.select_related("plan__unit").filter(pk=pk).first()
    if version is None or not sees_whole_plan(user, version.plan):
        raise Http404
    return version


def tasks_for(user: object, plan: Plan | None = None) -> QuerySet[Task]:
    scope = scope_for(user)
    tasks = Task.objects.select_related("lead_unit", "plan__unit").prefetch_related("co_units")
    if plan is not None:
        tasks = tasks.filter(plan=plan)
    if not scope.everything:
        tasks = tasks.filter(pk__in=Task.objects.filter(_task_filter(scope.unit_ids)).values("pk"))
    return tasks.order_by("plan", "number")


def task_or_404(user: object, pk: int) -> Task:
    try:
        return tasks_for(user).get(pk=pk)
    except Task.DoesNotExist as exc:
        raise Http404 from exc


def escalations_for(user: object, *, open_only: bool = True) -> QuerySet[Escalation]:
    """督办 notices addressed to a unit in the user's scope or concerning a task they can see."""
    scope = scope_for(user)
    rows = Escalation.objects.select_related("task__lead_unit", "task__plan", "to_unit")
    if open_only:
        rows = rows.filter(resolved_at__isnull=True)
    if not scope.everything:
        visible = Task.objects.filter(_task_filter(scope.unit_ids)).values("pk")
        rows = rows.filter(Q(to_unit_id__in=scope.unit_ids) | Q(task_id__in=visible))
    return rows


def published_targets(plan: Plan | None = None) -> QuerySet[Target]:
    """The targets in force (what the indicators evaluate): accepted targets of published versions, and — unless a
    plan is named — the targets registered outside any plan."""
    in_force = Q(version__status=VersionStatus.PUBLISHED)
    rows = Target.objects.filter(status=ReviewStatus.ACCEPTED)
    if plan is not None:
        rows = rows.filter(in_force, version__plan=plan)
    else:
        rows = rows.filter(in_force | Q(version__isnull=True))
    return rows.select_related("owner", "version__plan", "entered_by")


def targets_for(user: object) -> QuerySet[Target]:
    """The targets in force the user may see: every target of the plans issued within their scope, the targets of
    other visible plans that units of theirs own, and the registered targets of units within their scope."""
    targets = published_targets()
    scope = scope_for(user)
    if scope.everything:
        return targets
    in_plans = (Q(version__plan__in=plans_for(user).values("pk"))
                & (Q(version__plan__unit_id__in=scope.unit_ids) | Q(owner_id__in=scope.unit_ids)))
    return targets.filter(in_plans | Q(version__isnull=True, owner_id__in=scope.unit_ids))


@dataclass(frozen=True)
class LedgerCounts:
    total: int
    done: int
    in_progress: int
    not_started: int
    overdue: int
    withdrawn: int

    @property
    def done_share(self) -> float | None:
        active = self.total - self.withdrawn
        return None if active == 0 else self.done / active


def ledger_counts(tasks: QuerySet[Task], today: dt.date | None = None) -> LedgerCounts:
    today = today or timezone.localdate()
    row = tasks.order_by().aggregate(
        total=Count("pk", distinct=True),
        done=Count("pk", filter=Q(status=TaskStatus.DONE), distinct=True),
        in_progress=Count("pk", filter=Q(status=TaskStatus.IN_PROGRESS), distinct=True),
        not_started=Count("pk", filter=Q(status=TaskStatus.NOT_STARTED), distinct=True),
        overdue=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES, deadline__lt=today), distinct=True),
        withdrawn=Count("pk", filter=Q(status=TaskStatus.WITHDRAWN), distinct=True),
    )
    return LedgerCounts(**row)


@dataclass
class VersionComparison:
    """What a revision changed: targets matched on what they measure, measures matched on their wording."""

    old: PlanVersion
    new: PlanVersion
    targets: plan_diff.Diff[int]
    measures: plan_diff.Diff[int]
    target_rows: dict[int, Target]
    measure_rows: dict[int, Measure]

    @property
    def is_empty(self) -> bool:
        return self.targets.is_empty and self.measures.is_empty


def compare_versions(old: PlanVersion, new: PlanVersion) -> VersionComparison:
    """Differences between two versions, ignoring items the reviewers rejected."""
    def targets(version: PlanVersion) -> list[Target]:
        return list(version.targets.exclude(status=ReviewStatus.REJECTED).order_by("start", "position"))

    def measures(version: PlanVersion) -> list[Measure]:
        return list(version.measures.exclude(status=ReviewStatus.REJECTED).order_by("start", "position"))

    old_targets, new_targets = targets(old), targets(new)
    old_measures, new_measures = measures(old), measures(new)

    def target_key(t: Target) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
        identity = (t.subject, t.unit_of_measure, t.per, t.scope_text)
        payload = (t.comparator, str(t.value.normalize()), str(t.value_max.normalize()) if t.value_max else "",
                   t.deadline_text)
        return t.pk, identity, payload

    return VersionComparison(
        old=old, new=new,
        targets=plan_diff.match_records([target_key(t) for t in old_targets], [target_key(t) for t in new_targets]),
        measures=plan_diff.match_texts([(m.pk, m.content) for m in old_measures],
                                       [(m.pk, m.content) for m in new_measures]),
        target_rows={t.pk: t for t in [*old_targets, *new_targets]},
        measure_rows={m.pk: m for m in [*old_measures, *new_measures]},
    )
