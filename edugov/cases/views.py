"""Pages for cases: the per-unit dashboard, the filtered list, a case with its steps, 劝返 contacts and log, the
notifications, and the 控辍保学 ledgers in Excel.

Thin views: permissions and all writes live in services.py, reads in queries.py. Names and ID numbers are masked in
lists; the detail page shows them in full only to users who may see them at the case's unit, and audits that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.cases import queries, services
from edugov.cases.exports import dropout_ledgers
from edugov.cases.forms import CaseFilterForm, ContactForm
from edugov.cases.models import Case, CaseEvidence, DetectionRule
from edugov.core import audit
from edugov.core.choices import Permission
from edugov.core.scoping import descendant_ids, scope_for
from edugov.lib.idcard import mask_id, mask_name
from edugov.registry.models import OrgUnit
from edugov.web.views.common import login_required, page_of
from edugov.web.years import selected_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _row(case: Case) -> dict[str, Any]:
    ct = services.case_type(case.case_type)
    return {"case": case, "type_name": ct.name, "state_label": ct.label_of(case.state),
            "name": mask_name(case.subject_name), "id_number": mask_id(case.subject_id_number)
            if case.subject_id_number else "", "rule": DetectionRule(case.rule).label if case.rule else _("人工立案")}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """个案台账: open, overdue and closed-this-month cases in the user's scope, per type and per unit."""
    today = timezone.localdate()
    board = queries.dashboard(queries.cases_for(request.user), today)
    type_names = {row["case_type"]: services.case_type(row["case_type"]).name for row in board.by_type}
    return render(request, "cases/dashboard.html", {
        "board": board, "type_names": type_names, "today": today,
        "unread": queries.unread_count(request.user),
        "recent": queries.notifications_for(request.user).filter(read_at__isnull=True)[:5],
        "year": selected_year(request).start_year})


def _filtered(request: HttpRequest, form: CaseFilterForm) -> QuerySet[Case]:
    cases = queries.cases_for(request.user)
    if not form.is_valid():
        return cases
    data = form.cleaned_data
    today = timezone.localdate()
    if data["status"] == "open":
        cases = cases.filter(closed_at__isnull=True)
    elif data["status"] == "overdue":
        cases = cases.filter(closed_at__isnull=True, due_on__lt=today)
    elif data["status"] == "closed":
        cases = cases.filter(closed_at__isnull=False)
    if data["rule"] == "manual":
        cases = cases.filter(rule="")
    elif data["rule"]:
        cases = cases.filter(rule=data["rule"])
    if data["state"]:
        cases = cases.filter(state=data["state"])
    if data["unit"]:
        unit = OrgUnit.objects.filter(code=data["unit"]).first()
        if unit is None or not scope_for(request.user).contains(unit.pk):
            return cases.none()
        cases = cases.filter(unit_id__in=descendant_ids([unit.pk]))
    return cases


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    page = page_of(request, _filtered(request, form).order_by("-opened_at", "-pk"))
    return render(request, "cases/list.html", {"form": form, "page": page,
                                               "rows": [_row(c) for c in page.object_list],
                                               "today": timezone.localdate(), "query": request.GET.urlencode()})


def _transition_post(request: HttpRequest, case: Case) -> None:
    code = request.POST.get("transition", "")
    try:
        expected_version = int(request.POST.get("expected_version", ""))
    except ValueError as exc:
        raise ValidationError(_("请刷新页面后重试。")) from exc
    fields = {key[2:]: str(value) for key, value in request.POST.items() if key.startswith("f_")}
    files = [services.UploadedFile(f.name or "evidence", f.read()) for f in request.FILES.getlist("evidence")]
    services.take_transition(actor=request.user, case=case, transition_code=code,
                             expected_state=request.POST.get("expected_state", ""),
                             expected_version=expected_version, reason=request.POST.get("reason", ""),
                             fields=fields, evidence=files)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.case_or_404(request.user, pk)
    scope = scope_for(request.user)
    contact_form = ContactForm(request.POST if request.POST.get("action") == "contact" else None,
                               initial={"contacted_on": timezone.localdate()})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "transition":
                _transition_post(request, case)
                messages.success(request, _("已办理。"))
                return HttpResponseRedirect(reverse("case", args=[case.pk]))
            if action == "contact":
                if not scope.can_at(Permission.EDIT, case.unit_id):
                    raise PermissionDenied
                if contact_form.is_valid():
                    services.add_contact(actor=request.user, case=case, **contact_form.cleaned_data)
                    messages.success(request, _("劝返记录已登记。"))
                    return HttpResponseRedirect(reverse("case", args=[case.pk]) + "#contacts")
        except ValidationError as exc:
            messages.error(request, _messages(exc))
            case = queries.case_or_404(request.user, pk)
    ct = services.case_type(case.case_type)
    sensitive = scope.can_at(Permission.VIEW_SENSITIVE, case.unit_id)
    if sensitive and case.subject_name:
        audit.record_read(actor=request.user, obj=case, org_unit_id=case.unit_id, fields=("姓名", "身份证号"))
    log = list(case.transitions.select_related("actor").prefetch_related("evidence"))
    for entry in log:
        entry.from_label = ct.label_of(entry.from_state) if entry.from_state else ""  # type: ignore[attr-defined]
        entry.to_label = ct.label_of(entry.to_state)  # type: ignore[attr-defined]
        labels = {f.name: f.label for t in ct.transitions if t.code == entry.code for f in t.fields}
        entry.field_rows = [(labels.get(k, k), v) for k, v in entry.fields.items()]  # type: ignore[attr-defined]
    return render(request, "cases/detail.html", {
        "case": case, "case_type": ct, "state_label": ct.label_of(case.state),
        "name": case.subject_name if sensitive else mask_name(case.subject_name),
        "id_number": case.subject_id_number if sensitive else mask_id(case.subject_id_number)
        if case.subject_id_number else "",
        "rule": DetectionRule(case.rule).label if case.rule else _("人工立案"),
        "steps": services.available_transitions(request.user, case), "log": log,
        "contacts": case.contacts.select_related("recorded_by"), "contact_form": contact_form,
        "can_contact": case.is_open and scope.can_at(Permission.EDIT, case.unit_id),
        "today": timezone.localdate()})


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(CaseEvidence, pk=pk)
    queries.case_or_404(request.user, evidence.case_id)
    try:
        handle = Path(evidence.stored_path).open("rb")  # noqa: SIM115 (FileResponse closes it)
    except OSError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.file_name)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = queries.notifications_for(request.user)
    if request.method == "POST":
        services.mark_read(actor=request.user, notifications=list(rows.filter(read_at__isnull=True)))
        return HttpResponseRedirect(reverse("case_notifications"))
    page = page_of(request, rows)
    return render(request, "cases/notifications.html", {"page": page,
                                                        "unread": rows.filter(read_at__isnull=True).count()})


@login_required
def ledgers_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or selected_year(request).start_year)
    except ValueError as exc:
        raise Http404 from exc
    response = HttpResponse(dropout_ledgers(request.user, year), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''cases-dropout-{year}.xlsx"
    return response

