"""The pure matcher and the eligibility rules (run without Django: pytest -p no:django edugov/aid/engine)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from edugov.aid.engine import (
    IdKind,
    ListRow,
    MatchKind,
    ProgrammeError,
    Students,
    classify_id,
    eligible,
    load_programme,
    match,
    name_key,
    parse_programme,
)
from edugov.lib.idcard import check_digit


def make_id(birth: dt.date, seq: int = 123, region: str = "370202") -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


BIRTH = dt.date(2015, 3, 1)
ZHANG = make_id(BIRTH, 101)
LI = make_id(BIRTH, 102)
X_ID = next(make_id(dt.date(2016, 5, 2), seq) for seq in range(1, 999) if make_id(dt.date(2016, 5, 2), seq)[-1] == "X")
OLD = next(make_id(dt.date(1990, 1, 2), seq) for seq in range(1, 999))


@pytest.fixture
def students() -> Students:
    return Students(keys=["s-zhang", "s-li", "s-x", "s-old", "s-noid"],
                    id_numbers=[ZHANG, LI, X_ID, OLD, ""],
                    names=["张伟", "李娜", "王芳", "刘强", "陈静"],
                    birth_dates=[BIRTH, BIRTH, dt.date(2016, 5, 2), dt.date(1990, 1, 2), dt.date(2014, 8, 8)])


def only(result, row):  # type: ignore[no-untyped-def]
    found = [m for m in result.matches if m.row == row]
    assert len(found) == 1, found
    return found[0]


def test_a_clean_id_matches_exactly(students: Students) -> None:
    result = match(students, [ListRow(2, ZHANG, "张伟")])
    assert only(result, 2).student == "s-zhang" and only(result, 2).kind is MatchKind.EXACT


def test_a_15_digit_id_is_upgraded_and_matches_exactly(students: Students) -> None:
    old15 = OLD[:6] + OLD[8:17]
    assert classify_id(old15).upgraded and classify_id(old15).normalised == OLD
    assert only(match(students, [ListRow(2, old15, "刘强")]), 2).kind is MatchKind.EXACT


def test_full_width_digits_spaces_and_a_lower_case_x_match_exactly(students: Students) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ZHANG[:9]) + " " + ZHANG[9:]
    lower = X_ID[:17] + "x"
    result = match(students, [ListRow(2, full_width, "张伟"), ListRow(3, lower, "王芳")])
    assert [(m.row, m.student, m.kind) for m in result.matches] == [
        (2, "s-zhang", MatchKind.EXACT), (3, "s-x", MatchKind.EXACT)]


def test_a_bad_check_digit_falls_back_to_name_and_birth_date_and_is_flagged(students: Students) -> None:
    bad = wrong_check(ZHANG)
    assert classify_id(bad).kind is IdKind.BAD_CHECK
    found = only(match(students, [ListRow(7, bad, "张伟")]), 7)
    assert (found.student, found.kind, found.reason) == ("s-zhang", MatchKind.FLAGGED, "bad_check")


def test_a_traditional_spaced_name_variant_falls_back_flagged(students: Students) -> None:
    assert name_key(" 張 偉 ") == name_key("张伟")
    assert name_key("买买提•艾力") == name_key("买买提·艾力") == name_key("买买提・艾力")
    found = only(match(students, [ListRow(3, "", "張　偉", BIRTH)]), 3)
    assert (found.student, found.kind, found.reason) == ("s-zhang", MatchKind.FLAGGED, "missing")


def test_a_pupil_without_an_id_is_found_by_name_and_birth_date_as_flagged(students: Students) -> None:
    found = only(match(students, [ListRow(4, "bad-number", "陈静", dt.date(2014, 8, 8))]), 4)
    assert (found.student, found.kind, found.reason) == ("s-noid", MatchKind.FLAGGED, "malformed")


def test_a_valid_id_of_someone_else_never_matches_exactly_another_person(students: Students) -> None:
    stranger = make_id(BIRTH, 555)
    result = match(students, [ListRow(2, stranger, "张伟"), ListRow(3, stranger, "赵六")])
    assert not result.exact
    assert [(m.row, m.student, m.reason) for m in result.flagged] == [(2, "s-zhang", "not_found")]
    assert result.unmatched == {3: IdKind.VALID}


def test_same_name_and_birth_date_gives_every_candidate_flagged_for_review() -> None:
    twins = Students(keys=[1, 2], id_numbers=[make_id(BIRTH, 1), make_id(BIRTH, 3)], names=["张伟", "張偉"],
                     birth_dates=[BIRTH, BIRTH])
    result = match(twins, [ListRow(2, "", "张伟", BIRTH)])
    assert sorted(m.student for m in result.flagged) == [1, 2] and not result.exact


def test_a_malformed_id_without_a_birth_date_stays_unmatched(students: Students) -> None:
    result = match(students, [ListRow(9, "12345", "张伟")])
    assert not result.matches and result.unmatched == {9: IdKind.MALFORMED}


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="长度"):
        Students(keys=[1], id_numbers=[], names=["a"], birth_dates=[None])


@pytest.mark.parametrize(("stage", "boarding", "year", "amount"), [
    ("primary", True, 2025, "1000.00"), ("junior", True, 2025, "1250.00"),
    ("primary", False, 2025, "500.00"), ("junior", False, 2025, "625.00"),
    ("junior", True, 2017, "1250.00"),
])
def test_living_subsidy_amounts_are_exact_per_stage_and_boarding(stage: str, boarding: bool, year: int,
                                                                 amount: str) -> None:
    result = eligible(stage=stage, boarding=boarding, lists={"dibao"}, programme=load_programme("living_subsidy"),
                      year=year)
    assert result.ok and result.amount == Decimal(amount) and str(result.amount) == amount


def test_day_pupils_were_not_covered_before_2019_and_seniors_never() -> None:
    programme = load_programme("living_subsidy")
    assert not eligible(stage="primary", boarding=False, lists={"dibao"}, programme=programme, year=2018).ok
    assert not eligible(stage="senior", boarding=True, lists={"dibao"}, programme=programme, year=2025).ok
    assert not eligible(stage="primary", boarding=True, lists=set(), programme=programme, year=2025).ok
    assert not eligible(stage="primary", boarding=True, lists={"dibao"}, programme=programme, year=2010).ok


def test_a_programme_with_float_amounts_and_overlapping_versions_is_refused_with_every_problem() -> None:
    data = {"code": "x", "name": "x", "versions": [
        {"version": 1, "from_year": 2019, "to_year": None, "status": "CONFIRMED", "list_types": ["dibao"],
         "amounts": {"primary": {"boarding": 1000}}},
        {"version": 2, "from_year": 2020, "to_year": None, "status": "CONFIRMED", "list_types": ["nope"],
         "amounts": {"primary": {"day": "500"}}}]}
    with pytest.raises(ProgrammeError) as caught:
        parse_programme(data)
    text = "；".join(caught.value.problems)
    assert "字符串" in text and "nope" in text and "重叠" not in text  # version 1 was already refused


def test_overlapping_versions_are_refused() -> None:
    version = {"status": "CONFIRMED", "list_types": ["dibao"], "amounts": {"primary": {"day": "500.00"}}}
    data = {"code": "x", "name": "x", "versions": [{**version, "version": 1, "from_year": 2019, "to_year": None},
                                                   {**version, "version": 2, "from_year": 2020, "to_year": None}]}
    with pytest.raises(ProgrammeError, match="重叠"):
        parse_programme(data)
