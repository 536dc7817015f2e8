from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "edugov.allocation"
    label = "allocation"
    default_auto_field = "django.db.models.BigAutoField"
