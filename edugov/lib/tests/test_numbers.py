from decimal import Decimal
from fractions import Fraction

import pytest

from edugov.lib.numbers import NumberFormatError, format_decimal, parse_count, parse_decimal, per_hundred, ratio


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", Decimal("12")),
        ("  12.50 ", Decimal("12.50")),
        ("1,234.5", Decimal("1234.5")),
        ("1,234,567", Decimal("1234567")),
        ("１，２３４．５", Decimal("1234.5")),
        ("-3.25", Decimal("-3.25")),
        ("+7", Decimal("7")),
        (".5", Decimal("0.5")),
        ("\u00a042\u200b", Decimal("42")),
        (7, Decimal("7")),
        (Decimal("2.30"), Decimal("2.30")),
    ],
)
def test_numbers_in_common_spellings_are_parsed_exactly(value: str | int | Decimal, expected: Decimal) -> None:
    result = parse_decimal(value)
    assert result == expected
    assert str(result) == str(expected)


def test_floats_are_converted_through_their_shortest_repr_not_their_binary_value() -> None:
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal(0.1) + parse_decimal(0.2) == Decimal("0.3")
    assert parse_decimal(12.0) == Decimal("12")


@pytest.mark.parametrize(
    "value",
    ["abc", "12%", "1e5", "1.5E+03", "12元", "1,23", "12,34.5", "1.2.3", "--1", "1.", ".", "-", "一二", "١٢", "1 234"],
)
def test_text_that_is_not_a_plain_number_is_rejected_with_a_chinese_message(value: str) -> None:
    with pytest.raises(NumberFormatError, match="不是有效的数字"):
        parse_decimal(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity"), True])
def test_non_finite_values_and_booleans_are_rejected(value: float | Decimal | bool) -> None:
    with pytest.raises(NumberFormatError):
        parse_decimal(value)


def test_an_empty_cell_has_its_own_message() -> None:
    with pytest.raises(NumberFormatError, match="数值为空"):
        parse_decimal(" \u3000 ")


def test_number_format_error_is_a_value_error() -> None:
    assert issubclass(NumberFormatError, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (12, 12), (12.0, 12), ("12.0", 12), ("1,200", 1200), ("０", 0), (Decimal("3.00"), 3)],
)
def test_whole_non_negative_counts_are_accepted(value: str | int | float | Decimal, expected: int) -> None:
    result = parse_count(value)
    assert result == expected
    assert type(result) is int


def test_a_fractional_count_is_rejected_as_not_whole() -> None:
    with pytest.raises(NumberFormatError, match=r"必须是整数：12\.5"):
        parse_count(12.5)
    with pytest.raises(NumberFormatError, match="必须是整数"):
        parse_count("12.01")


def test_a_negative_count_is_rejected_as_negative() -> None:
    with pytest.raises(NumberFormatError, match="不能为负数：-1"):
        parse_count(-1)


def test_a_non_numeric_count_is_rejected_as_not_a_number() -> None:
    with pytest.raises(NumberFormatError, match="不是有效的数字：abc"):
        parse_count("abc")


def test_ratio_is_exact() -> None:
    assert ratio(1, 3) == Fraction(1, 3)
    assert ratio(Decimal("0.1"), 3) == Fraction(1, 30)
    assert ratio(0.1, 0.3) == Fraction(1, 3)
    assert ratio(Fraction(1, 2), 2) == Fraction(1, 4)


def test_a_zero_denominator_means_no_data_not_zero() -> None:
    assert ratio(5, 0) is None
    assert ratio(0, Decimal("0.00")) is None
    assert per_hundred(3, 0) is None


def test_a_zero_numerator_is_a_real_zero() -> None:
    assert ratio(0, 5) == 0


def test_per_hundred_scales_exactly() -> None:
    # 21 qualified teachers for 500 pupils is exactly 4.2 per 100, which meets a 4.2 threshold.
    assert per_hundred(21, 500) == Fraction(21, 5)
    assert per_hundred(21, 500) == Decimal("4.2")


def test_ratio_refuses_booleans() -> None:
    with pytest.raises(TypeError):
        ratio(True, 2)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("2.675"), 2, "2.68"),
        (2.675, 2, "2.68"),
        (Decimal("2.665"), 2, "2.67"),
        (Decimal("0.5"), 0, "1"),
        (Decimal("1.5"), 0, "2"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("-2.5"), 0, "-3"),
        (Fraction(1, 3), 2, "0.33"),
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(1, 8), 2, "0.13"),
        (7, 2, "7.00"),
        (Decimal("-0.001"), 2, "0.00"),
        (Decimal("-0.005"), 2, "-0.01"),
        (Decimal("12345678901234567890123456789.5"), 0, "12345678901234567890123456790"),
    ],
)
def test_format_decimal_rounds_half_up_on_the_exact_value(
    value: Decimal | Fraction | int, places: int, expected: str
) -> None:
    assert format_decimal(value, places) == expected


def test_format_decimal_can_group_thousands() -> None:
    assert format_decimal(Decimal("1234567.891"), 2, grouping=True) == "1,234,567.89"


def test_format_decimal_refuses_negative_places() -> None:
    with pytest.raises(ValueError):
        format_decimal(1, -1)
