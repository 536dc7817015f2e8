import pytest

from edugov.lib.uscc import CHARSET, WEIGHTS, UsccCheck, check_char, normalize_uscc, validate_uscc

EXAMPLE = "91350100M000100Y43"


def test_the_standard_example_is_valid_and_split_into_its_parts() -> None:
    assert validate_uscc(EXAMPLE) == UsccCheck(
        ok=True,
        normalized=EXAMPLE,
        authority_code="9",
        authority_name="市场监管（工商）",
        category_code="1",
        region_code="350100",
        subject_id="M000100Y4",
    )


def test_the_standard_example_with_z_as_check_character_is_invalid() -> None:
    result = validate_uscc("91350100M000100Y4Z")
    assert not result.ok
    assert result.error_code == "charset"


def test_a_wrong_check_character_is_rejected_with_the_expected_one() -> None:
    result = validate_uscc("91350100M000100Y44")
    assert result.error_code == "check_digit"
    assert result.message_zh == "统一社会信用代码校验码应为 3，实际为 4，请核对代码"


def test_the_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_the_charset_has_31_characters_without_i_o_z_s_v() -> None:
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)


def test_a_check_value_of_zero_maps_to_the_character_zero() -> None:
    assert check_char("0" * 17) == "0"


def test_every_check_character_keeps_the_weighted_sum_divisible_by_31() -> None:
    for first17 in ["12100000MB0000000", EXAMPLE[:17], "52110108MJ0000000", "Y" * 17]:
        check = check_char(first17)
        total = sum(CHARSET.index(c) * w for c, w in zip(first17 + check, (*WEIGHTS, 1), strict=True))
        assert total % 31 == 0


def test_lowercase_spaces_and_full_width_characters_are_normalized() -> None:
    assert normalize_uscc(" ９１３５０１００ｍ０００１００y43 ") == EXAMPLE
    assert validate_uscc(" 91350100m000100y43\u3000").ok


def test_a_letter_o_typed_for_zero_is_reported_with_a_hint() -> None:
    result = validate_uscc("91350100MO00100Y43")
    assert result.error_code == "charset"
    assert result.message_zh is not None and "第10位“O”" in result.message_zh and "误写" in result.message_zh


def test_a_punctuation_character_is_a_charset_error_without_the_letter_hint() -> None:
    result = validate_uscc("91350100-000100Y43")
    assert result.error_code == "charset"
    assert result.message_zh is not None and "误写" not in result.message_zh


@pytest.mark.parametrize("raw", ["91350100M000100Y4", "91350100M000100Y433", "913501"])
def test_a_code_of_the_wrong_length_is_rejected(raw: str) -> None:
    result = validate_uscc(raw)
    assert result.error_code == "length"
    assert result.message_zh is not None and f"实际为{len(raw)}位" in result.message_zh


def test_an_empty_code_is_reported_as_empty() -> None:
    assert validate_uscc("  ").error_code == "empty"


def test_an_authority_outside_the_published_list_is_accepted_without_a_name() -> None:
    first17 = "B2110108MJ0000000"
    result = validate_uscc(first17 + check_char(first17))
    assert result.ok
    assert result.authority_code == "B" and result.authority_name is None


def test_a_public_institution_code_reports_authority_and_category() -> None:
    first17 = "12110108400000000"
    result = validate_uscc(first17 + check_char(first17))
    assert (result.authority_name, result.category_code, result.region_code) == ("机构编制", "2", "110108")


@pytest.mark.parametrize("bad", ["91350100M000100Y", "91350100M000100YI", ""])
def test_check_char_refuses_malformed_input(bad: str) -> None:
    with pytest.raises(ValueError):
        check_char(bad)
