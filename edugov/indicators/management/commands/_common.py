"""Shared helpers of the indicator commands: unit lookup and JSON output."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from edugov.registry.models import OrgUnit


def add_unit_year(parser: CommandParser) -> None:
    parser.add_argument("--unit", required=True, help="机构代码（学校标识码、区县代码等）")
    parser.add_argument("--year", type=int, required=True, help="学年起始年份，2024 表示 2024-2025 学年")
    parser.add_argument("--format", choices=["json", "text"], default="text", help="输出格式（默认 text）")


def get_unit(code: str) -> OrgUnit:
    try:
        return OrgUnit.objects.get(code=code)
    except OrgUnit.DoesNotExist as exc:
        raise CommandError(f"找不到机构代码 {code}") from exc


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def shown(value: str | None, unit: str = "") -> str:
    return "无数据" if value is None else f"{value}{(' ' + unit) if unit else ''}"


def verdict(value: bool | None) -> str:
    return {True: "达标", False: "未达标", None: "—"}[value]
