"""Chinese and Arabic numerals to numbers (一 → 1, 两 → 2, 百 → 100, 三十五 → 35, 1.5 → 1.5)."""

from __future__ import annotations

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_POWERS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_POWERS)


def parse_cn_int(s: str) -> int | None:
    """Parse a Chinese integer below 10,000; a leading power means one of it (百 → 100, 十五 → 15).

    Digit strings without powers (二〇二五) are read digit by digit, as years are written.
    """
    if not s or any(c not in CN_NUMERAL_CHARS for c in s):
        return None
    if not any(c in CN_POWERS for c in s):
        return int("".join(str(CN_DIGITS[c]) for c in s))
    total, digit = 0, None
    for c in s:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        else:
            total += (1 if digit is None else digit) * CN_POWERS[c]
            digit = None
    return total + (digit or 0)


def parse_number(s: str) -> float | None:
    """Arabic (possibly decimal, full-width already folded) or Chinese numeral; None when unreadable."""
    s = s.strip()
    try:
        return float(s)
    except ValueError:
        v = parse_cn_int(s)
        return None if v is None else float(v)


def tidy(v: float) -> float | int:
    """Integers print as integers in JSON (68, not 68.0)."""
    return int(v) if float(v).is_integer() else round(v, 6)
