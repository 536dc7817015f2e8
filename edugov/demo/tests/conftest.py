"""Generated outputs shared by the demo tests: generating is deterministic, so each is produced once per session."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from edugov.dataio.tables import Table
from edugov.demo.generator import GenerationSummary, generate
from edugov.demo.plan import Plan, build_plan

SEED = 20240901
YEAR = 2024


def read_table(outdir: Path, table: Table) -> list[dict[str, str]]:
    with (outdir / f"{table.sheet}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def county_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    outdir = tmp_path_factory.mktemp("county")
    return outdir, generate(outdir, seed=SEED, scale="county", year=YEAR)


@pytest.fixture(scope="session")
def county_rows(county_output: tuple[Path, GenerationSummary]) -> Callable[[Table], list[dict[str, str]]]:
    outdir, _ = county_output
    cache: dict[str, list[dict[str, str]]] = {}

    def rows(table: Table) -> list[dict[str, str]]:
        if table.key not in cache:
            cache[table.key] = read_table(outdir, table)
        return cache[table.key]

    return rows


@pytest.fixture(scope="session")
def city_plan() -> Plan:
    return build_plan("city", seed=SEED, year=YEAR)
