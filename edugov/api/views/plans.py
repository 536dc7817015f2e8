"""Work plans and their task ledger (edugov.plans): plans, tasks with their progress reports, the targets in force,
and 督办 notices.

Reads go through edugov.plans.queries, so that the API shows exactly what the web pages show: a plan to users whose
scope holds its issuing unit or a unit it gives a task to, a task to those holding the issuing, lead or a co-operating
unit. The one write, a progress report, goes through edugov.plans.services, which checks that the caller may report
for the task's lead unit and validates the evidence files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from edugov.api import plan_serializers
from edugov.api.filters import Param, exact, unit_param
from edugov.api.views.base import ScopedReadOnlyViewSet, documented
from edugov.core.scoping import descendant_ids
from edugov.plans import queries, services
from edugov.plans.models import (
    OPEN_TASK_STATUSES,
    Escalation,
    Plan,
    PlanVersion,
    Target,
    Task,
    TaskStatus,
    VersionStatus,
)
from edugov.registry.models import OrgUnit

TAG = "工作计划"
OVERDUE = "overdue"


class PlanInputRejected(APIException):
    """A PlanInputError of the services: the request is well-formed, the content is refused (a .exe as evidence)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "输入有误。"
    default_code = "invalid"


def parse_id(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ValueError(f"“{raw}”不是有效编号，请填写整数，如 12") from exc
    if value < 1:
        raise ValueError(f"“{raw}”不是有效编号，请填写正整数，如 12")
    return value


def parse_calendar_year(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ValueError(f"“{raw}”不是有效年度，请填写四位数年份，如 2025") from exc
    if not 1900 <= value <= 2999:
        raise ValueError(f"“{raw}”不是有效年度，请填写四位数年份，如 2025")
    return value


def _today() -> dt.date:
    return timezone.localdate()


def _overdue(today: dt.date) -> Q:
    return Q(status__in=OPEN_TASK_STATUSES, deadline__lt=today)


def _count(rows: models.QuerySet[Any], group: str) -> Coalesce:
    """The number of `rows` per outer row, as a correlated subquery (0 when there are none)."""
    counted = rows.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --- plans -------------------------------------------------------------------------------------------------------


@documented(TAG, "工作计划",
            "各级教育行政部门的年度工作计划（工作要点、工作计划、实施方案），含发文单位、已发布和最新版本、"
            "任务台账概况。区县、学校等下级单位也能看到上级交给其任务的计划，此时任务数只计其可见的任务。")
class PlanViewSet(ScopedReadOnlyViewSet):
    queryset = Plan.objects.all()
    serializer_class = plan_serializers.PlanSerializer
    filter_params = (
        Param("year", "年度（四位数年份），如 2025。", exact("year"), kind="integer", parse=parse_calendar_year,
              example="2025"),
        unit_param("unit", "发文单位的机构代码：只返回该单位发布的计划。"),
    )

    def get_queryset(self) -> models.QuerySet[Plan]:
        user = self.request.user
        versions = PlanVersion.objects.filter(plan=OuterRef("pk"))
        latest = versions.order_by("-number")
        tasks = queries.tasks_for(user).filter(plan=OuterRef("pk"))
        return (
            queries.plans_for(user)
            .annotate(
                api_published_version=Subquery(versions.filter(status=VersionStatus.PUBLISHED).values("number")[:1]),
                api_latest_version=Subquery(latest.values("number")[:1]),
                api_latest_version_status=Subquery(latest.values("status")[:1]),
                api_task_total=_count(tasks, "plan"),
                api_task_done=_count(tasks.filter(status=TaskStatus.DONE), "plan"),
                api_task_overdue=_count(tasks.filter(_overdue(_today())), "plan"),
            )
            .order_by("-year", "title", "pk")
        )


# --- tasks -------------------------------------------------------------------------------------------------------


def _filter_status(queryset: models.QuerySet[Task], value: str, request: Request) -> models.QuerySet[Task]:
    if value == OVERDUE:
        return queryset.filter(_overdue(_today()))
    return queryset.filter(status=value)


def _filter_lead_unit(queryset: models.QuerySet[Task], code: str, request: Request) -> models.QuerySet[Task]:
    # The tasks are already cut to the caller's scope; the code only narrows them, so an out-of-scope or unknown
    # code reveals nothing (it finds at most tasks the caller sees anyway).
    root_id = OrgUnit.objects.filter(code=code).values_list("pk", flat=True).first()
    if root_id is None:
        return queryset.none()
    return queryset.filter(lead_unit_id__in=descendant_ids([root_id]))


TASK_STATUS_TEXT = "、".join(f"{value} {label}" for value, label in TaskStatus.choices)
TASK_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="任务编号（列表结果中的 id）")


@documented(TAG, "任务",
            "任务台账：已发布计划的工作任务，含牵头单位、配合单位、完成时限、状态、进度、是否逾期和未办结督办数，"
            "按计划和序号排序。计划发文单位范围内的用户看到全部任务；其他用户只看到由其范围内单位牵头或配合的任务。")
class TaskViewSet(ScopedReadOnlyViewSet):
    queryset = Task.objects.all()
    serializer_class = plan_serializers.TaskSerializer
    filter_params = (
        Param("plan", "工作计划编号：只返回该计划的任务。", exact("plan_id"), kind="integer", parse=parse_id),
        Param("status", f"状态。可选：{TASK_STATUS_TEXT}、overdue 逾期（超过完成时限仍未完成）。", _filter_status,
              enum=(*TaskStatus.values, OVERDUE)),
        Param("lead_unit", "牵头单位的机构代码：返回由该机构及其下级机构牵头的任务（不含仅配合的任务）。",
              _filter_lead_unit, example="370202"),
    )

    def get_queryset(self) -> models.QuerySet[Task]:
        open_escalations = Escalation.objects.filter(task=OuterRef("pk"), resolved_at__isnull=True)
        return (
            queries.tasks_for(self.request.user)
            .prefetch_related(None)
            .prefetch_related(Prefetch("co_units", queryset=OrgUnit.objects.order_by("code")))
            .annotate(api_open_escalations=_count(open_escalations, "task"))
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": _today()}

    @extend_schema(
        methods=["GET"], tags=[TAG], summary="任务进展报送记录", parameters=[TASK_ID],
        responses=plan_serializers.TaskReportSerializer(many=True),
        description="任务的全部进展报送及其佐证材料，按报送时间倒序，分页返回。范围外或不存在的任务返回 404。",
    )
    @extend_schema(
        methods=["POST"], tags=[TAG], summary="报送任务进展", parameters=[TASK_ID],
        request={"multipart/form-data": plan_serializers.TaskReportUploadSerializer},
        responses={
            201: plan_serializers.TaskReportSerializer,
            400: OpenApiResponse(description="进度、状态或进展情况有误，或佐证材料类型不允许、为空文件、超过大小上限"),
            403: OpenApiResponse(description="只有牵头单位（或计划发文单位）中有编辑权限的用户可以报送"),
            404: OpenApiResponse(description="任务不存在或不在当前用户范围内"),
        },
        description="牵头单位报送进展（multipart/form-data），可附多个佐证材料（字段名均为 evidence）。"
                    "任务的状态、进度和最近报送时间随之更新；状态为“已完成”时进度记为 100%，未办结的督办随之办结。"
                    "已随计划修订撤销的任务不能报送。",
    )
    # filter_backends=[]: the ledger filters do not apply to one task's reports, and the schema must not offer them.
    @action(detail=True, methods=["get", "post"], filter_backends=[], parser_classes=[MultiPartParser, FormParser])
    def reports(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        if request.method == "POST":
            return self._report(request, task)
        reports = (task.reports.select_related("unit", "author").prefetch_related("evidence")
                   .order_by("-created_at", "-pk"))
        page = self.paginate_queryset(reports)
        serializer = plan_serializers.TaskReportSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def _report(self, request: Request, task: Task) -> Response:
        upload = plan_serializers.TaskReportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        files = [services.UploadedDocument(f.name, f.read()) for f in data.get("evidence", [])]
        try:
            report = services.report_progress(actor=request.user, task=task, progress=data["progress"],
                                              status=data["status"], text=data["text"], evidence=files)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from exc
        except services.PlanInputError as exc:
            raise PlanInputRejected("；".join(exc.messages)) from exc
        return Response(plan_serializers.TaskReportSerializer(report).data, status=status.HTTP_201_CREATED)


# --- targets -----------------------------------------------------------------------------------------------------


@documented(TAG, "量化目标",
            "生效中的量化目标：已发布计划版本中已采纳的目标（指标评价所依据的目标），含比较方式、精确目标值"
            "（十进制字符串，不做四舍五入）、关联指标、责任单位和考核期。计划发文单位范围内的用户看到计划的全部目标；"
            "其他用户只看到责任单位在其范围内的目标。")
class TargetViewSet(ScopedReadOnlyViewSet):
    queryset = Target.objects.all()
    serializer_class = plan_serializers.TargetSerializer
    filter_params = (
        Param("plan", "工作计划编号：只返回该计划的目标。", exact("version__plan_id"), kind="integer",
              parse=parse_id),
        Param("indicator", "关联指标代码：只返回关联该指标的目标。", exact("indicator_code"),
              example="preschool_gross_enrolment"),
        Param("owner", "责任单位的机构代码：只返回该单位负责的目标。", exact("owner__code"), example="370200"),
    )

    def get_queryset(self) -> models.QuerySet[Target]:
        # Whole plans for users holding the issuing unit; otherwise the targets their units own (registered or not).
        return queries.targets_for(self.request.user).order_by(
            F("version__plan_id").asc(nulls_last=True), "start", "position", "pk")


# --- 督办 --------------------------------------------------------------------------------------------------------


def _all_param(queryset: models.QuerySet[Escalation], value: str, request: Request) -> models.QuerySet[Escalation]:
    return queryset  # consumed by EscalationViewSet.get_queryset; declared here to be validated and documented


@documented(TAG, "督办",
            "督办通知：逾期未完成、长期未报送进展或人工发起的督办，按发起时间排序（最早的在前）。默认只返回未办结的，"
            "all=1 时包含已办结的。返回发给当前用户范围内单位的督办，以及关于其可见任务的督办。")
class EscalationViewSet(ScopedReadOnlyViewSet):
    queryset = Escalation.objects.all()
    serializer_class = plan_serializers.EscalationSerializer
    filter_params = (
        Param("all", "为 1 时包含已办结的督办；默认（0）只返回未办结的。", _all_param, enum=("0", "1")),
        Param("task", "任务编号：只返回该任务的督办。", exact("task_id"), kind="integer", parse=parse_id),
        Param("plan", "工作计划编号：只返回该计划任务的督办。", exact("task__plan_id"), kind="integer",
              parse=parse_id),
    )

    def get_queryset(self) -> models.QuerySet[Escalation]:
        # A detail URL names its notice: it is found whether open or resolved.
        open_only = self.action == "list" and self.request.query_params.get("all", "").strip() != "1"
        return queries.escalations_for(self.request.user, open_only=open_only).order_by("raised_at", "pk")
