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


class DrawSource(models.TextChoices):
    """Where a draw's input came from: an uploaded CSV, or a school's 学籍 roster for one grade (ids are 学籍号,
    masked on the public page)."""

    UPLOAD = "upload", _("上传文件")
    ROSTER = "roster", _("学籍名单")
