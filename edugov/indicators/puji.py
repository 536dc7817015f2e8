"""The county preschool 普及普惠 assessment (县域学前教育普及普惠督导评估办法, 教督〔2020〕1号) over catalogue values,
with the exact gap to pass. Pure: no Django; the database side is ``edugov.indicators.acceptance.assess_puji``.

The scheme is versioned JSON in ``edugov/indicators/schemes/`` (``puji_puhui_2020.json``); a province or city file
names ``extends`` and only the keys it changes, deep-merged exactly as the 优质均衡 scheme files are
(``engine.scheme.merge``: an unknown key is an error). Each item names a catalogue indicator (its value, numerator
and denominator come from the catalogue) and holds its own threshold, comparator and status.

Gap to pass, exact (``Fraction``), rounded up to the item's ``gap.step`` so that the stated addition passes and one
step less does not. With value = N ÷ D × f and threshold T:

- ``>=`` / ``>``: the smallest addition ``a`` to the numerator with (N + a) ÷ D × f ≥ T, i.e. a ≥ T·D/f − N
  (``>``: strictly greater). If the numerator is part of the denominator (``numerator_within_denominator``, e.g.
  public-kindergarten children within all children), the addition is a conversion of existing places; the
  alternative of new places, which also enter the denominator, needs (N + a) ÷ (D + a) × f ≥ T, i.e.
  a ≥ (T·D/f − N) ÷ (1 − T/f), and is impossible when T/f ≥ 1.
- ``<=`` / ``<`` (ratios such as children per teacher): the smallest addition to the denominator with
  N ÷ (D + a) × f ≤ T, i.e. a ≥ N·f/T − D.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from edugov.indicators.catalogue.evaluate import IndicatorValue, display
from edugov.indicators.catalogue.spec import COMPARATORS, STATUSES, DataElement, Indicator
from edugov.indicators.engine.gaps import format_amount
from edugov.indicators.engine.scheme import SCHEMES_DIR, SchemeError, merge

__all__ = [
    "DEFAULT_PUJI_SCHEME",
    "NO_DATA_TEXT",
    "AcceptanceResult",
    "Gap",
    "ItemResult",
    "PujiItem",
    "PujiScheme",
    "assess_values",
    "gap_for",
    "load_puji_scheme",
]

DEFAULT_PUJI_SCHEME = "puji_puhui_2020"
NO_DATA_TEXT = "暂无数据"
_ITEM_KEYS = frozenset({"number", "indicator", "name", "comparator", "threshold", "status", "sources", "note", "gap"})


@dataclass(frozen=True)
class GapSpec:
    """How an item's shortfall is worded: ``label`` (empty = the catalogue element's name without a trailing 数),
    measure word, addable step, and whether the numerator is part of the denominator."""

    label: str
    measure: str
    step: Fraction
    numerator_within_denominator: bool


@dataclass(frozen=True)
class UnitCost:
    amount: Fraction
    per: str


@dataclass(frozen=True)
class PujiItem:
    code: str
    number: int
    indicator: str
    name: str
    comparator: str
    threshold: Fraction
    status: str
    sources: tuple[str, ...]
    note: str
    gap: GapSpec

    @property
    def uncertain(self) -> bool:
        return self.status != "CONFIRMED"

    def met(self, value: Fraction) -> bool:
        return {">=": value >= self.threshold, "<=": value <= self.threshold,
                ">": value > self.threshold, "<": value < self.threshold}[self.comparator]

    @property
    def threshold_text(self) -> str:
        return f"{COMPARATORS[self.comparator]}{_plain(self.threshold)}"


@dataclass(frozen=True)
class PujiScheme:
    id: str
    title: str
    document: str
    version: str
    jurisdiction: str
    items: tuple[PujiItem, ...]
    not_covered: tuple[str, ...]
    unit_costs: Mapping[str, UnitCost]
    unit_costs_are_examples: bool

    def item(self, code: str) -> PujiItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


def _plain(value: Fraction) -> str:
    return format(display(value, 6).normalize(), "f")


def _num(value: Any, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SchemeError(f"{where}: numbers must be strings or integers, got {value!r}")
    try:
        return Fraction(value)
    except ValueError as exc:
        raise SchemeError(f"{where}: not a number: {value!r}") from exc


def _reject_float(text: str) -> Fraction:
    raise SchemeError(f"number {text} must be a string or an integer (floats are inexact)")


def _read(name_or_path: str | Path) -> dict[str, Any]:
    path = Path(name_or_path)
    if not path.suffix:
        path = SCHEMES_DIR / f"{name_or_path}.json"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh, parse_float=_reject_float)
    return data


def _item(code: str, raw: Mapping[str, Any]) -> PujiItem:
    where = f"items.{code}"
    unknown = sorted(set(raw) - _ITEM_KEYS)
    if unknown:
        raise SchemeError(f"{where}: unknown keys {unknown}")
    comparator = raw["comparator"]
    if comparator not in COMPARATORS:
        raise SchemeError(f"{where}.comparator: one of {list(COMPARATORS)}, got {comparator!r}")
    status = raw["status"]
    if status not in STATUSES:
        raise SchemeError(f"{where}.status: CONFIRMED or UNCERTAIN, got {status!r}")
    gap = raw["gap"]
    step = _num(gap["step"], f"{where}.gap.step")
    if step <= 0:
        raise SchemeError(f"{where}.gap.step: must be positive")
    return PujiItem(
        code=code, number=int(raw["number"]), indicator=str(raw["indicator"]), name=str(raw["name"]),
        comparator=str(comparator), threshold=_num(raw["threshold"], f"{where}.threshold"), status=str(status),
        sources=tuple(raw.get("sources", ())), note=str(raw.get("note", "")),
        gap=GapSpec(label=str(gap.get("label", "")), measure=str(gap["measure"]), step=step,
                    numerator_within_denominator=bool(gap.get("numerator_within_denominator", False))),
    )


def parse_puji_scheme(raw: Mapping[str, Any]) -> PujiScheme:
    items = sorted((_item(code, d) for code, d in raw["items"].items()), key=lambda i: i.number)
    costs = raw.get("unit_costs", {})
    unit_costs = {}
    for code, c in costs.get("costs", {}).items():
        if code not in raw["items"]:
            raise SchemeError(f"unit_costs.costs.{code}: no such item")
        unit_costs[code] = UnitCost(_num(c["amount"], f"unit_costs.costs.{code}.amount"), str(c["per"]))
    return PujiScheme(
        id=str(raw["id"]), title=str(raw.get("title", "")), document=str(raw.get("document", "")),
        version=str(raw["version"]), jurisdiction=str(raw["jurisdiction"]), items=tuple(items),
        not_covered=tuple(raw.get("not_covered", ())), unit_costs=unit_costs,
        unit_costs_are_examples=bool(costs.get("example_values", True)),
    )


def load_puji_scheme(name: str = DEFAULT_PUJI_SCHEME,
                     overrides: Sequence[str | Path | Mapping[str, Any]] = ()) -> PujiScheme:
    """The base scheme with overrides applied in order (national, then province, then city); each override is a
    file name in the schemes directory, a path, or a dict."""
    raw = _read(name)
    for override in overrides:
        data = override if isinstance(override, Mapping) else _read(override)
        extends = data.get("extends")
        if extends is not None and extends != raw["id"]:
            raise SchemeError(f"override extends {extends!r}, but the base scheme is {raw['id']!r}")
        raw = merge(raw, data)
    return parse_puji_scheme(raw)


# ------------------------------------------------------------------------------------------------------- gaps


def _at_least(bound: Fraction, step: Fraction, strict: bool) -> Fraction:
    """The smallest non-negative multiple of ``step`` that is ≥ ``bound`` (> ``bound`` if ``strict``)."""
    if bound < 0 or (bound == 0 and not strict):
        return Fraction(0)
    steps = math.floor(bound / step) + 1 if strict else math.ceil(bound / step)
    return steps * step


@dataclass(frozen=True)
class Gap:
    """What one failing item needs: ``amount`` of ``label`` added to the numerator or the denominator (``side``).
    ``new_places`` is the alternative when the numerator is part of the denominator (``None`` when not
    applicable, or when new places alone can never pass: ``new_places_impossible``)."""

    item: str
    label: str
    measure: str
    side: str
    amount: Fraction
    cost: Fraction | None
    cost_per: str
    new_places: Fraction | None = None
    new_places_impossible: bool = False

    def text(self) -> str:
        return f"需增加{self.label} {format_amount(self.amount)} {self.measure}"

    def alternative_text(self) -> str:
        if self.new_places is not None:
            return f"若全部为新增学位（同时计入在园幼儿总数），需新增 {format_amount(self.new_places)} {self.measure}"
        if self.new_places_impossible:
            return "仅靠新增学位无法达到标准，须转设现有学位"
        return ""


def element_label(name_zh: str) -> str:
    """“在园幼儿数” → “在园幼儿”: what is added, from the element's name."""
    return name_zh[:-1] if name_zh.endswith("数") and len(name_zh) > 1 else name_zh


def gap_for(item: PujiItem, value: IndicatorValue, indicator: Indicator, elements: Mapping[str, DataElement],
            unit_costs: Mapping[str, UnitCost] | None = None) -> Gap | None:
    """The exact gap of a failing item; ``None`` if it is met, has no data, or has no denominator to work with."""
    if value.value is None or value.numerator is None or item.met(value.value):
        return None
    num, den, factor = value.numerator, value.denominator, indicator.factor
    if den is None or den == 0:
        return None
    target = item.threshold
    strict = item.comparator in (">", "<")
    spec = item.gap
    new_places: Fraction | None = None
    impossible = False
    if item.comparator in (">=", ">"):
        side = "numerator"
        names = indicator.numerator
        amount = _at_least(target * den / factor - num, spec.step, strict)
        if spec.numerator_within_denominator:
            share = target / factor
            if share >= 1:
                impossible = True
            else:
                new_places = _at_least((share * den - num) / (1 - share), spec.step, strict)
    else:
        side = "denominator"
        names = indicator.denominator
        amount = _at_least(num * factor / target - den, spec.step, strict)
    label = spec.label or "、".join(element_label(elements[c].name_zh) for c in names)
    unit = (unit_costs or {}).get(item.code)
    return Gap(item=item.code, label=label, measure=spec.measure, side=side, amount=amount,
               cost=None if unit is None else amount * unit.amount, cost_per="" if unit is None else unit.per,
               new_places=new_places, new_places_impossible=impossible)


# ------------------------------------------------------------------------------------------------- assessment


@dataclass(frozen=True)
class ItemResult:
    """One item for one county: the catalogue value compared with the scheme's threshold, and the gap."""

    item: PujiItem
    value: IndicatorValue
    met: bool | None
    gap: Gap | None

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def reason(self) -> str:
        return self.value.reason if self.met is None else ""

    @property
    def display(self) -> str:
        return self.value.display if self.value.display is not None else NO_DATA_TEXT

    @property
    def verdict(self) -> str:
        return NO_DATA_TEXT if self.met is None else ("达标" if self.met else "未达标")

    @property
    def order(self) -> int:
        """Failing items first, then those without data, then the ones met."""
        return {False: 0, None: 1, True: 2}[self.met]


@dataclass(frozen=True)
class AcceptanceResult:
    """A county's 普及普惠 assessment. It passes only if every item is met: an item without data means the county
    cannot pass (``passes`` False, ``complete`` False), never a silent fail or a 0."""

    scheme: PujiScheme
    county_code: str
    county_name: str
    year: int
    items: tuple[ItemResult, ...]

    @property
    def missing(self) -> tuple[ItemResult, ...]:
        return tuple(r for r in self.items if r.met is None)

    @property
    def failing(self) -> tuple[ItemResult, ...]:
        return tuple(r for r in self.items if r.met is False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def passes(self) -> bool:
        return all(r.met is True for r in self.items)

    @property
    def status(self) -> str:
        if self.passes:
            return "达标"
        return "未达标" if self.failing else "数据不全，无法认定"

    def ordered(self) -> tuple[ItemResult, ...]:
        return tuple(sorted(self.items, key=lambda r: (r.order, r.item.number)))

    @property
    def total_cost(self) -> Fraction | None:
        """Sum of the configured costs of the gaps; ``None`` if no gap has a cost."""
        costs = [r.gap.cost for r in self.items if r.gap is not None and r.gap.cost is not None]
        return sum(costs, Fraction(0)) if costs else None


def assess_values(scheme: PujiScheme, values: Mapping[str, IndicatorValue], indicators: Mapping[str, Indicator],
                  elements: Mapping[str, DataElement], *, county_code: str, county_name: str,
                  year: int) -> AcceptanceResult:
    """Judge each item of ``scheme`` on the catalogue value of its indicator (``values`` by indicator code)."""
    results = []
    for item in scheme.items:
        value = values[item.indicator]
        met = None if value.value is None else item.met(value.value)
        gap = gap_for(item, value, indicators[item.indicator], elements, scheme.unit_costs) if met is False else None
        results.append(ItemResult(item=item, value=value, met=met, gap=gap))
    return AcceptanceResult(scheme=scheme, county_code=county_code, county_name=county_name, year=year,
                            items=tuple(results))
