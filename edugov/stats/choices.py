from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """School section (学段). Combined schools report each section separately."""

    KINDERGARTEN = "kindergarten", _("学前")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")


class Source(models.TextChoices):
    IMPORTED = "imported", _("导入")
    DERIVED = "derived", _("由个人记录汇总")


class AgeBand(models.TextChoices):
    AGE_3_5 = "3-5", _("3-5岁")
    AGE_6_11 = "6-11", _("6-11岁")
    AGE_12_14 = "12-14", _("12-14岁")
    AGE_15_17 = "15-17", _("15-17岁")


class Residence(models.TextChoices):
    LOCAL = "local", _("本地户籍")
    MIGRANT = "migrant", _("随迁子女")


class Sex(models.TextChoices):
    MALE = "1", _("男")
    FEMALE = "2", _("女")
