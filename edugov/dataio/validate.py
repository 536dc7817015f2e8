"""Turning raw cells into typed values, one compiled converter per column, and matching headers to columns.

A converter takes what the reader produced (a str from CSV; str, float, bool, date or datetime from calamine) and
returns the stored Python value, None for an empty cell, or raises CellError with a Chinese problem and fix. Messages
that do not depend on the value (“应为数字”) leave the value out, so that a whole column of the same mistake groups
into one record (see problems.py).

Converters of low-cardinality kinds (codes, grades, years, yes/no) memoise by raw value: a million pupil rows hold a
few dozen distinct values there, and a dictionary hit is much cheaper than parsing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from edugov.dataio.readers import HeaderCell
from edugov.dataio.tables import CHOICES, Column, Table
from edugov.lib import codelists
from edugov.lib.idcard import validate_id
from edugov.lib.numbers import NumberFormatError, parse_decimal
from edugov.lib.schoolyear import SchoolYear, SchoolYearError
from edugov.lib.text import clean_cell, normalize_header, to_halfwidth
from edugov.stats.grades import GRADE_LABELS, parse_grade

Converter = Callable[[Any], Any]

#: PositiveIntegerField's upper bound on every database Django supports
MAX_COUNT = 2_147_483_647
#: above this a float has lost digits: 学籍号 or 身份证号 typed as a number
FLOAT_EXACT_LIMIT = 10**15
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")
_DATE_PARTS = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(?:[ T].*)?$")
_DATE_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_MULTI_SPLIT = re.compile(r"[、,，;；/\s]+")

TRUE_WORDS = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "✔", "有", "对"})
FALSE_WORDS = frozenset({"否", "n", "no", "0", "false", "×", "✗", "✘", "无", "不是"})


class CellError(Exception):
    """A cell's value is not acceptable. `code` names the kind of problem for grouping."""

    def __init__(self, code: str, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.code = code
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True)
class FieldLimits:
    """What the database column can hold, read from the model field so that a value that passes here never gets
    rounded or truncated on save (which would make every re-import report a change)."""

    max_length: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    choices: frozenset[str] | None = None


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return repr(value)


# --- kinds -------------------------------------------------------------------------------------------------------

def _text(column: Column, limits: FieldLimits) -> Converter:
    max_length = column.max_length or limits.max_length
    header = column.header

    def convert(raw: Any) -> str | None:
        if isinstance(raw, str):
            text = clean_cell(raw)
        elif isinstance(raw, bool):
            text = "是" if raw else "否"
        elif isinstance(raw, float | int):
            if abs(raw) >= FLOAT_EXACT_LIMIT:
                raise CellError("number_precision",
                                _("“%(h)s”被 Excel 存成了数字，超过15位的数字末尾几位已丢失") % {"h": header},
                                _("请把该列设为“文本”格式后重新填写（或在数字前加英文单引号 '）"))
            text = _float_text(float(raw))
        elif isinstance(raw, dt.datetime):
            text = raw.isoformat(sep=" ")
        elif isinstance(raw, dt.date):
            text = raw.isoformat()
        else:
            text = clean_cell(str(raw))
        if not text:
            return None
        if max_length is not None and len(text) > max_length:
            raise CellError("too_long", _("“%(h)s”最多 %(n)s 个字，此处有 %(len)s 个字") % {
                "h": header, "n": max_length, "len": len(text)}, _("请删减到 %(n)s 个字以内") % {"n": max_length})
        return text

    return convert


def _code_text(column: Column) -> Converter:
    """Identifiers (学籍号, 机构代码): like text, but scientific notation from CSV means Excel has rounded them."""
    base = _text(column, FieldLimits())

    def convert(raw: Any) -> str | None:
        if isinstance(raw, str) and _SCIENTIFIC.match(raw.strip()):
            raise CellError("scientific", _("“%(h)s”显示为科学计数法，说明 Excel 把它当成数字并丢失了末尾几位")
                            % {"h": column.header},
                            _("请在 Excel 中把该列设为“文本”格式，重新填写后另存"))
        text = base(raw)
        return to_halfwidth(text) if text is not None else None

    return convert


def _int(column: Column) -> Converter:
    header = column.header

    def convert(raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError("not_number", _("“%(h)s”应填数字") % {"h": header}, _("请填写阿拉伯数字，如 45"))
        if isinstance(raw, float | int):
            number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        elif isinstance(raw, str):
            try:
                number = parse_decimal(raw)
            except NumberFormatError as exc:
                raise CellError("not_number", _("“%(h)s”应填数字，此处填的是文字") % {"h": header},
                                _("请只填写阿拉伯数字，不要带单位、文字或空格，如 45")) from exc
        else:
            raise CellError("not_number", _("“%(h)s”应填数字") % {"h": header}, _("请填写阿拉伯数字，如 45"))
        if number < 0:
            raise CellError("negative", _("“%(h)s”是人数或数量，不能为负数") % {"h": header},
                            _("请填写 0 或正整数"))
        if number != number.to_integral_value():
            raise CellError("fraction", _("“%(h)s”应为整数") % {"h": header}, _("请填写整数，不要带小数"))
        if number > MAX_COUNT:
            raise CellError("too_large", _("“%(h)s”数值过大") % {"h": header}, _("请核对数值"))
        return int(number)

    return convert


def _decimal(column: Column, limits: FieldLimits) -> Converter:
    header = column.header
    places = limits.decimal_places
    max_whole = (limits.max_digits - (places or 0)) if limits.max_digits is not None else None

    def convert(raw: Any) -> Decimal:
        try:
            number = parse_decimal(raw)
        except NumberFormatError as exc:
            raise CellError("not_number", _("“%(h)s”应填数字，此处填的是文字") % {"h": header},
                            _("请只填写数字，不要带单位或文字，如 5230.5")) from exc
        if number < 0:
            raise CellError("negative", _("“%(h)s”不能为负数") % {"h": header}, _("请填写 0 或正数"))
        normal = number.normalize()
        exponent = normal.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            raise CellError("too_many_places", _("“%(h)s”最多保留 %(n)s 位小数") % {"h": header, "n": places},
                            _("请四舍五入到 %(n)s 位小数") % {"n": places})
        if max_whole is not None and abs(number) >= Decimal(10) ** max_whole:
            raise CellError("too_large", _("“%(h)s”数值过大") % {"h": header}, _("请核对数值和单位"))
        # Stored as the value the database returns, so that unchanged rows compare equal.
        return number if places is None else number.quantize(Decimal(1).scaleb(-places))

    return convert


def parse_date(raw: Any) -> dt.date:
    """Excel dates, Excel serial numbers, 2018-01-01, 2018/1/1, 2018.1.1, 2018年1月1日 and 20180101."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, float | int):
        if float(raw).is_integer() and 19000101 <= raw <= 21001231:
            return _compact_date(str(int(raw)))
        if 1 <= raw < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raise ValueError(raw)
    text = to_halfwidth(clean_cell(str(raw)))
    match = _DATE_PARTS.match(text)
    if match:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _DATE_COMPACT.match(text)
    if match:
        return _compact_date(text)
    if re.fullmatch(r"[0-9]{5}(\.0+)?", text):
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    raise ValueError(raw)


def _compact_date(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _date(column: Column) -> Converter:
    header = column.header

    def convert(raw: Any) -> dt.date:
        try:
            day = parse_date(raw)
        except (ValueError, OverflowError) as exc:
            raise CellError("bad_date", _("“%(h)s”不是可识别的日期") % {"h": header},
                            _("请填写如 2018-01-01、2018/1/1 或 2018年1月1日")) from exc
        if not 1900 <= day.year <= 2100:
            raise CellError("bad_date", _("“%(h)s”的年份不合理") % {"h": header}, _("请核对日期"))
        return day

    return convert


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, float | int):
        if raw in (0, 1):
            return bool(raw)
        raise ValueError(raw)
    word = to_halfwidth(clean_cell(str(raw))).lower()
    if word.endswith(".0"):
        word = word[:-2]
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(raw)


def _bool(column: Column) -> Converter:
    header = column.header

    def convert(raw: Any) -> bool:
        try:
            return parse_bool(raw)
        except ValueError as exc:
            raise CellError("bad_bool", _("“%(h)s”应填“是”或“否”") % {"h": header},
                            _("请填写“是”或“否”（也可填 Y/N、1/0、√）")) from exc

    return convert


def _year(column: Column) -> Converter:
    def convert(raw: Any) -> int:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, dt.date):
            raise CellError("bad_year", _("“学年”被填成了日期"), _("请填写学年起始年份，如 2024，或“2024-2025学年”"))
        try:
            return SchoolYear.parse(raw if isinstance(raw, int) else str(raw)).start_year
        except SchoolYearError as exc:
            raise CellError("bad_year", str(exc), _("请填写学年起始年份，如 2024，或“2024-2025学年”")) from exc

    return convert


def _grade(column: Column) -> Converter:
    def convert(raw: Any) -> str:
        try:
            return parse_grade(_float_text(raw) if isinstance(raw, float) else raw)
        except ValueError as exc:
            raise CellError("bad_grade", str(exc), _("可填：%(labels)s") % {
                "labels": "、".join(GRADE_LABELS.values())}) from exc

    return convert


def _id_number(column: Column) -> Converter:
    def convert(raw: Any) -> str:
        if isinstance(raw, float | int) and not isinstance(raw, bool):
            raise CellError("id_as_number", _("身份证号被 Excel 存成了数字，末尾几位已丢失"),
                            _("请把该列设为“文本”格式后重新填写身份证号"))
        text = str(raw)
        if _SCIENTIFIC.match(text.strip()):
            raise CellError("id_as_number", _("身份证号显示为科学计数法，说明 Excel 把它当成数字并丢失了末尾几位"),
                            _("请在 Excel 中把该列设为“文本”格式，重新填写后另存"))
        check = validate_id(text)
        if not check.ok:
            raise CellError(f"id_{check.error_code}", check.message_zh or _("身份证号无效"),
                            _("请与本人证件核对身份证号；没有身份证号的请留空"))
        return check.normalized

    return convert


def _code(column: Column, list_name: str, limits: FieldLimits) -> Converter:
    codes = codelists.load(list_name)
    header = column.header
    allowed = limits.choices
    sample = "、".join(f"{e.code} {e.name}" for e in list(codes)[:3])

    def convert(raw: Any) -> str:
        text = _float_text(raw) if isinstance(raw, float) else clean_cell(str(raw))
        entry = codes.by_name(text)
        if entry is None or (allowed is not None and entry.code not in allowed):
            if allowed is not None:
                fix = _("只能填：%(names)s") % {"names": "、".join(e.name for e in codes if e.code in allowed)}
            else:
                fix = _("请按“代码表”工作表中“%(h)s”的代码或名称填写，如 %(sample)s") % {"h": header, "sample": sample}
            raise CellError("bad_code", _("“%(v)s”不是有效的%(h)s") % {"v": text, "h": header}, fix)
        return entry.code

    return convert


def choice_words(name: str) -> dict[str, str]:
    """Accepted word (normalised) → stored key for a CHOICES vocabulary."""
    words: dict[str, str] = {}
    for key, accepted in CHOICES[name].items():
        words[_choice_key(key)] = key
        for word in accepted:
            words[_choice_key(word)] = key
    return words


def _choice_key(word: str) -> str:
    return to_halfwidth(clean_cell(word)).replace(" ", "").lower()


def _choice(column: Column, name: str) -> Converter:
    words = choice_words(name)
    shown = "、".join(accepted[0] for accepted in CHOICES[name].values())
    header = column.header

    def convert(raw: Any) -> str:
        key = words.get(_choice_key(str(raw)))
        if key is None:
            raise CellError("bad_choice", _("“%(v)s”不是有效的%(h)s") % {"v": clean_cell(str(raw)), "h": header},
                            _("可填：%(words)s") % {"words": shown})
        return key

    return convert


def _choices_multi(column: Column, name: str) -> Converter:
    words = choice_words(name)
    order = list(CHOICES[name])
    shown = "、".join(accepted[0] for accepted in CHOICES[name].values())
    header = column.header

    def convert(raw: Any) -> str | None:
        keys: set[str] = set()
        for part in _MULTI_SPLIT.split(clean_cell(str(raw))):
            if not part:
                continue
            key = words.get(_choice_key(part))
            if key is None:
                raise CellError("bad_choice", _("“%(v)s”不是有效的%(h)s") % {"v": part, "h": header},
                                _("可填（多个用顿号分隔）：%(words)s") % {"words": shown})
            keys.add(key)
        # Canonical order, so that the same set always stores and exports as the same text.
        return "、".join(k for k in order if k in keys) or None

    return convert


def _unit_code(column: Column) -> Converter:
    base = _code_text(column)

    def convert(raw: Any) -> str | None:
        text = base(raw)
        return text.replace(" ", "").upper() if text is not None else None

    return convert


CACHEABLE_KINDS = ("year", "grade", "bool", "unit_code", "date", "int")


def compile_converter(column: Column, limits: FieldLimits | None = None) -> Converter:
    """The converter for a column's kind; memoised for kinds whose values repeat down a column."""
    limits = limits or FieldLimits()
    kind = column.kind
    if kind == "text":
        identifier = column.field in {"code", "student_no", "staff_no", "division_code", "stat_division_code"}
        convert = _code_text(column) if identifier else _text(column, limits)
    elif kind == "int":
        convert = _int(column)
    elif kind == "decimal":
        convert = _decimal(column, limits)
    elif kind == "date":
        convert = _date(column)
    elif kind == "bool":
        convert = _bool(column)
    elif kind == "year":
        convert = _year(column)
    elif kind == "grade":
        convert = _grade(column)
    elif kind == "unit_code":
        convert = _unit_code(column)
    elif kind == "id_number":
        convert = _id_number(column)
    elif kind.startswith("code:"):
        convert = _code(column, kind.split(":", 1)[1], limits)
    elif kind.startswith("choices_multi:"):
        convert = _choices_multi(column, kind.split(":", 1)[1])
    elif kind.startswith("choice:"):
        convert = _choice(column, kind.split(":", 1)[1])
    else:
        raise ValueError(f"unknown column kind {kind!r} for {column.header}")
    if kind in CACHEABLE_KINDS or kind.startswith(("code:", "choice:", "choices_multi:")):
        return _memoised(convert)
    return convert


def _memoised(convert: Converter, limit: int = 50_000) -> Converter:
    cache: dict[Any, Any] = {}

    def cached(raw: Any) -> Any:
        # bool is excluded: True == 1 == 1.0 share a dictionary slot but mean different things in a number column.
        if raw.__class__ is bool:
            return convert(raw)
        try:
            hit = cache[raw]
        except KeyError:
            try:
                hit = convert(raw)
            except CellError as exc:
                hit = exc
            except TypeError:  # unhashable never happens with reader output, but do not let a cache break parsing
                return convert(raw)
            if len(cache) < limit:
                cache[raw] = hit
        if isinstance(hit, CellError):
            raise hit
        return hit

    return cached


# --- headers -----------------------------------------------------------------------------------------------------

@dataclass
class HeaderMatch:
    """How a sheet's header row maps onto a table's columns."""

    columns: list[tuple[Column, HeaderCell]]
    missing: list[tuple[Column, str]]  # (column, suggestion: a header in the sheet that looks like a misspelling)
    unknown: list[tuple[HeaderCell, str]]  # (header, suggestion: the column it may have meant)
    duplicates: list[tuple[Column, HeaderCell, HeaderCell]]


def accepted_names(column: Column) -> list[str]:
    return [normalize_header(column.header), *(normalize_header(a) for a in column.aliases)]


def match_headers(table: Table, headers: list[HeaderCell]) -> HeaderMatch:
    """Matches headers to columns by normalised header text or alias; proposes corrections for near misses."""
    by_name: dict[str, Column] = {}
    for column in table.columns:
        for name in accepted_names(column):
            by_name.setdefault(name, column)
    matched: dict[str, tuple[Column, HeaderCell]] = {}
    duplicates: list[tuple[Column, HeaderCell, HeaderCell]] = []
    unmatched: list[HeaderCell] = []
    for cell in headers:
        found = by_name.get(normalize_header(cell.text))
        if found is None:
            unmatched.append(cell)
        elif found.field in matched:
            duplicates.append((found, matched[found.field][1], cell))
        else:
            matched[found.field] = (found, cell)
    missing_columns = [c for c in table.columns if c.required and c.field not in matched]
    free_names = {normalize_header(c.text): c for c in unmatched}
    missing: list[tuple[Column, str]] = []
    claimed: set[str] = set()
    for column in missing_columns:
        close = difflib.get_close_matches(normalize_header(column.header), list(free_names), n=1, cutoff=0.5)
        suggestion = free_names[close[0]].text if close else ""
        if close:
            claimed.add(close[0])
        missing.append((column, suggestion))
    unknown: list[tuple[HeaderCell, str]] = []
    all_names = list(by_name)
    for cell in unmatched:
        if normalize_header(cell.text) in claimed:
            continue  # already reported as the likely misspelling of a missing required column
        close = difflib.get_close_matches(normalize_header(cell.text), all_names, n=1, cutoff=0.6)
        unknown.append((cell, by_name[close[0]].header if close else ""))
    ordered = [matched[c.field] for c in table.columns if c.field in matched]
    return HeaderMatch(columns=ordered, missing=missing, unknown=unknown, duplicates=duplicates)
