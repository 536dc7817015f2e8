"""`edugov plan ingest FILE --unit CODE`: reads a plan into the database for review in the web UI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from edugov.plans import services
from edugov.plans.extract import MAX_BYTES
from edugov.registry.models import OrgUnit


class Command(BaseCommand):
    help = "读入工作计划文件，生成待审核的计划版本（审核与发布在网页中进行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="发文单位的机构代码")
        parser.add_argument("--year", type=int, help="计划年度（默认从文件识别）")
        parser.add_argument("--title", default="", help="计划名称（默认使用文件标题）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        unit = OrgUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"找不到机构代码 {options['unit']}")
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path.name}：文件超过 50 MB 上限，请拆分或压缩后重新上传。")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件：{path}") from exc
        try:
            version = services.ingest_plan(actor=None, unit=unit, year=options["year"], title=options["title"],
                                           document=services.UploadedDocument(path.name, data))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"{version.plan.year} {version.plan.title}（第{version.number}版）："
                          f"章节 {version.sections.count()}，举措 {version.measures.count()}，"
                          f"量化目标 {version.targets.count()}")
        self.stdout.write(f"审核页面：{reverse('plan_version', args=[version.pk])}")
