"""Cases (个案) that units work through step by step, and the data the 控辍保学 rules open them from.

A Case follows a case type declared as data (edugov/cases/types/*.json, read by the pure engine): its state moves only
through the type's steps, each step is one Transition row, and `version` guards every move against a concurrent one.
The dropout rules read three kinds of imported facts: long absences (Absence), the 户籍 / population lists of
school-age children (ResidentChild) and the rosters schools submit of pupils actually in school (RosterUpload)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edugov.core.models import StoredFile
from edugov.registry.models import OrgUnit


class DetectionRule(models.TextChoices):
    ABSENCE = "absence", _("连续缺课")
    NO_XUEJI = "no_xueji", _("适龄未入学（户籍无学籍）")
    NOT_ON_ROSTER = "not_on_roster", _("有学籍不在校（人籍分离）")
    SCREENING = "screening", _("心理筛查预警")
    TARGET = "target", _("规划目标未达成")
    ACCEPTANCE = "acceptance", _("验收指标未达标")
    EVALUATION = "evaluation", _("督导评价失分或否决")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    HOME_VISIT = "home_visit", _("家访")
    INTERVIEW = "interview", _("约谈")
    MESSAGE = "message", _("短信/微信")
    NOTICE = "notice", _("书面通知")
    OTHER = "other", _("其他")


class Case(models.Model):
    """One matter a unit must see through, e.g. a child who may have dropped out of school (一生一案). It belongs to the
    responsible unit, names what it is about (a pupil's 学籍, a child on a 户籍 list, a teacher, a school or a
    督导 finding) and moves through the states of its case type."""

    case_type = models.CharField(_("个案类型"), max_length=40, db_index=True)
    type_version = models.PositiveSmallIntegerField(_("类型版本"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("责任单位"))
    year = models.PositiveSmallIntegerField(_("学年"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    student = models.ForeignKey("stats.StudentRecord", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="cases", verbose_name=_("学生学籍"))
    resident_child = models.ForeignKey("cases.ResidentChild", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="cases", verbose_name=_("户籍适龄儿童"))
    teacher = models.ForeignKey("stats.TeacherRecord", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="cases", verbose_name=_("教师"))
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("学校"))
    finding = models.CharField(_("关联问题"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=40)
    state_entered_at = models.DateTimeField(_("进入当前状态时间"))
    due_on = models.DateField(_("办理时限"), null=True, blank=True)
    # Compare-and-swap guard: every step bumps it, and a step only applies if it is still what the user saw.
    version = models.PositiveIntegerField(_("版本"), default=1)
    opened_at = models.DateTimeField(_("立案时间"), auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("立案人"))
    rule = models.CharField(_("发现规则"), max_length=20, choices=DetectionRule.choices, blank=True)
    # Who the case is about, for the rules' "one open case per person and rule" (normalised ID or 学籍号).
    subject_key = models.CharField(max_length=64, blank=True)
    # What triggered it (an absence, a list row, a roster upload): the same trigger never opens a second case.
    source_ref = models.CharField(max_length=64, blank=True, db_index=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The inspection a campus-safety hazard was found in.
    inspection = models.ForeignKey("cases.Inspection", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="hazards", verbose_name=_("检查"))
    # A follow-up after a step (回头看 after a hazard is closed, 随访 of a pupil): when it is due, when it was done.
    follow_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("回访完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "rule", "subject_key"],
                                    condition=Q(closed_at__isnull=True) & ~Q(rule="") & ~Q(subject_key=""),
                                    name="cases_one_open_case_per_subject_and_rule"),
        ]
        indexes = [models.Index(fields=["unit", "closed_at"], name="cases_unit_closed_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def subject_name(self) -> str:
        """The person's name (unmasked: callers mask it unless the user may see it)."""
        person = self.student or self.resident_child or self.teacher
        return person.name if person is not None else ""

    @property
    def subject_id_number(self) -> str:
        person = self.student or self.resident_child or self.teacher
        return person.id_number if person is not None else ""


class Transition(models.Model):
    """One step taken on a case: who, when, from which state to which, why, and the fields the step asked for."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    code = models.CharField(_("办理步骤"), max_length=40)
    label = models.CharField(_("步骤名称"), max_length=100)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("办理人"))
    actor_name = models.CharField(_("办理人"), max_length=150)
    at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    reason = models.TextField(_("办理说明"), blank=True)
    fields = models.JSONField(_("办理信息"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


class CaseEvidence(StoredFile):
    """A file attached to a step (家访照片, 返校证明, 批准文件 …), type- and size-checked, stored by content hash."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="evidence")

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")


class ContactRecord(models.Model):
    """One attempt to persuade a child back to school (劝返): who made contact, when, how, with whom, and what came
    of it. Every attempt is kept, successful or not."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(_("联系日期"))
    contacted_by = models.CharField(_("劝返人员"), max_length=100)
    method = models.CharField(_("方式"), max_length=16, choices=ContactMethod.choices)
    contact_person = models.CharField(_("联系对象"), max_length=100, blank=True)
    outcome = models.TextField(_("结果"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("劝返记录")
        verbose_name_plural = _("劝返记录")
        ordering = ["case", "contacted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contacted_on} {self.get_method_display()}"


class Notification(models.Model):
    """An in-app notice to a user or to a unit (everyone holding a role at it): a new case, a step awaiting them,
    an overdue case raised to the unit above. `key` makes a sweep's notice unique, so re-running sends nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="case_notifications", verbose_name=_("用户"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("单位"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("内容"), max_length=500)
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="cases_notification_unique_key"),
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(unit__isnull=False),
                                   name="cases_notification_has_recipient"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Absence(models.Model):
    """A run of consecutive school days a pupil was absent (from the school's attendance, entered or imported as one
    row per run, not per day). The absence rule opens a case when `days` reaches the configured limit."""

    student = models.ForeignKey("stats.StudentRecord", on_delete=models.CASCADE, related_name="absences",
                                verbose_name=_("学生学籍"))
    from_date = models.DateField(_("起始日期"))
    days = models.PositiveSmallIntegerField(_("连续缺课天数"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("连续缺课")
        verbose_name_plural = _("连续缺课")
        ordering = ["student", "from_date"]
        constraints = [models.UniqueConstraint(fields=["student", "from_date"], name="cases_absence_unique_start")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.from_date} {self.days}天"


class ResidentList(models.Model):
    """A list of children registered in a town or county (户籍 / 公安人口 / 卫健出生 data) handed to the bureau for
    one school year: the first of the 四查 (查户籍)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属地区"))
    year = models.PositiveSmallIntegerField(_("学年"))
    source = models.CharField(_("名单来源"), max_length=100)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))

    class Meta:
        verbose_name = _("户籍适龄儿童名单")
        verbose_name_plural = _("户籍适龄儿童名单")
        ordering = ["-year", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.year} {self.source}"


class ResidentChild(models.Model):
    """A child on a 户籍 / population list, with the validated 18-digit ID number (15-digit numbers upgraded)."""

    resident_list = models.ForeignKey(ResidentList, on_delete=models.CASCADE, related_name="children")
    row = models.PositiveIntegerField(_("行号"))
    id_number = models.CharField(_("身份证号"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属地区"))
    year = models.PositiveSmallIntegerField(_("学年"))
    address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    guardian = models.CharField(_("监护人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("户籍适龄儿童")
        verbose_name_plural = _("户籍适龄儿童")
        ordering = ["resident_list", "row"]
        constraints = [models.UniqueConstraint(fields=["resident_list", "id_number"],
                                               name="cases_resident_unique_id_per_list")]
        indexes = [models.Index(fields=["year", "id_number"], name="cases_resident_year_id_idx")]

    def __str__(self) -> str:
        return f"{self.resident_list_id}:{self.row}"


class RosterUpload(models.Model):
    """A school's list of the pupils actually present (在校生名册, by 学籍号) for a school year: compared with its
    学籍, a pupil registered but not present is a possible dropout (人籍分离)."""

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    year = models.PositiveSmallIntegerField(_("学年"))
    checked_on = models.DateField(_("点名日期"))
    student_nos = models.JSONField(_("在校学籍号"), default=list)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))

    class Meta:
        verbose_name = _("在校生名册")
        verbose_name_plural = _("在校生名册")
        ordering = ["-checked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.school_id} {self.checked_on}"


class InterventionKind(models.TextChoices):
    COUNSELLING = "counselling", _("个别心理辅导")
    GROUP = "group", _("团体辅导")
    FAMILY = "family", _("家校沟通")
    CRISIS = "crisis", _("危机干预")
    REFERRAL = "referral", _("转介沟通")
    FOLLOW_UP = "follow_up", _("随访")
    OTHER = "other", _("其他")


class InterventionRecord(models.Model):
    """One intervention on a mental-health case (辅导, 家校沟通, 危机干预, 随访 …). Seen only where the case is."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    on = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=16, choices=InterventionKind.choices)
    by = models.CharField(_("干预人员"), max_length=100)
    note = models.TextField(_("情况记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("干预记录")
        verbose_name_plural = _("干预记录")
        ordering = ["case", "on", "pk"]

    def __str__(self) -> str:
        return f"干预记录 #{self.pk}"


class ScreeningImport(models.Model):
    """One imported file of mental-health screening results, graded under one version of the cut-offs."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入单位"))
    year = models.PositiveSmallIntegerField(_("学年"))
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    cutoff_version = models.PositiveSmallIntegerField(_("分界值版本"))
    uploaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("导入人"))

    class Meta:
        verbose_name = _("心理筛查导入")
        verbose_name_plural = _("心理筛查导入")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"心理筛查导入 #{self.pk}"


class ScreeningResult(models.Model):
    """A pupil's score on one screening scale (PHQ-9, GAD-7, SCL-90, MHT …) and the risk level it gives under the
    cut-offs in force when it was imported."""

    batch = models.ForeignKey(ScreeningImport, on_delete=models.CASCADE, related_name="results")
    row = models.PositiveIntegerField(_("行号"))
    student = models.ForeignKey("stats.StudentRecord", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("学生学籍"))
    scale = models.CharField(_("量表"), max_length=20)
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    screened_on = models.DateField(_("筛查日期"))
    year = models.PositiveSmallIntegerField(_("学年"))
    risk_level = models.CharField(_("风险等级"), max_length=20)
    cutoff_version = models.PositiveSmallIntegerField(_("分界值版本"))
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("心理筛查结果")
        verbose_name_plural = _("心理筛查结果")
        ordering = ["batch", "row"]

    def __str__(self) -> str:
        return f"心理筛查结果 #{self.pk}"


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("日常检查")
    SPECIAL = "special", _("专项检查")
    HOLIDAY = "holiday", _("节假日前检查")
    REINSPECTION = "reinspection", _("回头看")


class Inspection(models.Model):
    """A campus-safety inspection of a school: when, by whom, what kind. Hazards found are cases of type hazard."""

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.CharField(_("检查人"), max_length=100)
    kind = models.CharField(_("检查类型"), max_length=16, choices=InspectionKind.choices)
    note = models.TextField(_("检查情况"), blank=True)
    # A 回头看 revisits a closed hazard.
    follows = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="reinspections",
                                verbose_name=_("回头看的隐患"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.get_kind_display()}"
