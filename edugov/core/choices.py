"""Roles and what each may do. Permissions are code, not data, so that a role cannot be widened by accident."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市局管理员")
    DISTRICT_ADMIN = "district_admin", _("区县管理员")
    SCHOOL_ADMIN = "school_admin", _("学校管理员")
    INSPECTOR = "inspector", _("督学")
    VIEWER = "viewer", _("只读")
    # Named school/county staff for mental-health cases (心理健康专员); sees those cases and nothing else.
    COUNSELLOR = "counsellor", _("心理健康专员")


class Permission(models.TextChoices):
    VIEW = "view", _("查看")
    EDIT = "edit", _("修改")
    IMPORT = "import", _("导入")
    VIEW_SENSITIVE = "view_sensitive", _("查看未脱敏的个人敏感信息")
    VIEW_AUDIT = "view_audit", _("查看审计日志")
    MANAGE_REGISTRY = "manage_registry", _("管理机构")
    VIEW_MENTAL_HEALTH = "view_mental_health", _("查看和办理心理健康个案")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(
        {Permission.VIEW, Permission.EDIT, Permission.IMPORT, Permission.VIEW_SENSITIVE, Permission.VIEW_AUDIT,
         Permission.MANAGE_REGISTRY}
    ),
    Role.DISTRICT_ADMIN: frozenset(
        {Permission.VIEW, Permission.EDIT, Permission.IMPORT, Permission.VIEW_SENSITIVE, Permission.VIEW_AUDIT,
         Permission.MANAGE_REGISTRY}
    ),
    # A school administrator keeps the school's own records and so sees its pupils' full ID numbers.
    Role.SCHOOL_ADMIN: frozenset({Permission.VIEW, Permission.EDIT, Permission.IMPORT, Permission.VIEW_SENSITIVE}),
    # Inspectors judge schools from aggregates and evidence; they do not need pupils' identity numbers.
    Role.INSPECTOR: frozenset({Permission.VIEW, Permission.VIEW_AUDIT}),
    Role.VIEWER: frozenset({Permission.VIEW}),
    # Mental-health cases are seen only by the named counsellors at or above the pupil's school: no other role,
    # however senior, holds this permission (superusers aside).
    Role.COUNSELLOR: frozenset({Permission.VIEW_MENTAL_HEALTH}),
}


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    READ_SENSITIVE = "read_sensitive", _("查看敏感信息")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
