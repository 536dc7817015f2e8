from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from edugov.core.choices import AuditAction
from edugov.registry.choices import UnitKind
from edugov.web.queries import SCHOOL_CATEGORIES

IMPORT_SUFFIXES = (".xlsx", ".csv")


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("名称或代码"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("输入名称或代码"),
                                                      "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("层级"), required=False, choices=[("", _("全部层级")), *UnitKind.choices])
    category = forms.ChoiceField(label=_("学校类型"), required=False,
                                 choices=[("", _("全部类型")), *[(k, label) for k, label, _c in SCHOOL_CATEGORIES]])
    area = forms.ChoiceField(label=_("城乡"), required=False, choices=[
        ("", _("全部城乡")), ("城区", _("城区")), ("镇区", _("镇区")), ("乡村", _("乡村"))])

    def is_filtering(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.get(k) for k in ("q", "kind", "category", "area"))


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件"), help_text=_("Excel 工作簿（.xlsx）或 CSV 文件，格式见模板"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件；旧版 .xls 请在 Excel 中另存为 .xlsx"))
        limit = getattr(settings, "EDUGOV_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
        if upload.size and upload.size > limit:
            raise forms.ValidationError(_("文件过大（上限 %(mb)d MB），请按学校或数据表拆分后分别上传")
                                        % {"mb": limit // (1024 * 1024)})
        return upload


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部操作")), *AuditAction.choices])
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    user = forms.CharField(label=_("操作人"), required=False, max_length=150)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [("", _("全部对象")), *object_types]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"))
        return data
