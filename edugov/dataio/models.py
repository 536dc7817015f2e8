from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    PREVIEWED = "previewed", _("待确认")
    INVALID = "invalid", _("有错误")
    APPLYING = "applying", _("导入中")
    APPLIED = "applied", _("已导入")
    FAILED = "failed", _("失败")


class ImportRun(models.Model):
    """One upload of a workbook or CSV file: its validation (dry run) and, once confirmed, its application.

    The file itself is kept so that the preview the user confirmed is exactly what gets applied."""

    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    file_name = models.CharField(_("文件名"), max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # {"表名": {"new": n, "changed": n, "unchanged": n, "error": n}}
    summary = models.JSONField(default=dict, blank=True)
    # [{"file":…, "sheet":…, "row":…, "column":…, "value":…, "problem":…, "fix":…, "count":…}]
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(self.rows_done * 100 / self.rows_total))
