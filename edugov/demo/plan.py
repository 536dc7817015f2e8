"""The plan of a synthetic city: geography, schools, enrolment by grade and class, teacher numbers and facilities.

The plan is everything except the people. It is cheap (a few thousand objects even for the province), so tests can
check the shape of a whole city without writing a file, and the people are generated school by school afterwards.

Why the numbers look as they do (so that every dashboard has real gaps to show):

* Births follow the national series, so kindergartens are emptier than primary schools, as they are today.
* Urban districts put many pupils into few schools: large schools, a share of classes of 56+ and a few of 66+, little
  sports ground per pupil. Villages have small schools with spare rooms but worse equipment.
* Each county has a profile. 东港区 is the balanced model district (all school-level spreads small); 青峰县 is the
  poor mountain county whose equipment and staffing vary so much between schools that its weighted CV fails.
* Kindergarten enrolment, the public share and inclusive coverage are set per county from the profile, so preschool
  indicators land around the national thresholds (85% / 50% / 80%) on both sides.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from edugov.demo import vocab
from edugov.demo.rng import Rng, derive_seed
from edugov.demo.scales import (
    AGE_BANDS,
    GRADE_AGE,
    PROFILES,
    SCALES,
    STAGE_GRADES,
    CitySpec,
    CountySpec,
    Profile,
    ScaleSpec,
    cohort_factor,
)

__all__ = ["AGE_BANDS", "GRADE_AGE", "SCALES", "STAGE_GRADES", "City", "County", "Group", "Plan", "School",
           "SchoolStats", "Section", "Town", "build_plan"]


# ---------------------------------------------------------------------------------------------------------------
# Plan objects
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Town:
    code: str  # 9-digit: county code + township code (001–099 街道, 100–199 镇, 200–399 乡)
    name: str
    kind: str  # street | town | township
    word: str
    urban_rural: str
    opened_on: date
    villages: int = 0  # counter for 12-digit village codes handed to schools
    communities: int = 0


@dataclass
class Section:
    """One 学段 of a school: class sizes per grade and the number of full-time teachers."""

    stage: str
    grades: tuple[str, ...]
    weight: float  # relative share of the county's pupils of this stage
    classes: dict[str, list[int]] = field(default_factory=dict)
    teachers: int = 0

    @property
    def enrolment(self) -> int:
        return sum(sum(sizes) for sizes in self.classes.values())

    @property
    def class_count(self) -> int:
        return sum(len(sizes) for sizes in self.classes.values())


@dataclass
class SchoolStats:
    teaching_area: Decimal
    sports_ground_area: Decimal
    gym_area: Decimal
    equipment_value: Decimal
    multimedia_classrooms: int
    library_books: int
    music_rooms: int
    art_rooms: int
    operating_expenditure: Decimal


@dataclass
class School:
    code: str
    name: str
    type_code: str
    county: County
    town: Town
    urban_rural: str
    sponsor: str
    stat_code: str
    address: str
    opened_on: date
    sections: list[Section]
    inclusive: bool | None = None
    crowding: str = "normal"  # normal | crowded | super
    person_records: bool = True
    stats: SchoolStats | None = None

    @property
    def public(self) -> bool:
        return self.sponsor != "999"

    @property
    def setting(self) -> str:
        """城区 / 镇区 / 乡村 as 'urban', 'town', 'rural' (standards §4.2)."""
        return {"1": "urban", "2": "town"}.get(self.urban_rural[1], "urban") if self.urban_rural[0] == "1" else "rural"

    @property
    def enrolment(self) -> int:
        return sum(s.enrolment for s in self.sections)

    @property
    def class_count(self) -> int:
        return sum(s.class_count for s in self.sections)

    @property
    def teachers(self) -> int:
        return sum(s.teachers for s in self.sections)


@dataclass
class Group:
    """An 教育集团 or 学区: a unit under a county with member schools."""

    code: str
    name: str
    hierarchy: str  # "group" | "zone"
    county: County
    opened_on: date
    members: list[School]


@dataclass
class County:
    code: str
    name: str
    profile: Profile
    spec: CountySpec
    opened_on: date
    towns: list[Town] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    population: dict[int, int] = field(default_factory=dict)  # age → residents

    def population_band(self, band: range) -> int:
        return sum(self.population[a] for a in band)


@dataclass
class City:
    code: str
    name: str
    opened_on: date
    counties: list[County]


@dataclass
class Plan:
    scale: str
    seed: int
    year: int
    cities: list[City]
    groups: list[Group]

    def counties(self) -> Iterator[County]:
        for city in self.cities:
            yield from city.counties

    def schools(self) -> Iterator[School]:
        for county in self.counties():
            yield from county.schools

    @property
    def reference_date(self) -> date:
        return date(self.year, 9, 1)


# ---------------------------------------------------------------------------------------------------------------
# Building the plan
# ---------------------------------------------------------------------------------------------------------------


_CN_NUMBERS = "〇一二三四五六七八九"


def _count(rng: Rng, expected: float) -> int:
    whole = int(expected)
    return whole + (1 if rng.chance(expected - whole) else 0)


def _damp(factor: float, balance: float) -> float:
    """Pulls a setting factor towards 1 as far as the county evens out urban/rural differences."""
    return 1.0 + (factor - 1.0) * (1.0 - balance)


def _day(rng: Rng, first: date, last: date) -> date:
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _opening(rng: Rng, first_year: int, last_year: int) -> date:
    year = rng.randint(first_year, max(first_year, last_year))
    # Most schools open with the school year; some on the date of an approval letter.
    return date(year, 9, 1) if rng.chance(0.8) else _day(rng, date(year, 1, 1), date(year, 12, 31))


class _Builder:
    def __init__(self, spec: ScaleSpec, seed: int, year: int) -> None:
        self.spec = spec
        self.seed = seed
        self.year = year
        self.rng = Rng(derive_seed(seed, "plan", spec.name, year))
        self.sequence: dict[str, int] = {}
        self.names: set[str] = set()
        self.county_names: dict[str, str] = {}

    # -- identifiers and names ----------------------------------------------------------------------------------

    def school_code(self, type_code: str) -> str:
        category = {"1": "11", "2": "21", "5": "51"}.get(type_code[0]) or ("34" if type_code == "342" else "31")
        number = self.sequence.get(category, self.spec.school_sequence_start)
        self.sequence[category] = number + 1
        return f"{category}37{number:06d}"

    def unique(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.names:
            if name.endswith("幼儿园"):
                candidate = f"{name}{_CN_NUMBERS[min(n, 9)]}园" if n <= 9 else f"{name}{n}园"
            elif name.endswith(("小学", "中学", "学校", "教学点")):
                head, tail = (name[:-3], name[-3:]) if name.endswith("教学点") else (name[:-2], name[-2:])
                candidate = f"{head}第{_CN_NUMBERS[min(n, 9)]}{tail}" if n <= 9 else f"{head}{n}{tail}"
            else:
                candidate = f"{name}{n}"
            n += 1
        self.names.add(candidate)
        return candidate

    def village(self) -> str:
        surname = self.rng.choice(vocab.SURNAMES[:40])[0]
        return surname + self.rng.choice(vocab.VILLAGE_SUFFIXES)

    def place(self, school_town: Town, *, village: str | None) -> tuple[str, str]:
        """A 12-digit statistical code and an address inside the town: a residents' committee (001–199) or, for a
        school in ``village``, a village committee (200+)."""
        county = school_town.code[:6]
        if village:
            school_town.villages += 1
            code = f"{school_town.code}{200 + school_town.villages:03d}"
            return code, f"{self.county_names[county]}{school_town.name}{village}村"
        school_town.communities += 1
        code = f"{school_town.code}{min(school_town.communities, 199):03d}"
        road = self.rng.choice(vocab.ROAD_WORDS)
        return code, f"{self.county_names[county]}{school_town.name}{road}{self.rng.randint(1, 399)}号"

    # -- geography ----------------------------------------------------------------------------------------------

    def build(self) -> Plan:
        cities: list[City] = []
        for city_spec in self.spec.cities:
            city = City(city_spec.code, city_spec.name, date(min(1983, self.year - 1), 10, 1), [])
            for county_spec in city_spec.counties:
                city.counties.append(self.county(city_spec, county_spec))
            if city_spec.special_school:
                self.special_school(city)
            cities.append(city)
        plan = Plan(self.spec.name, self.seed, self.year, cities, [])
        for county in plan.counties():
            self.allocate(county)
            for school in county.schools:
                self.classes(school, county)
                self.staff(school, county)
                school.stats = self.facilities(school, county)
        plan.groups = self.groups(plan)
        self.aggregate_only(plan)
        return plan

    def county(self, city: CitySpec, spec: CountySpec) -> County:
        code = f"{city.code[:4]}{spec.suffix}"
        profile = PROFILES[spec.profile]
        county = County(code, spec.name, profile, spec, date(min(1983, self.year - 1), 10, 1))
        self.county_names[code] = spec.name
        base = city.cohort_base * spec.pop_share
        for age in range(3, 18):
            county.population[age] = round(base * cohort_factor(self.year, age) * self.rng.lognormal_factor(0.02))
        opened = date(min(2001, self.year - 1), 1, 1)  # the township mergers around 2000 fixed today's towns
        streets = self.rng.sample(vocab.STREET_WORDS, spec.streets)
        towns = self.rng.sample(vocab.TOWN_WORDS, spec.towns)
        townships = self.rng.sample(vocab.TOWNSHIP_WORDS, spec.townships)
        for i, word in enumerate(streets, start=1):
            urban_rural = ("111" if i <= spec.streets - 1 or spec.streets == 1 else "112") if spec.is_district or \
                spec.profile == "countycity" else "121"
            county.towns.append(Town(f"{code}{i:03d}", f"{word}街道", "street", word, urban_rural, opened))
        for i, word in enumerate(towns, start=100):
            urban_rural = "112" if spec.is_district else ("121" if i < 102 else "122")
            county.towns.append(Town(f"{code}{i:03d}", f"{word}镇", "town", word, urban_rural, opened))
        for i, word in enumerate(townships, start=200):
            county.towns.append(Town(f"{code}{i:03d}", f"{word}乡", "township", word, "210", opened))
        for town in county.towns:
            self.town_schools(county, town)
        self.county_schools(county)
        return county

    # -- schools ------------------------------------------------------------------------------------------------

    def add(self, county: County, town: Town, type_code: str, name: str, sections: list[Section], *,
            urban_rural: str | None = None, sponsor: str = "831", village: str | None = None,
            opened: tuple[int, int] = (1955, 2012), inclusive: bool | None = None) -> School:
        stat_code, address = self.place(town, village=village)
        urban_rural = urban_rural or ("220" if village else town.urban_rural)
        school = School(
            code=self.school_code(type_code), name=self.unique(name), type_code=type_code, county=county, town=town,
            urban_rural=urban_rural, sponsor=sponsor, stat_code=stat_code, address=address,
            opened_on=_opening(self.rng, opened[0], min(opened[1], self.year - 1)), sections=sections,
            inclusive=inclusive,
        )
        if school.setting != "rural" and sections and sections[0].stage != "kindergarten":
            profile = county.profile
            if self.rng.chance(profile.crowded):
                school.crowding = "super" if self.rng.chance(profile.super_crowded) else "crowded"
        county.schools.append(school)
        return school

    def kindergarten(self, county: County, town: Town, name: str, *, public: bool, weight: float,
                     village: str | None = None, sponsor: str | None = None) -> None:
        if public:
            sponsor = sponsor or ("831" if self.rng.chance(0.85) else self.rng.choice(("832", "892")))
        self.add(county, town, "111", name, [Section("kindergarten", STAGE_GRADES["kindergarten"], weight)],
                 # Private kindergartens are non-inclusive until kindergarten_groups() accredits some of them.
                 sponsor=sponsor or "999", village=village, inclusive=public,
                 opened=(1980, 2018) if public else (2000, 2021))

    def urban_primary_name(self, county: County) -> str:
        name = ""
        for _ in range(8):  # schools named after their road, as most city primaries are
            road = self.rng.choice(vocab.ROAD_WORDS)
            name = f"{county.name}{road.removesuffix('路').removesuffix('街')}小学"
            if name not in self.names:
                break
        return name

    def private_kindergarten_name(self, county: County) -> str:
        name = ""
        for _ in range(8):  # prefer another brand word to a numbered duplicate
            name = f"{county.name}{self.rng.choice(vocab.PRIVATE_KINDERGARTEN_WORDS)}幼儿园"
            if name not in self.names:
                break
        return name

    def town_schools(self, county: County, town: Town) -> None:
        d = self.spec.density
        cn = county.name
        district = county.spec.is_district
        if town.kind == "street":
            big = 2.6 if district else 2.2
            for i in range(max(1, _count(self.rng, d.street_kg_public))):
                ordinal = "中心" if i == 0 else f"第{_CN_NUMBERS[min(i + 1, 9)]}"
                name = f"{cn}{town.word}街道{ordinal}幼儿园"
                self.kindergarten(county, town, name, public=True, weight=1.6)
            for _ in range(_count(self.rng, d.street_kg_private)):
                self.kindergarten(county, town, self.private_kindergarten_name(county), public=False, weight=1.0)
            for _ in range(max(1, _count(self.rng, d.street_primary))):
                self.add(county, town, "211", self.urban_primary_name(county),
                         [Section("primary", STAGE_GRADES["primary"], big * self.rng.lognormal_factor(0.25))],
                         opened=(1950, 2016))
            if self.rng.chance(d.street_junior):
                self.add(county, town, "311", f"{cn}{town.word}中学",
                         [Section("junior", STAGE_GRADES["junior"], big * 1.3)], opened=(1956, 2012))
            elif self.rng.chance(d.street_nine_year):
                self.add(county, town, "312", f"{cn}{town.word}学校",
                         [Section("primary", STAGE_GRADES["primary"], big),
                          Section("junior", STAGE_GRADES["junior"], big)], opened=(1990, 2016))
            return
        rural = town.kind == "township"
        suffix = "乡" if rural else "镇"
        centre = f"{cn}{town.word}{suffix}"
        self.kindergarten(county, town, f"{centre}中心幼儿园", public=True, weight=1.2 if rural else 1.5)
        for _ in range(_count(self.rng, d.township_kg_private if rural else d.town_kg_private)):
            self.kindergarten(county, town, self.private_kindergarten_name(county), public=False, weight=0.7)
        for _ in range(0 if rural else _count(self.rng, d.town_kg_village)):
            village = self.village()
            self.kindergarten(county, town, f"{centre}{village}幼儿园", public=True, weight=0.5, village=village,
                              sponsor="894")
        nine_year = self.rng.chance(d.township_nine_year if rural else d.town_nine_year)
        if nine_year:
            self.add(county, town, "312", f"{centre}中心学校" if rural else f"{centre}九年一贯制学校",
                     [Section("primary", STAGE_GRADES["primary"], 1.3 if rural else 1.8),
                      Section("junior", STAGE_GRADES["junior"], 1.0 if rural else 1.6)], opened=(1958, 2010))
        else:
            self.add(county, town, "211", f"{centre}中心小学",
                     [Section("primary", STAGE_GRADES["primary"], 1.1 if rural else 1.8)], opened=(1952, 2008))
            if not rural:
                self.add(county, town, "311", f"{centre}中学", [Section("junior", STAGE_GRADES["junior"], 1.7)],
                         opened=(1958, 2005))
        villages = _count(self.rng, d.township_village_primary if rural else d.town_village_primary)
        for _ in range(villages):
            village = self.village()
            self.add(county, town, "211", f"{centre}{village}小学",
                     [Section("primary", STAGE_GRADES["primary"], 0.35 * self.rng.lognormal_factor(0.4))],
                     village=village, opened=(1955, 2000))
        for _ in range(_count(self.rng, d.township_teaching_points if rural else d.town_teaching_points)):
            # 教学点 teach the first years near home; many have fewer than 50 pupils (excluded from §1.2 CVs).
            grades = STAGE_GRADES["primary"][: self.rng.randint(2, 4)]
            village = self.village()
            self.add(county, town, "218", f"{centre}{village}教学点",
                     [Section("primary", grades, 0.13 * self.rng.lognormal_factor(0.6))], village=village,
                     opened=(1960, 2005))

    def county_schools(self, county: County) -> None:
        """Senior high schools, complete secondary schools and private schools, placed in the county's urban
        streets (county seats), where they are in reality."""
        spec, cn = county.spec, county.name
        seats = [t for t in county.towns if t.kind == "street"] or county.towns
        city_run = county.code.endswith("02")  # the core district hosts the city's own flagship schools
        ordinals = "一二三四五六七八九"
        for i in range(spec.seniors):
            sponsor = "821" if city_run and i < 2 else "831"
            prefix = self.city_name_for(county) if sponsor == "821" else cn
            self.add(county, seats[i % len(seats)], "342", f"{prefix}第{ordinals[i]}中学",
                     [Section("senior", STAGE_GRADES["senior"], 1.0)], sponsor=sponsor, opened=(1950, 1998))
        for i in range(spec.complete):
            self.add(county, seats[(i + 1) % len(seats)], "341", f"{cn}实验中学",
                     [Section("junior", STAGE_GRADES["junior"], 2.0), Section("senior", STAGE_GRADES["senior"], 0.8)],
                     opened=(1956, 2005))
        for type_code in spec.private:
            word = self.rng.choice(vocab.PRIVATE_SCHOOL_WORDS)
            town = seats[-1]
            if type_code == "211":
                self.add(county, town, "211", f"{cn}{word}小学", [Section("primary", STAGE_GRADES["primary"], 1.6)],
                         sponsor="999", opened=(2003, 2015))
            elif type_code == "311":
                self.add(county, town, "311", f"{cn}{word}中学", [Section("junior", STAGE_GRADES["junior"], 1.6)],
                         sponsor="999", opened=(2003, 2015))
            elif type_code == "312":
                self.add(county, town, "312", f"{cn}{word}学校",
                         [Section("primary", STAGE_GRADES["primary"], 1.2),
                          Section("junior", STAGE_GRADES["junior"], 1.2)], sponsor="999", opened=(2005, 2016))
            elif type_code == "341":
                self.add(county, town, "341", f"{cn}{word}中学",
                         [Section("junior", STAGE_GRADES["junior"], 1.0),
                          Section("senior", STAGE_GRADES["senior"], 0.6)], sponsor="999", opened=(2002, 2014))

    def city_name_for(self, county: County) -> str:
        for city_spec in self.spec.cities:
            if city_spec.code[:4] == county.code[:4]:
                return city_spec.name
        return county.name

    def special_school(self, city: City) -> None:
        county = city.counties[0]
        town = next(t for t in county.towns if t.kind == "street") if any(
            t.kind == "street" for t in county.towns) else county.towns[0]
        self.add(county, town, "514", f"{city.name}特殊教育学校",
                 [Section("primary", STAGE_GRADES["primary"], 0.0), Section("junior", STAGE_GRADES["junior"], 0.0)],
                 sponsor="821", opened=(1988, 1998))

    # -- enrolment ----------------------------------------------------------------------------------------------

    def allocate(self, county: County) -> None:
        """Splits each age cohort of the county over the schools that teach its grade, in proportion to the
        schools' weights, with a little noise per school and grade."""
        profile = county.profile
        rates = {"kindergarten": profile.kg_ger, "primary": profile.primary_rate, "junior": profile.junior_rate,
                 "senior": profile.senior_rate}
        targets: dict[tuple[int, str], int] = {}  # (school index, grade) → pupils
        for stage, grades in STAGE_GRADES.items():
            sections = [(i, sec) for i, s in enumerate(county.schools) for sec in s.sections
                        if sec.stage == stage and s.type_code != "514"]
            if not sections:
                continue
            groups = self.kindergarten_groups(county, sections) if stage == "kindergarten" else [(1.0, sections)]
            for share, members in groups:
                for grade in grades:
                    takers = [(i, sec) for i, sec in members if grade in sec.grades]
                    total_weight = sum(sec.weight for _, sec in takers)
                    if total_weight <= 0:
                        continue
                    cohort = county.population[GRADE_AGE[grade]] * rates[stage] * share
                    for i, sec in takers:
                        expected = cohort * sec.weight / total_weight * self.rng.lognormal_factor(0.08)
                        targets[(i, grade)] = max(0, round(expected))
        for i, school in enumerate(county.schools):
            if school.type_code == "514":
                for sec in school.sections:
                    for grade in sec.grades:
                        targets[(i, grade)] = self.rng.randint(10, 22)
            for sec in school.sections:
                for grade in sec.grades:
                    sec.classes[grade] = [targets.get((i, grade), 0)]  # split into classes later

    def kindergarten_groups(self, county: County, sections: list[tuple[int, Section]]
                            ) -> list[tuple[float, list[tuple[int, Section]]]]:
        """Public, private inclusive and private non-inclusive kindergartens get their profile's shares of the
        children; which private kindergartens are 普惠性 is decided here so that the shares can be met."""
        profile = county.profile
        public = [(i, s) for i, s in sections if county.schools[i].public]
        private = [(i, s) for i, s in sections if not county.schools[i].public]
        if not private:
            return [(1.0, public)]
        if not public:
            return [(1.0, private)]
        inclusive_share = max(0.0, profile.kg_inclusive - profile.kg_public)
        wanted = inclusive_share / max(1e-9, 1.0 - profile.kg_public)
        ordered = self.rng.sample(private, len(private))
        n_inclusive = min(len(ordered) - 1, max(1, round(wanted * len(ordered)))) if len(ordered) > 1 else 1
        inclusive, other = ordered[:n_inclusive], ordered[n_inclusive:]
        for i, _ in inclusive:
            county.schools[i].inclusive = True
        for i, _ in other:
            county.schools[i].inclusive = False
        groups: list[tuple[float, list[tuple[int, Section]]]] = [(profile.kg_public, public)]
        if other:
            groups += [(inclusive_share, inclusive), (1.0 - profile.kg_inclusive, other)]
        else:
            groups += [(1.0 - profile.kg_public, inclusive)]
        return groups

    def classes(self, school: School, county: County) -> None:
        for sec in school.sections:
            for grade in sec.grades:
                pupils = sec.classes[grade][0]
                sec.classes[grade] = self.split(pupils, self.class_target(school, sec.stage, grade))

    def class_target(self, school: School, stage: str, grade: str) -> tuple[int, bool]:
        """(size, exact): a cap that classes stay under (exact=False) or a mean that classes cluster at (True)."""
        if school.type_code == "514":
            return 12, False
        if stage == "kindergarten":
            standard = {"K1": 25, "K2": 30, "K3": 35}[grade]
            # Private urban kindergartens fill their rooms beyond the 幼儿园工作规程 sizes.
            return (standard + 5, False) if not school.public and school.setting == "urban" else (standard, False)
        standard = 45 if stage == "primary" else 50
        if school.crowding == "super" and self.rng.chance(0.5):
            return self.rng.randint(66, 70), True
        if school.crowding in ("crowded", "super") and self.rng.chance(0.6):
            return self.rng.randint(54, 60), True
        return standard, False

    def split(self, pupils: int, target: tuple[int, bool]) -> list[int]:
        size, exact = target
        if pupils <= 0:
            return []
        if exact:
            # Cluster at the target, but never let a grade too small for two classes become one giant class.
            count = max(1, round(pupils / size), math.ceil(pupils / (size + 4)))
        else:
            count = max(1, math.ceil(pupils / size))
        base, extra = divmod(pupils, count)
        sizes = [base + (1 if k < extra else 0) for k in range(count)]
        # Real classes differ by a pupil or two; move some between neighbours without changing the total.
        for k in range(count - 1):
            if sizes[k] > 1 and self.rng.chance(0.5):
                moved = self.rng.randint(0, 2)
                moved = min(moved, sizes[k] - 1)
                if not exact and sizes[k + 1] + moved > size:
                    moved = max(0, size - sizes[k + 1])
                sizes[k] -= moved
                sizes[k + 1] += moved
        return sizes

    # -- staff --------------------------------------------------------------------------------------------------

    def staff(self, school: School, county: County) -> None:
        for sec in school.sections:
            pupils = sec.enrolment
            if pupils == 0:
                sec.teachers = 0
                continue
            if school.type_code == "514":
                sec.teachers = max(2, round(pupils / 3.5))
                continue
            if sec.stage == "kindergarten":
                per_class = 2.0 if school.public else 1.6
                sec.teachers = max(1, round(sec.class_count * per_class * self.rng.lognormal_factor(0.1)))
                continue
            if school.type_code == "218":
                sec.teachers = max(1, math.ceil(pupils / 15))
                continue
            ratio = {
                ("primary", "urban"): 18.0, ("primary", "town"): 16.0, ("primary", "rural"): 12.5,
                ("junior", "urban"): 12.5, ("junior", "town"): 11.5, ("junior", "rural"): 10.5,
                ("senior", "urban"): 12.5, ("senior", "town"): 12.5, ("senior", "rural"): 12.5,
            }[(sec.stage, school.setting)]
            if school.crowding != "normal":
                ratio *= 1.18  # crowded schools are short of teachers as well as rooms
            # Every class needs its teachers, however small: small schools end up with generous ratios.
            floor = sec.class_count * (1.6 if sec.stage == "primary" else 2.6)
            sec.teachers = max(round(floor), round(pupils / ratio * self.rng.lognormal_factor(0.08)))

    # -- facilities ---------------------------------------------------------------------------------------------

    def facilities(self, school: School, county: County) -> SchoolStats:
        """Floor and ground area, equipment and rooms for one school, from its pupils and classes.

        Per-pupil bases sit a little above the §1.2 thresholds; urban crowding, land scarcity, village poverty and
        the county's dispersion push schools to either side.
        """
        p, rng, setting = county.profile, self.rng, school.setting
        pupils = max(1, school.enrolment)
        small = 1.9 if pupils < 100 else (1.35 if pupils < 300 else 1.0)  # buildings from when villages had more
        crowded = 0.78 if school.crowding != "normal" else 1.0
        area_setting = _damp({"urban": 0.92, "town": 1.0, "rural": 1.1}[setting], p.balance)
        ground_setting = _damp({"urban": 0.62, "town": 1.0, "rural": 1.35}[setting], p.balance)
        equip_setting = _damp({"urban": 1.15, "town": 1.0, "rural": 0.72}[setting], p.balance)
        if county.spec.is_district and county.code.endswith("02") and setting == "urban":
            ground_setting *= 0.8  # the old city centre has no land for playgrounds
        area_base = {"kindergarten": 7.5, "primary": 5.2, "junior": 6.6, "senior": 7.2}
        ground_base = {"kindergarten": 5.5, "primary": 8.6, "junior": 11.5, "senior": 11.0}
        equip_base = {"kindergarten": 1100.0, "primary": 2500.0, "junior": 3100.0, "senior": 4200.0}
        books_base = {"kindergarten": 10, "primary": 30, "junior": 42, "senior": 48}
        funds_base = {"kindergarten": 600, "primary": 700, "junior": 900, "senior": 1200}
        if school.type_code == "514":
            area_base = dict.fromkeys(area_base, 22.0)
            ground_base = dict.fromkeys(ground_base, 18.0)
            equip_base = dict.fromkeys(equip_base, 9000.0)
            funds_base = dict.fromkeys(funds_base, 6000)
        area_noise = rng.lognormal_factor(p.spread)
        ground_noise = rng.lognormal_factor(p.spread)
        equip_noise = rng.lognormal_factor(p.equipment_spread)
        teaching = ground = equipment = books = funds = 0.0
        for sec in school.sections:
            n = sec.enrolment
            teaching += n * area_base[sec.stage]
            ground += n * ground_base[sec.stage]
            equipment += n * equip_base[sec.stage]
            books += n * books_base[sec.stage]
            funds += max(n, 100 if school.setting == "rural" and sec.stage != "kindergarten" else n) * \
                funds_base[sec.stage]
        teaching *= p.resource * area_setting * small * crowded * area_noise
        ground *= p.resource * ground_setting * small * crowded * ground_noise
        equipment *= p.resource * equip_setting * equip_noise
        books *= rng.lognormal_factor(0.2)
        funds *= rng.uniform(1.02, 1.2) if school.public else rng.uniform(0.6, 0.9)
        classes = school.class_count
        gym = 0.0
        if school.type_code in ("311", "312", "341", "342") and pupils >= 800 and setting != "rural" and \
                rng.chance(0.6):
            gym = float(rng.randint(6, 20) * 100)
        coverage = p.resource * equip_setting * rng.lognormal_factor(p.equipment_spread * 0.4)
        extra_rooms = rng.randint(0, 3) if setting == "urban" else rng.randint(0, 1)
        multimedia = max(0, min(round(classes * min(coverage, 1.15)) + extra_rooms, classes + 8))
        under_equipped = setting == "rural" and rng.chance(0.35 if p.arts < 1 else 0.15)
        rooms = 0 if under_equipped or school.type_code == "218" else max(1, math.ceil(classes / 12))
        return SchoolStats(
            teaching_area=Decimal(round(teaching, 1)).quantize(Decimal("0.1")),
            sports_ground_area=Decimal(round(ground)),
            gym_area=Decimal(round(gym)),
            equipment_value=Decimal(round(equipment, -2)).quantize(Decimal("1")),
            multimedia_classrooms=multimedia,
            library_books=round(books),
            music_rooms=rooms,
            art_rooms=0 if rooms == 0 else max(1, rooms - (1 if rng.chance(0.2) else 0)),
            operating_expenditure=Decimal(round(funds, -2)).quantize(Decimal("1")),
        )

    # -- groups and aggregate-only schools ------------------------------------------------------------------------

    def groups(self, plan: Plan) -> list[Group]:
        """Two 教育集团 (a strong urban school leading weaker ones) and one 学区, where the scale has room."""
        counties = list(plan.counties())
        result: list[Group] = []
        opened = date(self.year - 3, 9, 1)

        def primaries(county: County) -> list[School]:
            return [s for s in county.schools if s.type_code in ("211", "312") and s.public]

        def juniors(county: County) -> list[School]:
            # A school belongs to at most one 教育集团 (the natural key of a membership is unit + hierarchy).
            taken = {id(s) for g in result for s in g.members}
            return [s for s in county.schools if s.type_code in ("311", "312") and s.public and id(s) not in taken]

        first = counties[0]
        lead = max(primaries(first), key=lambda s: s.enrolment, default=None)
        if lead is not None:
            rural = [s for s in primaries(first) if s is not lead and s.setting != "urban"]
            urban = [s for s in primaries(first) if s is not lead and s.setting == "urban"]
            members = [lead, *urban[:2], *rural[:2]]
            if len(counties) > 2:
                members += primaries(counties[2])[-1:]  # 托管: a weak school of another district joins
            result.append(Group(f"JT{first.code}01", f"{first.name}{lead.name.removeprefix(first.name)}教育集团",
                                "group", first, opened, members))
        second = counties[1] if len(counties) > 1 else first
        lead = max(juniors(second), key=lambda s: s.enrolment, default=None)
        if lead is not None:
            others = [s for s in juniors(second) if s is not lead][:3]
            if others:
                result.append(Group(f"JT{second.code}02", f"{second.name}{lead.name.removeprefix(second.name)}教育集团",
                                    "group", second, opened, [lead, *others]))
        zone_county = counties[-1]
        seat_schools = [s for s in zone_county.schools if s.town.kind == "street" and s.type_code in ("211", "311")]
        if len(seat_schools) >= 2:
            result.append(Group(f"XQ{zone_county.code}01", f"{zone_county.name}城区第一学区", "zone", zone_county,
                                opened, seat_schools[:4]))
        return result

    def aggregate_only(self, plan: Plan) -> None:
        """Leaves a handful of schools without person records, to exercise the aggregate import path."""
        preferences = (("111",), ("218",), ("211",), ("311", "312"), ("111",), ("211",))
        chosen = 0
        grouped = {id(s) for g in plan.groups for s in g.members}
        for index, county in enumerate(plan.counties()):
            if chosen >= self.spec.aggregate_only:
                break
            wanted = preferences[index % len(preferences)]
            candidates = [s for s in county.schools if s.type_code in wanted and id(s) not in grouped
                          and s.enrolment > 0 and (s.type_code != "111" or (index % 2 == 0) != s.public)]
            if candidates:
                candidates[-1].person_records = False
                chosen += 1


def build_plan(scale: str, *, seed: int, year: int) -> Plan:
    """The plan of the named scale (tiny, county, city, province) for a seed and school year."""
    if scale not in SCALES:
        raise ValueError(f"未知的规模“{scale}”，可选：{'、'.join(SCALES)}")
    return _Builder(SCALES[scale], seed, year).build()
