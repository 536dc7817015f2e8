"""Demo plans: the five seed work plans published as ledgers of the demo city, with a year's worth of progress.

What a bureau's staff would do by hand is done here by rule, deterministically: the city's offices are opened,
each measure the plan does not assign goes to the office whose field its wording names (the routing table below),
measures addressed to "各区县" get every county as co-operating units, everything is accepted and published, and the
owners report progress. Plans of past years are mostly done; what is not is overdue and raised as 督办.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from edugov.plans import services
from edugov.plans.models import Measure, Plan, ReviewStatus, Task, TaskStatus
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.registry.queries import children
from edugov.registry.services import open_unit

SEEDS = Path(__file__).parent / "seeds"
# Names a bureau would give the two seeds that are news reports without a document title of their own.
TITLES = {
    "000_9833a55b2343da05.txt": "2020年济南教育工作会议部署",
    "004_a951aad1f741d909.txt": "2021年大庆教育工作部署",
}

# A city bureau's offices (内设科室) and the words that send a measure to each; the first match wins.
OFFICES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("01", "学前教育科", ("学前", "幼儿园", "入园", "普惠")),
    ("02", "教师工作科", ("教师", "校长", "师德", "培训", "职称", "编制")),
    ("03", "体育卫生与艺术教育科", ("体育", "近视", "健康", "艺术", "美育", "卫生", "劳动")),
    ("04", "安全稳定科", ("安全", "防溺水", "隐患", "校园欺凌", "食品")),
    ("05", "职业与成人教育科", ("职业", "职教", "中职", "技能", "社区教育", "老年")),
    ("06", "计划财务科", ("经费", "资助", "投入", "建设", "新建", "改扩建", "学位")),
    ("07", "教育督导室", ("督导", "评估", "督学", "验收", "考核")),
    ("08", "教学研究室", ("教研", "课程", "课堂", "教学质量", "质量监测")),
    ("09", "基础教育科", ("义务教育", "高中", "招生", "入学", "课后服务", "减负", "双减", "特殊教育")),
    ("10", "办公室", ()),
)
_ALL_COUNTIES_WORDS = ("各区县", "各县区", "各县市区", "各区市", "各县（市、区）", "各区（市）", "各县市", "各學校",
                       "各学校", "各镇", "各鎮")
# Work done where the schools are: a county leads it (chosen by lot), the office that routed it co-operates.
_LOCAL_WORDS = ("镇", "鎮", "乡村", "鄉村", "农村", "農村", "学区", "學區", "教学点", "教學點", "课后服务", "課後服務")
# Offices whose work every county carries out in its own schools.
_COUNTY_FIELDS = frozenset({"学前教育科", "基础教育科", "安全稳定科", "计划财务科"})


def _offices(city: OrgUnit) -> dict[str, OrgUnit]:
    existing = {u.name: u for u in OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, code__startswith=city.code)}
    offices: dict[str, OrgUnit] = {}
    for suffix, name, _words in OFFICES:
        unit = existing.get(name)
        if unit is None:
            unit = open_unit(actor=None, code=f"{city.code}-{suffix}", kind=UnitKind.DEPARTMENT, name=name,
                             parent=city)
        offices[name] = unit
    return offices


def _route(text: str, offices: dict[str, OrgUnit]) -> OrgUnit:
    for _suffix, name, words in OFFICES:
        if any(word in text for word in words):
            return offices[name]
    return offices["办公室"]


def _draw(*parts: object) -> int:
    """A stable number in 0..99 from the parts (the demo's progress must be the same on every machine)."""
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8")) % 100


@transaction.atomic
def publish_seed_plans(city: OrgUnit, *, default_year: int, today: dt.date | None = None) -> list[Plan]:
    """Ingests, reviews and publishes every seed plan for the city; records progress and runs the 督办 sweep."""
    today = today or timezone.localdate()
    offices = _offices(city)
    counties = [unit for unit in children(city) if unit.kind == UnitKind.COUNTY]
    plans: list[Plan] = []
    for path in sorted(SEEDS.glob("*.txt")):
        document = services.UploadedDocument(name=path.name, data=path.read_bytes())
        title = TITLES.get(path.name, "")
        try:
            version = services.ingest_plan(actor=None, unit=city, document=document, title=title)
        except services.PlanInputError:
            version = services.ingest_plan(actor=None, unit=city, document=document, year=default_year, title=title)
        for measure in version.measures.order_by("start"):
            _review(measure, offices, counties)
        services.accept_pending(actor=None, version=version)
        services.publish_version(actor=None, version=version)
        _report(version.plan, today)
        plans.append(version.plan)
    services.escalate_overdue(today=today)
    _register_targets(counties, default_year)
    return plans


def _register_targets(counties: list[OrgUnit], year: int) -> None:
    """Two targets the first county registers outside the plans (登记目标), so the targets page shows both kinds."""
    if not counties:
        return
    county = counties[0]
    services.enter_target(actor=None, owner=county, indicator_code="myopia_rate", comparator="<=", value="50",
                          deadline_year=year + 2, note="近视率每年下降不低于1个百分点")
    services.enter_target(actor=None, owner=county, indicator_code="large_class", comparator="zero", value=None,
                          deadline_year=year + 1)


def _review(measure: Measure, offices: dict[str, OrgUnit], counties: list[OrgUnit]) -> None:
    office = _route(measure.content, offices)
    named = list(measure.lead_units.all())
    leads = named or [office]
    co = list(measure.co_units.all())
    if counties and not named and any(word in measure.quote for word in _LOCAL_WORDS):
        leads = [counties[_draw(measure.quote) % len(counties)]]
        co.append(office)
    elif any(word in measure.quote for word in _ALL_COUNTIES_WORDS) or office.name in _COUNTY_FIELDS:
        co += counties
    services.review_measure(actor=None, measure=measure, status=ReviewStatus.ACCEPTED, lead_units=leads,
                            co_units=co)


def _report(plan: Plan, today: dt.date) -> None:
    """Progress as the owners would have reported it by today."""
    for task in plan.tasks.select_related("lead_unit").order_by("number"):
        due = task.deadline or dt.date(plan.year, 12, 31)
        roll = _draw(plan.year, task.number, task.content[:20])
        if due < today:
            # A past year's work: most done, some lagging (these become overdue 督办).
            if roll < 88:
                _done(task, due)
            elif roll < 96:
                services.report_progress(actor=None, task=task, progress=40 + roll % 50,
                                         status=TaskStatus.IN_PROGRESS,
                                         text="已完成方案制定和部分实施，受项目审批影响尚未完成。", today=due)
        elif roll < 60:
            services.report_progress(actor=None, task=task, progress=10 + roll % 80, status=TaskStatus.IN_PROGRESS,
                                     text="已制定工作方案，明确责任人和时间节点，正在按计划推进。", today=today)


def _done(task: Task, due: dt.date) -> None:
    services.report_progress(actor=None, task=task, progress=100, status=TaskStatus.DONE,
                             text="已按计划完成，相关材料已归档。", today=due)
