"""Admission rounds (招生入学), the applications parents file in them, and the lottery that places the children.

A bureau runs an EnrolmentRound per year and entry grade; the schools in it are RoundSchools with their seats and
priority tiers. A parent files an Application for a child with up to three ranked ApplicationChoices and uploads
Evidence; staff review it, and after the deadline the approved applications are matched to schools by deferred
acceptance with lottery numbers drawn from a committed seed (docs/enrolment.md). Every status change of an
application is an ApplicationEvent, which is also the parent's notification feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edugov.enrolment.choices import (
    ApplicationStatus,
    EvidenceKind,
    RoundKind,
    RoundStatus,
    Tier,
)
from edugov.registry.models import OrgUnit


class EnrolmentRound(models.Model):
    """One admission round of a district bureau: e.g. 东区2026年小学一年级招生, or its second round for the seats
    left over. It fixes the entry grade, the application window, the children's age window and the schools taking
    part; after the deadline it carries the seed commitment, the frozen lottery input and the verifiable result."""

    public_id = models.CharField(_("公开编号"), max_length=32, unique=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="enrolment_rounds",
                             verbose_name=_("主管教育局"))
    kind = models.CharField(_("学段"), max_length=16, choices=RoundKind.choices)
    year = models.PositiveSmallIntegerField(_("招生年度"))
    name = models.CharField(_("名称"), max_length=200)
    opens_at = models.DateTimeField(_("报名开始时间"))
    closes_at = models.DateTimeField(_("报名截止时间"))
    # The child's birth date must fall in [born_from, born_to]; empty bounds are not checked.
    born_from = models.DateField(_("出生日期不早于"), null=True, blank=True)
    born_to = models.DateField(_("出生日期不晚于"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    first_round = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="second_rounds", verbose_name=_("第一轮"))
    # SHA-256 of the seed, public from the commitment on; the seed itself stays sealed until the draw.
    seed_commitment = models.CharField(_("种子承诺值"), max_length=64, blank=True)
    sealed_seed = models.CharField(max_length=200, blank=True, editable=False)
    seed = models.CharField(_("种子"), max_length=200, blank=True)
    # The lottery input frozen at commitment (school codes and reference numbers only: no personal data).
    input_schools = models.BinaryField(default=b"", blank=True)
    input_applicants = models.BinaryField(default=b"", blank=True)
    input_sha256 = models.CharField(_("摇号输入 SHA-256"), max_length=64, blank=True)
    output_bytes = models.BinaryField(default=b"", blank=True)
    output_sha256 = models.CharField(_("结果 SHA-256"), max_length=64, blank=True)
    algorithm_version = models.CharField(_("算法版本"), max_length=64, blank=True)
    record = models.JSONField(_("运行记录"), null=True, blank=True)
    committed_at = models.DateTimeField(_("公布承诺时间"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("摇号时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("结果公布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("招生轮次")
        verbose_name_plural = _("招生轮次")
        ordering = ["-year", "-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                   name="enrolment_round_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_second_round(self) -> bool:
        return self.first_round_id is not None

    @property
    def is_committed(self) -> bool:
        return bool(self.seed_commitment)

    @property
    def results_public(self) -> bool:
        return self.status == RoundStatus.PUBLISHED


class RoundSchool(models.Model):
    """A school (or kindergarten) taking part in a round: its seats and the priority tiers it admits, best first.
    A child whose verified tier is not in the list is not eligible at this school (e.g. 随迁子女 at a school that
    admits only 房户一致 children this year)."""

    round = models.ForeignKey(EnrolmentRound, on_delete=models.CASCADE, related_name="schools",
                              verbose_name=_("招生轮次"))
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    capacity = models.PositiveIntegerField(_("招生计划数"))
    tiers = models.JSONField(_("录取顺位"), default=list)

    class Meta:
        verbose_name = _("招生学校")
        verbose_name_plural = _("招生学校")
        ordering = ["round", "school__code"]
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="enrolment_round_school_unique")]

    def __str__(self) -> str:
        return self.school.name

    @property
    def tier_labels(self) -> list[str]:
        labels = dict(Tier.choices)
        return [str(labels.get(code, code)) for code in self.tiers]


class Application(models.Model):
    """A parent's application (报名) for one child in one round, with the child's identity, the guardian's contact,
    the address the tiers rest on, up to three ranked school choices, and where the lottery placed the child.
    ``reference`` is the public number under which the child appears on the results page."""

    round = models.ForeignKey(EnrolmentRound, on_delete=models.PROTECT, related_name="applications",
                              verbose_name=_("招生轮次"))
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="enrolment_applications", verbose_name=_("报名账号"))
    reference = models.CharField(_("报名编号"), max_length=32)
    # A retried submission (double click, resent form) with the same key returns the same application.
    idempotency_key = models.CharField(max_length=64)
    child_name = models.CharField(_("儿童姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=[("1", _("男")), ("2", _("女"))])
    guardian_name = models.CharField(_("监护人姓名"), max_length=50)
    guardian_phone = models.CharField(_("监护人手机号"), max_length=11)
    address = models.CharField(_("现居住地址"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    return_reason = models.CharField(_("退回或不通过原因"), max_length=500, blank=True)
    lottery_number = models.CharField(_("摇号号码"), max_length=16, blank=True)
    admitted_school = models.ForeignKey(RoundSchool, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="admitted", verbose_name=_("录取学校"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("入学报名")
        verbose_name_plural = _("入学报名")
        ordering = ["round", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["round", "reference"], name="enrolment_application_reference_unique"),
            models.UniqueConstraint(fields=["round", "idempotency_key"],
                                    name="enrolment_application_idempotency_unique"),
            # One live application per child and round; a rejected one no longer blocks a corrected registration.
            models.UniqueConstraint(fields=["round", "id_number"], condition=~Q(status="rejected"),
                                    name="enrolment_one_live_application_per_child"),
        ]
        indexes = [models.Index(fields=["round", "status"], name="enrolment_app_round_status")]

    def __str__(self) -> str:
        return self.reference


class ApplicationChoice(models.Model):
    """One ranked school choice (志愿) of an application, with the tier the parent claims there and the tier staff
    verified from the evidence, and, after the draw, the child's place on that school's waiting list."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField(_("志愿序号"))
    school = models.ForeignKey(RoundSchool, on_delete=models.PROTECT, related_name="choices",
                               verbose_name=_("学校"))
    claimed_tier = models.CharField(_("申报顺位"), max_length=32, choices=Tier.choices)
    verified_tier = models.CharField(_("核定顺位"), max_length=32, choices=Tier.choices, blank=True)
    waitlist_rank = models.PositiveIntegerField(_("候补序号"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿")
        verbose_name_plural = _("志愿")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="enrolment_choice_rank_unique"),
            models.UniqueConstraint(fields=["application", "school"], name="enrolment_choice_school_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.rank}"


class Evidence(models.Model):
    """A document a parent uploaded for an application (户口簿, 房产证, 居住证 …), stored by its SHA-256 under
    MEDIA_ROOT/enrolment/."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("材料类型"), max_length=32, choices=EvidenceKind.choices)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("文件大小"))
    stored_path = models.CharField(max_length=500)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class ApplicationEvent(models.Model):
    """One step in an application's life (submitted, returned with a reason, approved, admitted, …): who, when,
    from which status to which. Events with ``notify`` are the parent's messages (站内通知)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    from_status = models.CharField(_("原状态"), max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ApplicationStatus.choices)
    reason = models.TextField(_("说明"), blank=True)
    notify = models.BooleanField(_("通知家长"), default=True)

    class Meta:
        verbose_name = _("报名记录")
        verbose_name_plural = _("报名记录")
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class ParentAccount(models.Model):
    """The contact data of a self-registered parent account (a user with no role)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_account")
    phone = models.CharField(_("手机号"), max_length=11)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("家长账号")
        verbose_name_plural = _("家长账号")

    def __str__(self) -> str:
        return str(self.user)


class Intake(models.Model):
    """A registration as it arrived at the intake endpoint (受理), before it is checked and filed as an Application.

    Under a burst — thousands of parents pressing 提交 when registration opens — the endpoint only records what was
    sent, once per idempotency key, in one statement; a worker then files each through the same checks as the form.
    The parent gets a receipt at once and the outcome (filed, with its reference, or refused, with the reason) a
    moment later."""

    # An append-only log written under load: no foreign-key checks in the database on insert (rounds are never
    # deleted while they have applications, and the receipt only records who sent what).
    round = models.ForeignKey(EnrolmentRound, on_delete=models.DO_NOTHING, related_name="intakes",
                              verbose_name=_("招生轮次"), db_constraint=False)
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
                               verbose_name=_("家长账号"), db_constraint=False)
    idempotency_key = models.CharField(_("防重复编号"), max_length=64)
    payload = models.JSONField(_("提交内容"))
    received_at = models.DateTimeField(_("受理时间"))
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    application = models.ForeignKey(Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("报名"))
    error = models.TextField(_("未受理原因"), blank=True)

    class Meta:
        verbose_name = _("报名受理")
        verbose_name_plural = _("报名受理")
        constraints = [
            models.UniqueConstraint(fields=["round", "idempotency_key"], name="enrolment_intake_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.idempotency_key}"
