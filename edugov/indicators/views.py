"""Indicator pages: the catalogue for a unit with its rank among peers, one indicator with its children, chart,
drill-down and disaggregations, and the acceptance status of counties (普及普惠 and 优质均衡) with exports.

Every page reads the unit from ``?unit=CODE`` through the user's scope (out of scope → 404) and defaults to the
user's top unit; the year is the one chosen in the header (``selected_year``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from edugov.core.scoping import scope_for
from edugov.indicators import exports, pages
from edugov.indicators.acceptance import county_acceptance
from edugov.indicators.adapter import indicator_values
from edugov.indicators.catalogue import CatalogueError
from edugov.indicators.catalogue.evaluate import display
from edugov.indicators.services import current_catalogue
from edugov.lib.schoolyear import SchoolYear
from edugov.registry.models import OrgUnit
from edugov.web.queries import top_unit_ids
from edugov.web.views.common import get_unit, login_required
from edugov.web.years import selected_year


def _unit(request: HttpRequest, year: SchoolYear) -> OrgUnit | None:
    """?unit=CODE within the user's scope (404 otherwise), else the user's top unit (None if they have none)."""
    code = request.GET.get("unit")
    if code:
        return get_unit(request, code)
    ids = top_unit_ids(scope_for(request.user), year.reference_date)
    units = sorted(OrgUnit.objects.filter(pk__in=ids), key=lambda u: (u.kind != "city", u.kind != "county", u.code))
    return units[0] if units else None


def _indicator_or_404(code: str) -> None:
    try:
        current_catalogue().indicator(code)
    except CatalogueError as exc:
        raise Http404 from exc


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _no_unit(request: HttpRequest, year: SchoolYear, title: str) -> HttpResponse:
    return render(request, "indicators/no_unit.html", {"year": year, "title": title})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """指标: every catalogue indicator for the unit, failing first, with its rank among peers."""
    year = selected_year(request)
    unit = _unit(request, year)
    if unit is None:
        return _no_unit(request, year, "指标")
    rows, peers = pages.catalogue_rows(unit, year, scope_for(request.user))
    return render(request, "indicators/index.html", {"unit": unit, "year": year, "rows": rows, "peers": peers})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    year = selected_year(request)
    _indicator_or_404(code)
    unit = _unit(request, year)
    if unit is None:
        return _no_unit(request, year, code)
    info = pages.indicator_detail(unit, code, year, scope_for(request.user))
    return render(request, "indicators/detail.html", {"unit": unit, "year": year, "detail": info,
                                                      "indicator": info.indicator, "value": info.value})


@login_required
def chart(request: HttpRequest, code: str) -> JsonResponse:
    """The children's values for an ECharts bar chart with the threshold line; ``null`` = no data (never 0)."""
    year = selected_year(request)
    _indicator_or_404(code)
    unit = _unit(request, year)
    if unit is None:
        raise Http404
    info = pages.indicator_detail(unit, code, year, scope_for(request.user), with_disaggregations=False)
    t = info.indicator.threshold
    places = info.indicator.display_places
    return JsonResponse({
        "code": code, "name": info.indicator.name_zh, "unit": info.indicator.unit, "year": year.start_year,
        "parent": {"code": unit.code, "name": unit.name},
        "labels": [r.unit.name for r in info.children if r.unit is not None],
        "codes": [r.unit.code for r in info.children if r.unit is not None],
        "values": [None if r.value.value is None else float(display(r.value.value, places)) for r in info.children],
        "met": [r.value.met for r in info.children],
        "ranks": [r.rank for r in info.children],
        "threshold": None if t is None else float(display(t.value, places)),
        "comparator": None if t is None else t.comparator,
        "threshold_uncertain": bool(t is not None and t.uncertain),
    })


@login_required
def children_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    year = selected_year(request)
    _indicator_or_404(code)
    unit = _unit(request, year)
    if unit is None:
        raise Http404
    info = pages.indicator_detail(unit, code, year, scope_for(request.user), with_disaggregations=False)
    title = f"{unit.name} {year.label} {info.indicator.name_zh}（下级单位）"
    return _file(exports.children_xlsx(title, info.children), exports.XLSX_CONTENT_TYPE,
                 f"{code}-{unit.code}-{year.start_year}.xlsx")


@login_required
def acceptance(request: HttpRequest) -> HttpResponse:
    """验收状态: per county under the unit, 普及普惠 and 优质均衡 with failing items first and their gaps."""
    year = selected_year(request)
    unit = _unit(request, year)
    if unit is None:
        return _no_unit(request, year, "验收状态")
    counties = pages.counties_under(unit, year, scope_for(request.user))
    results = county_acceptance(unit, year.start_year, counties)
    return render(request, "indicators/acceptance.html", {"unit": unit, "year": year, "counties": results})


@login_required
def acceptance_xlsx(request: HttpRequest) -> HttpResponse:
    year = selected_year(request)
    unit = _unit(request, year)
    if unit is None:
        raise Http404
    counties = pages.counties_under(unit, year, scope_for(request.user))
    results = county_acceptance(unit, year.start_year, counties)
    content = exports.acceptance_xlsx(f"{unit.name} {year.label}", results)
    return _file(content, exports.XLSX_CONTENT_TYPE, f"acceptance-{unit.code}-{year.start_year}.xlsx")


def _county_report(request: HttpRequest, county: str, extension: str) -> HttpResponse:
    """One county's 自评报告 as Word or PDF: one report, the same scoping (``get_unit``) for both files."""
    year = selected_year(request)
    unit = get_unit(request, county)
    if unit.kind != "county":
        raise Http404
    results = county_acceptance(unit, year.start_year, [unit])
    render, content_type = ((exports.acceptance_pdf, exports.PDF_CONTENT_TYPE) if extension == "pdf"
                            else (exports.acceptance_docx, exports.DOCX_CONTENT_TYPE))
    content = render(results[0], year, indicator_values(unit, year.start_year))
    return _file(content, content_type, f"acceptance-{unit.code}-{year.start_year}.{extension}")


@login_required
def acceptance_docx(request: HttpRequest, county: str) -> HttpResponse:
    return _county_report(request, county, "docx")


@login_required
def acceptance_pdf(request: HttpRequest, county: str) -> HttpResponse:
    return _county_report(request, county, "pdf")
