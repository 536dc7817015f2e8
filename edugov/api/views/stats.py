"""Annual statistics per school (and population per district), one endpoint per table of the exchange format."""

from __future__ import annotations

from edugov.api import serializers
from edugov.api.filters import ancestor_param, choice_param, grade_param, unit_param, year_param
from edugov.api.views.base import ScopedReadOnlyViewSet, documented
from edugov.stats.choices import AgeBand, Stage
from edugov.stats.models import ClassSection, GradeEnrolment, PopulationByAge, SchoolYearStats, TeacherStats

TAG = "年度统计"

STAGE_PARAM = choice_param("stage", "学段。", Stage)
COMMON = (year_param(), unit_param(), ancestor_param())


@documented(TAG, "学校办学条件",
            "每所学校每学年的校舍、场地、设备、图书和公用经费。面积和金额为精确小数字符串，如 \"1234.50\"。")
class SchoolStatsViewSet(ScopedReadOnlyViewSet):
    queryset = SchoolYearStats.objects.select_related("unit").order_by("year", "unit__code")
    serializer_class = serializers.SchoolYearStatsSerializer
    filter_params = COMMON


@documented(TAG, "分年级在校生", "每所学校每学年各年级的在校生数（分性别）。")
class EnrolmentViewSet(ScopedReadOnlyViewSet):
    queryset = GradeEnrolment.objects.select_related("unit").order_by("year", "unit__code", "grade")
    serializer_class = serializers.GradeEnrolmentSerializer
    filter_params = (*COMMON, grade_param(), STAGE_PARAM)


@documented(TAG, "班级", "每个教学班的班额，是大班额统计的依据。")
class ClassSectionViewSet(ScopedReadOnlyViewSet):
    queryset = ClassSection.objects.select_related("unit").order_by("year", "unit__code", "grade", "name")
    serializer_class = serializers.ClassSectionSerializer
    filter_params = (*COMMON, grade_param())


@documented(TAG, "专任教师统计", "每所学校每学年每个学段的专任教师汇总数（学历、骨干、学科等）。")
class TeacherStatsViewSet(ScopedReadOnlyViewSet):
    queryset = TeacherStats.objects.select_related("unit").order_by("year", "unit__code", "stage")
    serializer_class = serializers.TeacherStatsSerializer
    filter_params = (*COMMON, STAGE_PARAM)


@documented(TAG, "分年龄人口", "区县（或镇街）分年龄段常住人口，用于计算毛入园率、毛入学率。")
class PopulationViewSet(ScopedReadOnlyViewSet):
    queryset = PopulationByAge.objects.select_related("unit").order_by("year", "unit__code", "age_band")
    serializer_class = serializers.PopulationSerializer
    filter_params = (
        year_param(), unit_param(description="区域代码（区县或镇街的机构代码）。"), ancestor_param(),
        choice_param("age_band", "年龄段。", AgeBand),
    )
