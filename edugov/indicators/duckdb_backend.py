"""The catalogue engine over DuckDB: the same element queries as the ORM backend, run on tables exported from the
database (for analysis outside the server, and to prove the definitions give identical results on a third engine).

``duckdb`` is an optional (development) dependency: ``pip install -e ".[dev]"``. Usage::

    con = duckdb.connect()
    export_tables(con, years=[2022, 2024])
    compute_all(unit, 2024, backend=DuckDBBackend(con))

Registry resolution (which schools are below the unit on the reference date, and their attributes) stays with
Django; DuckDB reads and aggregates the statistics rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models

from edugov.indicators.catalogue import ElementQuery
from edugov.indicators.catalogue.plan import Condition
from edugov.indicators.compute import MODELS, Aggregate, scalar, to_fraction

__all__ = ["DuckDBBackend", "export_tables"]

_OPS = {"eq": "=", "ne": "<>", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}


def _column_type(field: models.Field[Any, Any]) -> str:
    if isinstance(field, models.DecimalField):
        return f"DECIMAL(38, {field.decimal_places})"
    if isinstance(field, models.BooleanField):
        return "BOOLEAN"
    if isinstance(field, models.DateField):
        return "DATE"
    if isinstance(field, models.IntegerField | models.ForeignKey | models.AutoField):
        return "BIGINT"
    return "VARCHAR"


def export_tables(con: Any, years: Iterable[int] | None = None) -> None:
    """(Re)creates every statistics table the catalogue reads in the DuckDB connection, with the database's rows
    (of ``years`` only, if given). Decimals stay exact (DECIMAL), never floats."""
    for table, model in MODELS.items():
        fields = [f for f in model._meta.concrete_fields]
        columns = [f.column for f in fields]
        con.execute(f'DROP TABLE IF EXISTS "{table}"')
        definition = ", ".join(f"{f.column} {_column_type(f)}" for f in fields)
        con.execute(f'CREATE TABLE "{table}" ({definition})')
        qs = model._default_manager.order_by()
        if years is not None:
            qs = qs.filter(year__in=list(years))
        rows = list(qs.values_list(*[f.attname for f in fields]))
        if rows:
            marks = ", ".join("?" for _ in columns)
            con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', [list(r) for r in rows])


def _sql(c: Condition, params: list[Any]) -> str:
    if c.op in ("in", "nin"):
        values = list(c.value) if isinstance(c.value, tuple) else [c.value]
        if not values:
            return "FALSE" if c.op == "in" else "TRUE"
        params.extend(values)
        return f"{c.column} {'IN' if c.op == 'in' else 'NOT IN'} ({', '.join('?' for _ in values)})"
    if c.op == "nonempty":
        return f"({c.column} IS NOT NULL AND {c.column} <> '')"
    if c.op == "empty":
        return f"{c.column} = ''"
    params.append(scalar(c.value))
    if c.op == "ne":  # as Django's exclude(): NULL rows are kept
        return f"({c.column} IS NULL OR {c.column} <> ?)"
    return f"{c.column} {_OPS[c.op]} ?"


class DuckDBBackend:
    """Runs element queries in a DuckDB connection holding the tables written by :func:`export_tables`."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def fetch(self, query: ElementQuery, unit_ids: Sequence[int], year: int) -> dict[int, Aggregate]:
        assert query.source.table is not None
        params: list[Any] = [year, *unit_ids]
        where = ["year = ?", f"unit_id IN ({', '.join('?' for _ in unit_ids)})"]
        where += [_sql(c, params) for c in query.conditions]
        select = ["unit_id", *(f"SUM({c}), COUNT({c})" for c in query.sums), "COUNT(*)"]
        sql = (f'SELECT {", ".join(select)} FROM "{query.source.table}" WHERE {" AND ".join(where)} '
               "GROUP BY unit_id")
        out: dict[int, Aggregate] = {}
        for row in self.con.execute(sql, params).fetchall():
            n = len(query.sums)
            out[int(row[0])] = Aggregate(sums=tuple(to_fraction(row[1 + 2 * i]) for i in range(n)),
                                         counts=tuple(int(row[2 + 2 * i]) for i in range(n)), rows=int(row[-1]))
        return out
