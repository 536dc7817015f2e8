"""Seat plans (排座) for one class: students placed on a rows × cols grid by lot, then rotated period by period.

Grid: row 1 is the front row (next to the blackboard), column 1 the leftmost column as the students face the
blackboard. Columns form groups of ``group_width`` adjacent columns (default 2: a desk pair, 同桌); ``cols`` must be
a multiple of it.

Rotation rule (normative): in period p (1-based), the seat in row r, column c of period 1 moves to row r, column
``((g + p − 1) mod G)·w + (c − 1) mod w + 1`` where ``w`` is the group width, ``G = cols / w`` the number of column
groups and ``g = (c − 1) div w`` the seat's group in period 1. Every group moves one group to the right each period
and the rightmost wraps to the leftmost; with G ≥ 2 every student's column group changes every period, rows and
desk mates stay.

Constraints: students marked ``front`` sit in the first ``front_rows`` rows (in every period, since rows do not
change). Students sharing an ``apart_group`` label are never neighbours: same row and next columns, or same column
and next rows. With more than one period the column groups are treated as a ring (the last column and the first
column count as next to each other) because rotation brings those groups side by side; this makes the constraint
hold in every period.

Placement (deterministic in the input and the seed): ``HashRng(seed, "seats")``; the student ids sorted as strings
are Fisher–Yates-shuffled (the lot order), then the list of seats in row-major order is shuffled with the same
stream (the seat order). Students needing the front go first, then the rest, each in lot order; each takes the
first seat in seat order that is free, allowed and has no apart-partner next to it. If a student finds no seat, the
search backtracks (depth first, same orders); it gives up after ``max_steps`` seat tries.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import AllocationInputError
from .rng import HashRng

SEAT_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "学号", "编号"),
    "name": ("name", "姓名"),
    "front": ("front", "前排"),
    "apart_group": ("apart_group", "不相邻"),
}
_TRUE = {"1", "true", "yes", "y", "是", "√"}
_SPLIT = re.compile(r"[;；]")

Seat = tuple[int, int]  # (row, col), 0-based


@dataclass(frozen=True)
class SeatStudent:
    """One student of the class: id, name (may be empty), whether they need a front seat, apart-group labels."""

    id: str
    name: str = ""
    front: bool = False
    apart_groups: frozenset[str] = frozenset()


@dataclass
class SeatPlan:
    """The seat of every student in each period: ``periods[p][student_id] = (row, col)``, 1-based."""

    rows: int
    cols: int
    group_width: int
    periods: list[dict[str, tuple[int, int]]]


def _column(header: Sequence[str], field: str) -> str | None:
    return next((name for name in SEAT_HEADERS[field] if name in header), None)


def seat_students_from_rows(rows: Sequence[Mapping[str, str]], header: Sequence[str]) -> list[SeatStudent]:
    """Students from CSV-like rows with the columns of ``SEAT_HEADERS`` (only id is required)."""
    id_col = _column(header, "id")
    if id_col is None:
        raise AllocationInputError(f"座位名单缺少列 {'/'.join(SEAT_HEADERS['id'])} (missing column id)")
    name_col, front_col, apart_col = (_column(header, f) for f in ("name", "front", "apart_group"))
    students = []
    for r in rows:
        sid = (r.get(id_col) or "").strip()
        if not sid:
            raise AllocationInputError("存在空的学号 (empty id)")
        front_raw = (r.get(front_col) or "").strip().lower() if front_col else ""
        groups = _SPLIT.split(r.get(apart_col) or "") if apart_col else []
        students.append(SeatStudent(
            id=sid,
            name=(r.get(name_col) or "").strip() if name_col else "",
            front=front_raw in _TRUE,
            apart_groups=frozenset(g.strip() for g in groups if g.strip()),
        ))
    return students


def read_seat_students(data: bytes) -> list[SeatStudent]:
    """Roster CSV (UTF-8, optional BOM): id/学号, name/姓名, front/前排 (1/是), apart_group/不相邻 (";"-separated)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AllocationInputError("文件不是 UTF-8 编码，请另存为 UTF-8 CSV (file is not UTF-8)") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return seat_students_from_rows(list(reader), list(reader.fieldnames or []))


def rotated_col(col: int, period: int, cols: int, group_width: int) -> int:
    """Column (1-based) in ``period`` (1-based) of the seat in column ``col`` of period 1; see the module docstring."""
    groups = cols // group_width
    g, offset = divmod(col - 1, group_width)
    return ((g + period - 1) % groups) * group_width + offset + 1


def neighbours(seat: Seat, rows: int, cols: int, ring: bool) -> list[Seat]:
    """Seats next to ``seat`` (0-based): left/right in the row, front/back in the column; columns wrap if ``ring``."""
    r, c = seat
    out: list[Seat] = []
    for dc in (-1, 1):
        nc = c + dc
        if ring and cols > 1:
            nc %= cols
        if 0 <= nc < cols and nc != c:
            out.append((r, nc))
    out.extend((nr, c) for nr in (r - 1, r + 1) if 0 <= nr < rows)
    return out


def _validate(students: Sequence[SeatStudent], rows: int, cols: int, periods: int, front_rows: int,
              group_width: int) -> None:
    if rows < 1 or cols < 1:
        raise AllocationInputError(f"行数和列数必须至少为 1 (rows/cols ≥ 1): {rows}×{cols}")
    if periods < 1:
        raise AllocationInputError(f"轮换期数必须至少为 1 (periods ≥ 1): {periods}")
    if group_width < 1 or cols % group_width:
        raise AllocationInputError(
            f"列数 {cols} 必须是每组列数 {group_width} 的整数倍 (cols must be a multiple of group width)"
        )
    if periods > 1 and cols // group_width < 2:
        raise AllocationInputError(
            "只有一组列，无法按组轮换；请减小每组列数或只排一期 (need at least two column groups)"
        )
    if not 0 <= front_rows <= rows:
        raise AllocationInputError(f"前排行数 {front_rows} 超出 0..{rows} (front_rows out of range)")
    if len(students) > rows * cols:
        raise AllocationInputError(
            f"学生 {len(students)} 人，座位只有 {rows}×{cols}={rows * cols} 个 (more students than seats)"
        )
    seen: set[str] = set()
    for s in students:
        if s.id in seen:
            raise AllocationInputError(f"学号重复 (duplicate id): {s.id}")
        seen.add(s.id)
    n_front = sum(1 for s in students if s.front)
    if n_front > front_rows * cols:
        raise AllocationInputError(
            f"需要坐前排的学生 {n_front} 人，前 {front_rows} 排只有 {front_rows * cols} 个座位"
            " (too many front-row students)"
        )


def plan_seats(
    students: Sequence[SeatStudent],
    rows: int,
    cols: int,
    *,
    seed: str | int,
    periods: int = 1,
    front_rows: int = 1,
    group_width: int = 2,
    max_steps: int = 200_000,
) -> SeatPlan:
    """Seat every student by lot under the constraints, then rotate for ``periods`` periods (module docstring)."""
    _validate(students, rows, cols, periods, front_rows, group_width)
    by_id = {s.id: s for s in students}
    rng = HashRng(seed, "seats")
    lot = sorted(by_id)
    rng.shuffle(lot)
    seat_order: list[Seat] = [(r, c) for r in range(rows) for c in range(cols)]
    rng.shuffle(seat_order)
    order = [sid for sid in lot if by_id[sid].front] + [sid for sid in lot if not by_id[sid].front]
    ring = periods > 1
    near = {seat: neighbours(seat, rows, cols, ring) for seat in seat_order}
    taken: dict[Seat, str] = {}
    placed: dict[str, Seat] = {}
    steps = 0

    def allowed(sid: str, seat: Seat) -> bool:
        s = by_id[sid]
        if seat in taken or (s.front and seat[0] >= front_rows):
            return False
        if s.apart_groups:
            for other in near[seat]:
                who = taken.get(other)
                if who is not None and by_id[who].apart_groups & s.apart_groups:
                    return False
        return True

    # Depth-first search with an explicit stack: position in `order` → index into seat_order to try next.
    cursor = [0] * (len(order) + 1)
    i = 0
    while i < len(order):
        sid = order[i]
        seat_found = False
        while cursor[i] < len(seat_order):
            seat = seat_order[cursor[i]]
            cursor[i] += 1
            steps += 1
            if allowed(sid, seat):
                taken[seat] = sid
                placed[sid] = seat
                seat_found = True
                break
        if steps > max_steps:
            raise AllocationInputError(
                f"在 {max_steps} 步内未找到满足前排和不相邻要求的座位安排，请放宽约束"
                " (no seat plan found within the step limit)"
            )
        if seat_found:
            i += 1
            cursor[i] = 0
            continue
        if i == 0:
            raise AllocationInputError("前排和不相邻要求无法同时满足，不存在可行的座位安排 (constraints cannot be met)")
        i -= 1
        del taken[placed.pop(order[i])]
    plans = [
        {sid: (r + 1, rotated_col(c + 1, p, cols, group_width)) for sid, (r, c) in placed.items()}
        for p in range(1, periods + 1)
    ]
    return SeatPlan(rows, cols, group_width, plans)


def seat_rows(students: Sequence[SeatStudent], plan: SeatPlan) -> list[list[str]]:
    """Output rows ``period, row, col, id, name`` sorted by period, row and column."""
    names = {s.id: s.name for s in students}
    out: list[tuple[int, int, int, str]] = []
    for p, seats in enumerate(plan.periods, start=1):
        out.extend((p, r, c, sid) for sid, (r, c) in seats.items())
    out.sort()
    return [[str(p), str(r), str(c), sid, names[sid]] for p, r, c, sid in out]
