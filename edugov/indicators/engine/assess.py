"""School-level and county-level assessment of the 7 resource-allocation indicators.

Values are exact fractions (9 teachers for 1,000 pupils is exactly 9/10 per 100 pupils) and are compared with
thresholds unrounded; :func:`display` rounds only for showing. A section with no pupils or a missing input gets
``value=None`` and a reason instead of 0, because 0 would read as "failed badly" rather than "cannot say".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

from edugov.indicators.engine.cv import WeightedCV, weighted_cv
from edugov.indicators.engine.inputs import COMPULSORY_SECTIONS, SchoolSection, Section
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
    # summed as one integer ratio: a Fraction per part costs a gcd per part, for thousands of sections
    num, den = 0, 1
    for name in fields:
        value = section.field_value(name)
        if value is None:
            return None
        a, b = _ratio(value)
        if b == den:
            num += a
        else:
            num, den = num * b + a * den, den * b
    return Fraction(num) if den == 1 else Fraction(num, den)


def _ratio(value: int | Decimal | Fraction) -> tuple[int, int]:
    """(numerator, denominator) of a reported number without building a Fraction for each part."""
    if isinstance(value, int):
        return value, 1
    if isinstance(value, Fraction):
        return value.numerator, value.denominator
    return value.as_integer_ratio()


def indicator_value(section: SchoolSection, ind: IndicatorDef, scheme: Scheme, as_of: dt.date,
                    fields: tuple[str, ...] | None = None) -> IndicatorResult:
    threshold = ind.thresholds[section.section]
    if section.pupils <= 0:
        return IndicatorResult(ind.code, threshold, None, reason=NO_PUPILS)
    num = numerator(section, ind, scheme, as_of, fields)
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
    if section.section not in (Section.PRIMARY, Section.JUNIOR):
        raise ValueError(f"only compulsory sections are assessed, got {section.section}")
    if fields is None:
        fields = [numerator_fields(ind, section.section, scheme, as_of) for ind in scheme.indicators]
    return SchoolResult(
        section=section,
        indicators=tuple(indicator_value(section, ind, scheme, as_of, f)
                         for ind, f in zip(scheme.indicators, fields, strict=True)),
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
    """One county and section: the schools that entered, each indicator's CV, and the share of passing schools."""

    county_id: str
    section: Section
    schools: tuple[SchoolResult, ...]
    cvs: tuple[IndicatorCV, ...]

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


def county_cv(results: Sequence[SchoolResult], ind: IndicatorDef, limit: Fraction) -> IndicatorCV:
    """CV of one indicator over the assessed schools; ``None`` with a reason if any of them lacks the input."""
    items = []
    missing = []
    for r in results:
        ir = r.result(ind.code)
        if ir.numerator is None:
            missing.append(r.section.name or r.section.school_id)
        else:
            items.append((r.section.pupils, ir.numerator))
    if missing:
        return IndicatorCV(ind.code, limit, None, "缺少数据的学校：" + "、".join(missing))
    cv = weighted_cv(items)
    return IndicatorCV(ind.code, limit, cv, "" if cv is not None else "无学生或均值为0，无法计算")


def assess_county(sections: Iterable[SchoolSection], scheme: Scheme, as_of: dt.date) -> list[CountyResult]:
    """Assess every section, group by county and section, and compute the CVs over the non-excluded schools.

    Pass only primary and junior sections (senior parts are not assessed and raise ``ValueError``).
    """
    groups: dict[tuple[str, Section], list[SchoolResult]] = {}
    fields: dict[Section, list[tuple[str, ...]]] = {}
    for s in sections:
        if s.section not in fields and s.section in COMPULSORY_SECTIONS:
            fields[s.section] = [numerator_fields(ind, s.section, scheme, as_of) for ind in scheme.indicators]
        groups.setdefault((s.county_id, s.section), []).append(assess_school(s, scheme, as_of, fields.get(s.section)))
    out = []
    for (county_id, section), results in sorted(groups.items()):
        entering = [r for r in results if r.passes is not None]
        out.append(CountyResult(
            county_id=county_id, section=section, schools=tuple(results),
            cvs=tuple(county_cv(entering, ind, scheme.cv_limits[section]) for ind in scheme.indicators),
        ))
    return out
