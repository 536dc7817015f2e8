from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edugov.cases.models import ContactMethod, DetectionRule, InspectionKind, InterventionKind
from edugov.cases.safety import CATEGORIES, SEVERITIES


class ContactForm(forms.Form):
    contacted_on = forms.DateField(label=_("联系日期"), widget=forms.DateInput(attrs={"type": "date"}))
    contacted_by = forms.CharField(label=_("劝返人员"), max_length=100)
    method = forms.ChoiceField(label=_("方式"), choices=ContactMethod.choices)
    contact_person = forms.CharField(label=_("联系对象"), max_length=100, required=False,
                                     help_text=_("如：父亲、母亲、祖父母、本人"))
    outcome = forms.CharField(label=_("结果"), widget=forms.Textarea(attrs={"rows": 2}))


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("办理情况"), required=False, choices=[
        ("", _("全部")), ("open", _("办理中")), ("overdue", _("已逾期")), ("closed", _("已办结"))])
    rule = forms.ChoiceField(label=_("发现途径"), required=False,
                             choices=[("", _("全部")), *DetectionRule.choices, ("manual", _("人工立案"))])
    state = forms.CharField(label=_("状态"), required=False, widget=forms.HiddenInput)
    unit = forms.CharField(label=_("单位代码"), required=False, max_length=20)


class InterventionForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("方式"), choices=InterventionKind.choices)
    by = forms.CharField(label=_("干预人员"), max_length=100)
    note = forms.CharField(label=_("情况记录"), widget=forms.Textarea(attrs={"rows": 2}))


class ReinspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("回头看日期"), widget=forms.DateInput(attrs={"type": "date"}))
    inspector = forms.CharField(label=_("检查人"), max_length=100)
    note = forms.CharField(label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HazardForm(forms.Form):
    school = forms.CharField(label=_("学校代码"), max_length=20)
    inspected_on = forms.DateField(label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}))
    inspector = forms.CharField(label=_("检查人"), max_length=100)
    kind = forms.ChoiceField(label=_("检查类型"), choices=[c for c in InspectionKind.choices
                                                         if c[0] != InspectionKind.REINSPECTION])
    place = forms.CharField(label=_("隐患部位"), max_length=100)
    category = forms.ChoiceField(label=_("隐患类别"), choices=[(c, c) for c in CATEGORIES])
    severity = forms.ChoiceField(label=_("隐患等级"), choices=[(c, c) for c in SEVERITIES])
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 2}))


class ScreeningUploadForm(forms.Form):
    unit = forms.CharField(label=_("单位代码"), max_length=20)
    year = forms.IntegerField(label=_("学年"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("筛查结果（CSV 或 XLSX：学籍号或身份证号、量表、得分、日期）"))
