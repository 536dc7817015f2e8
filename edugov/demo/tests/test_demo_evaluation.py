"""The demo's 优质均衡 round: opened by the city on ``youzhi_junheng_2017_county``, filled from the catalogue, one
county with an unmet item, one fully met, added only once."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import City
from edugov.demo.evaluation import add_demo_evaluation
from edugov.evaluation.models import EvaluationRound, StageEntry
from edugov.indicators.acceptance import youzhi_parts
from edugov.stats.models import ClassSection

pytestmark = pytest.mark.django_db
YEAR = 2024


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_round_shows_an_unmet_county_and_a_fully_met_one_and_is_added_once(city: City) -> None:
    ClassSection.objects.create(unit=city.east_primary, year=YEAR, grade="1", name="1班", size=44)
    ClassSection.objects.create(unit=city.west_primary, year=YEAR, grade="1", name="1班", size=48)
    lines: list[str] = []
    rnd = add_demo_evaluation(lines.append, YEAR)
    assert rnd is not None and rnd.stage == "self"
    assert [u.code for u in rnd.units.order_by("code")] == ["370202", "370203"]
    # G5 comes from the catalogue for both; 西区's one class of 48 is over the primary 45
    assert StageEntry.objects.get(round=rnd, unit=city.east, stage="data", code="G5").value == "0"
    assert StageEntry.objects.get(round=rnd, unit=city.west, stage="data", code="G5").value == "1"
    east, west = youzhi_parts(city.east), youzhi_parts(city.west)
    assert east.status == "未达标"
    assert [i.code for a in east.areas for i in a.unmet] == ["G11"]
    assert east.recognition is not None and east.recognition.value == "87.3%"
    # 西区 reports its own figure where the data fail (the review will compare) and meets every item
    assert west.status == "达标" and west.passes
    assert StageEntry.objects.get(round=rnd, unit=city.west, stage="self", code="G5").value == "0"
    assert add_demo_evaluation(lines.append, YEAR) is None
    assert EvaluationRound.objects.count() == 1
