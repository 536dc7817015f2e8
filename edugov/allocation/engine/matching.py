"""School admission by student-proposing deferred acceptance (学生提议的延迟接受算法).

Priority of a school over its applicants (strict, so the student-optimal stable matching is unique):
tier 1 — a sibling already at that school; tier 2 — lives in the school's district; tier 3 — everyone else;
within a tier, ascending lottery number (hex, compared as an integer), then student id.
"""

from __future__ import annotations

import csv
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import AllocationInputError
from .rng import HashRng

SCHOOL_COLUMNS = ("school_id", "district", "capacity")
STUDENT_COLUMNS = ("student_id", "district", "prefs")


@dataclass(frozen=True)
class School:
    """A school taking applicants: id, district (学区) and number of seats."""

    school_id: str
    district: str
    capacity: int
    quality: float = 0.0


@dataclass(frozen=True)
class Applicant:
    """A student applying: home district, school of an enrolled sibling ("" if none), lottery and ranked list."""

    student_id: str
    district: str
    prefs: tuple[str, ...]
    sibling_school: str = ""
    lottery: str = ""


def priority_tier(school: School, student: Applicant) -> int:
    """1: sibling at the school, 2: same district, 3: others."""
    if student.sibling_school and student.sibling_school == school.school_id:
        return 1
    if student.district == school.district:
        return 2
    return 3


def draw_lotteries(students: Sequence[Applicant], seed: str | int) -> list[Applicant]:
    """Give every student a lottery number from the seed: students sorted by id, Fisher–Yates shuffled with
    purpose "lottery"; a student's lottery is its position in the shuffled order as 16 hex digits."""
    order = sorted(s.student_id for s in students)
    HashRng(seed, "lottery").shuffle(order)
    rank = {sid: i for i, sid in enumerate(order)}
    return [
        Applicant(s.student_id, s.district, s.prefs, s.sibling_school, f"{rank[s.student_id]:016x}")
        for s in students
    ]


def _check(schools: Sequence[School], students: Sequence[Applicant]) -> None:
    ids = [h.school_id for h in schools]
    if len(set(ids)) != len(ids):
        raise AllocationInputError("学校编号重复 (duplicate school_id)")
    sids = [s.student_id for s in students]
    if len(set(sids)) != len(sids):
        dup = sorted({x for x in sids if sids.count(x) > 1})[:5] if len(sids) < 5000 else []
        raise AllocationInputError(f"学生编号重复 (duplicate student_id) {', '.join(dup)}")
    known = set(ids)
    for h in schools:
        if h.capacity < 0:
            raise AllocationInputError(f"学校 {h.school_id} 的学位数为负 (negative capacity)")
    with_lottery = sum(1 for s in students if s.lottery)
    if 0 < with_lottery < len(students):
        raise AllocationInputError("部分学生缺少摇号号码 (lottery must be given for all students or for none)")
    for s in students:
        if len(set(s.prefs)) != len(s.prefs):
            raise AllocationInputError(f"学生 {s.student_id} 的志愿中有重复学校 (duplicate school in prefs)")
        for p in s.prefs:
            if p not in known:
                raise AllocationInputError(f"学生 {s.student_id} 填报了不存在的学校 {p} (unknown school in prefs)")
        if s.lottery:
            try:
                int(s.lottery, 16)
            except ValueError:
                raise AllocationInputError(
                    f"学生 {s.student_id} 的摇号号码不是十六进制数 (lottery is not hex): {s.lottery!r}"
                ) from None


def deferred_acceptance(
    schools: Sequence[School], students: Sequence[Applicant], *, seed: str | int | None = None
) -> dict[str, str | None]:
    """Student-proposing deferred acceptance. Returns student_id → school_id, or None when unplaced.

    The result is stable (no student and school both prefer each other to what they got), respects every
    capacity, and is the student-optimal stable matching for the priorities described in the module docstring.
    When no lottery is given, it is drawn from ``seed`` by :func:`draw_lotteries` (a seed is then required).
    """
    _check(schools, students)
    if students and not students[0].lottery:
        if seed is None:
            raise AllocationInputError("未提供摇号号码时必须给出随机种子 (a seed is needed when lottery is absent)")
        students = draw_lotteries(students, seed)
    n = len(students)
    # global order by (lottery, id) → integer position; rank at a school = tier * n + position
    order = sorted(range(n), key=lambda i: (int(students[i].lottery, 16), students[i].student_id))
    pos = [0] * n
    for p, i in enumerate(order):
        pos[i] = p
    school_index = {h.school_id: k for k, h in enumerate(schools)}
    capacity = [h.capacity for h in schools]
    districts = [h.district for h in schools]
    prefs = [[school_index[p] for p in s.prefs] for s in students]
    sibling = [school_index.get(s.sibling_school, -1) for s in students]
    home = [s.district for s in students]
    held: list[list[tuple[int, int]]] = [[] for _ in schools]  # max-heaps of (-rank, student)
    nxt = [0] * n
    free = list(range(n - 1, -1, -1))
    while free:
        i = free.pop()
        plist = prefs[i]
        while nxt[i] < len(plist):
            k = plist[nxt[i]]
            nxt[i] += 1
            cap = capacity[k]
            if cap == 0:
                continue
            tier = 1 if sibling[i] == k else (2 if home[i] == districts[k] else 3)
            rank = tier * n + pos[i]
            heap = held[k]
            if len(heap) < cap:
                heapq.heappush(heap, (-rank, i))
                break
            if -heap[0][0] > rank:
                _, out = heapq.heapreplace(heap, (-rank, i))
                free.append(out)
                break
    result: dict[str, str | None] = {s.student_id: None for s in students}
    for k, heap in enumerate(held):
        for _, i in heap:
            result[students[i].student_id] = schools[k].school_id
    return result


def blocking_pairs(
    schools: Sequence[School], students: Sequence[Applicant], matching: Mapping[str, str | None]
) -> list[tuple[str, str]]:
    """All (student, school) pairs that block ``matching``: the student prefers the school to its assignment and
    the school has a free seat or holds someone of lower priority. Lotteries must be present."""
    by_id = {h.school_id: h for h in schools}

    def key(h: School, s: Applicant) -> tuple[int, int, str]:
        return (priority_tier(h, s), int(s.lottery, 16), s.student_id)

    members: dict[str, list[Applicant]] = {h.school_id: [] for h in schools}
    for s in students:
        m = matching.get(s.student_id)
        if m is not None:
            members[m].append(s)
    worst = {hid: max((key(by_id[hid], s) for s in ms), default=None) for hid, ms in members.items()}
    out = []
    for s in students:
        m = matching.get(s.student_id)
        better = s.prefs if m is None else s.prefs[: s.prefs.index(m)]
        for hid in better:
            h = by_id[hid]
            w = worst[hid]
            if len(members[hid]) < h.capacity or (w is not None and key(h, s) < w):
                out.append((s.student_id, hid))
    return out


def capacity_violations(schools: Sequence[School], matching: Mapping[str, str | None]) -> list[str]:
    """Schools holding more students than seats."""
    counts: dict[str, int] = {}
    for hid in matching.values():
        if hid is not None:
            counts[hid] = counts.get(hid, 0) + 1
    return [h.school_id for h in schools if counts.get(h.school_id, 0) > h.capacity]


def _check_columns(header: Sequence[str], required: Iterable[str], name: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise AllocationInputError(f"{name} 缺少列 (missing columns): {', '.join(missing)}")


def _read_rows(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        _check_columns(reader.fieldnames or [], required, path.name)
        return list(reader)


def schools_from_rows(rows: Iterable[Mapping[str, str]], header: Sequence[str], name: str = "schools") -> list[School]:
    """Schools from CSV-like rows: school_id, district, capacity[, quality]."""
    _check_columns(header, SCHOOL_COLUMNS, name)
    out = []
    for r in rows:
        try:
            cap = int(r["capacity"])
            quality = float(r.get("quality") or 0.0)
        except ValueError:
            raise AllocationInputError(
                f"学校 {r['school_id']} 的学位数或质量不是数字 (non-numeric capacity/quality)"
            ) from None
        out.append(School(r["school_id"], r["district"], cap, quality))
    return out


def applicants_from_rows(
    rows: Iterable[Mapping[str, str]], header: Sequence[str], name: str = "students"
) -> list[Applicant]:
    """Students from CSV-like rows: student_id, district, prefs (";"-separated)[, sibling_school, lottery]."""
    _check_columns(header, STUDENT_COLUMNS, name)
    return [
        Applicant(
            student_id=r["student_id"],
            district=r["district"],
            prefs=tuple(p.strip() for p in (r["prefs"] or "").split(";") if p.strip()),
            sibling_school=(r.get("sibling_school") or "").strip(),
            lottery=(r.get("lottery") or "").strip(),
        )
        for r in rows
    ]


def read_schools(path: Path) -> list[School]:
    """Schools CSV: school_id, district, capacity[, quality]."""
    return schools_from_rows(_read_rows(path, SCHOOL_COLUMNS), SCHOOL_COLUMNS, path.name)


def read_applicants(path: Path) -> list[Applicant]:
    """Students CSV: student_id, district, prefs (";"-separated)[, sibling_school, lottery]."""
    return applicants_from_rows(_read_rows(path, STUDENT_COLUMNS), STUDENT_COLUMNS, path.name)
