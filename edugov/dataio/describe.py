"""Plain-language descriptions of columns, shared by the template workbook and docs/data-format.md."""

from __future__ import annotations

from edugov.dataio.tables import CHOICES, TABLES, Column
from edugov.lib import codelists

#: Chinese titles of the national code lists, as the 代码表 sheet and the documentation name them
CODELIST_TITLES: dict[str, str] = {
    "sex": "性别",
    "ethnicity": "民族",
    "urban_rural": "城乡分类",
    "school_type": "办学类型",
    "sponsor": "举办者",
    "education_level": "学历",
    "teacher_title": "职称",
    "backbone_level": "骨干级别",
    "subject": "任教学科",
    "disability": "残疾类型",
    "province": "省级行政区",
}

CHOICE_TITLES: dict[str, str] = {
    "unit_kind": "层级",
    "ownership": "办学性质",
    "stage": "学段",
    "age_band": "年龄段",
    "residence": "户籍类别",
    "hierarchy": "体系",
    "hardship": "家庭经济困难类型",
}


def choice_words(name: str) -> list[str]:
    """The word written on export for each value of a CHOICES vocabulary, in order."""
    return [accepted[0] for accepted in CHOICES[name].values()]


def kind_description(column: Column) -> str:
    kind = column.kind
    if kind == "text":
        return f"文字（最多{column.max_length}字）" if column.max_length else "文字"
    if kind == "int":
        return "整数（不能为负）"
    if kind == "decimal":
        return "数字（可有小数，不能为负）"
    if kind == "date":
        return "日期，如 2018-01-01"
    if kind == "bool":
        return "是/否"
    if kind == "year":
        return "学年，如 2024 或 2024-2025学年"
    if kind == "grade":
        return "年级，如 一年级、七年级、高一、小班"
    if kind == "unit_code":
        return "机构代码（须已登记，或在机构表更早的行中）"
    if kind == "id_number":
        return "18位身份证号（校验位须正确）"
    if kind.startswith("code:"):
        name = kind.split(":", 1)[1]
        return f"代码表“{CODELIST_TITLES.get(name, name)}”的代码或名称"
    if kind.startswith("choices_multi:"):
        return "可多选，用顿号分隔：" + "、".join(choice_words(kind.split(":", 1)[1]))
    if kind.startswith("choice:"):
        return "可填：" + "、".join(choice_words(kind.split(":", 1)[1]))
    return kind


def codelist_users() -> dict[str, list[str]]:
    """Code list name → the headers (with sheet) that use it."""
    users: dict[str, list[str]] = {}
    for table in TABLES:
        for column in table.columns:
            if column.kind.startswith("code:"):
                users.setdefault(column.kind.split(":", 1)[1], []).append(f"{table.sheet}·{column.header}")
    return users


def codelist_rows() -> list[tuple[str, str, str, str, str]]:
    """(list title, used by, code, name, other accepted words) for every national code list and vocabulary."""
    rows: list[tuple[str, str, str, str, str]] = []
    users = codelist_users()
    for name in codelists.CODELIST_NAMES:
        codes = codelists.load(name)
        used_by = "、".join(users.get(name, []))
        for entry in codes:
            rows.append((CODELIST_TITLES.get(name, name), used_by, entry.code, entry.name, "、".join(entry.aliases)))
    choice_users: dict[str, list[str]] = {}
    for table in TABLES:
        for column in table.columns:
            if column.kind.startswith(("choice:", "choices_multi:")):
                choice_users.setdefault(column.kind.split(":", 1)[1], []).append(f"{table.sheet}·{column.header}")
    for name, values in CHOICES.items():
        used_by = "、".join(choice_users.get(name, []))
        for accepted in values.values():
            rows.append((CHOICE_TITLES.get(name, name), used_by, "", accepted[0], "、".join(accepted[1:])))
    return rows
