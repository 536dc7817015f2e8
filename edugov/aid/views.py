"""Pages for 精准资助: list upload with its error report, the candidate list with review / approval / payment, and the
three reports with an Excel export. Thin: permissions and writes live in services.py, reads in queries.py. Names and
ID numbers are masked unless the user may see them at the pupil's school and asks to (an audited reveal)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from edugov.aid import engine, queries, services
from edugov.aid.models import AidCandidate, CandidateStatus
from edugov.core import audit
from edugov.core.choices import AuditAction, Permission
from edugov.core.scoping import scope_for
from edugov.lib.idcard import mask_id, mask_name
from edugov.registry.models import OrgUnit
from edugov.web.views.common import login_required, page_of
from edugov.web.years import selected_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or selected_year(request).start_year)
    except ValueError as exc:
        raise Http404 from exc


def _programme(request: HttpRequest) -> engine.Programme:
    code = request.GET.get("programme") or request.POST.get("programme") or "living_subsidy"
    try:
        return engine.load_programme(code)
    except engine.ProgrammeError as exc:
        raise Http404 from exc


def _unit(request: HttpRequest, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code.strip()).first()
    if unit is None or not scope_for(request.user).contains(unit.pk):
        raise ValidationError(_("单位“%(code)s”不存在或不在您的管辖范围内。") % {"code": code})
    return unit


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("请选择要上传的名单文件。"))
            data = upload.read()
            rows, first_row = services.read_table(upload.name or "", data)
            external = services.import_list(
                actor=request.user, unit=_unit(request, request.POST.get("unit", "")), year=_year(request),
                list_type=request.POST.get("list_type", ""), source=request.POST.get("source", ""), rows=rows,
                file_name=upload.name or "", data=data, first_row=first_row)
            messages.success(request, _("名单已导入：%(n)s 行。") % {"n": external.rows.count()})
            return HttpResponseRedirect(reverse("aid"))
        except ValidationError as exc:
            errors = exc.messages
        except PermissionDenied as exc:
            errors = [str(exc) or _("无权操作。")]
    uploads = queries.lists_for(request.user)[:50]
    return render(request, "aid/lists.html", {"uploads": uploads, "errors": errors, "list_types": engine.LIST_TYPES,
                                              "year": _year(request)})


def _candidate_post(request: HttpRequest) -> None:
    action = request.POST.get("action", "")
    if action == "generate":
        services.generate_candidates(actor=request.user, programme_code=_programme(request).code, year=_year(request),
                                     unit=_unit(request, request.POST.get("unit", "")))
        return
    try:
        candidate = queries.candidates_for(request.user).get(pk=int(request.POST.get("candidate", "")))
        version = int(request.POST.get("expected_version", ""))
    except (ValueError, AidCandidate.DoesNotExist) as exc:
        raise ValidationError(_("请刷新页面后重试。")) from exc
    reason = request.POST.get("reason", "")
    if action in ("review", "school_reject"):
        services.school_review(actor=request.user, candidate=candidate, expected_version=version,
                               approve=action == "review", reason=reason,
                               identity_confirmed=request.POST.get("identity_confirmed") == "1")
    elif action in ("approve", "district_reject"):
        services.district_approve(actor=request.user, candidate=candidate, expected_version=version,
                                  approve=action == "approve", reason=reason)
    elif action == "disburse":
        try:
            paid_on = dt.date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError as exc:
            raise ValidationError(_("请填写发放日期。")) from exc
        services.disburse(actor=request.user, candidate=candidate, expected_version=version,
                          amount=request.POST.get("amount") or candidate.amount, paid_on=paid_on,
                          reference=request.POST.get("reference", ""))
    else:
        raise ValidationError(_("未知的操作。"))


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    programme, year = _programme(request), _year(request)
    if request.method == "POST":
        try:
            _candidate_post(request)
            messages.success(request, _("已办理。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("无权操作。"))
        return HttpResponseRedirect(f"{reverse('aid_candidates')}?programme={programme.code}&year={year}")
    rows = queries.candidates_for(request.user).filter(programme=programme.code, year=year)
    status = request.GET.get("status", "")
    if status in CandidateStatus.values:
        rows = rows.filter(status=status)
    page = page_of(request, rows.order_by("student__unit__code", "student__student_no"))
    scope = scope_for(request.user)
    reveal = request.GET.get("reveal") == "1"
    shown: list[dict[str, Any]] = []
    for candidate in page.object_list:
        student = candidate.student
        full = reveal and scope.can_at(Permission.VIEW_SENSITIVE, student.unit_id)
        if full:
            audit.record_read(actor=request.user, obj=candidate, org_unit_id=student.unit_id,
                              fields=("姓名", "身份证号"))
        shown.append({"c": candidate, "name": student.name if full else mask_name(student.name),
                      "id_number": student.id_number if full else mask_id(student.id_number),
                      "lists": "、".join(engine.LIST_TYPES.get(t, t) for t in candidate.lists)})
    return render(request, "aid/candidates.html", {
        "programme": programme, "programmes": engine.available_programmes(), "year": year, "page": page,
        "rows": shown, "statuses": CandidateStatus.choices, "status": status, "reveal": reveal,
        "today": timezone.localdate()})


def _report_rows(request: HttpRequest, programme: engine.Programme, year: int) -> dict[str, list[list[Any]]]:
    scope = scope_for(request.user)

    def person(student: Any) -> list[str]:
        full = scope.can_at(Permission.VIEW_SENSITIVE, student.unit_id) and request.GET.get("reveal") == "1"
        return [student.unit.name, student.name if full else mask_name(student.name),
                student.id_number if full else mask_id(student.id_number)]

    labels = {value: str(label) for value, label in CandidateStatus.choices}
    return {
        "应助尽助缺口": [[*person(r.student), "、".join(engine.LIST_TYPES[t] for t in r.lists), str(r.amount),
                     "疑似匹配" if r.match_kind == "flagged" else "身份证号匹配", labels.get(r.status, "未生成")]
                    for r in queries.gap(request.user, programme, year)],
        "同一项目重复资助": [[*person(c.student), str(r.paid), str(r.amount), c.pk, labels[c.status]]
                     for r in queries.aided_twice(request.user, programme, year) for c in r.candidates],
        "已不符合条件仍在资助": [[*person(r.candidate.student), str(r.candidate.amount), labels[r.candidate.status],
                        r.reason] for r in queries.no_longer_eligible(request.user, programme, year)],
    }


HEADERS = {
    "应助尽助缺口": ["学校", "姓名", "身份证号", "所在名单", "应助金额（元/年）", "匹配方式", "资助状态"],
    "同一项目重复资助": ["学校", "姓名", "身份证号", "已发放合计（元）", "年度标准（元）", "资助对象编号", "状态"],
    "已不符合条件仍在资助": ["学校", "姓名", "身份证号", "金额（元/年）", "状态", "原因"],
}


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    programme, year = _programme(request), _year(request)
    tables = [(title, HEADERS[title], rows) for title, rows in _report_rows(request, programme, year).items()]
    return render(request, "aid/reports.html", {"programme": programme, "year": year, "tables": tables,
                                                "programmes": engine.available_programmes()})


@login_required
def reports_xlsx(request: HttpRequest) -> HttpResponse:
    programme, year = _programme(request), _year(request)
    wb = Workbook()
    first = True
    counts = {}
    for title, rows in _report_rows(request, programme, year).items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = title
        ws.append(HEADERS[title])
        for row in rows:
            ws.append(row)
        counts[title] = len(rows)
    audit.record(actor=request.user, action=AuditAction.EXPORT, object_type="aid.reports",
                 object_id=f"{programme.code}:{year}", object_repr=f"精准资助报表 {programme.name} {year}",
                 after=counts)
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''aid-{programme.code}-{year}.xlsx"
    return response
