from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "edugov.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from edugov.core import signals  # noqa: F401  (connects the login audit receivers)
