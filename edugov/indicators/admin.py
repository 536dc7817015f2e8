"""The indicator catalogue in the admin: an administrator edits an element or indicator definition without code.

Saving never changes a row: it validates the definition (unknown source, field, element → a Chinese error on the
form) and adds the next version, which becomes current; earlier versions stay readable and cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from edugov.indicators.catalogue import CatalogueError
from edugov.indicators.models import DataElement, IndicatorDefinition
from edugov.indicators.services import save_new_version, validate_entry


class _DefinitionForm(forms.ModelForm):
    kind = "indicator"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        spec = data.get("spec")
        code = data.get("code") or (self.instance.code if self.instance.pk else "")
        if not isinstance(spec, dict):
            if "spec" not in self.errors:
                self.add_error("spec", "定义必须是 JSON 对象")
            return data
        try:
            validate_entry(self.kind, {**spec, "code": code, "name_zh": data.get("name_zh", "")})
        except CatalogueError as exc:
            self.add_error("spec", str(exc))
        return data


class ElementForm(_DefinitionForm):
    kind = "element"

    class Meta:
        model = DataElement
        fields = ("code", "name_zh", "spec", "note")


class IndicatorForm(_DefinitionForm):
    class Meta:
        model = IndicatorDefinition
        fields = ("code", "name_zh", "spec", "note")


class _VersionedAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "version", "is_current", "origin", "created_by", "created_at")
    list_filter = ("is_current", "origin")
    search_fields = ("code", "name_zh")
    _info = ("version", "is_current", "origin", "created_by", "created_at")
    fields = ("code", "name_zh", "spec", "note", *_info)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (("code",) if obj is not None else ()) + self._info

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        row = save_new_version(self.model, code=obj.code, name_zh=obj.name_zh, spec=obj.spec, actor=request.user,
                               note=obj.note)
        for name in ("pk", "version", "is_current", "origin", "created_by", "created_at"):
            setattr(obj, name, getattr(row, name))


@admin.register(DataElement)
class DataElementAdmin(_VersionedAdmin):
    form = ElementForm


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(_VersionedAdmin):
    form = IndicatorForm
