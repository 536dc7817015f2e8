from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from edugov.evaluation.engine import (
    SCHEMES_DIR,
    InputError,
    ItemInput,
    SchemeError,
    StageInput,
    UnitInputs,
    evaluate,
    inputs_sha256,
    list_schemes,
    load_scheme,
    parse_scheme,
)
from edugov.evaluation.engine.tests.builders import FULL_MARKS, stage, tiny, tiny_raw, unit, with_values
from edugov.evaluation.engine.tests.test_examples import COUNTY_2025

SCHEME_ID = "county_gov_duties_example"


def test_evaluating_twice_gives_identical_results_and_hashes() -> None:
    inputs = unit("U", with_values(X2="87.3"), stage("county", {"Y1": "18"}))
    first, second = evaluate(tiny(), inputs), evaluate(tiny(), inputs)
    assert first == second
    assert first.as_dict() == second.as_dict()
    assert json.dumps(first.as_dict(), ensure_ascii=False)  # JSON-able as is
    assert first.as_dict()["total"] == "90.3"  # 100 − (15 − 7.3) − (20 − 18)
    assert len(first.scheme_sha256) == len(first.inputs_sha256) == 64


def test_the_inputs_hash_ignores_number_spelling_and_order_but_not_values() -> None:
    a = UnitInputs("U", (stage("self", {"X2": "87.50", "X1": "90"}), stage("county", {"Y1": "18"})))
    b = UnitInputs("U", (StageInput("county", {"Y1": ItemInput(points=18)}),
                         StageInput("self", {"X1": ItemInput(value=90), "X2": ItemInput(value=Decimal("87.5"))})))
    c = UnitInputs("U", (stage("self", {"X2": "87.51", "X1": "90"}), stage("county", {"Y1": "18"})))
    assert inputs_sha256(a) == inputs_sha256(b) != inputs_sha256(c)


def test_the_scheme_hash_ignores_layout_and_key_order_but_not_content() -> None:
    raw = tiny_raw()
    relaid = json.loads(json.dumps(dict(reversed(list(raw.items()))), indent=4))
    assert parse_scheme(relaid).sha256 == tiny().sha256
    assert tiny(max_score="100", name="另一个名称").sha256 != tiny().sha256


def _next_year_version(path: Path) -> dict[str, Any]:
    """The 2026 version: preschool enrolment from 88% instead of 85%, and an open-ended validity."""
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    raw["version"] = "2026.1"
    raw["valid_years"] = {"from": 2026, "to": None}
    raw["items"][1]["children"][0]["rule"]["floor"] = "88"
    return raw


def test_a_2025_result_is_unchanged_after_the_2026_version_of_the_scheme_is_added(tmp_path: Path) -> None:
    shutil.copy(SCHEMES_DIR / f"{SCHEME_ID}.json", tmp_path / f"{SCHEME_ID}.json")
    before = evaluate(load_scheme(SCHEME_ID, year=2025, directory=tmp_path), COUNTY_2025)

    (tmp_path / f"{SCHEME_ID}.2026.json").write_text(
        json.dumps(_next_year_version(tmp_path / f"{SCHEME_ID}.json"), ensure_ascii=False, indent=2),
        encoding="utf-8")
    assert [(r.version, r.year_from) for r in list_schemes(tmp_path)] == [("2025.1", 2025), ("2026.1", 2026)]

    by_version = evaluate(load_scheme(SCHEME_ID, version="2025.1", directory=tmp_path), COUNTY_2025)
    by_year = evaluate(load_scheme(SCHEME_ID, year=2025, directory=tmp_path), COUNTY_2025)
    assert before.as_dict() == by_version.as_dict() == by_year.as_dict()
    assert (before.scheme_version, before.scheme_sha256) == ("2025.1", load_scheme(SCHEME_ID, version="2025.1").sha256)

    new = load_scheme(SCHEME_ID, year=2026, directory=tmp_path)
    assert load_scheme(SCHEME_ID, directory=tmp_path).version == new.version == "2026.1"
    assert new.sha256 != before.scheme_sha256
    with pytest.raises(InputError, match=r"版本 2026\.1 不适用于 2025 年"):
        evaluate(new, COUNTY_2025)
    rescored = evaluate(new, UnitInputs(COUNTY_2025.unit_id, COUNTY_2025.stages, year=2026))
    assert rescored.item("A2.1").points < before.item("A2.1").points  # 91% now earns 6 × 3/7, not 6 × 6/10


def test_lookups_that_match_nothing_or_more_than_one_version_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(tiny_raw()), encoding="utf-8")
    with pytest.raises(SchemeError, match="找不到评价方案 nothing"):
        load_scheme("nothing", directory=tmp_path)
    with pytest.raises(SchemeError, match="没有版本 9"):
        load_scheme("tiny", version="9", directory=tmp_path)
    with pytest.raises(SchemeError, match="不适用于 2030 年"):
        load_scheme("tiny", year=2030, directory=tmp_path)
    (tmp_path / "b.json").write_text(json.dumps(tiny_raw(version="1b")), encoding="utf-8")
    with pytest.raises(SchemeError, match="有多个版本同时适用（1、1b），请指定版本"):
        load_scheme("tiny", year=2025, directory=tmp_path)
    assert load_scheme("tiny", version="1b", directory=tmp_path).version == "1b"
    (tmp_path / "c.json").write_text(json.dumps(tiny_raw()), encoding="utf-8")
    with pytest.raises(SchemeError, match=r"版本 1 同时出现在 a\.json 和 c\.json"):
        list_schemes(tmp_path)


def test_full_marks_stay_full_marks_under_every_shipped_scheme_lookup() -> None:
    assert evaluate(tiny(), unit("U", FULL_MARKS)).total == 100
    assert {r.id for r in list_schemes()} >= {SCHEME_ID, "school_evaluation_example"}
