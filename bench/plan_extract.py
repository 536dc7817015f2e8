"""Time plan extraction (targets, then targets + document structure) on the seed plans and on one 200,000-character
plan.

    python bench/plan_extract.py [--seeds DIR] [--chars N] [--repeat R]

Reading is excluded (files are decoded once); what is timed is ``extract_targets`` and ``extract_structure``, best of
R runs, the figure a user waits for after upload. Goal: < 50 ms per 10,000 characters for both together.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edugov.plans.extract import extract_structure, extract_targets, read_plan


def _best_seconds(text: str, name: str, repeat: int) -> tuple[float, float, int, int]:
    """Best time of targets alone and of targets + structure, with the counts found."""
    best_targets = best_both = float("inf")
    found = measures = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = len(extract_targets(text, name))
        t1 = time.perf_counter()
        measures = len(extract_structure(text, name).measures)
        t2 = time.perf_counter()
        best_targets = min(best_targets, t1 - t0)
        best_both = min(best_both, t2 - t0)
    return best_targets, best_both, found, measures


def main(argv: list[str] | None = None) -> int:
    default_seeds = Path(__file__).resolve().parents[1] / "edugov" / "demo" / "seeds"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=default_seeds)
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    docs = [(p.name, read_plan(p)) for p in sorted(args.seeds.glob("*.txt"))]
    if not docs:
        print(f"no seed plans in {args.seeds}")
        return 2
    extract_targets("预热：新建幼儿园1所。", "warmup")  # lexicon loading and regex compilation are one-off
    extract_structure("一、预热\n新建幼儿园1所。", "warmup")
    print(f"{'document':32} {'chars':>8} {'targets':>8} {'measures':>8} {'ms':>8} {'ms/10k':>8} "
          f"{'all ms':>8} {'chars/s':>10} {'ms/10k':>8}")
    rows = list(docs)
    joined = "\n".join(text for _, text in docs)
    big = (joined * (args.chars // len(joined) + 1))[: args.chars]
    rows.append((f"concatenated ({args.chars:,} chars)", big))
    print(f"{'':32} {'':>8} {'':>8} {'':>8} {'targets only':>17} {'targets + structure':>28}")
    for name, text in rows:
        targets_s, both_s, found, measures = _best_seconds(text, name, args.repeat)
        per10k = targets_s * 1000 / (len(text) / 10_000)
        both_per10k = both_s * 1000 / (len(text) / 10_000)
        print(f"{name:32} {len(text):>8,} {found:>8} {measures:>8} {targets_s * 1000:>8.1f} {per10k:>8.1f} "
              f"{both_s * 1000:>8.1f} {len(text) / both_s:>10,.0f} {both_per10k:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
