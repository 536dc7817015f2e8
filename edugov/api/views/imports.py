"""Imports, the only write path of the API: upload (validated as a dry run), inspect, apply, download the errors.

Validation and application run inside the request: an API client is a script that can wait, and the answer is then
final. The import engine (edugov.dataio.services) records progress on the run, so another client can poll the detail
while a large file is being processed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from edugov.api.access import requires, sees_all_imports
from edugov.api.serializers import ImportRunDetailSerializer, ImportRunSerializer, ImportUploadSerializer
from edugov.api.views.base import ApiPagination, PlainNotFoundMixin
from edugov.core.choices import Permission
from edugov.dataio.models import ImportRun, ImportStatus

TAG = "数据导入"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUN_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="导入记录编号")


def _services() -> ModuleType:
    # Imported late, as the web pages do: the import engine is a separate component and the API loads without it.
    from edugov.dataio import services

    return services


def _reports() -> ModuleType:
    from edugov.dataio import reports

    return reports


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "导入记录当前的状态不允许这一操作。"
    default_code = "conflict"


class XlsxRenderer(BaseRenderer):
    """Lets clients ask for the error workbook with Accept: <xlsx>; the view returns the bytes itself."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else b""


@extend_schema_view(
    list=extend_schema(tags=[TAG], summary="导入记录列表",
                       description="当前用户的导入记录（市局管理员和超级用户可见全部），按上传时间倒序。需要“导入”权限。"),
    retrieve=extend_schema(tags=[TAG], summary="导入记录详情", parameters=[RUN_ID], responses=ImportRunDetailSerializer,
                           description="状态、进度、各表统计（新增、变更、未变、错误）和全部校验问题。"),
    create=extend_schema(
        tags=[TAG], summary="上传并校验", request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportRunDetailSerializer,
                   400: OpenApiResponse(description="没有文件、文件类型不支持或文件超过大小上限")},
        description="上传 XLSX 工作簿或 CSV 文件（字段名 file），系统立即校验（试导入，不改动数据）并返回结果。"
                    "状态为“待确认”（previewed）时可调用确认导入；“有错误”（invalid）时请下载错误报告修改后重新上传。",
    ),
)
class ImportRunViewSet(PlainNotFoundMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):  # type: ignore[type-arg]
    queryset = ImportRun.objects.select_related("actor").order_by("-created_at", "-id")
    serializer_class = ImportRunSerializer
    permission_classes = [requires(Permission.IMPORT)]
    pagination_class = ApiPagination
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> models.QuerySet[ImportRun]:
        queryset = super().get_queryset()
        if sees_all_imports(self.request.user):
            return queryset
        return queryset.filter(actor=self.request.user)  # another user's run is "not found", not "forbidden"

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return ImportUploadSerializer
        if self.action == "list":
            return ImportRunSerializer
        return ImportRunDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload_serializer = self.get_serializer(data=request.data)
        upload_serializer.is_valid(raise_exception=True)
        upload = upload_serializer.validated_data["file"]
        services = _services()
        try:
            # The engine streams the upload to disk itself and enforces EDUGOV_IMPORT_MAX_BYTES and the file type.
            run = services.create_run(actor=request.user, file_name=upload.name, content=upload)
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        services.validate_run(run, actor=request.user)
        run.refresh_from_db()
        return Response(ImportRunDetailSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[TAG], summary="确认导入", request=None, parameters=[RUN_ID],
        responses={200: ImportRunDetailSerializer,
                   409: OpenApiResponse(description="导入记录不是“待确认”状态（尚未校验通过、有错误或已导入）")},
        description="把校验通过（待确认）的文件写入系统，写入内容与预览完全一致，并记入审计日志。",
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        if run.status != ImportStatus.PREVIEWED:
            raise Conflict(f"只有“{ImportStatus.PREVIEWED.label}”的导入才能确认，"
                           f"当前状态为“{run.get_status_display()}”。")
        try:
            _services().apply_run(run, actor=request.user)
        except DjangoValidationError as exc:
            raise Conflict("；".join(exc.messages)) from exc
        run.refresh_from_db()
        return Response(ImportRunDetailSerializer(run).data)

    @extend_schema(
        tags=[TAG], summary="下载错误报告", operation_id="v1_imports_errors_xlsx",
        parameters=[RUN_ID, OpenApiParameter("format", exclude=True)],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY,
                                                description="标出每个问题及修改建议的 Excel 工作簿")},
        description="校验发现的问题，整理成 Excel 工作簿（每个问题一行，含位置、原值、问题和修改建议）。",
    )
    # Routed by hand in edugov/api/urls.py: the router would add a slash after ".xlsx".
    def errors_xlsx(self, request: Request, pk: str) -> HttpResponse:
        run = self.get_object()
        content: bytes = _reports().error_workbook(run)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.xlsx"'
        return response


# Renderers for the workbook download: JSON stays first so that errors (404, 403) still come back as JSON.
ERRORS_XLSX_RENDERERS = [JSONRenderer, XlsxRenderer]
