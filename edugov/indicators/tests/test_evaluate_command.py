"""``edugov evaluate SCHEME``: every shipped scheme, not only the 优质均衡 resource part.

GIVEN the shared personas (示范市 370200 with 东区 370202 and 西区 370203) and the 2024 school year.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from conftest import City, Personas
from edugov.evaluation import services
from edugov.indicators.acceptance import YOUZHI_PARTS_SCHEME

YEAR = 2024


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out, **options)
    return out.getvalue()


def test_puji_of_the_city_lists_every_county_with_its_items_and_status(city: City) -> None:
    report = json.loads(run("puji_puhui_2020", unit="370200", year=YEAR, format="json"))
    assert report["scheme"]["id"] == "puji_puhui_2020"
    assert [c["county"]["code"] for c in report["counties"]] == ["370202", "370203"]
    east = report["counties"][0]
    assert east["status"] and {"code", "name", "value", "display", "threshold", "met", "gap"} <= set(east["items"][0])
    # failing items first, and an item without data says so rather than 0
    assert all(i["value"] is not None or i["met"] is None for i in east["items"])
    text = run("puji_puhui_2020", unit="370202", year=YEAR)
    assert "东区" in text and "学前三年毛入园率" in text and "西区" not in text


def test_a_supervision_scheme_without_a_round_is_scored_on_the_catalogue_data_alone(city: City) -> None:
    report = json.loads(run(YOUZHI_PARTS_SCHEME, unit="370202", year=YEAR, format="json"))
    assert report["source"] == "catalogue" and report["round"] is None
    result = report["result"]
    assert result["scheme_id"] == YOUZHI_PARTS_SCHEME and result["unit_id"] == "370202"
    # the manual items have no data without a round: reported missing, never counted as met
    assert "G1" in result["missing"] and result["grade"] != "达标"
    assert any(key.endswith("@370202") or key.startswith("Q") for key in report["notes"])


def test_a_supervision_scheme_with_a_round_reports_the_rounds_entries(city: City, personas: Personas) -> None:
    rnd = services.create_round(actor=personas.city_admin, evaluating_unit=city.city, scheme_id=YOUZHI_PARTS_SCHEME,
                                year=YEAR, evaluated_kind="county", units=[city.east])
    services.enter(actor=personas.east_admin, rnd=rnd, unit=city.east, stage="self", code="S1", value="84.9")
    report = json.loads(run(YOUZHI_PARTS_SCHEME, unit="370202", year=YEAR, format="json"))
    assert report["source"] == "round" and report["round"]["id"] == rnd.pk
    s1 = next(c for a in report["result"]["items"] for c in a["children"] if c["code"] == "S1")
    assert s1["points"] == "0" and not s1["missing"]
    assert report["result"]["grade"] == "未达标"
    text = run(YOUZHI_PARTS_SCHEME, unit="370202", year=YEAR)
    assert "评价轮次" in text and "S1 社会认可度" in text and "等级 未达标" in text


def test_an_unknown_scheme_or_an_override_of_a_supervision_scheme_is_refused(city: City) -> None:
    with pytest.raises(CommandError):
        run("no_such_scheme", unit="370202", year=YEAR)
    with pytest.raises(CommandError, match="--override"):
        run(YOUZHI_PARTS_SCHEME, unit="370202", year=YEAR, override=["x.json"])
