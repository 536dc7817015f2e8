"""Risk levels from screening scores at the exact cut-off boundaries, and the validation of the cut-off file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edugov.cases.engine.screening import CutoffError, load_cutoffs, parse_cutoffs


@pytest.mark.parametrize(("score", "level"), [
    (0, "none"), (4, "none"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe")])
def test_phq9_scores_at_each_cut_off_fall_into_the_higher_band(score: int, level: str) -> None:
    scale = load_cutoffs().scale("PHQ-9")
    assert scale is not None
    assert scale.level_of(Decimal(score)) == level


@pytest.mark.parametrize(("score", "level"), [(4, "none"), (5, "mild"), (9, "mild"), (10, "moderate"),
                                              (14, "moderate"), (15, "severe"), (21, "severe")])
def test_gad7_scores_at_each_cut_off_fall_into_the_higher_band(score: int, level: str) -> None:
    scale = load_cutoffs().scale("gad7")
    assert scale is not None
    assert scale.level_of(Decimal(score)) == level


def test_scl90_is_positive_only_above_160_and_mht_needs_attention_from_65() -> None:
    cut = load_cutoffs()
    scl, mht = cut.scale("SCL-90"), cut.scale("MHT")
    assert scl is not None and mht is not None
    assert scl.level_of(Decimal(160)) == "none" and scl.level_of(Decimal(161)) == "moderate"
    assert mht.level_of(Decimal(64)) == "mild" and mht.level_of(Decimal(65)) == "severe"


def test_a_score_outside_the_scales_range_is_refused() -> None:
    scale = load_cutoffs().scale("PHQ-9")
    assert scale is not None
    for bad in (-1, 28):
        with pytest.raises(ValueError, match="0–27"):
            scale.level_of(Decimal(bad))


def test_cases_open_at_or_above_the_configured_level() -> None:
    cut = load_cutoffs()
    assert cut.open_case_at == "moderate"
    assert not cut.opens_case("mild") and cut.opens_case("moderate") and cut.opens_case("severe")


def test_a_broken_cut_off_file_is_refused_with_every_problem() -> None:
    with pytest.raises(CutoffError) as err:
        parse_cutoffs({"open_case_at": "huge", "scales": {"X": {"min": 0, "max": 10, "bands": [
            {"level": "mild", "from": 1}, {"level": "none", "from": 1}]}}})
    text = str(err.value)
    assert "version" in text and "open_case_at" in text and "最低分" in text and "递增" in text and "由低到高" in text
