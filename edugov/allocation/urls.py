from django.urls import path

from edugov.allocation import views

app_name = "allocation"

urlpatterns = [
    path("", views.draw_list, name="list"),
    path("roster/", views.draw_roster, name="roster"),
    path("<str:public_id>/", views.draw_public, name="public"),
    path("<str:public_id>/verify/", views.draw_verify, name="verify"),
    path("<str:public_id>/result.csv", views.draw_public_csv, name="public_csv"),
    path("<str:public_id>/record.json", views.draw_record_json, name="record"),
    path("<str:public_id>/perform/", views.draw_perform, name="perform"),
    path("<str:public_id>/files/<str:which>/", views.draw_file, name="file"),
]
