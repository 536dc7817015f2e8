from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from edugov.evaluation.engine import Scheme, list_schemes
from edugov.evaluation.models import EvaluatedKind
from edugov.registry.models import OrgUnit

EVIDENCE_ACCEPT = ".pdf,.docx,.xlsx,.doc,.xls,.jpg,.jpeg,.png,.txt,.ofd"


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


def scheme_choices() -> list[tuple[str, str]]:
    return [(f"{r.id}|{r.version}", f"{r.id} {r.version}（{r.year_from}–{r.year_to or ''}）") for r in list_schemes()]


class RoundForm(forms.Form):
    scheme = forms.ChoiceField(label=_("评价方案"))
    name = forms.CharField(label=_("名称"), max_length=200, required=False, help_text=_("留空则用方案名称"))
    year = forms.IntegerField(label=_("评价年度"), min_value=2000, max_value=2100)
    data_year = forms.IntegerField(label=_("数据学年"), min_value=2000, max_value=2100, required=False,
                                   help_text=_("指标数据取自该学年（起始年份）；留空则同评价年度"))
    evaluating_unit = UnitChoiceField(label=_("评价单位"), queryset=OrgUnit.objects.none())
    evaluated_kind = forms.ChoiceField(label=_("被评价对象"), choices=EvaluatedKind.choices)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = scheme_choices()  # type: ignore[attr-defined]
        self.fields["evaluating_unit"].queryset = units  # type: ignore[attr-defined]


FLAG_CHOICES = [("", _("—")), ("1", _("是")), ("0", _("否"))]


class EntryForm(forms.Form):
    code = forms.ChoiceField(label=_("项目"))
    value = forms.CharField(label=_("数值"), required=False, max_length=60,
                            help_text=_("测量类项目（如 93.5）"))
    points = forms.CharField(label=_("分值"), required=False, max_length=60,
                             help_text=_("人工评分项目或加分/扣分"))
    count = forms.IntegerField(label=_("次数"), required=False, min_value=0,
                               help_text=_("按次计的加分/扣分"))
    flag = forms.ChoiceField(label=_("是/否"), required=False, choices=FLAG_CHOICES,
                             help_text=_("是/否类项目；一票否决项是否触发"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("佐证材料"), required=False,
                               help_text=_("可选；pdf、docx、xlsx、jpg、png 等，单个文件 20 MB 以内"),
                               widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}))

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(i.code, f"{i.code} {i.name}") for i in scheme.leaves()]
        choices += [(a.code, f"{a.code} {'加分' if a.kind == 'bonus' else '扣分'}：{a.name}")
                    for a in scheme.adjustments]
        choices += [(v.code, f"{v.code} 一票否决：{v.name}") for v in scheme.vetoes]
        self.fields["code"].choices = choices  # type: ignore[attr-defined]

    def flag_value(self) -> bool | None:
        raw = self.cleaned_data.get("flag")
        return None if raw in (None, "") else raw == "1"


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("佐证材料"), widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
