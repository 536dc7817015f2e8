"""Grade codes and the words Chinese workbooks use for them. Pure: no Django."""

from __future__ import annotations

import re

# Stored codes: K0 托班, K1 小班, K2 中班, K3 大班, then 1..12.
GRADE_LABELS: dict[str, str] = {
    "K0": "托班", "K1": "小班", "K2": "中班", "K3": "大班",
    "1": "一年级", "2": "二年级", "3": "三年级", "4": "四年级", "5": "五年级", "6": "六年级",
    "7": "七年级", "8": "八年级", "9": "九年级", "10": "高一", "11": "高二", "12": "高三",
}
GRADE_ORDER: tuple[str, ...] = tuple(GRADE_LABELS)

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}
_ALIASES: dict[str, str] = {
    "托班": "K0", "托小班": "K0", "小班": "K1", "中班": "K2", "大班": "K3",
    "初一": "7", "初二": "8", "初三": "9", "高一": "10", "高二": "11", "高三": "12",
}
_PATTERN = re.compile(r"^(?P<n>\d{1,2}|[一二三四五六七八九十]{1,2})(年级|年)?$")


def parse_grade(raw: object) -> str:
    """Returns the grade code for '一年级', '1', 1, '初一', '七年级', '高一', '大班' …; raises ValueError otherwise."""
    text = str(raw).strip().replace(" ", "")
    if text.endswith(".0"):
        text = text[:-2]
    if text in GRADE_LABELS:
        return text
    if text in _ALIASES:
        return _ALIASES[text]
    match = _PATTERN.match(text)
    if match:
        token = match.group("n")
        number = int(token) if token.isdigit() else _CN_DIGITS.get(token, 0)
        if 1 <= number <= 12:
            return str(number)
    raise ValueError(f"无法识别的年级“{raw}”，请填写如“一年级”“七年级”“高一”“小班”或数字1-12")


def stage_of(grade: str) -> str:
    """The 学段 of a grade under the 6-3-3 system (五四制 schools are not yet modelled)."""
    if grade.startswith("K"):
        return "kindergarten"
    number = int(grade)
    if number <= 6:
        return "primary"
    if number <= 9:
        return "junior"
    return "senior"


def next_grade(grade: str) -> str | None:
    """The grade after this one, or None after 大班 and 高三. Whether the pupil stays depends on the grades the school
    offers, which the rollover service decides."""
    if grade in {"K3", "12"}:
        return None
    return GRADE_ORDER[GRADE_ORDER.index(grade) + 1]


# Grades each school type offers (办学类型代码 → grades), used by rollover and plausibility checks.
_KINDERGARTEN = ("K0", "K1", "K2", "K3")
_PRIMARY = tuple(str(n) for n in range(1, 7))
_JUNIOR = tuple(str(n) for n in range(7, 10))
_SENIOR = tuple(str(n) for n in range(10, 13))
GRADES_BY_SCHOOL_TYPE: dict[str, tuple[str, ...]] = {
    "111": _KINDERGARTEN, "119": _KINDERGARTEN,
    "211": _PRIMARY, "218": _PRIMARY, "219": _PRIMARY,
    "311": _JUNIOR, "319": _JUNIOR, "312": _PRIMARY + _JUNIOR,
    "341": _JUNIOR + _SENIOR, "342": _SENIOR, "349": _SENIOR, "345": _PRIMARY + _JUNIOR + _SENIOR,
}


def grades_offered(school_type_code: str) -> tuple[str, ...]:
    """Grades a school of this type teaches; special schools and unknown types may teach any grade 1-12."""
    return GRADES_BY_SCHOOL_TYPE.get(school_type_code, _PRIMARY + _JUNIOR + _SENIOR)
