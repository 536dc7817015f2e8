"""The org registry: units (bureaus, districts, towns, schools), their dated attributes and dated hierarchy edges.

Every attribute that can change over time lives on OrgUnitVersion and every parent edge on OrgLink, each with a
half-open validity interval [valid_from, valid_to). A school year is evaluated against the tree as it stood on that
year's reference date, so closing or moving a school never rewrites history.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edugov.registry.choices import HierarchyCode, UnitEventKind, UnitKind


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def active_at(self, on: dt.date) -> OrgUnitQuerySet:
        return self.filter(Q(opened_on__lte=on) | Q(opened_on__isnull=True)).filter(
            Q(closed_on__gt=on) | Q(closed_on__isnull=True)
        )

    def schools(self) -> OrgUnitQuerySet:
        return self.filter(kind=UnitKind.SCHOOL)


class OrgUnit(models.Model):
    """An organisation the bureau governs or belongs to: a city or county bureau, a town, a school, a kindergarten,
    a 教学点, a 学区 or an 教育集团. Its identity (code) is permanent; its attributes are dated in OrgUnitVersion."""

    code = models.CharField(_("机构代码"), max_length=20, unique=True,
                            help_text=_("学校填10位学校标识码；区县填6位行政区划代码；镇街填12位统计用区划代码的前9位或全部"))
    kind = models.CharField(_("层级"), max_length=16, choices=UnitKind.choices, db_index=True)
    opened_on = models.DateField(_("设立日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from",
                                    verbose_name=_("并入"))
    # Denormalised from the version valid today, so that lists, search and sorting need no join; services keep it
    # in step with the versions (it is never written elsewhere).
    name = models.CharField(_("名称"), max_length=200, db_index=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def is_active(self, on: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= on) and (self.closed_on is None or self.closed_on > on)

    def version_at(self, on: dt.date) -> OrgUnitVersion | None:
        return self.versions.filter(valid_from__lte=on).filter(Q(valid_to__gt=on) | Q(valid_to__isnull=True)).first()

    @property
    def current_version(self) -> OrgUnitVersion | None:
        return self.versions.filter(valid_to__isnull=True).order_by("-valid_from").first()


class OrgUnitVersion(models.Model):
    """The attributes an org unit had during one period: name, national codes, type and sponsor."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    division_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    stat_division_code = models.CharField(_("统计用区划代码"), max_length=12, blank=True)
    urban_rural_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True)
    school_type_code = models.CharField(_("办学类型代码"), max_length=3, blank=True)
    sponsor_code = models.CharField(_("举办者代码"), max_length=3, blank=True)
    is_public = models.BooleanField(_("公办"), null=True, blank=True)
    is_inclusive = models.BooleanField(_("普惠性"), null=True, blank=True,
                                       help_text=_("仅幼儿园：公办园及认定的普惠性民办园为是"))
    address = models.CharField(_("地址"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("机构属性版本")
        verbose_name_plural = _("机构属性版本")
        ordering = ["unit_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="registry_orgunitversion_unique_start"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                   name="registry_orgunitversion_valid_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from} – {self.valid_to or '…'})"

    #: fields compared when deciding whether an import changes a unit
    ATTRIBUTE_FIELDS = ("name", "division_code", "stat_division_code", "urban_rural_code", "school_type_code",
                        "sponsor_code", "is_public", "is_inclusive", "address")

    def attributes(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in self.ATTRIBUTE_FIELDS}


class OrgLink(models.Model):
    """A dated parent edge in one hierarchy. The administrative hierarchy scopes access; 学区 and 教育集团 are further
    hierarchies over the same units, added as data rather than as new models."""

    hierarchy = models.CharField(_("层级体系"), max_length=16, choices=HierarchyCode.choices,
                                 default=HierarchyCode.ADMIN)
    child = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="child_links")
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("隶属关系")
        verbose_name_plural = _("隶属关系")
        ordering = ["hierarchy", "child_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["hierarchy", "child", "valid_from"], name="registry_orglink_unique_start"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                   name="registry_orglink_valid_interval"),
            models.CheckConstraint(condition=~Q(child=models.F("parent")), name="registry_orglink_not_self"),
        ]
        indexes = [models.Index(fields=["hierarchy", "parent", "valid_from"], name="registry_orglink_parent_idx")]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.parent_id} ({self.hierarchy}) [{self.valid_from} – {self.valid_to or '…'})"


class OrgUnitEvent(models.Model):
    """A registry event as the bureau records it (设立, 撤销, 合并, 变更, 调整隶属), for the school's history page."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=UnitEventKind.choices)
    on = models.DateField(_("日期"))
    other_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("机构沿革")
        verbose_name_plural = _("机构沿革")
        ordering = ["unit_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()} {self.unit_id}"


class RegistryRevision(models.Model):
    """A token that changes whenever a row of the dated registry (units, their versions, their links) is written,
    kept by database triggers (migration 0003), so that it also changes under bulk and raw SQL writes. Readers of
    the registry may cache what they derive from it under this token; a missing row means "do not cache"."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("机构名录修订标记")
        verbose_name_plural = _("机构名录修订标记")

    def __str__(self) -> str:
        return self.token
