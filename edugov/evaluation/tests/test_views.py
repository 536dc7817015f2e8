"""Evaluation pages through HTTP: list, opening a round, entry with evidence, the item tree, scoping, Excel."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import City, Personas
from edugov.evaluation import services
from edugov.evaluation.models import EvaluationRound, StageEntry, StageEvidence

pytestmark = pytest.mark.django_db


def to_stage(rnd: EvaluationRound, stage: str, actor: object) -> EvaluationRound:
    while rnd.stage != stage:
        rnd = services.advance_stage(actor=actor, rnd=rnd)  # type: ignore[arg-type]
    return rnd


def test_a_city_admin_opens_a_round_from_the_form_and_the_nav_links_to_it(as_user, city: City) -> None:  # type: ignore[no-untyped-def]
    client = as_user("city_admin")
    page = client.get("/evaluation/")
    assert page.status_code == 200 and 'id="nav-evaluation"' in page.content.decode()
    response = client.post("/evaluation/", {"scheme": "county_gov_duties_example|2025.1", "year": 2025,
                                            "evaluating_unit": city.city.pk, "evaluated_kind": "county"})
    rnd = EvaluationRound.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/{rnd.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "示例方案" in body and rnd.scheme_sha256 in body and "尚未计算结果" in body


def test_a_school_admin_cannot_open_a_round(as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("school_admin")
    assert 'id="round-form"' not in client.get("/evaluation/").content.decode()
    assert client.post("/evaluation/", {"scheme": "school_evaluation_example|2025.1"}).status_code == 403


def test_out_of_scope_rounds_units_and_evidence_are_not_found(  # type: ignore[no-untyped-def]
        as_user, city: City, personas: Personas, school_round: EvaluationRound, county_round: EvaluationRound) -> None:
    west = as_user("west_admin")
    assert west.get(f"/evaluation/{school_round.pk}/").status_code == 404
    assert west.get(f"/evaluation/{school_round.pk}/results.xlsx").status_code == 404
    assert west.get(f"/evaluation/{school_round.pk}/units/{city.east_primary.pk}/").status_code == 404
    assert school_round.name not in west.get("/evaluation/").content.decode()
    # the county round is visible to the west district for its own unit only
    assert west.get(f"/evaluation/{county_round.pk}/").status_code == 200
    assert west.get(f"/evaluation/{county_round.pk}/units/{city.west.pk}/").status_code == 200
    assert west.get(f"/evaluation/{county_round.pk}/units/{city.east.pk}/").status_code == 404
    entry = services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                           points="8", evidence=[services.UploadedDocument("纪要.pdf", b"%PDF minutes")])
    evidence = StageEvidence.objects.get(entry=entry)
    assert west.get(f"/evaluation/evidence/{evidence.pk}/").status_code == 404
    assert west.post(f"/evaluation/entries/{entry.pk}/evidence/").status_code == 404
    east = as_user("east_admin")
    download = east.get(f"/evaluation/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF minutes"


def test_a_county_enters_its_self_evaluation_with_evidence_on_its_unit_page(  # type: ignore[no-untyped-def]
        as_user, city: City, county_round: EvaluationRound) -> None:
    client = as_user("east_admin")
    url = f"/evaluation/{county_round.pk}/units/{city.east.pk}/"
    assert 'id="entry-form"' in client.get(url).content.decode()
    response = client.post(url, {"code": "A1.1", "points": "7.5", "note": "自评",
                                 "evidence": SimpleUploadedFile("自评报告.pdf", b"%PDF self")})
    assert response.status_code == 302
    entry = StageEntry.objects.get(code="A1.1")
    assert (entry.stage, entry.points, entry.evidence.get().file_name) == ("self", "7.5", "自评报告.pdf")
    bad = client.post(url, {"code": "A1.1", "points": "9"})
    assert bad.status_code == 200 and "超出" in bad.content.decode()
    # the city cannot write the county's self-evaluation, and sees no form for it
    city_client = as_user("city_admin")
    assert 'id="entry-form"' not in city_client.get(url).content.decode()
    assert city_client.post(url, {"code": "A1.1", "points": "8"}).status_code == 403


def test_a_school_admin_cannot_post_the_county_re_evaluation(  # type: ignore[no-untyped-def]
        as_user, city: City, personas: Personas, school_round: EvaluationRound) -> None:
    to_stage(school_round, "county", personas.east_admin)
    url = f"/evaluation/{school_round.pk}/units/{city.east_primary.pk}/"
    school = as_user("school_admin")
    assert 'id="entry-form"' not in school.get(url).content.decode()
    assert school.post(url, {"code": "S1.1", "points": "10"}).status_code == 403
    assert as_user("east_admin").post(url, {"code": "S1.1", "points": "6"}).status_code == 302


def test_the_unit_page_shows_each_stages_value_and_flags_discrepancies(  # type: ignore[no-untyped-def]
        as_user, city: City, personas: Personas, county_round: EvaluationRound, statistics: None) -> None:
    services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                   points="8")
    rnd = to_stage(county_round, "review", personas.city_admin)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="A1.1", points="5",
                   note="复评核减")
    body = as_user("city_admin").get(f"/evaluation/{rnd.pk}/units/{city.east.pk}/").content.decode()
    assert "区县自评" in body and "市级复评" in body and "数据" in body
    assert "阶段间不一致" in body and 'id="discrepancies"' in body and "复评核减" in body
    assert "≈83.33" in body  # the catalogue's exact 250/3 %, shown rounded
    assert "<strong>5 分</strong>" in body  # the review's points are the effective ones


def test_the_round_page_ranks_units_with_vetoes_and_consequences_and_excel_exports_them(  # type: ignore[no-untyped-def]
        as_user, city: City, personas: Personas, county_round: EvaluationRound, statistics: None) -> None:
    services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                   points="8")
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="V2", flag=False,
                   note="无此情况")
    rnd = to_stage(county_round, "review", personas.city_admin)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="V2", flag=True,
                   note="挪用教育经费")
    client = as_user("city_admin")
    assert client.post(f"/evaluation/{rnd.pk}/compute/").status_code == 302
    body = client.get(f"/evaluation/{rnd.pk}/").content.decode()
    assert 'id="ranking-table"' in body and "一票否决" in body and "挪用教育经费" in body
    assert "暂缓安排相关市级奖补资金" in body  # 不合格's 三挂钩

    response = client.get(f"/evaluation/{rnd.pk}/results.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb["排名"].iter_rows(values_only=True))
    assert rows[0][:7] == ("名次", "并列", "单位代码", "单位", "总分", "总分（精确）", "等级")
    assert [(r[0], r[3], r[6]) for r in rows[1:]] == [(1, "西区", "不合格"), (2, "东区", "不合格")]
    east = rows[2]
    # A1.1 8 + A2.2 5 (普惠覆盖率 100 %) + A2.3 4 (公办园占比 100 %); vetoed, so ranked after 西区 anyway
    assert east[5] == "17" and east[4] == 17 and east[7] == "不合格"
    assert "V2" in east[11] and "挪用教育经费" in east[11]
    assert "经费分配" in east[12]
    diff = list(wb["差异"].iter_rows(values_only=True))
    v2 = [(r[4], r[5]) for r in diff[1:] if r[0] == "东区" and r[2] == "V2"]
    assert v2 == [("区县自评", "否"), ("市级复评", "是")]
    about = dict(wb["说明"].iter_rows(values_only=True))
    assert about["方案 SHA-256"] == rnd.scheme_sha256 and about["方案版本"] == "2025.1"
    # the west district's export holds its own row only
    west_rows = list(load_workbook(io.BytesIO(as_user("west_admin").get(f"/evaluation/{rnd.pk}/results.xlsx")
                                              .content))["排名"].iter_rows(values_only=True))
    assert [r[3] for r in west_rows[1:]] == ["西区"]
