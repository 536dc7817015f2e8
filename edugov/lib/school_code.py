"""学校（机构）标识码: the 10-digit permanent school identifier assigned by MOE (standards §4.3).

Layout: 2-digit school category + 2-digit province code + 6-digit sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

from edugov.lib.divisions import is_province_code, normalize_code

__all__ = ["SCHOOL_CATEGORIES", "SchoolCategory", "SchoolCodeCheck", "category_of", "validate_school_code"]

SCHOOL_CATEGORIES: dict[str, str] = {
    "11": "幼儿园",
    "21": "小学",
    "22": "成人小学",
    "31": "普通初中",
    "32": "职业初中",
    "33": "成人初中",
    "34": "普通高中",
    "35": "成人高中",
    "36": "中等职业学校",
    "37": "工读学校",
    "41": "普通高等学校",
    "42": "成人高等学校",
    "51": "特殊教育学校",
    "91": "培养研究生的科研机构",
    "92": "其他民办高等教育机构",
    "93": "中等职业技术培训机构",
}


@dataclass(frozen=True)
class SchoolCategory:
    code: str
    name: str


@dataclass(frozen=True)
class SchoolCodeCheck:
    """Result of :func:`validate_school_code`; ``category`` and ``province_code`` are set only when ``ok``."""

    ok: bool
    normalized: str
    error_code: str | None = None
    message_zh: str | None = None
    category: SchoolCategory | None = None
    province_code: str | None = None


def _fail(normalized: str, error_code: str, message: str) -> SchoolCodeCheck:
    return SchoolCodeCheck(ok=False, normalized=normalized, error_code=error_code, message_zh=message)


def validate_school_code(raw: str) -> SchoolCodeCheck:
    """Validate a 学校标识码: 10 ASCII digits, a known category in digits 1–2, a province code in digits 3–4.

    Error codes: empty, charset, length, category, province; messages are in Chinese.
    The sequence part cannot be checked offline and is not.
    """
    code = normalize_code(raw)
    if not code:
        return _fail(code, "empty", "学校标识码为空，请填写10位学校标识码")
    if not code.isascii() or not code.isdigit():
        return _fail(code, "charset", f"学校标识码只能由数字组成，“{code}”中含有其他字符")
    if len(code) != 10:
        return _fail(code, "length", f"学校标识码应为10位数字，实际为{len(code)}位，请核对")
    category, province = code[:2], code[2:4]
    if category not in SCHOOL_CATEGORIES:
        return _fail(code, "category", f"学校标识码前两位“{category}”不是有效的学校类别代码，请核对")
    if not is_province_code(province):
        return _fail(code, "province", f"学校标识码第3–4位“{province}”不是有效的省级代码，请核对")
    return SchoolCodeCheck(
        ok=True,
        normalized=code,
        category=SchoolCategory(code=category, name=SCHOOL_CATEGORIES[category]),
        province_code=province,
    )


def category_of(code: str) -> SchoolCategory:
    """Return the school category (code and Chinese name) of a valid 学校标识码.

    Raises ValueError with the Chinese message of :func:`validate_school_code` if the code is invalid.
    """
    check = validate_school_code(code)
    if check.category is None:
        raise ValueError(check.message_zh)
    return check.category
