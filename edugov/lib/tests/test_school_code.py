import pytest

from edugov.lib.school_code import SCHOOL_CATEGORIES, SchoolCategory, category_of, validate_school_code


def test_a_well_formed_primary_school_code_is_accepted() -> None:
    result = validate_school_code("2144010001")
    assert result.ok
    assert result.category == SchoolCategory("21", "小学")
    assert result.province_code == "44"


def test_a_university_code_is_a_regular_hei() -> None:
    assert category_of("4111010001") == SchoolCategory("41", "普通高等学校")


def test_the_category_list_matches_the_reference_categories() -> None:
    expected = ["11", "21", "22", "31", "32", "33", "34", "35", "36", "37", "41", "42", "51", "91", "92", "93"]
    assert list(SCHOOL_CATEGORIES) == expected


def test_spaces_and_full_width_digits_are_normalized() -> None:
    result = validate_school_code(" ３１４４ 010001 ")
    assert result.ok and result.normalized == "3144010001"


@pytest.mark.parametrize(
    ("raw", "error_code", "fragment"),
    [
        ("", "empty", "为空"),
        ("214401000", "length", "实际为9位"),
        ("21440100011", "length", "实际为11位"),
        ("21440100O1", "charset", "数字"),
        ("1244010001", "category", "“12”"),
        ("2199010001", "province", "“99”"),
        ("2183010001", "province", "“83”"),
    ],
)
def test_malformed_school_codes_are_rejected_with_a_specific_message(raw: str, error_code: str, fragment: str) -> None:
    result = validate_school_code(raw)
    assert not result.ok
    assert result.error_code == error_code
    assert result.message_zh is not None and fragment in result.message_zh
    assert result.category is None


def test_category_of_an_invalid_code_raises() -> None:
    with pytest.raises(ValueError, match="学校类别"):
        category_of("1244010001")
