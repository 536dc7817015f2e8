from django.urls import path

from edugov.aid import views

urlpatterns = [
    path("", views.lists, name="aid"),
    path("candidates/", views.candidates, name="aid_candidates"),
    path("reports/", views.reports, name="aid_reports"),
    path("reports.xlsx", views.reports_xlsx, name="aid_reports_xlsx"),
]
