"""Scoring one unit against a scheme: item tree, stages, 加分/扣分 with caps, 一票否决, grade and "三挂钩".

All arithmetic is exact. The effective input of an item is the one from the latest stage (in the scheme's stage
order) that provided it, so a city spot check overrides a county re-evaluation, which overrides the self-evaluation.
The same rule applies per 加分/扣分 code and per veto. The result keeps what every stage said, the totals as they
stood after each stage, and the discrepancies between stages, which bureaus publish.

Missing data: a leaf without input scores 0 with the reason ``缺少数据`` and is listed in ``missing``, unless the
item says ``missing: "exclude"``. An excluded item is removed and the maxima of its remaining siblings are scaled
up in proportion so that the parent keeps its maximum (``max_i × parent_max ÷ Σ remaining max``); points a rule
gives on the declared maximum are scaled by the same factor. A parent whose children are all excluded has no data
itself and follows its own ``missing`` policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from edugov.evaluation.engine.exact import exact_str, readable, to_fraction
from edugov.evaluation.engine.inputs import InputError, ItemInput, UnitInputs, inputs_sha256
from edugov.evaluation.engine.scheme import (
    AdjustmentDef,
    BandedRule,
    BooleanRule,
    Consequence,
    Item,
    LinearRule,
    ManualRule,
    Scheme,
    ThresholdRule,
    rule_type,
)

MISSING = "缺少数据"
EXCLUDED = "缺少数据，按方案不计入，同级项目按比例补足分值"


@dataclass(frozen=True)
class StageValue:
    """What one stage said about an item (or adjustment, or veto) and the points that alone would give."""

    stage: str
    stage_name: str
    value: Fraction | bool | None
    points: Fraction | None
    reason: str
    evidence: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class ItemResult:
    """One node of the scored tree. ``max_points`` is after renormalisation; ``declared_max`` is the scheme's."""

    code: str
    name: str
    path: str
    rule: str
    indicator: str
    declared_max: Fraction
    max_points: Fraction
    points: Fraction
    reason: str
    stage: str
    evidence: tuple[str, ...]
    missing: bool
    excluded: bool
    stages: tuple[StageValue, ...]
    children: tuple[ItemResult, ...]

    def walk(self) -> Sequence[ItemResult]:
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


@dataclass(frozen=True)
class AdjustmentEntry:
    points: Fraction
    count: int | None
    reason: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class AdjustmentResult:
    """One 加分/扣分 item as applied: ``claimed`` is the sum of the effective stage's entries, ``points`` is after
    the per-item cap. ``points`` is a magnitude; penalties are subtracted from the total."""

    code: str
    name: str
    kind: str
    max_points: Fraction
    stage: str
    entries: tuple[AdjustmentEntry, ...]
    claimed: Fraction
    points: Fraction
    capped: bool
    reason: str


@dataclass(frozen=True)
class VetoResult:
    code: str
    name: str
    grade: str
    stage: str
    reason: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class StageTotal:
    """The result as it stood after a stage (that stage and all earlier ones): e.g. 自评得分 vs 复评得分."""

    stage: str
    stage_name: str
    base: Fraction
    bonus: Fraction
    penalty: Fraction
    total: Fraction
    grade: str
    vetoed: bool


@dataclass(frozen=True)
class Discrepancy:
    """An item, adjustment or veto on which stages disagree; ``change`` is last − first stage points."""

    kind: str
    code: str
    name: str
    by_stage: tuple[StageValue, ...]

    @property
    def change(self) -> Fraction | None:
        first, last = self.by_stage[0].points, self.by_stage[-1].points
        return None if first is None or last is None else last - first


@dataclass(frozen=True)
class UnitResult:
    unit_id: str
    unit_name: str
    year: int | None
    scheme_id: str
    scheme_version: str
    scheme_sha256: str
    inputs_sha256: str
    max_score: Fraction
    items: tuple[ItemResult, ...]
    base: Fraction
    adjustments: tuple[AdjustmentResult, ...]
    bonus_claimed: Fraction
    bonus: Fraction
    bonus_capped: bool
    penalty_claimed: Fraction
    penalty: Fraction
    penalty_capped: bool
    total: Fraction
    grade_by_score: str
    vetoes: tuple[VetoResult, ...]
    grade: str
    consequences: tuple[Consequence, ...]
    missing: tuple[str, ...]
    excluded: tuple[str, ...]
    stage_totals: tuple[StageTotal, ...]
    discrepancies: tuple[Discrepancy, ...]

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    @property
    def incomplete(self) -> bool:
        """Some item scored 0 only because its data was missing."""
        return bool(self.missing)

    def item(self, code: str) -> ItemResult:
        for top in self.items:
            for r in top.walk():
                if r.code == code:
                    return r
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form with exact numbers as canonical strings, for storing and publishing."""
        result = _plain(self)
        assert isinstance(result, dict)
        result["vetoed"] = self.vetoed
        return result


def _plain(value: Any) -> Any:
    if isinstance(value, Fraction):
        return exact_str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Discrepancy):
            out["change"] = _plain(value.change)
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


# --- input checking -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    value: Fraction | bool | None
    points: Fraction | None
    evidence: tuple[str, ...]
    note: str

    @property
    def provided(self) -> bool:
        return self.value is not None or self.points is not None


@dataclass(frozen=True)
class _Parsed:
    """Inputs checked against the scheme, indexed by stage position in the scheme's order."""

    items: tuple[Mapping[str, _Entry], ...]
    adjustments: tuple[Mapping[str, tuple[AdjustmentEntry, ...]], ...]
    vetoes: tuple[Mapping[str, tuple[bool, str, tuple[str, ...]]], ...]
    present: tuple[int, ...]


def _parse_item(item: Item, entry: ItemInput, where: str) -> _Entry:
    rule = item.rule
    if isinstance(rule, ManualRule):
        if entry.value is not None:
            raise InputError(f"{where}：人工评分项请填写 points（得分），不是 value")
        points = None if entry.points is None else to_fraction(entry.points, where, InputError)
        if points is not None and not 0 <= points <= item.max_points:
            raise InputError(f"{where}：人工评分 {readable(points)} 超出 [0, {readable(item.max_points)}]")
        return _Entry(None, points, entry.evidence, entry.note)
    if entry.points is not None:
        raise InputError(f"{where}：本项按规则计分，请填写 value（数值），不能直接给分")
    if isinstance(rule, BooleanRule):
        if entry.value is not None and not isinstance(entry.value, bool):
            raise InputError(f"{where}：是/否项的 value 必须是 true 或 false，收到 {entry.value!r}")
        return _Entry(entry.value, None, entry.evidence, entry.note)
    value = None if entry.value is None else to_fraction(entry.value, where, InputError)
    return _Entry(value, None, entry.evidence, entry.note)


def _parse_adjustment(adj: AdjustmentDef, points: object, count: int | None, where: str) -> Fraction:
    if (points is None) == (count is None):
        raise InputError(f"{where}：须且只须填写 points（分值）或 count（次数）之一")
    if count is not None:
        if adj.per_unit is None:
            raise InputError(f"{where}：本项未定义每次分值（per_unit），请直接填写 points")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InputError(f"{where}：次数必须是非负整数，收到 {count!r}")
        return adj.per_unit * count
    value = to_fraction(points, where, InputError)
    if value < 0:
        raise InputError(f"{where}：分值填写正数（扣分项也填扣除的分数），收到 {readable(value)}")
    return value


def _parse(scheme: Scheme, inputs: UnitInputs) -> _Parsed:
    n = len(scheme.stages)
    items: list[dict[str, _Entry]] = [{} for _ in range(n)]
    adjustments: list[dict[str, list[AdjustmentEntry]]] = [{} for _ in range(n)]
    vetoes: list[dict[str, tuple[bool, str, tuple[str, ...]]]] = [{} for _ in range(n)]
    present = []
    leaves = {i.code: i for i in scheme.leaves()}
    parents = {i.code for i in scheme.walk() if not i.is_leaf}
    for s in inputs.stages:
        try:
            idx = scheme.stage_index(s.stage)
        except KeyError:
            names = "、".join(f"{st.code}（{st.name}）" for st in scheme.stages)
            raise InputError(f"单位 {inputs.unit_id}：未知的评价阶段 {s.stage!r}（可用：{names}）") from None
        if idx in present:
            raise InputError(f"单位 {inputs.unit_id}：评价阶段 {s.stage} 重复")
        present.append(idx)
        stage_name = scheme.stages[idx].name
        for code, entry in s.items.items():
            where = f"单位 {inputs.unit_id} {stage_name} 项目 {code}"
            if code in parents:
                raise InputError(f"{where}：有子项的项目由子项汇总，不能直接录入")
            if code not in leaves:
                raise InputError(f"{where}：方案中没有这个项目")
            items[idx][code] = _parse_item(leaves[code], entry, where)
        for a in s.adjustments:
            where = f"单位 {inputs.unit_id} {stage_name} 加减分项 {a.code}"
            try:
                adj = scheme.adjustment(a.code)
            except KeyError:
                raise InputError(f"{where}：方案中没有这个加分/扣分项") from None
            points = _parse_adjustment(adj, a.points, a.count, where)
            adjustments[idx].setdefault(a.code, []).append(AdjustmentEntry(points, a.count, a.reason, a.evidence))
        for v in s.vetoes:
            where = f"单位 {inputs.unit_id} {stage_name} 一票否决项 {v.code}"
            try:
                scheme.veto(v.code)
            except KeyError:
                raise InputError(f"{where}：方案中没有这个一票否决项") from None
            if v.code in vetoes[idx]:
                raise InputError(f"{where}：同一阶段重复填写")
            vetoes[idx][v.code] = (v.triggered, v.reason, v.evidence)
    return _Parsed(items=tuple(items), adjustments=tuple({k: tuple(v) for k, v in a.items()} for a in adjustments),
                   vetoes=tuple(vetoes), present=tuple(sorted(present)))


# --- scoring --------------------------------------------------------------------------------------------------

def _rule_points(item: Item, entry: _Entry, unit: str) -> tuple[Fraction, str]:
    """Points on the item's declared maximum, and why."""
    rule, full = item.rule, item.max_points
    value = entry.value
    if isinstance(rule, ManualRule):
        assert entry.points is not None
        return entry.points, "人工评分"
    if isinstance(rule, BooleanRule):
        answer = "是" if value else "否"
        return (full, f"{answer}，得满分") if value == rule.full_when else (Fraction(0), f"{answer}，不得分")
    assert isinstance(value, Fraction)
    shown = f"{readable(value)}{unit}"
    if isinstance(rule, ThresholdRule):
        cond = f"{rule.comparator} {readable(rule.threshold)}{unit}"
        if rule.met(value):
            return full, f"{shown} 满足 {cond}，得满分"
        return rule.else_points, f"{shown} 未满足 {cond}"
    if isinstance(rule, LinearRule):
        span = f"{readable(rule.floor)}～{readable(rule.ceiling)}{unit}"
        direction = "越高越好" if rule.better == "higher" else "越低越好"
        return full * rule.share(value), f"{shown}，在 {span} 间按比例计分（{direction}）"
    assert isinstance(rule, BandedRule)
    for band in rule.bands:
        if band.interval.contains(value):
            return band.points, f"{shown} 落在分档 {band.interval.text()}"
    return Fraction(0), f"{shown} 不在任何分档内"


class _Scorer:
    def __init__(self, scheme: Scheme, parsed: _Parsed, upto: int) -> None:
        self.scheme, self.parsed, self.upto = scheme, parsed, upto

    def entries(self, code: str) -> list[tuple[int, _Entry]]:
        return [(i, self.parsed.items[i][code]) for i in range(self.upto) if code in self.parsed.items[i]]

    def effective(self, code: str) -> tuple[int, _Entry] | None:
        provided = [(i, e) for i, e in self.entries(code) if e.provided]
        return provided[-1] if provided else None

    def excluded(self, item: Item) -> bool:
        if item.missing != "exclude":
            return False
        if item.is_leaf:
            return self.effective(item.code) is None
        return all(self.excluded(c) for c in item.children)

    def leaf(self, item: Item, max_points: Fraction) -> ItemResult:
        scale = max_points / item.max_points
        stages = []
        for i, e in self.entries(item.code):
            points, reason = _rule_points(item, e, item.unit) if e.provided else (None, "未提供数据")
            stages.append(StageValue(self.scheme.stages[i].code, self.scheme.stages[i].name, e.value if
                                     e.points is None else e.points, None if points is None else points * scale,
                                     reason, e.evidence, e.note))
        missing = ItemResult(code=item.code, name=item.name, path=item.path,
                             rule=rule_type(item.rule) if item.rule else "", indicator=item.indicator,
                             declared_max=item.max_points, max_points=max_points, points=Fraction(0), reason=MISSING,
                             stage="", evidence=(), missing=True, excluded=False, stages=tuple(stages), children=())
        found = self.effective(item.code)
        if found is None:
            return missing
        i, entry = found
        points, reason = _rule_points(item, entry, item.unit)
        return dataclasses.replace(missing, points=points * scale, reason=reason, stage=self.scheme.stages[i].code,
                                   evidence=entry.evidence, missing=False)

    def excluded_result(self, item: Item) -> ItemResult:
        return ItemResult(code=item.code, name=item.name, path=item.path,
                          rule=rule_type(item.rule) if item.rule else "", indicator=item.indicator,
                          declared_max=item.max_points, max_points=Fraction(0), points=Fraction(0), reason=EXCLUDED,
                          stage="", evidence=(), missing=False, excluded=True, stages=(),
                          children=tuple(self.excluded_result(c) for c in item.children))

    def level(self, items: Sequence[Item], max_points: Fraction) -> tuple[ItemResult, ...] | None:
        """Score siblings sharing ``max_points``; ``None`` if every one of them is excluded."""
        live = [c for c in items if not self.excluded(c)]
        if not live:
            return None
        live_total = sum((c.max_points for c in live), Fraction(0))
        return tuple(self.node(c, c.max_points * max_points / live_total) if c in live else self.excluded_result(c)
                     for c in items)

    def node(self, item: Item, max_points: Fraction) -> ItemResult:
        if item.is_leaf:
            return self.leaf(item, max_points)
        children = self.level(item.children, max_points)
        missing = children is None
        children = children or tuple(self.excluded_result(c) for c in item.children)
        return ItemResult(code=item.code, name=item.name, path=item.path, rule="", indicator=item.indicator,
                          declared_max=item.max_points, max_points=max_points,
                          points=sum((c.points for c in children), Fraction(0)),
                          reason=MISSING if missing else "", stage="", evidence=(), missing=missing, excluded=False,
                          stages=(), children=children)

    def adjustments(self) -> tuple[AdjustmentResult, ...]:
        out = []
        for adj in self.scheme.adjustments:
            stages = [i for i in range(self.upto) if adj.code in self.parsed.adjustments[i]]
            if not stages:
                continue
            entries = self.parsed.adjustments[stages[-1]][adj.code]
            claimed = sum((e.points for e in entries), Fraction(0))
            capped = claimed > adj.max_points
            label = "加分" if adj.kind == "bonus" else "扣分"
            out.append(AdjustmentResult(
                code=adj.code, name=adj.name, kind=adj.kind, max_points=adj.max_points,
                stage=self.scheme.stages[stages[-1]].code, entries=entries, claimed=claimed,
                points=min(claimed, adj.max_points), capped=capped,
                reason=f"{label} {readable(claimed)} 超过单项上限 {readable(adj.max_points)}，按 "
                       f"{readable(adj.max_points)} 计" if capped else ""))
        return tuple(out)

    def vetoes(self) -> tuple[VetoResult, ...]:
        out = []
        for veto in self.scheme.vetoes:
            stages = [i for i in range(self.upto) if veto.code in self.parsed.vetoes[i]]
            if not stages:
                continue
            triggered, reason, evidence = self.parsed.vetoes[stages[-1]][veto.code]
            if triggered:
                out.append(VetoResult(veto.code, veto.name, veto.grade, self.scheme.stages[stages[-1]].code,
                                      reason, evidence))
        return tuple(out)

    def run(self) -> _Scored:
        scheme = self.scheme
        items = self.level(scheme.items, scheme.max_score)
        if items is None:
            items = tuple(self.excluded_result(i) for i in scheme.items)
        base = sum((i.points for i in items), Fraction(0))
        adjustments = self.adjustments()
        sums = {}
        for kind, cap in (("bonus", scheme.bonus_cap), ("penalty", scheme.penalty_cap)):
            claimed = sum((a.points for a in adjustments if a.kind == kind), Fraction(0))
            sums[kind] = (claimed, claimed if cap is None else min(claimed, cap), cap is not None and claimed > cap)
        total = base + sums["bonus"][1] - sums["penalty"][1]
        if scheme.total_min is not None:
            total = max(total, scheme.total_min)
        if scheme.total_max is not None:
            total = min(total, scheme.total_max)
        by_score = scheme.grade_for(total)
        vetoes = self.vetoes()
        grade = max([by_score, *(v.grade for v in vetoes)], key=scheme.grade_rank)
        return _Scored(items, base, adjustments, sums["bonus"], sums["penalty"], total, by_score, vetoes, grade)


@dataclass(frozen=True)
class _Scored:
    items: tuple[ItemResult, ...]
    base: Fraction
    adjustments: tuple[AdjustmentResult, ...]
    bonus: tuple[Fraction, Fraction, bool]
    penalty: tuple[Fraction, Fraction, bool]
    total: Fraction
    grade_by_score: str
    vetoes: tuple[VetoResult, ...]
    grade: str


def _discrepancies(scheme: Scheme, parsed: _Parsed, final: _Scored) -> tuple[Discrepancy, ...]:
    out = []
    for top in final.items:
        for r in top.walk():
            given = tuple(s for s in r.stages if s.points is not None)
            if len(given) > 1 and len({(s.value, s.points) for s in given}) > 1:
                out.append(Discrepancy("item", r.code, r.name, given))
    for adj in scheme.adjustments:
        by_stage = []
        for i, stage in enumerate(scheme.stages):
            entries = parsed.adjustments[i].get(adj.code)
            if entries is not None:
                claimed = sum((e.points for e in entries), Fraction(0))
                by_stage.append(StageValue(stage.code, stage.name, None, min(claimed, adj.max_points),
                                           "；".join(e.reason for e in entries if e.reason),
                                           tuple(x for e in entries for x in e.evidence)))
        if len({s.points for s in by_stage}) > 1:
            out.append(Discrepancy(adj.kind, adj.code, adj.name, tuple(by_stage)))
    for veto in scheme.vetoes:
        verdicts = [StageValue(stage.code, stage.name, found[0], None, found[1], found[2])
                    for i, stage in enumerate(scheme.stages) if (found := parsed.vetoes[i].get(veto.code))]
        if len({s.value for s in verdicts}) > 1:
            out.append(Discrepancy("veto", veto.code, veto.name, tuple(verdicts)))
    return tuple(out)


def evaluate(scheme: Scheme, inputs: UnitInputs) -> UnitResult:
    """Score one unit; deterministic in (scheme, inputs). Raises :class:`InputError` if the inputs do not fit."""
    if inputs.year is not None and not scheme.valid_for(inputs.year):
        raise InputError(f"单位 {inputs.unit_id}：评价方案 {scheme.id} 版本 {scheme.version} 不适用于 {inputs.year} 年")
    parsed = _parse(scheme, inputs)
    final = _Scorer(scheme, parsed, len(scheme.stages)).run()
    stage_totals = []
    for idx in parsed.present:
        s = _Scorer(scheme, parsed, idx + 1).run()
        stage_totals.append(StageTotal(scheme.stages[idx].code, scheme.stages[idx].name, s.base, s.bonus[1],
                                       s.penalty[1], s.total, s.grade, bool(s.vetoes)))
    every = [r for top in final.items for r in top.walk()]
    return UnitResult(
        unit_id=inputs.unit_id, unit_name=inputs.unit_name, year=inputs.year, scheme_id=scheme.id,
        scheme_version=scheme.version, scheme_sha256=scheme.sha256, inputs_sha256=inputs_sha256(inputs),
        max_score=scheme.max_score, items=final.items, base=final.base, adjustments=final.adjustments,
        bonus_claimed=final.bonus[0], bonus=final.bonus[1], bonus_capped=final.bonus[2],
        penalty_claimed=final.penalty[0], penalty=final.penalty[1], penalty_capped=final.penalty[2],
        total=final.total, grade_by_score=final.grade_by_score, vetoes=final.vetoes, grade=final.grade,
        consequences=scheme.consequences.get(final.grade, ()),
        missing=tuple(r.code for r in every if r.missing), excluded=tuple(r.code for r in every if r.excluded),
        stage_totals=tuple(stage_totals), discrepancies=_discrepancies(scheme, parsed, final),
    )
