"""Staff administration of users' roles, and a read-only view of the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from edugov.core import audit
from edugov.core.choices import AuditAction
from edugov.core.models import AuditEvent, RoleAssignment
from edugov.core.signals import unit_of

User = get_user_model()


def _record_role_change(request: HttpRequest, assignment: RoleAssignment, action: str) -> None:
    # Granting a role widens what someone may see; the audit trail must say who granted it.
    audit.record(actor=request.user, action=action, obj=assignment, org_unit_id=assignment.org_unit_id,
                 after=audit.snapshot(assignment) if action != AuditAction.DELETE else None,
                 before=audit.snapshot(assignment) if action == AuditAction.DELETE else None,
                 message=f"{assignment.user.get_username()} · {assignment.get_role_display()}")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org_unit", "created_at")
    list_filter = ("role", "org_unit__kind")
    search_fields = ("user__username", "user__first_name", "user__last_name", "org_unit__name", "org_unit__code")
    autocomplete_fields = ("user", "org_unit")
    list_select_related = ("user", "org_unit")

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _record_role_change(request, obj, AuditAction.UPDATE if change else AuditAction.CREATE)

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        _record_role_change(request, obj, AuditAction.DELETE)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for assignment in queryset.select_related("user", "org_unit"):
            _record_role_change(request, assignment, AuditAction.DELETE)
        super().delete_queryset(request, queryset)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("org_unit",)


class UserWithRolesAdmin(UserAdmin):
    """The stock user admin with the user's roles on the same page."""

    inlines = (RoleAssignmentInline,)
    # Account fields worth a trail; the password hash never goes into the audit log (only the fact of a change).
    AUDITED_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before = audit.snapshot(User.objects.get(pk=obj.pk), self.AUDITED_FIELDS) if change else None
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj, self.AUDITED_FIELDS)
        password_changed = "password" in form.changed_data or "password1" in form.changed_data
        audit.record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE, obj=obj,
                     org_unit_id=unit_of(obj), before=before, after=after,
                     message="修改了密码" if password_changed and change else "")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(actor=request.user, action=AuditAction.DELETE, obj=obj, org_unit_id=unit_of(obj),
                     before=audit.snapshot(obj, self.AUDITED_FIELDS))
        super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        # Deletions are recorded first, while the rows still have their ids.
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                _record_role_change(request, deleted.instance, AuditAction.DELETE)
        formset.save()
        for created in formset.new_objects:
            _record_role_change(request, created, AuditAction.CREATE)
        for changed, _fields in formset.changed_objects:
            _record_role_change(request, changed, AuditAction.UPDATE)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, UserWithRolesAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is evidence, so nobody may add, edit or delete rows, not even a superuser."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "org_unit")
    list_filter = ("action", "object_type", "at")
    search_fields = ("actor_name", "object_repr", "object_id", "message", "request_id")
    date_hierarchy = "at"
    list_select_related = ("org_unit",)
    readonly_fields = ("at", "actor", "actor_name", "action", "object_type", "object_id", "object_repr", "org_unit",
                       "before", "after", "message", "request_id", "ip_address")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
