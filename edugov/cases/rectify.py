"""Rectification of findings (问题整改): a published plan target that is not met, a 普及普惠 / 优质均衡 acceptance
item a county fails, or an item of a 督导评价 round a unit scores badly on (or a veto it triggers) becomes a
`rectification` case for the responsible unit, automatically and idempotently.

Each case names its finding in `finding` (`target:<id>`, `acceptance:<county code>:<year>:<part>:<item>`); the same
finding in the same year never opens a second case, and while a case for a finding is open no other is opened."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from edugov.cases import services
from edugov.cases.models import Case, DetectionRule
from edugov.registry.models import OrgUnit

CASE_TYPE = "rectification"


@dataclass
class RectifyResult:
    opened: list[Case] = field(default_factory=list)
    skipped: int = 0


def _open(result: RectifyResult, *, unit: OrgUnit, year: int, rule: str, subject: str, source: str, finding: str,
          title: str, data: dict[str, Any]) -> None:
    subject, source = subject[:64], source[:64]
    if Case.objects.filter(case_type=CASE_TYPE, source_ref=source).exists() or Case.objects.filter(
            case_type=CASE_TYPE, rule=rule, subject_key=subject, closed_at__isnull=True).exists():
        result.skipped += 1
        return
    result.opened.append(services.open_case(
        actor=None, case_type_code=CASE_TYPE, unit=unit, year=year, title=title[:200], finding=finding[:200],
        rule=rule, subject_key=subject, source_ref=source, data=data))


@transaction.atomic
def open_rectifications_from_targets(year: int, *, targets: Sequence[Any] | None = None) -> RectifyResult:
    """Every published target whose status for its owner in `year` is 未达成 (not_met) opens a rectification case
    at the owner (`finding` = `target:<id>`)."""
    from edugov.plans.progress import target_progress
    from edugov.plans.queries import published_targets

    rows = list(targets if targets is not None else published_targets().filter(owner__isnull=False))
    progress = target_progress(rows, years=[year - 2, year - 1, year])
    result = RectifyResult()
    for target in rows:
        found = progress.get(target.pk)
        if found is None or found.status.status != "not_met" or target.owner is None:
            continue
        status = found.status
        _open(result, unit=target.owner, year=year, rule=DetectionRule.TARGET, subject=f"target:{target.pk}",
              source=f"target:{target.pk}:{year}", finding=f"target:{target.pk}",
              title=_("目标未达成：%(subject)s") % {"subject": target.subject or target.quote[:80]},
              data={"target": target.pk, "quote": target.quote[:300], "indicator": found.indicator_name,
                    "current": _shown(status.current), "gap": _shown(status.gap), "reason": status.reason})
    return result


def _shown(value: Fraction | None) -> str | None:
    """An exact value as the case shows it (rounded half-up to 2 places; never through a binary float)."""
    from edugov.indicators.catalogue.evaluate import display

    return None if value is None else format(display(value, 2), "f")


def _acceptance(county: OrgUnit, year: int) -> Any:
    from edugov.indicators.acceptance import county_acceptance

    return county_acceptance(county, year, [county])[0]


@transaction.atomic
def open_rectifications_from_acceptance(county: OrgUnit, year: int, *,
                                        assess: Callable[[OrgUnit, int], Any] | None = None) -> RectifyResult:
    """Every failing 普及普惠 item and 优质均衡 check of the county in `year` opens a rectification case for the
    county (`finding` = `acceptance:<county code>:<year>:puji|youzhi:<item>`). Items without data are not findings."""
    acceptance = (assess or _acceptance)(county, year)
    result = RectifyResult()
    for item in acceptance.puji.failing:
        _open(result, unit=county, year=year, rule=DetectionRule.ACCEPTANCE,
              subject=f"acceptance:{county.pk}:puji:{item.code}",
              source=f"acceptance:{county.pk}:{year}:puji:{item.code}",
              finding=f"acceptance:{county.code}:{year}:puji:{item.code}",
              title=_("普及普惠未达标：%(name)s") % {"name": item.item.name},
              data={"part": "普及普惠", "item": item.code, "name": item.item.name, "value": item.display,
                    "threshold": item.item.threshold_text})
    for check in acceptance.checks:
        if check.met is not False:
            continue
        key = f"{check.section}:{check.code}"
        _open(result, unit=county, year=year, rule=DetectionRule.ACCEPTANCE,
              subject=f"acceptance:{county.pk}:youzhi:{key}", source=f"acceptance:{county.pk}:{year}:youzhi:{key}",
              finding=f"acceptance:{county.code}:{year}:youzhi:{key}",
              title=_("优质均衡未达标：%(section)s %(name)s") % {"section": check.section, "name": check.name},
              data={"part": "优质均衡", "section": check.section, "item": check.code, "name": check.name,
                    "value": check.display, "threshold": check.threshold, "gaps": list(check.gaps)[:20]})
    return result


# An evaluation item is a finding when the unit scores less than this share of its points (the usual 合格 line).
EVALUATION_FAILING_SHARE = Fraction(3, 5)


def _leaves(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        children = item.get("children") or []
        out.extend(_leaves(children) if children else [item])
    return out


@transaction.atomic
def open_rectifications_from_evaluation(evaluation_round: Any, *,
                                        share: Fraction = EVALUATION_FAILING_SHARE) -> RectifyResult:
    """Every veto a unit triggered, and every scored item where it got less than `share` of the points, opens a
    rectification case for that unit (`finding` = `evaluation:<round>:<unit code>:<item>`). Items excluded for
    missing data are not findings; items with no data that scored 0 are (the unit did not show the work)."""
    result = RectifyResult()
    year = evaluation_round.year
    for stored in evaluation_round.results.select_related("unit"):
        unit = stored.unit
        data = stored.result
        for veto in data.get("vetoes") or []:
            code = str(veto.get("code", ""))
            _open(result, unit=unit, year=year, rule=DetectionRule.EVALUATION,
                  subject=f"evaluation:{evaluation_round.scheme_id}:{unit.pk}:veto:{code}",
                  source=f"evaluation:{evaluation_round.pk}:{unit.pk}:veto:{code}",
                  finding=f"evaluation:{evaluation_round.pk}:{unit.code}:veto:{code}",
                  title=_("督导评价一票否决：%(name)s") % {"name": veto.get("name", code)},
                  data={"round": evaluation_round.pk, "veto": code, "name": veto.get("name", ""),
                        "reason": veto.get("reason", "")})
        for item in _leaves(data.get("items") or []):
            if item.get("excluded"):
                continue
            maximum = Fraction(str(item.get("max_points", "0")))
            points = Fraction(str(item.get("points", "0")))
            if maximum <= 0 or points >= share * maximum:
                continue
            code = str(item.get("code", ""))
            _open(result, unit=unit, year=year, rule=DetectionRule.EVALUATION,
                  subject=f"evaluation:{evaluation_round.scheme_id}:{unit.pk}:{code}",
                  source=f"evaluation:{evaluation_round.pk}:{unit.pk}:{code}",
                  finding=f"evaluation:{evaluation_round.pk}:{unit.code}:{code}",
                  title=_("督导评价失分：%(name)s（%(points)s / %(max)s 分）")
                  % {"name": item.get("name", code), "points": item.get("points"), "max": item.get("max_points")},
                  data={"round": evaluation_round.pk, "item": code, "path": item.get("path", ""),
                        "points": item.get("points"), "max_points": item.get("max_points"),
                        "reason": item.get("reason", "")})
    return result
