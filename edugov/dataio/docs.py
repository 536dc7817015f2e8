"""Generates the table reference in docs/data-format.md from tables.py, so the documentation cannot drift.

    python -m edugov.dataio.docs          # rewrite the generated part of docs/data-format.md
    python -m edugov.dataio.docs --check  # exit 1 if it is out of date (a test does the same)
"""

from __future__ import annotations

import sys
from pathlib import Path

from edugov.dataio.describe import CHOICE_TITLES, CODELIST_TITLES, codelist_users, kind_description
from edugov.dataio.tables import CHOICES, IMPORT_ORDER, TABLES
from edugov.lib import codelists

BEGIN = "<!-- BEGIN GENERATED: python -m edugov.dataio.docs -->"
END = "<!-- END GENERATED -->"
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def render_tables() -> str:
    """The generated Markdown: one section per table, then the code lists and fixed vocabularies."""
    lines: list[str] = []
    for table in TABLES:
        headers = {c.field: c.header for c in table.columns}
        key = " + ".join(headers.get(f, f) for f in table.natural_key)
        names = "、".join(f"`{n}`" for n in dict.fromkeys((table.sheet, table.key, *table.file_aliases)))
        lines += [
            f"### {table.sheet}（{table.key}）",
            "",
            table.description,
            "",
            f"- 工作表或 CSV 文件名：{names}（如 `{table.sheet}.csv`）",
            f"- 唯一键（同一键只能有一行，再次导入时按它更新）：{key}",
            f"- 导入顺序：第 {IMPORT_ORDER.index(table) + 1} 步",
            "",
            "| 列名 | 必填 | 格式 | 说明 | 也可写作 | 示例 |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for column in table.columns:
            lines.append("| " + " | ".join(_cell(v) for v in (
                column.header, "是" if column.required else "", kind_description(column), column.help,
                "、".join(column.aliases), column.example)) + " |")
        lines.append("")
    lines += ["### 代码表（code lists）", "",
              "代码类的列可以填代码，也可以填名称或常见别称（如民族填“01”“汉族”或“汉”都可以）。"
              "完整代码见导入模板的“代码表”工作表。", "",
              "| 代码表 | 条目数 | 用于 |", "| --- | --- | --- |"]
    users = codelist_users()
    for name in codelists.CODELIST_NAMES:
        lines.append(f"| {CODELIST_TITLES.get(name, name)}（`{name}`） | {len(codelists.load(name))} | "
                     f"{_cell('、'.join(users.get(name, [])) or '身份证号、学校标识码的校验')} |")
    lines += ["", "### 固定选项（fixed vocabularies）", "",
              "| 选项 | 可填（第一个为导出时使用的写法） |", "| --- | --- |"]
    for name, values in CHOICES.items():
        words = "；".join("、".join(accepted) for accepted in values.values())
        lines.append(f"| {CHOICE_TITLES.get(name, name)} | {_cell(words)} |")
    return "\n".join(lines).rstrip() + "\n"


def _splice(text: str, generated: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n\n" + generated + "\n" + text[end:]


def is_current(path: Path = DOC_PATH) -> bool:
    text = path.read_text(encoding="utf-8")
    return _splice(text, render_tables()) == text


def main(argv: list[str]) -> int:
    text = DOC_PATH.read_text(encoding="utf-8")
    updated = _splice(text, render_tables())
    if "--check" in argv:
        if updated != text:
            sys.stderr.write("docs/data-format.md is out of date: run python -m edugov.dataio.docs\n")
            return 1
        return 0
    DOC_PATH.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
