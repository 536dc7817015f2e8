"""Command line: ``python -m edugov.plans.extract.cli FILE… [--format jsonl|json]``.

Prints one target per line (jsonl, default) or one JSON array (json). Files that cannot
be read are reported on stderr with their Chinese message; the exit code is 1 then.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .reading import PlanReadError, read_plan
from .targets import extract_targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="edugov plan extract", description="提取工作计划中的量化目标")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--format", choices=("jsonl", "json"), default="jsonl")
    args = parser.parse_args(argv)
    records: list[dict[str, object]] = []
    status = 0
    for name in args.files:
        try:
            text = read_plan(name)
        except PlanReadError as exc:
            sys.stderr.write(f"{name}: {exc.message_zh} ({exc.code})\n")
            status = 1
            continue
        for target in extract_targets(text, Path(name).name):
            rec = target.to_record()
            if args.format == "jsonl":
                sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
            else:
                records.append(rec)
    if args.format == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
