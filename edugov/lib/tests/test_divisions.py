import pytest

from edugov.lib.divisions import (
    DivisionLevel,
    TownshipKind,
    is_province_code,
    township_kind,
    validate_division_code,
    validate_statistical_code,
)


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("110000", DivisionLevel.PROVINCE),
        ("110100", DivisionLevel.PREFECTURE),
        ("110105", DivisionLevel.COUNTY),
        ("522300", DivisionLevel.PREFECTURE),  # 黔西南州: prefecture digits 21–50
        ("429004", DivisionLevel.COUNTY),  # 仙桃市: 90 = province-administered county-level units
        ("441900", DivisionLevel.PREFECTURE),  # 东莞市 has no counties
    ],
)
def test_real_division_codes_are_accepted_at_the_right_level(code: str, level: DivisionLevel) -> None:
    result = validate_division_code(code)
    assert result.ok, result.message_zh
    assert result.level == level
    assert result.province_code == code[:2]


def test_full_width_digits_and_spaces_in_a_division_code_are_normalized() -> None:
    result = validate_division_code(" ４４０３ 04 ")
    assert result.ok and result.normalized == "440304"


@pytest.mark.parametrize(
    ("raw", "error_code"),
    [
        ("", "empty"),
        ("11010", "length"),
        ("1101050", "length"),
        ("11O105", "charset"),
        ("990105", "province"),
        ("100000", "province"),
        ("110005", "prefecture"),
        ("117101", "prefecture"),
        ("118901", "prefecture"),
    ],
)
def test_malformed_division_codes_are_rejected_with_a_specific_error(raw: str, error_code: str) -> None:
    result = validate_division_code(raw)
    assert not result.ok
    assert result.error_code == error_code
    assert result.message_zh
    assert result.level is None


def test_the_prefecture_error_names_the_allowed_ranges() -> None:
    message = validate_division_code("117101").message_zh
    assert message is not None and "“71”" in message and "01–70或90" in message


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("110105000000", DivisionLevel.COUNTY),
        ("110000000000", DivisionLevel.PROVINCE),
        ("110105001000", DivisionLevel.TOWNSHIP),
        ("110105001001", DivisionLevel.VILLAGE),
        ("441900003000", DivisionLevel.TOWNSHIP),  # 东莞 townships sit directly under the prefecture
    ],
)
def test_statistical_codes_are_accepted_at_the_most_specific_level(code: str, level: DivisionLevel) -> None:
    result = validate_statistical_code(code)
    assert result.ok, result.message_zh
    assert result.level == level


@pytest.mark.parametrize(
    ("raw", "error_code"),
    [
        ("", "empty"),
        ("11010500100", "length"),
        ("11010500100A", "charset"),
        ("990105001001", "province"),
        ("117105001001", "prefecture"),
        ("110105600000", "township"),
        ("110105999001", "township"),
        ("110105000001", "village"),
    ],
)
def test_malformed_statistical_codes_are_rejected_with_a_specific_error(raw: str, error_code: str) -> None:
    result = validate_statistical_code(raw)
    assert not result.ok
    assert result.error_code == error_code
    assert result.message_zh


def test_a_six_digit_code_given_as_a_statistical_code_gets_a_hint() -> None:
    message = validate_statistical_code("110105").message_zh
    assert message is not None and "补全" in message


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("110105001000", TownshipKind.SUBDISTRICT),
        ("110105099001", TownshipKind.SUBDISTRICT),
        ("110112100000", TownshipKind.TOWN),
        ("110112199201", TownshipKind.TOWN),
        ("130123200000", TownshipKind.TOWNSHIP),
        ("130123399000", TownshipKind.TOWNSHIP),
        ("230100400000", TownshipKind.OTHER),
        ("230100599000", TownshipKind.OTHER),
    ],
)
def test_the_township_kind_follows_the_first_township_digit(code: str, kind: TownshipKind) -> None:
    assert township_kind(code) == kind


def test_a_county_summary_code_has_no_township_kind() -> None:
    assert township_kind("110105000000") is None


def test_township_kind_of_an_invalid_code_raises_with_the_chinese_message() -> None:
    with pytest.raises(ValueError, match="乡级代码"):
        township_kind("110105700000")


def test_township_kinds_read_as_chinese() -> None:
    assert [str(kind) for kind in TownshipKind] == ["街道", "镇", "乡", "其他"]


@pytest.mark.parametrize(
    ("code", "expected"), [("11", True), ("82", True), ("83", False), ("1", False), ("110", False)]
)
def test_province_codes_are_the_34_gb_t_2260_codes(code: str, expected: bool) -> None:
    assert is_province_code(code) is expected
