from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edugov.allocation.choices import DrawKind, DrawSource, DrawStatus


class Draw(models.Model):
    """A public, verifiable allocation run of a bureau or school (均衡分班, 教师组抽签 or 排座).

    Its life has two steps. At commitment the input file, the parameters and the SHA-256 of the seed are fixed and
    published while the seed itself stays sealed; at the draw the seed is revealed, checked against the commitment,
    and the engine's output and run record are stored. Anyone can then re-run the engine from the stored input and
    compare hashes. Instead of a secret seed, a draw may name a future public number (``seed_source``) that becomes
    the seed once it is known."""

    public_id = models.CharField(_("公开编号"), max_length=32, unique=True)
    org_unit = models.ForeignKey("registry.OrgUnit", on_delete=models.PROTECT, related_name="draws",
                                 verbose_name=_("机构"))
    kind = models.CharField(_("类型"), max_length=16, choices=DrawKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=DrawStatus.choices, default=DrawStatus.COMMITTED)
    # SHA-256 of the seed, public from the start; empty when the seed is a future public number.
    seed_commitment = models.CharField(_("种子承诺值"), max_length=64, blank=True)
    seed_source = models.CharField(_("种子来源"), max_length=300, blank=True,
                                   help_text=_("使用将来公布的公开数字作为种子时，写明是哪个数字"))
    # The secret seed chosen at commitment. Never displayed or exported before the draw; the commitment makes any
    # later change detectable, because a different seed no longer hashes to the published value.
    sealed_seed = models.CharField(max_length=200, blank=True, editable=False)
    seed = models.CharField(_("种子"), max_length=200, blank=True)
    parameters = models.JSONField(_("参数"), default=dict)
    source = models.CharField(_("输入来源"), max_length=16, choices=DrawSource.choices, default=DrawSource.UPLOAD)
    input_name = models.CharField(_("输入文件名"), max_length=255)
    input_bytes = models.BinaryField()
    input_sha256 = models.CharField(_("输入文件 SHA-256"), max_length=64)
    output_bytes = models.BinaryField(default=b"", blank=True)
    output_sha256 = models.CharField(_("结果文件 SHA-256"), max_length=64, blank=True)
    algorithm_version = models.CharField(_("算法版本"), max_length=64)
    record = models.JSONField(_("运行记录"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))
    committed_at = models.DateTimeField(_("公布承诺时间"))
    drawn_at = models.DateTimeField(_("抽签时间"), null=True, blank=True)

    class Meta:
        ordering = ["-committed_at", "-id"]
        verbose_name = _("公开抽签")
        verbose_name_plural = _("公开抽签")

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"

    @property
    def is_drawn(self) -> bool:
        return self.status == DrawStatus.DRAWN
