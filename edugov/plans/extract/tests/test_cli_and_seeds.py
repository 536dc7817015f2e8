"""The command line entry and the seed-plan score floor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edugov.plans.extract import extract_targets, read_plan
from edugov.plans.extract.cli import main

REPO = Path(__file__).resolve().parents[4]
SCHEMA = {"quote", "subject", "comparator", "value", "value_max", "unit", "per", "deadline", "scope", "kind"}


def _shared_dir() -> Path | None:
    """shared/ sits beside the checkout on developer machines and in CI."""
    for candidate in (os.environ.get("EDUGOV_SHARED"), REPO.parent / "shared", Path("/work/shared")):
        if candidate and (Path(candidate) / "gold" / "seed_targets.jsonl").is_file():
            return Path(candidate)
    return None


def test_cli_prints_one_schema_record_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text("新建幼儿园3所，学前三年毛入园率达到95%。", encoding="utf-8")
    assert main([str(plan), "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["value"] for r in records] == [3, 95]
    assert set(records[0]) >= SCHEMA
    assert records[0]["doc"] == "plan.txt"


def test_cli_reports_unreadable_files_and_returns_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "old.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    assert main([str(bad), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "docx" in captured.err and json.loads(captured.out) == []


SEED_STRICT_F1_FLOOR = 0.99  # achieved 1.000 on 2026-11-25; raise, never lower


def test_seed_plans_score_at_or_above_the_recorded_floor(tmp_path: Path) -> None:
    shared = _shared_dir()
    if shared is None:
        pytest.skip("shared/gold not available on this machine")
    seeds = shared / "gold" / "seeds"
    out = tmp_path / "pred.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for path in sorted(seeds.iterdir()):
            text = read_plan(path)
            for t in extract_targets(text, path.name):
                assert text[t.start : t.end] == t.quote
                fh.write(json.dumps(t.to_record(), ensure_ascii=False) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            str(shared / "tools" / "score_targets.py"),
            str(shared / "gold" / "seed_targets.jsonl"),
            str(out),
            str(seeds),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    last = dict(kv.split("=") for kv in result.stdout.strip().splitlines()[-1].split())
    assert float(last["strict_f1"]) >= SEED_STRICT_F1_FLOOR, result.stdout
