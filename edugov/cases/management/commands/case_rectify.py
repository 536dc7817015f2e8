"""`edugov manage case_rectify --year Y [--county CODE]`: unmet plan targets and failing acceptance items become
rectification cases (idempotent: re-running opens nothing new)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from edugov.cases.rectify import (
    open_rectifications_from_acceptance,
    open_rectifications_from_evaluation,
    open_rectifications_from_targets,
)
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit


class Command(BaseCommand):
    help = ("问题整改：未达成的规划目标、未达标的普及普惠/优质均衡验收指标、督导评价失分和否决项自动立案"
            "（可重复运行，不重复立案）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="学年（如 2025 表示 2025–2026学年）")
        parser.add_argument("--county", help="只评估该区县（单位代码）的验收指标；默认全部区县")
        parser.add_argument("--skip-acceptance", action="store_true", help="只处理规划目标")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        targets = open_rectifications_from_targets(year)
        self.stdout.write(f"规划目标未达成：新立案 {len(targets.opened)} 件（已有 {targets.skipped} 件）")
        from edugov.evaluation.models import EvaluationRound

        for evaluation_round in EvaluationRound.objects.filter(year=year, results__isnull=False).distinct():
            found = open_rectifications_from_evaluation(evaluation_round)
            self.stdout.write(f"督导评价“{evaluation_round}”失分或否决：新立案 {len(found.opened)} 件"
                              f"（已有 {found.skipped} 件）")
        if options["skip_acceptance"]:
            return
        if options["county"]:
            counties = list(OrgUnit.objects.filter(code=options["county"], kind=UnitKind.COUNTY))
            if not counties:
                raise CommandError(f"未找到区县“{options['county']}”")
        else:
            counties = list(OrgUnit.objects.active_at(timezone.localdate()).filter(kind=UnitKind.COUNTY)
                            .order_by("code"))
        for county in counties:
            found = open_rectifications_from_acceptance(county, year)
            self.stdout.write(f"{county.name} 验收指标未达标：新立案 {len(found.opened)} 件（已有 {found.skipped} 件）")
