from datetime import date

import pytest

from edugov.lib.idcard import (
    IdCheck,
    check_digit,
    mask_id,
    mask_name,
    normalize_id,
    sex_conflict,
    upgrade_15_to_18,
    validate_id,
)

TODAY = date(2025, 1, 15)


def with_check_digit(first17: str) -> str:
    return first17 + check_digit(first17)


def test_the_standard_examples_are_valid() -> None:
    first = validate_id("11010519491231002X", today=TODAY)
    second = validate_id("440524188001010014", today=TODAY)
    assert first == IdCheck(
        ok=True, normalized="11010519491231002X", birth_date=date(1949, 12, 31), sex="2", region_code="110105"
    )
    assert second.ok
    assert second.birth_date == date(1880, 1, 1)
    assert second.sex == "1"
    assert second.region_code == "440524"


def test_check_digits_of_the_standard_examples() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_the_weights_are_powers_of_two_mod_eleven() -> None:
    # A single 1 at position i contributes exactly W_i = 2^(18-i) mod 11, which fixes the check character.
    for position in range(1, 18):
        first17 = "0" * (position - 1) + "1" + "0" * (17 - position)
        weight = pow(2, 18 - position, 11)
        assert check_digit(first17) == "10X98765432"[weight % 11]


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100A", ""])
def test_check_digit_refuses_anything_but_seventeen_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


def test_a_wrong_check_digit_is_rejected_with_the_expected_digit() -> None:
    result = validate_id("110105194912310025", today=TODAY)
    assert not result.ok
    assert result.error_code == "check_digit"
    assert result.message_zh == "身份证号校验位应为 X，实际为 5，请核对号码"
    assert result.birth_date is None and result.sex is None and result.region_code is None


def test_a_single_transposed_digit_is_caught_by_the_check_digit() -> None:
    # 11010519491231002X with the 13th and 14th digits swapped; MOD 11-2 detects every adjacent transposition.
    assert validate_id("11010519491213002X", today=TODAY).error_code == "check_digit"


def test_spaces_full_width_digits_and_a_lowercase_x_are_normalized() -> None:
    raw = "\u3000１１０１０５ 1949 1231 002ｘ "
    assert normalize_id(raw) == "11010519491231002X"
    assert validate_id(raw, today=TODAY).ok


def test_the_multiplication_sign_typed_for_x_is_read_as_x() -> None:
    assert normalize_id("11010519491231002×") == "11010519491231002X"


def test_a_lowercase_x_in_the_middle_is_not_uppercased() -> None:
    result = validate_id("1101051949123100x2", today=TODAY)
    assert result.error_code == "charset"
    assert result.message_zh is not None and "第17位" in result.message_zh


def test_an_empty_number_is_reported_as_empty() -> None:
    assert validate_id(" \u3000 ").error_code == "empty"


@pytest.mark.parametrize("raw", ["1101051949123100", "1101051949123100211", "11010519491231002X3"])
def test_a_number_of_the_wrong_length_reports_the_actual_length(raw: str) -> None:
    result = validate_id(raw, today=TODAY)
    assert result.error_code == "length"
    assert result.message_zh is not None and f"实际为{len(raw)}位" in result.message_zh


def test_an_old_fifteen_digit_number_is_reported_with_its_upgraded_form() -> None:
    result = validate_id("110105491231002", today=TODAY)
    assert not result.ok
    assert result.error_code == "length_15"
    assert result.message_zh is not None
    assert "旧版15位" in result.message_zh and "11010519491231002X" in result.message_zh


def test_a_fifteen_digit_number_with_an_impossible_date_still_says_it_is_old_but_offers_no_upgrade() -> None:
    result = validate_id("110105491331002", today=TODAY)
    assert result.error_code == "length_15"
    assert result.message_zh is not None and "换算为" not in result.message_zh


def test_a_letter_among_the_first_seventeen_characters_is_a_charset_error() -> None:
    result = validate_id("11010519491231OO2X", today=TODAY)
    assert result.error_code == "charset"
    assert result.message_zh is not None and "第15位“O”" in result.message_zh


def test_a_check_character_other_than_a_digit_or_x_is_a_charset_error() -> None:
    result = validate_id("11010519491231002Y", today=TODAY)
    assert result.error_code == "charset"
    assert result.message_zh is not None and "第18位" in result.message_zh


@pytest.mark.parametrize("prefix", ["00", "10", "16", "20", "39", "99"])
def test_an_unknown_province_prefix_is_a_region_error(prefix: str) -> None:
    number = with_check_digit(prefix + "010519491231002")
    result = validate_id(number, today=TODAY)
    assert result.error_code == "region"
    assert result.message_zh is not None and f"“{prefix}”" in result.message_zh


@pytest.mark.parametrize("prefix", ["71", "81", "82", "83"])
def test_taiwan_hong_kong_macao_and_residence_permit_prefixes_are_accepted(prefix: str) -> None:
    number = with_check_digit(prefix + "000019900101002")
    assert validate_id(number, today=TODAY).ok


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490001", "19490100", "20230229"])
def test_an_impossible_birth_date_is_rejected(birth: str) -> None:
    result = validate_id(with_check_digit("110105" + birth + "002"), today=TODAY)
    assert result.error_code == "birth_date"
    assert result.message_zh is not None and birth in result.message_zh


def test_a_leap_day_birth_date_is_accepted() -> None:
    assert validate_id(with_check_digit("11010520000229002"), today=TODAY).birth_date == date(2000, 2, 29)


def test_a_birth_date_after_today_is_rejected_but_today_itself_is_accepted() -> None:
    tomorrow = validate_id(with_check_digit("11010520250116002"), today=TODAY)
    assert tomorrow.error_code == "birth_date"
    assert tomorrow.message_zh is not None and "晚于今天" in tomorrow.message_zh
    assert validate_id(with_check_digit("11010520250115002"), today=TODAY).ok


def test_a_birth_year_before_1800_is_rejected_and_1800_is_accepted() -> None:
    too_early = validate_id(with_check_digit("11010517991231002"), today=TODAY)
    assert too_early.error_code == "birth_date"
    assert validate_id(with_check_digit("11010518000101002"), today=TODAY).ok


def test_without_an_explicit_today_a_far_future_birth_date_is_rejected() -> None:
    assert validate_id(with_check_digit("11010529990101002")).error_code == "birth_date"


def test_sex_follows_the_parity_of_the_seventeenth_digit() -> None:
    for digit, sex in [("0", "2"), ("1", "1"), ("8", "2"), ("9", "1")]:
        assert validate_id(with_check_digit("1101051990010100" + digit), today=TODAY).sex == sex


def test_a_declared_sex_that_contradicts_the_number_gives_a_message() -> None:
    female = validate_id("11010519491231002X", today=TODAY)
    message = sex_conflict(female, "1")
    assert message is not None and "男" in message and "女" in message
    assert sex_conflict(female, " 2 ") is None


def test_unknown_or_unstated_sex_and_invalid_numbers_raise_no_conflict() -> None:
    female = validate_id("11010519491231002X", today=TODAY)
    assert sex_conflict(female, "0") is None
    assert sex_conflict(female, "9") is None
    assert sex_conflict(validate_id("110105194912310025", today=TODAY), "1") is None


def test_an_old_number_is_upgraded_by_inserting_19_and_a_check_digit() -> None:
    assert upgrade_15_to_18("110105491231002") == "11010519491231002X"
    assert upgrade_15_to_18(" ４４０５２４８００１０１００１ ") == "440524198001010013"


def test_an_upgraded_number_validates() -> None:
    assert validate_id(upgrade_15_to_18("440524800101001"), today=TODAY).ok


@pytest.mark.parametrize(
    "bad",
    ["11010549123100", "1101054912310021", "11010549123100X", "000105491231002", "110105491301002", ""],
)
def test_upgrading_refuses_malformed_old_numbers(bad: str) -> None:
    with pytest.raises(ValueError):
        upgrade_15_to_18(bad)


def test_an_eighteen_character_number_is_masked_to_first_three_and_last_four() -> None:
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_id(" 11010519491231002x ") == "110***********002X"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("110105491231002", "*************02"), ("12345", "***45"), ("12", "**"), ("1", "*"), ("", "")],
)
def test_other_lengths_keep_only_the_last_two_characters(raw: str, masked: str) -> None:
    assert mask_id(raw) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李小明", "李**"), ("王", "*"), (" 张三\u3000", "张*"), ("", "")],
)
def test_names_keep_only_the_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_an_id_number_inside_a_student_number_is_masked_and_other_numbers_are_not():
    from edugov.lib.idcard import mask_embedded_ids

    assert mask_embedded_ids("G11010519491231002X") == "G110***********002X"
    assert mask_embedded_ids("T0001") == "T0001"


def test_a_masked_birth_date_keeps_only_year_and_month():
    from datetime import date

    from edugov.lib.idcard import mask_birth_date

    assert mask_birth_date(date(2018, 3, 9)) == "2018-03"
    assert mask_birth_date("2018-03-09") == "2018-03"
    assert mask_birth_date(None) == ""
