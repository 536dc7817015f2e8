"""Numerals and the offset-preserving Simplified copy."""

from __future__ import annotations

import pytest

from edugov.plans.extract import normalise
from edugov.plans.extract.numbers import parse_cn_int, parse_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("一", 1), ("两", 2), ("十", 10), ("十五", 15), ("三十", 30), ("百", 100), ("一百零五", 105), ("两千", 2000)],
)
def test_chinese_numerals_are_read_as_integers(raw: str, expected: int) -> None:
    assert parse_cn_int(raw) == expected


def test_decimal_arabic_numbers_keep_their_fraction() -> None:
    assert parse_number("95.5") == 95.5


def test_unreadable_numerals_give_none_instead_of_a_guess() -> None:
    assert parse_number("若干") is None


def test_analysis_text_is_simplified_half_width_and_of_equal_length() -> None:
    text = "學前教育三年毛入園率達到９５％"
    out = normalise.analysis_text(text)
    assert out == "学前教育三年毛入园率达到95%"
    assert len(out) == len(text)


def test_analysis_text_falls_back_to_character_mapping_when_phrases_change_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class ShrinkingConverter:
        """Stands in for an OpenCC phrase table that maps two characters to one."""

        def convert(self, s: str) -> str:
            return s.replace("軟體", "软") if len(s) > 1 else {"軟": "软", "體": "体"}.get(s, s)

    monkeypatch.setattr(normalise, "_cc", lambda config: ShrinkingConverter())
    normalise._char_t2s.cache_clear()
    try:
        out = normalise.analysis_text("軟體10套")
    finally:
        normalise._char_t2s.cache_clear()
    assert out == "软体10套"


def test_display_conversion_simplifies_without_rewriting_mainland_words() -> None:
    assert normalise.to_simplified("新增建立學位") == "新增建立学位"
