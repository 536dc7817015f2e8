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


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("学年"), min_value=2000, max_value=2100,
                              help_text=_("学年的起始年份，如 2024 表示 2024—2025 学年"))


class ResidentUploadForm(forms.Form):
    unit = forms.CharField(label=_("户籍地（区县或镇街代码）"), max_length=20)
    year = _year_field()
    source = forms.CharField(label=_("名单来源"), max_length=100, help_text=_("如：公安户籍、卫健出生登记"))
    file = forms.FileField(label=_("名单（CSV 或 XLSX：身份证号、姓名，可选出生日期、户籍地址、监护人）"))


class RosterUploadForm(forms.Form):
    school = forms.CharField(label=_("学校代码"), max_length=20)
    year = _year_field()
    checked_on = forms.DateField(label=_("点名日期"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("在校生名册（CSV 或 XLSX：学籍号）"))


class AbsenceUploadForm(forms.Form):
    unit = forms.CharField(label=_("学校或区县代码"), max_length=20)
    year = _year_field()
    file = forms.FileField(label=_("连续缺课（CSV 或 XLSX：学籍号、起始日期、天数）"))


class OpenCaseForm(forms.Form):
    case_type = forms.ChoiceField(label=_("个案类型"), choices=[])
    year = _year_field()
    student_no = forms.CharField(label=_("学籍号"), max_length=32, required=False,
                                 help_text=_("控辍保学、心理健康个案必填；个案由学生所在学校负责"))
    unit = forms.CharField(label=_("责任单位代码"), max_length=20, required=False,
                           help_text=_("不涉及学生的个案（问题整改）必填"))
    title = forms.CharField(label=_("标题"), max_length=200, required=False,
                            help_text=_("标题中请勿写学生姓名；心理健康个案使用统一标题"))
    reason = forms.CharField(label=_("立案理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, case_types: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["case_type"].choices = case_types  # type: ignore[attr-defined]
