from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("edugov.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("draws/", include("edugov.allocation.urls")),
    path("plans/", include("edugov.plans.urls")),
    path("enrol/", include("edugov.enrolment.urls")),
    path("cases/", include("edugov.cases.urls")),
    path("aid/", include("edugov.aid.urls")),
    path("indicators/", include("edugov.indicators.urls")),
    path("evaluation/", include("edugov.evaluation.urls")),
    path("", include("edugov.web.urls")),
]
