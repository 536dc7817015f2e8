"""/api/: the versioned REST API under v1/, its OpenAPI schema and two renderings of it (Swagger UI, Redoc).

The schema and documentation pages need a login like everything else: they describe a government system's data.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from edugov.api.views import audit, auth, imports, people, plans, stats, units


class Router(DefaultRouter):
    # No ".json" suffix routes: they double every path in the schema and no client needs them.
    include_format_suffixes = False


router = Router()
router.register("units", units.UnitViewSet, basename="unit")
router.register("school-stats", stats.SchoolStatsViewSet, basename="school-stats")
router.register("enrolments", stats.EnrolmentViewSet, basename="enrolment")
router.register("classes", stats.ClassSectionViewSet, basename="class")
router.register("teacher-stats", stats.TeacherStatsViewSet, basename="teacher-stats")
router.register("population", stats.PopulationViewSet, basename="population")
router.register("students", people.StudentViewSet, basename="student")
router.register("teachers", people.TeacherViewSet, basename="teacher")
router.register("audit-events", audit.AuditEventViewSet, basename="audit-event")
router.register("imports", imports.ImportRunViewSet, basename="import")
router.register("plans", plans.PlanViewSet, basename="plan")
router.register("tasks", plans.TaskViewSet, basename="task")
router.register("targets", plans.TargetViewSet, basename="target")
router.register("escalations", plans.EscalationViewSet, basename="escalation")

v1 = [
    path("auth/token/", auth.TokenLoginView.as_view(), name="api-token"),
    path("imports/<int:pk>/errors.xlsx",
         imports.ImportRunViewSet.as_view({"get": "errors_xlsx"}, renderer_classes=imports.ERRORS_XLSX_RENDERERS),
         name="import-errors-xlsx"),
    *router.urls,
]

_login_required = [IsAuthenticated]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=_login_required), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=_login_required),
         name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema", permission_classes=_login_required,
                                                template_name="api/redoc.html"),
         name="api-redoc"),
]
