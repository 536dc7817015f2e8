"""The same catalogue gives identical Fractions through the ORM (SQLite here; PostgreSQL when the suite runs with
DATABASE_URL, as CI does, where the hand-computed values in test_catalogue_compute.py must hold too) and through
DuckDB over the exported tables."""

from __future__ import annotations

from typing import Any

import pytest

from edugov.indicators.compute import Snapshot
from edugov.indicators.tests.test_catalogue_compute import YEAR, Data, data

duckdb = pytest.importorskip("duckdb")

__all__ = ["data"]


def _key(v: Any) -> tuple[Any, ...]:
    return (v.code, v.value, v.numerator, v.denominator, v.reason,
            tuple((c.unit.code, c.numerator, c.denominator) for c in v.contributions))


@pytest.mark.parametrize("filters", [{}, {"urban_rural": "乡村"}, {"sex": "女"}, {"public": "公办"},
                                     {"stage": "primary"}])
def test_duckdb_and_the_orm_give_identical_values_for_every_indicator_and_unit(
        data: Data, filters: dict[str, str]) -> None:
    from edugov.indicators.duckdb_backend import DuckDBBackend, export_tables

    con = duckdb.connect()
    export_tables(con)
    orm = Snapshot(data.city.city, YEAR, filters=filters)
    duck = Snapshot(data.city.city, YEAR, filters=filters, backend=DuckDBBackend(con))
    compared = 0
    for unit in (data.city.city, data.city.east, data.city.west, data.city.east_junior, data.city.east_town):
        for a, b in zip(orm.values(unit.pk), duck.values(unit.pk), strict=True):
            assert _key(a) == _key(b)
            compared += a.value is not None
    assert compared > 10 if not filters else compared > 0


def test_duckdb_reads_decimals_exactly(data: Data) -> None:
    from edugov.indicators.duckdb_backend import DuckDBBackend, export_tables

    con = duckdb.connect()
    export_tables(con, years=[YEAR])
    v = Snapshot(data.city.east_junior, YEAR, backend=DuckDBBackend(con)).value("per_pupil_funding")
    assert v.numerator == 460001 / 2 and v.denominator == 215
