from django.urls import path

from edugov.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("acceptance/", views.acceptance, name="acceptance"),
    path("acceptance.xlsx", views.acceptance_xlsx, name="acceptance_xlsx"),
    path("acceptance/<str:county>.docx", views.acceptance_docx, name="acceptance_docx"),
    path("acceptance/<str:county>.pdf", views.acceptance_pdf, name="acceptance_pdf"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/chart.json", views.chart, name="chart"),
    path("<str:code>/children.xlsx", views.children_xlsx, name="children_xlsx"),
]
