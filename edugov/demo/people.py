"""Pupils and teachers of one school, drawn from the school's own random stream.

Each school's people depend only on (seed, school code) and the shared ID-number counters, so a school's rows can
be produced, written and forgotten before the next school starts: memory stays bounded at any scale.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edugov.demo import vocab
from edugov.demo.plan import GRADE_AGE, School
from edugov.demo.rng import Rng, WeightedTable, derive_seed
from edugov.lib.idcard import check_digit
from edugov.stats.grades import GRADE_LABELS

__all__ = ["IdNumbers", "TeacherDraw", "pupil_rows", "teacher_draws"]

_YES, _NO = "是", "否"
_SURNAMES = WeightedTable(vocab.SURNAMES)
_ETHNICITIES = WeightedTable(vocab.ETHNICITIES)
_HARDSHIP = WeightedTable(vocab.HARDSHIP_KINDS)
_DISABILITY_MAINSTREAM = WeightedTable(vocab.DISABILITIES_MAINSTREAM)
_DISABILITY_SPECIAL = WeightedTable(vocab.DISABILITIES_SPECIAL)


class IdNumbers:
    """Issues unique, valid 18-digit resident ID numbers (GB 11643).

    The sequence part (digits 15–17) counts up per (address code, birth date, sex) from a per-region offset, odd for
    boys and even for girls; the check character comes from :func:`edugov.lib.idcard.check_digit`. Counters live in
    compact arrays (two bytes per region, day and sex), so even the province needs only a few megabytes.
    """

    _FIRST_DAY = date(1950, 1, 1).toordinal()

    def __init__(self, seed: int, last_year: int) -> None:
        self._seed = seed
        self._days = date(last_year + 1, 1, 1).toordinal() - self._FIRST_DAY
        self._counters: dict[str, array[int]] = {}
        self._offsets: dict[str, int] = {}

    def issue(self, region: str, birth: date, male: bool) -> str:
        counters = self._counters.get(region)
        if counters is None:
            counters = array("H", bytes(4 * self._days))
            self._counters[region] = counters
            # Real sequences start wherever the local police station's block starts; vary it per region.
            self._offsets[region] = 2 * (derive_seed(self._seed, "id-offset", region) % 150)
        slot = (birth.toordinal() - self._FIRST_DAY) * 2 + (0 if male else 1)
        issued = counters[slot]
        counters[slot] = issued + 1
        sequence = self._offsets[region] + 2 * issued + (1 if male else 2)
        if sequence > 999:
            raise RuntimeError(f"地区 {region} 在 {birth} 出生的人数超过了身份证顺序码的容量")
        first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
        return first17 + check_digit(first17)


def _given_name(rng: Rng, male: bool, older: bool) -> str:
    if older:
        chars = vocab.OLDER_MALE_CHARS if male else vocab.OLDER_FEMALE_CHARS
        pool = chars if rng.chance(0.6) else (vocab.BOY_CHARS if male else vocab.GIRL_CHARS)
    else:
        pool = vocab.BOY_CHARS if male else vocab.GIRL_CHARS
    if rng.chance(0.12 if not older else 0.3):
        return rng.choice(pool)
    first = rng.choice(vocab.NEUTRAL_FIRST_CHARS) if rng.chance(0.2) and not older else rng.choice(pool)
    second = rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return first + second


def person_name(rng: Rng, male: bool, *, older: bool = False) -> str:
    return _SURNAMES.pick(rng) + _given_name(rng, male, older)


def _birth_date(rng: Rng, year: int, age: int) -> date:
    """A birthday making the person ``age`` on 1 September of ``year``: Sep(year−age−1) … Aug(year−age)."""
    first = date(year - age - 1, 9, 1).toordinal()
    last = date(year - age, 8, 31).toordinal()
    return date.fromordinal(rng.randint(first, last))


def pupil_rows(school: School, *, year: int, seed: int, ids: IdNumbers, migrant_origins: tuple[str, ...]
               ) -> Iterator[list[object]]:
    """学生 rows for every pupil of the school, class by class, in the column order of tables.STUDENTS."""
    rng = Rng(derive_seed(seed, "pupils", school.code))
    county = school.county
    setting = school.setting
    special = school.type_code == "514"
    migrant_rate = {"urban": county.profile.migrant, "town": 0.05, "rural": 0.01}[setting]
    if not school.public:
        migrant_rate = min(0.6, migrant_rate * 2)  # private schools take many children of migrant workers
    left_behind_rate = {"urban": 0.01, "town": 0.07, "rural": 0.12}[setting]
    hardship_rate = {"urban": 0.02, "town": 0.035, "rural": 0.05}[setting]
    for section in school.sections:
        stage = section.stage
        boarding_rate = _boarding_rate(school, stage)
        for grade in section.grades:
            age = GRADE_AGE[grade]
            label = GRADE_LABELS[grade]
            for number, size in enumerate(section.classes[grade], start=1):
                class_name = f"{number}班"
                for _ in range(size):
                    male = rng.chance(0.52)
                    late = rng.randint(1, 3) if special and rng.chance(0.5) else (1 if rng.chance(0.015) else 0)
                    birth = _birth_date(rng, year, age + late)
                    migrant = rng.chance(migrant_rate)
                    region = county.code
                    while migrant and region == county.code:  # 随迁 means registered in another county
                        region = rng.choice(migrant_origins)
                    id_number = ids.issue(region, birth, male)
                    boarding = boarding_rate > 0 and rng.chance(
                        boarding_rate if stage != "primary" or grade in ("4", "5", "6") else boarding_rate / 4)
                    left_behind = stage != "senior" and not migrant and rng.chance(left_behind_rate)
                    if special:
                        disability = _DISABILITY_SPECIAL.pick(rng)
                    else:
                        disability = _DISABILITY_MAINSTREAM.pick(rng) if rng.chance(0.003) else ""
                    hardship = _hardship(rng) if rng.chance(hardship_rate) else ""
                    yield [
                        year, "G" + id_number, id_number, person_name(rng, male), "男" if male else "女", birth,
                        _ETHNICITIES.pick(rng), school.code, label, class_name, _YES if boarding else _NO,
                        "随迁子女" if migrant else "本地户籍", _YES if left_behind else _NO, disability, hardship,
                    ]


def _boarding_rate(school: School, stage: str) -> float:
    if school.type_code == "514":
        return 0.4
    if stage == "kindergarten":
        return 0.0
    if stage == "senior":
        return 0.35 if school.setting == "urban" else 0.7
    if stage == "junior":
        return {"urban": 0.02, "town": 0.45, "rural": 0.6}[school.setting]
    # Primary: only older pupils of remote schools board, and only at central schools.
    if school.type_code == "218" or school.stat_code[9] == "2":
        return 0.0
    return {"urban": 0.0, "town": 0.04, "rural": 0.15}[school.setting]


def _hardship(rng: Rng) -> str:
    kinds = {_HARDSHIP.pick(rng)}
    if rng.chance(0.1):
        kinds.add(_HARDSHIP.pick(rng))
    return "、".join(k for k in vocab.HARDSHIP_ORDER if k in kinds)


# -- teachers -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeacherDraw:
    """One teacher as generated; rendered as a 教师 row or summed into 专任教师统计."""

    staff_no: str
    id_number: str
    name: str
    male: bool
    birth: date
    ethnicity: str
    stage: str
    fulltime: bool
    education: str
    title: str
    subject: str
    backbone: str
    certified: bool
    training_hours: int

    def row(self, year: int, school_code: str) -> list[object]:
        return [
            year, self.staff_no, self.id_number, self.name, "男" if self.male else "女", self.birth, self.ethnicity,
            school_code, _STAGE_WORDS[self.stage], _YES if self.fulltime else _NO, self.education, self.title,
            self.subject, self.backbone, _YES if self.certified else _NO, Decimal(self.training_hours),
        ]


_STAGE_WORDS = {"kindergarten": "学前", "primary": "小学", "junior": "初中", "senior": "高中"}

# GB/T 4658 codes by stage and setting: 14 硕士, 21 本科, 31 专科, 41 中专, 61 高中. Rural primary schools still
# have older teachers from the 中师 era; the county profile's qualification factor shifts weight further down.
_EDUCATION: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    ("kindergarten", "urban"): (("14", 1), ("21", 55), ("31", 38), ("41", 6)),
    ("kindergarten", "town"): (("21", 40), ("31", 48), ("41", 12)),
    ("kindergarten", "rural"): (("21", 30), ("31", 50), ("41", 17), ("61", 3)),
    ("primary", "urban"): (("14", 8), ("21", 80), ("31", 11), ("41", 1)),
    ("primary", "town"): (("14", 2), ("21", 64), ("31", 29), ("41", 5)),
    ("primary", "rural"): (("21", 45), ("31", 40), ("41", 12), ("61", 3)),
    ("junior", "urban"): (("14", 12), ("21", 84), ("31", 4)),
    ("junior", "town"): (("14", 3), ("21", 80), ("31", 17)),
    ("junior", "rural"): (("14", 1), ("21", 66), ("31", 31), ("41", 2)),
    ("senior", "urban"): (("14", 22), ("21", 77), ("31", 1)),
    ("senior", "town"): (("14", 12), ("21", 86), ("31", 2)),
    ("senior", "rural"): (("14", 8), ("21", 88), ("31", 4)),
}
_LOWER_EDUCATION = frozenset({"31", "41", "61"})

# Subjects (names of the subject code list) by stage; PE, music and art are scaled by the county's arts factor.
_SUBJECTS: dict[str, tuple[tuple[str, float], ...]] = {
    "primary": (("语文", 32), ("数学", 25), ("英语", 8), ("科学", 6), ("道德与法治", 5), ("信息技术", 3),
                ("综合实践", 2), ("心理健康", 1), ("劳动", 1), ("体育", 8), ("音乐", 5), ("美术", 5)),
    "junior": (("语文", 15), ("数学", 15), ("英语", 14), ("物理", 7), ("化学", 5), ("生物", 5), ("历史", 6),
               ("地理", 5), ("道德与法治", 6), ("信息技术", 3), ("心理健康", 1), ("体育", 8), ("音乐", 4),
               ("美术", 4)),
    "senior": (("语文", 14), ("数学", 14), ("英语", 13), ("物理", 10), ("化学", 9), ("生物", 8), ("历史", 7),
               ("地理", 7), ("道德与法治", 6), ("信息技术", 4), ("心理健康", 1), ("体育", 7), ("音乐", 2),
               ("美术", 2)),
}
_ARTS = frozenset({"体育", "音乐", "美术"})
_BACKBONE_SETTING = {"urban": 0.20, "town": 0.13, "rural": 0.06}

_tables_cache: dict[tuple[object, ...], WeightedTable[str]] = {}


def _table(key: tuple[object, ...], pairs: tuple[tuple[str, float], ...]) -> WeightedTable[str]:
    table = _tables_cache.get(key)
    if table is None:
        table = WeightedTable(pairs)
        _tables_cache[key] = table
    return table


def _education_table(stage: str, setting: str, qualification: float) -> WeightedTable[str]:
    pairs = tuple((code, w * (qualification if code in _LOWER_EDUCATION else 1.0))
                  for code, w in _EDUCATION[(stage, setting)])
    return _table(("edu", stage, setting, qualification), pairs)


def _subject_table(stage: str, arts: float) -> WeightedTable[str]:
    pairs = tuple((name, w * (arts if name in _ARTS else 1.0)) for name, w in _SUBJECTS[stage])
    return _table(("subject", stage, arts), pairs)


def _title(rng: Rng, age: int, stage: str, public: bool) -> str:
    if not public and stage == "kindergarten":
        return "未定职级" if rng.chance(0.8) else "二级教师"
    if age < 26:
        return "未定职级" if rng.chance(0.4) else "二级教师"
    if age < 36:
        return "二级教师" if rng.chance(0.45) else "一级教师"
    if age < 46:
        roll = rng.random()
        return "一级教师" if roll < 0.6 else ("高级教师" if roll < 0.96 else "二级教师")
    roll = rng.random()
    return "高级教师" if roll < 0.5 else ("一级教师" if roll < 0.98 else "正高级教师")


def teacher_draws(school: School, *, year: int, seed: int, ids: IdNumbers, staff_regions: tuple[str, ...]
                  ) -> Iterator[TeacherDraw]:
    """The school's full-time teachers (section by section) plus a few staff who teach without being 专任教师."""
    rng = Rng(derive_seed(seed, "teachers", school.code))
    profile = school.county.profile
    setting = school.setting
    arts_setting = {"urban": 1.0, "town": 0.75, "rural": 0.45}[setting]
    number = 0
    for section in school.sections:
        stage = section.stage
        extra = 1 if section.teachers >= 20 and rng.chance(0.6) else 0
        female_share = {"kindergarten": 0.97, "primary": {"urban": 0.86, "town": 0.74, "rural": 0.62}[setting],
                        "junior": 0.62, "senior": 0.54}[stage]
        education = _education_table(stage, setting, profile.qualification if stage != "senior" else 1.0)
        subjects = _subject_table(stage, round(profile.arts * arts_setting, 2)) if stage != "kindergarten" else None
        backbone_rate = _BACKBONE_SETTING[setting] * profile.backbone * (0.5 if stage == "kindergarten" else 1.0)
        for index in range(section.teachers + extra):
            number += 1
            male = not rng.chance(female_share)
            # Rural schools have both the oldest teachers and the newest (特岗) recruits.
            young = 0.3 if setting == "rural" else 0.18
            age = rng.randint(22, 29) if rng.chance(young) else rng.randint(30, 54 if not male else 59)
            birth = date.fromordinal(rng.randint(date(year - age - 1, 9, 2).toordinal(),
                                                 date(year - age, 9, 1).toordinal()))
            code = education.pick(rng)
            if age >= 48 and code == "21" and rng.chance(0.3):
                code = "31"  # older teachers more often upgraded only to 专科 through in-service study
            if school.type_code == "218":
                subject = rng.choice(("语文", "数学", "数学", "语文", "其他"))
            elif subjects is None:
                subject = ""
            else:
                subject = subjects.pick(rng)
            if school.type_code == "514":
                subject = rng.choice(("语文", "数学", "其他", "体育", "美术", "音乐", "劳动"))
            # Of county-level-or-higher backbone teachers, about 72% are 县级, 23% 市级 and 5% 省级.
            roll = rng.random() / backbone_rate if backbone_rate > 0 else 1.0
            if roll < 1.0:
                backbone = "县级" if roll < 0.72 else ("市级" if roll < 0.95 else "省级")
            else:
                backbone = "校级" if rng.chance(0.08) else ""
            certified_rate = 0.86 if not school.public else {"urban": 0.99, "town": 0.975, "rural": 0.95}[setting]
            hours = 0 if rng.chance(0.03) else max(0, min(120, round(rng.gauss(72, 24))))
            # Most teachers grew up in the county; the rest came from elsewhere in the province or beyond.
            region = school.county.code if rng.chance(0.8) else rng.choice(staff_regions)
            yield TeacherDraw(
                staff_no=f"T{school.code}{number:04d}",
                id_number=ids.issue(region, birth, male),
                name=person_name(rng, male, older=age >= 40),
                male=male,
                birth=birth,
                ethnicity=_ETHNICITIES.pick(rng),
                stage=stage,
                fulltime=index < section.teachers,
                education=code,
                title=_title(rng, age, stage, school.public),
                subject=subject,
                backbone=backbone,
                certified=rng.chance(certified_rate),
                training_hours=hours,
            )
