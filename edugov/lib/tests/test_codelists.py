import dataclasses
from pathlib import Path

import pytest

from edugov.lib.codelists import (
    CODELIST_NAMES,
    CodeList,
    UnknownCodeError,
    is_county_level_or_higher_backbone,
    is_public_sponsor,
    load,
    parse_csv,
)

CODES_DIR = Path(__file__).resolve().parent.parent / "codes"

ETHNIC_GROUPS = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)  # fmt: skip


@pytest.mark.parametrize("name", CODELIST_NAMES)
def test_every_code_list_loads_with_codes_and_names(name: str) -> None:
    codes = load(name)
    assert len(codes) > 0
    assert codes.list_name == name
    assert all(entry.code and entry.name for entry in codes)


def test_every_csv_file_is_a_named_list_and_documented_in_the_readme() -> None:
    files = {path.stem for path in CODES_DIR.glob("*.csv")}
    assert files == set(CODELIST_NAMES)
    readme = (CODES_DIR / "README.md").read_text(encoding="utf-8")
    for name in CODELIST_NAMES:
        assert f"`{name}.csv`" in readme


def test_loading_is_cached() -> None:
    assert load("sex") is load("sex")


def test_an_unknown_list_name_is_refused() -> None:
    with pytest.raises(ValueError, match="没有名为"):
        load("no_such_list")


def test_the_56_ethnic_groups_are_in_standard_order_followed_by_97_and_98() -> None:
    ethnicity = load("ethnicity")
    expected = [(f"{number:02d}", name) for number, name in enumerate(ETHNIC_GROUPS, start=1)]
    expected += [("97", "其他"), ("98", "外国血统中国籍人士")]
    assert [(entry.code, entry.name) for entry in ethnicity] == expected
    assert len(ETHNIC_GROUPS) == 56


def test_the_old_ethnic_name_mao_nan_is_accepted_as_an_alias() -> None:
    assert load("ethnicity").by_name("毛难族") == load("ethnicity").get("36")


def test_the_local_code_81_is_not_in_the_national_ethnicity_list() -> None:
    assert load("ethnicity").get("81") is None


def test_sex_codes_follow_gb_t_2261_1() -> None:
    assert [(e.code, e.name) for e in load("sex")] == [
        ("0", "未知的性别"),
        ("1", "男"),
        ("2", "女"),
        ("9", "未说明的性别"),
    ]


def test_urban_rural_codes_roll_up_to_the_three_reporting_categories() -> None:
    urban_rural = load("urban_rural")
    by_category = {cat: [e.code for e in urban_rural.where("category", cat)] for cat in ("城区", "镇区", "乡村")}
    assert by_category == {"城区": ["111", "112"], "镇区": ["121", "122", "123"], "乡村": ["210", "220"]}


def test_school_types_include_every_code_in_the_reference_table() -> None:
    listed = {
        "111", "119", "211", "218", "219", "221", "222", "228", "229", "311", "312", "319", "321", "329",
        "331", "332", "341", "342", "345", "349", "351", "352", "361", "362", "363", "364", "365", "366",
        "368", "369", "371", "411", "412", "413", "414", "415", "419", "511", "512", "513", "514", "519",
        "911", "921", "931", "932", "933",
    }  # fmt: skip
    assert listed <= set(load("school_type").codes())


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("111", "kindergarten"), ("119", "kindergarten"), ("211", "primary"), ("219", "primary"),
        ("218", "teaching_point"), ("311", "junior"), ("319", "junior"), ("312", "nine_year"),
        ("341", "complete_secondary"), ("342", "senior"), ("349", "senior"), ("345", "twelve_year"),
        ("321", "vocational"), ("329", "vocational"), ("366", "vocational"), ("369", "vocational"),
        ("511", "special"), ("519", "special"), ("221", "adult"), ("332", "adult"), ("352", "adult"),
        ("421", "adult"), ("371", "work_study"), ("413", "higher"), ("933", "other"),
    ],
)  # fmt: skip
def test_school_types_map_to_the_expected_stage_kind(code: str, kind: str) -> None:
    entry = load("school_type").get(code)
    assert entry is not None and entry.extra["stage_kind"] == kind


def test_every_school_type_has_a_known_stage_kind_matching_its_code_prefix() -> None:
    prefixes = {
        "kindergarten": ("11",), "primary": ("21",), "teaching_point": ("218",), "junior": ("31",),
        "nine_year": ("312",), "complete_secondary": ("341",), "senior": ("34",), "twelve_year": ("345",),
        "vocational": ("32", "36"), "special": ("51",), "adult": ("22", "33", "35", "42"),
        "work_study": ("371",), "higher": ("41",), "other": ("9",),
    }  # fmt: skip
    for entry in load("school_type"):
        assert entry.code.startswith(prefixes[entry.extra["stage_kind"]]), entry


def test_only_the_private_sponsor_code_is_not_public() -> None:
    sponsor = load("sponsor")
    assert [e.code for e in sponsor.where("is_public", "0")] == ["999"]
    assert is_public_sponsor("831")
    assert not is_public_sponsor("999")
    assert not is_public_sponsor("民办")


def test_an_unknown_sponsor_code_raises() -> None:
    with pytest.raises(UnknownCodeError):
        is_public_sponsor("123")


def test_education_level_bands_follow_the_code_prefix() -> None:
    band_by_digit = {
        "1": "postgraduate", "2": "bachelor", "3": "associate", "4": "secondary_vocational",
        "6": "senior", "7": "junior", "8": "primary", "9": "other",
    }  # fmt: skip
    levels = load("education_level")
    for entry in levels:
        assert entry.extra["band"] == band_by_digit[entry.code[0]], entry
    assert {"11", "14", "21", "28", "31", "41", "47", "61", "71", "81", "83", "90"} <= set(levels.codes())


def test_the_uncertain_education_levels_are_present_and_marked() -> None:
    levels = load("education_level")
    for code in ("72", "73", "82"):
        entry = levels.get(code)
        assert entry is not None and "UNCERTAIN" in entry.extra["note"]


def test_teacher_titles_are_the_unified_ladder_with_internal_codes() -> None:
    titles = load("teacher_title")
    assert [e.name for e in titles] == ["正高级教师", "高级教师", "一级教师", "二级教师", "三级教师", "未定职级"]
    assert all("GB/T 8561" in e.extra["note"] for e in titles)
    ranks = [int(e.extra["rank"]) for e in titles]
    assert ranks == sorted(ranks, reverse=True)


def test_general_title_grades_resolve_to_the_teacher_ladder() -> None:
    titles = load("teacher_title")
    assert titles.by_name("副高级") == titles.by_name("高级教师")
    assert titles.by_name("中级") == titles.by_name("一级教师")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("无", False), ("校级", False), ("县级", True), ("区级", True), ("市级", True), ("省级", True), ("5", True)],
)
def test_backbone_levels_from_county_upward_count_as_county_level_or_higher(value: str, expected: bool) -> None:
    assert is_county_level_or_higher_backbone(value) is expected


def test_an_unknown_backbone_level_raises() -> None:
    with pytest.raises(UnknownCodeError):
        is_county_level_or_higher_backbone("乡级")


def test_pe_and_art_subjects_are_grouped_for_the_pe_and_art_teacher_indicator() -> None:
    subjects = load("subject")
    assert [e.name for e in subjects.where("group", "pe")] == ["体育"]
    assert [e.name for e in subjects.where("group", "arts")] == ["音乐", "美术"]
    assert subjects.by_name("体育与健康") == subjects.by_name("体育")


def test_disability_categories_follow_gb_t_26341_order() -> None:
    names = [e.name for e in load("disability")]
    assert names == ["视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾", "其他残疾"]
    assert load("disability").codes() == tuple("12345678")


def test_there_are_34_province_level_divisions() -> None:
    provinces = load("province")
    assert len(provinces) == 34
    assert provinces.name("44") == "广东省"
    assert provinces.by_name("内蒙古") == provinces.get("15")


def test_lookup_by_code_tolerates_whitespace_and_full_width_digits() -> None:
    ethnicity = load("ethnicity")
    assert ethnicity.name(" ０１\u3000") == "汉族"
    assert " 01 " in ethnicity
    assert "99" not in ethnicity


def test_by_name_accepts_a_code_a_name_an_alias_or_a_code_without_its_leading_zero() -> None:
    ethnicity = load("ethnicity")
    han = ethnicity.get("01")
    assert han is not None
    for value in ("01", "1", "１", "汉族", " 汉族 ", "汉"):
        assert ethnicity.by_name(value) == han, value


def test_by_name_ignores_spaces_inside_names_and_full_width_parentheses() -> None:
    assert load("ethnicity").by_name("外国血统 中国籍人士") == load("ethnicity").get("98")
    assert load("backbone_level").by_name("县（区）级") == load("backbone_level").get("2")


def test_by_name_returns_none_for_unknown_values() -> None:
    ethnicity = load("ethnicity")
    assert ethnicity.by_name("火星族") is None
    assert ethnicity.by_name("") is None
    assert ethnicity.by_name("001") is None


def test_name_of_an_unknown_code_raises_with_a_chinese_message() -> None:
    with pytest.raises(UnknownCodeError) as info:
        load("sex").name("3")
    assert str(info.value) == "代码“3”不在代码表 sex 中，请按代码表填写"


def test_where_refuses_a_column_the_list_does_not_have() -> None:
    with pytest.raises(KeyError):
        load("sex").where("band", "x")


def test_code_lists_are_immutable() -> None:
    sex = load("sex")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sex.list_name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        sex.entries[0].extra["x"] = "y"  # type: ignore[index]


def test_a_list_with_a_duplicate_code_is_refused() -> None:
    with pytest.raises(ValueError, match="重复"):
        parse_csv("t", "code,name\n1,甲\n1,乙\n")


def test_a_list_where_one_name_points_at_two_codes_is_refused() -> None:
    with pytest.raises(ValueError, match="同时对应"):
        parse_csv("t", "code,name,aliases\n1,甲,丙\n2,乙,丙\n")


def test_a_list_without_the_code_name_header_is_refused() -> None:
    with pytest.raises(ValueError, match="表头"):
        parse_csv("t", "name,code\n甲,1\n")


def test_a_row_with_missing_or_extra_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="列数"):
        parse_csv("t", "code,name,band\n1,甲\n")
    with pytest.raises(ValueError, match="列数"):
        parse_csv("t", "code,name\n1,甲,多余\n")


def test_a_list_with_an_empty_name_is_refused() -> None:
    with pytest.raises(ValueError, match="空"):
        CodeList(
            list_name="t",
            entries=parse_csv("t", "code,name\n1,甲\n").entries + parse_csv("t", "code,name\n2, \n").entries,
        )
