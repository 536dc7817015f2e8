import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from edugov.core.models import AuditEvent
from edugov.core.scoping import descendant_ids, scope_for
from edugov.registry import queries, services


def test_a_rename_takes_effect_from_its_date_and_keeps_the_old_name_for_earlier_years(city):
    school = city.east_primary
    services.change_attributes(actor=None, unit=school, changes={"name": "东区实验小学（新校区）"},
                               effective_on=dt.date(2023, 9, 1))
    assert school.version_at(dt.date(2022, 9, 1)).name == "东区实验小学"
    assert school.version_at(dt.date(2024, 9, 1)).name == "东区实验小学（新校区）"
    school.refresh_from_db()
    assert school.name == "东区实验小学（新校区）"


def test_moving_a_school_changes_the_tree_only_from_the_move_date(city):
    services.move_unit(actor=None, unit=city.east_primary, new_parent=city.west, effective_on=dt.date(2024, 9, 1))
    before = descendant_ids([city.east.pk], on=dt.date(2024, 8, 31))
    after = descendant_ids([city.east.pk], on=dt.date(2024, 9, 1))
    assert city.east_primary.pk in before
    assert city.east_primary.pk not in after
    assert city.east_primary.pk in descendant_ids([city.west.pk], on=dt.date(2024, 9, 1))


def test_a_closed_school_is_in_earlier_trees_but_not_later_ones(city):
    services.close_unit(actor=None, unit=city.west_primary, closed_on=dt.date(2024, 7, 1))
    assert city.west_primary in queries.subtree(city.west, on=dt.date(2024, 6, 30))
    assert city.west_primary not in queries.subtree(city.west, on=dt.date(2024, 7, 1))


def test_merging_closes_the_absorbed_school_and_points_to_its_successor(city):
    services.merge_units(actor=None, absorbed=city.east_junior, into=city.east_primary, on=dt.date(2025, 9, 1))
    city.east_junior.refresh_from_db()
    assert city.east_junior.merged_into == city.east_primary
    assert city.east_junior.closed_on == dt.date(2025, 9, 1)


def test_a_unit_cannot_be_moved_under_its_own_descendant(city):
    with pytest.raises(ValidationError):
        services.move_unit(actor=None, unit=city.east, new_parent=city.east_town)


def test_a_school_must_sit_under_a_county_or_town(city):
    with pytest.raises(ValidationError):
        services.open_unit(actor=None, code="2137029999", kind="school", name="无上级学校")


def test_a_school_can_also_belong_to_an_education_group_without_leaving_its_district(city):
    group = services.open_unit(actor=None, code="G370202", kind="group", name="东区实验教育集团", parent=city.east)
    services.move_unit(actor=None, unit=city.west_primary, new_parent=group, hierarchy="group")
    assert city.west_primary.pk in descendant_ids([group.pk], hierarchy="group")
    assert city.west_primary.pk in descendant_ids([city.west.pk])


def test_every_registry_change_is_audited_with_before_and_after(city, personas):
    services.change_attributes(actor=personas.east_admin, unit=city.east_primary, changes={"urban_rural_code": "112"})
    event = AuditEvent.objects.filter(object_id=str(city.east_primary.pk), action="update").latest("at")
    assert event.actor == personas.east_admin
    assert event.before["urban_rural_code"] == "111"
    assert event.after["urban_rural_code"] == "112"


def test_a_district_admin_sees_only_their_district(city, personas):
    scope = scope_for(personas.east_admin)
    assert scope.contains(city.east_primary.pk)
    assert scope.contains(city.east_kindergarten.pk)
    assert not scope.contains(city.west_primary.pk)
    assert not scope.contains(city.city.pk)
