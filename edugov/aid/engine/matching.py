"""Matching the rows of an external list (低保, 特困, 脱贫 …) to pupils' 学籍.

1. **Exact** on the normalised ID number: a dict join. The pupils' numbers are taken as stored (the platform stores
   them validated and normalised), so a row whose raw number is already in that form costs one dict lookup; only the
   others are normalised (full-width, lower-case x, 15 → 18 digits) and looked up again.
2. **Flagged** on (name, birth date) for the rows left over: no ID, a malformed one, a wrong check digit, or a valid
   one that no pupil has. The birth date is the row's own 出生日期, else the one inside its ID number. Names are
   compared after `name_key` (Traditional → Simplified, spaces, full-width, middle dots). A flagged match is only a
   suggestion: it must be confirmed by a person before any money follows it. Only pupils born on one of the wanted
   dates have their names normalised, so the fallback costs one pass over the birth dates, not over the names.

A valid ID that matches no pupil is never matched "exactly" to anyone else: different numbers are different people.

This is the reference implementation (and the one the Django services use). For whole files at county scale,
`columnar.match_files` gives the same result with the normalisation and the exact join in DuckDB."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from edugov.aid.engine.normalise import IdKind, IdResult, birth_from_id, classify_id, first_characters, name_key

__all__ = ["ListRow", "Match", "MatchKind", "MatchResult", "Students", "match"]


class MatchKind(enum.StrEnum):
    EXACT = "exact"
    FLAGGED = "flagged"


class ListRow(NamedTuple):
    """One row of an external list: its row number in the file, the ID number as written, name, optional birth
    date. (Named tuples: a list of 100,000 rows is built and read in a hot loop.)"""

    row: int
    raw_id: str
    name: str
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class Students:
    """The pupils to match against, as columns of equal length: a key per pupil (a primary key, a row index),
    the normalised 18-character ID number ("" if none), name and birth date."""

    keys: Sequence[Hashable]
    id_numbers: Sequence[str]
    names: Sequence[str]
    birth_dates: Sequence[dt.date | None]

    def __post_init__(self) -> None:
        sizes = {len(self.keys), len(self.id_numbers), len(self.names), len(self.birth_dates)}
        if len(sizes) != 1:
            raise ValueError("学生各列的长度不一致")


class Match(NamedTuple):
    """A list row matched to a pupil. `reason` says why a flagged match is flagged: the row's ID kind
    (bad_check / malformed / missing) or not_found (a valid ID no pupil has)."""

    row: int
    student: Hashable
    kind: MatchKind
    reason: str = ""


@dataclass
class MatchResult:
    matches: list[Match] = field(default_factory=list)
    # Rows matched neither way, with their ID kind (valid = a valid number that no pupil has and no name/birth hit).
    unmatched: dict[int, IdKind] = field(default_factory=dict)
    # The classification of every row that needed more than a plain lookup (rows matched at once are valid).
    ids: dict[int, IdResult] = field(default_factory=dict)

    @property
    def exact(self) -> list[Match]:
        return [m for m in self.matches if m.kind is MatchKind.EXACT]

    @property
    def flagged(self) -> list[Match]:
        return [m for m in self.matches if m.kind is MatchKind.FLAGGED]


def match(students: Students, rows: Sequence[ListRow]) -> MatchResult:
    """Matches every row: exactly on the ID number, else flagged on name and birth date (see the module doc)."""
    by_id: dict[str, int] = dict(zip(students.id_numbers, range(len(students.keys)), strict=True))
    by_id.pop("", None)
    keys = students.keys
    result = MatchResult()
    matches = result.matches
    # (birth date, name key) → rows still waiting, with the reason they were not matched exactly.
    pending: dict[tuple[dt.date, str], list[tuple[int, str]]] = {}
    for list_row in rows:
        index = by_id.get(list_row.raw_id)
        if index is not None:
            matches.append(Match(list_row.row, keys[index], MatchKind.EXACT))
            continue
        checked = classify_id(list_row.raw_id)
        result.ids[list_row.row] = checked
        if checked.kind is IdKind.VALID:
            index = by_id.get(checked.normalised)
            if index is not None:
                matches.append(Match(list_row.row, keys[index], MatchKind.EXACT))
                continue
        birth = list_row.birth_date or birth_from_id(checked.normalised)
        name = name_key(list_row.name)
        reason = "not_found" if checked.kind is IdKind.VALID else checked.kind.value
        if birth is None or not name:
            result.unmatched[list_row.row] = checked.kind
            continue
        pending.setdefault((birth, name), []).append((list_row.row, reason))
    if pending:
        _fallback(students, pending, result)
    return result


def _fallback(students: Students, pending: dict[tuple[dt.date, str], list[tuple[int, str]]],
              result: MatchResult) -> None:
    # Pre-filter on (birth date, first character of the normalised name) so that only a few pupils per wanted date
    # have their whole name normalised. Pupils' names are stored trimmed, so their first character is a real one.
    heads = first_characters()
    wanted = {(birth, name[:1]) for birth, name in pending}
    hits: dict[tuple[dt.date, str], list[Hashable]] = {}
    for birth, raw, student in zip(students.birth_dates, students.names, students.keys, strict=True):
        head = raw[:1]
        if (birth, heads.get(head, head)) in wanted:
            key = (birth, name_key(raw))
            if key in pending:
                hits.setdefault(key, []).append(student)
    for key, waiting in pending.items():
        found = hits.get(key, [])
        for row, reason in waiting:
            if not found:
                result.unmatched[row] = result.ids[row].kind
            for student in found:
                result.matches.append(Match(row, student, MatchKind.FLAGGED, reason))
