"""Matching whole files column-wise: the result of `matching.match`, with the bulk of the work in DuckDB.

`match` needs every pupil as a Python object; for a county's million 学籍 building them costs more than the match
itself. `match_files` reads the pupils' file and the list's file (CSV or Parquet) in DuckDB and:

1. normalises every raw ID number in SQL to exactly what `classify_id` normalises it to (the same `str.translate`
   table; a 15-digit result upgraded like `edugov.lib.idcard.upgrade_15_to_18`, "19" inserted and the GB 11643 check
   digit computed in SQL; otherwise the remaining whitespace that `validate_id` strips removed). Numbers already in
   normal form (`[0-9]{17}[0-9X]`, most rows) and 15 plain digits skip the translation;
2. joins it to the pupils' numbers: the exact matches, in list order. A row not written in normal form gets the
   `IdResult` `match` gives it (valid, the normalised number, upgraded or not) without a Python classification;
3. brings only the rows left over into Python (≈ 8 % of a typical list): their (birth date, name key) and the
   classification (`classify_id`, on a second thread) exactly as in `match`;
4. selects in SQL, in file order, the pupils `match`'s fallback would look at — born on a wanted date, with a first
   character whose normalisation is the first character of a wanted name key — and finishes the flagged fallback in
   Python on those few (≈ 10,000 of a million).

The result — matches in the same order, unmatched rows, ID classifications — equals `match(students, rows)` on the
same data read in file order (tests check it on generated data with every kind of noise, from CSV and Parquet),
given what `match` assumes of the pupils too: their numbers are stored validated and in normal form (or empty). A
number stored for two pupils matches the later one, as in `match`.

Columns: the pupils' file has `student_key`, `id_number`, `name`, `birth_date`; the list's file `row_no`, `raw_id`,
`name`, `birth_date` (empty or NULL if unknown). CSV files are read as text (`all_varchar`) with a header; Parquet
columns keep their types. Keys come back as DuckDB reads them, row numbers as integers, dates as `date`s (what
DuckDB cannot read as a date counts as unknown).

Cost (1,000,000 pupils, 100,000 rows; see bench/README.md): ≈ 0.36 s against 2.0 s for reading the files into
Python and calling `match`. While it runs the cyclic garbage collector is paused (≈ 100,000 acyclic tuples are
made at once) and a second thread builds the Match tuples and classifies the leftover rows while DuckDB, which
releases the GIL, selects the fallback's candidates."""

from __future__ import annotations

import datetime as dt
import gc
import importlib.util
from collections.abc import Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from itertools import repeat
from pathlib import Path

import duckdb

from edugov.aid.engine.matching import Match, MatchKind, MatchResult
from edugov.aid.engine.normalise import (
    _ID_TABLE,
    IdKind,
    IdResult,
    birth_from_id,
    classify_id,
    first_characters,
    name_key,
)
from edugov.lib.idcard import CHECK_CHARS, WEIGHTS
from edugov.lib.text import ZERO_WIDTH

__all__ = ["match_files", "normalise_ids"]

_STUDENTS = "_aid_students"
_ROWS = "_aid_rows"
_JOINED = "_aid_joined"
# Key types that fetchnumpy().tolist() gives as the same Python values as fetchall().
_NUMPY_SAFE = frozenset({"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT",
                         "VARCHAR"})


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def _normalise_sql(source: str) -> str:
    """A query over `source` (a relation with a VARCHAR column `raw_id`, never NULL) adding `n`, the number
    `classify_id` normalises `raw_id` to, and `upgraded`, whether that was a 15-digit number made 18 (the other
    columns of `source` are kept; helper columns `_clean`, `_t`, `_f` too). `n` is `raw_id` with `_ID_TABLE`
    applied (whitespace and invisible characters dropped, full-width made half-width, x/×/ｘ made X); a 15-digit
    result upgraded like `upgrade_15_to_18` ("19" inserted before the birth date, the check digit computed with
    the GB 11643 weights); anything else stripped of the other whitespace that `validate_id` removes
    (`str.isspace`). Numbers already in normal form (`[0-9]{17}[0-9X]`, most rows) and 15 plain digits skip the
    translation (DuckDB's translate is slow with a long table)."""
    sources = "".join(chr(code) for code, value in _ID_TABLE.items() if value)
    targets = "".join(value for value in _ID_TABLE.values() if value)
    dropped = "".join(chr(code) for code, value in _ID_TABLE.items() if not value)
    # DuckDB's translate deletes the characters of the second argument beyond the length of the third.
    translated = f"translate(raw_id, {_literal(sources + dropped)}, {_literal(targets)})"
    spaces = "".join(sorted({chr(code) for code in range(0x110000) if chr(code).isspace()} | set(ZERO_WIDTH)))
    total = " + ".join(f"{weight} * (ascii(substr(_f, {i + 1}, 1)) - 48)" for i, weight in enumerate(WEIGHTS))
    return f"""
        SELECT *, CASE WHEN _clean THEN raw_id
                       WHEN upgraded THEN _f || substr({_literal(CHECK_CHARS)}, ({total}) % 11 + 1, 1)
                       ELSE translate(_t, {_literal(spaces)}, '') END AS n
        FROM (SELECT *, CASE WHEN upgraded THEN substr(_t, 1, 6) || '19' || substr(_t, 7) END AS _f
              FROM (SELECT *, NOT _clean AND regexp_full_match(_t, '[0-9]{{15}}') AS upgraded
                    FROM (SELECT *, CASE WHEN _clean OR regexp_full_match(raw_id, '[0-9]{{15}}') THEN raw_id
                                         ELSE {translated} END AS _t
                          FROM (SELECT *, regexp_full_match(raw_id, '[0-9]{{17}}[0-9X]') AS _clean
                                FROM {source}))))"""


def normalise_ids(numbers: list[str], connection: duckdb.DuckDBPyConnection | None = None) -> list[tuple[str, bool]]:
    """The SQL normalisation of `match_files` applied to these raw numbers: (normalised, upgraded from 15) each,
    in order. For tests against `classify_id`."""
    if not numbers:
        return []
    con = connection if connection is not None else duckdb.connect()
    try:
        query = _normalise_sql("(SELECT unnest($1) AS raw_id, generate_subscripts($1, 1) AS i)")
        found = con.execute(f"SELECT n, upgraded FROM ({query}) ORDER BY i", [numbers]).fetchall()
        return [(str(n), bool(upgraded)) for n, upgraded in found]
    finally:
        if connection is None:
            con.close()


@cache
def _has_numpy() -> bool:
    """fetchnumpy (columns as arrays, ~10× cheaper than tuples for 100,000 rows) needs numpy, which DuckDB does not
    require."""
    return importlib.util.find_spec("numpy") is not None


def _source(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    """A temporary view (Parquet) or table (CSV) over the file with `pos`, the 0-based position in the file."""
    quoted = _literal(str(path))
    if path.suffix.lower() == ".parquet":
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS "
                    f"SELECT *, file_row_number AS pos FROM read_parquet({quoted}, file_row_number = true)")
    else:
        # read_csv has no row number; a table keeps the file's order (insertion order) in its rowid.
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_csv AS "
                    f"SELECT * FROM read_csv({quoted}, all_varchar = true, header = true)")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT *, rowid AS pos FROM {name}_csv")


def match_files(students: str | Path, rows: str | Path,
                connection: duckdb.DuckDBPyConnection | None = None) -> MatchResult:
    """Matches every row of the list file to the pupils' file: exactly on the ID number, else flagged on name and
    birth date — the result of `match` on the same data (see the module doc). `connection`: a DuckDB connection to
    use (its temporary objects `_aid_*` are replaced and dropped), else a new in-memory one."""
    con = connection if connection is not None else duckdb.connect()
    # ~100,000 small acyclic objects are made at once: the cyclic garbage collector would run hundreds of times
    # for nothing, so it is paused meanwhile (and resumed as it was).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _source(con, _STUDENTS, Path(students))
        _source(con, _ROWS, Path(rows))
        return _match(con)
    finally:
        if collecting:
            gc.enable()
        if connection is None:
            con.close()
        else:
            for statement in (f"DROP TABLE IF EXISTS {_JOINED}", f"DROP VIEW IF EXISTS {_STUDENTS}",
                              f"DROP VIEW IF EXISTS {_ROWS}", f"DROP TABLE IF EXISTS {_STUDENTS}_csv",
                              f"DROP TABLE IF EXISTS {_ROWS}_csv"):
                con.execute(statement)


def _match(con: duckdb.DuckDBPyConnection) -> MatchResult:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_JOINED} AS
        WITH r AS (SELECT pos, CAST(row_no AS BIGINT) AS row_no, coalesce(CAST(raw_id AS VARCHAR), '') AS raw_id,
                          name, birth_date FROM {_ROWS}),
        n AS ({_normalise_sql("r")})
        SELECT n.pos, n.row_no, n.raw_id, n.n, n.upgraded, n.name, n.birth_date, s.student_key, s.pos AS spos
        FROM n LEFT JOIN (SELECT pos, student_key, CAST(id_number AS VARCHAR) AS id_number FROM {_STUDENTS}
                          WHERE CAST(id_number AS VARCHAR) <> '') s ON s.id_number = n.n""")
    # Exact, in list order. Were a number stored for two pupils, match() would take the later one (a dict): so does
    # this (the last of a row's matches, ordered by the pupils' position).
    found = con.execute(f"""
        SELECT pos, row_no, student_key FROM {_JOINED} WHERE spos IS NOT NULL ORDER BY pos, spos""")
    exact: Iterable[tuple[object, ...]]
    if str(found.description[2][1]) in _NUMPY_SAFE and _has_numpy():
        columns = found.fetchnumpy()
        positions, row_numbers, students = columns["pos"], columns["row_no"], columns["student_key"]
        if len(positions) > 1 and (positions[1:] == positions[:-1]).any():
            last = [*(positions[1:] != positions[:-1]).tolist(), True]
            row_numbers, students = row_numbers[last], students[last]
        exact = zip(row_numbers.tolist(), students.tolist(), repeat(MatchKind.EXACT), repeat(""))
    else:
        everything = found.fetchall()
        exact = [(row, student, MatchKind.EXACT, "") for i, (pos, row, student) in enumerate(everything)
                 if i + 1 == len(everything) or everything[i + 1][0] != pos]
    # The rows left over, in list order, with the number classify_id normalises them to (n). Their (birth date,
    # name key) — the fallback's key in match() — needs only n, not the classification.
    left: list[tuple[int, str, str, dt.date | None, str]] = con.execute(f"""
        SELECT row_no, raw_id, coalesce(CAST(name AS VARCHAR), ''),
               TRY_CAST(NULLIF(CAST(birth_date AS VARCHAR), '') AS DATE), n
        FROM {_JOINED} WHERE spos IS NULL ORDER BY pos""").fetchall()
    keys = [((birth_date or birth_from_id(normalised)), name_key(raw_name))
            for _, _, raw_name, birth_date, normalised in left]

    def python_side() -> tuple[list[Match], list[IdResult]]:
        # The Match tuples (one per row of a 100,000-row list) built without a Python-level call each, and the
        # leftover rows classified, on a second thread while DuckDB (which releases the GIL) selects the fallback's
        # candidates.
        return (list(map(tuple.__new__, repeat(Match), exact)),
                [classify_id(raw_id) for _, raw_id, _, _, _ in left])

    with ThreadPoolExecutor(max_workers=1) as pool:
        python = pool.submit(python_side)
        wanted = {(birth, name[:1]) for birth, name in keys if birth is not None and name}
        candidates = _candidates(con, wanted) if wanted else []
        # A row not written in normal form was classified by match() too: valid (its number is a pupil's),
        # upgraded if it was a 15-digit number.
        normalised_exact = con.execute(f"""
            SELECT row_no, n, upgraded FROM {_JOINED}
            WHERE spos IS NOT NULL AND raw_id <> n ORDER BY pos""").fetchall()
        matches, classified = python.result()
    result = MatchResult(matches=matches)
    for row, normalised, upgraded in normalised_exact:
        result.ids[row] = IdResult(normalised, IdKind.VALID, upgraded)
    # From here on exactly match()'s treatment of the rows no pupil's number matched.
    pending: dict[tuple[dt.date, str], list[tuple[int, str]]] = {}
    for (row, _, _, _, _), (birth, name), checked in zip(left, keys, classified, strict=True):
        result.ids[row] = checked
        reason = "not_found" if checked.kind is IdKind.VALID else checked.kind.value
        if birth is None or not name:
            result.unmatched[row] = checked.kind
            continue
        pending.setdefault((birth, name), []).append((row, reason))
    hits: dict[tuple[dt.date, str], list[Hashable]] = {}
    for student, raw_name, birth in candidates:
        key = (birth, name_key(raw_name))
        if key in pending:
            hits.setdefault(key, []).append(student)
    for key, waiting in pending.items():
        found_students = hits.get(key, [])
        for row, reason in waiting:
            if not found_students:
                result.unmatched[row] = result.ids[row].kind
            for student in found_students:
                matches.append(Match(row, student, MatchKind.FLAGGED, reason))
    return result


@cache
def _raw_heads() -> dict[str, tuple[str, ...]]:
    """For a normalised first character, every raw first character `match`'s pre-filter maps to it (a character
    without an entry in `first_characters` stands for itself)."""
    heads = first_characters()
    inverse: dict[str, list[str]] = {}
    for raw, head in heads.items():
        inverse.setdefault(head, []).append(raw)
    return {head: tuple(raws) for head, raws in inverse.items()}


def _candidates(con: duckdb.DuckDBPyConnection,
                wanted: set[tuple[dt.date, str]]) -> list[tuple[Hashable, str, dt.date]]:
    """The pupils match()'s fallback looks at — born on a wanted date, with a first character whose normalisation
    is the wanted first character — selected in SQL, in file order: (key, name, birth date)."""
    heads, inverse = first_characters(), _raw_heads()
    dates: list[dt.date] = []
    characters: list[str] = []
    for birth, head in wanted:
        for raw in inverse.get(head, ()) + (() if head in heads else (head,)):
            dates.append(birth)
            characters.append(raw)
    return con.execute(f"""
        SELECT s.student_key, s.name, s.birth
        FROM (SELECT pos, student_key, coalesce(CAST(name AS VARCHAR), '') AS name,
                     TRY_CAST(birth_date AS DATE) AS birth FROM {_STUDENTS}) s
        SEMI JOIN (SELECT unnest($1) AS birth, unnest($2) AS head) w
          ON s.birth = w.birth AND left(s.name, 1) = w.head
        ORDER BY s.pos""", [dates, characters]).fetchall()
