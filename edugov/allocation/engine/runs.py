"""One way to run and to re-run: input bytes + kind + parameters + seed → output CSV bytes, and the verifier.

The command line and the Django services both go through ``execute``, so a run recorded by one is re-run by the
other with the same code path. Output files are UTF-8 CSV with ``\\n`` line ends and no BOM.
"""

from __future__ import annotations

import csv
import difflib
import inspect
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import ALGORITHM_VERSION
from .classes import _validate as _validate_cohort
from .classes import assign_classes, check_size_bounds, cohort_from_rows
from .errors import AllocationInputError
from .matching import applicants_from_rows, deferred_acceptance, schools_from_rows
from .records import InputFile, Kind, RunRecord, check_seed, commit_seed, now_iso, sha256_hex
from .seats import _validate as _validate_seats
from .seats import plan_seats, seat_rows, seat_students_from_rows
from .teams import check_feasible, draw_teams, team_rows, teams_from_rows

#: the input files each kind takes, in order
INPUT_ROLES: dict[Kind, tuple[str, ...]] = {
    "classes": ("cohort",),
    "match": ("schools", "students"),
    "teams": ("teams",),
    "seats": ("roster",),
}
OUTPUT_HEADERS: dict[Kind, tuple[str, ...]] = {
    "classes": ("id", "class"),
    "match": ("student_id", "school_id"),
    "teams": ("class", "team_id", "members"),
    "seats": ("period", "row", "col", "id", "name"),
}
#: the tuning knobs of assign_classes, recorded with their defaults so that a later default change is visible
CLASSES_TUNING: dict[str, Any] = {
    name: par.default
    for name, par in inspect.signature(assign_classes).parameters.items()
    if par.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("seed", "time_limit")
}
MAX_DIFFS_SHOWN = 5


#: optional 分班 parameters, recorded only when given (so records without them stay as they were)
CLASSES_BOUNDS = ("min_size", "max_size")


def classes_parameters(k: int, time_limit: float | None = None, *, min_size: int | None = None,
                       max_size: int | None = None) -> dict[str, Any]:
    bounds = {name: value for name, value in (("min_size", min_size), ("max_size", max_size)) if value is not None}
    return {"command": "classes", "classes": k, "time_limit": time_limit, **CLASSES_TUNING, **bounds}


def _size_bounds(parameters: Mapping[str, Any]) -> tuple[int | None, int | None]:
    bounds = [_int(parameters, name) if parameters.get(name) is not None else None for name in CLASSES_BOUNDS]
    return bounds[0], bounds[1]


def match_parameters() -> dict[str, Any]:
    return {"command": "match", "mechanism": "student-proposing DA"}


def teams_parameters(k: int) -> dict[str, Any]:
    return {"command": "teams", "classes": k}


def seats_parameters(rows: int, cols: int, periods: int, front_rows: int = 1, group_width: int = 2) -> dict[str, Any]:
    return {"command": "seats", "rows": rows, "cols": cols, "periods": periods, "front_rows": front_rows,
            "group_width": group_width}


@dataclass
class RunOutput:
    """The output file of a run (bytes and SHA-256), its rows, warnings, and the engine's own result object."""

    header: list[str]
    rows: list[list[str]]
    data: bytes
    sha256: str
    warnings: list[str] = field(default_factory=list)
    detail: Any = None


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 CSV, ``\\n`` line ends, minimal quoting: the byte format every output and hash refers to."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def read_csv(data: bytes) -> tuple[list[dict[str, str]], list[str]]:
    """Rows and header of a UTF-8 CSV (BOM allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AllocationInputError("文件不是 UTF-8 编码，请另存为 UTF-8 CSV (file is not UTF-8)") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return rows, list(reader.fieldnames or [])


def _int(parameters: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = parameters.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AllocationInputError(f"参数 {key} 必须是整数 (parameter must be an integer): {value!r}")
    return value


def _check_inputs(kind: Kind, inputs: Sequence[bytes]) -> None:
    want = INPUT_ROLES[kind]
    if len(inputs) != len(want):
        raise AllocationInputError(f"{kind} 需要 {len(want)} 个输入文件 ({', '.join(want)})，收到 {len(inputs)} 个")


def _need_seed(kind: Kind, seed: str | None) -> str:
    if seed is None or seed == "":
        raise AllocationInputError(f"{kind} 需要随机种子 (a seed is required)")
    return seed


def validate(kind: Kind, inputs: Sequence[bytes], parameters: Mapping[str, Any]) -> None:
    """Checks the inputs and parameters as far as possible without drawing (for committing a draw)."""
    _check_inputs(kind, inputs)
    if kind == "classes":
        k = _int(parameters, "classes")
        rows, header = read_csv(inputs[0])
        cohort = cohort_from_rows(rows, header, k)
        check_size_bounds(len(cohort.pupils), k, *_size_bounds(parameters))
        _validate_cohort(cohort, k)
    elif kind == "match":
        s_rows, s_header = read_csv(inputs[0])
        a_rows, a_header = read_csv(inputs[1])
        schools_from_rows(s_rows, s_header)
        applicants_from_rows(a_rows, a_header)
    elif kind == "teams":
        rows, header = read_csv(inputs[0])
        check_feasible(teams_from_rows(rows, header), _int(parameters, "classes"))
    elif kind == "seats":
        rows, header = read_csv(inputs[0])
        _validate_seats(seat_students_from_rows(rows, header), _int(parameters, "rows"), _int(parameters, "cols"),
                        _int(parameters, "periods", 1), _int(parameters, "front_rows", 1),
                        _int(parameters, "group_width", 2))
    else:  # pragma: no cover - Kind is a closed set
        raise AllocationInputError(f"未知的运行类型 (unknown kind): {kind}")


def execute(kind: Kind, inputs: Sequence[bytes], parameters: Mapping[str, Any], seed: str | None) -> RunOutput:
    """Runs the engine of ``kind`` on the input files (bytes, in ``INPUT_ROLES`` order) and returns its output."""
    _check_inputs(kind, inputs)
    header = list(OUTPUT_HEADERS[kind])
    warnings: list[str] = []
    detail: Any
    if kind == "classes":
        k = _int(parameters, "classes")
        tl = parameters.get("time_limit")
        time_limit = float(tl) if isinstance(tl, int | float) and not isinstance(tl, bool) else None
        unknown = set(parameters) - {"command", "classes", "time_limit", *CLASSES_BOUNDS} - set(CLASSES_TUNING)
        if unknown:
            raise AllocationInputError(f"未知的分班参数 (unknown parameters): {', '.join(sorted(unknown))}")
        tuning = {name: parameters.get(name, default) for name, default in CLASSES_TUNING.items()}
        rows_in, csv_header = read_csv(inputs[0])
        cohort = cohort_from_rows(rows_in, csv_header, k)
        check_size_bounds(len(cohort.pupils), k, *_size_bounds(parameters))
        detail = assign_classes(cohort, k, seed=_need_seed(kind, seed), time_limit=time_limit, **tuning)
        rows = sorted(([p.id, str(detail.assignment[p.id])] for p in cohort.pupils), key=lambda r: r[0])
        if detail.stats.get("time_limited"):
            warnings.append("搜索被时间上限截断，结果随机器速度而变 (search cut by the time limit; not reproducible)")
    elif kind == "match":
        s_rows, s_header = read_csv(inputs[0])
        a_rows, a_header = read_csv(inputs[1])
        students = applicants_from_rows(a_rows, a_header)
        detail = deferred_acceptance(schools_from_rows(s_rows, s_header), students, seed=seed or None)
        rows = [[s.student_id, detail[s.student_id] or ""] for s in students]
    elif kind == "teams":
        rows_in, csv_header = read_csv(inputs[0])
        teams = teams_from_rows(rows_in, csv_header)
        detail = draw_teams(teams, _int(parameters, "classes"), seed=_need_seed(kind, seed))
        rows = team_rows(teams, detail)
    elif kind == "seats":
        rows_in, csv_header = read_csv(inputs[0])
        students_s = seat_students_from_rows(rows_in, csv_header)
        detail = plan_seats(
            students_s, _int(parameters, "rows"), _int(parameters, "cols"), seed=_need_seed(kind, seed),
            periods=_int(parameters, "periods", 1), front_rows=_int(parameters, "front_rows", 1),
            group_width=_int(parameters, "group_width", 2),
        )
        rows = seat_rows(students_s, detail)
    else:  # pragma: no cover - Kind is a closed set
        raise AllocationInputError(f"未知的运行类型 (unknown kind): {kind}")
    data = csv_bytes(header, rows)
    return RunOutput(header, rows, data, sha256_hex(data), warnings, detail)


def make_record(kind: Kind, parameters: Mapping[str, Any], seed: str | None, commitment: str,
                inputs: Sequence[tuple[str, bytes]], output: RunOutput, output_name: str = "") -> RunRecord:
    """The run record of a finished run. ``commitment`` is the one published before the draw ("" if none)."""
    return RunRecord(
        kind=kind,
        algorithm_version=ALGORITHM_VERSION,
        parameters=dict(parameters),
        seed=seed,
        seed_commitment=commitment,
        inputs=[InputFile(name=name, sha256=sha256_hex(data)) for name, data in inputs],
        output_sha256=output.sha256,
        created_at=now_iso(),
        output_name=output_name,
        warnings=list(output.warnings),
    )


# ---------------------------------------------------------------------------------------------------------------
# verification


@dataclass
class RowDiff:
    """One difference between the recomputed output and a result file; line numbers count the header as 1."""

    line: int
    expected: str
    found: str


@dataclass
class VerifyReport:
    """The outcome of re-running a record: ``ok`` when there is no problem; problems and notes are Chinese."""

    recorded_output_sha256: str
    recomputed_output_sha256: str = ""
    file_output_sha256: str = ""
    seed: str | None = None
    seed_commitment: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    row_diffs: list[RowDiff] = field(default_factory=list)
    rows_differing: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as printable lines: verdict, hashes, problems, the first differing rows."""
        out = ["验证通过 (verified)" if self.ok else "验证失败 (verification failed)"]
        out.append(f"种子 seed: {self.seed if self.seed is not None else '(none)'}")
        if self.seed_commitment:
            out.append(f"种子承诺值 seed_commitment: {self.seed_commitment}")
        out.append(f"记录的输出 recorded output_sha256: {self.recorded_output_sha256}")
        if self.recomputed_output_sha256:
            out.append(f"重新计算 recomputed output_sha256: {self.recomputed_output_sha256}")
        if self.file_output_sha256:
            out.append(f"结果文件 file output_sha256: {self.file_output_sha256}")
        out.extend(f"问题 problem: {p}" for p in self.problems)
        for d in self.row_diffs:
            out.append(f"  第 {d.line} 行 line {d.line}: 应为 expected {d.expected!r}，实为 found {d.found!r}")
        if self.rows_differing > len(self.row_diffs):
            out.append(f"  …… 共 {self.rows_differing} 行不同 (rows differing in total)")
        out.extend(f"说明 note: {n}" for n in self.notes)
        return out


def diff_rows(expected: bytes, found: bytes) -> tuple[list[RowDiff], int]:
    """The first ``MAX_DIFFS_SHOWN`` differing lines between two CSV outputs and the number of differing lines."""
    exp = expected.decode("utf-8", errors="replace").splitlines()
    got = found.decode("utf-8-sig", errors="replace").splitlines()
    diffs: list[RowDiff] = []
    total = 0
    matcher = difflib.SequenceMatcher(None, exp, got, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        span = max(i2 - i1, j2 - j1)
        total += span
        for n in range(span):
            e = exp[i1 + n] if i1 + n < i2 else "（缺少此行 missing）"
            g = got[j1 + n] if j1 + n < j2 else "（多出此行 extra）"
            if len(diffs) < MAX_DIFFS_SHOWN:
                diffs.append(RowDiff(line=(j1 + n if j1 + n < j2 else i1 + n) + 1, expected=e, found=g))
    return diffs, total


def verify_run(record: RunRecord, inputs: Sequence[bytes], output: bytes | None = None) -> VerifyReport:
    """Re-checks a record: seed against commitment, algorithm version, input hashes; re-runs with the recorded
    parameters and seed and compares the output hash; compares a result file (``output``) when given."""
    report = VerifyReport(recorded_output_sha256=record.output_sha256, seed=record.seed,
                          seed_commitment=record.seed_commitment)
    if record.seed_commitment:
        if record.seed is None or not check_seed(record.seed, record.seed_commitment):
            actual = commit_seed(record.seed) if record.seed is not None else "(none)"
            report.problems.append(
                f"种子与事先公布的承诺值不符：承诺 {record.seed_commitment}，种子的 SHA-256 为 {actual}"
                " (seed does not match the commitment)"
            )
    elif record.seed is not None:
        report.notes.append("记录中没有种子承诺值，无法证明种子是事先确定的 (no commitment recorded)")
    if record.algorithm_version != ALGORITHM_VERSION:
        report.problems.append(
            f"记录的算法版本 {record.algorithm_version} 与当前版本 {ALGORITHM_VERSION} 不同，需用原版本验证"
            " (algorithm version differs)"
        )
    inputs_ok = len(inputs) == len(record.inputs)
    if not inputs_ok:
        report.problems.append(f"记录有 {len(record.inputs)} 个输入文件，提供了 {len(inputs)} 个 (input count differs)")
    for spec, data in zip(record.inputs, inputs, strict=False):
        actual = sha256_hex(data)
        if actual != spec.sha256:
            inputs_ok = False
            report.problems.append(
                f"输入文件 {spec.name} 与记录不符：记录 SHA-256 {spec.sha256}，实际 {actual} (input file changed)"
            )
    recomputed: RunOutput | None = None
    if inputs_ok:
        try:
            recomputed = execute(record.kind, inputs, record.parameters, record.seed)
        except AllocationInputError as exc:
            report.problems.append(f"无法重新计算 (re-run failed): {exc}")
    else:
        report.notes.append("输入文件与记录不符，未重新计算 (inputs differ; not re-run)")
    if recomputed is not None:
        report.recomputed_output_sha256 = recomputed.sha256
        if recomputed.sha256 != record.output_sha256:
            report.problems.append("重新计算的结果与记录的输出 SHA-256 不同 (re-run output differs from the record)")
        report.notes.extend(recomputed.warnings)
    if output is not None:
        report.file_output_sha256 = sha256_hex(output)
        if report.file_output_sha256 != record.output_sha256:
            report.problems.append(
                f"结果文件与记录不符（可能被修改）：记录 SHA-256 {record.output_sha256}，"
                f"文件 {report.file_output_sha256}"
                " (result file does not match the record)"
            )
            if recomputed is not None:
                report.row_diffs, report.rows_differing = diff_rows(recomputed.data, output)
    else:
        report.notes.append("未提供结果文件，只核对了重新计算的哈希 (no result file checked)")
    return report
