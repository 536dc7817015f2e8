"""Small inputs for draw tests."""

from __future__ import annotations

from typing import Any

from edugov.allocation import services
from edugov.allocation.engine.runs import seats_parameters, teams_parameters
from edugov.allocation.models import Draw

TEAMS_CSV = ("教师组,成员,回避班级\n"
             "一组,班主任:张三;数学:李四,1\n二组,班主任:王五,\n三组,班主任:赵六;英语:孙七,\n四组,班主任:周八,2\n"
             ).encode()
ROSTER_CSV = ("学号,姓名,前排,不相邻\n" + "".join(
    f"2024{i:03d},学生{i}号,{'是' if i % 9 == 0 else ''},{'A' if i < 2 else ''}\n" for i in range(24))).encode()
SEED = "f3b1c9d2a4e5f60718293a4b5c6d7e8f"


def commit_teams(actor: Any, unit: Any, seed: str | None = SEED, **kwargs: Any) -> Draw:
    return services.commit_draw(actor=actor, org_unit=unit, kind="teams", title="2026级教师组抽签",
                                input_name="教师组.csv", input_bytes=TEAMS_CSV, parameters=teams_parameters(4),
                                seed=seed, **kwargs)


def commit_seats(actor: Any, unit: Any, seed: str | None = SEED) -> Draw:
    return services.commit_draw(actor=actor, org_unit=unit, kind="seats", title="七年级一班座位",
                                input_name="名单.csv", input_bytes=ROSTER_CSV,
                                parameters=seats_parameters(4, 6, periods=3), seed=seed)
