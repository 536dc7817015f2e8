"""Data elements and indicator definitions as data, parsed and validated. Pure: no Django.

A **data element** is a named sum over one statistics source (``sources.SOURCES``): the sum of some measure columns,
or a count of rows, over the rows that pass its filters, at the schools that pass its school filters. An
**indicator** is Σ numerator elements ÷ Σ denominator elements × factor (no denominator: a count × factor).

Every number in a definition is a string or an integer, never a float (a JSON ``4.2`` is already inexact). Errors
are :class:`CatalogueError` with a Chinese message naming the definition and the field.

>>> e = parse_element({"code": "kg", "name_zh": "在园幼儿数", "source": "enrolment",
...                    "measure": ["male", "female"], "filters": [{"field": "stage", "op": "in",
...                    "value": ["kindergarten"]}]})
>>> e.source, e.measure
('enrolment', ('male', 'female'))
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from types import MappingProxyType
from typing import Any

from edugov.indicators.catalogue.sources import SOURCES, URBAN_RURAL_BANDS, Source

__all__ = [
    "COMPARATORS",
    "LEVELS",
    "STATUSES",
    "Catalogue",
    "CatalogueError",
    "DataElement",
    "Filter",
    "Indicator",
    "SchoolFilter",
    "Threshold",
    "load_shipped",
    "parse_catalogue",
    "parse_element",
    "parse_indicator",
]

COMPARATORS: Mapping[str, str] = MappingProxyType({">=": "≥", "<=": "≤", ">": "＞", "<": "＜"})
#: the lowest level an indicator is meaningful at: school (any unit), county (区县 and above), city (市)
LEVELS: tuple[str, ...] = ("school", "county", "city")
STATUSES: tuple[str, ...] = ("CONFIRMED", "UNCERTAIN")
OPS: tuple[str, ...] = ("eq", "ne", "in", "gte", "lte", "gt", "lt", "nonempty", "empty")
_ELEMENT_KEYS = frozenset({"code", "name_zh", "version", "source", "measure", "filters", "school", "year_offset",
                           "definition_zh"})
_INDICATOR_KEYS = frozenset({"code", "name_zh", "version", "definition_zh", "unit", "level", "source_clause",
                             "status", "numerator", "denominator", "factor", "display_places", "threshold", "note"})
_SCHOOL_KEYS = frozenset({"school_type", "school_type_prefix", "urban_rural", "is_public", "is_inclusive"})


class CatalogueError(ValueError):
    """A definition is invalid; ``str()`` is a Chinese message."""


@dataclass(frozen=True)
class Filter:
    """A row filter: ``field`` (a key of the source's filters) ``op`` ``value``."""

    field: str
    op: str
    value: tuple[str, ...] | str | bool | Fraction | None = None


@dataclass(frozen=True)
class SchoolFilter:
    """Which schools an element counts, by their attributes on the reference date. Empty = every school."""

    school_type: frozenset[str] = frozenset()
    school_type_prefix: tuple[str, ...] = ()
    urban_rural: frozenset[str] = frozenset()
    is_public: bool | None = None
    is_inclusive: bool | None = None

    def matches(self, *, school_type: str, urban_rural: str, is_public: bool | None,
                is_inclusive: bool | None) -> bool:
        if self.school_type and school_type not in self.school_type:
            return False
        if self.school_type_prefix and not school_type.startswith(self.school_type_prefix):
            return False
        if self.urban_rural and not any(urban_rural in URBAN_RURAL_BANDS[b] for b in self.urban_rural):
            return False
        if self.is_public is not None and is_public is not self.is_public:
            return False
        return self.is_inclusive is None or is_inclusive is self.is_inclusive

    @property
    def empty(self) -> bool:
        return self == SchoolFilter()


@dataclass(frozen=True)
class DataElement:
    """A named sum (or row count) over one source. ``measure`` is the summed columns, ``()`` for a row count.
    ``year_offset`` reads another school year than the indicator's (−2 = two years earlier, for cohorts)."""

    code: str
    name_zh: str
    source: str
    measure: tuple[str, ...]
    filters: tuple[Filter, ...] = ()
    school: SchoolFilter = field(default_factory=SchoolFilter)
    year_offset: int = 0
    definition_zh: str = ""
    version: int = 1

    @property
    def source_def(self) -> Source:
        return SOURCES[self.source]


@dataclass(frozen=True)
class Threshold:
    """The value an indicator is compared with: ``value comparator``, e.g. ≥ 85. ``status`` UNCERTAIN means the
    threshold (or reading it into this indicator) could not be checked against an official text."""

    value: Fraction
    comparator: str
    status: str
    source: str = ""
    note: str = ""

    @property
    def uncertain(self) -> bool:
        return self.status != "CONFIRMED"

    def met(self, value: Fraction) -> bool:
        return {">=": value >= self.value, "<=": value <= self.value,
                ">": value > self.value, "<": value < self.value}[self.comparator]


@dataclass(frozen=True)
class Indicator:
    """Σ numerator ÷ Σ denominator × factor, with its metadata. ``status`` is that of the formula."""

    code: str
    name_zh: str
    definition_zh: str
    unit: str
    level: str
    source_clause: str
    status: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    factor: Fraction
    display_places: int = 1
    threshold: Threshold | None = None
    note: str = ""
    version: int = 1

    @property
    def elements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.numerator, *self.denominator)))


@dataclass(frozen=True)
class Catalogue:
    """Elements and indicators by code, in definition order; every indicator's elements are present."""

    elements: Mapping[str, DataElement]
    indicators: Mapping[str, Indicator]

    def indicator(self, code: str) -> Indicator:
        try:
            return self.indicators[code]
        except KeyError as exc:
            raise CatalogueError(f"指标目录中没有指标 {code}") from exc


# ------------------------------------------------------------------------------------------------------ parsing


def _where(kind: str, code: object) -> str:
    return f"{kind}“{code}”" if code else kind


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogueError(f"{where}：“{key}”必须是非空文字")
    return value.strip()


def _number(value: object, where: str, key: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CatalogueError(f"{where}：“{key}”必须写成整数或带引号的数字（如 \"85\"、\"0.5\"），不能用小数浮点数")
    try:
        return Fraction(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError) as exc:
        raise CatalogueError(f"{where}：“{key}”不是数字：{value!r}") from exc


def _unknown_keys(data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise CatalogueError(f"{where}：不认识的字段 {'、'.join(unknown)}")


def _str_list(value: object, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}：“{key}”必须是文字或文字列表")
    return tuple(value)


def _filter(raw: object, source: Source, where: str) -> Filter:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}：筛选条件必须是对象，含 field、op、value")
    _unknown_keys(raw, frozenset({"field", "op", "value"}), where)
    name = raw.get("field")
    if name not in source.filters:
        allowed = "、".join(source.filters) or "（无）"
        raise CatalogueError(f"{where}：数据源“{source.label_zh}”（{source.name}）没有可筛选字段“{name}”，"
                             f"可用：{allowed}")
    column = source.filters[str(name)]
    op = raw.get("op", "eq")
    if op not in OPS:
        raise CatalogueError(f"{where}：不认识的比较方式“{op}”，可用：{'、'.join(OPS)}")
    if op in ("nonempty", "empty"):
        if column.kind != "str":
            raise CatalogueError(f"{where}：“{op}”只能用于文字字段")
        return Filter(str(name), str(op))
    value = raw.get("value")
    if column.kind == "bool":
        if op not in ("eq", "ne") or not isinstance(value, bool):
            raise CatalogueError(f"{where}：字段“{name}”是是/否字段，只能用 eq/ne 与 true/false 比较")
        return Filter(str(name), str(op), value)
    if column.kind in ("int", "decimal"):
        if op in ("in",):
            raise CatalogueError(f"{where}：数字字段“{name}”请用 eq/ne/gte/lte/gt/lt 比较")
        return Filter(str(name), str(op), _number(value, where, "value"))
    values = _str_list(value, where, "value")
    if op not in ("eq", "ne", "in"):
        raise CatalogueError(f"{where}：文字字段“{name}”只能用 eq/ne/in 比较")
    if op in ("eq", "ne") and len(values) != 1:
        raise CatalogueError(f"{where}：“{op}”需要一个值")
    if column.values:
        bad = [v for v in values if v not in column.values]
        if bad:
            raise CatalogueError(f"{where}：字段“{name}”的取值 {'、'.join(bad)} 无效，可用：{'、'.join(column.values)}")
    return Filter(str(name), str(op), values if op == "in" else values[0])


def _school(raw: object, where: str) -> SchoolFilter:
    if raw is None:
        return SchoolFilter()
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}：“school”必须是对象")
    _unknown_keys(raw, _SCHOOL_KEYS, where + " school")
    bands = _str_list(raw.get("urban_rural", []), where, "urban_rural")
    bad = [b for b in bands if b not in URBAN_RURAL_BANDS]
    if bad:
        raise CatalogueError(f"{where}：城乡类别 {'、'.join(bad)} 无效，可用：{'、'.join(URBAN_RURAL_BANDS)}")
    flags: dict[str, bool | None] = {}
    for key in ("is_public", "is_inclusive"):
        value = raw.get(key)
        if value is not None and not isinstance(value, bool):
            raise CatalogueError(f"{where}：“{key}”必须是 true 或 false")
        flags[key] = value
    return SchoolFilter(school_type=frozenset(_str_list(raw.get("school_type", []), where, "school_type")),
                        school_type_prefix=_str_list(raw.get("school_type_prefix", []), where, "school_type_prefix"),
                        urban_rural=frozenset(bands), is_public=flags["is_public"],
                        is_inclusive=flags["is_inclusive"])


def _version(data: Mapping[str, Any], where: str) -> int:
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CatalogueError(f"{where}：“version”必须是正整数")
    return version


def parse_element(data: Mapping[str, Any]) -> DataElement:
    """A data element from its JSON form (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise CatalogueError("数据元素必须是对象")
    where = _where("数据元素", data.get("code"))
    _unknown_keys(data, _ELEMENT_KEYS, where)
    code = _text(data, "code", where)
    source_name = data.get("source")
    if source_name not in SOURCES:
        raise CatalogueError(f"{where}：不认识的数据源“{source_name}”，可用：{'、'.join(SOURCES)}")
    source = SOURCES[str(source_name)]
    measure_raw = data.get("measure", "count")
    if measure_raw == "count":
        if not source.countable:
            raise CatalogueError(f"{where}：数据源“{source.label_zh}”不能计行数，请列出要求和的字段")
        measure: tuple[str, ...] = ()
    else:
        measure = _str_list(measure_raw, where, "measure")
        bad = [m for m in measure if m not in source.measures]
        if not measure or bad:
            available = "、".join(source.measures) or "（无，请用 count）"
            raise CatalogueError(f"{where}：数据源“{source.label_zh}”没有可求和字段 {'、'.join(bad) or '（空）'}，"
                                 f"可用：{available}")
    filters_raw = data.get("filters", [])
    if not isinstance(filters_raw, list):
        raise CatalogueError(f"{where}：“filters”必须是列表")
    filters = tuple(_filter(f, source, where) for f in filters_raw)
    school = _school(data.get("school"), where)
    if not school.empty and source.per != "school":
        raise CatalogueError(f"{where}：数据源“{source.label_zh}”按区域填报，不能按学校属性筛选")
    offset = data.get("year_offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or not -12 <= offset <= 0:
        raise CatalogueError(f"{where}：“year_offset”必须是 -12 到 0 的整数")
    return DataElement(code=code, name_zh=_text(data, "name_zh", where), source=source.name, measure=measure,
                       filters=filters, school=school, year_offset=offset,
                       definition_zh=_text(data, "definition_zh", where, required=False),
                       version=_version(data, where))


def _threshold(raw: object, where: str) -> Threshold | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}：“threshold”必须是对象或 null")
    _unknown_keys(raw, frozenset({"value", "comparator", "status", "source", "note"}), where + " threshold")
    comparator = raw.get("comparator")
    if comparator not in COMPARATORS:
        raise CatalogueError(f"{where}：阈值比较方式“{comparator}”无效，可用：{'、'.join(COMPARATORS)}")
    status = raw.get("status")
    if status not in STATUSES:
        raise CatalogueError(f"{where}：阈值“status”必须是 CONFIRMED 或 UNCERTAIN")
    return Threshold(value=_number(raw.get("value"), where, "threshold.value"), comparator=str(comparator),
                     status=str(status), source=str(raw.get("source", "")), note=str(raw.get("note", "")))


def parse_indicator(data: Mapping[str, Any], elements: Mapping[str, DataElement]) -> Indicator:
    """An indicator from its JSON form; every element it names must be in ``elements``."""
    if not isinstance(data, Mapping):
        raise CatalogueError("指标必须是对象")
    where = _where("指标", data.get("code"))
    _unknown_keys(data, _INDICATOR_KEYS, where)
    numerator = _str_list(data.get("numerator", []), where, "numerator")
    denominator = _str_list(data.get("denominator", []), where, "denominator")
    if not numerator:
        raise CatalogueError(f"{where}：“numerator”至少要有一个数据元素")
    unknown = [c for c in (*numerator, *denominator) if c not in elements]
    if unknown:
        raise CatalogueError(f"{where}：引用了不存在的数据元素 {'、'.join(unknown)}")
    level = data.get("level", "school")
    if level not in LEVELS:
        raise CatalogueError(f"{where}：“level”必须是 {'、'.join(LEVELS)} 之一")
    status = data.get("status")
    if status not in STATUSES:
        raise CatalogueError(f"{where}：“status”必须是 CONFIRMED 或 UNCERTAIN")
    places = data.get("display_places", 1)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 6:
        raise CatalogueError(f"{where}：“display_places”必须是 0 到 6 的整数")
    factor = _number(data.get("factor", 1), where, "factor")
    if factor <= 0:
        raise CatalogueError(f"{where}：“factor”必须大于 0")
    return Indicator(code=_text(data, "code", where), name_zh=_text(data, "name_zh", where),
                     definition_zh=_text(data, "definition_zh", where), unit=_text(data, "unit", where, required=False),
                     level=str(level), source_clause=_text(data, "source_clause", where), status=str(status),
                     numerator=numerator, denominator=denominator, factor=factor, display_places=places,
                     threshold=_threshold(data.get("threshold"), where),
                     note=_text(data, "note", where, required=False), version=_version(data, where))


def _unique(codes: Iterable[str], kind: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise CatalogueError(f"{kind}代码“{code}”重复")
        seen.add(code)


def parse_catalogue(elements: Sequence[Mapping[str, Any]], indicators: Sequence[Mapping[str, Any]]) -> Catalogue:
    """A whole catalogue; codes must be unique and references resolvable."""
    parsed = [parse_element(e) for e in elements]
    _unique((e.code for e in parsed), "数据元素")
    by_code = {e.code: e for e in parsed}
    inds = [parse_indicator(i, by_code) for i in indicators]
    _unique((i.code for i in inds), "指标")
    return Catalogue(elements=MappingProxyType(by_code), indicators=MappingProxyType({i.code: i for i in inds}))


def load_shipped(name: str = "catalogue_v1") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The raw element and indicator entries of a catalogue file shipped in this package."""
    text = resources.files("edugov.indicators.catalogue").joinpath(f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text, parse_float=_reject_float)
    return list(data["elements"]), list(data["indicators"])


def _reject_float(text: str) -> Fraction:
    raise CatalogueError(f"指标目录中的数字 {text} 必须写成带引号的字符串，避免浮点误差")
