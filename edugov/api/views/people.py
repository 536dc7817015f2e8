"""Person records of pupils and teachers: personal data, masked unless the caller's role grants view_sensitive for the
record's school, and every unmasked answer is written to the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from rest_framework.request import Request
from rest_framework.response import Response

from edugov.api import serializers
from edugov.api.access import SensitiveAccess, sensitive_access
from edugov.api.filters import Param, ancestor_param, choice_param, exact, grade_param, unit_param, year_param
from edugov.api.views.base import ScopedReadOnlyViewSet, documented
from edugov.core import audit
from edugov.core.choices import AuditAction
from edugov.core.scoping import scope_for
from edugov.stats.choices import Stage
from edugov.stats.models import StudentRecord, TeacherRecord

TAG = "个人记录"
MASK_NOTE = ("身份证号、姓名、出生日期{extra}按权限脱敏：只有对该学校拥有“查看未脱敏的个人敏感信息”权限的用户"
             "能看到原值，督学和只读用户始终看到脱敏值；每次返回未脱敏数据都会记入审计日志。")


class PersonViewSet(ScopedReadOnlyViewSet):
    """List and detail that mask per row and write one READ_SENSITIVE audit event per request (not per row) when any
    returned row is unmasked: the trail shows who saw which records without growing by a page of rows per call."""

    _sensitive: SensitiveAccess | None = None

    def sensitive(self) -> SensitiveAccess:
        if self._sensitive is None:
            self._sensitive = sensitive_access(self.request.user)
        return self._sensitive

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "sensitive": self.sensitive()}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page) if page is not None else []
        data = self.get_serializer(rows, many=True).data
        self._audit_unmasked(rows)
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        data = self.get_serializer(row).data
        self._audit_unmasked([row])
        return Response(data)

    def _audit_unmasked(self, rows: Sequence[models.Model]) -> None:
        access = self.sensitive()
        unmasked = [row for row in rows if access.allows(row.unit_id)]  # type: ignore[attr-defined]
        if not unmasked:
            return
        model = unmasked[0]._meta
        masks: dict[str, object] = self.get_serializer_class().MASKS  # type: ignore[attr-defined]
        fields = "、".join(str(getattr(model.get_field(name), "verbose_name", name)) for name in masks)
        request = self.request
        unit_ids = {row.unit_id for row in unmasked}  # type: ignore[attr-defined]
        # The event is filed under the one school read, else under the reader's own unit, so that the administrators
        # above it find it in their part of the trail.
        roots = scope_for(request.user).root_ids
        org_unit_id = next(iter(unit_ids)) if len(unit_ids) == 1 else (next(iter(roots)) if len(roots) == 1 else None)
        audit.record(
            actor=request.user,
            action=AuditAction.READ_SENSITIVE,
            object_type=model.label,
            object_id=str(unmasked[0].pk) if len(unmasked) == 1 else "",
            object_repr=f"{model.verbose_name} {len(unmasked)} 条",
            org_unit_id=org_unit_id,
            message=(f"API {request.method} {request.get_full_path()}：返回 {len(unmasked)} 条未脱敏记录"
                     f"（{fields}）"),
        )


@documented(TAG, "学生学籍", "学生学籍个人记录（每学年一行）。" + MASK_NOTE.format(extra="和学籍号中的身份证号"))
class StudentViewSet(PersonViewSet):
    queryset = StudentRecord.objects.select_related("unit").order_by("year", "unit__code", "grade", "class_name",
                                                                     "student_no")
    serializer_class = serializers.StudentSerializer
    filter_params = (
        year_param(), unit_param(), ancestor_param(), grade_param(),
        Param("class_name", "班级名称（精确匹配），如“1班”。", exact("class_name"), example="1班"),
    )


@documented(TAG, "教师信息", "教师个人记录（每学年一行）。" + MASK_NOTE.format(extra="和教职工号中的身份证号"))
class TeacherViewSet(PersonViewSet):
    queryset = TeacherRecord.objects.select_related("unit").order_by("year", "unit__code", "staff_no")
    serializer_class = serializers.TeacherSerializer
    filter_params = (
        year_param(), unit_param(), ancestor_param(),
        choice_param("stage", "任教学段。", Stage),
    )
