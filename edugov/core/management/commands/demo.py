"""`edugov demo`: one command from a fresh checkout to a browsable demo city.

Creates the SQLite database in the data folder, migrates, generates and imports the demo city (only the first time),
creates one demo user per role, and serves the site. Re-running reuses the data and prints the same users again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from edugov.core import services
from edugov.core.choices import Role
from edugov.core.management.commands.serve import serve
from edugov.demo.cases import add_demo_cases
from edugov.demo.evaluation import add_demo_evaluation
from edugov.demo.placement import add_demo_placement
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit

DEMO_SEED = 20240901
DEMO_YEAR = 2024


class Command(BaseCommand):
    help = "建库、迁移、载入示范城市和示范用户，并启动网页服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--data-dir", help="数据目录（默认 ./data）")
        parser.add_argument("--scale", default="city", choices=["county", "city"], help="示范数据规模")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网页服务")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.DATA_DIR)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"数据目录：{data_dir}")
        call_command("migrate", interactive=False, verbosity=0)
        if OrgUnit.objects.exists():
            self.stdout.write("已有数据，直接使用（删除数据目录可重新生成）。")
        else:
            self._load_demo_city(data_dir, options["scale"])
        self._load_demo_plans()
        add_demo_placement(self.stdout.write, DEMO_YEAR)
        add_demo_cases(self.stdout.write, DEMO_YEAR)
        add_demo_evaluation(self.stdout.write, DEMO_YEAR)
        users = self._demo_users(data_dir)
        self.stdout.write("\n示范用户（用户名 / 密码 / 角色 @ 机构）：")
        for row in users:
            self.stdout.write(f"  {row['username']:<10} {row['password']:<14} {row['label']}")
        if options["no_serve"]:
            return
        self.stdout.write("")
        serve(options["host"], options["port"], self.stdout)

    def _load_demo_city(self, data_dir: Path, scale: str) -> None:
        from edugov.dataio.services import import_path
        from edugov.demo.generator import generate

        source = data_dir / "demo-source"
        started = time.monotonic()
        self.stdout.write(f"生成示范城市（规模 {scale}，种子 {DEMO_SEED}）…")
        summary = generate(source, seed=DEMO_SEED, scale=scale, year=DEMO_YEAR, fmt="csv")
        for line in summary.lines_zh():
            self.stdout.write(f"  {line}")
        self.stdout.write("导入示范数据（全部校验通过才写入）…")
        result = import_path(source, actor=None)
        if not result.ok:
            for error in result.errors[:20]:
                self.stderr.write(str(error))
            raise CommandError("示范数据导入失败")
        self.stdout.write(f"  完成，用时 {time.monotonic() - started:.0f} 秒")

    def _load_demo_plans(self) -> None:
        """The five seed work plans, published as the demo city's ledgers (once; reruns keep what users did)."""
        from edugov.demo.plans import publish_seed_plans
        from edugov.plans.models import Plan

        if Plan.objects.exists():
            return
        city = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code").first()
        if city is None:
            raise CommandError("示范数据中没有市级机构")
        started = time.monotonic()
        self.stdout.write("载入五份示范工作计划并发布任务台账…")
        for plan in publish_seed_plans(city, default_year=DEMO_YEAR):
            self.stdout.write(f"  {plan.year} {plan.title}：任务 {plan.tasks.count()} 项")
        self.stdout.write(f"  完成，用时 {time.monotonic() - started:.0f} 秒")

    @transaction.atomic
    def _demo_users(self, data_dir: Path) -> list[dict[str, str]]:
        users_file = data_dir / "demo-users.json"
        if users_file.exists():
            rows: list[dict[str, str]] = json.loads(users_file.read_text(encoding="utf-8"))
            if any(r["username"] == "xinli" for r in rows) and all(
                    get_user_model().objects.filter(username=r["username"]).exists() for r in rows):
                return rows
        city = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code").first()
        county = OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code").first()
        if city is None or county is None:
            raise CommandError("示范数据中没有市级或区县机构")
        from edugov.core.scoping import descendant_ids

        school = (OrgUnit.objects.filter(kind=UnitKind.SCHOOL, pk__in=descendant_ids([county.pk]),
                                         versions__school_type_code="211", closed_on__isnull=True)
                  .order_by("code").first())
        if school is None:
            raise CommandError("示范数据中没有小学")
        plan = [
            ("shiju", Role.CITY_ADMIN, city),
            ("quxian", Role.DISTRICT_ADMIN, county),
            ("xiaozhang", Role.SCHOOL_ADMIN, school),
            ("duxue", Role.INSPECTOR, city),
            ("chakan", Role.VIEWER, county),
            ("xinli", Role.COUNSELLOR, county),
        ]
        rows = []
        for username, role, unit in plan:
            _, password = services.grant_role(actor=None, username=username, role=role, unit=unit,
                                              password=services.new_password())
            rows.append({"username": username, "password": password or "", "label": f"{role.label} @ {unit.name}"})
        admin_password = services.new_password()
        admin, _ = get_user_model().objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.set_password(admin_password)
        admin.save()
        rows.append({"username": "admin", "password": admin_password, "label": "系统管理员（管理后台）"})
        users_file.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
        return rows
