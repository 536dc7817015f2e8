"""The registry revision token: renewed by database triggers on every write to units, versions and links, so that
what is derived from the registry can be cached without ever being stale."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from conftest import City
from edugov.registry import services
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitVersion
from edugov.registry.queries import registry_revision


def test_every_kind_of_write_to_each_registry_table_renews_the_token(city: City) -> None:
    seen = {registry_revision()}

    def renewed() -> bool:
        token = registry_revision()
        fresh = token is not None and token not in seen
        seen.add(token)
        return fresh

    unit = services.open_unit(actor=None, code="2137020077", kind="school", name="东区新小学",
                              parent=city.east_town, opened_on=dt.date(2020, 9, 1))
    assert renewed()
    OrgUnit.objects.filter(pk=unit.pk).update(name="东区新建小学")
    assert renewed()
    OrgUnitVersion.objects.filter(unit=unit).update(name="东区新建小学")
    assert renewed()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_orglink SET valid_from = valid_from WHERE child_id = %s", [unit.pk])
    assert renewed()
    OrgLink.objects.filter(child=unit).delete()
    assert renewed()
    assert not renewed()  # reading changes nothing
