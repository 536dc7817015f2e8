"""Pages for public draws: the public page (no login) with the verify button, and the scoped staff list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edugov.allocation import queries, services
from edugov.allocation.engine.records import sha256_hex
from edugov.allocation.engine.runs import VerifyReport
from edugov.allocation.forms import DrawCreateForm, PerformDrawForm, RosterDrawForm
from edugov.allocation.models import Draw
from edugov.core import audit
from edugov.core.choices import Permission
from edugov.core.scoping import scope_for
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.stats.models import StudentRecord
from edugov.web.views.common import is_htmx, login_required

#: rows of the output shown on the public page; the download has all of them
ROWS_SHOWN = 300
#: a re-run costs up to seconds of CPU; repeat clicks within this time get the same report
VERIFY_CACHE_SECONDS = 60


def _public_context(draw: Draw) -> dict[str, Any]:
    header, rows = queries.public_rows(draw)
    return {"draw": draw, "header": header, "rows": rows[:ROWS_SHOWN], "row_total": len(rows),
            "masked": draw.is_drawn and queries.masks_output(draw)}


def draw_public(request: HttpRequest, public_id: str) -> HttpResponse:
    """公开抽签: commitment before the draw; seed, hashes and the masked result after it. No login needed."""
    draw = queries.get_public_draw(public_id)
    return render(request, "allocation/public.html", _public_context(draw))


def _cached_report(draw: Draw) -> VerifyReport:
    # Keyed on what is stored now, so any change to the stored files or seed is re-verified at once.
    state = sha256_hex(bytes(draw.input_bytes) + b"|" + bytes(draw.output_bytes) + b"|" + draw.seed.encode())
    key = f"allocation:verify:{draw.pk}:{draw.status}:{state}"
    report: VerifyReport | None = cache.get(key)
    if report is None:
        report = services.verify_draw(draw)
        cache.set(key, report, VERIFY_CACHE_SECONDS)
    return report


@require_POST
def draw_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """重新计算并验证: re-runs the draw from its stored input and shows 验证通过 or what differs."""
    draw = queries.get_public_draw(public_id)
    context = {**_public_context(draw), "report": _cached_report(draw)}
    template = "allocation/_verify.html" if is_htmx(request) else "allocation/public.html"
    return render(request, template, context)


def draw_public_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    """The result with names masked, as CSV."""
    draw = queries.get_public_draw(public_id)
    if not draw.is_drawn:
        raise Http404
    response = HttpResponse(queries.public_csv(draw), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.public_id}-public.csv"'
    return response


def draw_record_json(request: HttpRequest, public_id: str) -> HttpResponse:
    """The run record (canonical JSON) of a finished draw."""
    draw = queries.get_public_draw(public_id)
    if not draw.is_drawn or not draw.record:
        raise Http404
    from edugov.allocation.engine.records import RunRecord

    response = HttpResponse(RunRecord.from_dict(dict(draw.record)).to_bytes(),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.public_id}.json"'
    return response


def _editable_units(request: HttpRequest) -> Any:
    units = scope_for(request.user).units_with(Permission.EDIT)
    qs = OrgUnit.objects.filter(closed_on__isnull=True).order_by("code")
    return qs if units is None else qs.filter(pk__in=units)


def _editable_schools(request: HttpRequest) -> Any:
    return _editable_units(request).filter(kind=UnitKind.SCHOOL)


def _roster_form(request: HttpRequest, data: Any = None) -> RosterDrawForm:
    schools = _editable_schools(request)
    latest = (StudentRecord.objects.filter(unit__in=schools).order_by("-year").values_list("year", flat=True)
              .first()) if data is None else None
    return RosterDrawForm(data, schools=schools, initial={"year": latest or timezone.localdate().year},
                          auto_id="roster_%s")


def _list_page(request: HttpRequest, form: DrawCreateForm, roster_form: RosterDrawForm) -> HttpResponse:
    scope = scope_for(request.user)
    draws = list(queries.draws_for(request.user)[:200])
    editable = {d.pk for d in draws if scope.can_at(Permission.EDIT, d.org_unit_id)}
    return render(request, "allocation/list.html", {"form": form, "roster_form": roster_form, "draws": draws,
                                                    "can_create": scope.can(Permission.EDIT), "editable": editable,
                                                    "perform_form": PerformDrawForm()})


@login_required
@require_POST
def draw_roster(request: HttpRequest) -> HttpResponse:
    """均衡分班 from a school's 学籍 records: the input is built on the server from the grade's StudentRecords
    (学籍号, 性别, 特殊需要), then committed like an uploaded file. A school outside the user's edit scope is a 404."""
    if not scope_for(request.user).can(Permission.EDIT):
        raise PermissionDenied
    raw = request.POST.get("school", "")
    if raw and not (raw.isdigit() and _editable_schools(request).filter(pk=int(raw)).exists()):
        raise Http404
    roster_form = _roster_form(request, request.POST)
    if roster_form.is_valid():
        d = roster_form.cleaned_data
        try:
            draw = services.commit_roster_draw(
                actor=request.user, school=d["school"], year=d["year"], grade=d["grade"], classes=d["classes"],
                title=d["title"], min_size=d.get("min_size"), max_size=d.get("max_size"), seed=d["seed"] or None,
                public_source=d["public_source"],
            )
        except ValidationError as exc:
            roster_form.add_error(None, exc)
        else:
            messages.success(request, _("已按学籍名单公布分班承诺。请把公开页面地址和承诺值告知有关各方。"))
            return HttpResponseRedirect(reverse("allocation:public", args=[draw.public_id]))
    form = DrawCreateForm(units=_editable_units(request))
    return _list_page(request, form, roster_form)


@login_required
def draw_list(request: HttpRequest) -> HttpResponse:
    """公开抽签 (staff): the draws of the user's units and, for users who may edit, the forms for a new draw (an
    uploaded file, or 均衡分班 from a school's 学籍 records)."""
    scope = scope_for(request.user)
    can_create = scope.can(Permission.EDIT)
    form = DrawCreateForm(request.POST or None, request.FILES or None, units=_editable_units(request))
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                draw = services.commit_draw(
                    actor=request.user, org_unit=form.cleaned_data["org_unit"], kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"], input_name=upload.name, input_bytes=upload.read(),
                    parameters=form.parameters(), seed=form.cleaned_data["seed"] or None,
                    public_source=form.cleaned_data["public_source"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已公布抽签承诺。请把公开页面地址和承诺值告知有关各方。"))
                return HttpResponseRedirect(reverse("allocation:public", args=[draw.public_id]))
    return _list_page(request, form, _roster_form(request))


@login_required
@require_POST
def draw_perform(request: HttpRequest, public_id: str) -> HttpResponse:
    """抽签: reveals the seed (the sealed one, or the one typed) and runs the draw."""
    draw = queries.get_draw_for_user(request.user, public_id)
    form = PerformDrawForm(request.POST)
    seed = form.cleaned_data["seed"] if form.is_valid() else ""
    try:
        services.perform_draw(actor=request.user, draw=draw, seed=seed or None)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(reverse("allocation:list"))
    messages.success(request, _("抽签完成，结果与种子已公开。"))
    return HttpResponseRedirect(reverse("allocation:public", args=[draw.public_id]))


@login_required
def draw_file(request: HttpRequest, public_id: str, which: str) -> HttpResponse:
    """The unmasked input or output file, for staff who may see personal data at the unit (audited)."""
    draw = queries.get_draw_for_user(request.user, public_id)
    if not scope_for(request.user).can_at(Permission.VIEW_SENSITIVE, draw.org_unit_id):
        raise PermissionDenied
    if which == "input":
        data, name = bytes(draw.input_bytes), draw.input_name
    elif which == "output" and draw.is_drawn:
        data, name = bytes(draw.output_bytes), f"draw-{draw.public_id}.csv"
    else:
        raise Http404
    audit.record_read(actor=request.user, obj=draw, org_unit_id=draw.org_unit_id, fields=(which,))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
