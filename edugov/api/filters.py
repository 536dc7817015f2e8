"""Query-string filters of the API.

Each filter is declared once, as a `Param`, and that declaration both filters the queryset and documents the
parameter in the OpenAPI schema, so that behaviour and documentation cannot drift apart. A view lists its params in
`filter_params`; `ParamFilterBackend` applies them in order.

Unknown or out-of-scope codes (unit=, ancestor=, parent=) give an empty result, never an error: an error would tell
the caller that the code exists elsewhere. Malformed values (a date that is no date, an unknown grade) give 400.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db import models
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from edugov.core.scoping import descendant_ids, scope_for
from edugov.lib.schoolyear import SchoolYear, SchoolYearError
from edugov.registry.models import OrgUnit
from edugov.stats.grades import parse_grade

ParamKind = Literal["string", "integer", "date"]
Apply = Callable[[models.QuerySet[Any], Any, Request], models.QuerySet[Any]]


def parse_date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ValueError(f"“{raw}”不是有效日期，请使用 YYYY-MM-DD 格式，如 2024-09-01") from exc


def parse_year(raw: str) -> int:
    try:
        return SchoolYear.parse(raw).start_year
    except SchoolYearError as exc:
        raise ValueError(str(exc)) from exc


def parse_text(raw: str) -> str:
    return raw.strip()


@dataclass(frozen=True)
class Param:
    """One query parameter: how to read it, how it narrows the queryset, and what the schema says about it."""

    name: str
    description: str
    apply: Apply
    kind: ParamKind = "string"
    parse: Callable[[str], Any] = parse_text
    enum: tuple[str, ...] = ()
    example: str = ""

    def read(self, request: Request) -> Any | None:
        """The parsed value, None when absent or blank; raises a 400 naming the parameter when malformed."""
        raw = request.query_params.get(self.name)
        if raw is None or not raw.strip():
            return None
        if self.enum and raw.strip() not in self.enum:
            raise ValidationError({self.name: [f"“{raw}”不是可选值之一：{'、'.join(self.enum)}"]})
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise ValidationError({self.name: [str(exc)]}) from exc

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.kind}
        if self.kind == "date":
            schema = {"type": "string", "format": "date"}
        if self.enum:
            schema["enum"] = list(self.enum)
        parameter: dict[str, Any] = {"name": self.name, "in": "query", "required": False,
                                     "description": self.description, "schema": schema}
        if self.example:
            parameter["example"] = self.example
        return parameter


class ParamFilterBackend(BaseFilterBackend):
    """Applies the view's `filter_params` and documents them for drf-spectacular."""

    def filter_queryset(self, request: Request, queryset: models.QuerySet[Any], view: Any) -> models.QuerySet[Any]:
        for param in getattr(view, "filter_params", ()):
            value = param.read(request)
            if value is not None:
                queryset = param.apply(queryset, value, request)
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [param.openapi() for param in getattr(view, "filter_params", ())]


# --- the date on which the tree is read --------------------------------------------------------------------------

ON_PARAM_NAME = "on"


def tree_date(request: Request) -> dt.date:
    """The date whose hierarchy answers "which units lie below X": ?on= if given, else the statistics reference date
    of ?year= (so that a school that moved districts is counted where it stood that year), else today."""
    raw_on = request.query_params.get(ON_PARAM_NAME, "").strip()
    if raw_on:
        try:
            return parse_date(raw_on)
        except ValueError as exc:
            raise ValidationError({ON_PARAM_NAME: [str(exc)]}) from exc
    raw_year = request.query_params.get("year", "").strip()
    if raw_year:
        try:
            return SchoolYear(parse_year(raw_year)).reference_date
        except ValueError as exc:
            raise ValidationError({"year": [str(exc)]}) from exc
    return timezone.localdate()


def subtree_ids(request: Request, code: str) -> frozenset[int]:
    """Ids of the unit with this code and all units below it on `tree_date`, cut down to the caller's scope."""
    root_id = OrgUnit.objects.filter(code=code).values_list("pk", flat=True).first()
    if root_id is None:
        return frozenset()
    ids = descendant_ids([root_id], on=tree_date(request))
    scope = scope_for(request.user)
    return ids if scope.everything else ids & scope.unit_ids


# --- reusable params ---------------------------------------------------------------------------------------------


def exact(field: str) -> Apply:
    return lambda queryset, value, request: queryset.filter(**{field: value})


def year_param() -> Param:
    return Param("year", "学年起始年份，2024 表示 2024-2025 学年；也可写“2024-2025学年”。", exact("year"),
                 kind="integer", parse=parse_year, example="2024")


def unit_param(unit_field: str = "unit", description: str = "学校标识码（或机构代码）：只返回该机构的记录。") -> Param:
    return Param("unit", description, exact(f"{unit_field}__code"), example="2137020001")


def ancestor_param(unit_field: str = "unit") -> Param:
    lookup = "pk__in" if unit_field == "pk" else f"{unit_field}_id__in"

    def apply(queryset: models.QuerySet[Any], code: str, request: Request) -> models.QuerySet[Any]:
        return queryset.filter(**{lookup: subtree_ids(request, code)})

    return Param(
        "ancestor",
        "上级机构代码：返回该机构及其全部下级机构（按所选学年统计时点或今天的行政隶属）的记录。",
        apply, example="370202",
    )


def grade_param() -> Param:
    return Param("grade", "年级：代码（1–12、K0–K3）或中文（“一年级”“初一”“高一”“大班”等）。", exact("grade"),
                 parse=parse_grade, example="1")


def choice_param(name: str, description: str, choices: type[models.TextChoices], field: str | None = None) -> Param:
    """A parameter limited to the values of a TextChoices; the description lists them with their Chinese labels."""
    listed = "、".join(f"{value} {label}" for value, label in choices.choices)
    return Param(name, f"{description}可选：{listed}。", exact(field or name),
                 enum=tuple(str(c) for c in choices.values))
