"""Pages for evaluation rounds: the list, a round's ranking, a unit's item tree across stages with the entry form
of the user's stage, evidence, and the Excel export.

Thin views: permissions and all writes live in services.py, scoped reads in queries.py."""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edugov.core.choices import Permission
from edugov.core.files import download
from edugov.core.scoping import scope_for
from edugov.evaluation import queries, services
from edugov.evaluation.engine import ItemResult, SchemeError, UnitResult, display
from edugov.evaluation.engine.exact import readable
from edugov.evaluation.exports import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    results_report,
    results_xlsx,
)
from edugov.evaluation.forms import EntryForm, EvidenceForm, RoundForm
from edugov.evaluation.models import DATA_STAGE, DATA_STAGE_NAME, EvaluationRound, StageEntry, StageEvidence
from edugov.lib.report import to_docx, to_pdf
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.web.views.common import login_required, page_of


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _attachment(name: str) -> str:
    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|')[:150]
    return f"attachment; filename*=UTF-8''{quote(safe)}"


def _files(request: HttpRequest) -> list[services.UploadedDocument]:
    return [services.UploadedDocument(f.name or "evidence", f.read()) for f in request.FILES.getlist("evidence")]


def _organising_units(request: HttpRequest) -> Any:
    """Units the user may organise an evaluation for: cities and counties where they hold editing rights."""
    units = OrgUnit.objects.filter(kind__in=[UnitKind.CITY, UnitKind.COUNTY], closed_on__isnull=True)
    allowed = scope_for(request.user).units_with(Permission.EDIT)
    if allowed is not None:
        units = units.filter(pk__in=allowed)
    return units.order_by("kind", "code")


@login_required
def round_index(request: HttpRequest) -> HttpResponse:
    """Rounds the user can see; a form to open one for users who may organise an evaluation."""
    units = _organising_units(request)
    can_create = units.exists()
    form = RoundForm(request.POST or None, units=units)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            scheme_id, version = data["scheme"].split("|", 1)
            try:
                rnd = services.create_round(
                    actor=request.user, evaluating_unit=data["evaluating_unit"], scheme_id=scheme_id,
                    version=version, year=data["year"], data_year=data["data_year"], name=data["name"],
                    evaluated_kind=data["evaluated_kind"])
            except ValidationError as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, _("评价轮次已创建。"))
                return HttpResponseRedirect(reverse("evaluation:round", args=[rnd.pk]))
    rounds = queries.rounds_for(request.user).prefetch_related("units")
    return render(request, "evaluation/index.html", {
        "page": page_of(request, rounds, 50), "form": form, "can_create": can_create})


def _stages(rnd: EvaluationRound) -> list[tuple[str, str]]:
    return [(DATA_STAGE, DATA_STAGE_NAME)] + [(s.code, s.name) for s in services.scheme_of(rnd).stages]


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round: its pinned scheme, stage, the ranking table and the units the user can open."""
    rnd = queries.round_or_404(request.user, pk)
    scheme = services.scheme_of(rnd)
    results = list(queries.results_for(request.user, rnd))
    rows = [{"r": r, "total": display(Fraction(r.total), scheme.display_places), "vetoes": r.result["vetoes"],
             "consequences": r.result["consequences"], "incomplete": bool(r.result["missing"])} for r in results]
    stage_names = dict(_stages(rnd))
    return render(request, "evaluation/round.html", {
        "round": rnd, "scheme": scheme, "rows": rows, "units": queries.visible_units(request.user, rnd),
        "can_manage": services.can_manage(request.user, rnd), "stages": scheme.stages,
        "stage_name": stage_names.get(rnd.stage, _("已结束")),
        "data_notes": sorted(rnd.data_notes.items()), "sees_all": queries.sees_all_units(request.user, rnd)})


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rnd = queries.round_or_404(request.user, pk)
    try:
        if action == "fill":
            notes = services.fill_from_catalogue(actor=request.user, rnd=rnd)
            messages.success(request, _("已从指标目录填入数据（未填入项目 %(n)s 条说明）。") % {"n": len(notes)})
        elif action == "advance":
            services.advance_stage(actor=request.user, rnd=rnd)
            messages.success(request, _("已进入下一阶段。"))
        elif action == "compute":
            services.compute_results(actor=request.user, rnd=rnd)
            messages.success(request, _("评价结果已计算。"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    except SchemeError as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("evaluation:round", args=[rnd.pk]))


@login_required
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = queries.round_or_404(request.user, pk)
    data = results_xlsx(rnd, list(queries.results_for(request.user, rnd)), services.scheme_of(rnd))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(f"{rnd.year}{rnd.name}评价结果.xlsx")
    return response


def _results_file(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    """The results report as Word or PDF, with the same access and the same rows as the Excel file."""
    rnd = queries.round_or_404(request.user, pk)
    report = results_report(rnd, list(queries.results_for(request.user, rnd)), services.scheme_of(rnd))
    if extension == "pdf":
        response = HttpResponse(to_pdf(report), content_type=PDF_CONTENT_TYPE)
    else:
        response = HttpResponse(to_docx(report), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(f"{rnd.year}{rnd.name}评价结果.{extension}")
    return response


@login_required
def round_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _results_file(request, pk, "docx")


@login_required
def round_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _results_file(request, pk, "pdf")


def _cell(value: Any, points: Any) -> str:
    parts = []
    if isinstance(value, bool):
        parts.append(_("是") if value else _("否"))
    elif isinstance(value, Fraction) and value != points:  # a manual item's "value" is its points
        parts.append(readable(value))
    if points is not None:
        parts.append(f"{readable(points)} 分")
    return " → ".join(parts)


def _tree(result: UnitResult, stages: list[tuple[str, str]],
          evidence: dict[tuple[str, str], list[StageEvidence]]) -> list[dict[str, Any]]:
    disagree = {d.code for d in result.discrepancies}
    rows: list[dict[str, Any]] = []

    def walk(item: ItemResult, depth: int) -> None:
        said = {s.stage: s for s in item.stages}
        cells = []
        for code, _name in stages:
            s = said.get(code)
            cells.append({"text": _cell(s.value, s.points) if s else "", "note": s.note if s else "",
                          "effective": item.stage == code and bool(s),
                          "evidence": evidence.get((item.code, code), [])})
        rows.append({"item": item, "depth": depth, "indent": depth * 1.2, "cells": cells,
                     "points": readable(item.points), "max": readable(item.max_points),
                     "discrepancy": item.code in disagree, "leaf": not item.children})
        for child in item.children:
            walk(child, depth + 1)

    for top in result.items:
        walk(top, 0)
    return rows


@login_required
def unit_detail(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """One unit's item tree: each stage's value and points side by side, the effective one marked, disagreements
    flagged, evidence linked; and the entry form of the stage the user may enter now."""
    rnd = queries.round_or_404(request.user, pk)
    unit = queries.unit_or_404(request.user, rnd, unit_pk)
    scheme = services.scheme_of(rnd)
    stage = services.allowed_stage(request.user, rnd, unit)
    form = EntryForm(request.POST or None, request.FILES or None, scheme=scheme)
    if request.method == "POST":
        if stage is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.enter(actor=request.user, rnd=rnd, unit=unit, stage=stage, code=data["code"],
                               value=data["value"], points=data["points"], count=data["count"],
                               flag=form.flag_value(), note=data["note"], evidence=_files(request))
            except ValidationError as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, _("已保存。"))
                return HttpResponseRedirect(reverse("evaluation:unit", args=[rnd.pk, unit.pk]))
    entries = list(queries.entries_of(rnd, unit))
    evidence: dict[tuple[str, str], list[StageEvidence]] = {}
    for e in entries:
        evidence.setdefault((e.code, e.stage), []).extend(e.evidence.all())
    result = services.evaluate_unit(rnd, unit, scheme)
    stages = _stages(rnd)
    stage_names = dict(stages)
    return render(request, "evaluation/unit.html", {
        "round": rnd, "unit": unit, "scheme": scheme, "result": result, "stages": stages,
        "rows": _tree(result, stages, evidence), "form": form, "stage": stage,
        "stage_name": stage_names.get(stage or "", ""),
        "total": display(result.total, scheme.display_places),
        "stage_totals": [{"name": t.stage_name, "total": display(t.total, scheme.display_places), "grade": t.grade,
                          "vetoed": t.vetoed} for t in result.stage_totals],
        "discrepancies": result.discrepancies, "adjustments": result.adjustments, "vetoes": result.vetoes,
        "other_entries": [e for e in entries if e.kind != "item"],
        "own_entries": [e for e in entries if e.stage == stage] if stage else [],
        "evidence_form": EvidenceForm()})


@login_required
@require_POST
def entry_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = StageEntry.objects.select_related("round", "unit").get(pk=pk)
    except StageEntry.DoesNotExist as exc:
        raise Http404 from exc
    rnd = queries.round_or_404(request.user, entry.round_id)
    queries.unit_or_404(request.user, rnd, entry.unit_id)
    try:
        services.add_evidence(actor=request.user, entry=entry, files=_files(request))
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("佐证材料已上传。"))
    return HttpResponseRedirect(reverse("evaluation:unit", args=[rnd.pk, entry.unit_id]))


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = queries.evidence_or_404(request.user, pk)
    return download(evidence.stored_path, evidence.file_name)
