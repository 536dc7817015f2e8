from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edugov.core.choices import ROLE_PERMISSIONS, AuditAction, Role


class RoleAssignment(models.Model):
    """A person's role at one org unit: what they may do, and over which subtree of the registry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="role_assignments",
                                 verbose_name=_("所属机构"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="core_roleassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit_id}"

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS.get(self.role, frozenset())


class AuditEvent(models.Model):
    """One entry of the audit trail: a change (with before/after), an import, or a read of sensitive data."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象标识"), max_length=100, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    # The org unit the object belongs to, so that district administrators browse only their own trail.
    org_unit = models.ForeignKey("registry.OrgUnit", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("机构"))
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class StoredFile(models.Model):
    """What every uploaded evidence file records: its name as uploaded and where its content is kept by hash
    (`edugov.core.files.store_by_hash`). Apps add what the file belongs to."""

    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(max_length=100)
    stored_path = models.CharField(max_length=500)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.file_name
