"""公民身份号码 (GB 11643-1999) normalization, validation, 15→18 upgrade and masking.

Layout of the 18 characters: 6-digit address code, 8-digit birth date, 3-digit
sequence (odd = male), 1 ISO 7064 MOD 11-2 check character (standards §4.10).
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from edugov.lib.divisions import is_province_code
from edugov.lib.text import ZERO_WIDTH, clean_cell, to_halfwidth

__all__ = [
    "MIN_BIRTH_YEAR",
    "IdCheck",
    "check_digit",
    "mask_birth_date",
    "mask_embedded_ids",
    "mask_id",
    "mask_name",
    "normalize_id",
    "sex_conflict",
    "upgrade_15_to_18",
    "validate_id",
]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# The GB 11643 worked example 440524188001010014 is born in 1880, so 1900 would reject a standard example.
MIN_BIRTH_YEAR = 1800

# 83 is the address prefix of residence permits for Taiwan residents (台湾居民居住证); 81/82 are used for
# Hong Kong and Macao residents' permits and are province codes anyway.
_EXTRA_REGION_PREFIXES = frozenset({"83"})

# China has had no daylight saving time since 1991, so a fixed UTC+8 offset is exact for "today".
_CHINA_TZ = timezone(timedelta(hours=8))

_SEX_NAMES = {"1": "男", "2": "女"}
_CLEAN_18 = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class IdCheck:
    """Result of :func:`validate_id`.

    ``normalized`` is always set. ``birth_date``, ``sex`` (GB/T 2261.1: "1" male, "2" female)
    and ``region_code`` (the 6-digit address code) are set only when ``ok`` is true;
    ``error_code`` and ``message_zh`` only when it is false.
    """

    ok: bool
    normalized: str
    error_code: str | None = None
    message_zh: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    region_code: str | None = None


def normalize_id(raw: str) -> str:
    """Return ``raw`` with all whitespace (incl. full-width and NBSP) and invisible characters removed,
    full-width digits and letters made half-width, and a trailing x (or ×) made upper-case X.

    The result is not validated; use :func:`validate_id` for that.
    """
    compact = "".join(char for char in to_halfwidth(raw) if not char.isspace() and char not in ZERO_WIDTH)
    # Chinese IMEs offer the multiplication sign × when users type "x", so it shows up as a check character.
    if compact.endswith(("x", "×")):
        compact = compact[:-1] + "X"
    return compact


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character ("0"–"9" or "X") for the first 17 digits.

    Raises ValueError unless ``first17`` is exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"计算校验位需要17位数字，实际为“{first17}”")
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def _china_today() -> date:
    return datetime.now(_CHINA_TZ).date()


def _parse_birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _fail(normalized: str, error_code: str, message: str) -> IdCheck:
    return IdCheck(ok=False, normalized=normalized, error_code=error_code, message_zh=message)


def _is_region_prefix(prefix: str) -> bool:
    return is_province_code(prefix) or prefix in _EXTRA_REGION_PREFIXES


def _is_ascii_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _length_15_message(number: str) -> str:
    try:
        upgraded = upgrade_15_to_18(number)
    except ValueError:
        return "这是旧版15位身份证号，且其中的出生日期或地区码无效，请核对后填写现行的18位身份证号"
    return f"这是旧版15位身份证号，请填写现行的18位身份证号（按规则换算为 {upgraded}，请与本人证件核对）"


def validate_id(raw: str, *, today: date | None = None) -> IdCheck:
    """Validate an 18-character resident ID number and extract birth date, sex and address code.

    Checks, in order: non-empty, length (15 all-digit numbers get ``length_15`` and a
    message with the upgraded number), charset (17 digits + digit or X), province prefix
    (``region``), birth date (a real date from 1800 up to ``today``, default: today in
    China) and check character. The first failure is reported with a stable
    ``error_code`` and a Chinese message that says what to fix.
    """
    # Fast path for the common case (a clean 18-character number straight from a spreadsheet): imports validate
    # millions of these, and normalisation and the per-character scan dominate the cost.
    clean = _CLEAN_18.fullmatch(raw) is not None
    number = raw if clean else normalize_id(raw)
    if not number:
        return _fail(number, "empty", "身份证号为空，请填写18位身份证号")
    if len(number) == 15 and _is_ascii_digits(number):
        return _fail(number, "length_15", _length_15_message(number))
    if len(number) != 18:
        return _fail(number, "length", f"身份证号应为18位，实际为{len(number)}位，请检查是否漏填或多填")
    for position, char in enumerate("" if clean else number, start=1):
        if position < 18 and not _is_ascii_digits(char):
            return _fail(number, "charset", f"身份证号第{position}位“{char}”无效：前17位只能是数字，请核对号码")
        if position == 18 and not (_is_ascii_digits(char) or char == "X"):
            return _fail(number, "charset", f"身份证号第18位“{char}”无效：最后一位只能是数字或X，请核对号码")
    if not _is_region_prefix(number[:2]):
        return _fail(number, "region", f"身份证号前两位“{number[:2]}”不是有效的省级行政区划代码，请核对号码")
    birth = _parse_birth_date(number[6:14])
    if birth is None:
        return _fail(number, "birth_date", f"身份证号第7–14位的出生日期“{number[6:14]}”不是有效日期，请核对号码")
    if birth.year < MIN_BIRTH_YEAR:
        return _fail(
            number, "birth_date", f"身份证号中的出生日期 {birth.isoformat()} 早于{MIN_BIRTH_YEAR}年，请核对号码"
        )
    if birth > (today or _china_today()):
        return _fail(number, "birth_date", f"身份证号中的出生日期 {birth.isoformat()} 晚于今天，请核对号码")
    expected = check_digit(number[:17])
    if number[17] != expected:
        return _fail(number, "check_digit", f"身份证号校验位应为 {expected}，实际为 {number[17]}，请核对号码")
    return IdCheck(
        ok=True,
        normalized=number,
        birth_date=birth,
        sex="1" if int(number[16]) % 2 == 1 else "2",
        region_code=number[:6],
    )


def sex_conflict(check: IdCheck, declared_sex: str) -> str | None:
    """Return a Chinese message if a declared GB/T 2261.1 sex code contradicts the ID number, else None.

    Returns None when the ID check failed or the declared code is 0/9 (unknown/not stated),
    because then there is nothing reliable to compare.
    """
    declared = declared_sex.strip()
    if not check.ok or check.sex is None or declared not in _SEX_NAMES:
        return None
    if declared == check.sex:
        return None
    return f"性别填写为“{_SEX_NAMES[declared]}”，但身份证号显示为“{_SEX_NAMES[check.sex]}”，请核对性别或身份证号"


def upgrade_15_to_18(raw15: str) -> str:
    """Convert an old 15-digit ID number (GB 11643-1989) to the 18-character form.

    Inserts "19" before the 6-digit birth date (the old numbers carry no century) and appends
    the check character. Raises ValueError with a Chinese message unless the input is 15
    digits with a valid province prefix and a real birth date.
    """
    number = normalize_id(raw15)
    if len(number) != 15 or not _is_ascii_digits(number):
        raise ValueError(f"旧版身份证号应为15位数字，实际为“{number}”")
    if not _is_region_prefix(number[:2]):
        raise ValueError(f"身份证号前两位“{number[:2]}”不是有效的省级行政区划代码")
    if _parse_birth_date("19" + number[6:12]) is None:
        raise ValueError(f"旧版身份证号第7–12位的出生日期“{number[6:12]}”不是有效日期")
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_digit(first17)


def mask_id(raw: str) -> str:
    """Return the ID number masked for display: first 3 + 11 "*" + last 4 for 18 characters.

    Any other non-empty length keeps only the last 2 characters (all masked if 2 or fewer),
    so a malformed value never leaks more than a well-formed one.
    """
    number = normalize_id(raw)
    if len(number) == 18:
        return number[:3] + "*" * 11 + number[-4:]
    if len(number) <= 2:
        return "*" * len(number)
    return "*" * (len(number) - 2) + number[-2:]


def mask_name(name: str) -> str:
    """Return a person's name masked for display: the first character followed by one "*" per hidden character.

    张三 → 张*, 欧阳娜娜 → 欧***; a single character becomes "*"; empty stays empty.
    """
    cleaned = clean_cell(name)
    if len(cleaned) <= 1:
        return "*" * len(cleaned)
    return cleaned[0] + "*" * (len(cleaned) - 1)


# An ID number inside another number: a 全国学籍号 is usually "G" + the pupil's ID number.
_ID_RUN = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


def mask_embedded_ids(value: str) -> str:
    """Masks every ID-number-like run inside a registration or staff number; other characters stay as they are."""
    return _ID_RUN.sub(lambda match: mask_id(match.group()), value or "")


def mask_birth_date(value: date | str | None) -> str:
    """Year and month only (2018-03): enough to judge a pupil's age for the grade, not enough to identify them."""
    if value is None:
        return ""
    return value.strftime("%Y-%m") if isinstance(value, date) else str(value)[:7]
