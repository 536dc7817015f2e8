from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from edugov.plans.extract import MAX_BYTES
from edugov.plans.models import Comparator, ReviewStatus, TaskStatus
from edugov.registry.models import OrgUnit

PLAN_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _limit(field: forms.Field, units: QuerySet[OrgUnit]) -> None:
    cast(forms.ModelChoiceField, field).queryset = units


class PlanDocumentField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        # An empty file reaches the reader, whose message says what to do about it.
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> UploadedFile:
        upload = cast(UploadedFile, super().clean(data, initial))
        if upload is None:
            return upload
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix == ".doc":
            raise forms.ValidationError(_("不支持旧版 Word (.doc) 文件，请在 Word 中另存为 .docx 后重新上传。"))
        if suffix not in PLAN_SUFFIXES:
            raise forms.ValidationError(_("只能上传 txt、html、docx 或 pdf 文件。"))
        if upload.size and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件超过 50 MB 上限，请拆分或压缩后重新上传。"))
        return upload


class PlanUploadForm(forms.Form):
    unit = UnitChoiceField(label=_("发文单位"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False,
                              help_text=_("留空时从文件标题或发文日期识别"))
    title = forms.CharField(label=_("计划名称"), max_length=300, required=False,
                            help_text=_("留空时使用文件中的标题"))
    file = PlanDocumentField(label=_("计划文件"),
                             help_text=_("txt（UTF-8 或 GBK）、html、docx 或有文字层的 pdf，50 MB 以内；"
                                         "简体、繁体均可"),
                             widget=forms.ClearableFileInput(attrs={"accept": ",".join(PLAN_SUFFIXES)}))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["unit"], units)


class RevisionUploadForm(forms.Form):
    file = PlanDocumentField(label=_("修订后的计划文件"),
                             widget=forms.ClearableFileInput(attrs={"accept": ",".join(PLAN_SUFFIXES)}))


class MeasureReviewForm(forms.Form):
    status = forms.ChoiceField(choices=ReviewStatus.choices, widget=forms.HiddenInput)
    content = forms.CharField(label=_("工作任务"), widget=forms.Textarea(attrs={"rows": 3}))
    lead_units = UnitMultipleChoiceField(label=_("牵头单位"), queryset=OrgUnit.objects.none(), required=False,
                                         help_text=_("可多选：每个牵头单位各生成一条任务"),
                                         widget=forms.SelectMultiple(attrs={"size": 4}))
    co_units = UnitMultipleChoiceField(label=_("配合单位"), queryset=OrgUnit.objects.none(), required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 4}))
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("留空表示长期或未定"))
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["lead_units"], units)
        _limit(self.fields["co_units"], units)


class TargetReviewForm(forms.Form):
    status = forms.ChoiceField(choices=ReviewStatus.choices, widget=forms.HiddenInput)
    subject = forms.CharField(label=_("指标对象"), max_length=200)
    comparator = forms.ChoiceField(label=_("比较方式"), choices=Comparator.choices)
    value = forms.DecimalField(label=_("目标值"), max_digits=20, decimal_places=6)
    value_max = forms.DecimalField(label=_("目标上限"), max_digits=20, decimal_places=6, required=False)
    unit_of_measure = forms.CharField(label=_("单位"), max_length=20, required=False)
    per = forms.CharField(label=_("口径"), max_length=20, required=False)
    scope_text = forms.CharField(label=_("适用范围"), max_length=100, required=False)
    indicator_code = forms.ChoiceField(label=_("关联指标"), required=False)
    owner = UnitChoiceField(label=_("责任单位"), queryset=OrgUnit.objects.none(), required=False)
    period_end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], indicators: Iterable[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["owner"], units)
        cast(forms.ChoiceField, self.fields["indicator_code"]).choices = [("", _("（不关联）")), *indicators]


class TargetEntryForm(forms.Form):
    """登记目标: a target of the bureau's own, outside any plan, on a catalogue indicator."""

    owner = forms.ModelChoiceField(label=_("责任单位"), queryset=OrgUnit.objects.none())
    indicator_code = forms.ChoiceField(label=_("关联指标"))
    comparator = forms.ChoiceField(label=_("比较方式"), choices=[
        (">=", _("不低于")), (">", _("高于")), ("<=", _("不高于")), ("<", _("低于")), ("==", _("达到（等于）")),
        ("zero", _("清零"))])
    value = forms.DecimalField(label=_("目标值"), max_digits=20, decimal_places=6, required=False,
                               help_text=_("按指标的单位填写，如 95.5 表示 95.5%；“清零”不填"))
    deadline_year = forms.IntegerField(label=_("截止年份"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, owners: Sequence[OrgUnit], indicators: Iterable[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = OrgUnit.objects.filter(
            pk__in=[u.pk for u in owners]).order_by("code")
        cast(forms.ChoiceField, self.fields["indicator_code"]).choices = list(indicators)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("comparator") != "zero" and data.get("value") is None:
            self.add_error("value", _("请填写目标值。"))
        return data


class AddTargetForm(TargetReviewForm):
    quote = forms.CharField(label=_("原文"), help_text=_("从正文中原样复制表述该目标的文字"),
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False


class AddMeasureForm(forms.Form):
    quote = forms.CharField(label=_("原文"), help_text=_("从正文中原样复制该举措的句子"),
                            widget=forms.Textarea(attrs={"rows": 3}))
    lead_units = UnitMultipleChoiceField(label=_("牵头单位"), queryset=OrgUnit.objects.none(),
                                         widget=forms.SelectMultiple(attrs={"size": 4}))
    co_units = UnitMultipleChoiceField(label=_("配合单位"), queryset=OrgUnit.objects.none(), required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 4}))
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["lead_units"], units)
        _limit(self.fields["co_units"], units)


class ProgressReportForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[
        (TaskStatus.NOT_STARTED.value, TaskStatus.NOT_STARTED.label),
        (TaskStatus.IN_PROGRESS.value, TaskStatus.IN_PROGRESS.label),
        (TaskStatus.DONE.value, TaskStatus.DONE.label)])
    progress = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(label=_("佐证材料"), required=False,
                               help_text=_("可选；pdf、docx、xlsx、jpg、png 等，单个文件 20 MB 以内"),
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.doc,.xls,.jpg,"
                                                                                ".jpeg,.png,.txt,.ofd"}))


class EscalationForm(forms.Form):
    reason = forms.CharField(label=_("督办说明"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveEscalationForm(forms.Form):
    resolution = forms.CharField(label=_("办结说明"), widget=forms.Textarea(attrs={"rows": 2}))


class LedgerFilterForm(forms.Form):
    unit = UnitChoiceField(label=_("牵头单位"), queryset=OrgUnit.objects.none(), required=False,
                           empty_label=_("全部单位"))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部状态")), ("overdue", _("已逾期")), *TaskStatus.choices])
    q = forms.CharField(label=_("关键词"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self.fields["unit"], units)
