"""Evaluation rounds through the services: pinned schemes, catalogue data, stages with evidence, results, hashes."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from conftest import City, Personas
from edugov.core.models import AuditEvent
from edugov.evaluation import services
from edugov.evaluation.engine import SCHEMES_DIR, load_scheme
from edugov.evaluation.models import EvaluationResult, EvaluationRound, StageEntry, StageEvidence
from edugov.evaluation.services import EvaluationInputError, UploadedDocument

pytestmark = pytest.mark.django_db


def advance_to(rnd: EvaluationRound, stage: str, actor: object) -> EvaluationRound:
    while rnd.stage != stage:
        rnd = services.advance_stage(actor=actor, rnd=rnd)  # type: ignore[arg-type]
    return rnd


def test_a_round_pins_the_scheme_id_version_hash_and_full_json(county_round: EvaluationRound, city: City) -> None:
    scheme = load_scheme("county_gov_duties_example", year=2025)
    assert (county_round.scheme_id, county_round.scheme_version) == ("county_gov_duties_example", "2025.1")
    assert county_round.scheme_sha256 == scheme.sha256
    assert services.scheme_of(county_round).sha256 == scheme.sha256
    assert county_round.stage == "self"
    assert set(county_round.units.all()) == {city.east, city.west}
    assert AuditEvent.objects.filter(object_type="evaluation.EvaluationRound").exists()


def test_only_users_of_the_evaluating_unit_can_open_a_round(city: City, personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.create_round(actor=personas.east_admin, evaluating_unit=city.city,
                              scheme_id="county_gov_duties_example", year=2025, evaluated_kind="county")
    with pytest.raises(EvaluationInputError, match="不是"):
        services.create_round(actor=personas.east_admin, evaluating_unit=city.east,
                              scheme_id="school_evaluation_example", year=2025, evaluated_kind="school",
                              units=[city.west_primary])


def test_indicator_linked_leaves_are_filled_from_exact_catalogue_values(
        county_round: EvaluationRound, city: City, personas: Personas, statistics: None) -> None:
    notes = services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)
    east = {e.code: e for e in StageEntry.objects.filter(round=county_round, unit=city.east, stage="data")}
    assert east["A2.1"].value == "250/3"  # 100 children ÷ 120 × 100 %, exact, not 83.3
    assert east["A2.1"].source == "catalogue" and "preschool_gross_enrolment" in east["A2.1"].note
    assert east["A3.1"].value == "50"  # 2 of 4 classes have 56 or more pupils
    west = {e.code: e.value for e in StageEntry.objects.filter(round=county_round, unit=city.west, stage="data")}
    assert west["A2.1"] == "0"
    # units that do not match the scheme's are not filled: 超大班额 is a % in the catalogue, a count in the scheme
    assert "A3.2" not in east and "个" in notes["A3.2"]
    assert "A5.1" not in east and "元/生" in notes["A5.1"]
    assert "A4.3" not in east and "人工评分" in notes["A4.3"]  # manual rule
    result = services.evaluate_unit(county_round, city.east)
    a21 = result.item("A2.1")
    assert (a21.stage, a21.points) == ("data", 0)  # 250/3 % is below the linear floor of 85 %
    assert result.item("A3.1").points == 0  # 50 % large classes is past the 5 % floor


def test_later_stages_override_earlier_ones_and_disagreements_are_reported(
        county_round: EvaluationRound, city: City, personas: Personas, statistics: None) -> None:
    services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                   points="8", note="自评满分")
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A2.1",
                   value="90")
    rnd = advance_to(county_round, "review", personas.city_admin)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="A1.1", points="6")
    rnd = advance_to(rnd, "spot_check", personas.city_admin)
    services.enter(actor=personas.inspector, rnd=rnd, unit=city.east, stage="spot_check", code="A1.1", points="5",
                   note="抽查发现两所学校未落实")

    result = services.evaluate_unit(rnd, city.east)
    a11 = result.item("A1.1")
    assert (a11.points, a11.stage) == (5, "spot_check")
    assert [(s.stage, s.points) for s in a11.stages] == [("self", 8), ("review", 6), ("spot_check", 5)]
    a21 = result.item("A2.1")
    assert (a21.stage, a21.points) == ("self", Fraction(3))  # self 90 % overrides the catalogue's 250/3 %
    found = {d.code: d for d in result.discrepancies}
    assert found["A1.1"].change == -3
    # the self-reported 90 % disagrees with the statistics
    assert [(v.stage, v.value) for v in found["A2.1"].by_stage] == [("data", Fraction(250, 3)), ("self", 90)]
    assert [t.stage for t in result.stage_totals] == ["data", "self", "review", "spot_check"]


def test_a_school_admin_cannot_enter_the_county_re_evaluation(
        school_round: EvaluationRound, city: City, personas: Personas) -> None:
    services.enter(actor=personas.school_admin, rnd=school_round, unit=city.east_primary, stage="self",
                   code="S1.1", points="9")
    rnd = advance_to(school_round, "county", personas.east_admin)
    with pytest.raises(PermissionDenied):
        services.enter(actor=personas.school_admin, rnd=rnd, unit=city.east_primary, stage="county", code="S1.1",
                       points="10")
    with pytest.raises(PermissionDenied):  # and only the county advances the stages
        services.advance_stage(actor=personas.school_admin, rnd=rnd)
    services.enter(actor=personas.east_admin, rnd=rnd, unit=city.east_primary, stage="county", code="S1.1",
                   points="7")
    assert services.allowed_stage(personas.school_admin, rnd, city.east_primary) is None
    assert services.allowed_stage(personas.east_admin, rnd, city.east_primary) == "county"


def test_the_self_evaluation_is_written_by_the_evaluated_unit_not_by_the_bureau_above(
        county_round: EvaluationRound, city: City, personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.enter(actor=personas.city_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                       points="8")
    with pytest.raises(PermissionDenied):
        services.enter(actor=personas.west_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                       points="8")
    with pytest.raises(PermissionDenied):  # a school below the county is not the county
        services.enter(actor=personas.school_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                       points="8")


def test_entries_are_accepted_only_in_the_current_stage_and_must_fit_the_scheme(
        county_round: EvaluationRound, city: City, personas: Personas) -> None:
    with pytest.raises(EvaluationInputError, match="当前不是"):
        services.enter(actor=personas.city_admin, rnd=county_round, unit=city.east, stage="review", code="A1.1",
                       points="8")
    with pytest.raises(EvaluationInputError, match="超出"):
        services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                       points="9")  # A1.1 is worth 8
    assert not StageEntry.objects.filter(code="A1.1").exists()  # rolled back
    with pytest.raises(EvaluationInputError, match="有子项"):
        services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1",
                       points="8")
    with pytest.raises(EvaluationInputError, match="是”或“否"):
        services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A4.2")


def test_evidence_is_stored_by_sha256_and_unsafe_files_are_refused(
        county_round: EvaluationRound, city: City, personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    entry = services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                           points="8", evidence=[UploadedDocument("会议纪要.pdf", b"%PDF-1.4 minutes")])
    evidence = StageEvidence.objects.get(entry=entry)
    assert Path(evidence.stored_path).read_bytes() == b"%PDF-1.4 minutes"
    assert evidence.sha256 in evidence.stored_path and evidence.size == 16
    assert services.unit_inputs(county_round, city.east).stages[0].items["A1.1"].evidence == (evidence.sha256,)
    with pytest.raises(EvaluationInputError, match="类型不允许"):
        services.add_evidence(actor=personas.east_admin, entry=entry, files=[UploadedDocument("x.exe", b"MZ")])
    settings.EDUGOV_EVIDENCE_MAX_BYTES = 4
    with pytest.raises(EvaluationInputError, match="上限"):
        services.add_evidence(actor=personas.east_admin, entry=entry, files=[UploadedDocument("a.pdf", b"12345")])
    assert StageEvidence.objects.filter(entry=entry).count() == 1


def test_results_are_ranked_with_vetoes_last_and_consequences_of_the_final_grade(
        county_round: EvaluationRound, city: City, personas: Personas, statistics: None) -> None:
    services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)
    for unit, admin in ((city.east, personas.east_admin), (city.west, personas.west_admin)):
        for code in ("A1.1", "A1.2", "A5.3"):
            services.enter(actor=admin, rnd=county_round, unit=unit, stage="self", code=code, points="6")
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                   points="8")
    rnd = advance_to(county_round, "review", personas.city_admin)
    services.enter(actor=personas.city_admin, rnd=rnd, unit=city.east, stage="review", code="V1", flag=True,
                   note="发生重大安全责任事故")
    stored = services.compute_results(actor=personas.city_admin, rnd=rnd)
    by_unit = {r.unit: r for r in stored}
    east, west = by_unit[city.east], by_unit[city.west]
    assert Fraction(east.total) > Fraction(west.total)
    assert (west.rank, east.rank) == (1, 2) and east.vetoed and east.grade == "不合格"
    assert east.result["consequences"] and east.result["grade"] == "不合格"
    assert east.decided_by == "一票否决"


def test_recomputing_with_the_same_inputs_gives_the_same_hashes_and_results(
        county_round: EvaluationRound, city: City, personas: Personas, statistics: None) -> None:
    services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                   points="7.50", evidence=[UploadedDocument("表.xlsx", b"sheet")])
    first = {r.unit_id: (r.inputs_sha256, r.scheme_sha256, r.result, r.rank)
             for r in services.compute_results(actor=personas.city_admin, rnd=county_round)}
    services.fill_from_catalogue(actor=personas.city_admin, rnd=county_round)  # rewrites the same data rows
    again = {r.unit_id: (r.inputs_sha256, r.scheme_sha256, r.result, r.rank)
             for r in services.compute_results(actor=personas.city_admin, rnd=county_round)}
    assert first == again
    assert first[city.east.pk][1] == county_round.scheme_sha256
    services.enter(actor=personas.east_admin, rnd=county_round, unit=city.east, stage="self", code="A1.1",
                   points="7")
    changed = {r.unit_id: r.inputs_sha256 for r in services.compute_results(actor=personas.city_admin,
                                                                              rnd=county_round)}
    assert changed[city.east.pk] != first[city.east.pk][0] and changed[city.west.pk] == first[city.west.pk][0]


def test_a_newer_scheme_version_file_does_not_change_a_stored_rounds_results(
        tmp_path: Path, city: City, personas: Personas) -> None:
    schemes = tmp_path / "schemes"
    schemes.mkdir()
    shutil.copy(SCHEMES_DIR / "county_gov_duties_example.json", schemes)
    rnd = services.create_round(actor=personas.city_admin, evaluating_unit=city.city, year=2025,
                                scheme_id="county_gov_duties_example", evaluated_kind="county", directory=schemes)
    services.enter(actor=personas.east_admin, rnd=rnd, unit=city.east, stage="self", code="A1.1", points="8")
    before = {r.unit_id: (r.total, r.result, r.inputs_sha256)
              for r in services.compute_results(actor=personas.city_admin, rnd=rnd)}
    assert Fraction(before[city.east.pk][0]) == 8

    # next year's version halves A1.1 in favour of A1.2; it is valid from 2026 and supersedes the open-ended 2025.1
    raw = json.loads((SCHEMES_DIR / "county_gov_duties_example.json").read_text(encoding="utf-8"))
    raw["version"], raw["valid_years"] = "2026.1", {"from": 2026, "to": None}
    raw["items"][0]["children"][0]["points"] = "4"
    raw["items"][0]["children"][1]["points"] = "11"
    (schemes / "county_gov_duties_example.2026.json").write_text(json.dumps(raw, ensure_ascii=False),
                                                                 encoding="utf-8")
    assert load_scheme("county_gov_duties_example", year=2026, directory=schemes).version == "2026.1"

    def recomputed() -> dict[int, tuple[str, dict, str]]:  # type: ignore[type-arg]
        fresh = EvaluationRound.objects.get(pk=rnd.pk)
        return {r.unit_id: (r.total, r.result, r.inputs_sha256)
                for r in services.compute_results(actor=personas.city_admin, rnd=fresh)}

    assert recomputed() == before
    # even an edit of the 2025 file in place does not reach the round: it evaluates on the JSON it pinned
    (schemes / "county_gov_duties_example.json").write_text(
        json.dumps({**raw, "version": "2025.1", "valid_years": {"from": 2025, "to": 2025}}, ensure_ascii=False),
        encoding="utf-8")
    assert recomputed() == before
    assert EvaluationResult.objects.get(round=rnd, unit=city.east).scheme_sha256 == rnd.scheme_sha256
    # a round opened now pins the edited file, with its own hash and its own (different) result
    newer = services.create_round(actor=personas.city_admin, evaluating_unit=city.city, year=2025,
                                  scheme_id="county_gov_duties_example", evaluated_kind="county", directory=schemes)
    assert newer.scheme_sha256 != rnd.scheme_sha256
    services.enter(actor=personas.east_admin, rnd=newer, unit=city.east, stage="self", code="A1.1", points="4")
    assert services.evaluate_unit(newer, city.east).item("A1").max_points == 15
    with pytest.raises(EvaluationInputError):
        services.enter(actor=personas.east_admin, rnd=newer, unit=city.east, stage="self", code="A1.1", points="8")
