"""统一社会信用代码 (GB 32100-2015) normalization and validation (standards §4.11).

18 characters from a 31-character set; position 1 = registration authority,
2 = organisation category, 3–8 = the authority's GB/T 2260 code, 9–17 = the
former organisation code, 18 = check character (weights 3^(i−1) mod 31).
"""

from __future__ import annotations

from dataclasses import dataclass

from edugov.lib.text import ZERO_WIDTH, to_halfwidth

__all__ = ["CHARSET", "REGISTRATION_AUTHORITIES", "UsccCheck", "check_char", "normalize_uscc", "validate_uscc"]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {char: value for value, char in enumerate(CHARSET)}

# Letters the standard never uses; when they appear the user has usually typed O for 0 or I for 1.
_EXCLUDED_LETTERS = frozenset("IOZSV")

REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管（工商）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}


@dataclass(frozen=True)
class UsccCheck:
    """Result of :func:`validate_uscc`.

    ``normalized`` is always set. The parts (authority, category, region, subject
    identifier) are set only when ``ok``; ``authority_name`` is None for authority
    codes outside the published list, which are not rejected because the list grows.
    """

    ok: bool
    normalized: str
    error_code: str | None = None
    message_zh: str | None = None
    authority_code: str | None = None
    authority_name: str | None = None
    category_code: str | None = None
    region_code: str | None = None
    subject_id: str | None = None


def normalize_uscc(raw: str) -> str:
    """Return ``raw`` upper-cased and half-width, with all whitespace and invisible characters removed."""
    return "".join(char for char in to_halfwidth(raw) if not char.isspace() and char not in ZERO_WIDTH).upper()


def check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters.

    Raises ValueError unless ``first17`` is 17 characters from :data:`CHARSET`.
    """
    if len(first17) != 17 or any(char not in _VALUE for char in first17):
        raise ValueError(f"计算校验码需要17位有效字符，实际为“{first17}”")
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def _fail(normalized: str, error_code: str, message: str) -> UsccCheck:
    return UsccCheck(ok=False, normalized=normalized, error_code=error_code, message_zh=message)


def validate_uscc(raw: str) -> UsccCheck:
    """Validate a unified social credit code: non-empty, 18 characters, allowed charset, correct check character.

    The first failure is reported with a stable ``error_code`` (empty, length, charset,
    check_digit) and a Chinese message saying what to fix.
    """
    code = normalize_uscc(raw)
    if not code:
        return _fail(code, "empty", "统一社会信用代码为空，请填写18位代码")
    if len(code) != 18:
        return _fail(code, "length", f"统一社会信用代码应为18位，实际为{len(code)}位，请检查是否漏填或多填")
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            hint = (
                "（代码不使用字母I、O、Z、S、V，请检查是否把数字0、1、2、5误写为字母）"
                if char in _EXCLUDED_LETTERS
                else ""
            )
            return _fail(code, "charset", f"统一社会信用代码第{position}位“{char}”不是有效字符{hint}，请核对")
    expected = check_char(code[:17])
    if code[17] != expected:
        return _fail(code, "check_digit", f"统一社会信用代码校验码应为 {expected}，实际为 {code[17]}，请核对代码")
    return UsccCheck(
        ok=True,
        normalized=code,
        authority_code=code[0],
        authority_name=REGISTRATION_AUTHORITIES.get(code[0]),
        category_code=code[1],
        region_code=code[2:8],
        subject_id=code[8:17],
    )
