from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from edugov.core.scoping import scope_for
from edugov.lib.schoolyear import SchoolYear, SchoolYearError
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.web import queries
from edugov.web.templatetags.web_tags import grade_label
from edugov.web.views.common import get_unit, login_required
from edugov.web.years import selected_year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """首页: the user's own units with their totals, one row per child unit, and the two charts. A parent's account
    (self-registered for enrolment, no role) has no units: its home is the parent's own applications."""
    year = selected_year(request)
    scope = scope_for(request.user)
    if not scope.everything and not scope.root_ids and hasattr(request.user, "parent_account"):
        return HttpResponseRedirect(reverse("enrolment:mine"))
    on = year.reference_date
    tree = queries.build_tree(scope, queries.top_unit_ids(scope, on), on)
    sections = [queries.section_for(tree, root, year) for root in tree.roots]
    return render(request, "web/home.html", {"sections": sections, "year": year})


def _year_param(request: HttpRequest) -> SchoolYear:
    """The year in ?year=, so that a chart URL means the same thing whoever opens it; else the selected year."""
    raw = request.GET.get("year")
    if raw:
        try:
            return SchoolYear.parse(raw)
        except SchoolYearError:
            pass
    return selected_year(request)


def _unit_tree(request: HttpRequest, code: str) -> tuple[OrgUnit, SchoolYear, queries.Tree]:
    unit = get_unit(request, code)
    year = _year_param(request)
    on = year.reference_date
    tree = queries.build_tree(scope_for(request.user), [unit.pk], on, hierarchy=queries.hierarchy_below(unit))
    return unit, year, tree


@login_required
def students_chart(request: HttpRequest, code: str) -> JsonResponse:
    """在校生 by child unit; for a school, by grade and sex."""
    unit, year, tree = _unit_tree(request, code)
    payload: dict = {"year": year.start_year, "unit": {"code": unit.code, "name": unit.name}, "labels": [],
                     "series": []}
    if unit.pk not in tree.units:  # not open in that year
        return JsonResponse(payload)
    if unit.kind == UnitKind.SCHOOL:
        grades = queries.students_by_grade(unit.pk, year)
        payload["labels"] = [grade_label(grade) for grade, _m, _f in grades]
        payload["series"] = [{"name": _("男"), "data": [m for _l, m, _f in grades]},
                             {"name": _("女"), "data": [f for _l, _m, f in grades]}]
        payload["by"] = "grade"
    else:
        section = queries.section_for(tree, unit.pk, year)
        payload["labels"] = [row.name for row in section.children]
        payload["codes"] = [row.unit.code for row in section.children]
        payload["series"] = [{"name": _("在校生"), "data": [row.figures.students for row in section.children]}]
        payload["by"] = "child"
    return JsonResponse(payload)


@login_required
def class_sizes_chart(request: HttpRequest, code: str) -> JsonResponse:
    """Number of primary and secondary classes by size band, with the 56 and 66 thresholds."""
    unit, year, tree = _unit_tree(request, code)
    schools = tree.schools_below(unit.pk) if unit.pk in tree.units else []
    rows = queries.class_size_distribution(schools, year)
    return JsonResponse({
        "year": year.start_year,
        "unit": {"code": unit.code, "name": unit.name},
        "labels": [label for label, _n, _low in rows],
        "counts": [n for _label, n, _low in rows],
        "levels": [low if low in (queries.LARGE_CLASS, queries.VERY_LARGE_CLASS) else None for _l, _n, low in rows],
        "thresholds": [queries.LARGE_CLASS, queries.VERY_LARGE_CLASS],
    })


@login_required
def children_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    """The child-unit table as an Excel workbook, the form in which bureau staff pass figures on."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    unit, year, tree = _unit_tree(request, code)
    section = queries.section_for(tree, unit.pk, year) if unit.pk in tree.units else None
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("下级单位")[:31]
    categories = section.categories if section else []
    headers = [_("机构代码"), _("名称"), *[str(label) for _k, label in categories], _("学校合计"), _("在校生"),
               _("班级数"), _("56人及以上班级"), _("66人及以上班级"), _("专任教师")]
    sheet.append([f"{unit.name} {year.label}"])
    sheet.append(headers)
    sheet["A1"].font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    rows = [*section.children, section.total] if section else []
    for row in rows:
        code_cell = _("合计") if section is not None and row is section.total else row.unit.code
        sheet.append([code_cell, row.name, *[row.schools.get(k, 0) for k, _l in categories], row.school_total,
                      row.figures.students, row.figures.classes, row.figures.classes_56, row.figures.classes_66,
                      row.figures.teachers])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{unit.code}-{year.start_year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
