"""Editing the catalogue in the admin: a new version each time, validated with Chinese errors."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.test import Client

from conftest import City
from edugov.core.models import AuditEvent
from edugov.indicators.compute import compute_indicator
from edugov.indicators.models import DataElement, IndicatorDefinition
from edugov.stats.models import GradeEnrolment, PopulationByAge


def admin_client(client: Client) -> Client:
    get_user_model().objects.create_superuser("root", password="edugov-test-pass")
    assert client.login(username="root", password="edugov-test-pass")
    return client


def post(client: Client, row: IndicatorDefinition | DataElement, spec: dict[str, object]) -> str:
    """Posts the change form; returns the page when it is shown again with errors, "" after a redirect."""
    model = type(row)._meta.model_name
    response = client.post(f"/admin/indicators/{model}/{row.pk}/change/", {
        "name_zh": row.name_zh, "spec": json.dumps(spec, ensure_ascii=False), "note": "省级方案提高到90%"})
    return response.content.decode() if response.status_code == 200 else ""


def test_editing_an_indicator_in_the_admin_creates_a_new_current_version(city: City, client: Client) -> None:
    GradeEnrolment.objects.create(unit=city.east_kindergarten, year=2024, grade="K1", stage="kindergarten",
                                  male=44, female=43)
    PopulationByAge.objects.create(unit=city.east, year=2024, age_band="3-5", population=100)
    before = compute_indicator("preschool_gross_enrolment", city.east, 2024)
    assert (before.version, before.met) == (1, True)
    c = admin_client(client)
    row = IndicatorDefinition.objects.get(code="preschool_gross_enrolment")
    spec = {**row.spec, "threshold": {**row.spec["threshold"], "value": "90"}}
    assert post(c, row, spec) == ""
    rows = IndicatorDefinition.objects.filter(code="preschool_gross_enrolment").order_by("version")
    assert [(r.version, r.is_current, r.origin) for r in rows] == [(1, False, "shipped"), (2, True, "admin")]
    assert rows[1].created_by == "root" and rows[0].spec["threshold"]["value"] == "85"
    after = compute_indicator("preschool_gross_enrolment", city.east, 2024)
    assert (after.version, after.value, after.met) == (2, 87, False)
    assert before.version == 1  # a value computed earlier keeps naming the version it was computed with
    assert AuditEvent.objects.filter(action="update", object_type="indicators.IndicatorDefinition").exists()


def test_an_invalid_spec_is_refused_with_a_chinese_error_and_nothing_is_saved(city: City, client: Client) -> None:
    c = admin_client(client)
    row = IndicatorDefinition.objects.get(code="large_class")
    assert "引用了不存在的数据元素 classes_99plus" in post(c, row, {**row.spec, "numerator": ["classes_99plus"]})
    assert "不能用小数浮点数" in post(c, row, {**row.spec, "factor": 100.5})
    element = DataElement.objects.get(code="kg_children")
    assert "不认识的数据源“pupils_table”" in post(c, element, {**element.spec, "source": "pupils_table"})
    bad_filter = {**element.spec, "filters": [{"field": "colour", "op": "eq", "value": "red"}]}
    assert "没有可筛选字段“colour”" in post(c, element, bad_filter)
    assert IndicatorDefinition.objects.filter(code="large_class").count() == 1
    assert DataElement.objects.filter(code="kg_children").count() == 1


def test_definitions_cannot_be_deleted_in_the_admin(city: City, client: Client) -> None:
    c = admin_client(client)
    row = IndicatorDefinition.objects.get(code="large_class")
    assert c.get(f"/admin/indicators/indicatordefinition/{row.pk}/delete/").status_code == 403
