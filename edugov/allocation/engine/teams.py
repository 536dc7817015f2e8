"""Teacher-team draw (班主任/任课教师组抽签): each of K teams gets one of the classes 1..K by lot.

Algorithm (normative, see docs/allocation.md):

1. Teams are sorted by ``team_id`` (string order). Their number must equal K; a team may be excluded from some
   classes (回避, e.g. a teacher's own child is in that class).
2. Feasibility: a maximum bipartite matching (teams × allowed classes). If no assignment exists, the error names a
   set of teams that together can only go to fewer classes than they are (Hall's condition) — or the team that
   avoids every class.
3. Lot: ``HashRng(seed, "teams")``; up to 1 000 times, Fisher–Yates-shuffle a copy of the sorted team ids and give
   the team at position i class i + 1; the first shuffle in which no team lands in a class it is excluded from is
   the result. This is rejection sampling, so every allowed assignment is equally likely.
4. Fallback (only when 1 000 shuffles were all rejected, i.e. very tight exclusions): for class c = 1..K in order,
   the candidates are the unassigned teams allowed in c after which the remaining teams can still fill the
   remaining classes, in team-id order; the same stream picks ``candidates[below(len)]``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import AllocationInputError
from .rng import HashRng

MAX_SHUFFLES = 1000

#: accepted header names (English or Chinese) per field
TEAM_HEADERS: dict[str, tuple[str, ...]] = {
    "team_id": ("team_id", "教师组", "组号"),
    "members": ("members", "成员"),
    "exclude_classes": ("exclude_classes", "回避班级"),
}

_SPLIT = re.compile(r"[;；]")


@dataclass(frozen=True)
class Team:
    """One teacher team: its id, its members ("班主任:张三" or just a name) and the classes it must not get."""

    team_id: str
    members: tuple[str, ...]
    excluded: frozenset[int] = frozenset()


@dataclass
class TeamDraw:
    """class number (1..K) → team id, plus how it was found (``lot`` after ``shuffles`` shuffles, or ``sequential``)."""

    assignment: dict[int, str]
    method: str
    shuffles: int


def _column(header: Sequence[str], field: str, required: bool) -> str | None:
    for name in TEAM_HEADERS[field]:
        if name in header:
            return name
    if required:
        raise AllocationInputError(f"教师组文件缺少列 {'/'.join(TEAM_HEADERS[field])} (missing column {field})")
    return None


def teams_from_rows(rows: Sequence[Mapping[str, str]], header: Sequence[str]) -> list[Team]:
    """Teams from CSV-like rows with the columns of ``TEAM_HEADERS`` (exclude_classes optional)."""
    id_col = _column(header, "team_id", True)
    members_col = _column(header, "members", True)
    excl_col = _column(header, "exclude_classes", False)
    assert id_col is not None and members_col is not None
    teams: list[Team] = []
    for r in rows:
        tid = (r.get(id_col) or "").strip()
        if not tid:
            raise AllocationInputError("存在空的教师组编号 (empty team_id)")
        members = tuple(m.strip() for m in _SPLIT.split(r.get(members_col) or "") if m.strip())
        excluded: set[int] = set()
        for raw in _SPLIT.split((r.get(excl_col) or "") if excl_col else ""):
            raw = raw.strip()
            if not raw:
                continue
            try:
                excluded.add(int(raw))
            except ValueError:
                raise AllocationInputError(f"教师组 {tid} 的回避班级 {raw!r} 不是整数 (exclude_classes)") from None
        teams.append(Team(tid, members, frozenset(excluded)))
    return teams


def read_teams(data: bytes) -> list[Team]:
    """Teams CSV (UTF-8, optional BOM): team_id/教师组, members/成员 (";"-separated), exclude_classes/回避班级."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    return teams_from_rows(list(reader), list(reader.fieldnames or []))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AllocationInputError("文件不是 UTF-8 编码，请另存为 UTF-8 CSV (file is not UTF-8)") from None


def _validate(teams: Sequence[Team], k: int) -> None:
    if k < 1:
        raise AllocationInputError(f"班级数必须至少为 1 (K must be ≥ 1): {k}")
    if len(teams) != k:
        raise AllocationInputError(f"教师组有 {len(teams)} 个，班级有 {k} 个，必须一组一班 (need exactly K teams)")
    seen: set[str] = set()
    for t in teams:
        if t.team_id in seen:
            raise AllocationInputError(f"教师组编号重复 (duplicate team_id): {t.team_id}")
        seen.add(t.team_id)
        bad = sorted(c for c in t.excluded if not 1 <= c <= k)
        if bad:
            raise AllocationInputError(
                f"教师组 {t.team_id} 的回避班级 {bad[0]} 超出 1..{k} (exclude_classes out of range)"
            )


def _max_matching(allowed: list[list[int]], k: int) -> tuple[list[int], list[int]]:
    """Kuhn's augmenting paths: team index → class index (or -1), class index → team index (or -1)."""
    team_of = [-1] * k
    class_of = [-1] * len(allowed)

    def augment(t: int, seen: list[bool]) -> bool:
        for c in allowed[t]:
            if seen[c]:
                continue
            seen[c] = True
            if team_of[c] == -1 or augment(team_of[c], seen):
                team_of[c] = t
                class_of[t] = c
                return True
        return False

    for t in range(len(allowed)):
        augment(t, [False] * k)
    return class_of, team_of


def check_feasible(teams: Sequence[Team], k: int) -> None:
    """Raises AllocationInputError with a Chinese reason when the exclusions leave no assignment."""
    _validate(teams, k)
    ordered = sorted(teams, key=lambda t: t.team_id)
    allowed = [[c for c in range(k) if c + 1 not in t.excluded] for t in ordered]
    class_of, team_of = _max_matching(allowed, k)
    if -1 not in class_of:
        return
    start = class_of.index(-1)
    if not allowed[start]:
        raise AllocationInputError(
            f"教师组 {ordered[start].team_id} 回避了全部班级，无法分配 (team excluded from every class)"
        )
    # Teams reachable by alternating paths from an unmatched team can only use the classes reached: one too few.
    teams_s, classes_s, frontier = {start}, set(), [start]
    while frontier:
        t = frontier.pop()
        for c in allowed[t]:
            if c not in classes_s:
                classes_s.add(c)
                owner = team_of[c]
                if owner != -1 and owner not in teams_s:
                    teams_s.add(owner)
                    frontier.append(owner)
    names = "、".join(ordered[t].team_id for t in sorted(teams_s))
    cls = "、".join(str(c + 1) for c in sorted(classes_s))
    raise AllocationInputError(
        f"教师组 {names} 共 {len(teams_s)} 个，回避后只能去班级 {cls}（{len(classes_s)} 个），无法每组各分一个班"
        f" (these teams can only go to fewer classes than there are teams)"
    )


def draw_teams(teams: Sequence[Team], k: int, *, seed: str | int) -> TeamDraw:
    """Assign each team one class 1..K by lot, respecting exclusions; see the module docstring."""
    check_feasible(teams, k)
    ordered = sorted(teams, key=lambda t: t.team_id)
    by_id = {t.team_id: t for t in ordered}
    ids = [t.team_id for t in ordered]
    rng = HashRng(seed, "teams")
    for attempt in range(1, MAX_SHUFFLES + 1):
        order = list(ids)
        rng.shuffle(order)
        if all(i + 1 not in by_id[tid].excluded for i, tid in enumerate(order)):
            return TeamDraw({i + 1: tid for i, tid in enumerate(order)}, "lot", attempt)
    # Fallback: class by class, drawing among the teams that keep the rest solvable.
    assignment: dict[int, str] = {}
    left = list(ids)
    for c in range(1, k + 1):
        candidates = []
        for tid in left:
            if c in by_id[tid].excluded:
                continue
            rest = [by_id[x] for x in left if x != tid]
            rest_allowed = [[d - c - 1 for d in range(c + 1, k + 1) if d not in t.excluded] for t in rest]
            class_of, _ = _max_matching(rest_allowed, k - c)
            if -1 not in class_of:
                candidates.append(tid)
        chosen = candidates[rng.below(len(candidates))]
        assignment[c] = chosen
        left.remove(chosen)
    return TeamDraw(assignment, "sequential", MAX_SHUFFLES)


def team_rows(teams: Sequence[Team], draw: TeamDraw) -> list[list[str]]:
    """Output rows ``class, team_id, members`` sorted by class, members joined by ";"."""
    by_id = {t.team_id: t for t in teams}
    return [[str(c), tid, ";".join(by_id[tid].members)] for c, tid in sorted(draw.assignment.items())]
