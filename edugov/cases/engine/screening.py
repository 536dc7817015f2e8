"""Risk levels from mental-health screening scores, by cut-offs declared as data (`edugov/cases/config/
screening_cutoffs.json`, versioned). Pure: no Django.

The shipped cut-offs follow the instruments' published scoring (PHQ-9, GAD-7) or common practice in Chinese schools
(SCL-90, MHT); every scale is marked UNCERTAIN because the local protocol (区县心理中心 / 卫健部门) decides which
score calls for a case. Edit the file, bump `version`, and new results are graded under the new version."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any

CUTOFFS_FILE = Path(__file__).resolve().parent.parent / "config" / "screening_cutoffs.json"

# Risk levels in increasing order; a scale uses a subset of them.
LEVELS: dict[str, str] = {
    "none": "无风险",
    "mild": "轻度",
    "moderate": "中度",
    "moderately_severe": "中重度",
    "severe": "重度",
}


class CutoffError(ValueError):
    """A cut-off file that cannot be used; `problems` lists every reason, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass(frozen=True)
class Band:
    level: str
    low: Decimal  # inclusive


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    minimum: Decimal
    maximum: Decimal
    bands: tuple[Band, ...]  # ascending by `low`; the first starts at `minimum`
    status: str = "UNCERTAIN"
    note: str = ""

    def level_of(self, score: Decimal) -> str:
        """The risk level of a score within the scale's range (the highest band whose lower bound it reaches)."""
        if score < self.minimum or score > self.maximum:
            raise ValueError(f"{self.name}得分应在 {self.minimum}–{self.maximum} 之间，实际为 {score}")
        level = self.bands[0].level
        for band in self.bands:
            if score >= band.low:
                level = band.level
        return level


@dataclass(frozen=True)
class Cutoffs:
    version: int
    open_case_at: str
    scales: Mapping[str, Scale]

    def scale(self, code: str) -> Scale | None:
        wanted = normalise_scale(code)
        return next((s for key, s in self.scales.items() if normalise_scale(key) == wanted), None)

    def opens_case(self, level: str) -> bool:
        return rank(level) >= rank(self.open_case_at)


def rank(level: str) -> int:
    return list(LEVELS).index(level)


def normalise_scale(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _decimal(value: Any, what: str, problems: list[str]) -> Decimal:
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{what}应为数字，实际为“{value}”")
        return Decimal(0)


def parse_cutoffs(raw: Any) -> Cutoffs:
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise CutoffError(["筛查分界值定义应为 JSON 对象"])
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append("筛查分界值缺少版本号（version，正整数）")
        version = 0
    open_at = raw.get("open_case_at")
    if open_at not in LEVELS:
        problems.append(f"立案等级（open_case_at）“{open_at}”无效：只能是 {'、'.join(LEVELS)}")
        open_at = "severe"
    scales: dict[str, Scale] = {}
    raw_scales = raw.get("scales")
    if not isinstance(raw_scales, dict) or not raw_scales:
        problems.append("筛查分界值缺少量表（scales）")
        raw_scales = {}
    for code, spec in raw_scales.items():
        where = f"量表“{code}”"
        if not isinstance(spec, dict):
            problems.append(f"{where}应为对象")
            continue
        minimum = _decimal(spec.get("min"), f"{where}的最低分（min）", problems)
        maximum = _decimal(spec.get("max"), f"{where}的最高分（max）", problems)
        bands: list[Band] = []
        raw_bands = spec.get("bands")
        if not isinstance(raw_bands, list) or not raw_bands:
            problems.append(f"{where}缺少分段（bands）")
            raw_bands = []
        for item in raw_bands:
            if not isinstance(item, dict) or item.get("level") not in LEVELS:
                problems.append(f"{where}的分段应写明等级（level：{'、'.join(LEVELS)}）和起始分（from）")
                continue
            bands.append(Band(level=str(item["level"]), low=_decimal(item.get("from"), f"{where}的分段起始分",
                                                                       problems)))
        if bands:
            if bands[0].low != minimum:
                problems.append(f"{where}的第一个分段应从最低分 {minimum} 开始")
            if any(b.low >= c.low for b, c in pairwise(bands)):
                problems.append(f"{where}的分段起始分应严格递增")
            if any(rank(b.level) >= rank(c.level) for b, c in pairwise(bands)):
                problems.append(f"{where}的分段等级应由低到高")
            if bands[-1].low > maximum:
                problems.append(f"{where}的分段起始分超过最高分")
        scales[str(code)] = Scale(code=str(code), name=str(spec.get("name") or code), minimum=minimum,
                                  maximum=maximum, bands=tuple(bands), status=str(spec.get("status", "UNCERTAIN")),
                                  note=str(spec.get("note", "")))
    if problems:
        raise CutoffError(problems)
    return Cutoffs(version=version, open_case_at=str(open_at), scales=scales)


def load_cutoffs(path: Path | None = None) -> Cutoffs:
    return parse_cutoffs(json.loads((path or CUTOFFS_FILE).read_text(encoding="utf-8")))
