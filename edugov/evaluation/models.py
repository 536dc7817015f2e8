"""Evaluation rounds (区县政府履行教育职责评价, 学校办学质量评价) around the pure engine in ``engine/``.

A round pins the scheme it was created with: its id, version, SHA-256 and the full JSON, so that its results can be
recomputed identically after a newer scheme file appears. Each evaluated unit's inputs are stage entries: the
system's catalogue data (stage ``data``), then the scheme's stages in order (自评 → 复评 → 抽查), each with evidence
files stored by content hash. Results keep the engine's full ``UnitResult.as_dict()`` and both hashes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edugov.core.models import StoredFile
from edugov.registry.models import OrgUnit

#: the system's own stage: values filled from the indicator catalogue before any human stage
DATA_STAGE = "data"
DATA_STAGE_NAME = "数据"
FINISHED = "finished"


class EvaluatedKind(models.TextChoices):
    COUNTY = "county", _("区县")
    SCHOOL = "school", _("学校")


class EntryKind(models.TextChoices):
    ITEM = "item", _("评价项目")
    ADJUSTMENT = "adjustment", _("加分/扣分")
    VETO = "veto", _("一票否决")


class EntrySource(models.TextChoices):
    MANUAL = "manual", _("人工录入")
    CATALOGUE = "catalogue", _("指标目录")


class EvaluationRound(models.Model):
    """One evaluation of a set of units (counties or schools) by a unit (the city or a county) for a year."""

    name = models.CharField(_("名称"), max_length=200)
    scheme_id = models.CharField(_("评价方案"), max_length=100)
    scheme_version = models.CharField(_("方案版本"), max_length=50)
    scheme_sha256 = models.CharField(_("方案 SHA-256"), max_length=64)
    scheme_json = models.JSONField(_("方案全文"))
    year = models.PositiveSmallIntegerField(_("评价年度"))
    data_year = models.PositiveSmallIntegerField(_("数据学年"), help_text=_("指标数据取自该学年（起始年份）"))
    evaluating_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="evaluation_rounds",
                                        verbose_name=_("评价单位"))
    evaluated_kind = models.CharField(_("被评价对象"), max_length=10, choices=EvaluatedKind.choices)
    units = models.ManyToManyField(OrgUnit, related_name="+", verbose_name=_("被评价单位"))
    stage = models.CharField(_("当前阶段"), max_length=50, help_text=_("方案阶段代码，全部结束后为 finished"))
    data_notes = models.JSONField(_("数据填报说明"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价轮次")
        verbose_name_plural = _("评价轮次")
        ordering = ["-year", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def finished(self) -> bool:
        return self.stage == FINISHED


class StageEntry(models.Model):
    """What one stage said about one item, 加分/扣分 or 一票否决 code for one evaluated unit.

    ``value`` (measured items) and ``points`` (manual items, adjustments) are exact decimal text; ``flag`` is the
    answer of a boolean item or a veto verdict; ``count`` is an adjustment given per unit (e.g. 2 accidents)."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="entries")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("被评价单位"))
    stage = models.CharField(_("阶段"), max_length=50)
    kind = models.CharField(_("类别"), max_length=12, choices=EntryKind.choices, default=EntryKind.ITEM)
    code = models.CharField(_("项目代码"), max_length=50)
    value = models.CharField(_("数值"), max_length=60, blank=True)
    points = models.CharField(_("分值"), max_length=60, blank=True)
    count = models.PositiveIntegerField(_("次数"), null=True, blank=True)
    flag = models.BooleanField(_("是/否"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=EntrySource.choices, default=EntrySource.MANUAL)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("阶段录入")
        verbose_name_plural = _("阶段录入")
        ordering = ["round", "unit", "stage", "code"]
        constraints = [models.UniqueConstraint(fields=["round", "unit", "stage", "code"],
                                               name="evaluation_entry_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.stage} {self.code}"


class StageEvidence(StoredFile):
    """A file attached to a stage entry (统计表, 文件, 照片), stored by SHA-256 under MEDIA_ROOT."""

    entry = models.ForeignKey(StageEntry, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["entry", "uploaded_at", "pk"]


class EvaluationResult(models.Model):
    """The engine's result for one unit of a round, with its rank among the round's units."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    result = models.JSONField()
    total = models.CharField(_("总分（精确）"), max_length=60)
    grade = models.CharField(_("等级"), max_length=50)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    rank = models.PositiveIntegerField(_("名次"))
    tied = models.BooleanField(_("并列"), default=False)
    decided_by = models.CharField(_("名次依据"), max_length=100, blank=True)
    inputs_sha256 = models.CharField(max_length=64)
    scheme_sha256 = models.CharField(max_length=64)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["round", "rank", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="evaluation_result_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.unit_id} {self.total} {self.grade}"
