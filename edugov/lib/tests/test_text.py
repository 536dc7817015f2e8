from edugov.lib.text import clean_cell, normalize_header, to_halfwidth


def test_full_width_digits_letters_and_punctuation_become_half_width() -> None:
    assert to_halfwidth("１２３ＡＢＣｘ（）＊，．") == "123ABCx()*,."


def test_the_ideographic_space_becomes_an_ordinary_space() -> None:
    assert to_halfwidth("张\u3000三") == "张 三"


def test_chinese_characters_and_punctuation_without_ascii_twins_are_unchanged() -> None:
    assert to_halfwidth("学校、班级。") == "学校、班级。"


def test_clean_cell_strips_and_collapses_every_kind_of_whitespace() -> None:
    assert clean_cell(" \u3000北京市\u00a0\t 第一中学 \n") == "北京市 第一中学"


def test_clean_cell_removes_zero_width_characters_and_the_bom() -> None:
    assert clean_cell("\ufeff张\u200b三\u200d") == "张三"


def test_clean_cell_keeps_full_width_characters_as_typed() -> None:
    assert clean_cell(" １２ ") == "１２"


def test_clean_cell_of_only_whitespace_is_empty() -> None:
    assert clean_cell("\u3000 \u00a0\u200b") == ""


def test_headers_with_required_markers_and_spaces_match_the_plain_header() -> None:
    plain = normalize_header("身份证号")
    assert normalize_header("身份证号 *") == plain
    assert normalize_header("＊身份证号") == plain
    assert normalize_header(" 身份 证号** ") == plain


def test_headers_with_full_width_parentheses_match_half_width_ones() -> None:
    assert normalize_header("面积（平方米）") == normalize_header("面积(平方米)") == "面积(平方米)"


def test_an_asterisk_inside_a_header_is_kept() -> None:
    assert normalize_header("A*B") == "A*B"


def test_public_ids_are_letters_and_digits_only_so_a_command_line_never_reads_them_as_options() -> None:
    from edugov.lib.text import new_public_id

    ids = {new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 16 and i.isalnum() and i.isascii() for i in ids)
    assert not any(ch in i for i in ids for ch in "0O1lI")
