from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from edugov.indicators.engine import SchemeError, Section, load_scheme


def test_the_national_scheme_holds_the_published_thresholds_as_exact_fractions() -> None:
    scheme = load_scheme()
    expected = {
        "qualified_teachers": ("4.2", "5.3"), "backbone_teachers": ("1", "1"), "pe_arts_teachers": ("0.9", "0.9"),
        "teaching_area": ("4.5", "5.8"), "sports_area": ("7.5", "10.2"), "equipment_value": ("2000", "2500"),
        "multimedia_classrooms": ("2.3", "2.4"),
    }
    assert [i.code for i in scheme.indicators] == list(expected)
    for code, (primary, junior) in expected.items():
        ind = scheme.indicator(code)
        assert ind.thresholds[Section.PRIMARY] == Fraction(primary)
        assert ind.thresholds[Section.JUNIOR] == Fraction(junior)
    assert scheme.min_indicators_met == 6
    assert scheme.remaining_rule_enabled is True
    assert scheme.remaining_rule_share == Fraction(85, 100)
    assert scheme.cv_limits == {Section.PRIMARY: Fraction(1, 2), Section.JUNIOR: Fraction(45, 100)}
    assert scheme.unit_costs_are_examples is True


def test_a_province_override_replaces_only_what_it_names() -> None:
    scheme = load_scheme(overrides=["example_province_override"])
    sports = scheme.indicator("sports_area")
    assert sports.thresholds[Section.PRIMARY] == 8
    assert sports.thresholds[Section.JUNIOR] == Fraction("10.2")
    assert sports.name == "生均体育运动场馆面积"
    assert scheme.cv_limits[Section.JUNIOR] == Fraction("0.40")
    assert scheme.cv_limits[Section.PRIMARY] == Fraction("0.50")
    assert scheme.remaining_rule_enabled is False
    assert scheme.remaining_rule_share == Fraction("0.85")
    assert scheme.jurisdiction.startswith("示例省")


def test_overrides_apply_in_order_so_a_city_can_tighten_a_province() -> None:
    city = {"indicators": {"sports_area": {"thresholds": {"primary": "9"}}}}
    scheme = load_scheme(overrides=["example_province_override", city])
    assert scheme.indicator("sports_area").thresholds[Section.PRIMARY] == 9
    assert scheme.cv_limits[Section.JUNIOR] == Fraction("0.40")


def test_a_misspelt_override_key_is_rejected_instead_of_silently_ignored() -> None:
    with pytest.raises(SchemeError, match="sport_area"):
        load_scheme(overrides=[{"indicators": {"sport_area": {"thresholds": {"primary": "8"}}}}])


def test_an_override_written_for_another_scheme_is_rejected() -> None:
    with pytest.raises(SchemeError, match="extends"):
        load_scheme(overrides=[{"extends": "xueqian_puhui_2020"}])


def test_a_float_threshold_is_rejected_because_it_is_already_inexact() -> None:
    with pytest.raises(SchemeError, match="strings or integers"):
        load_scheme(overrides=[{"cv_limits": {"primary": 0.5}}])


def test_the_qualification_rule_in_force_on_the_assessment_date_is_used() -> None:
    later = {"effective_from": "2030-09-01", "primary": ["edu_bachelor", "edu_postgraduate"],
             "junior": ["edu_postgraduate"]}
    base = load_scheme()
    rules = [{"effective_from": "1994-01-01", "primary": ["edu_associate", "edu_bachelor", "edu_postgraduate"],
              "junior": ["edu_bachelor", "edu_postgraduate"]}, later]
    scheme = load_scheme(overrides=[{"qualification_rules": rules}])
    assert base.qualification_bands(Section.PRIMARY, dt.date(2024, 9, 1)) == (
        "edu_associate", "edu_bachelor", "edu_postgraduate")
    assert scheme.qualification_bands(Section.PRIMARY, dt.date(2030, 8, 31)) == (
        "edu_associate", "edu_bachelor", "edu_postgraduate")
    assert scheme.qualification_bands(Section.PRIMARY, dt.date(2030, 9, 1)) == ("edu_bachelor", "edu_postgraduate")
    with pytest.raises(SchemeError, match="no qualification rule"):
        scheme.qualification_bands(Section.PRIMARY, dt.date(1990, 1, 1))


def test_a_zero_threshold_or_step_is_rejected() -> None:
    with pytest.raises(SchemeError, match="must be positive"):
        load_scheme(overrides=[{"indicators": {"teaching_area": {"thresholds": {"primary": "0"}}}}])
    with pytest.raises(SchemeError, match=r"gap\.step"):
        load_scheme(overrides=[{"indicators": {"teaching_area": {"gap": {"step": "0"}}}}])
