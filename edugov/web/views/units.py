from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from edugov.core.audit import record_read
from edugov.core.choices import Permission
from edugov.core.scoping import scope_for
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import versions_on
from edugov.web import queries
from edugov.web.views.common import get_unit, login_required, page_of, render_page
from edugov.web.years import available_years, selected_year

# What an unmasked list reveals, as written to the audit trail.
REVEALED_FIELDS = ("身份证号", "姓名", "学籍号", "出生日期")


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """学校页 / 区县页: profile as of the selected year, the year's data, figures by year, history."""
    unit = get_unit(request, code)
    year = selected_year(request)
    on = year.reference_date
    scope = scope_for(request.user)
    version = versions_on([unit.pk], on).get(unit.pk)
    context: dict = {
        "unit": unit,
        "year": year,
        # A unit closed before the year shows its last registered attributes.
        "version": version or unit.versions.order_by("-valid_from").first(),
        "active": unit.is_active(on) and version is not None,
        "crumbs": queries.breadcrumb(unit, scope, on),
        "memberships": queries.memberships(unit, scope, on),
        "years": queries.yearly_rows(scope, unit, available_years(request)),
        "history": queries.history(unit),
        "is_school": unit.kind == UnitKind.SCHOOL,
    }
    if unit.kind == UnitKind.SCHOOL:
        context["data"] = queries.school_year_data(unit, year)
    else:
        tree = queries.build_tree(scope, [unit.pk], on, hierarchy=queries.hierarchy_below(unit))
        context["section"] = queries.section_for(tree, unit.pk, year) if unit.pk in tree.units else None
    return render(request, "web/unit/detail.html", context)


def _people_context(request: HttpRequest, unit: OrgUnit, kind: str, reveal: bool) -> dict:
    year = selected_year(request)
    records = queries.students_of(unit, year) if kind == "students" else queries.teachers_of(unit, year)
    return {"unit": unit, "year": year, "page": page_of(request, records), "reveal": reveal, "kind": kind,
            # per unit, not per user: a role elsewhere must not offer the button here
            "can_view_sensitive": scope_for(request.user).can_at(Permission.VIEW_SENSITIVE, unit.pk)}


def _people(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    unit = get_unit(request, code)
    context = _people_context(request, unit, kind, reveal=False)
    return render_page(request, "web/unit/people.html", f"web/unit/_{kind}.html", context)


@login_required
def students(request: HttpRequest, code: str) -> HttpResponse:
    return _people(request, code, "students")


@login_required
def teachers(request: HttpRequest, code: str) -> HttpResponse:
    return _people(request, code, "teachers")


@login_required
@require_POST
def reveal(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """显示完整证件号: the same page of the list, unmasked, with one audit row per person shown.

    A separate, deliberate POST rather than a default: whoever sees a pupil's full ID number leaves a trace."""
    unit = get_unit(request, code)  # 404 outside the scope comes first: it must not reveal that the unit exists
    if not scope_for(request.user).can_at(Permission.VIEW_SENSITIVE, unit.pk):
        raise PermissionDenied
    if kind not in ("students", "teachers"):
        raise PermissionDenied
    context = _people_context(request, unit, kind, reveal=True)
    with transaction.atomic():
        for record in context["page"].object_list:
            record_read(actor=request.user, obj=record, org_unit_id=record.unit_id, fields=REVEALED_FIELDS)
    response = render_page(request, "web/unit/people.html", f"web/unit/_{kind}.html", context)
    # Full numbers must not linger in shared browser or proxy caches.
    response["Cache-Control"] = "no-store"
    return response

