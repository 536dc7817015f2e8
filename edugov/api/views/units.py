"""The org registry, read through the dated hierarchy: every unit is shown as it stood on ?on= (default today)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from edugov.api.filters import ON_PARAM_NAME, Param, ancestor_param, choice_param, parse_date, tree_date
from edugov.api.serializers import UnitHistorySerializer, UnitSerializer
from edugov.api.views.base import ScopedReadOnlyViewSet, documented
from edugov.registry.choices import HierarchyCode, UnitKind
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitEvent, OrgUnitVersion

TAG = "机构"


def _valid_on(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__gt=on) | Q(valid_to__isnull=True))


def _active_on(on: dt.date) -> Q:
    return (Q(opened_on__lte=on) | Q(opened_on__isnull=True)) & (Q(closed_on__gt=on) | Q(closed_on__isnull=True))


def units_on(queryset: models.QuerySet[OrgUnit], on: dt.date) -> models.QuerySet[OrgUnit]:
    """Attaches the version and administrative parent valid on `on`: two extra queries per page, not per unit."""
    return queryset.select_related("merged_into").prefetch_related(
        Prefetch("versions", queryset=OrgUnitVersion.objects.filter(_valid_on(on)), to_attr="api_versions"),
        Prefetch("parent_links", to_attr="api_parent_links", queryset=OrgLink.objects.filter(
            _valid_on(on), hierarchy=HierarchyCode.ADMIN).select_related("parent")),
    )


def _children_of(code: str, on: dt.date) -> Q:
    child_ids = OrgLink.objects.filter(_valid_on(on), hierarchy=HierarchyCode.ADMIN, parent__code=code)
    return Q(pk__in=child_ids.values("child_id"))


def _filter_parent(queryset: models.QuerySet[Any], code: str, request: Request) -> models.QuerySet[Any]:
    return queryset.filter(_children_of(code, tree_date(request)))


def _search(queryset: models.QuerySet[Any], text: str, request: Request) -> models.QuerySet[Any]:
    # Former names count too: people still search for a school by the name it had before a renaming.
    former = OrgUnitVersion.objects.filter(unit=OuterRef("pk"), name__icontains=text)
    return queryset.filter(Q(code__icontains=text) | Q(name__icontains=text) | Exists(former))


ON_DESCRIPTION = "查看哪一天的名称、代码和隶属关系，格式 YYYY-MM-DD；默认今天。"
ON_PARAM = OpenApiParameter(ON_PARAM_NAME, OpenApiTypes.DATE, description=ON_DESCRIPTION)
CODE_PARAM = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                              description="机构代码：学校为10位学校标识码，区县为6位行政区划代码")


@documented(TAG, "机构",
            "市、区县、镇街、学区、教育集团和学校的名录。"
            "名称、国家代码（附中文名称）和上级机构按 on 参数所指日期显示。",
            detail_params=[CODE_PARAM, ON_PARAM], detail_key="机构代码")
class UnitViewSet(ScopedReadOnlyViewSet):
    queryset = OrgUnit.objects.order_by("code")
    serializer_class = UnitSerializer
    unit_field = "pk"
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    filter_params = (
        # Consumed by get_queryset; declared here so that it is validated and documented like the others.
        Param(ON_PARAM_NAME, ON_DESCRIPTION, lambda queryset, value, request: queryset, kind="date", parse=parse_date),
        choice_param("kind", "层级。", UnitKind),
        Param("parent", "上级机构代码：只返回其直属下级（按 on 日期的行政隶属）。", _filter_parent, example="370202"),
        ancestor_param("pk"),
        Param("q", "按名称（含曾用名）或代码模糊查找。", _search, example="实验小学"),
        Param("active_on", "只返回该日期仍在办（已设立、未撤销）的机构，格式 YYYY-MM-DD。",
              lambda queryset, value, request: queryset.filter(_active_on(value)), kind="date", parse=parse_date),
    )

    def get_queryset(self) -> models.QuerySet[OrgUnit]:
        return units_on(super().get_queryset(), tree_date(self.request))

    @extend_schema(tags=[TAG], summary="机构沿革", parameters=[CODE_PARAM], responses=UnitHistorySerializer,
                   description="机构的全部属性版本、隶属关系（含学区、教育集团）和沿革事件，按时间排序。")
    # filter_backends=[]: the list filters do not apply to one unit's pages, and the schema must not offer them.
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, code: str) -> Response:
        unit = self.get_object()
        prefetch_related_objects(
            [unit], "versions",
            Prefetch("parent_links", queryset=OrgLink.objects.select_related("parent")),
            Prefetch("events", queryset=OrgUnitEvent.objects.select_related("other_unit")),
        )
        return Response(UnitHistorySerializer(unit).data)

    @extend_schema(tags=[TAG], summary="直属下级机构", parameters=[CODE_PARAM, ON_PARAM],
                   responses=UnitSerializer(many=True),
                   description="on 日期（默认今天）在办的直属下级机构，按层级和代码排序，分页返回。")
    @action(detail=True, methods=["get"], filter_backends=[])
    def children(self, request: Request, code: str) -> Response:
        unit = self.get_object()
        on = tree_date(request)
        children = self.get_queryset().filter(_children_of(unit.code, on), _active_on(on)).order_by("kind", "code")
        page = self.paginate_queryset(children)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
