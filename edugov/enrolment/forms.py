from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from edugov.enrolment.choices import ApplicationStatus, EvidenceKind, RoundKind, Tier
from edugov.enrolment.models import Application, EnrolmentRound, RoundSchool
from edugov.enrolment.services import MAX_CHOICES, ApplicationData
from edugov.registry.models import OrgUnit

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATE = forms.DateInput(attrs={"type": "date"})


class RegisterForm(forms.Form):
    """家长注册: username, password twice, mobile phone."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class ApplicationForm(forms.Form):
    """The parent's form: the child, the guardian, the address and up to three ranked choices with claimed tiers."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    child_name = forms.CharField(label=_("儿童姓名"), max_length=50)
    id_number = forms.CharField(label=_("儿童身份证号"), max_length=30,
                                help_text=_("18位居民身份证号；旧版15位号码会自动换算。"))
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50)
    guardian_phone = forms.CharField(label=_("监护人手机号"), max_length=20)
    address = forms.CharField(label=_("现居住地址"), max_length=300)

    def __init__(self, *args: Any, rnd: EnrolmentRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rnd = rnd
        schools = rnd.schools.select_related("school")
        for n in range(1, MAX_CHOICES + 1):
            self.fields[f"school_{n}"] = forms.ModelChoiceField(
                label=_("第%(n)d志愿") % {"n": n}, queryset=schools, required=n == 1)
            self.fields[f"tier_{n}"] = forms.ChoiceField(label=_("申报顺位"), choices=[("", "—"), *Tier.choices],
                                                         required=False)
        if not self.is_bound and "idempotency_key" not in self.initial:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, MAX_CHOICES + 1):
            if data.get(f"school_{n}") and not data.get(f"tier_{n}"):
                self.add_error(f"tier_{n}", _("请选择申报顺位。"))
        return data

    def choice_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"school_{n}"], self[f"tier_{n}"]) for n in range(1, MAX_CHOICES + 1)]

    def application_data(self) -> ApplicationData:
        d = self.cleaned_data
        choices: list[tuple[RoundSchool, str]] = [
            (d[f"school_{n}"], d[f"tier_{n}"]) for n in range(1, MAX_CHOICES + 1) if d.get(f"school_{n}")]
        return ApplicationData(child_name=d["child_name"], id_number=d["id_number"], guardian_name=d["guardian_name"],
                               guardian_phone=d["guardian_phone"], address=d["address"], choices=choices)

    @classmethod
    def initial_from(cls, application: Application) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(application, name) for name in
                                   ("child_name", "id_number", "guardian_name", "guardian_phone", "address")}
        for c in application.choices.all():
            initial[f"school_{c.rank}"] = c.school_id
            initial[f"tier_{c.rank}"] = c.claimed_tier
        initial["idempotency_key"] = application.idempotency_key
        return initial


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices)
    file = forms.FileField(label=_("文件（PDF、JPG、PNG，不超过 10 MB）"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *ApplicationStatus.choices], required=False)
    school = forms.ModelChoiceField(label=_("志愿学校"), queryset=RoundSchool.objects.none(), required=False)
    tier = forms.ChoiceField(label=_("申报顺位"), choices=[("", _("全部")), *Tier.choices], required=False)
    q = forms.CharField(label=_("报名编号"), max_length=32, required=False)

    def __init__(self, *args: Any, schools: QuerySet[RoundSchool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["school"]).queryset = schools


class RoundForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("区县"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("学段"), choices=RoundKind.choices)
    year = forms.IntegerField(label=_("招生年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=200)
    opens_at = forms.DateTimeField(label=_("报名开始时间"), widget=_DATETIME)
    closes_at = forms.DateTimeField(label=_("报名截止时间"), widget=_DATETIME)
    born_from = forms.DateField(label=_("出生日期不早于"), required=False, widget=_DATE,
                                help_text=_("留空则按学段取常规范围（如小学：Y-7年9月1日至Y-6年8月31日）。"))
    born_to = forms.DateField(label=_("出生日期不晚于"), required=False, widget=_DATE)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class RoundSchoolForm(forms.Form):
    school = forms.ModelChoiceField(label=_("学校"), queryset=OrgUnit.objects.none())
    capacity = forms.IntegerField(label=_("招生计划数"), min_value=0, max_value=10000)
    tiers = forms.MultipleChoiceField(label=_("录取顺位（按所列先后）"), choices=Tier.choices,
                                      initial=list(Tier.values), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, schools: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["school"]).queryset = schools


class SeedForm(forms.Form):
    seed = forms.CharField(label=_("种子"), max_length=200, required=False,
                           help_text=_("留空则由系统生成 32 位随机十六进制种子。摇号前只公布它的 SHA-256。"))


class SecondRoundForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    opens_at = forms.DateTimeField(label=_("报名开始时间"), widget=_DATETIME)
    closes_at = forms.DateTimeField(label=_("报名截止时间"), widget=_DATETIME)
