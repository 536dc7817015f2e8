from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from edugov.core.choices import Permission
from edugov.core.scoping import require
from edugov.web import auditlog
from edugov.web.forms import AuditFilterForm
from edugov.web.views.common import login_required, page_of, render_page


@login_required
def audit_index(request: HttpRequest) -> HttpResponse:
    """审计日志: who did what to which unit's data, filtered; only events of units in scope."""
    scope = require(request.user, Permission.VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None, object_types=auditlog.object_type_choices(scope))
    events = auditlog.events_for(scope)
    if form.is_bound and form.is_valid():
        events = auditlog.filtered(events, form.cleaned_data)
    page = page_of(request, events)
    rows = [(event, auditlog.shown_repr(event, scope), auditlog.type_label(event.object_type))
            for event in page.object_list]
    return render_page(request, "web/audit/index.html", "web/audit/_table.html",
                       {"form": form, "page": page, "rows": rows})


@login_required
def audit_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    scope = require(request.user, Permission.VIEW_AUDIT)
    event = get_object_or_404(auditlog.events_for(scope), pk=event_id)
    return render(request, "web/audit/detail.html", {
        "event": event, "changes": auditlog.changes(event, scope), "object_repr": auditlog.shown_repr(event, scope),
        "type_label": auditlog.type_label(event.object_type),
    })
