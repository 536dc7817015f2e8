"""精准资助: external lists of families in need, matched to pupils, and the aid candidates they produce.

An ExternalList is one upload of a list (低保, 特困, 脱贫 …) for a county or town and school year; its rows keep the ID
number as written and normalised, and how it matched. An AidCandidate is one pupil proposed for one programme and
year; it moves candidate → school_reviewed → district_approved → disbursed (or rejected, with a reason), each move a
compare-and-swap on `version`. A Disbursement is one payment on an approved candidate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edugov.aid.engine import LIST_TYPES
from edugov.registry.models import OrgUnit

LIST_TYPE_CHOICES: list[tuple[str, str]] = list(LIST_TYPES.items())


class RowStatus(models.TextChoices):
    EXACT = "exact", _("身份证号匹配")
    FLAGGED = "flagged", _("姓名+出生日期疑似匹配，待复核")
    UNMATCHED = "unmatched", _("未匹配到学籍")


class IdStatus(models.TextChoices):
    VALID = "valid", _("有效")
    BAD_CHECK = "bad_check", _("校验位错误")
    MISSING = "missing", _("未填写")


class MatchKind(models.TextChoices):
    EXACT = "exact", _("身份证号匹配")
    FLAGGED = "flagged", _("疑似匹配（需核实身份）")


class CandidateStatus(models.TextChoices):
    CANDIDATE = "candidate", _("待学校审核")
    SCHOOL_REVIEWED = "school_reviewed", _("学校已审核")
    DISTRICT_APPROVED = "district_approved", _("区县已审批")
    DISBURSED = "disbursed", _("已发放")
    REJECTED = "rejected", _("不予资助")


class ExternalList(models.Model):
    list_type = models.CharField(_("名单类型"), max_length=16, choices=LIST_TYPE_CHOICES)
    source = models.CharField(_("名单来源"), max_length=100, help_text=_("如：民政局低保名单、乡村振兴局监测名单"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属地区"))
    year = models.PositiveSmallIntegerField(_("学年"))
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))

    class Meta:
        verbose_name = _("外部名单")
        verbose_name_plural = _("外部名单")
        ordering = ["-year", "-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_list_type_display()} {self.source}"


class ExternalListRow(models.Model):
    external_list = models.ForeignKey(ExternalList, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("行号"))
    raw_id = models.CharField(_("原始身份证号"), max_length=40, blank=True)
    id_number = models.CharField(_("身份证号（规范化）"), max_length=18, blank=True, db_index=True)
    id_status = models.CharField(_("身份证号状态"), max_length=16, choices=IdStatus.choices)
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    status = models.CharField(_("匹配情况"), max_length=16, choices=RowStatus.choices)
    student = models.ForeignKey("stats.StudentRecord", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("匹配学籍"))

    class Meta:
        verbose_name = _("外部名单行")
        verbose_name_plural = _("外部名单行")
        ordering = ["external_list", "row"]

    def __str__(self) -> str:
        return f"{self.external_list_id}:{self.row}"


class AidCandidate(models.Model):
    student = models.ForeignKey("stats.StudentRecord", on_delete=models.PROTECT, related_name="aid_candidates",
                                verbose_name=_("学生学籍"))
    programme = models.CharField(_("资助项目"), max_length=40)
    programme_version = models.PositiveSmallIntegerField(_("标准版本"))
    year = models.PositiveSmallIntegerField(_("学年"))
    amount = models.DecimalField(_("资助金额（元/年）"), max_digits=10, decimal_places=2)
    lists = models.JSONField(_("所在名单"), default=list)
    match_kind = models.CharField(_("匹配方式"), max_length=16, choices=MatchKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=CandidateStatus.choices,
                              default=CandidateStatus.CANDIDATE)
    reason = models.TextField(_("说明"), blank=True)
    # Compare-and-swap guard: every step bumps it, and a step only applies if it is still what the user saw.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("学校审核人"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("区县审批人"))

    class Meta:
        verbose_name = _("资助对象")
        verbose_name_plural = _("资助对象")
        ordering = ["year", "programme", "student__unit_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["student", "programme", "year"],
                                               name="aid_candidate_unique_student_programme_year")]

    def __str__(self) -> str:
        return f"{self.programme} {self.year} {self.student_id}"


class Disbursement(models.Model):
    candidate = models.ForeignKey(AidCandidate, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("发放金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("发放日期"))
    reference = models.CharField(_("发放凭证号"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金发放")
        verbose_name_plural = _("资金发放")
        ordering = ["candidate", "paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.amount} {self.paid_on}"
