"""What every read endpoint shares: scope-restricted querysets, declared filters, bounded pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.db import models
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination

from edugov.api.filters import Param, ParamFilterBackend
from edugov.core.scoping import scope_for

V = TypeVar("V")


class ApiPagination(LimitOffsetPagination):
    # A cap keeps one request from serialising a whole city's pupils at once; clients page with offset.
    default_limit = 100
    max_limit = 1000


class PlainNotFoundMixin:
    """Django's 404 message names the model ("No StudentRecord matches the given query."); answer with DRF's neutral,
    translated "未找到。" instead, identical for "out of scope" and "does not exist"."""

    def get_object(self) -> Any:
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404 as exc:
            raise NotFound from exc


class ScopedReadOnlyViewSet(PlainNotFoundMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """List and detail over `queryset`, cut to the caller's scope through `unit_field`. Because the cut happens in
    the queryset, an object outside the scope is "not found" (404) and never "forbidden" (403)."""

    unit_field: ClassVar[str] = "unit"
    filter_params: ClassVar[tuple[Param, ...]] = ()
    filter_backends = [ParamFilterBackend]
    pagination_class = ApiPagination

    def get_queryset(self) -> models.QuerySet[Any]:
        return scope_for(self.request.user).filter(super().get_queryset(), self.unit_field)

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        # The query-string filters narrow lists; a detail URL names its object and must not 404 because of ?kind=.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="记录编号（列表结果中的 id）")


def documented(tag: str, noun: str, description: str, *, detail_params: list[OpenApiParameter] | None = None,
               detail_key: str = "编号") -> Callable[[V], V]:
    """Chinese summaries, descriptions and a tag for the list and detail operations of a read-only viewset."""
    scope_note = "结果仅含当前用户所属机构范围内的数据。"
    return extend_schema_view(  # type: ignore[return-value]
        list=extend_schema(tags=[tag], summary=f"{noun}列表", description=f"{description}{scope_note}"),
        retrieve=extend_schema(tags=[tag], summary=f"{noun}详情",
                               description=f"按{detail_key}读取一条{noun}。范围外或不存在的记录均返回 404。",
                               parameters=detail_params if detail_params is not None else [ID_PARAM]),
    )
