from django.urls import path

from edugov.plans import views

urlpatterns = [
    path("", views.plan_index, name="plans"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/ledger/", views.plan_ledger, name="plan_ledger"),
    path("<int:pk>/ledger.xlsx", views.plan_ledger_xlsx, name="plan_ledger_xlsx"),
    path("<int:pk>/ledger.docx", views.plan_ledger_docx, name="plan_ledger_docx"),
    path("versions/<int:pk>/", views.version_review, name="plan_version"),
    path("versions/<int:pk>/source/", views.version_source, name="plan_version_source"),
    path("versions/<int:pk>/diff/", views.version_diff, name="plan_version_diff"),
    path("versions/<int:pk>/accept-all/", views.version_accept_all, name="plan_version_accept_all"),
    path("versions/<int:pk>/publish/", views.version_publish, name="plan_version_publish"),
    path("versions/<int:pk>/targets/", views.add_target, name="plan_add_target"),
    path("versions/<int:pk>/measures/", views.add_measure, name="plan_add_measure"),
    path("measures/<int:pk>/", views.measure_item, name="plan_measure"),
    path("targets/<int:pk>/", views.target_item, name="plan_target"),
    path("tasks/<int:pk>/", views.task_detail, name="plan_task"),
    path("tasks/<int:pk>/escalate/", views.task_escalate, name="plan_task_escalate"),
    path("escalations/", views.escalation_index, name="plan_escalations"),
    path("targets/", views.target_index, name="plan_targets"),
    path("targets/<int:pk>/withdraw/", views.target_withdraw, name="plan_target_withdraw"),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="plan_escalation_resolve"),
    path("evidence/<int:pk>/", views.evidence_download, name="plan_evidence"),
]
