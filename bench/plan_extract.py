"""Time quantitative-target extraction on the seed plans and on one 200,000-character plan.

    python bench/plan_extract.py [--seeds DIR] [--chars N] [--repeat R]

Reading is excluded (files are decoded once); what is timed is ``extract_targets`` alone,
best of R runs, the figure a user waits for after upload. Goal: < 50 ms per 10,000 characters.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edugov.plans.extract import extract_targets, read_plan


def _best_seconds(text: str, name: str, repeat: int) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = len(extract_targets(text, name))
        best = min(best, time.perf_counter() - t0)
    return best, found


def main(argv: list[str] | None = None) -> int:
    default_seeds = Path(__file__).resolve().parents[2] / "shared" / "gold" / "seeds"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=default_seeds)
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    docs = [(p.name, read_plan(p)) for p in sorted(args.seeds.iterdir()) if p.is_file()]
    if not docs:
        print(f"no seed plans in {args.seeds}")
        return 2
    extract_targets("预热：新建幼儿园1所。", "warmup")  # lexicon loading and regex compilation are one-off
    print(f"{'document':32} {'chars':>8} {'targets':>8} {'ms':>8} {'chars/s':>10} {'ms/10k':>8}")
    rows = list(docs)
    joined = "\n".join(text for _, text in docs)
    big = (joined * (args.chars // len(joined) + 1))[: args.chars]
    rows.append((f"concatenated ({args.chars:,} chars)", big))
    for name, text in rows:
        seconds, found = _best_seconds(text, name, args.repeat)
        per10k = seconds * 1000 / (len(text) / 10_000)
        rate = len(text) / seconds
        print(f"{name:32} {len(text):>8,} {found:>8} {seconds * 1000:>8.1f} {rate:>10,.0f} {per10k:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
