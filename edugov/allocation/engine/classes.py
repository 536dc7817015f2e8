"""Balanced class assignment (均衡分班).

Algorithm (deterministic in the input and the seed):

1. **Quotas.** Class sizes are ⌊N/K⌋ or ⌈N/K⌉; boys are spread by largest remainder so boys per class differ by
   at most one.
2. **Construction.** Fixed students go to their class (with their together-group). Remaining together-groups are
   placed as blocks, largest first, in the feasible class with the lowest running total. Single students are then
   dealt per gender in a serpentine (snake) draft ordered by total score, skipping full classes and classes that
   already hold an apart-partner.
3. **Local search.** Seeded swaps of two same-gender, movable students (not fixed, not in a together-group) between
   two classes, lowering a weighted sum of squared deviations of every class from its target (size × cohort mean)
   in each subject sum, the total sum, top- and bottom-quartile counts and special-needs counts. Swaps never put
   apart-partners together. Phase A: a fixed number of threshold-accepting proposals between near neighbours in
   a field's sorted order. Phase B: for the most unbalanced classes, the best single swap with a complementary
   class, else an exact "double swap" found by hashing swap change vectors. Stops at the integrality floor of
   every metric, when no class improves, or (flagged in the stats) at the safety time limit.

The amount of work does not depend on the clock, so input + K + seed determine the output. docs/allocation.md
has the details.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AllocationInputError
from .rng import HashRng

NON_SUBJECT = {"id", "gender", "total", "together_group", "apart_group", "special_needs", "fixed_class", "class"}
REQUIRED_COLUMNS = ("id", "gender")
#: header aliases (Chinese, as schools name them) → the canonical English column; English names map to themselves
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "学号", "编号", "学籍号"),
    "gender": ("gender", "性别"),
    "total": ("total", "总分", "总成绩"),
    "together_group": ("together_group", "同班组", "同班"),
    "apart_group": ("apart_group", "分班组", "不同班"),
    "special_needs": ("special_needs", "特殊需要", "随班就读"),
    "fixed_class": ("fixed_class", "固定班级"),
    "class": ("class", "班级", "原班级"),
}
_ALIAS = {alias: canonical for canonical, aliases in COLUMN_ALIASES.items() for alias in aliases}
#: columns that are neither constraints nor subjects (text such as names or remarks); they are ignored
IGNORED_COLUMNS = {"name", "姓名", "备注", "note"}
#: accepted gender codes: M/F, 男/女, and GB/T 2261.1 (1 男, 2 女)
GENDER_CODES = {"M": "M", "F": "F", "男": "M", "女": "F", "1": "M", "2": "F"}
_TRUE = ("1", "true", "yes", "y", "是", "√", "✓")
_LABEL_ZH = {"id": "学号", "gender": "性别", "total": "总分"}


@dataclass(frozen=True)
class Pupil:
    """One student of the cohort. ``fixed_class`` is 1-based, or None."""

    id: str
    gender: str
    scores: tuple[float, ...]
    total: float
    together_group: str = ""
    apart_group: str = ""
    special_needs: bool = False
    fixed_class: int | None = None


@dataclass
class Cohort:
    """Students plus the names of the subject columns (in the order of ``Pupil.scores``)."""

    subjects: tuple[str, ...]
    pupils: list[Pupil]


@dataclass
class Metric:
    """One balance metric: its value, the lowest value any assignment could reach, and the gap."""

    key: str
    label_zh: str
    value: float
    floor: float

    @property
    def distance(self) -> float:
        return max(0.0, self.value - self.floor)


@dataclass
class ClassResult:
    """Assignment id → class (1..K) plus the metric report and search statistics."""

    assignment: dict[str, int]
    metrics: list[Metric]
    violations: dict[str, int]
    stats: dict[str, float] = field(default_factory=dict)

    def at_floor(self, tol: float = 1e-9) -> bool:
        return all(m.distance <= tol for m in self.metrics)


# ---------------------------------------------------------------------------------------------------------------
# input


def _num(value: str, sid: str, column: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise AllocationInputError(f"学生 {sid} 的 {column} 不是数字 (non-numeric score): {value!r}") from None
    if math.isnan(x) or math.isinf(x):
        raise AllocationInputError(f"学生 {sid} 的 {column} 不是有限数字 (non-finite score): {value!r}")
    return x


def canonical_header(header: Sequence[str]) -> dict[str, str]:
    """Column of the file → canonical name: Chinese aliases (学号, 性别, 总分, 同班组 …) become the English names of
    the benchmark format; subject columns (语文, 数学, 英语 …) keep their own name. Two columns meaning the same
    field are refused."""
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for column in header:
        name = column.strip()
        canonical = _ALIAS.get(name, _ALIAS.get(name.lower(), name) if name.isascii() else name)
        if canonical in COLUMN_ALIASES:
            if canonical in seen:
                raise AllocationInputError(
                    f"列“{seen[canonical]}”与“{column}”表示同一项，只能保留一列 (duplicate column for {canonical})"
                )
            seen[canonical] = column
        mapping[column] = canonical
    return mapping


def _gender(value: str, sid: str) -> str:
    code = GENDER_CODES.get(value.strip().upper())
    if code is None:
        raise AllocationInputError(
            f"学生 {sid} 的性别必须是 男/女、M/F 或 1/2 (gender must be M or F): {value.strip()!r}"
        )
    return code


def cohort_from_rows(rows: Sequence[Mapping[str, str]], header: Sequence[str], k: int | None = None) -> Cohort:
    """Build a cohort from CSV-like rows with English (benchmark) or Chinese headers (``COLUMN_ALIASES``).

    Subject columns are every other column except ``IGNORED_COLUMNS`` (names, remarks), in file order. ``total``
    may be omitted; it is then the sum of the subjects (0 without subjects, e.g. a roster with gender only).
    A ``fixed_class`` column, when present, holds a 1-based class number or is empty."""
    columns = canonical_header(header)
    by_field = {canonical: column for column, canonical in columns.items() if canonical in COLUMN_ALIASES}
    missing = [c for c in REQUIRED_COLUMNS if c not in by_field]
    if missing:
        raise AllocationInputError(
            f"缺少列 (missing columns): {'、'.join(f'{_LABEL_ZH[c]}（{c}）' for c in missing)}"
        )
    subject_columns = [c for c, canonical in columns.items()
                       if canonical not in NON_SUBJECT and c.strip() not in IGNORED_COLUMNS]
    subjects = tuple(columns[c] for c in subject_columns)
    id_col, gender_col = by_field["id"], by_field["gender"]
    total_col = by_field.get("total")
    fixed_col, sn_col = by_field.get("fixed_class"), by_field.get("special_needs")
    tg_col, ag_col = by_field.get("together_group"), by_field.get("apart_group")

    def cell(r: Mapping[str, str], column: str | None) -> str:
        return ((r.get(column) or "") if column is not None else "").strip()

    pupils = []
    for r in rows:
        sid = cell(r, id_col)
        if not sid:
            raise AllocationInputError("存在空的学生编号 (empty id)")
        gender = _gender(cell(r, gender_col), sid)
        scores = tuple(_num(r.get(c, ""), sid, s) for c, s in zip(subject_columns, subjects, strict=True))
        total = _num(r.get(total_col, ""), sid, "total") if total_col is not None else float(sum(scores))
        fixed_raw = cell(r, fixed_col)
        fixed: int | None = None
        if fixed_raw:
            try:
                fixed = int(fixed_raw)
            except ValueError:
                raise AllocationInputError(f"学生 {sid} 的固定班级不是整数 (fixed_class): {fixed_raw!r}") from None
            if fixed < 1 or (k is not None and fixed > k):
                raise AllocationInputError(f"学生 {sid} 的固定班级 {fixed} 超出 1..{k} (fixed_class out of range)")
        pupils.append(
            Pupil(
                id=sid,
                gender=gender,
                scores=scores,
                total=total,
                together_group=cell(r, tg_col),
                apart_group=cell(r, ag_col),
                special_needs=cell(r, sn_col).lower() in _TRUE,
                fixed_class=fixed,
            )
        )
    return Cohort(subjects, pupils)


def read_cohort(path: Path, k: int | None = None) -> Cohort:
    """Read a cohort CSV (UTF-8, optional BOM) in the format of the shared benchmark generator, or with Chinese
    headers (学号, 性别, 语文, 数学, 英语, 总分, 同班组, 分班组, 特殊需要, 固定班级)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    return cohort_from_rows(rows, header, k)


def _validate(cohort: Cohort, k: int) -> None:
    pupils = cohort.pupils
    n = len(pupils)
    if k < 1:
        raise AllocationInputError(f"班级数必须至少为 1 (K must be ≥ 1): {k}")
    if k > n:
        raise AllocationInputError(f"班级数 {k} 大于学生数 {n} (K larger than N)")
    seen: set[str] = set()
    dups: list[str] = []
    for p in pupils:
        if p.id in seen:
            dups.append(p.id)
        seen.add(p.id)
        if len(p.scores) != len(cohort.subjects):
            raise AllocationInputError(f"学生 {p.id} 的科目成绩数量不对 (wrong number of scores)")
        if p.fixed_class is not None and not 1 <= p.fixed_class <= k:
            raise AllocationInputError(f"学生 {p.id} 的固定班级 {p.fixed_class} 超出 1..{k} (fixed_class out of range)")
    if dups:
        raise AllocationInputError(f"学生编号重复 (duplicate ids): {', '.join(sorted(set(dups))[:10])}")
    max_size = -(-n // k)
    together: dict[str, list[Pupil]] = {}
    apart: dict[str, list[Pupil]] = {}
    for p in pupils:
        if p.together_group:
            together.setdefault(p.together_group, []).append(p)
        if p.apart_group:
            apart.setdefault(p.apart_group, []).append(p)
    for g, members in together.items():
        if len(members) > max_size:
            raise AllocationInputError(
                f"同班组 {g} 有 {len(members)} 人，超过班级人数上限 {max_size} (together-group larger than a class)"
            )
        fixed = {p.fixed_class for p in members if p.fixed_class is not None}
        if len(fixed) > 1:
            raise AllocationInputError(
                f"同班组 {g} 的成员被固定在不同班级 {sorted(fixed)} (together-group fixed to different classes)"
            )
    for g, members in apart.items():
        if len(members) > k:
            raise AllocationInputError(f"分班组 {g} 有 {len(members)} 人，多于班级数 {k} (apart-group larger than K)")
        fixed_list = [p.fixed_class for p in members if p.fixed_class is not None]
        if len(fixed_list) != len(set(fixed_list)):
            raise AllocationInputError(f"分班组 {g} 的成员被固定在同一班级 (apart-group members fixed together)")
        tg = [p.together_group for p in members if p.together_group]
        if len(tg) != len(set(tg)):
            raise AllocationInputError(
                f"分班组 {g} 中有学生同时属于同一个同班组 (together and apart on the same pair)"
            )


def check_size_bounds(n: int, k: int, min_size: int | None = None, max_size: int | None = None) -> None:
    """Custom class-size bounds (e.g. 班额不超过 45 人). The engine always makes sizes ⌊N/K⌋ or ⌈N/K⌉, the most even
    split; any split within [min_size, max_size] exists exactly when this one is within them, so the bounds are a
    check on N and K, refused with a Chinese reason when no assignment can meet them."""
    if min_size is not None and max_size is not None and min_size > max_size:
        raise AllocationInputError(f"班额下限 {min_size} 大于上限 {max_size} (min_size > max_size)")
    if k < 1 or n < 1:
        return
    small, large = n // k, -(-n // k)
    if min_size is not None and small < min_size:
        raise AllocationInputError(
            f"{n} 名学生分成 {k} 个班，每班至少 {small} 人，低于班额下限 {min_size}，请减少班级数"
            " (classes would be smaller than min_size)"
        )
    if max_size is not None and large > max_size:
        raise AllocationInputError(
            f"{n} 名学生分成 {k} 个班，每班最多 {large} 人，超过班额上限 {max_size}，请增加班级数"
            " (classes would be larger than max_size)"
        )


# ---------------------------------------------------------------------------------------------------------------
# metrics


def nearest_rank(sorted_vals: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, as in the shared benchmark scorer."""
    i = max(0, min(len(sorted_vals) - 1, math.ceil(q * len(sorted_vals)) - 1))
    return sorted_vals[i]


def evaluate(cohort: Cohort, assignment: Mapping[str, int], k: int) -> tuple[list[Metric], dict[str, int]]:
    """Metrics of an assignment (same definitions as the shared scorer) with their integrality floors."""
    pupils = cohort.pupils
    n = len(pupils)
    sizes = [0] * k
    sums = [[0.0] * k for _ in range(len(cohort.subjects) + 1)]
    boys = [0] * k
    special = [0] * k
    top = [0] * k
    bottom = [0] * k
    totals = sorted(p.total for p in pupils)
    q25, q75 = nearest_rank(totals, 0.25), nearest_rank(totals, 0.75)
    for p in pupils:
        c = assignment[p.id] - 1
        sizes[c] += 1
        for s, x in enumerate(p.scores):
            sums[s][c] += x
        sums[-1][c] += p.total
        boys[c] += p.gender == "M"
        special[c] += p.special_needs
        top[c] += p.total > q75
        bottom[c] += p.total <= q25
    used = [c for c in range(k) if sizes[c]]

    def rng(vals: list[float] | list[int]) -> float:
        v = [vals[c] for c in used]
        return float(max(v) - min(v))

    equal = n % k == 0
    integral = all(float(x).is_integer() for p in pupils for x in (*p.scores, p.total))

    def mean_floor(field_sum: float) -> float:
        if not (equal and integral):
            return 0.0
        return 0.0 if round(field_sum) % k == 0 else 1.0 / (n // k)

    def count_floor(count: int) -> float:
        return 0.0 if count % k == 0 else 1.0

    metrics = [Metric("size_range", "班额极差", rng(sizes), count_floor(n))]
    names = [*cohort.subjects, "total"]
    for s, name in enumerate(names):
        means = [sums[s][c] / sizes[c] if sizes[c] else 0.0 for c in range(k)]
        zh = "总分均分极差" if name == "total" else f"{name} 均分极差"
        key = "total_mean_range" if name == "total" else f"subject_mean_range.{name}"
        metrics.append(Metric(key, zh, rng(means), mean_floor(sum(sums[s]))))
    metrics += [
        Metric("male_count_range", "男生人数极差", rng(boys), count_floor(sum(boys))),
        Metric("top_quartile_count_range", "前25%人数极差", rng(top), count_floor(sum(top))),
        Metric("bottom_quartile_count_range", "后25%人数极差", rng(bottom), count_floor(sum(bottom))),
        Metric("special_needs_count_range", "特殊需要学生人数极差", rng(special), count_floor(sum(special))),
    ]
    together: dict[str, set[int]] = {}
    apart: dict[str, list[int]] = {}
    for p in pupils:
        if p.together_group:
            together.setdefault(p.together_group, set()).add(assignment[p.id])
        if p.apart_group:
            apart.setdefault(p.apart_group, []).append(assignment[p.id])
    violations = {
        "together_groups_split": sum(1 for v in together.values() if len(v) > 1),
        "apart_groups_clashing": sum(1 for v in apart.values() if len(set(v)) < len(v)),
        "fixed_moved": sum(1 for p in pupils if p.fixed_class is not None and assignment[p.id] != p.fixed_class),
    }
    return metrics, violations


# ---------------------------------------------------------------------------------------------------------------
# construction


def _quotas(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of ``total`` proportional to ``weights`` (ties to lower index)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    base = [math.floor(x) for x in raw]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda c: (-(raw[c] - base[c]), c))
    for c in order[:rest]:
        base[c] += 1
    return base


def assign_classes(
    cohort: Cohort,
    k: int,
    *,
    seed: str | int = 0,
    time_limit: float | None = None,
    count_weight: float = 400.0,
    anneal_start: float = 30.0,
    moves_per_pupil: int = 60,
    min_moves: int = 100_000,
    partners_per_class: int = 6,
    double_swaps: bool = True,
) -> ClassResult:
    """Assign every pupil to one of ``k`` classes (1..k). See the module docstring for the algorithm.

    Guarantees (hard): together-groups share a class, apart-groups never share one, fixed pupils keep their
    class, class sizes are ⌊N/K⌋ or ⌈N/K⌉ (when fixed pupils allow it). Raises AllocationInputError on bad input.
    The search does a fixed amount of work (``moves_per_pupil`` × N proposals, at least ``min_moves``, then
    best-swap searches until no class improves), so the same input and seed give the same result on any machine.
    ``time_limit`` (default 5 s + 2 ms per pupil) is only a safety net; ``stats["time_limited"]`` is 1 when it cut
    the search short, and then the result depends on the machine's speed.
    """
    _validate(cohort, k)
    started = time.perf_counter()
    pupils = cohort.pupils
    n = len(pupils)
    if time_limit is None:
        time_limit = 5.0 + 0.002 * n
    deadline = started + time_limit
    nsub = len(cohort.subjects)
    totals_sorted = sorted(p.total for p in pupils)
    q25, q75 = nearest_rank(totals_sorted, 0.25), nearest_rank(totals_sorted, 0.75)
    # metric vector per pupil: subjects..., total, top, bottom, special
    nm = nsub + 4
    weights = [1.0] * (nsub + 1) + [count_weight] * 3
    vec = [
        (*p.scores, p.total, float(p.total > q75), float(p.total <= q25), float(p.special_needs)) for p in pupils
    ]
    means = [sum(v[m] for v in vec) / n for m in range(nm)]
    caps = [n // k + (1 if c < n % k else 0) for c in range(k)]
    n_boys = sum(1 for p in pupils if p.gender == "M")
    boy_q = _quotas(n_boys, caps)
    girl_q = [caps[c] - boy_q[c] for c in range(k)]

    index = {p.id: i for i, p in enumerate(pupils)}
    cls = [-1] * n
    sizes = [0] * k
    nboys = [0] * k
    ngirls = [0] * k
    sums = [[0.0] * nm for _ in range(k)]
    apart_of: list[list[int]] = [[] for _ in range(n)]
    groups: dict[str, list[int]] = {}
    agroups: dict[str, list[int]] = {}
    for i, p in enumerate(pupils):
        if p.together_group:
            groups.setdefault(p.together_group, []).append(i)
        if p.apart_group:
            agroups.setdefault(p.apart_group, []).append(i)
    for members in agroups.values():
        for i in members:
            apart_of[i] = [j for j in members if j != i]

    def place(i: int, c: int) -> None:
        cls[i] = c
        sizes[c] += 1
        if pupils[i].gender == "M":
            nboys[c] += 1
        else:
            ngirls[c] += 1
        row = sums[c]
        for m, x in enumerate(vec[i]):
            row[m] += x

    def conflicts(i: int, c: int) -> bool:
        return any(cls[j] == c for j in apart_of[i])

    # 1. fixed pupils and their together-groups
    for i, p in enumerate(pupils):
        if p.fixed_class is not None and cls[i] < 0:
            c = p.fixed_class - 1
            members = groups.get(p.together_group, [i]) if p.together_group else [i]
            for j in members:
                if cls[j] < 0:
                    place(j, c)
    # 2. together-groups as blocks
    pending = [g for g, ms in groups.items() if all(cls[i] < 0 for i in ms)]
    pending.sort(key=lambda g: (-len(groups[g]), -sum(pupils[i].total for i in groups[g]), g))
    for g in pending:
        ms = groups[g]
        b = sum(1 for i in ms if pupils[i].gender == "M")
        gl = len(ms) - b

        def fits(c: int, strict: bool, ms: list[int] = ms, b: int = b, gl: int = gl) -> bool:
            if sizes[c] + len(ms) > caps[c] or any(conflicts(i, c) for i in ms):
                return False
            return not strict or (nboys[c] + b <= boy_q[c] and ngirls[c] + gl <= girl_q[c])

        cands = [c for c in range(k) if fits(c, True)] or [c for c in range(k) if fits(c, False)]
        if not cands:
            raise AllocationInputError(f"同班组 {g} 无法放入任何班级 (no class can take together-group)")
        chosen = min(cands, key=lambda c: (sums[c][nsub] / caps[c], c))
        for i in ms:
            place(i, chosen)
    # 3. singles: snake draft per gender by total
    for gender, quota, have in (("M", boy_q, nboys), ("F", girl_q, ngirls)):
        todo = [i for i in range(n) if cls[i] < 0 and pupils[i].gender == gender]
        todo.sort(key=lambda i: (-pupils[i].total, pupils[i].id))
        rem = [max(0, min(quota[c] - have[c], caps[c] - sizes[c])) for c in range(k)]
        slots: list[int] = []
        r = 0
        while len(slots) < len(todo) and any(rem[c] > r for c in range(k)):
            row = [c for c in range(k) if rem[c] > r]
            slots.extend(row if r % 2 == 0 else reversed(row))
            r += 1
        for pos, i in enumerate(todo):
            if pos >= len(slots):
                break
            if conflicts(i, slots[pos]):
                for q in range(pos + 1, len(slots)):
                    if not conflicts(i, slots[q]):
                        slots[pos], slots[q] = slots[q], slots[pos]
                        break
            if not conflicts(i, slots[pos]):
                place(i, slots[pos])
    # leftovers (quotas broken by fixed pupils): any class with room and no conflict, emptiest first
    for i in range(n):
        if cls[i] < 0:
            cands = [c for c in range(k) if sizes[c] < caps[c] and not conflicts(i, c)]
            if not cands:
                cands = [c for c in range(k) if not conflicts(i, c)]
            if not cands:
                raise AllocationInputError(f"学生 {pupils[i].id} 无法放入任何班级 (no feasible class)")
            place(i, min(cands, key=lambda c: (sizes[c] - caps[c], c)))

    # 4. local search
    movable = [p.fixed_class is None and not p.together_group for p in pupils]
    targets = [[caps[c] * means[m] for m in range(nm)] for c in range(k)]
    dev = [[sums[c][m] - targets[c][m] for m in range(nm)] for c in range(k)]
    pools: list[list[list[int]]] = [[[], []] for _ in range(k)]  # [class][gender] → movable pupils
    where = [0] * n
    gidx = [0 if p.gender == "M" else 1 for p in pupils]
    for i in range(n):
        if movable[i] and cls[i] >= 0:
            pool = pools[cls[i]][gidx[i]]
            where[i] = len(pool)
            pool.append(i)
    rng = HashRng(seed, "classes-search")
    w2 = [2.0 * w for w in weights]
    mrange = range(nm)

    def swap(i: int, j: int) -> None:
        a, b = cls[i], cls[j]
        vi, vj = vec[i], vec[j]
        da, db = dev[a], dev[b]
        for m in mrange:
            d = vi[m] - vj[m]
            da[m] -= d
            db[m] += d
        gi = gidx[i]
        pa, pb = pools[a][gi], pools[b][gi]
        pa[where[i]] = j
        pb[where[j]] = i
        where[i], where[j] = where[j], where[i]
        cls[i], cls[j] = b, a

    def ok(i: int, j: int) -> bool:
        a, b = cls[i], cls[j]
        return not any(cls[x] == b for x in apart_of[i] if x != j) and not any(
            cls[x] == a for x in apart_of[j] if x != i
        )

    def floors_reached() -> bool:
        for m in mrange:
            col = [dev[c][m] / caps[c] for c in range(k)] if m <= nsub else [dev[c][m] for c in range(k)]
            span = max(col) - min(col)
            if m <= nsub:
                if span > mean_floor_tol[m]:
                    return False
            elif span > count_floor_tol[m]:
                return False
        return True

    integral = all(float(x).is_integer() for v in vec for x in v)
    equal = n % k == 0
    mean_floor_tol = [
        (1.0 / caps[0] if round(means[m] * n) % k else 0.0) + 1e-9 if (integral and equal) else 0.0
        for m in range(nsub + 1)
    ] + [0.0] * 3
    count_floor_tol = [0.0] * (nsub + 1) + [(0.0 if round(means[m] * n) % k == 0 else 1.0) + 1e-9 for m in
                                             range(nsub + 1, nm)]

    random_moves = accepted = 0
    orders: list[list[int]] = []
    for gi in (0, 1):
        for m in range(nsub + 1):
            orders.append(sorted((i for i in range(n) if movable[i] and gidx[i] == gi), key=lambda i: (vec[i][m], i)))
    n_orders = len(orders)
    reach = 24
    # 4a. threshold accepting over neighbour swaps, for a fixed number of proposals (not a fixed time, so that
    # the result does not depend on the machine)
    time_limited = False
    blocks = max(1, -(-max(min_moves, moves_per_pupil * n) // 2000))
    for block in range(blocks):
        if time.perf_counter() >= deadline:
            time_limited = True
            break
        # tolerate worsening up to a threshold that falls quadratically to 0
        threshold = -1e-9 + anneal_start * (1.0 - block / blocks) ** 2
        for _ in range(2000):
            # neighbours in one field's sorted order: small differences, so fine-grained moves
            order = orders[rng.below(n_orders)]
            if len(order) < 2:
                continue
            pos = rng.below(len(order))
            off = 1 + rng.below(reach)
            other = pos + off if pos + off < len(order) else pos - off
            if other < 0:
                continue
            i, j = order[pos], order[other]
            a, b = cls[i], cls[j]
            if a == b:
                continue
            da, db = dev[a], dev[b]
            vi, vj = vec[i], vec[j]
            delta = 0.0
            for m in mrange:
                d = vi[m] - vj[m]
                if d:
                    delta += w2[m] * d * (db[m] - da[m] + d)
            random_moves += 1
            if delta < threshold and ok(i, j):
                swap(i, j)
                accepted += 1
        if floors_reached():
            break

    def double_swap(a: int, b: int, diff: list[float]) -> bool:
        """Two simultaneous swaps between a and b whose combined change is as close as possible to -diff/2
        in every field (found by hashing the change vectors of all single swaps). Applies the first improving
        pair; returns whether it did."""
        singles: dict[tuple[float, ...], list[tuple[int, int]]] = {}
        listed: list[tuple[tuple[float, ...], int, int]] = []
        for gi in (0, 1):
            for i in pools[a][gi]:
                vi = vec[i]
                for j in pools[b][gi]:
                    vj = vec[j]
                    dv = tuple(vi[m] - vj[m] for m in mrange)
                    singles.setdefault(dv, []).append((i, j))
                    listed.append((dv, i, j))
        choices: list[tuple[float, ...]] = []
        for m in mrange:
            half = -diff[m] / 2.0
            lo, hi = float(math.floor(half)), float(math.ceil(half))
            if m > nsub:
                choices.append((float(math.trunc(half)),))
            else:
                choices.append((lo,) if lo == hi else (lo, hi))
        targets_: list[tuple[float, ...]] = [()]
        for opts in choices:
            targets_ = [(*t, o) for t in targets_ for o in opts]
        for target in targets_:
            delta = 0.0
            for m in mrange:
                d = target[m]
                if d:
                    delta += w2[m] * d * (diff[m] + d)
            if delta >= -1e-9:
                continue
            for d1, i1, j1 in listed:
                rest = tuple(target[m] - d1[m] for m in mrange)
                for i2, j2 in singles.get(rest, ()):
                    if i2 == i1 or j2 == j1:
                        continue
                    if not ok(i1, j1):
                        break
                    swap(i1, j1)
                    if ok(i2, j2):
                        swap(i2, j2)
                        return True
                    swap(j1, i1)
        return False

    # 4b. best swap between an extreme class and a partner
    targeted = 0
    doubles = 0
    stalled = 0
    partner_tries = min(k - 1, partners_per_class)
    # 4b. ends at the floors, when no class can be improved any more, or (flagged) at the time limit
    while not floors_reached() and stalled < k:
        if time.perf_counter() >= deadline:
            time_limited = True
            break
        # classes furthest outside the integral band around their targets first (then by squared deviation)
        excess = [sum(weights[m] * max(0.0, abs(dev[c][m]) - 0.999) ** 2 for m in mrange) for c in range(k)]
        cost = [sum(weights[m] * dev[c][m] * dev[c][m] for m in mrange) for c in range(k)]
        worst = sorted(range(k), key=lambda c: (-excess[c], -cost[c]))
        a = worst[stalled % k]
        da = dev[a]
        # partners whose deviations best cancel those of a: alternately by the score sums alone and by all
        # weighted fields (so that count imbalances can be repaired too)
        others = [c for c in range(k) if c != a]
        by_sums = sorted(others, key=lambda c: sum(da[m] * dev[c][m] for m in range(nsub + 1)))
        by_all = sorted(others, key=lambda c: sum(weights[m] * da[m] * dev[c][m] for m in mrange))
        partners = list(dict.fromkeys(c for pair in zip(by_sums, by_all, strict=True) for c in pair))
        improved = False
        for b in partners[:partner_tries]:
            db = dev[b]
            diff = [db[m] - da[m] for m in mrange]
            best = -1e-9
            pick: tuple[int, int] | None = None
            for gi in (0, 1):
                for i in pools[a][gi]:
                    vi = vec[i]
                    for j in pools[b][gi]:
                        vj = vec[j]
                        delta = 0.0
                        for m in mrange:
                            d = vi[m] - vj[m]
                            if d:
                                delta += w2[m] * d * (diff[m] + d)
                        if delta < best and ok(i, j):
                            best, pick = delta, (i, j)
            targeted += 1
            if pick is not None:
                swap(*pick)
                accepted += 1
                improved = True
                break
            if double_swaps and double_swap(a, b, diff):
                accepted += 2
                doubles += 1
                improved = True
                break
        stalled = 0 if improved else stalled + 1

    assignment = {p.id: cls[index[p.id]] + 1 for p in pupils}
    metrics, violations = evaluate(cohort, assignment, k)
    stats = {
        "seconds": time.perf_counter() - started,
        "random_moves": float(random_moves),
        "targeted_searches": float(targeted),
        "accepted_swaps": float(accepted),
        "double_swaps": float(doubles),
        "time_limit": time_limit,
        "time_limited": float(time_limited),
    }
    return ClassResult(assignment, metrics, violations, stats)
