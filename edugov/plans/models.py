"""Work plans, their review, and the task ledger they become.

A Plan is a bureau's plan for a year across its revisions. Each upload is a PlanVersion holding the decoded text and
what the extractor found in it (sections, measures, targets), which staff then review. Publishing a version turns its
accepted measures into Tasks of the ledger; the tasks keep their progress reports and 督办 notices across later
revisions of the plan."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edugov.core.models import StoredFile
from edugov.registry.models import OrgUnit


class VersionStatus(models.TextChoices):
    REVIEW = "review", _("审核中")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本替代")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("已驳回")


class ItemOrigin(models.TextChoices):
    EXTRACTED = "extracted", _("自动识别")
    MANUAL = "manual", _("人工补充")


class Comparator(models.TextChoices):
    AT_LEAST = ">=", _("不低于")
    ABOVE = ">", _("高于")
    AT_MOST = "<=", _("不高于")
    BELOW = "<", _("低于")
    EQUAL = "==", _("达到（等于）")
    INCREASE_BY = "increase_by", _("增加")
    DECREASE_BY = "decrease_by", _("减少")
    ZERO = "zero", _("清零")
    COUNT = "count", _("完成数量")


class TargetKind(models.TextChoices):
    RATE = "rate_target", _("比率目标")
    COUNT = "count_target", _("数量目标")
    STANDARD = "standard", _("标准")
    ZERO = "zero_target", _("清零目标")
    CHANGE = "change_target", _("变化目标")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    # A later revision of the plan dropped the measure; the task and its history stay readable.
    WITHDRAWN = "withdrawn", _("已撤销")


OPEN_TASK_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)


class Plan(models.Model):
    """A bureau's work plan for one year (工作要点 / 工作计划 / 实施方案), across all its revisions. The unit that
    issues it owns the ledger; the published version's measures are the year's tasks."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("发文单位"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=300)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def published_version(self) -> PlanVersion | None:
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()

    @property
    def latest_version(self) -> PlanVersion | None:
        return self.versions.order_by("-number").first()


class PlanVersion(models.Model):
    """One uploaded document of a plan (the first text or a revision): the file as received, its decoded text,
    the metadata read from it, and the review of the sections, measures and targets found in it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("工作计划"))
    number = models.PositiveSmallIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.REVIEW)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField(_("文件大小"))
    stored_path = models.CharField(max_length=500, blank=True)
    # The decoded text exactly as read: every quote's offsets index it.
    text = models.TextField(_("正文"))
    doc_title = models.CharField(_("文件标题"), max_length=300, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    issued_on = models.DateField(_("发文日期"), null=True, blank=True)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    extractor_version = models.CharField(_("识别程序版本"), max_length=40)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("发布人"))

    class Meta:
        verbose_name = _("计划版本")
        verbose_name_plural = _("计划版本")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plans_version_number_unique"),
            # One published version per plan: the ledger has one source at a time.
            models.UniqueConstraint(fields=["plan"], condition=Q(status="published"),
                                    name="plans_one_published_version"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}（第{self.number}版）"


class PlanSection(models.Model):
    """A numbered or titled part of a plan version (一、… / （一）… / 1. …), nested as in the document."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    position = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField()
    label = models.CharField(_("序号"), max_length=20, blank=True)
    title = models.CharField(_("标题"), max_length=500)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    body_end = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return f"{self.label}{self.title}"


class ReviewItem(models.Model):
    """What measures and targets share: a verbatim quote anchored in the version's text and its review."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(PlanSection, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("所属章节"))
    position = models.PositiveIntegerField(default=0)
    quote = models.TextField(_("原文"))
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    origin = models.CharField(_("来源"), max_length=16, choices=ItemOrigin.choices, default=ItemOrigin.EXTRACTED)
    status = models.CharField(_("审核状态"), max_length=16, choices=ReviewStatus.choices,
                              default=ReviewStatus.PENDING)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["version", "start", "position"]


class Measure(ReviewItem):
    """A clause of the plan that commits to an action (the 举措 of a 任务分解表). Accepted and published, it becomes
    one Task per lead unit: "各区县教育局牵头" means every county answers for its own part."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="measures")
    content = models.TextField(_("工作任务"))
    named_lead_units = models.CharField(_("原文所列牵头单位"), max_length=500, blank=True)
    named_co_units = models.CharField(_("原文所列配合单位"), max_length=500, blank=True)
    lead_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name=_("牵头单位"))
    co_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name=_("配合单位"))
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    deadline_quote = models.CharField(_("原文时限"), max_length=100, blank=True)

    class Meta(ReviewItem.Meta):
        verbose_name = _("工作举措")
        verbose_name_plural = _("工作举措")

    def __str__(self) -> str:
        return self.content[:60]


class Target(ReviewItem):
    """A quantitative target (学前三年毛入园率达到95.5%, 新增学位1.5万个, 大班额清零): what is measured, how it is
    compared, the value, for whom (`owner`) and by when. Most come from a plan (`version`), quoted from its text;
    accepted targets of a published version are what the indicators evaluate against computed values. A bureau may
    also register a target of its own outside any plan (`version` empty, `entered_by` set): its quote is the
    sentence the system wrote from the form."""

    # nullable here only: measures always belong to a version (the abstract base's type says so)
    version = models.ForeignKey(  # type: ignore[assignment]
        PlanVersion, on_delete=models.CASCADE, related_name="targets", null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    entered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    measure = models.ForeignKey(Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="targets",
                                verbose_name=_("所属举措"))
    subject = models.CharField(_("指标对象"), max_length=200)
    comparator = models.CharField(_("比较方式"), max_length=16, choices=Comparator.choices)
    # Exact as written (95.5 stays 95.5): targets are compared on unrounded values.
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=6)
    value_max = models.DecimalField(_("目标上限"), max_digits=20, decimal_places=6, null=True, blank=True)
    unit_of_measure = models.CharField(_("单位"), max_length=20, blank=True)
    per = models.CharField(_("口径"), max_length=20, blank=True)
    deadline_text = models.CharField(_("原文时限"), max_length=20, blank=True)
    scope_text = models.CharField(_("适用范围"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=TargetKind.choices)
    indicator_code = models.CharField(_("关联指标"), max_length=64, blank=True)
    indicator_confidence = models.DecimalField(_("关联置信度"), max_digits=4, decimal_places=3, null=True,
                                               blank=True)
    owner = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("责任单位"))
    period_start = models.DateField(_("起始日期"), null=True, blank=True)
    period_end = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta(ReviewItem.Meta):
        verbose_name = _("量化目标")
        verbose_name_plural = _("量化目标")

    def __str__(self) -> str:
        return self.quote[:60]

    @property
    def plan_version(self) -> PlanVersion:
        """The plan version of a plan's target; a registered target has none (ValueError)."""
        if self.version is None:
            raise ValueError(f"target {self.pk} was registered outside a plan")
        return self.version


class Task(models.Model):
    """A line of the year's task ledger (任务分解表): work the plan assigns to a unit, with a deadline, a status and
    the owner's progress reports. It survives revisions of the plan: a revision updates it or withdraws it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("工作计划"))
    measure = models.ForeignKey(Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks",
                                verbose_name=_("来源举措"))
    number = models.PositiveIntegerField(_("序号"))
    section_title = models.CharField(_("所属章节"), max_length=500, blank=True)
    content = models.TextField(_("工作任务"))
    lead_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="lead_tasks",
                                  verbose_name=_("牵头单位"))
    co_units = models.ManyToManyField(OrgUnit, blank=True, related_name="co_tasks", verbose_name=_("配合单位"))
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    last_reported_at = models.DateTimeField(_("最近报送"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务台账")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plans_task_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.content[:50]}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.deadline is not None and self.status in OPEN_TASK_STATUSES and self.deadline < today


class TaskReport(models.Model):
    """A progress report from a task's owner (进展情况): what was done, how far along, and the evidence."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("报送人"))
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    progress = models.PositiveSmallIntegerField(_("完成进度（%）"))
    status = models.CharField(_("状态"), max_length=16, choices=TaskStatus.choices)
    text = models.TextField(_("进展情况"))

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["task", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.progress}% {self.text[:40]}"


class TaskEvidence(StoredFile):
    """A file the owner attaches to a progress report as proof (会议纪要, 照片, 验收报告 …). Stored by content hash."""

    report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")


class EscalationKind(models.TextChoices):
    OVERDUE = "overdue", _("逾期未完成")
    STALLED = "stalled", _("长期未报送进展")
    MANUAL = "manual", _("人工督办")


class Escalation(models.Model):
    """A 督办 notice: a task that is overdue or stalled, raised to a unit above its owner to follow up. It closes
    when the task is done (or withdrawn) or when the supervising unit resolves it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="escalations")
    to_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("督办单位"))
    level = models.PositiveSmallIntegerField(_("督办层级"), default=1)
    kind = models.CharField(_("督办原因"), max_length=16, choices=EscalationKind.choices)
    reason = models.TextField(_("督办说明"))
    raised_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("发起人"))
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One open notice per task and level: the daily sweep must not pile up duplicates.
            models.UniqueConstraint(fields=["task", "level"], condition=Q(resolved_at__isnull=True),
                                    name="plans_one_open_escalation_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_unit_id}（{self.level}）"
