#!/usr/bin/env python
"""Allocation benchmark: our engines on the shared benchmark inputs, scored by the shared scorer.

    python bench/allocation.py [--shared /work/shared/bench] [--seed 1] [--only s600,m2000,l20000] [--keep DIR]

1. Generates the cohort presets (s600, m2000, l20000) and the matching presets (da2000, da20000) into a temporary
   folder with the shared generators (gen_students.py, gen_matching.py), exactly as their README describes.
2. For each cohort: reads it, runs edugov.allocation.engine.classes.assign_classes (default time limit), writes
   `id,class`, and scores that file with the shared metrics.py. Wall time = read + assign + write, in process.
3. Prints every metric next to its integrality floor, the hard-constraint violations and the wall time.
4. For each matching instance: deferred acceptance (timed without and with CSV reading), blocking pairs and
   capacity violations of the result.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from edugov.allocation.engine.classes import assign_classes, evaluate, read_cohort  # noqa: E402
from edugov.allocation.engine.matching import (  # noqa: E402
    blocking_pairs,
    capacity_violations,
    deferred_acceptance,
    read_applicants,
    read_schools,
)

COHORTS = {"s600": (600, 12, 20240901), "m2000": (2000, 40, 20240902), "l20000": (20000, 400, 20240903)}
GOAL_SECONDS = {"s600": 1.0, "m2000": 3.0, "l20000": 15.0}


def run_cohort(name: str, folder: Path, shared: Path, seed: str) -> None:
    n, k, gseed = COHORTS[name]
    path = folder / f"cohort_{name}_n{n}_k{k}_seed{gseed}.csv"
    out = folder / f"assign_{name}.csv"
    t0 = time.perf_counter()
    cohort = read_cohort(path, k)
    result = assign_classes(cohort, k, seed=seed)
    with out.open("w", encoding="utf-8") as f:
        f.write("id,class\n")
        for p in cohort.pupils:
            f.write(f"{p.id},{result.assignment[p.id]}\n")
    wall = time.perf_counter() - t0
    scored = json.loads(
        subprocess.run(
            [sys.executable, str(shared / "metrics.py"), str(path), str(out), "--k", str(k), "--wall", f"{wall:.3f}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    floors = {m.key: m.floor for m in evaluate(cohort, result.assignment, k)[0]}
    print(f"\n== {name}: N={n} K={k}  wall {wall:.2f} s (goal ≤ {GOAL_SECONDS[name]:.0f} s)  "
          f"search {result.stats['seconds']:.2f} s, {int(result.stats['accepted_swaps'])} swaps, "
          f"time-limited: {'YES' if result.stats['time_limited'] else 'no'}")
    print(f"   {'metric (shared metrics.py)':<36} {'value':>9} {'floor':>9} {'distance':>9}")
    rows: list[tuple[str, float, float]] = [("size_range", scored["size_range"], floors["size_range"])]
    for s, v in scored["subject_mean_range"].items():
        rows.append((f"subject_mean_range.{s}", v, floors[f"subject_mean_range.{s}"]))
    rows.append(("total_mean_range", scored["total_mean_range"], floors["total_mean_range"]))
    for key in ("male_count_range", "top_quartile_count_range", "bottom_quartile_count_range",
                "special_needs_count_range"):
        rows.append((key, scored[key], floors[key]))
    for key, v, fl in rows:
        flag = "" if v - fl <= 1e-9 else "  <-- above floor"
        print(f"   {key:<36} {v:9.4f} {fl:9.4f} {max(0.0, v - fl):9.4f}{flag}")
    print(f"   {'within_class_sd_range (no floor)':<36} {scored['within_class_sd_range']:9.4f}")
    print(f"   violations: together_groups_split={scored['together_groups_split']} "
          f"apart_groups_clashing={scored['apart_groups_clashing']}")


def run_matching(name: str, folder: Path) -> None:
    t0 = time.perf_counter()
    schools = read_schools(folder / f"match_{name}_schools.csv")
    students = read_applicants(folder / f"match_{name}_students.csv")
    t1 = time.perf_counter()
    result = deferred_acceptance(schools, students)
    t2 = time.perf_counter()
    placed = sum(1 for v in result.values() if v is not None)
    bp = blocking_pairs(schools, students, result)
    cv = capacity_violations(schools, result)
    print(f"\n== {name}: {len(students)} students, {len(schools)} schools  DA {t2 - t1:.3f} s "
          f"(with CSV read {t2 - t0:.3f} s; goal ≤ 0.5 s at 20,000)  placed {placed}, "
          f"blocking pairs {len(bp)}, capacity violations {len(cv)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/bench"), help="folder of the shared scripts")
    ap.add_argument("--seed", default="1", help="seed of our local search")
    ap.add_argument("--only", default="s600,m2000,l20000,da2000,da20000")
    ap.add_argument("--keep", type=Path, help="write inputs and outputs here instead of a temporary folder")
    a = ap.parse_args(argv)
    only = [x.strip() for x in a.only.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="edugov-alloc-") as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for script in ("gen_students.py", "gen_matching.py"):
            subprocess.run([sys.executable, str(a.shared / script), "--preset", "all", "--outdir", str(folder)],
                           check=True, capture_output=True, cwd=a.shared)
        print(f"inputs in {folder} (shared generators, --preset all); python {sys.version.split()[0]}")
        for name in only:
            if name in COHORTS:
                run_cohort(name, folder, a.shared, a.seed)
            elif name.startswith("da"):
                run_matching(name, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
