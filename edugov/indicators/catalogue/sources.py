"""The statistics sources a data element may sum over, as data: table, columns that can be summed or filtered, and
which disaggregations (学段, 城乡, 公办/民办, 性别) each supports. Pure: no Django.

A source with ``table=None`` is defined but not held by the registry yet (e.g. 体质健康测试, 视力筛查): elements over
it are valid definitions whose values are "no data" with ``missing_reason``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "DIMENSIONS",
    "GRADES_OF_STAGE",
    "SOURCES",
    "STAGES",
    "URBAN_RURAL_BANDS",
    "FilterColumn",
    "Source",
]

STAGES: tuple[str, ...] = ("kindergarten", "primary", "junior", "senior")
#: 学段 → grade codes (6-3-3, as edugov.stats.grades.stage_of), for sources that store a grade but no stage
GRADES_OF_STAGE: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "kindergarten": ("K0", "K1", "K2", "K3"),
    "primary": ("1", "2", "3", "4", "5", "6"),
    "junior": ("7", "8", "9"),
    "senior": ("10", "11", "12"),
})
#: 城乡 bands of the education statistics over the 城乡分类代码 (standards.md §4.2, CONFIRMED)
URBAN_RURAL_BANDS: Mapping[str, frozenset[str]] = MappingProxyType({
    "城区": frozenset({"111", "112"}),
    "镇区": frozenset({"121", "122", "123"}),
    "乡村": frozenset({"210", "220"}),
})
#: disaggregation → its Chinese label and allowed values
DIMENSIONS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType({
    "stage": ("学段", STAGES),
    "urban_rural": ("城乡", tuple(URBAN_RURAL_BANDS)),
    "public": ("公办/民办", ("公办", "民办")),
    "sex": ("性别", ("男", "女")),
})


@dataclass(frozen=True)
class FilterColumn:
    """A column rows can be filtered on. ``kind`` is str, int, decimal or bool; ``values`` lists the allowed values
    of a str column (empty = any). ``via_stage``: the filter is given as 学段 and applied to the grade column."""

    column: str
    kind: str
    label_zh: str
    values: tuple[str, ...] = ()
    via_stage: bool = False


@dataclass(frozen=True)
class Source:
    """One statistics table as seen by data elements.

    ``per`` is "school" (rows belong to schools, which school-attribute filters and 城乡/公办 apply to) or "area"
    (rows belong to counties or towns, e.g. population). ``nullable``: a missing row or NULL field means
    "not reported", never 0. ``sex_columns``: for aggregate tables that hold sexes as columns (male, female), the
    measure a sex disaggregation selects.
    """

    name: str
    label_zh: str
    table: str | None
    per: str
    measures: Mapping[str, str]
    countable: bool
    filters: Mapping[str, FilterColumn] = field(default_factory=lambda: MappingProxyType({}))
    nullable: bool = False
    sex_columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    missing_reason: str = ""

    @property
    def held(self) -> bool:
        return self.table is not None

    def supports(self, dimension: str) -> bool:
        if dimension in ("urban_rural", "public"):
            return self.per == "school"
        if dimension == "stage":
            return "stage" in self.filters
        if dimension == "sex":
            return bool(self.sex_columns) or "sex" in self.filters
        return False


def _cols(**columns: FilterColumn) -> Mapping[str, FilterColumn]:
    return MappingProxyType(columns)


_STAGE = FilterColumn("stage", "str", "学段", STAGES)
_STAGE_VIA_GRADE = FilterColumn("grade", "str", "学段", STAGES, via_stage=True)
_GRADE = FilterColumn("grade", "str", "年级")
_SEX = FilterColumn("sex", "str", "性别", ("1", "2"))

SOURCES: Mapping[str, Source] = MappingProxyType({s.name: s for s in (
    Source("enrolment", "分年级在校生", "stats_gradeenrolment", "school",
           MappingProxyType({"male": "男生数", "female": "女生数"}), countable=False,
           filters=_cols(stage=_STAGE, grade=_GRADE),
           sex_columns=MappingProxyType({"男": "male", "女": "female"})),
    Source("classes", "班级", "stats_classsection", "school", MappingProxyType({"size": "班额"}), countable=True,
           filters=_cols(stage=_STAGE_VIA_GRADE, grade=_GRADE, size=FilterColumn("size", "int", "班额"))),
    Source("teachers", "专任教师统计", "stats_teacherstats", "school", MappingProxyType({
        "fulltime": "专任教师数", "female": "其中女", "edu_postgraduate": "研究生学历", "edu_bachelor": "本科学历",
        "edu_associate": "专科学历", "edu_below_associate": "高中及以下学历", "backbone_county": "县级骨干教师",
        "backbone_city": "市级骨干教师", "backbone_province": "省级及以上骨干教师", "pe_teachers": "体育专任教师",
        "music_teachers": "音乐专任教师", "art_teachers": "美术专任教师", "certified": "持教师资格证",
        "training_hours": "本年培训学时合计"}), countable=False, filters=_cols(stage=_STAGE)),
    Source("facilities", "学校年度办学条件", "stats_schoolyearstats", "school", MappingProxyType({
        "teaching_area": "教学及辅助用房面积", "sports_ground_area": "运动场地面积", "gym_area": "体育馆面积",
        "equipment_value": "教学仪器设备资产值", "multimedia_classrooms": "网络多媒体教室数",
        "library_books": "图书", "music_rooms": "音乐专用教室", "art_rooms": "美术专用教室",
        "operating_expenditure": "公用经费支出"}), countable=False, nullable=True),
    Source("population", "分年龄人口", "stats_populationbyage", "area", MappingProxyType({"population": "人口数"}),
           countable=False, filters=_cols(age_band=FilterColumn("age_band", "str", "年龄段",
                                                               ("3-5", "6-11", "12-14", "15-17")))),
    Source("students", "学生学籍", "stats_studentrecord", "school", MappingProxyType({}), countable=True,
           filters=_cols(stage=_STAGE_VIA_GRADE, grade=_GRADE, sex=_SEX,
                         residence=FilterColumn("residence", "str", "户籍类别", ("local", "migrant")),
                         disability=FilterColumn("disability", "str", "残疾类型"),
                         boarding=FilterColumn("boarding", "bool", "寄宿"),
                         left_behind=FilterColumn("left_behind", "bool", "留守儿童"))),
    Source("teacher_records", "教师信息", "stats_teacherrecord", "school",
           MappingProxyType({"training_hours": "本年培训学时"}), countable=True,
           filters=_cols(stage=_STAGE, sex=_SEX, is_fulltime=FilterColumn("is_fulltime", "bool", "专任教师"),
                         has_certificate=FilterColumn("has_certificate", "bool", "持教师资格证"),
                         training_hours=FilterColumn("training_hours", "decimal", "本年培训学时"))),
    Source("health_screening", "学生体质健康测试与视力筛查", None, "school", MappingProxyType({
        "screened": "视力筛查人数", "myopic": "筛查性近视人数", "pe_tested": "体质健康测试人数",
        "pe_pass": "体质健康达标（及格及以上）人数", "pe_good": "体质健康优良人数"}), countable=False,
           filters=_cols(stage=_STAGE),
           missing_reason="缺少学生体质健康测试与视力筛查数据（平台尚未建立该数据表）"),
    Source("disabled_population", "适龄残疾儿童少年人口", None, "area",
           MappingProxyType({"population": "适龄残疾儿童少年数"}), countable=False,
           missing_reason="缺少适龄残疾儿童少年人口数据（残联统计，平台尚未建立该数据表）"),
)})
