from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_catalogue(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    """After every migrate, bring the catalogue tables up to the shipped catalogue (idempotent; see
    services.sync_shipped). Uses the migration state's models, as a data migration would."""
    from edugov.indicators.services import sync_shipped

    if apps is None:
        return
    try:
        element = apps.get_model("indicators", "DataElement")
        indicator = apps.get_model("indicators", "IndicatorDefinition")
    except LookupError:  # migrated backwards past the catalogue tables
        return
    sync_shipped(element, indicator)


class IndicatorsConfig(AppConfig):
    name = "edugov.indicators"
    label = "indicators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_load_catalogue, sender=self, dispatch_uid="edugov.indicators.load_catalogue")
        from edugov.dataio.signals import statistics_applied
        from edugov.indicators.stored import on_statistics_applied

        # After an import, refresh the stored values of the schools it wrote and of their ancestors (stored.py).
        statistics_applied.connect(on_statistics_applied, dispatch_uid="edugov.indicators.stored_values")
