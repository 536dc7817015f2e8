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
