"""Input records of the engine: one school section (primary or junior part of a school) for one school year.

Field names follow ``edugov.stats.models`` (SchoolYearStats, TeacherStats) so that a Django adapter is a plain
field copy. Areas and money may be ``Decimal`` (as stored), ``int`` or ``Fraction`` (after splitting a combined
school's shared assets); ``None`` means "not reported", which the engine reports as missing, never as zero.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from edugov.indicators.engine.scheme import Scheme

Number = int | Decimal | Fraction


class Section(enum.StrEnum):
    """School section (学段); values equal ``edugov.stats.choices.Stage`` values."""

    PRIMARY = "primary"
    JUNIOR = "junior"
    SENIOR = "senior"  # only used to give senior parts of combined schools their share of shared assets


COMPULSORY_SECTIONS = (Section.PRIMARY, Section.JUNIOR)


class StaffCounts(NamedTuple):
    """Full-time teachers (专任教师) of one section, as in ``TeacherStats``. Counts of people, not posts.

    Named tuples rather than frozen dataclasses for the two input records: a city has thousands of them and a
    frozen dataclass costs five times as much to build."""

    fulltime: int = 0
    edu_postgraduate: int = 0
    edu_bachelor: int = 0
    edu_associate: int = 0
    edu_below_associate: int = 0
    backbone_county: int = 0
    backbone_city: int = 0
    backbone_province: int = 0
    pe_teachers: int = 0
    music_teachers: int = 0
    art_teachers: int = 0


class SharedAssets(NamedTuple):
    """Facilities and equipment, as in ``SchoolYearStats``; for combined schools these belong to the whole school."""

    teaching_area: Number | None = None
    sports_ground_area: Number | None = None
    gym_area: Number | None = None
    equipment_value: Number | None = None
    multimedia_classrooms: Number | None = None


STAFF_FIELDS = frozenset(StaffCounts._fields)
ASSET_FIELDS = frozenset(SharedAssets._fields)


class SchoolSection(NamedTuple):
    """The primary or junior part of one school: the unit every indicator and every CV is computed on. (A named
    tuple like the records it holds: a city has thousands.)"""

    school_id: str
    county_id: str
    section: Section
    school_type_code: str
    pupils: int
    staff: StaffCounts = StaffCounts()
    assets: SharedAssets = SharedAssets()
    name: str = ""

    def field_value(self, name: str) -> Number | None:
        """A numerator field by name, looked up on staff first, then on assets."""
        if name in STAFF_FIELDS:
            value: Number | None = getattr(self.staff, name)
            return value
        if name in ASSET_FIELDS:
            asset: Number | None = getattr(self.assets, name)
            return asset
        raise KeyError(f"unknown input field {name!r}")


@dataclass(frozen=True)
class WholeSchool:
    """A combined school (九年一贯制, 十二年一贯制, 完全中学) as reported: pupils and staff by section, assets whole."""

    school_id: str
    county_id: str
    school_type_code: str
    pupils: Mapping[Section, int]
    staff: Mapping[Section, StaffCounts]
    assets: SharedAssets
    name: str = ""


def _share(value: Number | None, fraction: Fraction) -> Fraction | None:
    if value is None:
        return None
    n, d = (value, 1) if isinstance(value, int) else value.as_integer_ratio()
    return Fraction(n * fraction.numerator, d * fraction.denominator)


def split_combined_school(school: WholeSchool, scheme: Scheme) -> list[SchoolSection]:
    """Split a combined school into its compulsory sections.

    Each section gets the share pupils_s × weight_s ÷ Σ(pupils × weight) of every shared asset, where the weights
    are the configured ratios (e.g. 1 : 1.1 for 九年一贯制) because older pupils need more space and equipment. The
    senior section of a 完全中学 or 十二年一贯制 takes its share but is not returned. Staff are never split: the
    statistics already report them per section. A school type with no configured ratio splits by plain enrolment.
    """
    weights = scheme.split_weights.get(school.school_type_code)
    sections = [s for s, n in school.pupils.items() if n > 0 or s in COMPULSORY_SECTIONS]
    weighted = {s: school.pupils.get(s, 0) * (weights.get(s, Fraction(1)) if weights else Fraction(1))
                for s in sections}
    total = sum(weighted.values(), Fraction(0))
    result = []
    for section in COMPULSORY_SECTIONS:
        if section not in school.pupils:
            continue
        share = weighted[section] / total if total else Fraction(0)
        a = school.assets
        result.append(SchoolSection(
            school_id=school.school_id, county_id=school.county_id, section=section,
            school_type_code=school.school_type_code, pupils=school.pupils[section],
            staff=school.staff.get(section, StaffCounts()), name=school.name,
            assets=SharedAssets(
                teaching_area=_share(a.teaching_area, share),
                sports_ground_area=_share(a.sports_ground_area, share),
                gym_area=_share(a.gym_area, share),
                equipment_value=_share(a.equipment_value, share),
                multimedia_classrooms=_share(a.multimedia_classrooms, share),
            ),
        ))
    return result
