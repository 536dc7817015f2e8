from django.urls import path

from edugov.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.round_index, name="rounds"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/results.xlsx", views.round_xlsx, name="round_xlsx"),
    path("<int:pk>/results.docx", views.round_docx, name="round_docx"),
    path("<int:pk>/results.pdf", views.round_pdf, name="round_pdf"),
    path("<int:pk>/<slug:action>/", views.round_action, name="round_action"),
    path("<int:pk>/units/<int:unit_pk>/", views.unit_detail, name="unit"),
    path("entries/<int:pk>/evidence/", views.entry_evidence, name="entry_evidence"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
