from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from edugov.core.scoping import scope_for
from edugov.registry.models import OrgUnit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    roots = scope.filter(OrgUnit.objects.all(), "pk")
    if not scope.everything:
        roots = roots.filter(pk__in=scope.root_ids)
    else:
        roots = roots.filter(kind="city")
    return render(request, "web/home.html", {"roots": roots})
