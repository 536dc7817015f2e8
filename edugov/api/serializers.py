"""Serializers of the API. All are read-only except the import upload.

Decimals (areas, money, training hours) always leave as strings such as "1234.50": a JSON float would turn 0.1 + 0.2
thresholds into rounding arguments, and indicator results must match what the bureau computes by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edugov.core.models import AuditEvent
from edugov.dataio.models import ImportRun
from edugov.lib import codelists
from edugov.lib.idcard import mask_birth_date, mask_id, mask_name
from edugov.lib.idcard import mask_embedded_ids as mask_number
from edugov.registry.models import OrgLink, OrgUnit, OrgUnitEvent, OrgUnitVersion
from edugov.stats.grades import GRADE_LABELS
from edugov.stats.models import (
    ClassSection,
    GradeEnrolment,
    PopulationByAge,
    SchoolYearStats,
    StudentRecord,
    TeacherRecord,
    TeacherStats,
)

# --- building blocks ---------------------------------------------------------------------------------------------


class ExactDecimalField(serializers.DecimalField):
    """A DecimalField that is a string on the wire whatever COERCE_DECIMAL_TO_STRING says."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["coerce_to_string"] = True
        super().__init__(*args, **kwargs)


class ReadOnlyModelSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # Registry and statistics are written by imports only, so every field is output; decimals leave as strings.
    serializer_field_mapping: ClassVar[dict[type[models.Field[Any, Any]], type[serializers.Field[Any, Any, Any, Any]]]]
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DecimalField: ExactDecimalField}

    def get_extra_kwargs(self) -> dict[str, Any]:
        extra: dict[str, Any] = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra.setdefault(name, {})["read_only"] = True
        return extra


@extend_schema_field({"type": "string", "nullable": True,
                      "description": "代码对应的中文名称；代码不在代码表中时为 null"})
class CodeNameField(serializers.Field):  # type: ignore[type-arg]
    """The Chinese name of a national code (办学类型 211 → 小学), read from edugov.lib.codelists."""

    def __init__(self, list_name: str, **kwargs: Any) -> None:
        self.list_name = list_name
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        try:
            return super().get_attribute(instance)
        except (AttributeError, KeyError):  # e.g. a unit with no version on the requested date
            return None

    def to_representation(self, value: Any) -> str | None:
        if not value:
            return None
        entry = codelists.load(self.list_name).get(str(value))
        return entry.name if entry else None


class GradeLabelField(serializers.Field):  # type: ignore[type-arg]
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "grade")
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        return GRADE_LABELS.get(value, value)


extend_schema_field(OpenApiTypes.STR)(GradeLabelField)


def _label(source: str) -> serializers.CharField:
    """The display label of a choices field (kind → 学校)."""
    return serializers.CharField(source=f"get_{source}_display", read_only=True)


# --- registry ----------------------------------------------------------------------------------------------------


class UnitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """机构在所选日期（on 参数，默认今天）的名称、国家代码和行政隶属上级。"""

    # The view prefetches the version and parent edge valid on that date into `api_versions` / `api_parent_links`,
    # so that a page of units costs a fixed number of queries whatever its size.

    code = serializers.CharField(read_only=True, help_text="机构代码：学校为10位学校标识码，区县为6位行政区划代码")
    kind = serializers.CharField(read_only=True, help_text="层级：city、county、town、zone、group、school")
    kind_label = _label("kind")
    name = serializers.CharField(source="api_name", read_only=True, help_text="所选日期的名称")
    opened_on = serializers.DateField(read_only=True, allow_null=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    parent_code = serializers.CharField(source="api_parent.code", read_only=True, allow_null=True,
                                        help_text="所选日期的行政隶属上级的机构代码")
    parent_name = serializers.CharField(source="api_parent.name", read_only=True, allow_null=True)
    merged_into_code = serializers.CharField(source="merged_into.code", read_only=True, allow_null=True)
    division_code = serializers.CharField(source="api_version.division_code", read_only=True, allow_null=True)
    stat_division_code = serializers.CharField(source="api_version.stat_division_code", read_only=True,
                                               allow_null=True)
    urban_rural_code = serializers.CharField(source="api_version.urban_rural_code", read_only=True, allow_null=True)
    urban_rural_name = CodeNameField("urban_rural", source="api_version.urban_rural_code")
    school_type_code = serializers.CharField(source="api_version.school_type_code", read_only=True, allow_null=True)
    school_type_name = CodeNameField("school_type", source="api_version.school_type_code")
    sponsor_code = serializers.CharField(source="api_version.sponsor_code", read_only=True, allow_null=True)
    sponsor_name = CodeNameField("sponsor", source="api_version.sponsor_code")
    is_public = serializers.BooleanField(source="api_version.is_public", read_only=True, allow_null=True)
    is_inclusive = serializers.BooleanField(source="api_version.is_inclusive", read_only=True, allow_null=True)
    address = serializers.CharField(source="api_version.address", read_only=True, allow_null=True)
    version_valid_from = serializers.DateField(source="api_version.valid_from", read_only=True, allow_null=True)
    version_valid_to = serializers.DateField(source="api_version.valid_to", read_only=True, allow_null=True)

    def to_representation(self, instance: OrgUnit) -> dict[str, Any]:
        versions = getattr(instance, "api_versions", None)
        links = getattr(instance, "api_parent_links", None)
        if versions is None or links is None:
            raise RuntimeError("UnitSerializer needs a queryset from edugov.api.views.units.units_on()")
        version: OrgUnitVersion | None = versions[0] if versions else None
        instance.api_version = version  # type: ignore[attr-defined]
        instance.api_parent = links[0].parent if links else None  # type: ignore[attr-defined]
        instance.api_name = version.name if version else instance.name  # type: ignore[attr-defined]
        return super().to_representation(instance)  # type: ignore[no-any-return]


class UnitVersionSerializer(ReadOnlyModelSerializer):
    urban_rural_name = CodeNameField("urban_rural", source="urban_rural_code")
    school_type_name = CodeNameField("school_type", source="school_type_code")
    sponsor_name = CodeNameField("sponsor", source="sponsor_code")

    class Meta:
        model = OrgUnitVersion
        fields = ("valid_from", "valid_to", "name", "division_code", "stat_division_code", "urban_rural_code",
                  "urban_rural_name", "school_type_code", "school_type_name", "sponsor_code", "sponsor_name",
                  "is_public", "is_inclusive", "address")


class UnitLinkSerializer(ReadOnlyModelSerializer):
    hierarchy_label = _label("hierarchy")
    parent_code = serializers.CharField(source="parent.code", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True)

    class Meta:
        model = OrgLink
        fields = ("hierarchy", "hierarchy_label", "parent_code", "parent_name", "valid_from", "valid_to")


class UnitEventSerializer(ReadOnlyModelSerializer):
    kind_label = _label("kind")
    other_unit_code = serializers.CharField(source="other_unit.code", read_only=True, allow_null=True)
    other_unit_name = serializers.CharField(source="other_unit.name", read_only=True, allow_null=True)

    class Meta:
        model = OrgUnitEvent
        fields = ("on", "kind", "kind_label", "other_unit_code", "other_unit_name", "note")


class UnitHistorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="今天的名称")
    versions = UnitVersionSerializer(many=True, read_only=True, help_text="属性版本，按生效日期排序")
    links = UnitLinkSerializer(source="parent_links", many=True, read_only=True,
                               help_text="隶属关系（行政隶属、学区、教育集团），按生效日期排序")
    events = UnitEventSerializer(many=True, read_only=True, help_text="沿革事件：设立、撤销、合并、变更、调整隶属")


# --- statistics --------------------------------------------------------------------------------------------------


class _UnitRowSerializer(ReadOnlyModelSerializer):
    # Rows that belong to one unit show its code and today's name; views select_related("unit").

    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)


class SchoolYearStatsSerializer(_UnitRowSerializer):
    class Meta:
        model = SchoolYearStats
        fields = ("id", "year", "unit_code", "unit_name", "teaching_area", "sports_ground_area", "gym_area",
                  "equipment_value", "multimedia_classrooms", "library_books", "music_rooms", "art_rooms",
                  "operating_expenditure", "updated_at")


class GradeEnrolmentSerializer(_UnitRowSerializer):
    grade_label = GradeLabelField()
    stage_label = _label("stage")
    total = serializers.IntegerField(read_only=True)
    source_label = _label("source")

    class Meta:
        model = GradeEnrolment
        fields = ("id", "year", "unit_code", "unit_name", "grade", "grade_label", "stage", "stage_label", "male",
                  "female", "total", "source", "source_label")


class ClassSectionSerializer(_UnitRowSerializer):
    grade_label = GradeLabelField()
    source_label = _label("source")

    class Meta:
        model = ClassSection
        fields = ("id", "year", "unit_code", "unit_name", "grade", "grade_label", "name", "size", "source",
                  "source_label")


class TeacherStatsSerializer(_UnitRowSerializer):
    stage_label = _label("stage")
    source_label = _label("source")

    class Meta:
        model = TeacherStats
        fields = ("id", "year", "unit_code", "unit_name", "stage", "stage_label", "fulltime", "female",
                  "edu_postgraduate", "edu_bachelor", "edu_associate", "edu_below_associate", "backbone_county",
                  "backbone_city", "backbone_province", "pe_teachers", "music_teachers", "art_teachers", "certified",
                  "training_hours", "source", "source_label")


class PopulationSerializer(_UnitRowSerializer):
    age_band_label = _label("age_band")

    class Meta:
        model = PopulationByAge
        fields = ("id", "year", "unit_code", "unit_name", "age_band", "age_band_label", "population")


# --- person records ----------------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "nullable": True, "description": "出生日期 YYYY-MM-DD；脱敏时只有年月 YYYY-MM"})
class MaskableDateField(serializers.DateField):
    # A date that masking may shorten to year and month, so the schema calls it a string.
    pass


class _PersonSerializer(_UnitRowSerializer):
    # Masks identity fields unless the view's SensitiveAccess (context["sensitive"]) allows the row's unit.

    #: field name → masking function over the serialised value, applied when the row is not shown in full
    MASKS: ClassVar[dict[str, Callable[[str], str]]] = {
        "id_number": mask_id, "name": mask_name, "birth_date": mask_birth_date,
    }

    masked = serializers.SerializerMethodField(help_text="为 true 时身份证号、姓名、出生日期等已脱敏")
    sex_label = _label("sex")
    ethnicity_name = CodeNameField("ethnicity", source="ethnicity")
    birth_date = MaskableDateField(read_only=True, allow_null=True)

    def get_masked(self, obj: Any) -> bool:
        return not self.context["sensitive"].allows(obj.unit_id)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if data["masked"]:
            for field, mask in self.MASKS.items():
                if data.get(field):
                    data[field] = mask(data[field])
        return data


class StudentSerializer(_PersonSerializer):
    MASKS: ClassVar[dict[str, Callable[[str], str]]] = {**_PersonSerializer.MASKS, "student_no": mask_number}

    grade_label = GradeLabelField()
    residence_label = _label("residence")
    disability_name = CodeNameField("disability", source="disability")

    class Meta:
        model = StudentRecord
        fields = ("id", "year", "masked", "student_no", "id_number", "name", "sex", "sex_label", "birth_date",
                  "ethnicity", "ethnicity_name", "unit_code", "unit_name", "grade", "grade_label", "class_name",
                  "boarding", "residence", "residence_label", "left_behind", "disability", "disability_name",
                  "hardship")


class TeacherSerializer(_PersonSerializer):
    MASKS: ClassVar[dict[str, Callable[[str], str]]] = {**_PersonSerializer.MASKS, "staff_no": mask_number}

    stage_label = _label("stage")
    education_name = CodeNameField("education_level", source="education_code")
    title_name = CodeNameField("teacher_title", source="title_code")
    subject_name = CodeNameField("subject", source="subject")
    backbone_level_name = CodeNameField("backbone_level", source="backbone_level")

    class Meta:
        model = TeacherRecord
        fields = ("id", "year", "masked", "staff_no", "id_number", "name", "sex", "sex_label", "birth_date",
                  "ethnicity", "ethnicity_name", "unit_code", "unit_name", "stage", "stage_label", "is_fulltime",
                  "education_code", "education_name", "title_code", "title_name", "subject", "subject_name",
                  "backbone_level", "backbone_level_name", "has_certificate", "training_hours")


# --- audit trail -------------------------------------------------------------------------------------------------

#: audit rows about these objects may carry identity fields in before/after and in object_repr
PERSON_OBJECT_TYPES = frozenset({StudentRecord._meta.label, TeacherRecord._meta.label})
_PERSON_MASKS = {**StudentSerializer.MASKS, **TeacherSerializer.MASKS}


class AuditEventSerializer(ReadOnlyModelSerializer):
    action_label = _label("action")
    org_unit_code = serializers.CharField(source="org_unit.code", read_only=True, allow_null=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ("id", "at", "actor_name", "action", "action_label", "object_type", "object_id", "object_repr",
                  "org_unit_code", "org_unit_name", "before", "after", "message", "request_id", "ip_address")

    def to_representation(self, instance: AuditEvent) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        # An inspector may read the audit trail but not pupils' ID numbers: person-record changes are masked the same
        # way as the person endpoints mask them.
        if instance.object_type in PERSON_OBJECT_TYPES and not self.context["sensitive"].allows(instance.org_unit_id):
            data["object_repr"] = mask_number(data["object_repr"])
            for key in ("before", "after"):
                if isinstance(data[key], dict):
                    data[key] = {k: (_PERSON_MASKS[k](v) if k in _PERSON_MASKS and isinstance(v, str) and v else v)
                                 for k, v in data[key].items()}
        return data


# --- imports -----------------------------------------------------------------------------------------------------


class ImportRunSerializer(ReadOnlyModelSerializer):
    status_label = _label("status")
    actor_name = serializers.CharField(source="actor.get_username", read_only=True, allow_null=True)
    progress_percent = serializers.IntegerField(read_only=True)
    error_count = serializers.SerializerMethodField(help_text="错误条数（同类问题合并后），为 0 才能确认导入")
    warning_count = serializers.SerializerMethodField(help_text="提醒条数（同类问题合并后），不阻止导入")

    class Meta:
        model = ImportRun
        fields = ("id", "created_at", "actor_name", "file_name", "size_bytes", "sha256", "status", "status_label",
                  "rows_total", "rows_done", "progress_percent", "summary", "error_count", "warning_count", "message",
                  "applied_at")

    def get_error_count(self, obj: ImportRun) -> int:
        return sum(1 for problem in obj.errors or [] if problem.get("severity", "error") != "warning")

    def get_warning_count(self, obj: ImportRun) -> int:
        return sum(1 for problem in obj.errors or [] if problem.get("severity") == "warning")


class ImportErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """校验发现的一个问题。同一原因造成的多行问题合并为一条，count 为受影响的行数。"""

    # Documentation only: ImportErrorsField passes the engine's list (edugov.dataio.problems) through as it is.
    file = serializers.CharField(help_text="文件名")
    sheet = serializers.CharField(help_text="工作表")
    row = serializers.IntegerField(allow_null=True, help_text="第一处问题所在行（Excel 行号）")
    rows = serializers.ListField(child=serializers.IntegerField(), help_text="问题所在行（最多列出 20 行）")
    last_row = serializers.IntegerField(allow_null=True, help_text="最后一处问题所在行")
    rows_text = serializers.CharField(help_text="行号的文字说明，如“5、6、7… 等共 300 行（第5–1204行）”")
    column = serializers.CharField(help_text="列名")
    column_letter = serializers.CharField(help_text="Excel 列字母")
    value = serializers.CharField(help_text="原值（示例）")
    problem = serializers.CharField(help_text="问题")
    fix = serializers.CharField(help_text="修改建议")
    severity = serializers.ChoiceField(choices=[("error", "错误"), ("warning", "提醒")],
                                       help_text="error 错误（必须修改）；warning 提醒（不阻止导入）")
    count = serializers.IntegerField(help_text="受影响的行数")
    code = serializers.CharField(help_text="问题类别代码，如 sex_mismatch")


@extend_schema_field(ImportErrorSerializer(many=True))
class ImportErrorsField(serializers.JSONField):
    # Passes the engine's error list through unchanged, keys the schema does not know yet included.
    pass


class ImportProgressSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """正在校验或导入时的实时进度。"""

    rows_done = serializers.IntegerField(help_text="已处理行数")
    rows_total = serializers.IntegerField(help_text="总行数")
    percent = serializers.IntegerField(help_text="百分比（0–100）")
    status = serializers.CharField(help_text="validating、applying 或导入记录的状态")


class ImportRunDetailSerializer(ImportRunSerializer):
    errors = ImportErrorsField(read_only=True, help_text="校验发现的问题")  # type: ignore[assignment]
    progress = serializers.SerializerMethodField(
        help_text="实时进度：导入进行中时由导入引擎另行记录，比 rows_done 更新")

    class Meta(ImportRunSerializer.Meta):
        fields = (*ImportRunSerializer.Meta.fields, "progress", "errors")  # type: ignore[assignment]

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, obj: ImportRun) -> dict[str, Any]:
        # While a run is in progress its transaction is open, so the row's own figures lag; the engine keeps the
        # live ones beside the file. Imported late: the engine is a separate component.
        from edugov.dataio.services import read_progress

        return read_progress(obj)  # type: ignore[no-any-return]


class ImportUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(help_text="XLSX 工作簿或 CSV 文件，格式见导入模板")
