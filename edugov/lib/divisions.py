"""Structural checks for GB/T 2260 行政区划代码 (6 digits) and NBS 统计用区划代码 (12 digits).

These checks catch typos and misplaced columns; they do not prove that a code is
currently in force, because division codes change every year and retired codes stay
valid for old records. Checking against a dated code list is a separate step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from edugov.lib.codelists import load
from edugov.lib.text import ZERO_WIDTH, to_halfwidth

__all__ = [
    "DivisionCheck",
    "DivisionLevel",
    "TownshipKind",
    "is_province_code",
    "normalize_code",
    "township_kind",
    "validate_division_code",
    "validate_statistical_code",
]


class DivisionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class TownshipKind(StrEnum):
    """Kind of township-level unit, from the first digit of the 3-digit township code (§4.2)."""

    SUBDISTRICT = "街道"
    TOWN = "镇"
    TOWNSHIP = "乡"
    OTHER = "其他"  # 政企合一 units such as state farms, forest farms and development zones


_TOWNSHIP_KIND_BY_DIGIT = {
    "0": TownshipKind.SUBDISTRICT,
    "1": TownshipKind.TOWN,
    "2": TownshipKind.TOWNSHIP,
    "3": TownshipKind.TOWNSHIP,
    "4": TownshipKind.OTHER,
    "5": TownshipKind.OTHER,
}


@dataclass(frozen=True)
class DivisionCheck:
    """Result of a structural division-code check; ``level`` and ``province_code`` are set only when ``ok``."""

    ok: bool
    normalized: str
    error_code: str | None = None
    message_zh: str | None = None
    level: DivisionLevel | None = None
    province_code: str | None = None


def normalize_code(raw: str) -> str:
    """Return ``raw`` with full-width digits made half-width and all whitespace and invisible characters removed."""
    return "".join(char for char in to_halfwidth(raw) if not char.isspace() and char not in ZERO_WIDTH)


def is_province_code(code: str) -> bool:
    """Tell whether ``code`` is one of the 34 province-level GB/T 2260 two-digit codes."""
    return len(code) == 2 and load("province").get(code) is not None


def _fail(normalized: str, error_code: str, message: str) -> DivisionCheck:
    return DivisionCheck(ok=False, normalized=normalized, error_code=error_code, message_zh=message)


def _check_six(code: str, label: str) -> DivisionCheck:
    """Check a 6-digit code already known to be ASCII digits; ``label`` names the code in messages."""
    province, prefecture, county = code[:2], code[2:4], code[4:6]
    if not is_province_code(province):
        return _fail(code, "province", f"{label}前两位“{province}”不是有效的省级代码，请核对")
    if prefecture == "00":
        if county != "00":
            return _fail(code, "prefecture", f"{label}第3–4位为00时第5–6位也必须为00，实际为“{county}”，请核对")
        return DivisionCheck(ok=True, normalized=code, level=DivisionLevel.PROVINCE, province_code=province)
    # GB/T 2260: 01–20 and 51–70 prefecture-level cities, 21–50 prefectures/州/盟, 90 province-administered counties.
    if not ("01" <= prefecture <= "70" or prefecture == "90"):
        return _fail(code, "prefecture", f"{label}第3–4位“{prefecture}”不是有效的地级代码（应为01–70或90），请核对")
    level = DivisionLevel.PREFECTURE if county == "00" else DivisionLevel.COUNTY
    return DivisionCheck(ok=True, normalized=code, level=level, province_code=province)


def validate_division_code(raw: str) -> DivisionCheck:
    """Check the structure of a 6-digit GB/T 2260 行政区划代码 (province, prefecture or county level).

    Guarantees on ``ok``: six ASCII digits, a valid province prefix, prefecture digits in
    00/01–70/90, and 00 county digits under a 00 prefecture. County digits 01–99 are all
    accepted because recent codes no longer follow the 2007 sub-ranges strictly.
    """
    code = normalize_code(raw)
    if not code:
        return _fail(code, "empty", "行政区划代码为空，请填写6位代码")
    if not code.isascii() or not code.isdigit():
        return _fail(code, "charset", f"行政区划代码只能由数字组成，“{code}”中含有其他字符")
    if len(code) != 6:
        return _fail(code, "length", f"行政区划代码应为6位数字，实际为{len(code)}位，请核对")
    return _check_six(code, "行政区划代码")


def validate_statistical_code(raw: str) -> DivisionCheck:
    """Check the structure of a 12-digit 统计用区划代码: 6-digit county + 3-digit township + 3-digit village.

    Guarantees on ``ok``: the first six digits pass :func:`validate_division_code`, the township
    code starts with 0–5, and a village part is present only under a township. ``level`` is the
    most specific level the code denotes (a code ending in 000000 is a county-or-higher summary).
    """
    code = normalize_code(raw)
    label = "统计用区划代码"
    if not code:
        return _fail(code, "empty", f"{label}为空，请填写12位代码")
    if not code.isascii() or not code.isdigit():
        return _fail(code, "charset", f"{label}只能由数字组成，“{code}”中含有其他字符")
    if len(code) != 12:
        hint = "，看起来是6位行政区划代码，请补全乡级和村级代码" if len(code) == 6 else "，请核对"
        return _fail(code, "length", f"{label}应为12位数字，实际为{len(code)}位{hint}")
    head = _check_six(code[:6], f"{label}前6位")
    if not head.ok:
        return DivisionCheck(ok=False, normalized=code, error_code=head.error_code, message_zh=head.message_zh)
    township, village = code[6:9], code[9:12]
    if township == "000":
        if village != "000":
            return _fail(code, "village", f"{label}乡级代码为000时村级代码也必须为000，实际为“{village}”，请核对")
        return DivisionCheck(ok=True, normalized=code, level=head.level, province_code=head.province_code)
    if township[0] not in _TOWNSHIP_KIND_BY_DIGIT:
        return _fail(
            code,
            "township",
            f"{label}第7–9位乡级代码“{township}”无效：首位应为0（街道）、1（镇）、2–3（乡）或4–5（其他）",
        )
    level = DivisionLevel.TOWNSHIP if village == "000" else DivisionLevel.VILLAGE
    return DivisionCheck(ok=True, normalized=code, level=level, province_code=head.province_code)


def township_kind(code12: str) -> TownshipKind | None:
    """Return the kind (街道/镇/乡/其他) of the township in a 12-digit statistical code.

    Returns None for a county-or-higher summary code (township part 000); raises
    ValueError with the Chinese message of :func:`validate_statistical_code` if the code is invalid.
    """
    check = validate_statistical_code(code12)
    if not check.ok:
        raise ValueError(check.message_zh)
    township = check.normalized[6:9]
    if township == "000":
        return None
    return _TOWNSHIP_KIND_BY_DIGIT[township[0]]
