from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """What level of the registry a unit is. Schools, kindergartens and 教学点 are told apart by 办学类型代码."""

    CITY = "city", _("市")
    COUNTY = "county", _("区县")
    TOWN = "town", _("镇街")
    ZONE = "zone", _("学区")
    GROUP = "group", _("教育集团")
    SCHOOL = "school", _("学校")
    # A bureau's internal office (基础教育科, 督导室 …): plans name them as the units responsible for tasks.
    DEPARTMENT = "dept", _("内设科室")


# Which kinds may sit under which, in the administrative hierarchy.
ADMIN_PARENT_KINDS: dict[str, frozenset[str]] = {
    UnitKind.CITY: frozenset(),
    UnitKind.COUNTY: frozenset({UnitKind.CITY}),
    UnitKind.TOWN: frozenset({UnitKind.COUNTY}),
    UnitKind.SCHOOL: frozenset({UnitKind.COUNTY, UnitKind.TOWN}),
    UnitKind.ZONE: frozenset({UnitKind.COUNTY, UnitKind.CITY}),
    UnitKind.GROUP: frozenset({UnitKind.COUNTY, UnitKind.CITY}),
    UnitKind.DEPARTMENT: frozenset({UnitKind.COUNTY, UnitKind.CITY}),
}


class HierarchyCode(models.TextChoices):
    ADMIN = "admin", _("行政隶属")
    ZONE = "zone", _("学区")
    GROUP = "group", _("教育集团")


class UnitEventKind(models.TextChoices):
    OPEN = "open", _("设立")
    CLOSE = "close", _("撤销")
    MERGE = "merge", _("合并")
    CHANGE = "change", _("变更")
    MOVE = "move", _("调整隶属")
