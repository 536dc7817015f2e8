from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from edugov.cases.models import ContactMethod, DetectionRule


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
