from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from edugov.allocation.choices import DrawKind
from edugov.allocation.engine.runs import classes_parameters, seats_parameters, teams_parameters
from edugov.registry.models import OrgUnit
from edugov.stats.grades import GRADE_LABELS

MAX_INPUT_BYTES = 5 * 1024 * 1024


class DrawCreateForm(forms.Form):
    """New public draw: unit, kind, title, input CSV, the kind's numbers, and the seed (or a future public number)."""

    org_unit = forms.ModelChoiceField(label=_("机构"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=DrawKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    file = forms.FileField(label=_("输入文件（CSV，UTF-8）"), help_text=_("格式见文档 docs/allocation.md"))
    classes = forms.IntegerField(label=_("班级数 K"), min_value=1, max_value=200, required=False,
                                 help_text=_("均衡分班和教师组抽签需要"))
    min_size = forms.IntegerField(label=_("班额下限"), min_value=1, max_value=200, required=False,
                                  help_text=_("均衡分班可选：每班至少多少人"))
    max_size = forms.IntegerField(label=_("班额上限"), min_value=1, max_value=200, required=False,
                                  help_text=_("均衡分班可选：每班至多多少人，如 45"))
    rows = forms.IntegerField(label=_("行数"), min_value=1, max_value=30, required=False)
    cols = forms.IntegerField(label=_("列数"), min_value=1, max_value=30, required=False)
    periods = forms.IntegerField(label=_("轮换期数"), min_value=1, max_value=52, required=False, initial=1)
    front_rows = forms.IntegerField(label=_("前排行数"), min_value=0, max_value=30, required=False, initial=1)
    group_width = forms.IntegerField(label=_("每组列数"), min_value=1, max_value=30, required=False, initial=2)
    seed = forms.CharField(label=_("秘密种子"), max_length=200, required=False,
                           help_text=_("留空则由系统生成 32 位随机十六进制种子。抽签前只公布它的 SHA-256。"))
    public_source = forms.CharField(label=_("或：将来公布的公开数字"), max_length=300, required=False,
                                    help_text=_("例如“2026年12月1日福利彩票3D开奖号码”。填写后不使用秘密种子。"))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org_unit"]).queryset = units

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() != ".csv":
            raise forms.ValidationError(_("只能上传 .csv 文件（UTF-8 编码）。"))
        if upload.size and upload.size > MAX_INPUT_BYTES:
            raise forms.ValidationError(_("文件过大（上限 5 MB）。"))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in (DrawKind.CLASSES, DrawKind.TEAMS) and not data.get("classes"):
            self.add_error("classes", _("请填写班级数。"))
        if kind == DrawKind.SEATS:
            for name in ("rows", "cols"):
                if not data.get(name):
                    self.add_error(name, _("排座需要填写行数和列数。"))
        if data.get("seed") and data.get("public_source"):
            self.add_error("public_source", _("请在秘密种子和将来公布的公开数字之间选择一种。"))
        return data

    def parameters(self) -> dict[str, Any]:
        d = self.cleaned_data
        if d["kind"] == DrawKind.CLASSES:
            return classes_parameters(d["classes"], min_size=d.get("min_size"), max_size=d.get("max_size"))
        if d["kind"] == DrawKind.TEAMS:
            return teams_parameters(d["classes"])
        return seats_parameters(d["rows"], d["cols"], d.get("periods") or 1,
                                d["front_rows"] if d.get("front_rows") is not None else 1, d.get("group_width") or 2)


class RosterDrawForm(forms.Form):
    """均衡分班 from a school's 学籍 records: school, school year, grade, K and optional class-size bounds."""

    school = forms.ModelChoiceField(label=_("学校"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("学年"), min_value=2000, max_value=2100,
                              help_text=_("学年起始年份，2024 表示 2024-2025 学年"))
    grade = forms.ChoiceField(label=_("年级"), choices=list(GRADE_LABELS.items()), initial="1")
    classes = forms.IntegerField(label=_("班级数 K"), min_value=1, max_value=200)
    min_size = forms.IntegerField(label=_("班额下限"), min_value=1, max_value=200, required=False)
    max_size = forms.IntegerField(label=_("班额上限"), min_value=1, max_value=200, required=False)
    title = forms.CharField(label=_("标题"), max_length=200, required=False,
                            help_text=_("留空则为“学校+学年+年级+均衡分班”"))
    seed = forms.CharField(label=_("秘密种子"), max_length=200, required=False,
                           help_text=_("留空则由系统生成 32 位随机十六进制种子。抽签前只公布它的 SHA-256。"))
    public_source = forms.CharField(label=_("或：将来公布的公开数字"), max_length=300, required=False)

    def __init__(self, *args: Any, schools: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["school"]).queryset = schools

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("seed") and data.get("public_source"):
            self.add_error("public_source", _("请在秘密种子和将来公布的公开数字之间选择一种。"))
        return data


class PerformDrawForm(forms.Form):
    seed = forms.CharField(label=_("公布种子"), max_length=200, required=False,
                           help_text=_("留空则公布封存的种子；以公开数字为种子时填写该数字。"))
