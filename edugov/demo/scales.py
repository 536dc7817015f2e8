"""The kinds of county and the scales the demo generator offers, and the demographic facts they rest on.

A scale lists cities and counties with a profile each; a profile says how a kind of county behaves (enrolment rates,
crowding, facilities and their spread, staffing). Change a number here and the output of every seed changes: bump
edugov.demo.generator.GENERATOR_VERSION with it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AGE_BANDS", "GRADE_AGE", "PROFILES", "SCALES", "STAGE_GRADES", "CitySpec", "CountySpec", "Density",
           "Profile", "ScaleSpec", "cohort_factor"]


@dataclass(frozen=True)
class Profile:
    """How a kind of county behaves. Rates are shares of the resident age cohort."""

    key: str
    kg_ger: float  # 学前三年毛入园率
    kg_public: float  # 公办园在园幼儿占比
    kg_inclusive: float  # 普惠性幼儿园覆盖率
    primary_rate: float
    junior_rate: float
    senior_rate: float  # general senior secondary only; the rest go to vocational schools (not generated)
    crowded: float  # share of urban and county-seat schools running oversized classes
    super_crowded: float  # share of those with some classes of 66+
    resource: float  # level of per-pupil facilities (1 = about the national threshold with a margin)
    spread: float  # school-to-school dispersion (lognormal sigma) of floor and ground area
    equipment_spread: float  # dispersion of equipment value and multimedia rooms
    balance: float  # 0..1: how far urban/rural differences are evened out by the county (1 = fully)
    qualification: float  # >1 shifts teachers towards lower qualifications
    backbone: float  # multiplier on the share of county-level-or-higher backbone teachers
    arts: float  # multiplier on the share of PE, music and art teachers
    migrant: float  # share of 随迁子女 in this county's urban schools


PROFILES: dict[str, Profile] = {p.key: p for p in (
    # The old city centre: crowded schools, no land for playgrounds, strong staff.
    Profile("core", kg_ger=0.98, kg_public=0.47, kg_inclusive=0.8, primary_rate=1.04, junior_rate=1.0,
            senior_rate=0.66, crowded=0.3, super_crowded=0.2, resource=1.0, spread=0.22, equipment_spread=0.25,
            balance=0.3, qualification=0.8, backbone=1.15, arts=1.1, migrant=0.17),
    # The balanced model district: every school-level spread small, so all CVs pass.
    Profile("model", kg_ger=0.96, kg_public=0.62, kg_inclusive=0.9, primary_rate=1.02, junior_rate=1.0,
            senior_rate=0.62, crowded=0.05, super_crowded=0.0, resource=1.15, spread=0.1, equipment_spread=0.12,
            balance=0.9, qualification=0.8, backbone=1.25, arts=1.2, migrant=0.15),
    # Fast-growing urban fringe: many migrant children, new and old schools side by side.
    Profile("fringe", kg_ger=0.93, kg_public=0.5, kg_inclusive=0.79, primary_rate=1.03, junior_rate=0.99,
            senior_rate=0.58, crowded=0.2, super_crowded=0.1, resource=0.95, spread=0.28, equipment_spread=0.3,
            balance=0.3, qualification=1.0, backbone=0.95, arts=1.0, migrant=0.2),
    # A plains county of average means.
    Profile("plain", kg_ger=0.91, kg_public=0.58, kg_inclusive=0.84, primary_rate=0.99, junior_rate=0.98,
            senior_rate=0.6, crowded=0.3, super_crowded=0.15, resource=1.0, spread=0.28, equipment_spread=0.32,
            balance=0.4, qualification=1.0, backbone=1.0, arts=0.95, migrant=0.06),
    # The poor mountain county: thin staffing and very uneven equipment (its CVs fail).
    Profile("mountain", kg_ger=0.86, kg_public=0.64, kg_inclusive=0.76, primary_rate=0.97, junior_rate=0.96,
            senior_rate=0.55, crowded=0.35, super_crowded=0.2, resource=0.85, spread=0.45, equipment_spread=0.7,
            balance=0.0, qualification=1.5, backbone=0.6, arts=0.6, migrant=0.03),
    # A county-level city: a crowded county seat and a rural hinterland.
    Profile("countycity", kg_ger=0.94, kg_public=0.52, kg_inclusive=0.82, primary_rate=1.0, junior_rate=0.99,
            senior_rate=0.62, crowded=0.35, super_crowded=0.25, resource=0.98, spread=0.32, equipment_spread=0.38,
            balance=0.3, qualification=1.1, backbone=0.95, arts=0.95, migrant=0.08),
)}


@dataclass(frozen=True)
class CountySpec:
    suffix: str  # last two digits of the 6-digit division code
    name: str
    profile: str
    pop_share: float
    streets: int  # 街道 (urban districts) or county-seat 街道
    towns: int  # 镇
    townships: int  # 乡
    seniors: int = 2  # 高级中学 (342)
    complete: int = 1  # 完全中学 (341)
    private: tuple[str, ...] = ()  # school types of private (民办) schools besides kindergartens

    @property
    def is_district(self) -> bool:
        return self.suffix < "21"


@dataclass(frozen=True)
class CitySpec:
    code: str
    name: str
    cohort_base: float  # pupils per single-year age cohort at a reference birth year of 16.0 million births
    counties: tuple[CountySpec, ...]
    special_school: bool = True


@dataclass(frozen=True)
class Density:
    """Expected number of schools of each kind per town; fractions are realised as a chance of one more."""

    street_kg_public: float
    street_kg_private: float
    street_primary: float
    street_junior: float
    street_nine_year: float
    town_kg_private: float
    town_kg_village: float
    town_village_primary: float
    town_teaching_points: float
    town_nine_year: float  # chance that the town's central school is a 九年一贯制 school
    township_kg_private: float
    township_village_primary: float
    township_teaching_points: float
    township_nine_year: float


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    cities: tuple[CitySpec, ...]
    density: Density
    aggregate_only: int  # schools deliberately left without person records, at most one per county
    school_sequence_start: int  # first 6-digit sequence of the 学校标识码 (per category)


CITY_DENSITY = Density(1.3, 2.5, 2.2, 0.6, 0.15, 1.0, 0.5, 1.5, 0.35, 0.3, 0.3, 0.6, 0.9, 0.5)
PROVINCE_DENSITY = Density(2.0, 9.0, 4.0, 1.0, 0.2, 8.0, 4.5, 7.0, 2.0, 0.3, 3.5, 4.5, 3.0, 0.5)
# A large city: more private kindergartens and village schools per town than the demo city (≈ 1,550 schools).
METRO_DENSITY = Density(1.6, 5.1, 2.9, 0.76, 0.17, 3.8, 2.1, 3.7, 1.0, 0.3, 1.6, 2.2, 1.7, 0.5)

# 示范市 (376800): 68 is a valid prefecture-level position and unused in 山东 (37).
_CITY_COUNTIES = (
    CountySpec("02", "市中区", "core", 0.20, 8, 0, 0, seniors=2, complete=1, private=("211", "311")),
    CountySpec("03", "东港区", "model", 0.17, 6, 2, 0, seniors=1, complete=1),
    CountySpec("04", "西山区", "fringe", 0.13, 4, 4, 0, seniors=1, complete=0, private=("312",)),
    CountySpec("21", "平川县", "plain", 0.16, 2, 7, 3),
    CountySpec("22", "青峰县", "mountain", 0.14, 1, 5, 7),
    CountySpec("81", "临河市", "countycity", 0.20, 3, 7, 2, private=("341",)),
)

# The large city of the indicator benchmark adds six counties to the demo city's.
_METRO_COUNTIES = (
    *_CITY_COUNTIES,
    CountySpec("05", "南湖区", "fringe", 0.08, 5, 3, 0, seniors=1, complete=1),
    CountySpec("23", "白河县", "plain", 0.08, 2, 8, 4),
    CountySpec("24", "云山县", "mountain", 0.07, 1, 6, 8),
    CountySpec("25", "丰禾县", "plain", 0.08, 2, 8, 3),
    CountySpec("26", "长宁县", "mountain", 0.06, 1, 5, 7),
    CountySpec("82", "安平市", "countycity", 0.09, 3, 8, 2),
)

SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec(
        "tiny",
        (CitySpec("376800", "示范市", 160.0,
                  (CountySpec("21", "平川县", "plain", 1.0, 1, 1, 1, seniors=1, complete=0),), special_school=False),),
        CITY_DENSITY, aggregate_only=1, school_sequence_start=680001,
    ),
    "county": ScaleSpec(
        "county",
        (CitySpec("376800", "示范市", 2700.0, (CountySpec("21", "平川县", "plain", 1.0, 2, 5, 3),),
                  special_school=False),),
        CITY_DENSITY, aggregate_only=1, school_sequence_start=680001,
    ),
    "city": ScaleSpec("city", (CitySpec("376800", "示范市", 19200.0, _CITY_COUNTIES),), CITY_DENSITY,
                      aggregate_only=6, school_sequence_start=680001),
    # ≈ 1,550 schools and kindergartens, ≈ 1.2 million pupils: the city size of the indicator benchmark.
    "metro": ScaleSpec("metro", (CitySpec("376800", "示范市", 61000.0, _METRO_COUNTIES),), METRO_DENSITY,
                       aggregate_only=12, school_sequence_start=680001),
}

_PROVINCE_CITY_WORDS = ("东岳", "西岭", "南湖", "北川", "青原", "白河", "金沙", "银滩", "云山", "碧水", "丰禾", "长宁",
                        "安平", "永和", "广德", "瑞阳")
_PROVINCE_COUNTY_WORDS = ("东", "西", "南", "北", "中", "新", "安", "丰", "宁", "平", "阳", "泉", "河", "山", "林",
                          "川", "源", "城", "兴", "和")


def _province_scale() -> ScaleSpec:
    """≈ 16 million pupils in 16 cities (codes 3751–3766, unused in 山东) of 10 counties each."""
    cities = []
    rural_profiles = ("plain", "mountain", "plain", "countycity", "mountain", "plain", "countycity")
    for i, word in enumerate(_PROVINCE_CITY_WORDS):
        counties = [
            CountySpec("02", f"{word}中区", "core", 0.13, 8, 0, 0, seniors=3, complete=1, private=("211", "311")),
            CountySpec("03", f"{word}东区", "model", 0.10, 6, 2, 0, seniors=2, complete=1),
            CountySpec("04", f"{word}新区", "fringe", 0.09, 4, 4, 0, seniors=1, complete=1, private=("312",)),
        ]
        for j, profile in enumerate(rural_profiles):
            suffix = "81" if profile == "countycity" and j == 3 else ("82" if profile == "countycity" else f"{21 + j}")
            a = _PROVINCE_COUNTY_WORDS[(i + j) % len(_PROVINCE_COUNTY_WORDS)]
            b = _PROVINCE_COUNTY_WORDS[(i * 3 + j * 7 + 5) % len(_PROVINCE_COUNTY_WORDS)]
            kind = "市" if profile == "countycity" else "县"
            counties.append(CountySpec(suffix, f"{word}{a}{b}{kind}", profile, 0.68 / len(rural_profiles), 2, 8, 4,
                                       seniors=3, complete=1))
        cities.append(CitySpec(f"37{51 + i}00", f"{word}市", 76600.0, tuple(counties)))
    return ScaleSpec("province", tuple(cities), PROVINCE_DENSITY, aggregate_only=0, school_sequence_start=1)


SCALES["province"] = _province_scale()

# National births in millions by calendar year (rounded published figures); clamped outside the range.
_BIRTHS = {
    2000: 17.71, 2001: 17.02, 2002: 16.47, 2003: 15.99, 2004: 15.93, 2005: 16.17, 2006: 15.85, 2007: 15.94,
    2008: 16.08, 2009: 15.91, 2010: 15.92, 2011: 16.04, 2012: 16.35, 2013: 16.40, 2014: 16.87, 2015: 16.55,
    2016: 17.86, 2017: 17.23, 2018: 15.23, 2019: 14.65, 2020: 12.02, 2021: 10.62, 2022: 9.56, 2023: 9.02,
}


def cohort_factor(school_year: int, age: int) -> float:
    """Relative size of the cohort aged ``age`` on 1 September: born Sep(y−a−1)…Aug(y−a), i.e. 4 months of one
    calendar year and 8 of the next."""

    def births(year: int) -> float:
        return _BIRTHS[min(max(year, min(_BIRTHS)), max(_BIRTHS))]

    return (8 * births(school_year - age) + 4 * births(school_year - age - 1)) / 12 / 16.0


# Grades by stage and the age of each grade on 1 September (K1 小班 = 3 … grade 12 = 17).
STAGE_GRADES: dict[str, tuple[str, ...]] = {
    "kindergarten": ("K1", "K2", "K3"),
    "primary": ("1", "2", "3", "4", "5", "6"),
    "junior": ("7", "8", "9"),
    "senior": ("10", "11", "12"),
}
GRADE_AGE: dict[str, int] = {"K1": 3, "K2": 4, "K3": 5, **{str(g): g + 5 for g in range(1, 13)}}
AGE_BANDS: tuple[tuple[str, range], ...] = (("3-5", range(3, 6)), ("6-11", range(6, 12)), ("12-14", range(12, 15)),
                                            ("15-17", range(15, 18)))
