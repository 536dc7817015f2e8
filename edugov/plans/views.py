"""Pages for plans: upload, review with the text highlighted, publish, the task ledger, progress and 督办.

Thin views: permissions and all writes live in services.py, reads in queries.py."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edugov.core.choices import Permission
from edugov.core.files import download
from edugov.core.scoping import descendant_ids, scope_for
from edugov.plans import queries, services
from edugov.plans.forms import (
    AddMeasureForm,
    AddTargetForm,
    EscalationForm,
    LedgerFilterForm,
    MeasureReviewForm,
    PlanUploadForm,
    ProgressReportForm,
    ResolveEscalationForm,
    RevisionUploadForm,
    TargetEntryForm,
    TargetReviewForm,
)
from edugov.plans.highlight import Span, runs
from edugov.plans.models import (
    OPEN_TASK_STATUSES,
    Escalation,
    Measure,
    Plan,
    PlanVersion,
    ReviewStatus,
    Target,
    Task,
    TaskEvidence,
    TaskStatus,
    VersionStatus,
)
from edugov.plans.progress import target_progress
from edugov.plans.status import STATUS_LABELS
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.web.views.common import is_htmx, login_required, page_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@cache
def indicator_choices() -> tuple[tuple[str, str], ...]:
    """Indicators a target can be linked to: the shared alias lexicon of the extractor (code, Chinese name)."""
    path = Path(__file__).parent / "lexicon" / "indicators.csv"
    with path.open(encoding="utf-8") as f:
        return tuple((row["code"], row["name_zh"]) for row in csv.DictReader(f))


def catalogue_choices() -> list[tuple[str, str]]:
    """Indicators a registered target can be set on: the current catalogue (code, 名称（单位）)."""
    from edugov.indicators.services import current_catalogue

    return [(code, f"{ind.name_zh}（{ind.unit}）") for code, ind in current_catalogue().indicators.items()]


def _owner_units(plan: Plan) -> QuerySet[OrgUnit]:
    """Units that can own a plan's tasks: the issuing bureau and the units below it. A city's plan is carried out
    by its offices and counties; schools own tasks only in a county's plan."""
    units = OrgUnit.objects.filter(pk__in=descendant_ids([plan.unit_id]), closed_on__isnull=True)
    if plan.unit.kind == UnitKind.CITY:
        units = units.exclude(kind=UnitKind.SCHOOL)
    return units.order_by("kind", "code")


def _upload_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    units = scope_for(request.user).units_with(Permission.EDIT)
    rows = OrgUnit.objects.filter(kind__in=(UnitKind.CITY, UnitKind.COUNTY, UnitKind.SCHOOL), closed_on__isnull=True)
    if units is not None:
        rows = rows.filter(pk__in=units)
    return rows.order_by("kind", "code")


def _document(upload: Any) -> services.UploadedDocument:
    return services.UploadedDocument(name=upload.name, data=upload.read())


# --------------------------------------------------------------------------------------------------------------------
# Plans


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    """工作计划: the plans the user can see, their ledger progress, the user's own tasks and open 督办."""
    upload_units = _upload_units(request)
    can_upload = upload_units.exists()
    form = PlanUploadForm(request.POST or None, request.FILES or None, units=upload_units)
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = services.ingest_plan(actor=request.user, unit=form.cleaned_data["unit"],
                                               document=_document(form.cleaned_data["file"]),
                                               year=form.cleaned_data["year"], title=form.cleaned_data["title"])
            except ValidationError as exc:
                form.add_error("file", _messages(exc))
            else:
                messages.success(request, _("已识别 %(measures)s 项举措、%(targets)s 项量化目标，请逐项审核。")
                                 % {"measures": version.measures.count(), "targets": version.targets.count()})
                return HttpResponseRedirect(reverse("plan_version", args=[version.pk]))
    today = timezone.localdate()
    plans = []
    for plan in queries.plans_for(request.user).order_by("-year", "title"):
        tasks = queries.tasks_for(request.user, plan)
        plans.append({"plan": plan, "counts": queries.ledger_counts(tasks, today),
                      "whole": queries.sees_whole_plan(request.user, plan), "latest": plan.latest_version,
                      "published": plan.published_version})
    scope = scope_for(request.user)
    own = Task.objects.none()
    if not scope.everything:
        own = (queries.tasks_for(request.user).filter(lead_unit_id__in=scope.root_ids)
               .filter(status__in=OPEN_TASK_STATUSES).order_by("deadline", "plan", "number")[:20])
    return render(request, "plans/index.html", {
        "form": form, "can_upload": can_upload, "plans": plans, "own_tasks": own, "today": today,
        "escalations": queries.escalations_for(request.user).order_by("-raised_at")[:20]})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: its versions, the revision upload, and links to the ledger and the comparison."""
    plan = queries.plan_or_404(request.user, pk)
    if not queries.sees_whole_plan(request.user, plan):
        return HttpResponseRedirect(reverse("plan_ledger", args=[plan.pk]))
    can_edit = services.can_edit_plan(request.user, plan)
    form = RevisionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = services.ingest_plan(actor=request.user, unit=plan.unit, plan=plan,
                                               document=_document(form.cleaned_data["file"]))
            except ValidationError as exc:
                form.add_error("file", _messages(exc))
            else:
                return HttpResponseRedirect(reverse("plan_version", args=[version.pk]))
    versions = list(plan.versions.order_by("-number"))
    targets = list(queries.published_targets(plan).order_by("start"))
    return render(request, "plans/plan.html", {"plan": plan, "versions": versions, "form": form,
                                               "can_edit": can_edit, "targets": targets,
                                               "progress": target_progress(targets)})


@login_required
def target_index(request: HttpRequest) -> HttpResponse:
    """目标达成: every published target the user can see, with its indicator's latest value and status."""
    form = None
    if request.method == "POST":
        form = TargetEntryForm(request.POST, owners=_entry_owners(request.user), indicators=catalogue_choices())
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.enter_target(actor=request.user, owner=data["owner"], indicator_code=data["indicator_code"],
                                      comparator=data["comparator"], value=data["value"],
                                      deadline_year=data["deadline_year"], note=data["note"])
            except ValidationError as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, _("目标已登记。"))
                return redirect("plan_targets")
    rows = list(queries.targets_for(request.user).order_by(
        F("version__plan__year").desc(nulls_last=True), "version__plan__title", "start", "pk"))
    progress = target_progress(rows)
    # Targets with a computed status first; the rest (counts of things built, events held) follow.
    rows.sort(key=lambda t: t.pk not in progress)
    wanted = request.GET.get("status", "")
    if wanted:
        rows = [t for t in rows if t.pk in progress and progress[t.pk].status.status == wanted]
    counts: dict[str, int] = {}
    for item in progress.values():
        counts[item.status.status] = counts.get(item.status.status, 0) + 1
    owners = _entry_owners(request.user)
    if form is None and owners:
        form = TargetEntryForm(owners=owners, indicators=catalogue_choices(),
                               initial={"deadline_year": timezone.localdate().year, "comparator": ">="})
    editable = {pk for pk in {t.owner_id for t in rows if t.version_id is None and t.owner_id is not None}
                if scope_for(request.user).can_at(Permission.EDIT, pk)}
    return render(request, "plans/targets.html", {
        "rows": rows, "progress": progress, "counts": counts, "status": wanted, "labels": STATUS_LABELS,
        "linked": len(progress), "total": len(rows) if not wanted else None, "form": form,
        "withdrawable": editable})


def _entry_owners(user: Any) -> list[OrgUnit]:
    """Units the user may register targets for: the units of their roles that they may edit, and the counties
    below them (schools register their own targets from their own account)."""
    scope = scope_for(user)
    if not scope.can(Permission.EDIT):
        return []
    roots = [pk for pk in scope.root_ids if scope.can_at(Permission.EDIT, pk)]
    if scope.everything:
        roots = list(OrgUnit.objects.filter(kind=UnitKind.CITY).values_list("pk", flat=True))
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=roots)}
    for county in OrgUnit.objects.filter(kind=UnitKind.COUNTY, pk__in=descendant_ids(roots)):
        if scope.can_at(Permission.EDIT, county.pk):
            units[county.pk] = county
    return sorted(units.values(), key=lambda u: u.code)


@login_required
@require_POST
def target_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(queries.targets_for(request.user), pk=pk, version__isnull=True)
    try:
        services.withdraw_target(actor=request.user, target=target)
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销登记的目标。"))
    return redirect("plan_targets")


# --------------------------------------------------------------------------------------------------------------------
# Review


def _spans(version: PlanVersion, measures: list[Measure], targets: list[Target]) -> list[Span]:
    spans = [Span(s.start, s.end, "hl-heading") for s in version.sections.all()]
    spans += [Span(m.start, m.end, f"hl-measure hl-{m.status}", f"m-{m.pk}") for m in measures]
    spans += [Span(t.start, t.end, f"hl-target hl-{t.status}", f"t-{t.pk}") for t in targets]
    return spans


def _review_context(request: HttpRequest, version: PlanVersion) -> dict[str, Any]:
    measures = list(version.measures.select_related("section").prefetch_related("lead_units", "co_units")
                    .order_by("start", "position"))
    targets = list(version.targets.select_related("owner").order_by("start", "position"))
    editable = version.status == VersionStatus.REVIEW and services.can_edit_plan(request.user, version.plan)
    pending = sum(1 for item in [*measures, *targets] if item.status == ReviewStatus.PENDING)
    previous = version.plan.versions.filter(number__lt=version.number).order_by("-number").first()
    units = _owner_units(version.plan)
    return {
        "version": version, "plan": version.plan, "measures": measures, "targets": targets,
        "runs": runs(version.text, _spans(version, measures, targets)), "editable": editable, "pending": pending,
        "previous": previous,
        "add_target_form": AddTargetForm(units=units, indicators=indicator_choices(), prefix="t"),
        "add_measure_form": AddMeasureForm(units=units, prefix="m"),
        "indicator_names": dict(indicator_choices()),
    }


@login_required
def version_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The text with measures and targets highlighted beside the list to review, and the publish button."""
    version = queries.version_or_404(request.user, pk)
    return render(request, "plans/review.html", _review_context(request, version))


@login_required
def version_source(request: HttpRequest, pk: int) -> FileResponse:
    version = queries.version_or_404(request.user, pk)
    return download(version.stored_path, version.file_name)


def _editable_version(request: HttpRequest, pk: int) -> PlanVersion:
    version = queries.version_or_404(request.user, pk)
    if not services.can_edit_plan(request.user, version.plan):
        raise PermissionDenied
    return version


@login_required
@require_POST
def version_accept_all(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    try:
        count = services.accept_pending(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("已采纳 %(count)s 项。") % {"count": count})
    return HttpResponseRedirect(reverse("plan_version", args=[version.pk]))


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    try:
        result = services.publish_version(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, _messages(exc))
        return HttpResponseRedirect(reverse("plan_version", args=[version.pk]))
    messages.success(request, _("已发布任务台账：新增 %(created)s 项，更新 %(updated)s 项，撤销 %(withdrawn)s 项。")
                     % result.__dict__)
    return HttpResponseRedirect(reverse("plan_ledger", args=[version.plan_id]))


@login_required
def version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What this version changed against the one before it (or the one chosen with ?against=)."""
    version = queries.version_or_404(request.user, pk)
    others = version.plan.versions.exclude(pk=version.pk)
    against_pk = request.GET.get("against")
    old = (others.filter(pk=against_pk).first() if against_pk and against_pk.isdigit()
           else others.filter(number__lt=version.number).order_by("-number").first())
    if old is None:
        messages.info(request, _("这是该计划的第一个版本，没有可比较的旧版本。"))
        return HttpResponseRedirect(reverse("plan_version", args=[version.pk]))
    comparison = queries.compare_versions(old, version)
    return render(request, "plans/diff.html", {"c": comparison, "plan": version.plan, "others": others})


def _measure_for_edit(request: HttpRequest, pk: int) -> Measure:
    measure = get_object_or_404(Measure.objects.select_related("version__plan__unit"), pk=pk)
    queries.version_or_404(request.user, measure.version_id)
    return measure


def _target_for_edit(request: HttpRequest, pk: int) -> Target:
    target = get_object_or_404(Target.objects.select_related("version__plan__unit"), pk=pk, version__isnull=False)
    queries.version_or_404(request.user, target.plan_version.pk)
    return target


def _item_response(request: HttpRequest, template: str, context: dict[str, Any], version: PlanVersion) -> HttpResponse:
    if is_htmx(request):
        return render(request, template, context)
    return HttpResponseRedirect(reverse("plan_version", args=[version.pk]) + f"#{context['anchor']}")


def _measure_context(request: HttpRequest, measure: Measure, form: MeasureReviewForm | None = None) -> dict[str, Any]:
    editable = measure.version.status == VersionStatus.REVIEW and services.can_edit_plan(request.user,
                                                                                        measure.version.plan)
    return {"m": measure, "form": form, "editable": editable, "anchor": f"item-m-{measure.pk}"}


@login_required
def measure_item(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the row (or, with ?edit=1, its form). POST: a quick accept/reject, or the edited form."""
    measure = _measure_for_edit(request, pk)
    units = _owner_units(measure.version.plan)
    if request.method == "POST":
        quick = set(request.POST) <= {"status", "csrfmiddlewaretoken"}
        form = MeasureReviewForm(request.POST, units=units)
        try:
            if quick:
                services.review_measure(actor=request.user, measure=measure, status=request.POST.get("status", ""))
            elif form.is_valid():
                data = form.cleaned_data
                services.review_measure(actor=request.user, measure=measure, status=data["status"],
                                        content=data["content"], lead_units=list(data["lead_units"]),
                                        co_units=list(data["co_units"]), deadline=data["deadline"],
                                        clear_deadline=data["deadline"] is None, note=data["note"])
            else:
                return render(request, "plans/_measure.html", _measure_context(request, measure, form))
        except ValidationError as exc:
            form.add_error(None, _messages(exc))
            return render(request, "plans/_measure.html", _measure_context(request, measure, form))
        measure.refresh_from_db()
        return _item_response(request, "plans/_measure.html", _measure_context(request, measure), measure.version)
    edit_form = None
    if request.GET.get("edit"):
        edit_form = MeasureReviewForm(units=units, initial={
            "status": ReviewStatus.ACCEPTED, "content": measure.content, "lead_units": list(measure.lead_units.all()),
            "co_units": list(measure.co_units.all()), "deadline": measure.deadline, "note": measure.review_note})
    return render(request, "plans/_measure.html", _measure_context(request, measure, edit_form))


def _target_context(request: HttpRequest, target: Target, form: TargetReviewForm | None = None) -> dict[str, Any]:
    version = target.plan_version
    editable = version.status == VersionStatus.REVIEW and services.can_edit_plan(request.user, version.plan)
    return {"t": target, "form": form, "editable": editable, "anchor": f"item-t-{target.pk}",
            "indicator_names": dict(indicator_choices())}


_TARGET_FORM_FIELDS = ("subject", "comparator", "value", "value_max", "unit_of_measure", "per", "scope_text",
                       "indicator_code", "owner", "period_end")


@login_required
def target_item(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target_for_edit(request, pk)
    units = _owner_units(target.plan_version.plan)
    if request.method == "POST":
        quick = set(request.POST) <= {"status", "csrfmiddlewaretoken"}
        form = TargetReviewForm(request.POST, units=units, indicators=indicator_choices())
        try:
            if quick:
                services.review_target(actor=request.user, target=target, status=request.POST.get("status", ""))
            elif form.is_valid():
                data = form.cleaned_data
                services.review_target(actor=request.user, target=target, status=data["status"], note=data["note"],
                                       **{name: data[name] for name in _TARGET_FORM_FIELDS})
            else:
                return render(request, "plans/_target.html", _target_context(request, target, form))
        except ValidationError as exc:
            form.add_error(None, _messages(exc))
            return render(request, "plans/_target.html", _target_context(request, target, form))
        target.refresh_from_db()
        return _item_response(request, "plans/_target.html", _target_context(request, target), target.plan_version)
    edit_form = None
    if request.GET.get("edit"):
        initial = {name: getattr(target, name) for name in _TARGET_FORM_FIELDS}
        edit_form = TargetReviewForm(units=units, indicators=indicator_choices(),
                                     initial={**initial, "status": ReviewStatus.ACCEPTED, "note": target.review_note})
    return render(request, "plans/_target.html", _target_context(request, target, edit_form))


@login_required
@require_POST
def add_target(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    form = AddTargetForm(request.POST, units=_owner_units(version.plan), indicators=indicator_choices(), prefix="t")
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = services.add_target(actor=request.user, version=version, quote=data["quote"],
                                         **{name: data[name] for name in _TARGET_FORM_FIELDS})
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("已补充量化目标。"))
            return HttpResponseRedirect(reverse("plan_version", args=[version.pk]) + f"#item-t-{target.pk}")
    else:
        messages.error(request, _("补充目标未保存：%(errors)s") % {"errors": _form_errors(form)})
    return HttpResponseRedirect(reverse("plan_version", args=[version.pk]) + "#add-items")


@login_required
@require_POST
def add_measure(request: HttpRequest, pk: int) -> HttpResponse:
    version = _editable_version(request, pk)
    form = AddMeasureForm(request.POST, units=_owner_units(version.plan), prefix="m")
    if form.is_valid():
        data = form.cleaned_data
        try:
            measure = services.add_measure(actor=request.user, version=version, quote=data["quote"],
                                           lead_units=list(data["lead_units"]), co_units=list(data["co_units"]),
                                           deadline=data["deadline"])
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("已补充工作举措。"))
            return HttpResponseRedirect(reverse("plan_version", args=[version.pk]) + f"#item-m-{measure.pk}")
    else:
        messages.error(request, _("补充举措未保存：%(errors)s") % {"errors": _form_errors(form)})
    return HttpResponseRedirect(reverse("plan_version", args=[version.pk]) + "#add-items")


def _form_errors(form: Any) -> str:
    return "；".join(f"{form.fields[name].label if name in form.fields else ''}{' ' if name in form.fields else ''}"
                    f"{'，'.join(errors)}" for name, errors in form.errors.items())


# --------------------------------------------------------------------------------------------------------------------
# Ledger


def _ledger_tasks(request: HttpRequest, plan: Plan, form: LedgerFilterForm) -> QuerySet[Task]:
    tasks = queries.tasks_for(request.user, plan)
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"] is not None:
            ids = descendant_ids([data["unit"].pk])
            tasks = tasks.filter(Q(lead_unit_id__in=ids) | Q(co_units__in=ids)).distinct()
        if data["status"] == "overdue":
            tasks = tasks.filter(status__in=OPEN_TASK_STATUSES, deadline__lt=timezone.localdate())
        elif data["status"]:
            tasks = tasks.filter(status=data["status"])
        if data["q"]:
            tasks = tasks.filter(content__contains=data["q"])
    return tasks


def _ledger_filter(request: HttpRequest, plan: Plan) -> LedgerFilterForm:
    scope = scope_for(request.user)
    units = _owner_units(plan)
    if not scope.everything:
        units = units.filter(pk__in=scope.unit_ids)
    return LedgerFilterForm(request.GET or None, units=units)


@login_required
def plan_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """任务台账: the plan's tasks the user can see (a district sees its own), filterable, with overdue marked."""
    plan = queries.plan_or_404(request.user, pk)
    form = _ledger_filter(request, plan)
    tasks = _ledger_tasks(request, plan, form)
    today = timezone.localdate()
    open_escalations = set(Escalation.objects.filter(task__in=tasks, resolved_at__isnull=True)
                           .values_list("task_id", flat=True))
    return render(request, "plans/ledger.html", {
        "plan": plan, "form": form, "page": page_of(request, tasks, 100), "today": today,
        "counts": queries.ledger_counts(queries.tasks_for(request.user, plan), today),
        "whole": queries.sees_whole_plan(request.user, plan), "open_escalations": open_escalations,
        "query": request.GET.urlencode()})


@login_required
def plan_ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from edugov.plans.exports import ledger_xlsx

    plan = queries.plan_or_404(request.user, pk)
    tasks = list(_ledger_tasks(request, plan, _ledger_filter(request, plan)).prefetch_related("reports",
                                                                                              "escalations"))
    targets = list(queries.published_targets(plan).order_by("start")) if queries.sees_whole_plan(
        request.user, plan) else []
    data = ledger_xlsx(plan, tasks, targets, today=timezone.localdate())
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(f"{plan.year}{plan.title}任务台账.xlsx")
    return response


@login_required
def plan_ledger_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from edugov.plans.exports import ledger_docx

    plan = queries.plan_or_404(request.user, pk)
    tasks = list(_ledger_tasks(request, plan, _ledger_filter(request, plan)).prefetch_related("reports",
                                                                                              "escalations"))
    data = ledger_docx(plan, tasks, today=timezone.localdate())
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = _attachment(f"{plan.year}{plan.title}任务分解表.docx")
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|')[:150]
    return f"attachment; filename*=UTF-8''{quote(safe)}"


# --------------------------------------------------------------------------------------------------------------------
# Tasks, progress and 督办


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task: its source clause, reports with evidence, 督办 notices, and the forms its owner and supervisors use."""
    task = queries.task_or_404(request.user, pk)
    can_report = services.can_report(request.user, task) and task.status != TaskStatus.WITHDRAWN
    form = ProgressReportForm(request.POST or None, request.FILES or None,
                              initial={"status": task.status if task.status != TaskStatus.WITHDRAWN else
                                       TaskStatus.IN_PROGRESS, "progress": task.progress})
    if request.method == "POST":
        if not can_report:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            files = [services.UploadedDocument(f.name or "evidence", f.read())
                     for f in request.FILES.getlist("evidence")]
            try:
                services.report_progress(actor=request.user, task=task, progress=data["progress"],
                                         status=data["status"], text=data["text"], evidence=files)
            except ValidationError as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, _("进展已报送。"))
                return HttpResponseRedirect(reverse("plan_task", args=[task.pk]))
    reports = task.reports.select_related("author", "unit").prefetch_related("evidence")
    escalations = task.escalations.select_related("to_unit", "raised_by")
    scope = scope_for(request.user)
    return render(request, "plans/task.html", {
        "task": task, "form": form, "can_report": can_report, "reports": reports, "escalations": escalations,
        "escalate_form": EscalationForm(), "resolve_form": ResolveEscalationForm(), "today": timezone.localdate(),
        "can_escalate": task.status in OPEN_TASK_STATUSES and (
            scope.can_at(Permission.EDIT, services.supervisor_of(task).pk)
            or scope.can_at(Permission.EDIT, task.plan.unit_id)),
        "resolvable": {e.pk for e in escalations if e.resolved_at is None
                       and scope.can_at(Permission.EDIT, e.to_unit_id)},
        "whole": queries.sees_whole_plan(request.user, task.plan)})


@login_required
@require_POST
def task_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    task = queries.task_or_404(request.user, pk)
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            services.raise_escalation(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("已发起督办。"))
    else:
        messages.error(request, _("请填写督办说明。"))
    return HttpResponseRedirect(reverse("plan_task", args=[task.pk]))


@login_required
@require_POST
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_object_or_404(queries.escalations_for(request.user, open_only=False), pk=pk)
    form = ResolveEscalationForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_escalation(actor=request.user, escalation=escalation,
                                        resolution=form.cleaned_data["resolution"])
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("督办已办结。"))
    else:
        messages.error(request, _("请填写办结说明。"))
    return HttpResponseRedirect(reverse("plan_task", args=[escalation.task_id]))


@login_required
def escalation_index(request: HttpRequest) -> HttpResponse:
    """督办: open notices addressed to the user's units or about tasks they can see, oldest first."""
    rows = queries.escalations_for(request.user, open_only=request.GET.get("all") != "1").order_by("raised_at")
    return render(request, "plans/escalations.html", {"page": page_of(request, rows, 100),
                                                      "show_all": request.GET.get("all") == "1"})


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(TaskEvidence.objects.select_related("report__task"), pk=pk)
    queries.task_or_404(request.user, evidence.report.task_id)
    return download(evidence.stored_path, evidence.file_name)
