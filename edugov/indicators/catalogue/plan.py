"""Compile a data element, plus the disaggregation asked for, into a backend-neutral query description. Pure.

Each backend (Django ORM on SQLite/PostgreSQL, DuckDB over exported tables) turns an :class:`ElementQuery` into one
grouped query: ``SELECT unit_id, SUM(col)…, COUNT(col)…, COUNT(*) FROM table WHERE year = ? AND unit_id IN (…) AND
conditions GROUP BY unit_id``. School-attribute filters (城乡, 公办, 普惠, 办学类型) are not SQL: they choose which
units enter ``unit_id IN (…)``, from the registry as it stood on the reference date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from edugov.indicators.catalogue.sources import DIMENSIONS, GRADES_OF_STAGE, Source
from edugov.indicators.catalogue.spec import DataElement, Filter, SchoolFilter

__all__ = ["Condition", "ElementQuery", "NotApplicable", "compile_element", "validate_dimensions"]


@dataclass(frozen=True)
class Condition:
    """``column op value``; ops: eq, ne, in, nin, gte, lte, gt, lt, nonempty, empty."""

    column: str
    op: str
    value: tuple[str, ...] | str | bool | Fraction | None = None


@dataclass(frozen=True)
class ElementQuery:
    """What to read for one element. ``sums`` empty = count rows. ``never``: no row can match (e.g. 女 of a
    measure that only sums male pupils), so every part is 0 without asking the database."""

    element: str
    source: Source
    year_offset: int
    sums: tuple[str, ...]
    conditions: tuple[Condition, ...]
    school: SchoolFilter
    never: bool = False


@dataclass(frozen=True)
class NotApplicable:
    """The element cannot be split by the asked disaggregation; ``reason`` is Chinese."""

    reason: str


def validate_dimensions(dims: Mapping[str, str]) -> None:
    """Raises ValueError (Chinese) for an unknown disaggregation or value."""
    for name, value in dims.items():
        if name not in DIMENSIONS:
            raise ValueError(f"不认识的分解维度“{name}”，可用：{'、'.join(DIMENSIONS)}")
        label, values = DIMENSIONS[name]
        if value not in values:
            raise ValueError(f"{label}的取值“{value}”无效，可用：{'、'.join(values)}")


def _condition(f: Filter, source: Source) -> Condition:
    column = source.filters[f.field]
    if not column.via_stage:
        return Condition(column.column, f.op, f.value)
    stages = f.value if isinstance(f.value, tuple) else (str(f.value),)
    grades = tuple(g for s in stages for g in GRADES_OF_STAGE[s])
    return Condition(column.column, "nin" if f.op == "ne" else "in", grades)


def compile_element(element: DataElement, dims: Mapping[str, str] | None = None) -> ElementQuery | NotApplicable:
    """The query for ``element`` restricted to the disaggregation ``dims`` (e.g. ``{"urban_rural": "乡村"}``)."""
    dims = dims or {}
    validate_dimensions(dims)
    source = element.source_def
    query = ElementQuery(element=element.code, source=source, year_offset=element.year_offset, sums=element.measure,
                         conditions=tuple(_condition(f, source) for f in element.filters), school=element.school)
    for name, value in dims.items():
        if not source.supports(name):
            label = DIMENSIONS[name][0]
            return NotApplicable(f"“{element.name_zh}”（{source.label_zh}）不能按{label}分解")
        query = _restrict(query, source, name, value)
    return query


def _restrict(query: ElementQuery, source: Source, name: str, value: str) -> ElementQuery:
    if name == "stage":
        stage_filter = Filter("stage", "eq", value)
        return replace(query, conditions=(*query.conditions, _condition(stage_filter, source)))
    if name == "sex":
        if source.sex_columns:
            column = source.sex_columns[value]
            sums = tuple(c for c in query.sums if c == column)
            return replace(query, sums=sums, never=query.never or not sums)
        return replace(query, conditions=(*query.conditions, Condition("sex", "eq", "1" if value == "男" else "2")))
    school = query.school
    if name == "urban_rural":
        if school.urban_rural and value not in school.urban_rural:
            return replace(query, never=True)
        return replace(query, school=replace(school, urban_rural=frozenset({value})))
    # public
    wanted = value == "公办"
    if school.is_public is not None and school.is_public is not wanted:
        return replace(query, never=True)
    return replace(query, school=replace(school, is_public=wanted))
