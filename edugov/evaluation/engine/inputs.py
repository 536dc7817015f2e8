"""Inputs of one unit (a county or a school) for one evaluation: what each stage provided, with evidence.

Each stage (自评, 复评, 抽查, as named in the scheme) gives item inputs, 加分/扣分 entries and 一票否决 verdicts.
Numbers may be strings, integers, ``Decimal`` or ``Fraction``; floats are refused. Evidence is a tuple of
references (attachment ids or file names); the engine only carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from edugov.evaluation.engine.exact import Exact, exact_str, to_fraction
from edugov.evaluation.engine.scheme import sha256_of


class InputError(ValueError):
    """The inputs do not fit the scheme (unknown item, stage or code, a float, points out of range)."""


@dataclass(frozen=True)
class ItemInput:
    """One stage's entry for a leaf item: ``value`` for measured rules (a bool for ``boolean``), ``points`` for
    ``manual``. An entry with neither carries only evidence and does not override an earlier stage."""

    value: Exact | bool | None = None
    points: Exact | None = None
    evidence: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class AdjustmentInput:
    """A 加分 or 扣分 entry: ``points`` (a magnitude ≥ 0), or ``count`` when the item defines ``per_unit``."""

    code: str
    points: Exact | None = None
    count: int | None = None
    reason: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class VetoInput:
    """A stage's verdict on a 一票否决 item; a later stage's ``triggered=False`` clears an earlier finding."""

    code: str
    triggered: bool
    reason: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageInput:
    stage: str
    items: Mapping[str, ItemInput] = field(default_factory=dict)
    adjustments: tuple[AdjustmentInput, ...] = ()
    vetoes: tuple[VetoInput, ...] = ()


@dataclass(frozen=True)
class UnitInputs:
    """Everything one unit was evaluated on. ``year`` (if given) must be within the scheme's valid years."""

    unit_id: str
    stages: tuple[StageInput, ...]
    unit_name: str = ""
    year: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UnitInputs:
        """Build from plain JSON-like data (the shape :func:`canonical_inputs` returns)."""
        stages = []
        for s in data.get("stages", []):
            items = {code: ItemInput(value=e.get("value"), points=e.get("points"),
                                     evidence=tuple(e.get("evidence", ())), note=str(e.get("note", "")))
                     for code, e in s.get("items", {}).items()}
            adjustments = tuple(AdjustmentInput(code=a["code"], points=a.get("points"), count=a.get("count"),
                                                reason=str(a.get("reason", "")),
                                                evidence=tuple(a.get("evidence", ())))
                                for a in s.get("adjustments", []))
            vetoes = tuple(VetoInput(code=v["code"], triggered=bool(v["triggered"]), reason=str(v.get("reason", "")),
                                     evidence=tuple(v.get("evidence", ())))
                           for v in s.get("vetoes", []))
            stages.append(StageInput(stage=s["stage"], items=items, adjustments=adjustments, vetoes=vetoes))
        return cls(unit_id=str(data["unit_id"]), unit_name=str(data.get("unit_name", "")), year=data.get("year"),
                   stages=tuple(stages))


def _number(value: Exact | bool | None, where: str) -> str | bool | None:
    if value is None or isinstance(value, bool):
        return value
    return exact_str(to_fraction(value, where, InputError))


def canonical_inputs(inputs: UnitInputs) -> dict[str, Any]:
    """JSON-able form with exact numbers as canonical strings (``"85.50"`` and ``Decimal("85.5")`` agree) and
    stages and items sorted, so equal inputs hash equally whatever order they were built in."""
    stages = []
    for s in sorted(inputs.stages, key=lambda s: s.stage):
        where = f"阶段 {s.stage}"
        stages.append({
            "stage": s.stage,
            "items": {code: {"value": _number(e.value, f"{where} 项目 {code}"),
                             "points": _number(e.points, f"{where} 项目 {code}"),
                             "evidence": list(e.evidence), "note": e.note}
                      for code, e in sorted(s.items.items())},
            "adjustments": [{"code": a.code, "points": _number(a.points, f"{where} {a.code}"), "count": a.count,
                             "reason": a.reason, "evidence": list(a.evidence)} for a in s.adjustments],
            "vetoes": [{"code": v.code, "triggered": v.triggered, "reason": v.reason, "evidence": list(v.evidence)}
                       for v in s.vetoes],
        })
    return {"unit_id": inputs.unit_id, "unit_name": inputs.unit_name, "year": inputs.year, "stages": stages}


def inputs_sha256(inputs: UnitInputs) -> str:
    return sha256_of(canonical_inputs(inputs))
