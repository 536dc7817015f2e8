"""Helpers shared by the data commands: resolving --user, printing summaries and problems."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from edugov.dataio.tables import TABLES_BY_KEY


def resolve_user(username: str | None) -> Any:
    """The named user, or None (the system, with full scope) when no name is given."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"用户“{username}”不存在") from exc


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def summary_lines(summary: dict[str, dict[str, int]], *, deleted: bool = False) -> list[str]:
    """A small aligned table: one line per table with new / changed / unchanged / error (or deleted) counts."""
    columns = ["新增", "修改", "未变", "删除" if deleted else "有错"]
    keys = ["new", "changed", "unchanged", "deleted" if deleted else "error"]
    names = {key: TABLES_BY_KEY[key].sheet if key in TABLES_BY_KEY else key for key in summary}
    first = max([_width(n) for n in names.values()] + [4]) + 2
    lines = [_left("表", first) + "".join(_right(c, 10) for c in columns)]
    for key, counts in summary.items():
        lines.append(_left(names[key], first) + "".join(_right(str(counts.get(k, 0)), 10) for k in keys))
    return lines


def problem_line(error: dict[str, Any]) -> str:
    label = "错误" if error.get("severity") == "error" else "提醒"
    file, sheet = error.get("file") or "", error.get("sheet") or ""
    # A CSV file's “sheet” is its file name; say it once.
    where = [file] if sheet and file.startswith(f"{sheet}.") else [file, sheet]
    if error.get("rows_text"):
        where.append(f"第{error['rows_text']}行")
    column = error.get("column") or ""
    if error.get("column_letter"):
        column = f"{error['column_letter']}列（{column}）" if column else f"{error['column_letter']}列"
    if column:
        where.append(column)
    location = " ".join(w for w in dict.fromkeys(where) if w)
    value = f"  值：{error['value']}" if error.get("value") else ""
    count = f"（共 {error['count']} 处）" if (error.get("count") or 0) > 1 else ""
    return f"[{label}] {location}：{error.get('problem', '')}{count}{value}\n        → {error.get('fix', '')}"
