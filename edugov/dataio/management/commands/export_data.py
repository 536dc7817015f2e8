"""`export_data PATH`: export every table the user may see, in the import format."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.dataio.export import export_csv_folder, export_workbook
from edugov.dataio.management.commands._common import resolve_user
from edugov.dataio.tables import TABLES_BY_KEY


class Command(BaseCommand):
    help = "按标准导入格式导出数据：XLSX 工作簿（每表一个工作表）或 CSV 文件夹（每表一个文件）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="输出的 .xlsx 文件，或 CSV 输出文件夹")
        parser.add_argument("--format", choices=["xlsx", "csv"], help="默认按路径判断：以 .xlsx 结尾为 xlsx，否则 csv")
        parser.add_argument("--encoding", choices=["utf-8", "gb18030"], default="utf-8",
                            help="CSV 编码：utf-8（带 BOM，Excel 可直接打开）或 gb18030（旧版 Excel、WPS）")
        parser.add_argument("--user", help="以该用户身份导出（只导出其管理范围）；不填则导出全部")
        parser.add_argument("--year", type=int, action="append", help="只导出该学年（可重复）；默认全部学年")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_user(options.get("user"))
        path: str = options["path"]
        fmt = options.get("format") or ("xlsx" if path.lower().endswith(".xlsx") else "csv")
        try:
            if fmt == "xlsx":
                counts = export_workbook(path, actor=actor, years=options.get("year"))
            else:
                encoding = "utf-8-sig" if options["encoding"] == "utf-8" else "gb18030"
                counts = export_csv_folder(path, actor=actor, encoding=encoding, years=options.get("year"))
        except PermissionError as exc:
            raise CommandError(f"无法写入 {path}：{exc}") from exc
        for key, count in counts.items():
            self.stdout.write(f"{TABLES_BY_KEY[key].sheet}：{count} 行")
        self.stdout.write(f"已导出到 {path}")
