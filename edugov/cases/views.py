"""Pages for cases: the per-unit dashboard, the filtered list, a case with its steps, 劝返 contacts and log, the
notifications, and the 控辍保学 ledgers in Excel.

Thin views: permissions and all writes live in services.py, reads in queries.py. Names and ID numbers are masked in
lists; the detail page shows them in full only to users who may see them at the case's unit, and audits that."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.cases import mental_health, queries, safety, services, uploads
from edugov.cases.engine import screening
from edugov.cases.exports import dropout_ledgers
from edugov.cases.forms import (
    AbsenceUploadForm,
    CaseFilterForm,
    ContactForm,
    HazardForm,
    InterventionForm,
    OpenCaseForm,
    ReinspectionForm,
    ResidentUploadForm,
    RosterUploadForm,
    ScreeningUploadForm,
)
from edugov.cases.models import Case, CaseEvidence, DetectionRule
from edugov.core import audit
from edugov.core.choices import AuditAction, Permission
from edugov.core.files import download
from edugov.core.scoping import descendant_ids, scope_for
from edugov.lib.idcard import mask_id, mask_name
from edugov.registry.models import OrgUnit
from edugov.stats.models import StudentRecord
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
        "unread": queries.unread_count(request.user), "restricted": queries.restricted_aggregates(request.user),
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
    intervention_form = InterventionForm(request.POST if request.POST.get("action") == "intervention" else None,
                                         initial={"on": timezone.localdate()})
    restricted = services.restricted_permission(case.case_type)
    reinspect_form = reinspection_form(request)
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
            if action == "intervention" and intervention_form.is_valid():
                mental_health.add_intervention(actor=request.user, case=case, **intervention_form.cleaned_data)
                messages.success(request, _("干预记录已登记。"))
                return HttpResponseRedirect(reverse("case", args=[case.pk]) + "#interventions")
            if action == "reinspection" and reinspect_form.is_valid():
                safety.record_reinspection(actor=request.user, case=case, **reinspect_form.cleaned_data)
                messages.success(request, _("回头看已登记。"))
                return HttpResponseRedirect(reverse("case", args=[case.pk]))
        except ValidationError as exc:
            messages.error(request, _messages(exc))
            case = queries.case_or_404(request.user, pk)
    ct = services.case_type(case.case_type)
    sensitive = scope.can_at(restricted or Permission.VIEW_SENSITIVE, case.unit_id)
    if sensitive and case.subject_name:
        audit.record(actor=request.user, action=AuditAction.READ_SENSITIVE, obj=case,
                     object_repr=services.audit_repr(case), org_unit_id=case.unit_id, message="姓名、身份证号")
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
        "can_contact": case.is_open and case.case_type == "dropout" and scope.can_at(Permission.EDIT, case.unit_id),
        "interventions": case.interventions.all() if case.case_type == mental_health.CASE_TYPE else None,
        "intervention_form": intervention_form,
        "can_intervene": case.is_open and case.case_type == mental_health.CASE_TYPE
        and scope.can_at(Permission.VIEW_MENTAL_HEALTH, case.unit_id),
        "details": _details(case, ct),
        "reinspections": case.reinspections.all() if case.case_type == safety.CASE_TYPE else None,
        "can_reinspect": case.case_type == safety.CASE_TYPE and case.follow_up_on is not None
        and case.follow_up_done_on is None and scope.can_at(Permission.EDIT, case.unit_id),
        "reinspection_form": reinspect_form,
        "today": timezone.localdate()})


DETAIL_LABELS = {
    "place": "隐患部位", "category": "隐患类别", "severity": "隐患等级", "description": "隐患描述",
    "found_on": "发现日期",
    "owner_unit": "整改责任单位", "owner": "整改责任人", "deadline": "整改时限", "part": "验收类别", "name": "问题",
    "value": "当前值", "threshold": "标准", "quote": "目标原文", "indicator": "指标", "current": "当前值",
    "gap": "差距", "scale": "量表", "score": "得分", "risk_level": "风险等级", "screened_on": "筛查日期",
}


def _details(case: Case, ct: Any) -> list[tuple[str, str]]:
    """The case's own facts (a hazard's place and severity, a finding's item and gap, a screening score)."""
    if case.case_type == "dropout":
        return []
    rows = [(label, case.data[key]) for key, label in DETAIL_LABELS.items() if case.data.get(key) not in (None, "")]
    if case.case_type == mental_health.CASE_TYPE and case.data.get("risk_level") in screening.LEVELS:
        rows = [(k, screening.LEVELS[v] if k == "风险等级" else v) for k, v in rows]
    return [(k, str(v)) for k, v in rows]


def reinspection_form(request: HttpRequest) -> ReinspectionForm:
    if request.method == "POST" and request.POST.get("action") == "reinspection":
        return ReinspectionForm(request.POST)
    return ReinspectionForm(initial={"inspected_on": timezone.localdate()})


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(CaseEvidence, pk=pk)
    queries.case_or_404(request.user, evidence.case_id)
    return download(evidence.stored_path, evidence.file_name)


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



# --------------------------------------------------------------------------------------------------------------------
# Campus safety


@login_required
def hazards(request: HttpRequest) -> HttpResponse:
    """The hazards per school (open ones by severity), the 回头看 due, and the form to record an inspection with a
    hazard found in it."""
    today = timezone.localdate()
    scope = scope_for(request.user)
    form = HazardForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        school = OrgUnit.objects.filter(code=data["school"]).first()
        try:
            if school is None or not scope.contains(school.pk):
                raise ValidationError(_("未找到学校“%(code)s”。") % {"code": data["school"]})
            inspection = safety.record_inspection(
                actor=request.user, school=school, inspected_on=data["inspected_on"], inspector=data["inspector"],
                kind=data["kind"])
            photos = [services.UploadedFile(f.name or "photo", f.read()) for f in request.FILES.getlist("photos")]
            case = safety.report_hazard(actor=request.user, inspection=inspection, place=data["place"],
                                        category=data["category"], severity=data["severity"],
                                        description=data["description"], photos=photos)
            messages.success(request, _("隐患已登记。"))
            return HttpResponseRedirect(reverse("case", args=[case.pk]))
        except PermissionDenied:
            messages.error(request, _("您无权登记该学校的安全检查。"))
        except ValidationError as exc:
            messages.error(request, _messages(exc))
    cases = safety.hazards_for(request.user)
    return render(request, "cases/hazards.html", {
        "form": form, "schools": safety.by_school(cases, today), "severities": safety.SEVERITIES,
        "due": safety.reinspections_due(cases, today, within_days=14), "today": today,
        "can_edit": scope.can(Permission.EDIT)})


@login_required
def hazard_ledger_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else None
    except ValueError as exc:
        raise Http404 from exc
    response = HttpResponse(safety.hazard_ledger(request.user, year=year), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''cases-hazards-{year or 'all'}.xlsx"
    return response


# --------------------------------------------------------------------------------------------------------------------
# Mental-health screening


@login_required
def screening_import(request: HttpRequest) -> HttpResponse:
    """Import of screening results, for 心理健康专员 only (others get 404: the page's existence is not hidden, but
    nothing about its data is shown)."""
    scope = scope_for(request.user)
    if not scope.can(Permission.VIEW_MENTAL_HEALTH):
        raise Http404
    form = ScreeningUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = OrgUnit.objects.filter(code=data["unit"]).first()
        upload = data["file"]
        try:
            if unit is None or not scope.can_at(Permission.VIEW_MENTAL_HEALTH, unit.pk):
                raise ValidationError(_("未找到单位“%(code)s”或您无权导入。") % {"code": data["unit"]})
            rows = mental_health.read_rows(upload.name or "", upload.read())
            outcome = mental_health.import_screening(actor=request.user, unit=unit, year=data["year"], rows=rows,
                                                     file_name=upload.name or "")
            messages.success(request, _("已导入 %(rows)s 条筛查结果，新立预警个案 %(cases)s 件。")
                             % {"rows": len(outcome.results), "cases": len(outcome.opened)})
            return HttpResponseRedirect(reverse("case_screening"))
        except ValidationError as exc:
            problems = list(exc.messages)
    cut = mental_health.cutoffs()
    return render(request, "cases/screening.html", {"form": form, "problems": problems, "cutoffs": cut,
                                                    "levels": screening.LEVELS})


# --------------------------------------------------------------------------------------------------------------------
# Uploads the 控辍保学 rules read, and opening a case by hand


def _unit_by_code(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise ValidationError(_("未找到单位“%(code)s”。") % {"code": code})
    return unit


def _upload_page(request: HttpRequest, form: Any, *, title: str, columns: str, sample: str,
                 run: Any) -> HttpResponse:
    """One upload page: the form, and after a refused file every row problem listed on the page (nothing stored)."""
    if not scope_for(request.user).can(Permission.EDIT):
        raise PermissionDenied
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            message = run(form.cleaned_data, upload.name or "", upload.read())
            messages.success(request, message)
            return HttpResponseRedirect(request.path)
        except PermissionDenied as exc:
            problems = [str(exc) or _("无权操作。")]
        except ValidationError as exc:
            problems = list(exc.messages)
    return render(request, "cases/upload.html", {"form": form, "problems": problems, "title": title,
                                                 "columns": columns, "sample": sample})


def _default_year(request: HttpRequest) -> dict[str, Any]:
    return {"year": selected_year(request).start_year, "checked_on": timezone.localdate()}


@login_required
def upload_residents(request: HttpRequest) -> HttpResponse:
    """户籍 / population list of children for a county or town (查户籍)."""
    form = ResidentUploadForm(request.POST or None, request.FILES or None, initial=_default_year(request))

    def run(data: dict[str, Any], name: str, content: bytes) -> str:
        rows = uploads.read_sheet(name, content, required=("身份证号", "姓名"))
        imported = uploads.import_residents(actor=request.user, unit=_unit_by_code(data["unit"]), year=data["year"],
                                            source=data["source"], rows=rows, file_name=name)
        return _("户籍名单已导入：%(n)s 名儿童。运行控辍保学比对后，未查到学籍的适龄儿童将自动立案。") % {
            "n": imported.children.count()}

    return _upload_page(request, form, title=_("上传户籍适龄儿童名单"), run=run,
                        columns="身份证号、姓名（必填）；出生日期、户籍地址、监护人（可选）",
                        sample="身份证号,姓名,出生日期,户籍地址\n370202201503010011,王小明,2015-03-01,新镇幸福村")


@login_required
def upload_roster(request: HttpRequest) -> HttpResponse:
    """A school's roster of pupils actually present (学籍号), compared with its 学籍 (人籍分离)."""
    form = RosterUploadForm(request.POST or None, request.FILES or None, initial=_default_year(request))

    def run(data: dict[str, Any], name: str, content: bytes) -> str:
        rows = uploads.read_sheet(name, content, required=("学籍号",))
        roster = uploads.import_roster(actor=request.user, school=_unit_by_code(data["school"]), year=data["year"],
                                       checked_on=data["checked_on"], rows=rows)
        return _("在校生名册已上传：%(n)s 人。") % {"n": len(roster.student_nos)}

    return _upload_page(request, form, title=_("上传在校生名册"), run=run, columns="学籍号（每行一名在校学生）",
                        sample="学籍号\nG370202201503010011")


@login_required
def upload_absences(request: HttpRequest) -> HttpResponse:
    """Runs of consecutive absence, one row per run (学籍号, 起始日期, 天数)."""
    form = AbsenceUploadForm(request.POST or None, request.FILES or None, initial=_default_year(request))

    def run(data: dict[str, Any], name: str, content: bytes) -> str:
        rows = uploads.read_sheet(name, content, required=("学籍号", "起始日期", "天数"))
        absences = uploads.import_absences(actor=request.user, unit=_unit_by_code(data["unit"]), year=data["year"],
                                           rows=rows)
        return _("已导入 %(n)s 条连续缺课记录。") % {"n": len(absences)}

    return _upload_page(request, form, title=_("导入连续缺课记录"), run=run,
                        columns="学籍号、起始日期、天数（每段连续缺课一行）",
                        sample="学籍号,起始日期,天数\nG370202201503010011,2024-10-08,16")


MANUAL_TYPES = ("dropout", "mental_health", "rectification")
STUDENT_TYPES = ("dropout", "mental_health")


@login_required
def open_case_page(request: HttpRequest) -> HttpResponse:
    """A case opened by hand by staff: the type, the pupil by 学籍号 within the user's scope (the pupil's school is
    responsible) or the responsible unit, a title and the reason. Mental-health cases only for counsellors, with a
    neutral title."""
    scope = scope_for(request.user)
    choices = [(code, services.case_type(code).name) for code in MANUAL_TYPES
               if scope.can(services.restricted_permission(code) or Permission.EDIT)]
    if not choices:
        raise PermissionDenied
    form = OpenCaseForm(request.POST or None, case_types=choices, initial={"year": selected_year(request).start_year})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = _open_manual(request, data)
            messages.success(request, _("已立案。"))
            return HttpResponseRedirect(reverse("case", args=[case.pk]))
        except PermissionDenied as exc:
            problems = [str(exc) or _("无权操作。")]
        except ValidationError as exc:
            problems = list(exc.messages)
    return render(request, "cases/open.html", {"form": form, "problems": problems})


def _open_manual(request: HttpRequest, data: dict[str, Any]) -> Case:
    code, year, scope = data["case_type"], data["year"], scope_for(request.user)
    student = None
    if code in STUDENT_TYPES:
        number = data["student_no"].strip()
        if not number:
            raise ValidationError(_("请填写学籍号。"))
        student = StudentRecord.objects.filter(year=year, student_no=number).select_related("unit").first()
        if student is None or not scope.contains(student.unit_id):
            raise ValidationError(_("在您的管辖范围内未找到 %(year)s 学年学籍号为 %(no)s 的学生。")
                                  % {"year": year, "no": number})
        unit = student.unit
        existing = Case.objects.filter(case_type=code, student=student, closed_at__isnull=True).first()
        if existing is not None:
            raise ValidationError(_("该学生已有办理中的同类个案（#%(pk)s），请在该个案中办理。") % {"pk": existing.pk})
    else:
        if not data["unit"].strip():
            raise ValidationError(_("请填写责任单位代码。"))
        unit = _unit_by_code(data["unit"])
        if not scope.contains(unit.pk):
            raise ValidationError(_("“%(unit)s”不在您的管辖范围内。") % {"unit": unit.name})
    title = data["title"].strip()
    if code == mental_health.CASE_TYPE:
        title = _("心理健康预警（人工立案）")
    elif student is not None and student.name and student.name in title:
        raise ValidationError(_("标题中请勿写学生姓名。"))
    return services.open_case(actor=request.user, case_type_code=code, unit=unit, title=title, year=year,
                              student=student, school=student.unit if student is not None else None,
                              reason=data["reason"])

