"""Command line for the allocation engines.

    python -m edugov.allocation.engine.cli classes COHORT.csv --classes K --seed S --out OUT.csv [--time-limit T]
    python -m edugov.allocation.engine.cli match SCHOOLS.csv STUDENTS.csv --out OUT.csv [--seed S]

Every run prints the SHA-256 of its inputs, the seed, the algorithm version, the parameters and the SHA-256 of
the output file, so that anyone can re-run it and compare byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import inspect
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import ALGORITHM_VERSION
from .classes import assign_classes, read_cohort
from .errors import AllocationInputError
from .matching import deferred_acceptance, read_applicants, read_schools


def _say(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _provenance(inputs: Sequence[Path], seed: str | None, params: dict[str, object]) -> None:
    for p in inputs:
        _say(f"输入 input_sha256: {_sha256(p)}  {p}")
    _say(f"种子 seed: {seed if seed is not None else '(none)'}")
    _say(f"算法版本 algorithm_version: {ALGORITHM_VERSION}")
    _say(f"参数 parameters: {json.dumps(params, ensure_ascii=False, sort_keys=True)}")


def _classes(a: argparse.Namespace) -> int:
    cohort = read_cohort(a.cohort, a.classes)
    result = assign_classes(cohort, a.classes, seed=a.seed, time_limit=a.time_limit)
    tuning = {
        name: par.default
        for name, par in inspect.signature(assign_classes).parameters.items()
        if par.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("seed", "time_limit")
    }
    params = {"command": "classes", "classes": a.classes, "time_limit": a.time_limit, **tuning}
    _provenance([a.cohort], a.seed, params)
    rows = sorted(((p.id, str(result.assignment[p.id])) for p in cohort.pupils), key=lambda r: r[0])
    digest = _write_csv(a.out, ["id", "class"], rows)
    _say("指标 metric                                   值 value    下限 floor   差距 distance")
    for m in result.metrics:
        _say(f"{m.label_zh} {m.key:<36} {m.value:9.4f} {m.floor:9.4f} {m.distance:9.4f}")
    for key, v in result.violations.items():
        _say(f"硬约束违反 {key}: {v}")
    _say(f"用时 seconds: {result.stats['seconds']:.3f}")
    if result.stats["time_limited"]:
        _say("注意 warning: 搜索被时间上限截断，结果随机器速度而变 (search cut by the time limit; not reproducible)")
    _say(f"输出 output_sha256: {digest}  {a.out}")
    return 0 if not any(result.violations.values()) else 3


def _match(a: argparse.Namespace) -> int:
    schools = read_schools(a.schools)
    students = read_applicants(a.students)
    result = deferred_acceptance(schools, students, seed=a.seed)
    _provenance([a.schools, a.students], a.seed, {"command": "match", "mechanism": "student-proposing DA"})
    rows = [(s.student_id, result[s.student_id] or "") for s in students]
    digest = _write_csv(a.out, ["student_id", "school_id"], rows)
    placed = sum(1 for v in result.values() if v is not None)
    _say(f"录取 placed: {placed}  未录取 unplaced: {len(students) - placed}")
    _say(f"输出 output_sha256: {digest}  {a.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="allocate", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("classes", help="均衡分班 balanced class assignment")
    c.add_argument("cohort", type=Path)
    c.add_argument("--classes", type=int, required=True, help="number of classes K")
    c.add_argument("--seed", required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--time-limit", type=float, default=None, help="safety limit in seconds (default 5 + 2 ms/pupil)")
    c.set_defaults(func=_classes)
    m = sub.add_parser("match", help="录取匹配 admission matching (deferred acceptance)")
    m.add_argument("schools", type=Path)
    m.add_argument("students", type=Path)
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--seed", default=None, help="used to draw lotteries when the students file has none")
    m.set_defaults(func=_match)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (2 on input errors, 3 if a hard constraint could not be met)."""
    a = build_parser().parse_args(argv)
    try:
        code: int = a.func(a)
    except AllocationInputError as e:
        sys.stderr.write(f"输入错误 input error: {e}\n")
        return 2
    except FileNotFoundError as e:
        sys.stderr.write(f"找不到文件 file not found: {e.filename}\n")
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
