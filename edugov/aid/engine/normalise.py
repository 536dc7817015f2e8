"""Normalising what external lists carry: ID numbers (GB 11643) and Chinese names.

IDs: whitespace and invisible characters removed, full-width made half-width, a trailing x/× made X, and old 15-digit
numbers upgraded to 18 (edugov.lib.idcard). Each number is classified as valid, bad check digit (kept, matched only as
a flagged fallback), malformed or missing. Names: whitespace removed, full-width made half-width, the middle-dot
variants of transliterated names unified, Traditional characters made Simplified (OpenCC's character table, applied
with one str.translate: names are not phrases, so the phrase tables are not needed)."""

from __future__ import annotations

import datetime as dt
import enum
from functools import cache
from pathlib import Path

from edugov.lib.idcard import check_digit, validate_id
from edugov.lib.text import ZERO_WIDTH, to_halfwidth

__all__ = ["IdKind", "IdResult", "birth_from_id", "classify_id", "first_characters", "name_key", "t2s_table"]


class IdKind(enum.StrEnum):
    VALID = "valid"
    BAD_CHECK = "bad_check"
    MALFORMED = "malformed"
    MISSING = "missing"


class IdResult:
    """A list row's ID number after normalisation: the 18-character form (or what is left of a malformed one),
    its kind, whether it was upgraded from 15 digits, and the Chinese problem for malformed numbers."""

    __slots__ = ("kind", "message", "normalised", "upgraded")

    def __init__(self, normalised: str, kind: IdKind, upgraded: bool = False, message: str = "") -> None:
        self.normalised = normalised
        self.kind = kind
        self.upgraded = upgraded
        self.message = message

    def __repr__(self) -> str:
        return f"IdResult({self.normalised!r}, {self.kind.value}, upgraded={self.upgraded})"


def classify_id(raw: str) -> IdResult:
    """Normalises and classifies one ID number. A 15-digit number is upgraded to 18 and then classified as valid
    (the upgrade computes the check digit, so it cannot be wrong); a wrong 18th character is BAD_CHECK; anything
    else that fails GB 11643 (length, characters, region, birth date) is MALFORMED."""
    number = raw.translate(_ID_TABLE)
    if not number:
        return IdResult("", IdKind.MISSING, message="身份证号为空")
    upgraded = False
    if len(number) == 15 and number.isascii() and number.isdigit():
        # upgrade_15_to_18 without its second normalisation: "19" before the birth date, then the check digit.
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_digit(first17)
        upgraded = True
    check = validate_id(number)
    if check.ok:
        return IdResult(check.normalized, IdKind.VALID, upgraded)
    if check.error_code == "check_digit":
        return IdResult(check.normalized, IdKind.BAD_CHECK, upgraded, check.message_zh or "")
    return IdResult(check.normalized, IdKind.MALFORMED, upgraded, check.message_zh or "")


# One str.translate instead of idcard.normalize_id's per-character loop (same result for ID numbers): whitespace and
# invisible characters dropped, full-width digits and letters made half-width, x and × made X.
_ID_TABLE: dict[int, str | None] = {code: to_halfwidth(chr(code)) for code in range(0xFF01, 0xFF5F)}
_ID_TABLE.update({ord(c): None for c in (" ", "\t", "\n", "\r", "\u00a0", "\u3000", *ZERO_WIDTH)})
_ID_TABLE.update({ord("x"): "X", ord("ｘ"): "X", ord("Ｘ"): "X", ord("×"): "X"})


def birth_from_id(number: str) -> dt.date | None:
    """The birth date carried by an 18-character number, or None if it is not a real date."""
    if len(number) != 18 or not number[6:14].isdigit():
        return None
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


_DICTIONARY = "TSCharacters.txt"
# Middle dots used between the parts of transliterated names (e.g. 买买提·艾力): all become U+00B7.
_DOTS = "\u00b7\u2022\u2027\u30fb\uff65\u2219\u22c5\u0387\u16eb\u2e31\u318d\u00b7．."


@cache
def t2s_table() -> dict[int, str]:
    """str.translate table: Traditional → Simplified characters (first choice of OpenCC's TSCharacters), half-width
    forms, middle dots unified, whitespace and invisible characters removed. Empty conversions if OpenCC's data is
    not installed (names then still match when written the same way)."""
    table: dict[int, str] = {}
    path = _opencc_dictionary()
    if path is not None:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                simplified = parts[1].split(" ")[0]
                if len(simplified) == 1:
                    table[ord(parts[0])] = simplified
    for code in range(0xFF01, 0xFF5F):
        table[code] = to_halfwidth(chr(code))
    for dot in _DOTS:
        table[ord(dot)] = "\u00b7"
    for blank in (" ", "\t", "\n", "\r", "\u00a0", "\u3000", *ZERO_WIDTH):
        table[ord(blank)] = ""
    return table


def _opencc_dictionary() -> Path | None:
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a runtime dependency
        return None
    path = Path(opencc.__file__).parent / "dictionary" / _DICTIONARY
    return path if path.is_file() else None


@cache
def first_characters() -> dict[str, str]:
    """The name normalisation of single characters (str → str), for cheap checks on a name's first character."""
    heads = {chr(code): (value or "").upper() for code, value in t2s_table().items()}
    heads.update({chr(code): chr(code).upper() for code in range(ord("a"), ord("z") + 1)})
    return heads


def name_key(name: str) -> str:
    """The comparable form of a name: 張 偉 → 张伟, 买买提•艾力 → 买买提·艾力, ＡＢＣ → ABC (upper-cased)."""
    return name.translate(t2s_table()).upper()
