"""Annual statistics per school and school year, district population, and person records of pupils and teachers.

A school year is stored as the calendar year it starts in (2024 = 2024–2025学年). Areas and money are Decimal so
that indicator thresholds are compared exactly. Aggregate rows carry a source: rows imported as aggregates stand
until person records exist for that school and year, after which they are derived from the person records.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edugov.stats.choices import AgeBand, Residence, Sex, Source, Stage


def _year_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(_("学年"), db_index=True,
                                            help_text=_("学年起始年份，2024 表示 2024-2025 学年"))


def _area(verbose: str) -> models.DecimalField:
    return models.DecimalField(_(verbose), max_digits=14, decimal_places=2, null=True, blank=True)


class SchoolYearStats(models.Model):
    """One school's facilities and finance for one school year, as reported in the annual education statistics."""

    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="year_stats",
                             verbose_name=_("学校"))
    year = _year_field()
    teaching_area = _area("教学及辅助用房面积（平方米）")
    sports_ground_area = _area("运动场地面积（平方米）")
    gym_area = _area("体育馆面积（平方米）")
    equipment_value = models.DecimalField(_("教学仪器设备资产值（元）"), max_digits=16, decimal_places=2, null=True,
                                          blank=True)
    multimedia_classrooms = models.PositiveIntegerField(_("网络多媒体教室数（间）"), null=True, blank=True)
    library_books = models.PositiveIntegerField(_("图书（册）"), null=True, blank=True)
    music_rooms = models.PositiveIntegerField(_("音乐专用教室（间）"), null=True, blank=True)
    art_rooms = models.PositiveIntegerField(_("美术专用教室（间）"), null=True, blank=True)
    operating_expenditure = models.DecimalField(_("公用经费支出（元）"), max_digits=16, decimal_places=2, null=True,
                                                blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("学校年度办学条件")
        verbose_name_plural = _("学校年度办学条件")
        ordering = ["year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="stats_schoolyearstats_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"


class GradeEnrolment(models.Model):
    """Pupils enrolled in one grade of one school in one school year, by sex (在校生数)."""

    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="enrolments",
                             verbose_name=_("学校"))
    year = _year_field()
    grade = models.CharField(_("年级"), max_length=3)
    stage = models.CharField(_("学段"), max_length=16, choices=Stage.choices)
    male = models.PositiveIntegerField(_("男生数"))
    female = models.PositiveIntegerField(_("女生数"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.IMPORTED)

    class Meta:
        verbose_name = _("分年级在校生")
        verbose_name_plural = _("分年级在校生")
        ordering = ["year", "unit_id", "grade"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "grade"], name="stats_gradeenrolment_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.grade}: {self.total}"

    @property
    def total(self) -> int:
        return self.male + self.female


class ClassSection(models.Model):
    """A teaching class (班级) and its size in one school year; the basis of 大班额 counts."""

    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="class_sections",
                             verbose_name=_("学校"))
    year = _year_field()
    grade = models.CharField(_("年级"), max_length=3)
    name = models.CharField(_("班级"), max_length=50)
    size = models.PositiveIntegerField(_("班额（人）"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.IMPORTED)

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["year", "unit_id", "grade", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "grade", "name"], name="stats_classsection_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.grade} {self.name}: {self.size}"


class TeacherStats(models.Model):
    """Full-time teachers (专任教师) of one section of one school in one year, by qualification, backbone level and
    subject: the inputs of the 优质均衡 staffing indicators. Counts of people, never of posts."""

    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="teacher_stats",
                             verbose_name=_("学校"))
    year = _year_field()
    stage = models.CharField(_("学段"), max_length=16, choices=Stage.choices)
    fulltime = models.PositiveIntegerField(_("专任教师数"))
    female = models.PositiveIntegerField(_("其中女"), default=0)
    edu_postgraduate = models.PositiveIntegerField(_("研究生学历"), default=0)
    edu_bachelor = models.PositiveIntegerField(_("本科学历"), default=0)
    edu_associate = models.PositiveIntegerField(_("专科学历"), default=0)
    edu_below_associate = models.PositiveIntegerField(_("高中及以下学历"), default=0)
    backbone_county = models.PositiveIntegerField(_("县级骨干教师"), default=0)
    backbone_city = models.PositiveIntegerField(_("市级骨干教师"), default=0)
    backbone_province = models.PositiveIntegerField(_("省级及以上骨干教师"), default=0)
    pe_teachers = models.PositiveIntegerField(_("体育专任教师"), default=0)
    music_teachers = models.PositiveIntegerField(_("音乐专任教师"), default=0)
    art_teachers = models.PositiveIntegerField(_("美术专任教师"), default=0)
    certified = models.PositiveIntegerField(_("持教师资格证"), default=0)
    training_hours = models.DecimalField(_("本年培训学时合计"), max_digits=12, decimal_places=1, default=0)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.IMPORTED)

    class Meta:
        verbose_name = _("专任教师统计")
        verbose_name_plural = _("专任教师统计")
        ordering = ["year", "unit_id", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "stage"], name="stats_teacherstats_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.stage}: {self.fulltime}"


class PopulationByAge(models.Model):
    """Resident population of an age band in a county (or town) for a year: the denominator of enrolment rates."""

    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="population",
                             verbose_name=_("区域"))
    year = _year_field()
    age_band = models.CharField(_("年龄段"), max_length=8, choices=AgeBand.choices)
    population = models.PositiveIntegerField(_("人口数"))

    class Meta:
        verbose_name = _("分年龄人口")
        verbose_name_plural = _("分年龄人口")
        ordering = ["year", "unit_id", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "age_band"], name="stats_populationbyage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.age_band}: {self.population}"


class StudentRecord(models.Model):
    """A pupil's 学籍 as it stood in one school year: identity, school, grade and class, and the flags that aid,
    dropout-prevention and equity indicators need. Personal data of a minor: read through scoped querysets only."""

    year = _year_field()
    student_no = models.CharField(_("学籍号"), max_length=32)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族代码"), max_length=2, blank=True)
    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="students",
                             verbose_name=_("学校"))
    grade = models.CharField(_("年级"), max_length=3)
    class_name = models.CharField(_("班级"), max_length=50, blank=True)
    boarding = models.BooleanField(_("寄宿"), default=False)
    residence = models.CharField(_("户籍类别"), max_length=16, choices=Residence.choices, default=Residence.LOCAL)
    left_behind = models.BooleanField(_("留守儿童"), default=False)
    disability = models.CharField(_("残疾类型"), max_length=2, blank=True)
    hardship = models.CharField(_("家庭经济困难类型"), max_length=200, blank=True,
                                help_text=_("多个类型以顿号分隔，如“低保、孤儿”"))

    class Meta:
        verbose_name = _("学生学籍")
        verbose_name_plural = _("学生学籍")
        ordering = ["year", "unit_id", "grade", "class_name", "student_no"]
        constraints = [
            models.UniqueConstraint(fields=["year", "student_no"], name="stats_studentrecord_unique_no"),
            models.UniqueConstraint(fields=["year", "id_number"], condition=~Q(id_number=""),
                                    name="stats_studentrecord_unique_id"),
        ]
        indexes = [models.Index(fields=["unit", "year"], name="stats_student_unit_year_idx")]

    def __str__(self) -> str:
        return f"{self.student_no} {self.year}"


class TeacherRecord(models.Model):
    """A teacher's record in one school year: qualification (GB/T 4658), title, subject, backbone level,
    certificate and training hours. The per-school teacher statistics derive from these when they exist."""

    year = _year_field()
    staff_no = models.CharField(_("教职工号"), max_length=32)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族代码"), max_length=2, blank=True)
    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="teachers",
                             verbose_name=_("学校"))
    stage = models.CharField(_("任教学段"), max_length=16, choices=Stage.choices)
    is_fulltime = models.BooleanField(_("专任教师"), default=True)
    education_code = models.CharField(_("学历代码"), max_length=2)
    title_code = models.CharField(_("职称"), max_length=2, blank=True)
    subject = models.CharField(_("任教学科"), max_length=20, blank=True)
    backbone_level = models.CharField(_("骨干级别"), max_length=2, blank=True)
    has_certificate = models.BooleanField(_("持教师资格证"), default=True)
    training_hours = models.DecimalField(_("本年培训学时"), max_digits=7, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("教师信息")
        verbose_name_plural = _("教师信息")
        ordering = ["year", "unit_id", "staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["year", "staff_no"], name="stats_teacherrecord_unique_no"),
            models.UniqueConstraint(fields=["year", "id_number"], condition=~Q(id_number=""),
                                    name="stats_teacherrecord_unique_id"),
        ]
        indexes = [models.Index(fields=["unit", "year"], name="stats_teacher_unit_year_idx")]

    def __str__(self) -> str:
        return f"{self.staff_no} {self.year}"
