"""Serializers of the work plans and their task ledger (edugov.plans). Read-only except the progress report upload.

Choice fields (status, kind, comparator) are plain strings documented with their values and Chinese labels, each
followed by a *_label field, as UnitSerializer's kind is: schema enums named "status" or "kind" would collide with
the import run's and the unit event's in the OpenAPI components.

Target values leave as exact decimal strings as written in the plan ("95.5", not 95.5 and not "95.500000"): the
indicators compare computed values against them without rounding.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edugov.api.serializers import ExactDecimalField, ReadOnlyModelSerializer
from edugov.plans.models import (
    Comparator,
    Escalation,
    EscalationKind,
    Plan,
    Target,
    TargetKind,
    Task,
    TaskEvidence,
    TaskReport,
    TaskStatus,
    VersionStatus,
)

#: the statuses a progress report may set (withdrawn is the plan revision's, not the owner's)
REPORT_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE)


def choices_text(intro: str, choices: type[models.TextChoices] | tuple[Any, ...]) -> str:
    """“状态：not_started 未开始、in_progress 推进中…”: the values and labels of a choice set, for help texts."""
    members = choices if isinstance(choices, tuple) else tuple(choices)
    return f"{intro}：" + "、".join(f"{member.value} {member.label}" for member in members)


def choice_string(intro: str, choices: type[models.TextChoices], **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=choices_text(intro, choices), **kwargs)


def label(source: str, help_text: str) -> serializers.CharField:
    """The display label of a choices field (status → 推进中)."""
    return serializers.CharField(source=f"get_{source}_display", read_only=True, help_text=help_text)


class AsWrittenDecimalField(ExactDecimalField):
    """A decimal string without trailing zeros and never in exponent notation: 95.5 → "95.5", 15000 → "15000"."""

    def to_representation(self, value: Any) -> str:
        # None never gets here: serializers output null without calling the field.
        text = format(Decimal(value).normalize(), "f")
        return "0" if text in {"-0", ""} else text


# --- plans -------------------------------------------------------------------------------------------------------


class PlanSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """工作计划：发文单位、年度、版本和任务台账的概况。"""

    # The view annotates the version numbers and task counts (edugov.api.views.plans.PlanViewSet.get_queryset).

    id = serializers.IntegerField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True, help_text="发文单位的机构代码")
    unit_name = serializers.CharField(source="unit.name", read_only=True, help_text="发文单位名称")
    year = serializers.IntegerField(read_only=True, help_text="年度")
    title = serializers.CharField(read_only=True, help_text="标题")
    published_version = serializers.IntegerField(
        source="api_published_version", read_only=True, allow_null=True,
        help_text="已发布版本的版本号（任务台账依据的版本）；尚未发布时为 null")
    latest_version = serializers.IntegerField(source="api_latest_version", read_only=True, allow_null=True,
                                              help_text="最新上传版本的版本号")
    latest_version_status = serializers.CharField(
        source="api_latest_version_status", read_only=True, allow_null=True,
        help_text=choices_text("最新版本的状态", VersionStatus))
    latest_version_status_label = serializers.SerializerMethodField(help_text="最新版本状态的中文名称")
    task_total = serializers.IntegerField(source="api_task_total", read_only=True,
                                          help_text="任务数（仅计当前用户可见的任务，含已撤销）")
    task_done = serializers.IntegerField(source="api_task_done", read_only=True, help_text="已完成的任务数")
    task_overdue = serializers.IntegerField(source="api_task_overdue", read_only=True,
                                            help_text="逾期任务数：超过完成时限（今天之前）仍未完成的任务")

    def get_latest_version_status_label(self, obj: Plan) -> str | None:
        value = getattr(obj, "api_latest_version_status", None)
        return str(VersionStatus(value).label) if value else None


# --- tasks -------------------------------------------------------------------------------------------------------


class UnitRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """机构的代码和名称。"""

    code = serializers.CharField(read_only=True, help_text="机构代码")
    name = serializers.CharField(read_only=True, help_text="机构名称")


class TaskSerializer(ReadOnlyModelSerializer):
    plan_id = serializers.IntegerField(read_only=True, help_text="所属工作计划编号")
    lead_unit_code = serializers.CharField(source="lead_unit.code", read_only=True, help_text="牵头单位的机构代码")
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, help_text="牵头单位名称")
    co_units = UnitRefSerializer(many=True, read_only=True, help_text="配合单位，按机构代码排序")
    status = choice_string("状态", TaskStatus)
    status_label = label("status", "状态的中文名称")
    overdue = serializers.SerializerMethodField(help_text="是否逾期：有完成时限、早于今天且仍未完成（未开始或推进中）")
    open_escalations = serializers.IntegerField(source="api_open_escalations", read_only=True,
                                                help_text="未办结的督办数")

    class Meta:
        model = Task
        fields = ("id", "plan_id", "number", "section_title", "content", "lead_unit_code", "lead_unit_name",
                  "co_units", "deadline", "status", "status_label", "progress", "completed_on", "overdue",
                  "open_escalations", "last_reported_at")

    def get_overdue(self, obj: Task) -> bool:
        return obj.is_overdue(self.context.get("today") or timezone.localdate())


class TaskEvidenceSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = TaskEvidence
        fields = ("id", "file_name", "size", "content_type", "sha256")
        extra_kwargs = {"size": {"help_text": "字节数"}, "sha256": {"help_text": "文件内容的 SHA-256"}}


class TaskReportSerializer(ReadOnlyModelSerializer):
    task_id = serializers.IntegerField(read_only=True, help_text="任务编号")
    unit_code = serializers.CharField(source="unit.code", read_only=True, help_text="报送单位的机构代码")
    unit_name = serializers.CharField(source="unit.name", read_only=True, help_text="报送单位名称")
    author_name = serializers.CharField(source="author.get_username", read_only=True, allow_null=True,
                                        help_text="报送人用户名")
    status = choice_string("报送时的任务状态", TaskStatus)
    status_label = label("status", "状态的中文名称")
    evidence = TaskEvidenceSerializer(many=True, read_only=True, help_text="佐证材料")

    class Meta:
        model = TaskReport
        fields = ("id", "task_id", "created_at", "unit_code", "unit_name", "author_name", "progress", "status",
                  "status_label", "text", "evidence")


@extend_schema_field(OpenApiTypes.BINARY)
class UploadedFileField(serializers.FileField):
    # An upload is binary in the request; DRF's FileField is documented as the URL it serialises to.
    pass


class TaskReportUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """进展报送（multipart/form-data）。"""

    progress = serializers.IntegerField(min_value=0, max_value=100,
                                        help_text="完成进度（0–100）；状态为 done 时按 100 记录")
    # A string, not a ChoiceField: the service checks the value and answers in Chinese (see the module docstring).
    status = serializers.CharField(help_text=choices_text("任务状态", REPORT_STATUSES))
    text = serializers.CharField(help_text="进展情况", trim_whitespace=True)
    evidence = serializers.ListField(
        child=UploadedFileField(), required=False, allow_empty=True,
        help_text="佐证材料（可多个，字段名均为 evidence）：PDF、Word、Excel、OFD、图片或文本文件")


# --- targets -----------------------------------------------------------------------------------------------------


class TargetSerializer(ReadOnlyModelSerializer):
    plan_id = serializers.IntegerField(source="version.plan_id", read_only=True, allow_null=True,
                                       help_text="所属工作计划编号；计划之外登记的目标为 null")
    version = serializers.IntegerField(source="version.number", read_only=True, allow_null=True,
                                       help_text="所在版本的版本号；登记的目标为 null")
    registered = serializers.SerializerMethodField(help_text="是否为计划之外登记的目标")
    comparator = choice_string("比较方式", Comparator)
    comparator_label = label("comparator", "比较方式的中文名称")
    value = AsWrittenDecimalField(max_digits=20, decimal_places=6, read_only=True,
                                  help_text="目标值，按原文的精确十进制字符串，如“95.5”")
    value_max = AsWrittenDecimalField(max_digits=20, decimal_places=6, read_only=True, allow_null=True,
                                      help_text="目标上限（区间目标），无则为 null")
    kind = choice_string("类型", TargetKind)
    kind_label = label("kind", "类型的中文名称")
    indicator_confidence = ExactDecimalField(max_digits=4, decimal_places=3, read_only=True, allow_null=True,
                                             help_text="关联指标的置信度（0–1），人工指定或无关联时为 null")
    owner_code = serializers.CharField(source="owner.code", read_only=True, allow_null=True,
                                       help_text="责任单位的机构代码")
    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True, help_text="责任单位名称")

    class Meta:
        model = Target
        fields = ("id", "plan_id", "version", "registered", "quote", "subject", "comparator", "comparator_label",
                  "value", "value_max", "unit_of_measure", "per", "deadline_text", "scope_text", "kind", "kind_label",
                  "indicator_code", "indicator_confidence", "owner_code", "owner_name", "period_start",
                  "period_end", "start", "end")
        extra_kwargs = {
            "quote": {"help_text": "原文（与计划正文逐字一致）；登记的目标为系统按登记内容写成的表述"},
            "start": {"help_text": "原文在所在版本正文中的起始位置（字符序号，从 0 起）"},
            "end": {"help_text": "原文在所在版本正文中的结束位置（不含）"},
            "per": {"help_text": "口径，如“每校”“每生”"},
            "deadline_text": {"help_text": "原文时限，如“2025”“年底”"},
            "indicator_code": {"help_text": "关联指标代码（edugov.indicators），无关联时为空字符串"},
            "period_start": {"help_text": "考核期起始日期"},
            "period_end": {"help_text": "考核期截止日期（目标到期日）"},
        }

    def get_registered(self, target: Target) -> bool:
        return target.version_id is None


# --- 督办 --------------------------------------------------------------------------------------------------------


class EscalationSerializer(ReadOnlyModelSerializer):
    task_id = serializers.IntegerField(read_only=True, help_text="任务编号")
    task_number = serializers.IntegerField(source="task.number", read_only=True, help_text="任务在台账中的序号")
    task_content = serializers.CharField(source="task.content", read_only=True, help_text="工作任务")
    plan_id = serializers.IntegerField(source="task.plan_id", read_only=True, help_text="所属工作计划编号")
    lead_unit_code = serializers.CharField(source="task.lead_unit.code", read_only=True,
                                           help_text="任务牵头单位的机构代码")
    lead_unit_name = serializers.CharField(source="task.lead_unit.name", read_only=True, help_text="任务牵头单位名称")
    to_unit_code = serializers.CharField(source="to_unit.code", read_only=True, help_text="督办单位的机构代码")
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True, help_text="督办单位名称")
    kind = choice_string("督办原因", EscalationKind)
    kind_label = label("kind", "督办原因的中文名称")
    is_open = serializers.SerializerMethodField(help_text="是否未办结")

    class Meta:
        model = Escalation
        fields = ("id", "task_id", "task_number", "task_content", "plan_id", "lead_unit_code", "lead_unit_name",
                  "to_unit_code", "to_unit_name", "level", "kind", "kind_label", "reason", "raised_at", "is_open",
                  "resolved_at", "resolution")
        extra_kwargs = {"level": {"help_text": "督办层级：1 为牵头单位的上级，2 为再上一级"}}

    def get_is_open(self, obj: Escalation) -> bool:
        return obj.resolved_at is None
