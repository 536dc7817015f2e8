"""Evaluation schemes as data: a weighted tree of items with scoring rules, adjustments, vetoes, grades and ranking.

A scheme is a JSON file in ``edugov/evaluation/schemes/``. Several versions of one scheme live side by side (one
file each) and are looked up by id and version or by the year being evaluated. Every number in a file is a string
or an integer and becomes a :class:`fractions.Fraction`. Loading validates the whole file and refuses it with a
Chinese message naming the item path (``A3 > A3.2``), so a scheme with weights that do not add up, an unknown rule
or overlapping bands never reaches scoring. ``sha256`` is the hash of the canonical JSON (sorted keys, no spaces),
so the same content gives the same hash however the file is laid out.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from edugov.evaluation.engine.exact import exact_str, readable, to_fraction

SCHEMES_DIR = Path(__file__).resolve().parent.parent / "schemes"
LEXICON = Path(__file__).resolve().parents[2] / "plans" / "lexicon" / "indicators.csv"
CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "indicators" / "catalogue"

RULE_TYPES = ("threshold", "linear", "banded", "manual", "boolean")
COMPARATORS = (">=", ">", "<=", "<", "==")
MISSING_POLICIES = ("zero", "exclude")
TIE_BREAKERS = ("total", "base", "item", "penalty", "bonus", "grade")
ADJUSTMENT_KINDS = ("bonus", "penalty")

MissingPolicy = Literal["zero", "exclude"]


class SchemeError(ValueError):
    """A scheme file is malformed; the message is Chinese and names the scheme and the item path."""


def canonical_json(data: Any) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text kept as is: the form that is hashed."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_of(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


# --- intervals ------------------------------------------------------------------------------------------------

_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^,\s]+)\s*([\])])\s*$")
_NEG_INF = {"-inf", "-∞"}
_POS_INF = {"+inf", "inf", "+∞", "∞"}


@dataclass(frozen=True)
class Interval:
    """An interval with explicit bounds, written ``"[90, 95)"``; ``None`` is an open end (``-inf`` / ``+inf``)."""

    lower: Fraction | None
    lower_inclusive: bool
    upper: Fraction | None
    upper_inclusive: bool

    def contains(self, value: Fraction) -> bool:
        if self.lower is not None and (value < self.lower or (value == self.lower and not self.lower_inclusive)):
            return False
        return not (self.upper is not None
                    and (value > self.upper or (value == self.upper and not self.upper_inclusive)))

    def text(self) -> str:
        lo = "-inf" if self.lower is None else exact_str(self.lower)
        hi = "+inf" if self.upper is None else exact_str(self.upper)
        return f"{'[' if self.lower_inclusive else '('}{lo}, {hi}{']' if self.upper_inclusive else ')'}"

    def sort_key(self) -> tuple[int, Fraction, int]:
        if self.lower is None:
            return (0, Fraction(0), 0)
        return (1, self.lower, 0 if self.lower_inclusive else 1)


def parse_interval(text: Any, where: str) -> Interval:
    if not isinstance(text, str) or not (m := _INTERVAL.match(text)):
        raise SchemeError(f"{where}：区间应写成 \"[90, 95)\" 这样的形式（方括号含端点，圆括号不含），收到 {text!r}")
    open_, lo_text, hi_text, close = m.groups()
    lower = None if lo_text in _NEG_INF else to_fraction(lo_text, where, SchemeError)
    upper = None if hi_text in _POS_INF else to_fraction(hi_text, where, SchemeError)
    if (lower is None and open_ == "[") or (upper is None and close == "]"):
        raise SchemeError(f"{where}：无穷端点只能用圆括号，收到 {text!r}")
    if lower is not None and upper is not None and (lower > upper or (lower == upper and (open_, close) != ("[", "]"))):
        raise SchemeError(f"{where}：区间 {text} 为空")
    return Interval(lower, open_ == "[", upper, close == "]")


def first_overlap(intervals: Sequence[Interval]) -> tuple[Interval, Interval] | None:
    """Two intervals that share a point, or ``None``. Sorted by lower bound, neighbours suffice."""
    ordered = sorted(intervals, key=Interval.sort_key)
    for a, b in itertools.pairwise(ordered):
        if a.upper is None or b.lower is None:
            return (a, b)
        if a.upper > b.lower or (a.upper == b.lower and a.upper_inclusive and b.lower_inclusive):
            return (a, b)
    return None


# --- rules ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdRule:
    """Full points if ``value comparator threshold`` holds, else ``else_points`` (0 unless configured)."""

    comparator: str
    threshold: Fraction
    else_points: Fraction

    def met(self, value: Fraction) -> bool:
        t = self.threshold
        return {">=": value >= t, ">": value > t, "<=": value <= t, "<": value < t, "==": value == t}[self.comparator]


@dataclass(frozen=True)
class LinearRule:
    """Points scale linearly between ``floor`` and ``ceiling`` (clamped outside); ``better`` gives the direction."""

    floor: Fraction
    ceiling: Fraction
    better: Literal["higher", "lower"]

    def share(self, value: Fraction) -> Fraction:
        clamped = min(max(value, self.floor), self.ceiling)
        share = (clamped - self.floor) / (self.ceiling - self.floor)
        return share if self.better == "higher" else 1 - share


@dataclass(frozen=True)
class Band:
    interval: Interval
    points: Fraction


@dataclass(frozen=True)
class BandedRule:
    """Value bands to points; bands never overlap, a value in no band scores 0 with a reason."""

    bands: tuple[Band, ...]


@dataclass(frozen=True)
class ManualRule:
    """Points entered by an assessor within [0, item maximum]."""


@dataclass(frozen=True)
class BooleanRule:
    """Yes/no: full points when the answer equals ``full_when`` (usually 是), else 0."""

    full_when: bool


Rule = ThresholdRule | LinearRule | BandedRule | ManualRule | BooleanRule


def rule_type(rule: Rule) -> str:
    return {ThresholdRule: "threshold", LinearRule: "linear", BandedRule: "banded", ManualRule: "manual",
            BooleanRule: "boolean"}[type(rule)]


# --- scheme ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One node of the tree. ``max_points`` is the declared maximum (from ``points`` or from ``weight``)."""

    code: str
    name: str
    path: str
    max_points: Fraction
    children: tuple[Item, ...]
    rule: Rule | None
    missing: MissingPolicy
    indicator: str
    unit: str
    description: str

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Stage:
    code: str
    name: str


@dataclass(frozen=True)
class AdjustmentDef:
    """A 加分 (``bonus``) or 扣分 (``penalty``) item; ``per_unit`` lets an entry give a count instead of points."""

    code: str
    name: str
    kind: Literal["bonus", "penalty"]
    max_points: Fraction
    per_unit: Fraction | None
    description: str


@dataclass(frozen=True)
class VetoDef:
    """一票否决: if triggered the unit gets ``grade`` (or worse) whatever its score."""

    code: str
    name: str
    grade: str
    description: str


@dataclass(frozen=True)
class GradeBand:
    name: str
    interval: Interval


@dataclass(frozen=True)
class Consequence:
    """One line of the "三挂钩": what a grade is linked to (``link``, e.g. 经费分配) and the effect."""

    link: str
    effect: str


@dataclass(frozen=True)
class TieBreaker:
    by: str
    item: str = ""

    @property
    def label(self) -> str:
        return {"total": "总分", "base": "基础得分", "penalty": "扣分较少", "bonus": "加分较多",
                "grade": "等级"}.get(self.by, f"{self.item} 项得分")


@dataclass(frozen=True)
class Scheme:
    """A parsed, validated scheme. Build it with :func:`load_scheme` or :func:`parse_scheme`."""

    id: str
    name: str
    version: str
    year_from: int
    year_to: int | None
    max_score: Fraction
    items: tuple[Item, ...]
    stages: tuple[Stage, ...]
    adjustments: tuple[AdjustmentDef, ...]
    bonus_cap: Fraction | None
    penalty_cap: Fraction | None
    vetoes: tuple[VetoDef, ...]
    veto_grade: str
    grades: tuple[GradeBand, ...]
    consequences: Mapping[str, tuple[Consequence, ...]]
    tie_breakers: tuple[TieBreaker, ...]
    vetoed_last: bool
    total_min: Fraction | None
    total_max: Fraction | None
    display_places: int
    example: bool
    note: str
    sha256: str

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    def item(self, code: str) -> Item:
        for item in self.walk():
            if item.code == code:
                return item
        raise KeyError(code)

    def leaves(self) -> tuple[Item, ...]:
        return tuple(i for i in self.walk() if i.is_leaf)

    def adjustment(self, code: str) -> AdjustmentDef:
        for a in self.adjustments:
            if a.code == code:
                return a
        raise KeyError(code)

    def veto(self, code: str) -> VetoDef:
        for v in self.vetoes:
            if v.code == code:
                return v
        raise KeyError(code)

    def stage_index(self, code: str) -> int:
        for i, s in enumerate(self.stages):
            if s.code == code:
                return i
        raise KeyError(code)

    def grade_rank(self, name: str) -> int:
        """0 for the best grade; larger is worse (grades are listed best first)."""
        return [g.name for g in self.grades].index(name)

    def grade_for(self, score: Fraction) -> str:
        for g in self.grades:
            if g.interval.contains(score):
                return g.name
        raise AssertionError("grade bands cover every score")  # validated on load

    def valid_for(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


# --- parsing --------------------------------------------------------------------------------------------------

_ITEM_KEYS = {"code", "name", "points", "weight", "weights_total", "children", "rule", "missing", "indicator", "unit",
              "description", "note"}
_RULE_KEYS = {
    "threshold": {"type", "comparator", "value", "else_points"},
    "linear": {"type", "floor", "ceiling", "better"},
    "banded": {"type", "bands"},
    "manual": {"type"},
    "boolean": {"type", "full_when"},
}
_TOP_KEYS = {"id", "name", "version", "valid_years", "max_score", "weights_total", "items", "stages", "adjustments",
             "vetoes", "veto_grade", "grades", "consequences", "ranking", "total_bounds", "display_places",
             "example", "note", "description", "sources"}


@functools.cache  # shipped files: read once per process, not once per scheme parsed
def known_indicator_codes() -> frozenset[str]:
    """Indicator codes of the plan lexicon and of the shipped indicator catalogue files
    (``edugov/indicators/catalogue/catalogue_v*.json``, read as plain JSON); a leaf's ``indicator`` must be one of
    them (or empty)."""
    with LEXICON.open(encoding="utf-8", newline="") as fh:
        codes = {row["code"] for row in csv.DictReader(fh)}
    for path in sorted(CATALOGUE_DIR.glob("catalogue_v*.json")):
        with path.open(encoding="utf-8") as fh:
            raw = json.load(fh)
        codes.update(str(i["code"]) for i in raw.get("indicators", []) if isinstance(i, dict) and "code" in i)
    return frozenset(codes)


class _Parser:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.id = str(raw.get("id", "?"))
        self.codes: set[str] = set()
        self.indicators = known_indicator_codes()

    def fail(self, where: str, message: str) -> SchemeError:
        return SchemeError(f"评价方案 {self.id}：{where}：{message}")

    def num(self, value: Any, where: str) -> Fraction:
        try:
            return to_fraction(value, "", SchemeError)
        except SchemeError as exc:
            raise self.fail(where, str(exc).lstrip("：")) from None

    def positive(self, value: Any, where: str) -> Fraction:
        number = self.num(value, where)
        if number <= 0:
            raise self.fail(where, f"必须大于 0，收到 {value!r}")
        return number

    def interval(self, value: Any, where: str) -> Interval:
        try:
            return parse_interval(value, "")
        except SchemeError as exc:
            raise self.fail(where, str(exc).lstrip("：")) from None

    def require(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data:
            raise self.fail(where, f"缺少必填字段 {key!r}")
        return data[key]

    def no_unknown_keys(self, data: Any, allowed: set[str], where: str) -> None:
        if not isinstance(data, Mapping):
            raise self.fail(where, f"必须是 JSON 对象，收到 {data!r}")
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(where, f"未知字段 {'、'.join(unknown)}（可用：{'、'.join(sorted(allowed))}）")

    def new_code(self, code: Any, where: str) -> str:
        if not isinstance(code, str) or not code.strip():
            raise self.fail(where, "代码（code）必须是非空字符串")
        if code in self.codes:
            raise self.fail(where, f"代码 {code} 重复")
        self.codes.add(code)
        return code

    # items ---------------------------------------------------------------------------------------------------

    def children_max(self, entries: Sequence[Any], parent_max: Fraction, weights_total: Any, where: str,
                     parent_path: str) -> list[Fraction]:
        """Declared maxima of sibling items: all by ``points`` (sum = parent) or all by ``weight`` (sum = total)."""
        if not isinstance(entries, list) or not entries:
            raise self.fail(where, "子项（children / items）必须是非空列表")
        for e in entries:
            if not isinstance(e, dict):
                raise self.fail(where, f"子项必须是对象，收到 {e!r}")
        labels = [f"{parent_path} > {e.get('code', '?')}" if parent_path else str(e.get("code", "?"))
                  for e in entries]
        kinds = set()
        for e, label in zip(entries, labels, strict=True):
            has_points, has_weight = "points" in e, "weight" in e
            if has_points == has_weight:
                raise self.fail(f"项目 {label}", "须且只须给出 points（分值）或 weight（权重）之一")
            kinds.add("points" if has_points else "weight")
        if len(kinds) > 1:
            raise self.fail(where, "同一层的子项不能混用 points 和 weight")
        if kinds == {"points"}:
            values = [self.positive(e["points"], f"项目 {label}.points") for e, label in zip(entries, labels,
                                                                                            strict=True)]
            if sum(values) != parent_max:
                raise self.fail(where, f"子项分值合计 {readable(sum(values, Fraction(0)))} 不等于本项分值 "
                                       f"{readable(parent_max)}")
            return values
        total = self.positive(weights_total if weights_total is not None else 100, f"{where}.weights_total")
        weights = [self.positive(e["weight"], f"项目 {label}.weight") for e, label in zip(entries, labels,
                                                                                          strict=True)]
        if sum(weights) != total:
            raise self.fail(where, f"子项权重合计 {readable(sum(weights, Fraction(0)))} 不等于声明的合计 "
                                   f"{readable(total)}")
        return [parent_max * w / total for w in weights]

    def item(self, data: Mapping[str, Any], max_points: Fraction, parent_path: str) -> Item:
        code = data.get("code", "?")
        path = f"{parent_path} > {code}" if parent_path else str(code)
        where = f"项目 {path}" + (f"（{data['name']}）" if isinstance(data.get("name"), str) else "")
        self.no_unknown_keys(data, _ITEM_KEYS, where)
        code = self.new_code(data.get("code"), where)
        name = self.require(data, "name", where)
        missing = data.get("missing", "zero")
        if missing not in MISSING_POLICIES:
            raise self.fail(where, "missing 只能是 zero（记 0 分）或 exclude（不计入，同级重新分配），"
                                   f"收到 {missing!r}")
        indicator = data.get("indicator", "")
        if indicator and indicator not in self.indicators:
            raise self.fail(where, f"指标代码 {indicator!r} 不在指标词表（edugov/plans/lexicon/indicators.csv）"
                                   "或指标目录中")
        children: tuple[Item, ...] = ()
        rule: Rule | None = None
        if "children" in data:
            if "rule" in data:
                raise self.fail(where, "有子项的项目不能再设评分规则（rule）")
            maxima = self.children_max(data["children"], max_points, data.get("weights_total"), where, path)
            children = tuple(self.item(c, m, path) for c, m in zip(data["children"], maxima, strict=True))
        else:
            rule = self.rule(self.require(data, "rule", where), max_points, where)
        return Item(code=code, name=str(name), path=path, max_points=max_points, children=children, rule=rule,
                    missing=missing, indicator=str(indicator), unit=str(data.get("unit", "")),
                    description=str(data.get("description", "")))

    def points_within(self, value: Any, max_points: Fraction, where: str) -> Fraction:
        points = self.num(value, where)
        if not 0 <= points <= max_points:
            raise self.fail(where, f"分值 {readable(points)} 超出本项范围 [0, {readable(max_points)}]")
        return points

    def rule(self, data: Any, max_points: Fraction, where: str) -> Rule:
        if not isinstance(data, dict):
            raise self.fail(where, "评分规则（rule）必须是对象")
        kind = data.get("type")
        if kind not in RULE_TYPES:
            raise self.fail(where, f"未知的评分规则 {kind!r}（可用：{'、'.join(RULE_TYPES)}）")
        self.no_unknown_keys(data, _RULE_KEYS[kind], f"{where} 的评分规则")
        if kind == "threshold":
            comparator = self.require(data, "comparator", where)
            if comparator not in COMPARATORS:
                raise self.fail(where, f"比较符 {comparator!r} 无效（可用：{' '.join(COMPARATORS)}）")
            return ThresholdRule(comparator, self.num(self.require(data, "value", where), f"{where}.value"),
                                 self.points_within(data.get("else_points", 0), max_points, f"{where}.else_points"))
        if kind == "linear":
            floor = self.num(self.require(data, "floor", where), f"{where}.floor")
            ceiling = self.num(self.require(data, "ceiling", where), f"{where}.ceiling")
            if floor >= ceiling:
                raise self.fail(where, f"线性计分的下限 {readable(floor)} 必须小于上限 {readable(ceiling)}")
            better = self.require(data, "better", where)
            if better not in ("higher", "lower"):
                raise self.fail(where, f"better 只能是 higher（越高越好）或 lower（越低越好），收到 {better!r}")
            return LinearRule(floor, ceiling, better)
        if kind == "banded":
            raw_bands = self.require(data, "bands", where)
            if not isinstance(raw_bands, list) or not raw_bands:
                raise self.fail(where, "分档（bands）必须是非空列表")
            bands = []
            for i, b in enumerate(raw_bands, 1):
                bw = f"{where} 第 {i} 档"
                if not isinstance(b, dict):
                    raise self.fail(bw, "分档必须是对象")
                self.no_unknown_keys(b, {"range", "points", "label"}, bw)
                bands.append(Band(self.interval(self.require(b, "range", bw), bw),
                                  self.points_within(self.require(b, "points", bw), max_points, f"{bw}.points")))
            if (pair := first_overlap([b.interval for b in bands])) is not None:
                raise self.fail(where, f"分档 {pair[0].text()} 与 {pair[1].text()} 重叠")
            return BandedRule(tuple(bands))
        if kind == "manual":
            return ManualRule()
        full_when = data.get("full_when", True)
        if not isinstance(full_when, bool):
            raise self.fail(where, "full_when 必须是 true 或 false")
        return BooleanRule(full_when)

    # scheme --------------------------------------------------------------------------------------------------

    def years(self) -> tuple[int, int | None]:
        raw = self.require(self.raw, "valid_years", "valid_years")
        if not isinstance(raw, dict) or not isinstance(raw.get("from"), int):
            raise self.fail("valid_years", "应写成 {\"from\": 2025, \"to\": 2025}（to 可为 null 表示持续有效）")
        to = raw.get("to")
        if to is not None and (not isinstance(to, int) or to < raw["from"]):
            raise self.fail("valid_years", f"结束年份 {to!r} 无效")
        return raw["from"], to

    def stages(self) -> tuple[Stage, ...]:
        raw = self.require(self.raw, "stages", "stages")
        if not isinstance(raw, list) or not raw:
            raise self.fail("stages", "评价阶段必须是非空列表，按先后顺序（如 自评 → 复评 → 抽查）")
        stages: list[Stage] = []
        for s in raw:
            if not isinstance(s, dict) or "code" not in s or "name" not in s:
                raise self.fail("stages", f"每个阶段须有 code 和 name，收到 {s!r}")
            if any(x.code == s["code"] for x in stages):
                raise self.fail("stages", f"阶段代码 {s['code']} 重复")
            stages.append(Stage(str(s["code"]), str(s["name"])))
        return tuple(stages)

    def adjustments(self) -> tuple[tuple[AdjustmentDef, ...], Fraction | None, Fraction | None]:
        raw = self.raw.get("adjustments", {})
        self.no_unknown_keys(raw, set(ADJUSTMENT_KINDS), "adjustments")
        out: list[AdjustmentDef] = []
        caps: dict[str, Fraction | None] = {"bonus": None, "penalty": None}
        kind: Literal["bonus", "penalty"]
        for kind in ("bonus", "penalty"):
            group = raw.get(kind)
            if group is None:
                continue
            label = "加分" if kind == "bonus" else "扣分"
            where = f"{label}（adjustments.{kind}）"
            self.no_unknown_keys(group, {"cap", "items"}, where)
            if group.get("cap") is not None:
                caps[kind] = self.positive(group["cap"], f"{where}.cap")
            for entry in self.require(group, "items", where):
                ew = f"{label}项 {entry.get('code', '?') if isinstance(entry, Mapping) else '?'}"
                self.no_unknown_keys(entry, {"code", "name", "max", "per_unit", "description"}, ew)
                code = self.new_code(entry.get("code"), ew)
                per_unit = entry.get("per_unit")
                out.append(AdjustmentDef(
                    code=code, name=str(self.require(entry, "name", ew)), kind=kind,
                    max_points=self.positive(self.require(entry, "max", ew), f"{ew}.max"),
                    per_unit=None if per_unit is None else self.positive(per_unit, f"{ew}.per_unit"),
                    description=str(entry.get("description", ""))))
        return tuple(out), caps["bonus"], caps["penalty"]

    def grades(self) -> tuple[GradeBand, ...]:
        raw = self.require(self.raw, "grades", "grades")
        if not isinstance(raw, list) or not raw:
            raise self.fail("grades", "等级（grades）必须是非空列表，由高到低排列")
        grades: list[GradeBand] = []
        for g in raw:
            where = f"等级 {g.get('name', '?')}" if isinstance(g, dict) else "grades"
            if not isinstance(g, dict) or "name" not in g:
                raise self.fail(where, "每个等级须有 name 和 range")
            if any(x.name == g["name"] for x in grades):
                raise self.fail(where, "等级名称重复")
            grades.append(GradeBand(str(g["name"]), self.interval(self.require(g, "range", where), where)))
        if (pair := first_overlap([g.interval for g in grades])) is not None:
            raise self.fail("grades", f"等级区间 {pair[0].text()} 与 {pair[1].text()} 重叠")
        ordered = sorted(grades, key=lambda g: g.interval.sort_key(), reverse=True)
        if [g.name for g in ordered] != [g.name for g in grades]:
            raise self.fail("grades", "等级须由高到低排列")
        low, high = ordered[-1].interval, ordered[0].interval
        gaps = [(a, b) for a, b in zip(ordered[1:], ordered, strict=False)
                if a.interval.upper != b.interval.lower
                or a.interval.upper_inclusive == b.interval.lower_inclusive]
        if low.lower is not None or high.upper is not None or gaps:
            raise self.fail("grades", "等级区间必须首尾相接、覆盖全部分数（最低档写 (-inf, …)，最高档写 […, +inf)）")
        return tuple(grades)

    def parse(self) -> Scheme:
        raw = self.raw
        self.no_unknown_keys(raw, _TOP_KEYS, "方案")
        for key in ("id", "name", "version"):
            if not isinstance(self.require(raw, key, "方案"), str):
                raise self.fail(key, "必须是字符串")
        year_from, year_to = self.years()
        max_score = self.positive(self.require(raw, "max_score", "方案"), "max_score")
        raw_items = self.require(raw, "items", "方案")
        maxima = self.children_max(raw_items, max_score, raw.get("weights_total"), "一级项目（items）", "")
        items = tuple(self.item(i, m, "") for i, m in zip(raw_items, maxima, strict=True))
        stages = self.stages()
        adjustments, bonus_cap, penalty_cap = self.adjustments()
        grades = self.grades()
        names = [g.name for g in grades]
        veto_grade = raw.get("veto_grade", names[-1])
        if veto_grade not in names:
            raise self.fail("veto_grade", f"否决等级 {veto_grade!r} 不是已定义的等级")
        vetoes = []
        for v in raw.get("vetoes", []):
            where = f"一票否决项 {v.get('code', '?') if isinstance(v, Mapping) else '?'}"
            self.no_unknown_keys(v, {"code", "name", "grade", "description"}, where)
            code = self.new_code(v.get("code"), where)
            grade = v.get("grade", veto_grade)
            if grade not in names:
                raise self.fail(where, f"等级 {grade!r} 不是已定义的等级")
            vetoes.append(VetoDef(code, str(self.require(v, "name", where)), grade, str(v.get("description", ""))))
        consequences: dict[str, tuple[Consequence, ...]] = {}
        for grade, lines in raw.get("consequences", {}).items():
            if grade not in names:
                raise self.fail("consequences", f"等级 {grade!r} 不是已定义的等级")
            for c in lines:
                self.no_unknown_keys(c, {"link", "effect"}, f"consequences.{grade}")
            consequences[grade] = tuple(Consequence(str(self.require(c, "link", f"consequences.{grade}")),
                                                    str(self.require(c, "effect", f"consequences.{grade}")))
                                        for c in lines)
        ranking = raw.get("ranking", {})
        self.no_unknown_keys(ranking, {"tie_breakers", "vetoed_last"}, "ranking")
        tie_breakers = []
        for t in ranking.get("tie_breakers", [{"by": "total"}]):
            self.no_unknown_keys(t, {"by", "item"}, "ranking")
            if t.get("by") not in TIE_BREAKERS:
                raise self.fail("ranking", f"未知的排名依据 {t.get('by')!r}（可用：{'、'.join(TIE_BREAKERS)}）")
            if t["by"] == "item" and t.get("item") not in self.codes_of_items(items):
                raise self.fail("ranking", f"排名依据引用的项目 {t.get('item')!r} 不存在")
            tie_breakers.append(TieBreaker(t["by"], str(t.get("item", ""))))
        bounds = raw.get("total_bounds", {"min": "0"})
        places = raw.get("display_places", 2)
        if not isinstance(places, int) or isinstance(places, bool) or places < 0:
            raise self.fail("display_places", "必须是非负整数")
        return Scheme(
            id=raw["id"], name=raw["name"], version=raw["version"], year_from=year_from, year_to=year_to,
            max_score=max_score, items=items, stages=stages, adjustments=adjustments, bonus_cap=bonus_cap,
            penalty_cap=penalty_cap, vetoes=tuple(vetoes), veto_grade=veto_grade, grades=grades,
            consequences=consequences, tie_breakers=tuple(tie_breakers),
            vetoed_last=bool(ranking.get("vetoed_last", True)),
            total_min=None if bounds.get("min") is None else self.num(bounds["min"], "total_bounds.min"),
            total_max=None if bounds.get("max") is None else self.num(bounds["max"], "total_bounds.max"),
            display_places=places, example=bool(raw.get("example", False)), note=str(raw.get("note", "")),
            sha256=sha256_of(raw))

    @staticmethod
    def codes_of_items(items: Sequence[Item]) -> set[str]:
        return {i.code for top in items for i in top.walk()}


def parse_scheme(raw: Mapping[str, Any]) -> Scheme:
    """Validate and parse a scheme dict (as read from JSON); raises :class:`SchemeError` in Chinese."""
    if not isinstance(raw, Mapping):
        raise SchemeError("评价方案必须是 JSON 对象")
    return _Parser(raw).parse()


def read_scheme_file(path: str | Path) -> Scheme:
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as fh:
            raw = json.load(fh)
    except json.JSONDecodeError as exc:
        raise SchemeError(f"评价方案文件 {path.name} 不是有效的 JSON：第 {exc.lineno} 行 {exc.msg}") from None
    return parse_scheme(raw)


@dataclass(frozen=True)
class SchemeRef:
    id: str
    version: str
    year_from: int
    year_to: int | None
    path: Path


def list_schemes(directory: str | Path | None = None) -> list[SchemeRef]:
    """Every scheme file in the directory (default: ``edugov/evaluation/schemes/``), each parsed and validated,
    ordered by id, first valid year and version."""
    refs: list[SchemeRef] = []
    for path in sorted(Path(directory or SCHEMES_DIR).glob("*.json")):
        s = read_scheme_file(path)
        for other in refs:
            if (other.id, other.version) == (s.id, s.version):
                raise SchemeError(f"评价方案 {s.id} 版本 {s.version} 同时出现在 {other.path.name} 和 {path.name}")
        refs.append(SchemeRef(s.id, s.version, s.year_from, s.year_to, path))
    return sorted(refs, key=lambda r: (r.id, r.year_from, r.version))


def load_scheme(scheme_id: str, version: str | None = None, year: int | None = None, *,
                directory: str | Path | None = None) -> Scheme:
    """Find a scheme by id and version, or by the year evaluated, among the files side by side in ``directory``.

    With a ``year``, the version valid that year with the latest ``valid_years.from`` wins (a newer version
    supersedes an open-ended older one). With neither, the version with the latest ``from`` is returned.
    """
    refs = [r for r in list_schemes(directory) if r.id == scheme_id]
    if not refs:
        raise SchemeError(f"找不到评价方案 {scheme_id}")
    if version is not None:
        refs = [r for r in refs if r.version == version]
        if not refs:
            raise SchemeError(f"评价方案 {scheme_id} 没有版本 {version}")
    if year is not None:
        refs = [r for r in refs if r.year_from <= year and (r.year_to is None or year <= r.year_to)]
        if not refs:
            raise SchemeError(f"评价方案 {scheme_id}{'' if version is None else ' 版本 ' + version} 不适用于 {year} 年")
    latest = max(r.year_from for r in refs)
    candidates = [r for r in refs if r.year_from == latest]
    if len(candidates) > 1:
        raise SchemeError(f"评价方案 {scheme_id} 有多个版本同时适用（{'、'.join(r.version for r in candidates)}），"
                          "请指定版本")
    return read_scheme_file(candidates[0].path)
