"""School-level and county-level assessment of the 7 resource-allocation indicators.

Values are exact fractions (9 teachers for 1,000 pupils is exactly 9/10 per 100 pupils) and are compared with
thresholds unrounded; :func:`display` rounds only for showing. A section with no pupils or a missing input gets
``value=None`` and a reason instead of 0, because 0 would read as "failed badly" rather than "cannot say".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

from edugov.indicators.engine.cv import WeightedCV, weighted_cv_of_ratios
from edugov.indicators.engine.inputs import ASSET_FIELDS, COMPULSORY_SECTIONS, STAFF_FIELDS, SchoolSection, Section
from edugov.indicators.engine.scheme import IndicatorDef, Scheme

NO_PUPILS = "在校生数为0，无法计算"


def display(value: Fraction | Decimal, places: int) -> Decimal:
    """Round half up for display only; never feed the result back into a comparison."""
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class IndicatorResult(NamedTuple):
    """One indicator of one school section: value = ``numerator`` (the raw total: people, m², yuan, rooms) ×
    ``per_pupils`` ÷ ``pupils``; no value (``met`` None, with a reason) when there are no pupils or an input is
    missing. Build it with :func:`indicator_value`, which judges it.

    A named tuple whose value is built only when asked for: a city has tens of thousands of these, and the verdict
    compares integer cross-products, which is exact and spares each a fraction reduction.
    """

    code: str
    threshold: Fraction
    numerator: Fraction | None
    pupils: int = 0
    per_pupils: int = 1
    reason: str = ""
    met: bool | None = None

    @property
    def value(self) -> Fraction | None:
        if self.numerator is None or self.pupils <= 0:
            return None
        return Fraction(self.numerator.numerator * self.per_pupils, self.numerator.denominator * self.pupils)

    @property
    def share_of_threshold(self) -> Fraction | None:
        return None if self.value is None else self.value / self.threshold


@dataclass(frozen=True)
class SchoolResult:
    """All 7 indicators of one school section and whether the section passes the school-level rule."""

    section: SchoolSection
    indicators: tuple[IndicatorResult, ...]
    excluded_reason: str = ""
    #: the 85% rule was applied (it is switchable in the scheme because its wording is unconfirmed)
    remaining_rule_applied: bool = False
    remaining_share: Fraction = Fraction(0)
    min_met: int = 0

    @property
    def excluded(self) -> bool:
        return bool(self.excluded_reason)

    @property
    def has_data(self) -> bool:
        return self.section.pupils > 0

    @property
    def count_met(self) -> int:
        return sum(1 for r in self.indicators if r.met)

    @property
    def unmet(self) -> tuple[IndicatorResult, ...]:
        return tuple(r for r in self.indicators if not r.met)

    @property
    def remaining_rule_ok(self) -> bool:
        """Every unmet indicator reaches the configured share (85%) of its threshold; missing data never does."""
        return all(r.value is not None and r.value >= self.remaining_share * r.threshold for r in self.unmet)

    @property
    def passes(self) -> bool | None:
        """``None`` when the section is excluded or has no pupils: there is nothing to judge."""
        if self.excluded or not self.has_data:
            return None
        if self.count_met < self.min_met:
            return False
        return self.remaining_rule_ok if self.remaining_rule_applied else True

    def result(self, code: str) -> IndicatorResult:
        for r in self.indicators:
            if r.code == code:
                return r
        raise KeyError(code)


def exclusion_reason(section: SchoolSection, scheme: Scheme) -> str:
    for rule in scheme.exclusions:
        if rule.matches(section.school_type_code, section.pupils):
            return rule.reason
    return ""


def numerator_fields(ind: IndicatorDef, section: Section, scheme: Scheme, as_of: dt.date) -> tuple[str, ...]:
    """The input fields summed into an indicator's numerator for a section on a date."""
    return scheme.qualification_bands(section, as_of) if ind.uses_qualification_rule else ind.numerator_fields


def numerator(section: SchoolSection, ind: IndicatorDef, scheme: Scheme, as_of: dt.date,
              fields: tuple[str, ...] | None = None) -> Fraction | None:
    """The raw total of an indicator for a section, or ``None`` if any part of it was not reported. ``fields``:
    :func:`numerator_fields`, when the caller has them already."""
    if fields is None:
        fields = numerator_fields(ind, section.section, scheme, as_of)
    ratio = _numerator_ratio(section, fields)
    return None if ratio is None else Fraction(*ratio)


Ratio = tuple[int, int]


def _numerator_ratio(section: SchoolSection, fields: Sequence[str]) -> Ratio | None:
    """The sum of the fields as an unreduced (numerator, denominator) pair; ``None`` if any is unreported.

    Integers rather than a Fraction per part: a city has tens of thousands of these sums, and what uses them (the
    verdict's cross-product, the CV's common-denominator sums) never needs them reduced.
    """
    staff, assets = section.staff, section.assets
    num, den = 0, 1
    for name in fields:
        if name in STAFF_FIELDS:
            value = getattr(staff, name)
        elif name in ASSET_FIELDS:
            value = getattr(assets, name)
        else:
            raise KeyError(f"unknown input field {name!r}")
        if value is None:
            return None
        if isinstance(value, int):
            a, b = value, 1
        elif isinstance(value, Fraction):
            a, b = value.numerator, value.denominator
        else:
            a, b = value.as_integer_ratio()
        if b == den:
            num += a
        else:
            num, den = num * b + a * den, den * b
    return num, den


def indicator_value(section: SchoolSection, ind: IndicatorDef, scheme: Scheme, as_of: dt.date,
                    fields: tuple[str, ...] | None = None) -> IndicatorResult:
    if section.pupils <= 0:
        return judged(section, ind, None)
    return judged(section, ind, numerator(section, ind, scheme, as_of, fields))


def judged(section: SchoolSection, ind: IndicatorDef, num: Fraction | Ratio | None) -> IndicatorResult:
    """The indicator's result for the section from its numerator (``None``: not reported)."""
    if isinstance(num, tuple):
        num = Fraction(*num)
    threshold = ind.thresholds[section.section]
    if section.pupils <= 0:
        return IndicatorResult(ind.code, threshold, None, reason=NO_PUPILS)
    if num is None:
        return IndicatorResult(ind.code, threshold, None, reason=f"{ind.name}：数据未填报")
    # value ≥ threshold ⟺ n × per × t_d ≥ t_n × d × pupils, for numerator n/d and threshold t_n/t_d
    n, d = num.numerator, num.denominator
    met = n * ind.per_pupils * threshold.denominator >= threshold.numerator * d * section.pupils
    return IndicatorResult(ind.code, threshold, num, section.pupils, ind.per_pupils, met=met)


def assess_school(section: SchoolSection, scheme: Scheme, as_of: dt.date,
                  fields: Sequence[tuple[str, ...]] | None = None) -> SchoolResult:
    """Compute every indicator of one section and apply the ≥ N of 7 rule (and the 85% rule if enabled).

    ``as_of`` picks the qualification rule in force (the start of the school year being assessed). ``fields``: the
    :func:`numerator_fields` of every indicator for the section, when assessing many sections.
    """
    if section.section not in COMPULSORY_SECTIONS:
        raise ValueError(f"only compulsory sections are assessed, got {section.section}")
    if fields is None:
        fields = [numerator_fields(ind, section.section, scheme, as_of) for ind in scheme.indicators]
    return _school_result(section, _numerators(section, scheme, fields), scheme)


def _numerators(section: SchoolSection, scheme: Scheme, fields: Sequence[tuple[str, ...]]) -> tuple[Ratio | None, ...]:
    """Every indicator's numerator of the section, in scheme order (all ``None`` without pupils)."""
    if section.pupils <= 0:
        return (None,) * len(scheme.indicators)
    return tuple(_numerator_ratio(section, f) for f in fields)


def _school_result(section: SchoolSection, numerators: Sequence[Ratio | None], scheme: Scheme) -> SchoolResult:
    return SchoolResult(
        section=section,
        indicators=tuple(judged(section, ind, num) for ind, num in zip(scheme.indicators, numerators, strict=True)),
        excluded_reason=exclusion_reason(section, scheme),
        remaining_rule_applied=scheme.remaining_rule_enabled,
        remaining_share=scheme.remaining_rule_share,
        min_met=scheme.min_indicators_met,
    )


@dataclass(frozen=True)
class IndicatorCV:
    """One indicator's student-weighted CV across a county's schools of one section."""

    code: str
    limit: Fraction
    cv: WeightedCV | None
    reason: str = ""

    @property
    def value(self) -> Decimal | None:
        return None if self.cv is None else self.cv.cv

    @property
    def passes(self) -> bool | None:
        return None if self.cv is None else self.cv.within(self.limit)


@dataclass(frozen=True)
class CountyResult:
    """One county and section: the schools that entered, each indicator's CV, and the share of passing schools.

    The school verdicts (``schools``) are built from the numerators the CVs were computed from, on first use: a
    city's CVs alone do not need thousands of judged sections.
    """

    county_id: str
    section: Section
    sections: tuple[SchoolSection, ...]
    numerators: tuple[tuple[Ratio | None, ...], ...]  # per section, per indicator in scheme order
    cvs: tuple[IndicatorCV, ...]
    scheme: Scheme = field(repr=False, compare=False)

    @cached_property
    def schools(self) -> tuple[SchoolResult, ...]:
        return tuple(_school_result(s, nums, self.scheme)
                     for s, nums in zip(self.sections, self.numerators, strict=True))

    @property
    def assessed(self) -> tuple[SchoolResult, ...]:
        return tuple(s for s in self.schools if s.passes is not None)

    @property
    def schools_passing_share(self) -> Fraction | None:
        assessed = self.assessed
        return Fraction(sum(1 for s in assessed if s.passes), len(assessed)) if assessed else None

    @property
    def cvs_pass(self) -> bool | None:
        verdicts = [c.passes for c in self.cvs]
        return None if None in verdicts else all(verdicts)

    def cv(self, code: str) -> IndicatorCV:
        for c in self.cvs:
            if c.code == code:
                return c
        raise KeyError(code)


def county_cv(entering: Sequence[tuple[SchoolSection, Ratio | None]], ind: IndicatorDef,
              limit: Fraction) -> IndicatorCV:
    """CV of one indicator over the assessed sections (each with its numerator of the indicator as a (numerator,
    denominator) pair); ``None`` with a reason if any of them lacks the input."""
    missing = [s.name or s.school_id for s, num in entering if num is None]
    if missing:
        return IndicatorCV(ind.code, limit, None, "缺少数据的学校：" + "、".join(missing))
    cv = weighted_cv_of_ratios([(s.pupils, *num) for s, num in entering if num is not None])
    return IndicatorCV(ind.code, limit, cv, "" if cv is not None else "无学生或均值为0，无法计算")


def assess_county(sections: Iterable[SchoolSection], scheme: Scheme, as_of: dt.date) -> list[CountyResult]:
    """Group the sections by county and section and compute each indicator's CV over the assessed schools (not
    excluded, with pupils); the school verdicts follow on demand (:attr:`CountyResult.schools`).

    Pass only primary and junior sections (senior parts are not assessed and raise ``ValueError``).
    """
    groups: dict[tuple[str, Section], list[SchoolSection]] = {}
    for s in sections:
        if s.section not in COMPULSORY_SECTIONS:
            raise ValueError(f"only compulsory sections are assessed, got {s.section}")
        groups.setdefault((s.county_id, s.section), []).append(s)
    fields = {section: [numerator_fields(ind, section, scheme, as_of) for ind in scheme.indicators]
              for section in {section for _, section in groups}}
    out = []
    for (county_id, section), members in sorted(groups.items()):
        numerators = [_numerators(s, scheme, fields[section]) for s in members]
        entering = [(s, nums) for s, nums in zip(members, numerators, strict=True)
                    if s.pupils > 0 and not exclusion_reason(s, scheme)]
        out.append(CountyResult(
            county_id=county_id, section=section, sections=tuple(members), numerators=tuple(numerators),
            cvs=tuple(county_cv([(s, nums[i]) for s, nums in entering], ind, scheme.cv_limits[section])
                      for i, ind in enumerate(scheme.indicators)),
            scheme=scheme,
        ))
    return out
