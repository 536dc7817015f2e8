from django.contrib.auth import views as auth_views
from django.urls import path

from edugov.web.views import account, audit, dashboard, imports, org, quality, units

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("year/", account.set_year, name="set_year"),
    path("org/", org.org_index, name="org"),
    path("org/<str:code>/children/", org.org_children, name="org_children"),
    path("units/<str:code>/", units.unit_detail, name="unit"),
    path("units/<str:code>/students/", units.students, name="unit_students"),
    path("units/<str:code>/teachers/", units.teachers, name="unit_teachers"),
    path("units/<str:code>/<str:kind>/reveal/", units.reveal, name="unit_reveal"),
    path("units/<str:code>/charts/students.json", dashboard.students_chart, name="chart_students"),
    path("units/<str:code>/charts/class-sizes.json", dashboard.class_sizes_chart, name="chart_class_sizes"),
    path("units/<str:code>/children.xlsx", dashboard.children_xlsx, name="unit_children_xlsx"),
    path("imports/", imports.import_index, name="imports"),
    path("imports/template.xlsx", imports.import_template, name="import_template"),
    path("imports/<int:run_id>/", imports.import_detail, name="import_detail"),
    path("imports/<int:run_id>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:run_id>/apply/", imports.import_apply, name="import_apply"),
    path("imports/<int:run_id>/errors.xlsx", imports.import_errors, name="import_errors"),
    path("quality/", quality.quality_index, name="quality"),
    path("audit/", audit.audit_index, name="audit"),
    path("audit/<int:event_id>/", audit.audit_detail, name="audit_detail"),
]
