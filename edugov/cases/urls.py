from django.urls import path

from edugov.cases import views

urlpatterns = [
    path("", views.dashboard, name="cases"),
    path("list/", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("evidence/<int:pk>/", views.evidence_download, name="case_evidence"),
    path("notifications/", views.notifications, name="case_notifications"),
    path("ledgers.xlsx", views.ledgers_xlsx, name="case_ledgers"),
    path("hazards/", views.hazards, name="case_hazards"),
    path("hazards.xlsx", views.hazard_ledger_xlsx, name="case_hazard_ledger"),
    path("screening/", views.screening_import, name="case_screening"),
    path("new/", views.open_case_page, name="case_open"),
    path("upload/residents/", views.upload_residents, name="case_upload_residents"),
    path("upload/roster/", views.upload_roster, name="case_upload_roster"),
    path("upload/absences/", views.upload_absences, name="case_upload_absences"),
]
