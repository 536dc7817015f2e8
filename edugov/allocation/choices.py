from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DrawKind(models.TextChoices):
    """What a public draw allocates. Admission matching (two input files) runs on the command line only."""

    CLASSES = "classes", _("均衡分班")
    TEAMS = "teams", _("教师组抽签")
    SEATS = "seats", _("排座与轮换")


class DrawStatus(models.TextChoices):
    """committed: the input, parameters and seed commitment are public, the seed is not; drawn: seed revealed."""

    COMMITTED = "committed", _("已公布承诺，待抽签")
    DRAWN = "drawn", _("已抽签")
