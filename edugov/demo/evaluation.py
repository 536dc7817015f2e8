"""Demo 督导评价: a round of the demo city on the 优质均衡 scheme ``youzhi_junheng_2017_county`` (政府保障程度,
教育质量, 社会认可度 and the 一票否决 items) for all its counties, so the acceptance page shows every state.

The round is opened by the city and filled from the indicator catalogue (G5 班额, G9 培训, G15 随迁子女, Q1 巩固率,
Q2 残疾儿童入学率, wherever the demo data have them). Then, in the self-evaluation stage, with fixed values:

* the **first** county (by code; the county of the demo users) enters every item; 骨干教师占交流轮岗教师的比例
  (G11.2) is 16.5 %, under the 20 %, so it is 未达标 on that item (and on any catalogue item its data fail);
* the **second** county enters every item at a value that meets it, including the catalogue items where its data
  are missing or unmet (the county's own figure, which the city's review will compare): 达标;
* the **third** county has entered only its yes/no items so far: 填报未完成;
* the others have only the catalogue data: open.

Everything is done through the evaluation services as the system, only when the city has no round on the scheme yet,
so re-running the demo adds nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from django.db import transaction

from edugov.evaluation import services
from edugov.evaluation.engine import Scheme
from edugov.evaluation.engine.scheme import BooleanRule, Item, ThresholdRule
from edugov.evaluation.models import DATA_STAGE, EvaluationRound, StageEntry
from edugov.indicators.acceptance import YOUZHI_PARTS_SCHEME
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit

SELF = "self"
NOTE = "示范数据：区县自评"
OVERRIDE_NOTE = "示范数据：区县自评数与指标目录数据不一致，待市级复核"

# Fixed, plausible self-evaluation values of the first county (the one with an unmet item); the items not listed
# here are entered at a value that meets them.
FIRST_COUNTY_VALUES = {"G11.1": "12.4", "G11.2": "16.5", "G12": "100", "G14": "52", "Q4": "5.6", "S1": "87.3",
                       "G7": "6200", "G13.1": "100", "G13.2": "97.2", "Q9.2": "0.12"}
# The second county (fully met) reports these; others just meet the threshold.
SECOND_COUNTY_VALUES = {"G11.1": "11.8", "G11.2": "23.5", "G12": "100", "G14": "55", "Q4": "6.1", "S1": "91.6",
                        "G7": "6500", "G13.1": "100", "G13.2": "98.4", "Q9.2": "0.11", "G3": "0", "G4": "0"}


def meeting_value(rule: ThresholdRule) -> str:
    """The threshold itself, or a hundredth beyond it for a strict comparison: a value that meets the rule."""
    step = {"<": -Fraction(1, 100), ">": Fraction(1, 100)}.get(rule.comparator, Fraction(0))
    value = rule.threshold + step
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def _data_met(rnd: EvaluationRound, unit: OrgUnit, leaf: Item) -> bool:
    entry = StageEntry.objects.filter(round=rnd, unit=unit, stage=DATA_STAGE, code=leaf.code).first()
    return (entry is not None and isinstance(leaf.rule, ThresholdRule)
            and leaf.rule.met(Fraction(entry.value)))


def _self_evaluate(rnd: EvaluationRound, scheme: Scheme, unit: OrgUnit, values: dict[str, str], *,
                   override_data: bool, booleans_only: bool = False) -> None:
    for leaf in scheme.leaves():
        if isinstance(leaf.rule, BooleanRule):
            services.enter(actor=None, rnd=rnd, unit=unit, stage=SELF, code=leaf.code, flag=True, note=NOTE)
            continue
        if booleans_only or not isinstance(leaf.rule, ThresholdRule):
            continue
        has_data = bool(leaf.indicator) and StageEntry.objects.filter(round=rnd, unit=unit, stage=DATA_STAGE,
                                                                      code=leaf.code).exists()
        if has_data and (not override_data or _data_met(rnd, unit, leaf)):
            continue  # the catalogue's figure stands
        services.enter(actor=None, rnd=rnd, unit=unit, stage=SELF, code=leaf.code,
                       value=values.get(leaf.code, meeting_value(leaf.rule)),
                       note=OVERRIDE_NOTE if has_data else NOTE)


def add_demo_evaluation(write: Callable[[str], Any], year: int) -> EvaluationRound | None:
    """Opens and fills the demo city's 优质均衡 round (once) and writes a summary line."""
    city = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code").first()
    if city is None or EvaluationRound.objects.filter(scheme_id=YOUZHI_PARTS_SCHEME, evaluating_unit=city).exists():
        return None
    started = time.monotonic()
    write("开展示范督导评估（优质均衡：政府保障程度、教育质量、社会认可度）…")
    with transaction.atomic():
        rnd = services.create_round(actor=None, evaluating_unit=city, scheme_id=YOUZHI_PARTS_SCHEME, year=year,
                                    evaluated_kind="county", data_year=year,
                                    name=f"{year}年县域义务教育优质均衡发展督导评估（示范）")
        services.fill_from_catalogue(actor=None, rnd=rnd)
        scheme = services.scheme_of(rnd)
        counties = list(rnd.units.order_by("code"))
        if counties:
            _self_evaluate(rnd, scheme, counties[0], FIRST_COUNTY_VALUES, override_data=False)
        if len(counties) > 1:
            _self_evaluate(rnd, scheme, counties[1], SECOND_COUNTY_VALUES, override_data=True)
        if len(counties) > 2:
            _self_evaluate(rnd, scheme, counties[2], {}, override_data=False, booleans_only=True)
    write(f"  {rnd.name}：{len(counties)} 个区县，自评已填 {min(len(counties), 3)} 个，"
          f"用时 {time.monotonic() - started:.1f} 秒")
    return rnd
