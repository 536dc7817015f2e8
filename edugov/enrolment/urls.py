from django.urls import path

from edugov.enrolment import api, views

app_name = "enrolment"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.my_application, name="my_application"),
    path("mine/<int:pk>/evidence/", views.my_evidence, name="my_evidence"),
    path("mine/<int:pk>/resubmit/", views.my_resubmit, name="my_resubmit"),
    path("mine/<int:pk>/respond/", views.my_respond, name="my_respond"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("staff/", views.staff_rounds, name="staff_rounds"),
    path("staff/applications/<int:pk>/", views.staff_application, name="staff_application"),
    path("staff/applications/<int:pk>/reveal/", views.staff_reveal, name="staff_reveal"),
    path("staff/<str:public_id>/", views.staff_round, name="staff_round"),
    path("staff/<str:public_id>/<str:action>/", views.staff_round_action, name="staff_round_action"),
    path("api/<str:public_id>/applications/", api.RoundApplications.as_view(), name="api_applications"),
    path("api/<str:public_id>/intake/", api.intake_post, name="api_intake"),
    path("api/intake/<int:pk>/", api.intake_status, name="api_intake_status"),
    path("<str:public_id>/apply/", views.apply, name="apply"),
    path("<str:public_id>/results/", views.results, name="results"),
    path("<str:public_id>/verify/", views.verify, name="verify"),
    path("<str:public_id>/files/<str:which>", views.public_file, name="public_file"),
]
