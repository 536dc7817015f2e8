from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edugov.core import services
from edugov.core.choices import Role
from edugov.registry.models import OrgUnit


class Command(BaseCommand):
    help = "创建用户（或为已有用户增加角色）并授予某机构的角色"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role],
                            help="; ".join(f"{r.value}={r.label}" for r in Role))
        parser.add_argument("--unit", required=True, help="机构代码")
        parser.add_argument("--password", help="不填则随机生成并打印")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            unit = OrgUnit.objects.get(code=options["unit"])
        except OrgUnit.DoesNotExist as exc:
            raise CommandError(f"机构代码 {options['unit']} 不存在") from exc
        user, password = services.grant_role(actor=None, username=options["username"], role=options["role"],
                                             unit=unit, password=options["password"])
        self.stdout.write(f"用户 {user.get_username()}：{Role(options['role']).label} @ {unit.name}")
        if password:
            self.stdout.write(f"密码：{password}")
