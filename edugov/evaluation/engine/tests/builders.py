"""A tiny hand-computable scheme and input helpers for the tests.

Tree (max 100): X (40) = X1 threshold ≥ 85 → 10 (else 4) + X2 linear 80..95 → 15 + X3 banded → 15;
Y (30) = Y1 manual 20 + Y2 yes/no 10; Z (30) = Z1 linear 0..10 lower is better → 20 + Z2 threshold ≤ 5 → 10
(missing: exclude). Full marks: X1 90, X2 95, X3 90, Y1 20, Y2 是, Z1 0, Z2 5.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from edugov.evaluation.engine import (
    AdjustmentInput,
    ItemInput,
    Scheme,
    StageInput,
    UnitInputs,
    VetoInput,
    parse_scheme,
)

TINY: dict[str, Any] = {
    "id": "tiny",
    "name": "测试方案",
    "version": "1",
    "valid_years": {"from": 2025, "to": 2025},
    "max_score": "100",
    "stages": [{"code": "self", "name": "自评"}, {"code": "county", "name": "区县复评"},
               {"code": "city", "name": "市级抽查"}],
    "items": [
        {"code": "X", "name": "甲", "points": "40", "children": [
            {"code": "X1", "name": "甲一", "points": "10", "unit": "%",
             "rule": {"type": "threshold", "comparator": ">=", "value": "85", "else_points": "4"}},
            {"code": "X2", "name": "甲二", "points": "15",
             "rule": {"type": "linear", "floor": "80", "ceiling": "95", "better": "higher"}},
            {"code": "X3", "name": "甲三", "points": "15", "rule": {"type": "banded", "bands": [
                {"range": "[90, +inf)", "points": "15"},
                {"range": "[80, 90)", "points": "10"},
                {"range": "(60, 80)", "points": "5"},
            ]}},
        ]},
        {"code": "Y", "name": "乙", "points": "30", "children": [
            {"code": "Y1", "name": "乙一", "points": "20", "rule": {"type": "manual"}},
            {"code": "Y2", "name": "乙二", "points": "10", "rule": {"type": "boolean"}},
        ]},
        {"code": "Z", "name": "丙", "points": "30", "children": [
            {"code": "Z1", "name": "丙一", "points": "20",
             "rule": {"type": "linear", "floor": "0", "ceiling": "10", "better": "lower"}},
            {"code": "Z2", "name": "丙二", "points": "10", "missing": "exclude",
             "rule": {"type": "threshold", "comparator": "<=", "value": "5"}},
        ]},
    ],
    "adjustments": {
        "bonus": {"cap": "5", "items": [
            {"code": "B1", "name": "获表彰", "max": "3"},
            {"code": "B2", "name": "经验推广", "per_unit": "2", "max": "4"},
        ]},
        "penalty": {"cap": "6", "items": [
            {"code": "P1", "name": "一般安全事故", "per_unit": "1", "max": "4"},
            {"code": "P2", "name": "数据不实", "max": "5"},
        ]},
    },
    "vetoes": [{"code": "V1", "name": "发生重大安全责任事故"}],
    "veto_grade": "不合格",
    "grades": [
        {"name": "优秀", "range": "[90, +inf)"},
        {"name": "良好", "range": "[80, 90)"},
        {"name": "合格", "range": "[60, 80)"},
        {"name": "不合格", "range": "(-inf, 60)"},
    ],
    "consequences": {
        "优秀": [{"link": "评优评先", "effect": "优先推荐"}],
        "不合格": [{"link": "经费分配", "effect": "暂缓奖补"}, {"link": "干部考核", "effect": "约谈"}],
    },
    "ranking": {"tie_breakers": [{"by": "total"}, {"by": "item", "item": "Y1"}, {"by": "penalty"}]},
}

FULL_MARKS: dict[str, Any] = {"X1": "90", "X2": "95", "X3": "90", "Y1": "20", "Y2": True, "Z1": "0", "Z2": "5"}
MANUAL = {"Y1"}


def tiny_raw(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(TINY)
    raw.update(changes)
    return raw


def tiny(**changes: Any) -> Scheme:
    return parse_scheme(tiny_raw(**changes))


def entries(values: Mapping[str, Any], evidence: tuple[str, ...] = ()) -> dict[str, ItemInput]:
    return {code: ItemInput(points=v, evidence=evidence) if code in MANUAL else ItemInput(value=v, evidence=evidence)
            for code, v in values.items()}


def stage(code: str, values: Mapping[str, Any] | None = None, *, adjustments: tuple[AdjustmentInput, ...] = (),
          vetoes: tuple[VetoInput, ...] = (), evidence: tuple[str, ...] = ()) -> StageInput:
    return StageInput(stage=code, items=entries(values or {}, evidence), adjustments=adjustments, vetoes=vetoes)


def unit(unit_id: str, values: Mapping[str, Any] | None = None, *stages: StageInput,
         adjustments: tuple[AdjustmentInput, ...] = (), vetoes: tuple[VetoInput, ...] = (),
         year: int | None = 2025) -> UnitInputs:
    """One unit with a self-evaluation of ``values`` (if given) plus any further stages."""
    first = () if values is None else (stage("self", values, adjustments=adjustments, vetoes=vetoes),)
    return UnitInputs(unit_id=unit_id, unit_name=f"单位{unit_id}", year=year, stages=(*first, *stages))


def with_values(**values: Any) -> dict[str, Any]:
    return {**FULL_MARKS, **values}


def without(*codes: str) -> dict[str, Any]:
    return {k: v for k, v in FULL_MARKS.items() if k not in codes}
