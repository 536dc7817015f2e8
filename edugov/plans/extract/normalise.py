"""Script and width normalisation that keeps character offsets intact.

Offsets returned by the extractor index the ORIGINAL text, so the analysis copy
must have exactly one character per original character. OpenCC phrase tables can
change length (tw2sp shortened seed 003 by 3 characters; t2s rarely does); when
the phrase-level t2s result differs in length we fall back to a per-character t2s
mapping, which is always 1:1.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from opencc import OpenCC


@cache
def _cc(config: str) -> OpenCC:
    return OpenCC(config)


def _fold_char(c: str) -> str:
    """Full-width ASCII (１２％，) to half-width so one regex handles both; keep 1 char."""
    if "\uff01" <= c <= "\uff5e":
        folded = unicodedata.normalize("NFKC", c)
        return folded if len(folded) == 1 else c
    return c


@cache
def _char_t2s(c: str) -> str:
    out = _cc("t2s").convert(c)
    return out if len(out) == 1 else c


_TABLE: dict[int, str] = {}  # code point -> Simplified/half-width char, grown as new characters appear


def analysis_text(text: str) -> str:
    """Simplified, half-width copy of ``text`` with ``len(result) == len(text)``.

    Character-level t2s: converting the distinct characters once and applying a
    translation table is ~20x faster than phrase conversion of the whole text, and
    phrase context never matters for finding numbers, units and comparators.
    """
    new = sorted({c for c in text if ord(c) > 127 and ord(c) not in _TABLE})
    if new:
        # one OpenCC call on newline-separated characters: no phrase can span two of them
        converted = _cc("t2s").convert("\n".join(new)).split("\n")
        if len(converted) != len(new):  # pragma: no cover - defensive, OpenCC keeps newlines
            converted = [_char_t2s(c) for c in new]
        for orig, simp in zip(new, converted, strict=True):
            simp = simp if len(simp) == 1 else orig
            _TABLE[ord(orig)] = _fold_char(simp)
    return text.translate(_TABLE)


def to_simplified(s: str) -> str:
    """Simplified text for display fields (subject, scope).

    Only t2s: the tw2sp phrase table of opencc-python-reimplemented rewrites ordinary
    words that mainland plans use too (建立 → 创建, 新增 → 添加), which corrupts subjects
    more than it helps with the rare Taiwan term (資訊 stays 资讯).
    """
    return str(_cc("t2s").convert(s))
