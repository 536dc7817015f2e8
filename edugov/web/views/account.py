from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from edugov.web.views.common import login_required
from edugov.web.years import choose_year


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
@require_POST
def set_year(request: HttpRequest) -> HttpResponse:
    """Keeps the chosen school year in the session and returns to the page the user was on."""
    choose_year(request, request.POST.get("year", ""))
    return HttpResponseRedirect(_safe_next(request))
