"""Evaluate an indicator from the per-unit parts of its data elements, exactly, with its drill-down. Pure.

Rules (docs/indicators.md, "Catalogue engine"):

- value = Σ numerator parts ÷ Σ denominator parts × factor, as a ``Fraction``; no denominator: Σ numerator × factor.
- "No data" (``value=None`` with a Chinese ``reason``), never 0 and never an exception, when: an element's source is
  not held yet or cannot be split as asked; an area source (population) has no row; a unit that counts in the
  denominator has not reported a numerator input (NULL or no row), or a denominator input is unreported; or the
  denominator is 0.
- A school with nothing in the denominator need not report the numerator (it adds nothing to either side).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from types import MappingProxyType

from edugov.indicators.catalogue.spec import DataElement, Indicator, Threshold

__all__ = ["Contribution", "ElementData", "IndicatorValue", "UnitRef", "decimal_text", "display", "evaluate"]

_MAX_NAMES = 5


@dataclass(frozen=True)
class UnitRef:
    """An org unit as the drill-down names it."""

    id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class ElementData:
    """What was read for one element: unit id → part (``None`` = not reported), or why it cannot be read."""

    parts: Mapping[int, Fraction | None] = field(default_factory=lambda: MappingProxyType({}))
    unavailable: str = ""


@dataclass(frozen=True)
class Contribution:
    """One unit's share of a value: its numerator and denominator parts (``None`` = not reported)."""

    unit: UnitRef
    numerator: Fraction | None
    denominator: Fraction | None


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator for one org unit and school year, naming the definition version it was computed with."""

    code: str
    name_zh: str
    version: int
    unit: str
    status: str
    display_places: int
    value: Fraction | None
    numerator: Fraction | None
    denominator: Fraction | None
    reason: str
    threshold: Threshold | None
    met: bool | None
    contributions: tuple[Contribution, ...]
    element_versions: Mapping[str, int]
    filters: Mapping[str, str]
    org_unit: UnitRef | None = None
    year: int | None = None

    @property
    def no_data(self) -> bool:
        return self.value is None

    @property
    def display(self) -> str | None:
        return None if self.value is None else str(display(self.value, self.display_places))


def display(value: Fraction, places: int) -> Decimal:
    """Round half up for showing; never compare a displayed value."""
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def decimal_text(value: Fraction, places: int = 12) -> str:
    """The exact decimal text of a terminating fraction ("95.5"), else rounded to ``places`` ("33.333333333333")."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        with localcontext() as ctx:
            ctx.prec = 80
            text = format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")
        return text
    return format(display(value, places), "f")


def _sum(parts: list[Fraction | None]) -> Fraction | None:
    if any(p is None for p in parts):
        return None
    return sum((p for p in parts if p is not None), Fraction(0))


def _names(units: list[UnitRef]) -> str:
    shown = "、".join(u.name or u.code for u in units[:_MAX_NAMES])
    return shown + (f" 等{len(units)}个单位" if len(units) > _MAX_NAMES else "")


def evaluate(indicator: Indicator, elements: Mapping[str, DataElement], data: Mapping[str, ElementData],
             units: Mapping[int, UnitRef], *, org_unit: UnitRef | None = None, year: int | None = None,
             filters: Mapping[str, str] | None = None, not_applicable: str = "") -> IndicatorValue:
    """The value of ``indicator`` from ``data`` (one entry per element it uses), restricted to the units in
    ``units``; parts of other units are ignored. ``not_applicable`` forces "no data" with that reason."""

    def result(value: Fraction | None, num: Fraction | None, den: Fraction | None, reason: str,
               contributions: tuple[Contribution, ...] = ()) -> IndicatorValue:
        met = None if value is None or indicator.threshold is None else indicator.threshold.met(value)
        return IndicatorValue(
            code=indicator.code, name_zh=indicator.name_zh, version=indicator.version, unit=indicator.unit,
            status=indicator.status, display_places=indicator.display_places, value=value, numerator=num,
            denominator=den, reason=reason, threshold=indicator.threshold, met=met, contributions=contributions,
            element_versions=MappingProxyType({c: elements[c].version for c in indicator.elements}),
            filters=MappingProxyType(dict(filters or {})), org_unit=org_unit, year=year)

    if not_applicable:
        return result(None, None, None, not_applicable)
    reasons = list(dict.fromkeys(data[c].unavailable for c in indicator.elements if data[c].unavailable))
    if reasons:
        return result(None, None, None, "；".join(reasons))
    for code in indicator.elements:
        element = elements[code]
        if element.source_def.per == "area" and not any(u in units for u in data[code].parts):
            return result(None, None, None, f"缺少“{element.name_zh}”数据")

    ids = sorted({u for c in indicator.elements for u in data[c].parts if u in units},
                 key=lambda u: (units[u].kind != "school", units[u].code))
    contributions = []
    missing_num: list[UnitRef] = []
    missing_den: list[UnitRef] = []
    has_den = bool(indicator.denominator)
    for u in ids:
        num = _sum([data[c].parts.get(u, Fraction(0)) for c in indicator.numerator])
        den = _sum([data[c].parts.get(u, Fraction(0)) for c in indicator.denominator]) if has_den else None
        contributions.append(Contribution(units[u], num, den))
        if has_den and den is None:
            missing_den.append(units[u])
        elif num is None and (not has_den or den != 0):
            missing_num.append(units[u])
    drill = tuple(contributions)
    if missing_num or missing_den:
        parts = []
        if missing_num:
            names = "、".join(elements[c].name_zh for c in indicator.numerator)
            parts.append(f"以下单位未报送“{names}”：{_names(missing_num)}")
        if missing_den:
            names = "、".join(elements[c].name_zh for c in indicator.denominator)
            parts.append(f"以下单位未报送“{names}”：{_names(missing_den)}")
        return result(None, None, None, "；".join(parts), drill)
    num_total = sum((c.numerator for c in drill if c.numerator is not None), Fraction(0))
    if not has_den:
        return result(num_total * indicator.factor, num_total, None, "", drill)
    den_total = sum((c.denominator for c in drill if c.denominator is not None), Fraction(0))
    if den_total == 0:
        names = "、".join(elements[c].name_zh for c in indicator.denominator)
        return result(None, num_total, den_total, f"分母“{names}”为0，无数据", drill)
    return result(num_total / den_total * indicator.factor, num_total, den_total, "", drill)
