"""Text clean-up for values typed into spreadsheets and forms.

Chinese input methods switch between full-width and half-width characters, and
cells copied from web pages or Word carry NBSPs, zero-width spaces and BOMs.
These helpers make such values comparable without changing their meaning.
"""

from __future__ import annotations

import re

__all__ = ["ZERO_WIDTH", "clean_cell", "normalize_header", "to_halfwidth"]

# Invisible characters that survive copy-and-paste and break equality checks.
ZERO_WIDTH = frozenset({"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"})

_FULLWIDTH_FIRST = 0xFF01  # ！
_FULLWIDTH_LAST = 0xFF5E  # ～
_FULLWIDTH_OFFSET = 0xFEE0
_IDEOGRAPHIC_SPACE = "\u3000"

_HALFWIDTH_TABLE: dict[int, str] = {
    code: chr(code - _FULLWIDTH_OFFSET) for code in range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1)
}
_HALFWIDTH_TABLE[ord(_IDEOGRAPHIC_SPACE)] = " "

_REMOVE_ZERO_WIDTH: dict[int, None] = {ord(char): None for char in ZERO_WIDTH}


def to_halfwidth(s: str) -> str:
    """Return ``s`` with full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space made half-width.

    Only the full-width counterparts of printable ASCII change; Chinese characters and
    Chinese punctuation without an ASCII twin (such as 、 or 。) are left alone.
    """
    return s.translate(_HALFWIDTH_TABLE)


def clean_cell(s: str) -> str:
    """Return ``s`` stripped, with invisible characters removed and every whitespace run collapsed to one space.

    Removes zero-width characters and BOMs, and treats NBSP, the ideographic space,
    tabs and line breaks as ordinary whitespace. The visible characters are unchanged
    (no full-width conversion), so the result is still what the user typed.
    """
    return " ".join(s.translate(_REMOVE_ZERO_WIDTH).split())


_HEADER_MARKERS = re.compile(r"^\*+|\*+$")


def normalize_header(s: str) -> str:
    """Return a spreadsheet column header in a canonical form for matching against expected headers.

    Applies :func:`clean_cell` and :func:`to_halfwidth`, removes all spaces and strips
    the ``*`` "required" markers that templates put before or after a header, so
    ``"身份证号 *"``, ``"＊身份证号"`` and ``"身份证号"`` are all equal afterwards,
    as are ``"面积（平方米）"`` and ``"面积(平方米)"``.
    """
    compact = to_halfwidth(clean_cell(s)).replace(" ", "")
    return _HEADER_MARKERS.sub("", compact)


_PUBLIC_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_public_id(length: int = 16) -> str:
    """A random public identifier for a URL or a command line: letters and digits only (no "-" that a shell
    command would take for an option, no look-alikes such as 0/O or 1/l). 16 characters carry ≈ 93 bits."""
    import secrets

    return "".join(secrets.choice(_PUBLIC_ID_ALPHABET) for _ in range(length))
