"""Problems found in an import, grouped so that one root cause gives one record.

A misspelled school code on 300 rows, or a whole column of text in a number column, is one mistake for the person
who made it: it becomes one record with the number of rows it affects and the first few row numbers, instead of 300
lines that bury the other mistakes. Two levels of grouping do this:

1. Problems with the same file, sheet, column and message are merged. Messages that name the offending value
   (“代码 X 不存在”) therefore group by value, and messages that do not (“应为数字”) group by column.
2. When one kind of problem (its `code`) still yields many records in one column (say 500 different wrong ID
   numbers), they are folded into a single record that says so and shows the first example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

ERROR = "error"
WARNING = "warning"

#: row numbers kept per record; the count and the last row are always exact
ROWS_SHOWN = 20
#: distinct messages of one kind in one column before they are folded into one record
FOLD_AFTER = 10
#: records kept in total, so that a hopeless file cannot exhaust memory; the rest are only counted
MAX_RECORDS = 2000


@dataclass
class Problem:
    """One grouped problem: where (file, sheet, column, rows), what (value, problem), and how to fix it."""

    file: str
    sheet: str
    column: str
    column_letter: str
    code: str
    problem: str
    fix: str
    severity: str
    value: str = ""
    rows: list[int] = field(default_factory=list)
    count: int = 0
    last_row: int | None = None
    values: list[str] = field(default_factory=list)

    def add_occurrence(self, row: int | None, value: str) -> None:
        self.count += 1
        if row is not None:
            if len(self.rows) < ROWS_SHOWN:
                self.rows.append(row)
            self.last_row = row if self.last_row is None else max(self.last_row, row)
        if value and value not in self.values and len(self.values) < 5:
            self.values.append(value)

    def as_dict(self) -> dict[str, Any]:
        shown_value = self.values[0] if len(self.values) == 1 else "、".join(self.values)
        if len(self.values) > 1 and self.count > len(self.values):
            shown_value += _("等")
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.rows[0] if self.rows else None,
            "rows": list(self.rows),
            "last_row": self.last_row,
            "rows_text": rows_text(self.rows, self.count, self.last_row),
            "column": self.column,
            "column_letter": self.column_letter,
            "value": shown_value or self.value,
            "problem": self.problem,
            "fix": self.fix,
            "severity": self.severity,
            "count": self.count,
            "code": self.code,
        }


def rows_text(rows: list[int], count: int, last_row: int | None) -> str:
    """“5”, “5、9、12”, or “5、6、7… 等共 300 行（第5–1204行）” for the report and the console."""
    if not rows:
        return ""
    listed = "、".join(str(r) for r in rows[:5])
    if count <= 5:
        return listed
    return _("%(listed)s… 等共 %(count)s 行（第%(first)s–%(last)s行）") % {
        "listed": listed, "count": count, "first": rows[0], "last": last_row if last_row is not None else rows[-1]}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the letter Excel shows above a column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class ProblemLog:
    """Collects problems of one import and groups them. Adding is O(1); `records()` folds and orders them."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str, str, str, str], Problem] = {}
        # sheets in the order problems were first found in them, which is the order tables are processed in
        self._sheet_order: dict[tuple[str, str], int] = {}
        self.dropped = 0
        self.error_count = 0
        self.warning_count = 0

    def add(
        self,
        *,
        file: str,
        sheet: str = "",
        row: int | None = None,
        column: str = "",
        column_letter: str = "",
        value: Any = "",
        code: str,
        problem: str,
        fix: str = "",
        severity: str = ERROR,
    ) -> None:
        if severity == ERROR:
            self.error_count += 1
        else:
            self.warning_count += 1
        shown = _shown(value)
        self._sheet_order.setdefault((file, sheet), len(self._sheet_order))
        key = (file, sheet, column, problem, severity)
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= MAX_RECORDS:
                self.dropped += 1
                return
            group = Problem(file=file, sheet=sheet, column=column, column_letter=column_letter, code=code,
                            problem=problem, fix=fix, severity=severity, value=shown)
            self._groups[key] = group
        group.add_occurrence(row, shown)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def records(self) -> list[dict[str, Any]]:
        """The grouped records, errors first, in file and row order, with repetitive kinds folded."""
        by_kind: dict[tuple[str, str, str, str, str], list[Problem]] = {}
        for problem in self._groups.values():
            by_kind.setdefault((problem.file, problem.sheet, problem.column, problem.code, problem.severity),
                               []).append(problem)
        result: list[Problem] = []
        for members in by_kind.values():
            if len(members) <= FOLD_AFTER or not members[0].column:
                result.extend(members)
                continue
            result.append(_fold(members))
        result.sort(key=lambda p: (p.severity != ERROR, self._sheet_order.get((p.file, p.sheet), 0),
                                   p.rows[0] if p.rows else 0, len(p.column_letter), p.column_letter))
        records = [p.as_dict() for p in result]
        if self.dropped:
            records.append({
                "file": "", "sheet": "", "row": None, "rows": [], "last_row": None, "rows_text": "", "column": "",
                "column_letter": "", "value": "", "code": "truncated", "severity": ERROR,
                "count": self.dropped,
                "problem": _("问题过多，另有 %(n)s 处问题未逐条列出") % {"n": self.dropped},
                "fix": _("请先按以上提示修改后重新导入"),
            })
        return records


def _fold(members: list[Problem]) -> Problem:
    first = min(members, key=lambda p: p.rows[0] if p.rows else 0)
    rows = sorted(r for p in members for r in p.rows)[:ROWS_SHOWN]
    last_rows = [p.last_row for p in members if p.last_row is not None]
    folded = Problem(
        file=first.file, sheet=first.sheet, column=first.column, column_letter=first.column_letter, code=first.code,
        severity=first.severity, fix=first.fix,
        problem=_("本列有 %(n)s 个值存在同类问题，例如第 %(row)s 行：%(example)s") % {
            "n": len(members), "row": first.rows[0] if first.rows else "?", "example": first.problem},
        rows=rows, count=sum(p.count for p in members), last_row=max(last_rows) if last_rows else None,
    )
    for member in members:
        for value in member.values:
            if value not in folded.values and len(folded.values) < 5:
                folded.values.append(value)
    return folded


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"
