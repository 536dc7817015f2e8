from datetime import date

import pytest

from edugov.lib.schoolyear import SchoolYear, SchoolYearError


@pytest.mark.parametrize(
    "value",
    [
        2024, "2024", " 2024 ", "2024-2025", "2024—2025学年", "2024－2025", "2024–2025", "2024/2025",
        "2024~2025", "2024～2025", "2024至2025学年度", "2024-2025学年", "2024 - 2025 学年", "２０２４", "2024学年",
    ],
)  # fmt: skip
def test_common_spellings_of_a_school_year_are_parsed(value: str | int) -> None:
    assert SchoolYear.parse(value) == SchoolYear(2024)


def test_parsing_a_school_year_returns_it_unchanged() -> None:
    year = SchoolYear(2024)
    assert SchoolYear.parse(year) is year


def test_the_label_and_string_form_name_both_calendar_years() -> None:
    assert SchoolYear(2024).label == "2024-2025学年"
    assert str(SchoolYear(2024)) == "2024-2025学年"


def test_a_school_year_runs_from_september_to_the_end_of_august() -> None:
    year = SchoolYear(2024)
    assert year.start == date(2024, 9, 1)
    assert year.end == date(2025, 8, 31)
    assert year.reference_date == date(2024, 9, 1)


def test_contains_includes_both_ends_and_nothing_outside() -> None:
    year = SchoolYear(2024)
    assert year.contains(date(2024, 9, 1))
    assert year.contains(date(2025, 8, 31))
    assert not year.contains(date(2024, 8, 31))
    assert not year.contains(date(2025, 9, 1))


@pytest.mark.parametrize(
    ("day", "start_year"),
    [(date(2024, 9, 1), 2024), (date(2024, 12, 31), 2024), (date(2025, 1, 1), 2024), (date(2025, 8, 31), 2024)],
)
def test_of_date_finds_the_school_year_containing_a_day(day: date, start_year: int) -> None:
    assert SchoolYear.of_date(day) == SchoolYear(start_year)


def test_next_and_previous_step_one_year() -> None:
    assert SchoolYear(2024).next() == SchoolYear(2025)
    assert SchoolYear(2024).previous() == SchoolYear(2023)
    assert SchoolYear(2024).next().previous() == SchoolYear(2024)


def test_school_years_order_and_hash_by_start_year() -> None:
    assert SchoolYear(2023) < SchoolYear(2024)
    assert len({SchoolYear(2024), SchoolYear.parse("2024-2025")}) == 1


def test_non_consecutive_years_are_rejected_with_a_suggestion() -> None:
    with pytest.raises(SchoolYearError, match="应相邻") as info:
        SchoolYear.parse("2024-2026")
    assert "2024-2025学年" in str(info.value)


@pytest.mark.parametrize("value", ["abc", "24-25", "2024年", "2024-25", "20245", "2024-2025-2026", "学年2024"])
def test_unreadable_school_years_are_rejected_with_an_example(value: str) -> None:
    with pytest.raises(SchoolYearError, match="无法识别的学年"):
        SchoolYear.parse(value)


def test_an_empty_school_year_is_rejected() -> None:
    with pytest.raises(SchoolYearError, match="为空"):
        SchoolYear.parse("  ")


@pytest.mark.parametrize("value", [1899, 2101, "0024", "9999"])
def test_implausible_start_years_are_rejected(value: int | str) -> None:
    with pytest.raises(SchoolYearError, match="超出合理范围"):
        SchoolYear.parse(value)


def test_a_boolean_is_not_a_school_year() -> None:
    with pytest.raises(SchoolYearError):
        SchoolYear.parse(True)


def test_school_year_errors_are_value_errors() -> None:
    assert issubclass(SchoolYearError, ValueError)
