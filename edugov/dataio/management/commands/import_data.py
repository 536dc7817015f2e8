"""`import_data PATH`: import a workbook, a CSV file or a folder of them, all or nothing."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.dataio.management.commands._common import problem_line, resolve_user, summary_lines
from edugov.dataio.services import import_path


class Command(BaseCommand):
    help = "导入 XLSX/CSV 文件或文件夹。全部校验通过才写入；--dry-run 只校验不写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="XLSX 工作簿、CSV 文件，或存放它们的文件夹")
        parser.add_argument("--user", help="以该用户身份导入（按其管理范围校验）；不填则以系统身份导入全部范围")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_user(options.get("user"))
        verbose = options["verbosity"] >= 1

        def progress(done: int, total: int) -> None:
            if verbose:
                # stderr, unbuffered: an operator (or a test) can follow a long import as it runs
                print(f"进度：{done}/{total} 行", file=sys.stderr, flush=True)

        result = import_path(options["path"], actor=actor, dry_run=options["dry_run"], progress=progress)
        for file_info in result.files:
            if file_info.get("encoding"):
                self.stdout.write(f"{file_info['file']}：按 {file_info['encoding']} 编码读取")
        if result.summary:
            self.stdout.write("\n".join(summary_lines(result.summary)))
        derived = {k: c for k, c in result.derived.items() if any(c.values())}
        if derived:
            self.stdout.write("由个人记录汇总：")
            self.stdout.write("\n".join(summary_lines(derived, deleted=True)))
        for error in result.errors:
            self.stdout.write(problem_line(error))
        self.stdout.write(result.message)
        if not result.ok:
            raise CommandError(f"导入未完成：发现 {result.error_count} 类错误，未写入任何数据")
