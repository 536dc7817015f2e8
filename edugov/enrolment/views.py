"""Pages of the enrolment workflow (一网通办): the parent's side (register, apply, my applications, evidence,
resubmit, accept or decline), the staff side (rounds, review, lottery) and the public results page.

Thin views: permissions and all writes live in services.py, reads in queries.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edugov.core import audit
from edugov.core.choices import Permission
from edugov.core.files import download
from edugov.core.scoping import descendant_ids, scope_for
from edugov.enrolment import lottery, queries, services
from edugov.enrolment.choices import EDITABLE_BY_PARENT, PENDING_REVIEW, ApplicationStatus, RoundStatus, Tier
from edugov.enrolment.forms import (
    ApplicationForm,
    EvidenceForm,
    ReasonForm,
    RegisterForm,
    ReviewFilterForm,
    RoundForm,
    RoundSchoolForm,
    SecondRoundForm,
    SeedForm,
)
from edugov.enrolment.models import Application, EnrolmentRound, Evidence
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.web.views.common import is_htmx, login_required, page_of

#: what the unmasked detail page shows, as written to the audit trail
REVEALED_FIELDS = ("id_number", "child_name", "guardian_name", "guardian_phone", "address")


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --------------------------------------------------------------------------------------------------------------------
# Parents


def index(request: HttpRequest) -> HttpResponse:
    """网上报名: the rounds open now."""
    staff = request.user.is_authenticated and bool(scope_for(request.user).root_ids or request.user.is_superuser)
    return render(request, "enrolment/index.html", {"rounds": queries.open_rounds(), "staff": staff})


def register(request: HttpRequest) -> HttpResponse:
    """家长注册: a user with no role, logged in at once."""
    form = RegisterForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_parent(username=form.cleaned_data["username"],
                                            password=form.cleaned_data["password"], phone=form.cleaned_data["phone"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(next_url or reverse("enrolment:index"))
    return render(request, "enrolment/register.html", {"form": form, "next": next_url})


@login_required
def apply(request: HttpRequest, public_id: str) -> HttpResponse:
    """报名表: the child (身份证号 checked), guardian, address and up to three choices; a retry with the same
    hidden key lands on the same application."""
    rnd = queries.public_round(public_id)
    form = ApplicationForm(request.POST or None, rnd=rnd)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.submit_application(actor=request.user, rnd=rnd, data=form.application_data(),
                                                      idempotency_key=form.cleaned_data["idempotency_key"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("报名已提交，报名编号 %(ref)s。请上传户籍、房产等证明材料。")
                             % {"ref": application.reference})
            return HttpResponseRedirect(reverse("enrolment:my_application", args=[application.pk]))
    return render(request, "enrolment/apply.html", {"round": rnd, "form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的报名: only the user's own applications."""
    apps = list(queries.applications_of_parent(request.user))
    rows = [(a, queries.parent_status_label(a)) for a in apps]
    return render(request, "enrolment/mine.html", {"rows": rows})


def _parent_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    rnd = application.round
    changeable = not rnd.seed_commitment and rnd.status in (RoundStatus.OPEN, RoundStatus.CLOSED)
    return {
        "application": application,
        "status_label": queries.parent_status_label(application),
        "result_visible": queries.result_visible_to_parent(application),
        "events": application.events.filter(notify=True).order_by("-at", "-id"),
        "evidence": application.evidence.all(),
        "evidence_form": EvidenceForm(),
        "can_upload": changeable and application.status in EDITABLE_BY_PARENT,
        "can_resubmit": changeable and application.status == ApplicationStatus.RETURNED,
        "can_respond": rnd.status == RoundStatus.PUBLISHED and application.status == ApplicationStatus.ADMITTED,
    }


@login_required
def my_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = queries.application_for_parent(request.user, pk)
    return render(request, "enrolment/my_application.html", _parent_context(request, application))


@login_required
@require_POST
def my_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    application = queries.application_for_parent(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_evidence(actor=request.user, application=application, kind=form.cleaned_data["kind"],
                                  name=upload.name or "", data=upload.read())
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("材料已上传。"))
    else:
        messages.error(request, _("请选择材料类型和文件。"))
    return HttpResponseRedirect(reverse("enrolment:my_application", args=[pk]))


@login_required
def my_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """补正后重新提交: the form prefilled with the application."""
    application = queries.application_for_parent(request.user, pk)
    rnd = application.round
    form = ApplicationForm(request.POST or None, rnd=rnd, initial=ApplicationForm.initial_from(application))
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit(actor=request.user, application=application, data=form.application_data())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已重新提交，等待审核。"))
            return HttpResponseRedirect(reverse("enrolment:my_application", args=[pk]))
    return render(request, "enrolment/apply.html", {"round": rnd, "form": form, "application": application})


@login_required
@require_POST
def my_respond(request: HttpRequest, pk: int) -> HttpResponse:
    application = queries.application_for_parent(request.user, pk)
    accept = request.POST.get("accept") == "1"
    try:
        services.respond(actor=request.user, application=application, accept=accept)
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("已确认入学。") if accept else _("已放弃录取。"))
    return HttpResponseRedirect(reverse("enrolment:my_application", args=[pk]))


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """A document of an application: for its parent, or for staff who may review it (a sensitive read)."""
    evidence = get_object_or_404(Evidence.objects.select_related("application__round"), pk=pk)
    application = evidence.application
    if application.parent_id != request.user.pk:
        application = queries.application_for_staff(request.user, application.pk)
        if not queries.can_see_sensitive(request.user, application):
            raise PermissionDenied
        audit.record_read(actor=request.user, obj=evidence, org_unit_id=application.round.unit_id,
                          fields=("evidence",))
    return download(evidence.stored_path, evidence.file_name)


# --------------------------------------------------------------------------------------------------------------------
# Public results


def _results_context(rnd: EnrolmentRound) -> dict[str, Any]:
    return {"round": rnd, "rows": queries.public_rows(rnd), "schools": rnd.schools.select_related("school")}


def results(request: HttpRequest, public_id: str) -> HttpResponse:
    """公开结果: commitment before the draw; after publication the list with names and ID numbers masked, the seed,
    the hashes and the verify button. No login needed."""
    rnd = queries.public_round(public_id)
    return render(request, "enrolment/results.html", _results_context(rnd))


@require_POST
def verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """重新计算并验证: re-runs the lottery from the stored input and seed."""
    rnd = queries.public_round(public_id)
    if rnd.status != RoundStatus.PUBLISHED:
        raise Http404
    context = {**_results_context(rnd), "report": services.verify_round(rnd)}
    return render(request, "enrolment/_verify.html" if is_htmx(request) else "enrolment/results.html", context)


def public_file(request: HttpRequest, public_id: str, which: str) -> HttpResponse:
    """The lottery's files (no personal data: school codes, references, tiers): inputs from the commitment on,
    output and run record after publication."""
    rnd = queries.public_round(public_id)
    published = rnd.status == RoundStatus.PUBLISHED
    files: dict[str, tuple[bytes, str]] = {}
    if rnd.seed_commitment:
        files["schools.csv"] = (bytes(rnd.input_schools), "text/csv; charset=utf-8")
        files["applicants.csv"] = (bytes(rnd.input_applicants), "text/csv; charset=utf-8")
    if published and rnd.record:
        files["results.csv"] = (bytes(rnd.output_bytes), "text/csv; charset=utf-8")
        files["record.json"] = (lottery.record_json(rnd.record), "application/json; charset=utf-8")
    if which not in files:
        raise Http404
    data, content_type = files[which]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="enrol-{rnd.public_id}-{which}"'
    return response


# --------------------------------------------------------------------------------------------------------------------
# Staff


def _district_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    units = scope_for(request.user).units_with(Permission.EDIT)
    qs = OrgUnit.objects.filter(closed_on__isnull=True).exclude(kind=UnitKind.SCHOOL).order_by("code")
    return qs if units is None else qs.filter(pk__in=units)


@login_required
def staff_rounds(request: HttpRequest) -> HttpResponse:
    """招生管理: the rounds of the user's scope and the form for a new round."""
    if not scope_for(request.user).can(Permission.VIEW):
        raise PermissionDenied
    units = _district_units(request)
    can_create = units.exists()
    form = RoundForm(request.POST or None, units=units)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            window = (d["born_from"], d["born_to"]) if d["born_from"] or d["born_to"] else None
            try:
                rnd = services.create_round(actor=request.user, unit=d["unit"], kind=d["kind"], year=d["year"],
                                            name=d["name"], opens_at=d["opens_at"], closes_at=d["closes_at"],
                                            age_window=window)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("enrolment:staff_round", args=[rnd.public_id]))
    rounds = queries.rounds_for_staff(request.user)[:200]
    return render(request, "enrolment/staff_rounds.html", {"rounds": rounds, "form": form, "can_create": can_create})


def _filtered(request: HttpRequest, rnd: EnrolmentRound) -> tuple[ReviewFilterForm, QuerySet[Application]]:
    form = ReviewFilterForm(request.GET or None, schools=rnd.schools.select_related("school"))
    apps = queries.applications_for_staff(request.user, rnd)
    if form.is_valid():
        d = form.cleaned_data
        if d["status"]:
            apps = apps.filter(status=d["status"])
        if d["school"]:
            apps = apps.filter(choices__school=d["school"]).distinct()
        if d["tier"]:
            apps = apps.filter(choices__claimed_tier=d["tier"]).distinct()
        if d["q"]:
            apps = apps.filter(reference__icontains=d["q"].strip())
    return form, apps.order_by("reference")


@login_required
def staff_round(request: HttpRequest, public_id: str) -> HttpResponse:
    """One round: schools, the lottery steps, and the review list with filters (names and IDs masked)."""
    rnd = queries.round_for_staff(request.user, public_id)
    manage = services.can_manage_round(request.user, rnd)
    school_units = OrgUnit.objects.filter(pk__in=descendant_ids([rnd.unit_id]), kind=UnitKind.SCHOOL,
                                          closed_on__isnull=True).order_by("code")
    school_form = RoundSchoolForm(request.POST or None, schools=school_units)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if school_form.is_valid():
            d = school_form.cleaned_data
            try:
                services.add_school(actor=request.user, rnd=rnd, school=d["school"], capacity=d["capacity"],
                                    tiers=d["tiers"])
            except ValidationError as exc:
                school_form.add_error(None, exc)
            else:
                return HttpResponseRedirect(reverse("enrolment:staff_round", args=[public_id]))
    filter_form, apps = _filtered(request, rnd)
    schools = list(rnd.schools.select_related("school"))
    context = {
        "round": rnd, "manage": manage, "school_form": school_form, "schools": schools,
        "filter_form": filter_form, "page": page_of(request, apps),
        "pending": rnd.applications.filter(status__in=PENDING_REVIEW).count(),
        "seed_form": SeedForm(), "second_form": SecondRoundForm(),
        "vacancies": services.vacancies(rnd) if rnd.status == RoundStatus.PUBLISHED else {},
    }
    return render(request, "enrolment/staff_round.html", context)


@login_required
@require_POST
def staff_round_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """开始报名 / 结束报名 / 公布承诺值 / 摇号 / 公布结果 / 开启第二轮."""
    rnd = queries.round_for_staff(request.user, public_id)
    target = reverse("enrolment:staff_round", args=[public_id])
    try:
        if action == "open":
            services.open_round(actor=request.user, rnd=rnd)
        elif action == "close":
            services.close_round(actor=request.user, rnd=rnd)
        elif action == "commit":
            form = SeedForm(request.POST)
            seed = form.cleaned_data["seed"] if form.is_valid() else ""
            services.commit_seed(actor=request.user, rnd=rnd, seed=seed or None)
        elif action == "draw":
            services.draw(actor=request.user, rnd=rnd, seed=request.POST.get("seed") or None)
        elif action == "publish":
            services.publish(actor=request.user, rnd=rnd)
        elif action == "second":
            second_form = SecondRoundForm(request.POST)
            if not second_form.is_valid():
                raise services.EnrolmentError(_("请填写第二轮的名称和报名时间。"))
            d = second_form.cleaned_data
            second = services.open_second_round(actor=request.user, first=rnd, name=d["name"],
                                                opens_at=d["opens_at"], closes_at=d["closes_at"])
            target = reverse("enrolment:staff_round", args=[second.public_id])
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("操作已完成。"))
    return HttpResponseRedirect(target)


def _staff_context(request: HttpRequest, application: Application, reveal: bool) -> dict[str, Any]:
    return {
        "application": application,
        "reveal": reveal,
        "can_view_sensitive": queries.can_see_sensitive(request.user, application),
        "can_review": services.can_review(request.user, application)
        and application.status in PENDING_REVIEW and not application.round.seed_commitment,
        "events": application.events.select_related("actor").order_by("at", "id"),
        "evidence": application.evidence.all(),
        "reason_form": ReasonForm(),
        "tiers": Tier.choices,
    }


@login_required
def staff_application(request: HttpRequest, pk: int) -> HttpResponse:
    """One application for review, masked; approve (with the verified tier per choice), return or reject."""
    application = queries.application_for_staff(request.user, pk)
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            if decision == "approve":
                tiers = {c.pk: request.POST.get(f"tier_{c.pk}", "") for c in application.choices.all()}
                services.approve(actor=request.user, application=application,
                                 verified_tiers={k: v for k, v in tiers.items() if v})
            elif decision in ("return", "reject"):
                reason = request.POST.get("reason", "")
                service = services.return_application if decision == "return" else services.reject
                service(actor=request.user, application=application, reason=reason)
            else:
                raise services.EnrolmentError(_("未知的审核操作。"))
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("审核结果已保存。"))
        return HttpResponseRedirect(reverse("enrolment:staff_application", args=[pk]))
    return render(request, "enrolment/staff_application.html", _staff_context(request, application, reveal=False))


@login_required
@require_POST
def staff_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整信息: the same page unmasked, for VIEW_SENSITIVE at the district or a chosen school; audited."""
    application = queries.application_for_staff(request.user, pk)
    if not queries.can_see_sensitive(request.user, application):
        raise PermissionDenied
    audit.record_read(actor=request.user, obj=application, org_unit_id=application.round.unit_id,
                      fields=REVEALED_FIELDS)
    response = render(request, "enrolment/staff_application.html", _staff_context(request, application, reveal=True))
    response["Cache-Control"] = "no-store"
    return response
