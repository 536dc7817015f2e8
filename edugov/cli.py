"""The `edugov` console command: a thin dispatcher onto the project's management commands.

`edugov --data-dir DIR SUBCOMMAND …` sets the data folder before Django starts, so that every subcommand (and the
demo server) uses the same SQLite database and media folder.
"""

from __future__ import annotations

import os
import sys

# subcommand → (management command, one-line description)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "建库、迁移、载入示范城市和示范用户，并启动网页服务（默认 http://127.0.0.1:8000/）"),
    "serve": ("serve", "启动网页服务（不载入示范数据）"),
    "generate": ("generate", "按随机种子生成示范城市数据文件（--scale county|city|province）"),
    "import": ("import_data", "导入 XLSX/CSV 文件或文件夹（全部成功才写入；--dry-run 只校验）"),
    "export": ("export_data", "导出为标准格式的 XLSX 或 CSV 文件夹"),
    "template": ("export_template", "生成导入模板（含代码表）"),
    "rollover": ("rollover", "学年结转：由本学年数据生成下一学年的框架"),
    "createuser": ("create_role_user", "创建用户并授予某机构的角色"),
    "plan": ("", "工作计划：plan extract 文件…（抽取量化目标，--format jsonl|json|xlsx）；"
                 "plan ingest 文件 --unit 代码（入库待审核）；plan escalate（每日督办扫描）"),
    "cases": ("", "个案台账：cases detect --year 学年（按规则发现疑似辍学等个案）；cases escalate（每日超时督办）"),
    "allocate": ("", "分班、抽签与招生匹配：edugov allocate classes|match|teams|seats|verify …"
                     "（见 edugov allocate --help）"),
    "indicators": ("indicators_compute", "指标计算：edugov indicators compute --unit 代码 --year 学年 [--children]"),
    "evaluate": ("evaluate", "评估：edugov evaluate 方案 --unit 代码 --year 学年 [--format json]"
                 "（youzhi_junheng_2017、puji_puhui_2020 或督导评价方案）"),
    "migrate": ("migrate", "执行数据库迁移"),
    "manage": ("", "运行任意 Django 管理命令（edugov manage help 查看）"),
}


def _usage() -> str:
    width = max(len(name) for name in SUBCOMMANDS)
    lines = [
        "用法: edugov [--data-dir 目录] <子命令> [参数…]",
        "",
        "教育治理平台命令行。子命令：",
        *(f"  {name.ljust(width)}  {text}" for name, (_, text) in SUBCOMMANDS.items()),
        "",
        "每个子命令的参数见 edugov <子命令> --help。",
        "环境变量：EDUGOV_DATA_DIR（数据目录，默认 ./data）、DATABASE_URL（如 postgres://user@host:5432/db）。",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--data-dir"] and len(args) >= 2:
        os.environ["EDUGOV_DATA_DIR"] = os.path.abspath(args[1])
        args = args[2:]
    elif args and args[0].startswith("--data-dir="):
        os.environ["EDUGOV_DATA_DIR"] = os.path.abspath(args[0].split("=", 1)[1])
        args = args[1:]
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name == "--version":
        from edugov import __version__

        print(__version__)
        return 0
    if name not in SUBCOMMANDS:
        print(f"未知子命令“{name}”。\n\n{_usage()}", file=sys.stderr)
        return 2
    if name == "plan":
        if rest[:1] == ["extract"]:
            # The extractor is a pure engine: it needs neither Django nor a database.
            from edugov.plans.extract.cli import main as extract_main

            return extract_main(rest[1:])
        if rest[:1] not in (["ingest"], ["escalate"]):
            print("用法: edugov plan extract 文件… [--format jsonl|json|xlsx --out 文件]\n"
                  "      edugov plan ingest 文件 --unit 机构代码 [--year 年度]\n"
                  "      edugov plan escalate [--date YYYY-MM-DD]", file=sys.stderr)
            return 2
        command = f"plan_{rest[0]}"
        rest = rest[1:]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugov.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["edugov", command, *rest])
        return 0
    if name == "cases":
        if rest[:1] not in (["detect"], ["escalate"]):
            print("用法: edugov cases detect --year 学年 [--absence-limit 天数]\n"
                  "      edugov cases escalate [--date YYYY-MM-DD]", file=sys.stderr)
            return 2
        rest = [f"case_{rest[0]}", *rest[1:]]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugov.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["edugov", *rest])
        return 0
    if name == "allocate":
        # Pure, seeded engines: verifiable without a database.
        from edugov.allocation.engine.cli import main as allocate_main

        return allocate_main(rest)
    # `demo` takes its own --data-dir too, which must be known before settings load.
    for index, token in enumerate(rest):
        if token == "--data-dir" and index + 1 < len(rest):
            os.environ["EDUGOV_DATA_DIR"] = os.path.abspath(rest[index + 1])
        elif token.startswith("--data-dir="):
            os.environ["EDUGOV_DATA_DIR"] = os.path.abspath(token.split("=", 1)[1])
    if name == "indicators":
        if rest[:1] != ["compute"]:
            print("用法: edugov indicators compute --unit 代码 --year 学年 [--children] [--format json|text]",
                  file=sys.stderr)
            return 2
        rest = rest[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edugov.settings")
    from django.core.management import execute_from_command_line

    command = SUBCOMMANDS[name][0]
    try:
        execute_from_command_line(["edugov", *([command] if command else []), *rest])
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
