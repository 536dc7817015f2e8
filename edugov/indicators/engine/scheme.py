"""Loading an assessment scheme (thresholds, rules, split ratios) from versioned JSON, with jurisdiction overrides.

Provinces and cities routinely tighten national thresholds, so every number lives in a scheme file under
``edugov/indicators/schemes/`` and an override file (province, city) is deep-merged on top when loading. Numbers
are written as strings in the files and parsed to :class:`fractions.Fraction`, so ``"4.2"`` is exactly 21/5 and
never the float 4.2000000000000002.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from edugov.indicators.engine.inputs import Section

SCHEMES_DIR = Path(__file__).resolve().parent.parent / "schemes"

# Keys an override may add although the base lacks them: they describe the override itself.
_OVERRIDE_META_KEYS = frozenset({"extends", "jurisdiction", "version", "note"})


class SchemeError(ValueError):
    """A scheme or override file is malformed, or an override names something the base scheme lacks."""


@dataclass(frozen=True)
class GapSpec:
    """How a shortfall is expressed: the thing to add, its measure word and the smallest addable step."""

    label: str
    measure: str
    step: Fraction


@dataclass(frozen=True)
class IndicatorDef:
    """One resource-allocation indicator: value = numerator × per_pupils ÷ pupils, compared to a threshold."""

    code: str
    number: int
    name: str
    unit: str
    numerator_fields: tuple[str, ...]
    uses_qualification_rule: bool
    per_pupils: int
    thresholds: Mapping[Section, Fraction]
    gap: GapSpec
    display_places: int
    status: str


@dataclass(frozen=True)
class Exclusion:
    """A class of schools left out of the assessment, matched on school type code and optionally enrolment."""

    code: str
    reason: str
    school_type_codes: frozenset[str]
    school_type_prefixes: tuple[str, ...]
    below_pupils: int | None

    def matches(self, school_type_code: str, pupils: int) -> bool:
        by_type = school_type_code in self.school_type_codes or school_type_code.startswith(self.school_type_prefixes)
        if not by_type:
            return False
        return self.below_pupils is None or pupils < self.below_pupils


@dataclass(frozen=True)
class QualificationRule:
    """Which teacher education bands count as 'above the statutory qualification', from a date on."""

    effective_from: dt.date
    bands: Mapping[Section, tuple[str, ...]]


@dataclass(frozen=True)
class UnitCost:
    amount: Fraction
    per: str


@dataclass(frozen=True)
class Scheme:
    """A fully merged, parsed assessment scheme. Build it with :func:`load_scheme`."""

    id: str
    version: str
    jurisdiction: str
    indicators: tuple[IndicatorDef, ...]
    min_indicators_met: int
    remaining_rule_enabled: bool
    remaining_rule_share: Fraction
    cv_limits: Mapping[Section, Fraction]
    exclusions: tuple[Exclusion, ...]
    split_weights: Mapping[str, Mapping[Section, Fraction]]
    qualification_rules: tuple[QualificationRule, ...]
    unit_costs: Mapping[str, UnitCost]
    unit_costs_are_examples: bool

    def indicator(self, code: str) -> IndicatorDef:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def qualification_bands(self, section: Section, as_of: dt.date) -> tuple[str, ...]:
        """Education bands counted for indicator 1 in ``section`` on ``as_of`` (the latest rule in force)."""
        in_force = [r for r in self.qualification_rules if r.effective_from <= as_of]
        if not in_force:
            raise SchemeError(f"no qualification rule in force on {as_of}")
        return max(in_force, key=lambda r: r.effective_from).bands[section]


def merge(base: Mapping[str, Any], override: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """Deep-merge ``override`` into a copy of ``base``. Dicts merge key by key; anything else is replaced.

    An override key that the base does not have is an error, because a misspelt threshold would otherwise be
    silently ignored and the national value used instead.
    """
    result = copy.deepcopy(dict(base))
    for key, value in override.items():
        where = f"{path}.{key}" if path else key
        if key not in result:
            if not path and key in _OVERRIDE_META_KEYS:
                result[key] = value
                continue
            raise SchemeError(f"override key {where!r} does not exist in the base scheme")
        if isinstance(value, Mapping) and isinstance(result[key], Mapping):
            result[key] = merge(result[key], value, where)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _read(name_or_path: str | Path) -> dict[str, Any]:
    path = Path(name_or_path)
    if not path.suffix:
        path = SCHEMES_DIR / f"{name_or_path}.json"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _num(value: Any, where: str) -> Fraction:
    # Floats are refused: a JSON 4.2 would already have lost exactness before we could see it.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SchemeError(f"{where}: numbers must be strings or integers, got {value!r}")
    try:
        return Fraction(value)
    except ValueError as exc:
        raise SchemeError(f"{where}: not a number: {value!r}") from exc


def _positive(value: Any, where: str) -> Fraction:
    # Thresholds, limits, weights and steps are divided by or multiplied into shares; zero would be meaningless.
    number = _num(value, where)
    if number <= 0:
        raise SchemeError(f"{where}: must be positive, got {value!r}")
    return number


def _sections(raw: Mapping[str, Any], where: str) -> dict[Section, Fraction]:
    return {Section(k): _positive(v, f"{where}.{k}") for k, v in raw.items()}


def parse_scheme(raw: Mapping[str, Any]) -> Scheme:
    """Turn a merged scheme dict into a :class:`Scheme`, validating as it goes."""
    indicators = []
    for code, d in raw["indicators"].items():
        numerator = d["numerator"]
        indicators.append(IndicatorDef(
            code=code, number=int(d["number"]), name=d["name"], unit=d["unit"],
            numerator_fields=tuple(numerator.get("fields", ())),
            uses_qualification_rule=bool(numerator.get("qualification_rule", False)),
            per_pupils=int(d["per_pupils"]),
            thresholds=_sections(d["thresholds"], f"indicators.{code}.thresholds"),
            gap=GapSpec(d["gap"]["label"], d["gap"]["measure"],
                        _positive(d["gap"]["step"], f"indicators.{code}.gap.step")),
            display_places=int(d["display_places"]), status=d["status"],
        ))
    indicators.sort(key=lambda i: i.number)
    remaining = raw["remaining_indicator_rule"]
    cv = raw["cv_limits"]
    costs = raw.get("unit_costs", {})
    return Scheme(
        id=raw["id"], version=raw["version"], jurisdiction=raw["jurisdiction"],
        indicators=tuple(indicators),
        min_indicators_met=int(raw["school_rule"]["min_indicators_met"]),
        remaining_rule_enabled=bool(remaining["enabled"]),
        remaining_rule_share=_num(remaining["min_share_of_threshold"], "remaining_indicator_rule"),
        cv_limits={s: _positive(cv[s.value], f"cv_limits.{s.value}") for s in (Section.PRIMARY, Section.JUNIOR)},
        exclusions=tuple(
            Exclusion(code=e["code"], reason=e["reason"], school_type_codes=frozenset(e["school_type_codes"]),
                      school_type_prefixes=tuple(e["school_type_prefixes"]), below_pupils=e["below_pupils"])
            for e in raw["exclusions"]
        ),
        split_weights={
            type_code: _sections(r["weights"], f"combined_school_split.ratios.{type_code}")
            for type_code, r in raw["combined_school_split"]["ratios"].items()
        },
        qualification_rules=tuple(
            QualificationRule(effective_from=dt.date.fromisoformat(q["effective_from"]),
                              bands={Section.PRIMARY: tuple(q["primary"]), Section.JUNIOR: tuple(q["junior"])})
            for q in raw["qualification_rules"]
        ),
        unit_costs={code: UnitCost(_num(c["amount"], f"unit_costs.{code}"), c["per"])
                    for code, c in costs.get("costs", {}).items()},
        unit_costs_are_examples=bool(costs.get("example_values", True)),
    )


def load_scheme(name: str = "youzhi_junheng_2017",
                overrides: Sequence[str | Path | Mapping[str, Any]] = ()) -> Scheme:
    """Load a base scheme by name (or path) and apply overrides in order: national, then province, then city.

    Each override is a file name in the schemes directory, a path, or an already-parsed dict.
    """
    raw = _read(name)
    for override in overrides:
        data = override if isinstance(override, Mapping) else _read(override)
        extends = data.get("extends")
        if extends is not None and extends != raw["id"]:
            raise SchemeError(f"override extends {extends!r}, but the base scheme is {raw['id']!r}")
        raw = merge(raw, data)
    return parse_scheme(raw)
