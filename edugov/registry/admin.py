"""The registry in the admin, for looking up and checking records. Read-only: changes go through the import or the
registry services, which keep the dated versions, the denormalised name and the audit trail consistent."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from edugov.registry.models import OrgLink, OrgUnit, OrgUnitEvent, OrgUnitVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class VersionInline(ReadOnlyInline):
    model = OrgUnitVersion
    fields = ("valid_from", "valid_to", "name", "school_type_code", "urban_rural_code", "sponsor_code", "is_public",
              "is_inclusive", "division_code")


class ParentLinkInline(ReadOnlyInline):
    model = OrgLink
    fk_name = "child"
    fields = ("hierarchy", "parent", "valid_from", "valid_to")


class EventInline(ReadOnlyInline):
    model = OrgUnitEvent
    fk_name = "unit"
    fields = ("on", "kind", "other_unit", "note")


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "opened_on", "closed_on")
    list_filter = ("kind", "closed_on")
    search_fields = ("code", "name")
    inlines = (VersionInline, ParentLinkInline, EventInline)


@admin.register(OrgUnitVersion)
class OrgUnitVersionAdmin(ReadOnlyAdmin):
    list_display = ("unit", "name", "valid_from", "valid_to", "school_type_code", "urban_rural_code", "sponsor_code")
    list_filter = ("school_type_code", "urban_rural_code", "sponsor_code", "is_public")
    search_fields = ("name", "unit__code")
    list_select_related = ("unit",)


@admin.register(OrgLink)
class OrgLinkAdmin(ReadOnlyAdmin):
    list_display = ("child", "hierarchy", "parent", "valid_from", "valid_to")
    list_filter = ("hierarchy",)
    search_fields = ("child__code", "child__name", "parent__code", "parent__name")
    list_select_related = ("child", "parent")


@admin.register(OrgUnitEvent)
class OrgUnitEventAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "on", "other_unit", "note")
    list_filter = ("kind",)
    search_fields = ("unit__code", "unit__name", "note")
    list_select_related = ("unit", "other_unit")
