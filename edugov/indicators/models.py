"""The indicator catalogue in the database: data elements and indicator definitions, each a chain of versions.

A definition is never changed in place. Editing it (in the admin, or by a newer shipped catalogue) adds a row with
the next version and marks it current; earlier rows stay, so a value computed earlier keeps naming the version it
was computed with and that version can still be read.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    SHIPPED = "shipped", _("随系统发布")
    ADMIN = "admin", _("管理员修改")


class _Versioned(models.Model):
    code = models.CharField(_("代码"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("版本"))
    is_current = models.BooleanField(_("现行版本"), default=True)
    name_zh = models.CharField(_("名称"), max_length=200)
    spec = models.JSONField(_("定义"),
                            help_text=_("JSON 格式的定义（不含代码、名称、版本），格式见 docs/indicators.md"))
    origin = models.CharField(_("来源"), max_length=16, choices=Origin.choices, default=Origin.SHIPPED)
    note = models.CharField(_("修改说明"), max_length=500, blank=True)
    created_by = models.CharField(_("修改人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name_zh}（{self.code} v{self.version}）"

    def as_entry(self) -> dict[str, object]:
        """The definition as one catalogue-file entry (what the pure parser reads)."""
        return {**self.spec, "code": self.code, "name_zh": self.name_zh, "version": self.version}


class DataElement(_Versioned):
    """A data element (数据元素): a named sum or row count over one statistics table with filters, e.g. 在园幼儿数 =
    Σ(男+女) of 分年级在校生 where 学段 = 学前."""

    class Meta:
        verbose_name = _("数据元素")
        verbose_name_plural = _("数据元素")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="indicators_dataelement_unique_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True),
                                    name="indicators_dataelement_one_current"),
        ]


class IndicatorDefinition(_Versioned):
    """An indicator (指标): Σ numerator elements ÷ Σ denominator elements × factor, with its Chinese name,
    definition, unit, level, source clause, threshold and whether each is CONFIRMED or UNCERTAIN."""

    class Meta:
        verbose_name = _("指标定义")
        verbose_name_plural = _("指标定义")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="indicators_indicatordefinition_unique_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True),
                                    name="indicators_indicatordefinition_one_current"),
        ]


class IndicatorValueRecord(models.Model):
    """A stored catalogue value for one org unit, school year and indicator (see ``edugov.indicators.stored``).

    Written by ``stored.recompute`` (every unit below the roots) and ``stored.recompute_for_school`` (one school and
    its ancestors after its data changed); the same numbers as computing live. ``fraction``, ``numerator`` and
    ``denominator`` are exact ("p/q" or an integer, "" = none); ``value`` is the fraction rounded half up to 12
    places for ordering and filtering in SQL (SQLite keeps decimals as doubles, so read ``fraction`` for exactness).
    ``version`` and ``element_versions`` name the definitions it was computed with.
    """

    unit = models.ForeignKey("registry.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    year = models.PositiveSmallIntegerField(_("学年"))
    code = models.CharField(_("指标代码"), max_length=64)
    version = models.PositiveIntegerField(_("指标版本"))
    element_versions = models.JSONField(_("数据元素版本"), default=dict)
    value = models.DecimalField(_("值"), max_digits=40, decimal_places=12, null=True, blank=True)
    fraction = models.TextField(_("精确值"), blank=True)
    numerator = models.TextField(_("分子"), blank=True)
    denominator = models.TextField(_("分母"), blank=True)
    met = models.BooleanField(_("达标"), null=True, blank=True)
    reason = models.TextField(_("无数据原因"), blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "code"], name="indicators_value_unique_unit_year_code"),
        ]
        indexes = [models.Index(fields=["year", "code"], name="indicators_value_year_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.year} #{self.unit_id}: {self.fraction or self.reason}"
