"""Command line: ``python -m edugov.plans.extract.cli FILE… [--format jsonl|json|xlsx] [--out FILE] [--structure]``.

Prints one target per line (jsonl, default) or one JSON array (json). ``--format xlsx --out FILE.xlsx``
writes a workbook instead (sheet 量化目标 with Chinese headers). ``--structure`` prints the document
structure (metadata, sections, measures) instead of targets: one record per document (one line per
document in jsonl); with xlsx it writes the sheets 文件信息, 章节结构 and 工作举措. Files that cannot be
read are reported on stderr with their Chinese message; the exit code is 1 then (2 for wrong options).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .reading import PlanReadError, read_plan
from .structure import PlanStructure, extract_structure
from .targets import Target, extract_targets

TARGET_COLUMNS = (
    ("文件", "doc"),
    ("原文", "quote"),
    ("指标对象", "subject"),
    ("比较符", "comparator"),
    ("目标值", "value"),
    ("上限", "value_max"),
    ("单位", "unit"),
    ("口径", "per"),
    ("时限", "deadline"),
    ("范围", "scope"),
    ("类型", "kind"),
    ("关联指标", "indicator"),
    ("置信度", "confidence"),
    ("起", "start"),
    ("止", "end"),
)
INFO_COLUMNS = (
    ("文件", "doc"),
    ("标题", "title"),
    ("发布机构", "issuer"),
    ("发文日期", "issued_on"),
    ("文号", "doc_number"),
    ("年度", "year"),
)
SECTION_COLUMNS = (
    ("文件", "doc"),
    ("序号", "index"),
    ("上级", "parent"),
    ("层级", "level"),
    ("编号", "label"),
    ("标题", "title"),
    ("起", "start"),
    ("止", "body_end"),
)
MEASURE_COLUMNS = (
    ("文件", "doc"),
    ("序号", "index"),
    ("所属章节", "section"),
    ("原文", "quote"),
    ("责任单位", "lead_units"),
    ("配合单位", "co_units"),
    ("完成时限", "deadline"),
    ("时限原文", "deadline_quote"),
    ("起", "start"),
    ("止", "end"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="edugov plan extract", description="提取工作计划中的量化目标和文件结构")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--format", choices=("jsonl", "json", "xlsx"), default="jsonl")
    parser.add_argument("--out", metavar="FILE.xlsx", help="xlsx 输出文件（--format xlsx 时必填）")
    parser.add_argument("--structure", action="store_true", help="输出文件结构（标题、章节、工作举措）而不是量化目标")
    args = parser.parse_args(argv)
    if args.format == "xlsx" and not args.out:
        sys.stderr.write("错误：--format xlsx 需要用 --out 指定输出文件，例如 --out 结果.xlsx\n")
        return 2
    targets: list[Target] = []
    structures: list[PlanStructure] = []
    status = 0
    for name in args.files:
        try:
            text = read_plan(name)
        except PlanReadError as exc:
            sys.stderr.write(f"{name}: {exc.message_zh} ({exc.code})\n")
            status = 1
            continue
        doc = Path(name).name
        if args.structure:
            structure = extract_structure(text, doc)
            if args.format == "jsonl":
                sys.stdout.write(json.dumps(structure.to_record(), ensure_ascii=False) + "\n")
            structures.append(structure)
            continue
        for target in extract_targets(text, doc):
            if args.format == "jsonl":
                sys.stdout.write(json.dumps(target.to_record(), ensure_ascii=False) + "\n")
            targets.append(target)
    if args.format == "json":
        records = [x.to_record() for x in structures] if args.structure else [t.to_record() for t in targets]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "xlsx":
        try:
            if args.structure:
                write_structure_xlsx(structures, Path(args.out))
            else:
                write_targets_xlsx(targets, Path(args.out))
        except OSError as exc:
            sys.stderr.write(f"无法写入 {args.out}：{exc.strerror or exc}\n")
            return 1
    return status


def _cell(value: Any) -> Any:
    """Lists become 、-joined text; everything else is written as is (None stays empty)."""
    return "、".join(value) if isinstance(value, list) else value


def _sheet(wb: Any, title: str, columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.append([zh for zh, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([_cell(row.get(key)) for _, key in columns])


def write_targets_xlsx(targets: list[Target], out: Path) -> None:
    """One sheet 量化目标: a Chinese header row, then one row per target."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "量化目标", TARGET_COLUMNS, [t.to_record() for t in targets])
    wb.save(out)


def write_structure_xlsx(structures: list[PlanStructure], out: Path) -> None:
    """Sheets 文件信息 (one row per document), 章节结构 and 工作举措."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    records = [x.to_record() for x in structures]
    _sheet(wb, "文件信息", INFO_COLUMNS, [{"doc": r["doc"], **r["info"]} for r in records])
    _sheet(wb, "章节结构", SECTION_COLUMNS, [{"doc": r["doc"], **sec} for r in records for sec in r["sections"]])
    _sheet(wb, "工作举措", MEASURE_COLUMNS, [{"doc": r["doc"], **m} for r in records for m in r["measures"]])
    wb.save(out)


if __name__ == "__main__":
    sys.exit(main())
