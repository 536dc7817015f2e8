from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from edugov.core.scoping import scope_for
from edugov.web import queries
from edugov.web.forms import OrgSearchForm
from edugov.web.views.common import get_unit, login_required, page_of, render_page
from edugov.web.years import selected_year


@login_required
def org_index(request: HttpRequest) -> HttpResponse:
    """机构: the tree as of the selected year's reference date, or a flat list of matches when searching."""
    year = selected_year(request)
    on = year.reference_date
    scope = scope_for(request.user)
    form = OrgSearchForm(request.GET or None)
    context: dict = {"form": form, "year": year}
    if form.is_filtering():
        data = form.cleaned_data
        matches = queries.search_units(scope, on, text=data["q"].strip(), kind=data["kind"],
                                       category=data["category"], area=data["area"])
        page = page_of(request, matches)
        context.update(searching=True, page=page,
                       nodes=queries.nodes(list(page.object_list), scope, on, with_parents=True))
    else:
        tops = queries.nodes(queries.top_units(scope, on), scope, on)
        # The user's own units open on arrival: their first level is what they came to see.
        for node in tops:
            node.children = queries.nodes(queries.child_units(node.unit, scope, on), scope, on)
        context.update(searching=False, nodes=tops)
    return render_page(request, "web/org/index.html", "web/org/_results.html", context)


@login_required
def org_children(request: HttpRequest, code: str) -> HttpResponse:
    """The children of one node, loaded when the user expands it."""
    unit = get_unit(request, code)
    year = selected_year(request)
    on = year.reference_date
    scope = scope_for(request.user)
    children = queries.nodes(queries.child_units(unit, scope, on), scope, on)
    return render(request, "web/org/_nodes.html", {"nodes": children, "parent": unit})
