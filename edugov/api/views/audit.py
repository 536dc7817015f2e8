"""The audit trail, for roles with view_audit: events filed under a unit in the caller's scope, and their own."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from edugov.api import serializers
from edugov.api.access import requires, sensitive_access
from edugov.api.filters import Param, ancestor_param, choice_param, exact, parse_date, unit_param
from edugov.api.views.base import ScopedReadOnlyViewSet, documented
from edugov.core.choices import AuditAction, Permission
from edugov.core.models import AuditEvent
from edugov.core.scoping import scope_for

_EVENTS = AuditEvent.objects.select_related("org_unit").order_by("-at", "-id")


@documented("审计日志", "审计记录",
            "新增、修改、导入、导出、查看敏感信息和登录等操作的记录，按时间倒序。需要“查看审计日志”权限；"
            "返回所属机构在用户范围内的记录以及用户本人的操作。个人记录的变更在无敏感信息权限时脱敏显示。")
class AuditEventViewSet(ScopedReadOnlyViewSet):
    queryset = _EVENTS
    serializer_class = serializers.AuditEventSerializer
    permission_classes = [requires(Permission.VIEW_AUDIT)]
    filter_params = (
        choice_param("action", "操作类型。", AuditAction),
        Param("object_type", "对象类型，如 registry.OrgUnit、stats.StudentRecord。", exact("object_type")),
        Param("object_id", "对象标识。", exact("object_id")),
        Param("actor", "操作人用户名。", exact("actor_name")),
        unit_param("org_unit", "机构代码：只返回归属该机构的记录。"),
        ancestor_param("org_unit"),
        Param("since", "起始日期（含），YYYY-MM-DD。", exact("at__date__gte"), kind="date", parse=parse_date),
        Param("until", "截止日期（含），YYYY-MM-DD。", exact("at__date__lte"), kind="date", parse=parse_date),
    )

    def get_queryset(self) -> models.QuerySet[AuditEvent]:
        # Not ScopedReadOnlyViewSet's cut: the caller's own events (a failed import, a login) count too.
        queryset = _EVENTS.all()
        scope = scope_for(self.request.user)
        if scope.everything:
            return queryset
        return queryset.filter(Q(org_unit_id__in=scope.unit_ids) | Q(actor=self.request.user))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "sensitive": sensitive_access(self.request.user)}
