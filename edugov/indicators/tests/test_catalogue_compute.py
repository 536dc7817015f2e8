"""The catalogue engine on the shared personas plus hand-made statistics; every expected value is computed by hand.

GIVEN the 2024 data below:

- 幼儿园: 东区新镇中心幼儿园 (公办, 普惠, 镇区) 100 children (K1 30 boys + 28 girls, K2 20 + 22);
  西区阳光幼儿园 (民办普惠, 乡村) 50 (25 + 25); 西区小天使幼儿园 (民办, not 普惠, 乡村) 50 (26 + 24).
  Teachers 8 (7 certified, 3 本科, 4 专科, 1 below) and 4 (4 certified, 2 专科, 2 below); 小天使 reports none.
- 3-5岁人口: 东区 120, 西区 130, and 东区新镇 90 (a town row under a county row: the county row counts).
- Classes: 东区实验小学 45, 58, 70, 40; 东区新镇中学 57; the kindergarten's 58 (not counted); 西区第一小学 80, 50, 50.
- Pupils: 东区实验小学 428, 东区新镇中学 115 (grade 7) + 100 (grade 9), 西区第一小学 390;
  2022 grade 7 of 东区新镇中学: 110.
- Teachers (primary/junior): 东区实验小学 30 (25 本科, 3 专科, 2 below; backbone 3 county + 1 city; 2160 h),
  东区新镇中学 12 (1 研究生, 10 本科, 1 专科; 1 province backbone; 720 h), 西区第一小学 40 (5 本科, 30 专科, 5 below;
  2 county backbone; 2000 h).
- 公用经费: 东区实验小学 720000, 东区新镇中学 230000, 西区第一小学 a row without it; kindergartens no row.
- 随迁子女 学籍: 东区实验小学 (公办) 2 boys + 1 girl, 西区民办小学 (民办) 1 boy + 1 girl; one local pupil.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.management import call_command

from conftest import City, make_school
from edugov.indicators.catalogue import load_shipped, parse_catalogue
from edugov.indicators.compute import Snapshot, compute_all, compute_indicator, disaggregate, rows_behind
from edugov.indicators.models import IndicatorDefinition
from edugov.registry.models import OrgUnit
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    PopulationByAge,
    SchoolYearStats,
    StudentRecord,
    TeacherStats,
)

YEAR = 2024


class Data:
    def __init__(self, city: City) -> None:
        self.city = city
        self.sunshine = make_school("1137030002", "西区阳光幼儿园", city.west, school_type="111", urban_rural="220",
                                    sponsor="999", inclusive=True)
        self.angel = make_school("1137030003", "西区小天使幼儿园", city.west, school_type="111", urban_rural="220",
                                 sponsor="999", inclusive=False)
        self.private_primary = make_school("2137030009", "西区民办小学", city.west, urban_rural="220", sponsor="999")


def enrol(unit: OrgUnit, grade: str, stage: str, male: int, female: int, year: int = YEAR) -> None:
    GradeEnrolment.objects.create(unit=unit, year=year, grade=grade, stage=stage, male=male, female=female)


def migrant(unit: OrgUnit, no: str, sex: str, residence: str = "migrant") -> None:
    StudentRecord.objects.create(year=YEAR, student_no=no, name="学生" + no, sex=sex, birth_date=dt.date(2017, 1, 1),
                                 unit=unit, grade="1", residence=residence)


@pytest.fixture
def data(city: City) -> Data:
    d = Data(city)
    p, j, k, w = city.east_primary, city.east_junior, city.east_kindergarten, city.west_primary
    enrol(k, "K1", "kindergarten", 30, 28)
    enrol(k, "K2", "kindergarten", 20, 22)
    enrol(d.sunshine, "K1", "kindergarten", 25, 25)
    enrol(d.angel, "K1", "kindergarten", 26, 24)
    enrol(p, "1", "primary", 120, 113)
    enrol(p, "2", "primary", 100, 95)
    enrol(j, "7", "junior", 60, 55)
    enrol(j, "9", "junior", 50, 50)
    enrol(j, "7", "junior", 55, 55, year=YEAR - 2)
    enrol(w, "1", "primary", 200, 190)
    for unit, population in ((city.east, 120), (city.west, 130), (city.east_town, 90)):
        PopulationByAge.objects.create(unit=unit, year=YEAR, age_band="3-5", population=population)
    PopulationByAge.objects.create(unit=city.east, year=YEAR, age_band="15-17", population=200)
    for unit, grade, name, size in [(p, "1", "1班", 45), (p, "1", "2班", 58), (p, "2", "1班", 70), (p, "2", "2班", 40),
                                    (j, "7", "1班", 57), (k, "K1", "小一班", 58), (w, "1", "1班", 80),
                                    (w, "1", "2班", 50), (w, "1", "3班", 50)]:
        ClassSection.objects.create(unit=unit, year=YEAR, grade=grade, name=name, size=size)
    TeacherStats.objects.create(unit=k, year=YEAR, stage="kindergarten", fulltime=8, certified=7, edu_bachelor=3,
                                edu_associate=4, edu_below_associate=1)
    TeacherStats.objects.create(unit=d.sunshine, year=YEAR, stage="kindergarten", fulltime=4, certified=4,
                                edu_associate=2, edu_below_associate=2)
    TeacherStats.objects.create(unit=p, year=YEAR, stage="primary", fulltime=30, edu_bachelor=25, edu_associate=3,
                                edu_below_associate=2, backbone_county=3, backbone_city=1,
                                training_hours=Decimal("2160"))
    TeacherStats.objects.create(unit=j, year=YEAR, stage="junior", fulltime=12, edu_postgraduate=1, edu_bachelor=10,
                                edu_associate=1, backbone_province=1, training_hours=Decimal("720"))
    TeacherStats.objects.create(unit=w, year=YEAR, stage="primary", fulltime=40, edu_bachelor=5, edu_associate=30,
                                edu_below_associate=5, backbone_county=2, training_hours=Decimal("2000"))
    SchoolYearStats.objects.create(unit=p, year=YEAR, operating_expenditure=Decimal("720000"))
    SchoolYearStats.objects.create(unit=j, year=YEAR, operating_expenditure=Decimal("230000.50"))
    SchoolYearStats.objects.create(unit=w, year=YEAR, teaching_area=Decimal("3000"))
    for no, sex in (("M1", "1"), ("M2", "1"), ("M3", "2")):
        migrant(p, no, sex)
    migrant(p, "L1", "1", residence="local")
    migrant(d.private_primary, "M4", "1")
    migrant(d.private_primary, "M5", "2")
    return d


def values(unit: OrgUnit, **kwargs: Any) -> dict[str, Any]:
    return {v.code: v for v in compute_all(unit, YEAR, **kwargs)}


# ----------------------------------------------------------------------------------------------- the catalogue


def test_the_shipped_catalogue_is_valid_and_uses_the_plan_lexicon_codes() -> None:
    catalogue = parse_catalogue(*load_shipped())
    for code in ("preschool_gross_enrolment", "inclusive_kindergarten_coverage", "public_kindergarten_share",
                 "large_class", "super_large_class", "myopia_rate", "junior_retention", "senior_gross_enrolment",
                 "per_pupil_funding", "pe_health_pass_rate", "teacher_training_hours", "backbone_teachers"):
        assert code in catalogue.indicators
    assert len(catalogue.indicators) == 25


def test_the_catalogue_is_in_the_database_after_migrate(db: None) -> None:
    assert IndicatorDefinition.objects.filter(is_current=True).count() == 25
    row = IndicatorDefinition.objects.get(code="preschool_gross_enrolment")
    assert (row.version, row.origin, row.spec["threshold"]["value"]) == (1, "shipped", "85")


# --------------------------------------------------------------------------------------- hand-computed values


def test_preschool_indicators_of_the_city_are_computed_exactly(data: Data) -> None:
    v = values(data.city.city)
    assert v["preschool_gross_enrolment"].value == Fraction(200, 250) * 100 == 80
    assert v["preschool_gross_enrolment"].met is False  # ≥ 85
    assert v["public_kindergarten_share"].value == 50 and v["public_kindergarten_share"].met is True
    assert v["inclusive_kindergarten_coverage"].value == 75 and v["inclusive_kindergarten_coverage"].met is False
    assert v["kindergarten_child_teacher_ratio"].value == Fraction(200, 12)
    ratio = v["kindergarten_child_teacher_ratio"]
    assert ratio.display == "16.7" and ratio.met is False
    assert v["kindergarten_teacher_certified_rate"].value == Fraction(1100, 12)
    assert v["teacher_qualification_kindergarten"].value == 75


def test_a_county_population_row_wins_over_its_towns_rows(data: Data) -> None:
    east = compute_indicator("preschool_gross_enrolment", data.city.east, YEAR)
    assert east.value == Fraction(100 * 100, 120)
    assert east.display == "83.3"
    assert sum(c.denominator or 0 for c in east.contributions) == 120


def test_class_size_indicators_exclude_kindergarten_classes(data: Data) -> None:
    city = values(data.city.city)
    assert city["large_class"].value == 50 and city["large_class_count"].value == 4
    assert city["super_large_class"].value == 25 and city["super_large_class_count"].value == 2
    assert city["large_class"].met is False and city["super_large_class"].met is False
    east = values(data.city.east)
    assert east["large_class"].value == 60 and east["super_large_class"].value == 20


def test_classes_above_the_standard_size_count_primary_over_45_and_junior_over_50(data: Data) -> None:
    # 东区实验小学 (primary): 45 (at the standard, not counted), 58, 70, 40 → 2; 东区新镇中学 (junior): 57 → 1;
    # the kindergarten's 58 is not counted; 西区第一小学 (primary): 80, 50, 50 → 3 (50 is over the primary 45).
    city = values(data.city.city)
    assert city["oversize_class_count"].value == 6
    assert city["oversize_class_count"].met is False  # ≤ 0
    assert city["oversize_class_count"].threshold is not None and city["oversize_class_count"].threshold.uncertain
    assert values(data.city.east)["oversize_class_count"].value == 3
    assert values(data.city.west)["oversize_class_count"].value == 3


def test_a_junior_class_of_exactly_50_is_within_the_standard_and_51_is_not(city: City) -> None:
    j = city.east_junior
    ClassSection.objects.create(unit=j, year=YEAR, grade="8", name="1班", size=50)
    assert compute_indicator("oversize_class_count", city.east, YEAR).value == 0
    assert compute_indicator("oversize_class_count", city.east, YEAR).met is True
    ClassSection.objects.create(unit=j, year=YEAR, grade="8", name="2班", size=51)
    assert compute_indicator("oversize_class_count", city.east, YEAR).value == 1


def test_compulsory_and_teacher_indicators_are_computed_exactly(data: Data) -> None:
    city = values(data.city.city)
    assert city["backbone_teachers"].value == Fraction(700, 1033)
    assert city["teacher_qualification_primary"].value == 90
    assert city["teacher_qualification_junior"].value == Fraction(1100, 12)
    assert city["teacher_training_hours"].value == Fraction(4880, 94)
    assert city["teacher_training_hours"].threshold is not None and city["teacher_training_hours"].threshold.uncertain
    assert city["junior_retention"].value == Fraction(10000, 110) and city["junior_retention"].met is False
    assert city["senior_gross_enrolment"].value == 0  # 0 senior pupils over 200 people: a real 0, not "no data"
    assert city["migrant_public_share"].value == 60 and city["migrant_public_share"].met is False


def test_per_pupil_funding_is_exact_for_a_school_and_no_data_where_a_school_did_not_report(data: Data) -> None:
    junior = compute_indicator("per_pupil_funding", data.city.east_junior, YEAR)
    assert junior.value == Fraction(Decimal("230000.50")) / 215 and junior.display == "1069.77"
    city = compute_indicator("per_pupil_funding", data.city.city, YEAR)
    assert city.value is None
    assert "未报送“公用经费支出”" in city.reason and "西区第一小学" in city.reason
    # 西区民办小学 has no pupils: it need not report funding
    assert "西区民办小学" not in city.reason


# ------------------------------------------------------------------------------------------------ no data


def test_empty_denominators_and_missing_sources_are_no_data_with_a_reason(data: Data) -> None:
    city = values(data.city.city)
    assert city["myopia_rate"].value is None and "缺少学生体质健康测试与视力筛查数据" in city["myopia_rate"].reason
    assert city["pe_health_pass_rate"].no_data and city["pe_health_good_rate"].no_data
    assert "缺少适龄残疾儿童少年人口数据" in city["disabled_enrolment_rate"].reason
    assert city["teacher_qualification_senior"].value is None
    assert city["teacher_qualification_senior"].reason == "分母“高中专任教师数”为0，无数据"
    west = values(data.city.west)
    assert west["junior_retention"].value is None and "为0" in west["junior_retention"].reason
    assert west["senior_gross_enrolment"].reason == "缺少“15-17岁常住人口”数据"


def test_a_county_level_indicator_is_not_computed_for_a_school(data: Data) -> None:
    v = compute_indicator("preschool_gross_enrolment", data.city.east_kindergarten, YEAR)
    assert v.value is None and v.reason == "该指标适用于区县及以上，不对学校计算"


def test_a_year_without_any_data_gives_no_data_everywhere_and_no_crash(city: City) -> None:
    for v in compute_all(city.city, 2010):
        assert v.value is None or v.code.endswith("_count"), v.code
        assert v.reason or v.value == 0


# ------------------------------------------------------------------------------------- filters, disaggregation


def test_urban_rural_filter_restricts_schools_by_their_band_on_the_reference_date(data: Data) -> None:
    urban = compute_indicator("large_class", data.city.city, YEAR, filters={"urban_rural": "城区"})
    assert (urban.numerator, urban.denominator, urban.value) == (3, 7, Fraction(300, 7))
    town = compute_indicator("large_class", data.city.city, YEAR, filters={"urban_rural": "镇区"})
    assert town.value == 100
    rural = compute_indicator("large_class", data.city.city, YEAR, filters={"urban_rural": "乡村"})
    assert rural.value is None and "为0" in rural.reason


def test_public_filter_and_sex_disaggregation(data: Data) -> None:
    private = compute_indicator("kindergarten_child_teacher_ratio", data.city.city, YEAR, filters={"public": "民办"})
    assert private.value == Fraction(100, 4)
    by_sex = disaggregate("public_kindergarten_share", data.city.city, YEAR, by="sex")
    assert by_sex["男"].value == Fraction(5000, 101) and by_sex["女"].value == Fraction(5000, 99)
    migrants = disaggregate("migrant_public_share", data.city.city, YEAR, by="sex")
    assert migrants["男"].value == Fraction(200, 3) and migrants["女"].value == 50
    gross = disaggregate("preschool_gross_enrolment", data.city.city, YEAR, by="sex")["女"]
    assert gross.value is None and gross.reason == "“3-5岁常住人口”（分年龄人口）不能按性别分解"


def test_stage_disaggregation_intersects_with_the_elements_own_stage(data: Data) -> None:
    primary = compute_indicator("backbone_teachers", data.city.city, YEAR, filters={"stage": "primary"})
    assert primary.value == Fraction(600, 818)
    kg = compute_indicator("backbone_teachers", data.city.city, YEAR, filters={"stage": "kindergarten"})
    assert kg.value is None


# ------------------------------------------------------------------------------------------ drill-down, versions


def test_drill_down_parts_sum_to_the_total_and_name_the_schools(data: Data) -> None:
    v = compute_indicator("large_class", data.city.city, YEAR)
    by_code = {c.unit.code: (c.numerator, c.denominator) for c in v.contributions}
    assert by_code["2137020001"] == (2, 4) and by_code["2137030001"] == (1, 3)
    assert sum(c.numerator or 0 for c in v.contributions) == v.numerator == 4
    assert sum(c.denominator or 0 for c in v.contributions) == v.denominator == 8
    rows = rows_behind(v, data.city.east_primary)
    assert sorted(r.size for r in rows["classes_56plus"]) == [58, 70]
    assert rows["classes_school_age"].count() == 4


def test_every_value_names_its_definition_and_element_versions(data: Data) -> None:
    v = compute_indicator("inclusive_kindergarten_coverage", data.city.city, YEAR)
    assert v.version == 1
    assert dict(v.element_versions) == {"kg_children_public": 1, "kg_children_private_inclusive": 1, "kg_children": 1}


def test_children_are_computed_from_one_snapshot(data: Data, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(45):
        snap = Snapshot(data.city.city, YEAR)
        east = snap.value("public_kindergarten_share", data.city.east.pk)
        west = snap.value("public_kindergarten_share", data.city.west.pk)
        snap.values()
    assert east.value == 100 and west.value == 0


@pytest.mark.parametrize("extra", [1, 15])
def test_the_query_count_does_not_grow_with_the_number_of_schools(
        data: Data, extra: int, django_assert_max_num_queries: Any) -> None:
    for i in range(extra):
        school = make_school(f"21370299{i:02d}", f"小学{i}", data.city.east_town)
        enrol(school, "1", "primary", 10, 10)
    with django_assert_max_num_queries(45):
        compute_all(data.city.city, YEAR)


# ------------------------------------------------------------------------------------------------------ CLI


def test_the_compute_command_prints_every_catalogue_indicator_as_json(data: Data) -> None:
    out = io.StringIO()
    call_command("indicators_compute", unit="370200", year=YEAR, children=True, format="json", stdout=out)
    report = json.loads(out.getvalue())
    catalogue = {i["code"]: i for i in report["catalogue"]}
    assert len(catalogue) == 25
    share = catalogue["kindergarten_child_teacher_ratio"]
    assert (share["value"], share["fraction"], share["display"], share["version"]) == (
        "16.666666666667", "50/3", "16.7", 1)
    assert catalogue["public_kindergarten_share"]["value"] == "50"
    assert catalogue["myopia_rate"]["value"] is None and catalogue["myopia_rate"]["no_data_reason"]
    assert catalogue["teacher_training_hours"]["threshold"]["uncertain"] is True
    assert [c["unit"]["code"] for c in report["children"]] == ["370202", "370203"]
    east = {i["code"]: i for i in report["children"][0]["catalogue"]}
    assert east["large_class"]["value"] == "60"


def test_the_compute_command_prints_text_with_no_data_and_uncertain_marks(data: Data) -> None:
    out = io.StringIO()
    call_command("indicators_compute", unit="370200", year=YEAR, stdout=out)
    text = out.getvalue()
    assert "学前三年毛入园率：80.0 %（v1，标准 ≥ 85，未达标）" in text
    assert "总体近视率：无数据（缺少学生体质健康测试与视力筛查数据" in text
    assert "标准 ≥ 72，阈值待核实" in text
