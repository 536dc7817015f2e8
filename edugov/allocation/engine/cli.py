"""Command line for the allocation engines.

    python -m edugov.allocation.engine.cli classes COHORT.csv --classes K --seed S --out OUT.csv [--time-limit T]
        [--min-size A] [--max-size B]
    python -m edugov.allocation.engine.cli match SCHOOLS.csv STUDENTS.csv --out OUT.csv [--seed S]
    python -m edugov.allocation.engine.cli teams TEAMS.csv --classes K --seed S --out OUT.csv
    python -m edugov.allocation.engine.cli seats ROSTER.csv --rows R --cols C --periods P --seed S --out OUT.csv
    python -m edugov.allocation.engine.cli verify RUN.json|PUBLIC_ID [--output OUT.csv] [--inputs FILE ...]

Every run prints the SHA-256 of its inputs, the seed, the algorithm version, the parameters and the SHA-256 of
the output file, so that anyone can re-run it and compare byte for byte. ``--record RUN.json`` also writes these
as a run record (canonical JSON) that ``verify`` re-checks; ``--commitment HEX`` refuses to run unless the seed
matches the commitment published before the draw.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import ALGORITHM_VERSION
from .errors import AllocationInputError
from .records import Kind, RunRecord, check_seed, commit_seed, sha256_hex
from .runs import (
    RunOutput,
    VerifyReport,
    classes_parameters,
    execute,
    make_record,
    match_parameters,
    seats_parameters,
    teams_parameters,
    verify_run,
)


def _say(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _provenance(inputs: Sequence[Path], datas: Sequence[bytes], seed: str | None, params: dict[str, Any]) -> None:
    for p, data in zip(inputs, datas, strict=True):
        _say(f"输入 input_sha256: {sha256_hex(data)}  {p}")
    _say(f"种子 seed: {seed if seed is not None else '(none)'}")
    _say(f"算法版本 algorithm_version: {ALGORITHM_VERSION}")
    _say(f"参数 parameters: {json.dumps(params, ensure_ascii=False, sort_keys=True)}")


def _run(a: argparse.Namespace, kind: Kind, inputs: Sequence[Path], params: dict[str, Any]) -> RunOutput:
    """Checks the commitment, runs, prints the provenance, writes the output and (with --record) the record."""
    seed: str | None = a.seed
    commitment = ""
    if seed is not None:
        commitment = commit_seed(seed)
        if a.commitment and not check_seed(seed, a.commitment):
            raise AllocationInputError(
                f"种子与事先公布的承诺值不符，拒绝运行：承诺 {a.commitment}，种子的 SHA-256 为 {commitment}"
                " (seed does not match the commitment)"
            )
    datas = [p.read_bytes() for p in inputs]
    output = execute(kind, datas, params, seed)
    _provenance(inputs, datas, seed, params)
    _write(a.out, output.data)
    if a.record is not None:
        record = make_record(kind, params, seed, commitment, [(str(p), d) for p, d in zip(inputs, datas, strict=True)],
                             output, str(a.out))
        _write(a.record, record.to_bytes() + b"\n")
    return output


def _finish(a: argparse.Namespace, output: RunOutput) -> None:
    _say(f"输出 output_sha256: {output.sha256}  {a.out}")
    if a.record is not None:
        _say(f"运行记录 record: {a.record}")


def _classes(a: argparse.Namespace) -> int:
    params = classes_parameters(a.classes, a.time_limit, min_size=a.min_size, max_size=a.max_size)
    output = _run(a, "classes", [a.cohort], params)
    result = output.detail
    _say("指标 metric                                   值 value    下限 floor   差距 distance")
    for m in result.metrics:
        _say(f"{m.label_zh} {m.key:<36} {m.value:9.4f} {m.floor:9.4f} {m.distance:9.4f}")
    for key, v in result.violations.items():
        _say(f"硬约束违反 {key}: {v}")
    _say(f"用时 seconds: {result.stats['seconds']:.3f}")
    if result.stats["time_limited"]:
        _say("注意 warning: 搜索被时间上限截断，结果随机器速度而变 (search cut by the time limit; not reproducible)")
    _finish(a, output)
    return 0 if not any(result.violations.values()) else 3


def _match(a: argparse.Namespace) -> int:
    output = _run(a, "match", [a.schools, a.students], match_parameters())
    placed = sum(1 for v in output.detail.values() if v is not None)
    _say(f"录取 placed: {placed}  未录取 unplaced: {len(output.detail) - placed}")
    _finish(a, output)
    return 0


def _teams(a: argparse.Namespace) -> int:
    output = _run(a, "teams", [a.teams], teams_parameters(a.classes))
    method = "抽签 lot" if output.detail.method == "lot" else "逐班抽签 sequential fallback"
    _say(f"方法 method: {method}  洗牌次数 shuffles: {output.detail.shuffles}")
    _finish(a, output)
    return 0


def _seats(a: argparse.Namespace) -> int:
    params = seats_parameters(a.rows, a.cols, a.periods, a.front_rows, a.group_width)
    output = _run(a, "seats", [a.roster], params)
    _say(f"学生 students: {len(output.detail.periods[0])}  期数 periods: {len(output.detail.periods)}")
    _finish(a, output)
    return 0


def _locate(name: str, base: Path) -> Path | None:
    for candidate in (Path(name), base / name, base / Path(name).name):
        if candidate.is_file():
            return candidate
    return None


def _print_report(report: VerifyReport) -> int:
    for line in report.lines():
        _say(line)
    return 0 if report.ok else 1


def _verify_draw(public_id: str) -> int:
    # Only this branch needs the database; the engine itself never imports Django.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugov.settings")
    django = importlib.import_module("django")
    django.setup()
    services = importlib.import_module("edugov.allocation.services")
    database_error = importlib.import_module("django.db").DatabaseError
    try:
        draw = services.find_draw(public_id)
    except database_error as exc:
        sys.stderr.write(f"无法读取数据库 (database error): {exc}\n")
        return 2
    if draw is None:
        return _verify_round(public_id)
    _say(f"公开抽签 draw: {draw.public_id}  {draw.title}")
    return _print_report(services.verify_draw(draw))


def _verify_round(public_id: str) -> int:
    """An enrolment round (招生摇号) by its public id: re-runs its lottery from the stored input and seed."""
    enrolment = importlib.import_module("edugov.enrolment.services")
    rnd = enrolment.find_round(public_id)
    if rnd is None:
        sys.stderr.write(f"找不到运行记录文件、公开抽签或招生摇号 (no such record file, draw or round): {public_id}\n")
        return 2
    _say(f"招生摇号 enrolment round: {rnd.public_id}  {rnd.name}")
    report = enrolment.verify_round(rnd)
    _say("验证通过 (verified)" if report.ok else "验证失败 (verification failed)")
    _say(f"种子 seed: {rnd.seed or '(none)'}")
    _say(f"种子承诺值 seed_commitment: {rnd.seed_commitment}")
    _say(f"记录的输出 recorded output_sha256: {report.recorded_output_sha256}")
    if report.recomputed_output_sha256:
        _say(f"重新计算 recomputed output_sha256: {report.recomputed_output_sha256}")
    for problem in report.problems:
        _say(f"问题 problem: {problem}")
    return 0 if report.ok else 1


def _verify(a: argparse.Namespace) -> int:
    path = Path(a.run)
    if not path.is_file():
        return _verify_draw(a.run)
    record = RunRecord.from_json(path.read_bytes())
    base = path.parent
    if a.inputs:
        input_paths = list(a.inputs)
    else:
        input_paths = []
        for spec in record.inputs:
            found = _locate(spec.name, base)
            if found is None:
                raise AllocationInputError(f"找不到输入文件 {spec.name}，请用 --inputs 指定 (input file not found)")
            input_paths.append(found)
    output_path: Path | None = a.output
    if output_path is None and record.output_name:
        output_path = _locate(record.output_name, base)
    output = output_path.read_bytes() if output_path is not None else None
    for p in input_paths:
        _say(f"输入 input: {p}")
    if output_path is not None:
        _say(f"结果文件 output: {output_path}")
    _say(f"算法版本 algorithm_version: {record.algorithm_version}")
    _say(f"参数 parameters: {json.dumps(record.parameters, ensure_ascii=False, sort_keys=True)}")
    return _print_report(verify_run(record, [p.read_bytes() for p in input_paths], output))


def _record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--record", type=Path, default=None, help="write the run record (JSON) to this file")
    p.add_argument("--commitment", default=None, help="SHA-256 of the seed published before the draw; checked")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="allocate", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("classes", help="均衡分班 balanced class assignment")
    c.add_argument("cohort", type=Path)
    c.add_argument("--classes", type=int, required=True, help="number of classes K")
    c.add_argument("--seed", required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--time-limit", type=float, default=None, help="safety limit in seconds (default 5 + 2 ms/pupil)")
    c.add_argument("--min-size", type=int, default=None, help="班额下限 smallest class size allowed")
    c.add_argument("--max-size", type=int, default=None, help="班额上限 largest class size allowed")
    c.set_defaults(func=_classes)
    m = sub.add_parser("match", help="录取匹配 admission matching (deferred acceptance)")
    m.add_argument("schools", type=Path)
    m.add_argument("students", type=Path)
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--seed", default=None, help="used to draw lotteries when the students file has none")
    m.set_defaults(func=_match)
    _record_options(c)
    _record_options(m)
    t = sub.add_parser("teams", help="教师组抽签 teacher teams to classes by lot")
    t.add_argument("teams", type=Path)
    t.add_argument("--classes", type=int, required=True, help="number of classes K (= number of teams)")
    t.add_argument("--seed", required=True)
    t.add_argument("--out", type=Path, required=True)
    _record_options(t)
    t.set_defaults(func=_teams)
    s = sub.add_parser("seats", help="排座与轮换 seat plan with periodic rotation")
    s.add_argument("roster", type=Path)
    s.add_argument("--rows", type=int, required=True)
    s.add_argument("--cols", type=int, required=True)
    s.add_argument("--periods", type=int, default=1, help="number of rotation periods (default 1)")
    s.add_argument("--front-rows", type=int, default=1, help="rows counted as front rows (default 1)")
    s.add_argument("--group-width", type=int, default=2, help="columns per rotating group (default 2)")
    s.add_argument("--seed", required=True)
    s.add_argument("--out", type=Path, required=True)
    _record_options(s)
    s.set_defaults(func=_seats)
    v = sub.add_parser("verify", help="验证 re-run a record (file) or a public draw (its id) and compare")
    v.add_argument("run", help="RUN.json, or the public id of a draw in the database")
    v.add_argument("--output", type=Path, default=None, help="result file to check (default: the recorded one)")
    v.add_argument("--inputs", type=Path, nargs="+", default=None, help="input files (default: the recorded paths)")
    v.set_defaults(func=_verify)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (2 on input errors, 3 if a hard constraint could not be met, 1 if a
    verification found a problem)."""
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
