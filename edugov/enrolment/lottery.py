"""The admission lottery (摇号) and matching of a round: pure, typed, no Django; normative text in docs/enrolment.md.

* **Lottery number** of an application: ``HashRng(seed, "lottery:" + reference).hex64()``, i.e. the first 8 bytes
  of ``SHA-256(UTF-8(seed + "|lottery:" + reference + "|0"))`` as 16 lower-case hex digits. It depends only on the
  seed and the application's public reference, so every parent can recompute their own number with one hash.
* **Priority** of a school over an applicant: the position of the applicant's verified tier in the school's tier
  list (earlier is better), then the lottery number read as an integer (smaller is better), then the reference.
  One number per child for every school (single tie-breaking). A tier the school does not list is not eligible.
* **Matching**: student-proposing deferred acceptance, the same mechanism and the same bounded-heap implementation
  as ``edugov.allocation.engine.matching.deferred_acceptance``; that engine hard-codes three tiers (sibling,
  district, other), so this module generalises the priority to per-school tier lists. ``tests/test_lottery.py``
  checks that both give the same matching whenever the priorities can be written in the engine's three tiers.
* **Waiting lists**: at each school, the eligible applicants who ranked it above what they got (or got nothing),
  in the school's priority order, numbered from 1.

Input and output files are UTF-8 CSV (``\\n`` line ends, no BOM) built by ``edugov.allocation.engine.runs.csv_bytes``
so that their SHA-256 is well defined; the run record has the same keys as the allocation engine's (records.py).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from edugov.allocation.engine import ALGORITHM_VERSION as ENGINE_VERSION
from edugov.allocation.engine.records import check_seed, commit_seed, now_iso, sha256_hex
from edugov.allocation.engine.rng import HashRng
from edugov.allocation.engine.runs import csv_bytes, read_csv

#: bump whenever an output can change for the same input and seed
ALGORITHM_VERSION = f"enrolment-1/{ENGINE_VERSION}"
LOTTERY_PURPOSE = "lottery:"
SCHOOLS_HEADER = ("school_id", "capacity", "tiers")
APPLICANTS_HEADER = ("reference", "choices")
OUTPUT_HEADER = ("reference", "lottery", "school_id", "waitlist")
PARAMETERS: dict[str, Any] = {
    "command": "enrolment",
    "mechanism": "student-proposing DA",
    "priority": "verified tier, then lottery",
    "lottery": "HashRng(seed, 'lottery:' + reference).hex64()",
}


class LotteryInputError(ValueError):
    """Input the lottery cannot run on; the message is Chinese."""


@dataclass(frozen=True)
class SchoolSeats:
    """A school in the lottery: its id (学校标识码), seats and the tiers it admits, best first."""

    school_id: str
    capacity: int
    tiers: tuple[str, ...]


@dataclass(frozen=True)
class Applicant:
    """An approved application: its public reference and its choices as (school_id, verified tier), best first."""

    reference: str
    choices: tuple[tuple[str, str], ...]


@dataclass
class MatchResult:
    """Lottery numbers, the school each applicant got (None: none) and each school's waiting list (references)."""

    lottery: dict[str, str]
    admitted: dict[str, str | None]
    waitlists: dict[str, list[str]] = field(default_factory=dict)

    def waitlist_ranks(self) -> dict[str, dict[str, int]]:
        """reference → {school_id: 1-based rank on that school's waiting list}."""
        ranks: dict[str, dict[str, int]] = {}
        for school_id, refs in self.waitlists.items():
            for position, ref in enumerate(refs, start=1):
                ranks.setdefault(ref, {})[school_id] = position
        return ranks


def lottery_number(seed: str, reference: str) -> str:
    """The application's lottery number: 16 hex digits from SHA-256(seed|lottery:reference|0)."""
    return HashRng(seed, LOTTERY_PURPOSE + reference).hex64()


def _check(schools: Sequence[SchoolSeats], applicants: Sequence[Applicant]) -> None:
    ids = [s.school_id for s in schools]
    if len(set(ids)) != len(ids):
        raise LotteryInputError("学校编号重复")
    refs = [a.reference for a in applicants]
    if len(set(refs)) != len(refs):
        raise LotteryInputError("报名编号重复")
    known = set(ids)
    for s in schools:
        if s.capacity < 0:
            raise LotteryInputError(f"学校 {s.school_id} 的招生计划数为负")
    for a in applicants:
        if "|" in a.reference or not a.reference:
            raise LotteryInputError(f"报名编号 {a.reference!r} 无效")
        schools_chosen = [school for school, _ in a.choices]
        if len(set(schools_chosen)) != len(schools_chosen):
            raise LotteryInputError(f"报名 {a.reference} 的志愿中有重复学校")
        for school in schools_chosen:
            if school not in known:
                raise LotteryInputError(f"报名 {a.reference} 填报了不在本轮招生的学校 {school}")


def match(schools: Sequence[SchoolSeats], applicants: Sequence[Applicant], seed: str) -> MatchResult:
    """Draws the lottery numbers from ``seed`` and runs student-proposing deferred acceptance.

    The result is stable for the tier-then-lottery priorities, respects every capacity and is the student-optimal
    stable matching; ineligible choices (tier not listed by the school) are skipped."""
    _check(schools, applicants)
    lottery = {a.reference: lottery_number(seed, a.reference) for a in applicants}
    n = len(applicants)
    order = sorted(range(n), key=lambda i: (int(lottery[applicants[i].reference], 16), applicants[i].reference))
    pos = [0] * n
    for p, i in enumerate(order):
        pos[i] = p
    index = {s.school_id: k for k, s in enumerate(schools)}
    tier_pos = [{tier: t for t, tier in enumerate(s.tiers)} for s in schools]
    # per applicant: (school index, rank at that school) for the eligible choices, best first
    prefs: list[list[tuple[int, int]]] = []
    for i, a in enumerate(applicants):
        eligible = []
        for school_id, tier in a.choices:
            k = index[school_id]
            t = tier_pos[k].get(tier)
            if t is not None:
                eligible.append((k, t * n + pos[i]))
        prefs.append(eligible)
    held: list[list[tuple[int, int]]] = [[] for _ in schools]  # max-heaps of (-rank, applicant)
    nxt = [0] * n
    free = list(range(n - 1, -1, -1))
    while free:
        i = free.pop()
        plist = prefs[i]
        while nxt[i] < len(plist):
            k, rank = plist[nxt[i]]
            nxt[i] += 1
            cap = schools[k].capacity
            if cap == 0:
                continue
            heap = held[k]
            if len(heap) < cap:
                heapq.heappush(heap, (-rank, i))
                break
            if -heap[0][0] > rank:
                _, out = heapq.heapreplace(heap, (-rank, i))
                free.append(out)
                break
    admitted: dict[str, str | None] = {a.reference: None for a in applicants}
    for k, heap in enumerate(held):
        for _, i in heap:
            admitted[applicants[i].reference] = schools[k].school_id
    waiting: dict[str, list[tuple[int, str]]] = {s.school_id: [] for s in schools}
    for i, a in enumerate(applicants):
        got = admitted[a.reference]
        for k, rank in prefs[i]:
            if schools[k].school_id == got:
                break
            waiting[schools[k].school_id].append((rank, a.reference))
    waitlists = {school_id: [ref for _, ref in sorted(entries)] for school_id, entries in waiting.items()}
    return MatchResult(lottery=lottery, admitted=admitted, waitlists=waitlists)


# ---------------------------------------------------------------------------------------------------------------
# files and the run record


def schools_csv(schools: Sequence[SchoolSeats]) -> bytes:
    """``school_id,capacity,tiers`` (tiers joined by ";"), sorted by school id."""
    rows = [[s.school_id, str(s.capacity), ";".join(s.tiers)] for s in sorted(schools, key=lambda s: s.school_id)]
    return csv_bytes(SCHOOLS_HEADER, rows)


def applicants_csv(applicants: Sequence[Applicant]) -> bytes:
    """``reference,choices`` with choices as ``school:tier`` joined by ";" best first, sorted by reference."""
    rows = [[a.reference, ";".join(f"{school}:{tier}" for school, tier in a.choices)]
            for a in sorted(applicants, key=lambda a: a.reference)]
    return csv_bytes(APPLICANTS_HEADER, rows)


def read_schools(data: bytes) -> list[SchoolSeats]:
    rows, _ = read_csv(data)
    try:
        return [SchoolSeats(r["school_id"], int(r["capacity"]), tuple(t for t in r["tiers"].split(";") if t))
                for r in rows]
    except (KeyError, ValueError) as exc:
        raise LotteryInputError(f"学校文件格式不正确：{exc}") from None


def _choice(text: str) -> tuple[str, str]:
    school, sep, tier = text.partition(":")
    if not sep or not school or not tier:
        raise LotteryInputError(f"志愿 {text!r} 应写作“学校:顺位”")
    return school, tier


def read_applicants(data: bytes) -> list[Applicant]:
    rows, _ = read_csv(data)
    try:
        return [Applicant(r["reference"], tuple(_choice(c) for c in r["choices"].split(";") if c)) for r in rows]
    except KeyError as exc:
        raise LotteryInputError(f"报名文件格式不正确：缺少列 {exc}") from None


def output_csv(result: MatchResult) -> bytes:
    """``reference,lottery,school_id,waitlist`` sorted by reference; waitlist as ``school:rank`` joined by ";"."""
    ranks = result.waitlist_ranks()
    rows = []
    for ref in sorted(result.admitted):
        waits = ";".join(f"{school}:{rank}" for school, rank in sorted(ranks.get(ref, {}).items()))
        rows.append([ref, result.lottery[ref], result.admitted[ref] or "", waits])
    return csv_bytes(OUTPUT_HEADER, rows)


def input_sha256(schools_data: bytes, applicants_data: bytes) -> str:
    """The one hash published at commitment: SHA-256 of the schools file, a newline, and the applicants file."""
    return sha256_hex(schools_data + b"\n" + applicants_data)


@dataclass
class Run:
    """A finished lottery: the result, the output file and its hash."""

    result: MatchResult
    output: bytes
    output_sha256: str


def run(schools_data: bytes, applicants_data: bytes, seed: str) -> Run:
    """Reads the two input files, runs the lottery and returns the output file."""
    result = match(read_schools(schools_data), read_applicants(applicants_data), seed)
    output = output_csv(result)
    return Run(result, output, sha256_hex(output))


def make_record(*, seed: str, commitment: str, schools_data: bytes, applicants_data: bytes,
                output_sha256: str) -> dict[str, Any]:
    """The run record: same keys as the allocation engine's RunRecord, kind ``enrolment``."""
    return {
        "kind": "enrolment",
        "algorithm_version": ALGORITHM_VERSION,
        "parameters": dict(PARAMETERS),
        "seed": seed,
        "seed_commitment": commitment,
        "inputs": [{"name": "schools.csv", "sha256": sha256_hex(schools_data)},
                   {"name": "applicants.csv", "sha256": sha256_hex(applicants_data)}],
        "output_sha256": output_sha256,
        "output_name": "results.csv",
        "created_at": now_iso(),
        "warnings": [],
    }


def record_json(record: Mapping[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8) with one trailing newline."""
    return (json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


@dataclass
class Verification:
    """The outcome of re-running a lottery: ``ok`` when there is no problem; problems are Chinese."""

    recorded_output_sha256: str
    recomputed_output_sha256: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(record: Mapping[str, Any], schools_data: bytes, applicants_data: bytes, output: bytes) -> Verification:
    """Checks the seed against the commitment, the input hashes and the algorithm version, re-runs the lottery
    and compares the output hash with the record and with the stored output."""
    report = Verification(recorded_output_sha256=str(record.get("output_sha256", "")))
    seed = record.get("seed")
    commitment = str(record.get("seed_commitment") or "")
    if not isinstance(seed, str) or not seed:
        report.problems.append("运行记录中没有种子")
        return report
    if not commitment or not check_seed(seed, commitment):
        report.problems.append(f"种子与事先公布的承诺值不符：承诺 {commitment or '（无）'}，种子的 SHA-256 为 "
                               f"{commit_seed(seed)}")
    if record.get("algorithm_version") != ALGORITHM_VERSION:
        report.problems.append(f"记录的算法版本 {record.get('algorithm_version')} 与当前版本 {ALGORITHM_VERSION} 不同")
    recorded_inputs = [str(i.get("sha256", "")) for i in record.get("inputs") or []]
    if recorded_inputs != [sha256_hex(schools_data), sha256_hex(applicants_data)]:
        report.problems.append("保存的摇号输入与运行记录不符")
        return report
    try:
        again = run(schools_data, applicants_data, seed)
    except LotteryInputError as exc:
        report.problems.append(f"无法重新计算：{exc}")
        return report
    report.recomputed_output_sha256 = again.output_sha256
    if again.output_sha256 != report.recorded_output_sha256:
        report.problems.append("重新计算的结果与记录的结果 SHA-256 不同")
    if sha256_hex(output) != report.recorded_output_sha256:
        report.problems.append("保存的结果文件与记录的 SHA-256 不符（可能被修改）")
    return report
