from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def serve(host: str, port: int, stdout: Any) -> None:
    """Serves the site with waitress: multi-threaded, pure Python, fine for a bureau's intranet and for the demo."""
    from waitress import serve as waitress_serve

    from edugov.wsgi import application

    stdout.write(f"网页服务已启动：http://{host}:{port}/   （Ctrl+C 停止）")
    stdout.flush()
    waitress_serve(application, host=host, port=port, threads=8, ident="edugov", _quiet=True)


class Command(BaseCommand):
    help = "启动网页服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--data-dir", help="数据目录（由 edugov 命令在启动前读取）")

    def handle(self, *args: Any, **options: Any) -> None:
        serve(options["host"], options["port"], self.stdout)
