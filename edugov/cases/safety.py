"""Campus safety (校园安全): inspections of schools, the hazards they find (cases of type `hazard`: 下达整改 with
owner and deadline → 整改完成 with evidence → the county's verification → 销号), the 回头看 scheduled after a hazard
is closed, the hazard ledger (Excel) and the per-school summary by severity."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from edugov.cases import queries, services
from edugov.cases.models import Case, Inspection, InspectionKind
from edugov.cases.services import CaseInputError, UploadedFile
from edugov.core import audit
from edugov.core.audit import Actor
from edugov.core.choices import AuditAction
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit

CASE_TYPE = "hazard"
CATEGORIES = ("消防安全", "校舍建筑", "用电用气", "食品卫生", "实验室与危化品", "交通安全", "防溺水", "校园周边",
              "设施设备", "其他")
SEVERITIES = ("一般", "较大", "重大")


@transaction.atomic
def record_inspection(*, actor: Actor, school: OrgUnit, inspected_on: dt.date, inspector: str, kind: str,
                      note: str = "", follows: Case | None = None) -> Inspection:
    services._require_edit(actor, school.pk, _("您无权登记“%(unit)s”的安全检查。") % {"unit": school.name})
    if school.kind != UnitKind.SCHOOL:
        raise CaseInputError(_("安全检查的对象应为学校。"))
    if kind not in InspectionKind.values:
        raise CaseInputError(_("未知的检查类型：%(kind)s") % {"kind": kind})
    if inspected_on > timezone.localdate():
        raise CaseInputError(_("检查日期不能晚于今天。"))
    if not inspector.strip():
        raise CaseInputError(_("请填写检查人。"))
    inspection = Inspection.objects.create(school=school, inspected_on=inspected_on, inspector=inspector.strip(),
                                           kind=kind, note=note.strip(), follows=follows,
                                           recorded_by=services._user(actor))
    audit.record(actor=actor, action=AuditAction.CREATE, obj=inspection, org_unit_id=school.pk,
                 after={"on": inspected_on.isoformat(), "kind": kind, "follows": follows.pk if follows else None})
    return inspection


@transaction.atomic
def report_hazard(*, actor: Actor, inspection: Inspection, place: str, category: str, severity: str,
                  description: str, photos: Sequence[UploadedFile] = ()) -> Case:
    """A hazard found in an inspection: a case at the school, with the place, category, severity and photos."""
    problems = []
    if not place.strip():
        problems.append(_("请填写隐患部位（地点）。"))
    if category not in CATEGORIES:
        problems.append(_("隐患类别只能是：%(c)s") % {"c": "、".join(CATEGORIES)})
    if severity not in SEVERITIES:
        problems.append(_("隐患等级只能是：%(c)s") % {"c": "、".join(SEVERITIES)})
    if not description.strip():
        problems.append(_("请填写隐患描述。"))
    if problems:
        raise CaseInputError(problems)
    school = inspection.school
    return services.open_case(
        actor=actor, case_type_code=CASE_TYPE, unit=school, school=school, inspection=inspection,
        year=inspection.inspected_on.year, title=_("%(category)s隐患：%(place)s") % {"category": category,
                                                                                  "place": place.strip()},
        source_ref=f"inspection:{inspection.pk}",
        data={"place": place.strip(), "category": category, "severity": severity, "description": description.strip(),
              "found_on": inspection.inspected_on.isoformat()},
        evidence=photos)


@transaction.atomic
def record_reinspection(*, actor: Actor, case: Case, inspected_on: dt.date, inspector: str,
                        note: str = "") -> Inspection:
    """The 回头看 of a closed hazard: an inspection of kind 回头看 linked to it; the follow-up is then done. A hazard
    found again is reported as a new hazard of this inspection."""
    case = Case.objects.select_related("unit").get(pk=case.pk)
    if case.case_type != CASE_TYPE or case.follow_up_on is None:
        raise CaseInputError(_("该个案没有待办的回头看。"))
    if case.follow_up_done_on is not None:
        raise CaseInputError(_("该隐患的回头看已于 %(on)s 完成。") % {"on": case.follow_up_done_on.isoformat()})
    school = case.school or case.unit
    inspection = record_inspection(actor=actor, school=school, inspected_on=inspected_on, inspector=inspector,
                                   kind=InspectionKind.REINSPECTION, note=note, follows=case)
    Case.objects.filter(pk=case.pk).update(follow_up_done_on=inspected_on)
    return inspection


def hazards_for(user: Any) -> QuerySet[Case]:
    return queries.cases_for(user).filter(case_type=CASE_TYPE).select_related("inspection")


def reinspections_due(cases: QuerySet[Case], today: dt.date, *, within_days: int = 0) -> QuerySet[Case]:
    """Closed hazards whose 回头看 falls due by `today + within_days` and has not been done."""
    return cases.filter(case_type=CASE_TYPE, follow_up_on__isnull=False, follow_up_done_on__isnull=True,
                        follow_up_on__lte=today + dt.timedelta(days=within_days)).order_by("follow_up_on", "pk")


def by_school(cases: QuerySet[Case], today: dt.date) -> list[dict[str, Any]]:
    """Per school: open hazards by severity, overdue ones, all hazards, and 回头看 due."""
    rows: dict[int, dict[str, Any]] = {}
    for case in cases.filter(case_type=CASE_TYPE).select_related("school", "unit").order_by():
        school = case.school or case.unit
        row = rows.setdefault(school.pk, {"school": school, "open": dict.fromkeys(SEVERITIES, 0), "open_total": 0,
                                          "overdue": 0, "total": 0, "reinspect_due": 0})
        row["total"] += 1
        if case.is_open:
            row["open"][case.data.get("severity", "一般")] = row["open"].get(case.data.get("severity", "一般"), 0) + 1
            row["open_total"] += 1
            if case.due_on and case.due_on < today:
                row["overdue"] += 1
        elif case.follow_up_on and case.follow_up_done_on is None and case.follow_up_on <= today:
            row["reinspect_due"] += 1
    out = sorted(rows.values(), key=lambda r: (-r["open"]["重大"], -r["open_total"], r["school"].code))
    for row in out:
        row["open_list"] = [row["open"][s] for s in SEVERITIES]
    return out


LEDGER_HEADERS = ["个案编号", "学校", "检查日期", "检查类型", "检查人", "隐患部位", "隐患类别", "隐患等级", "隐患描述",
                  "整改责任单位", "整改责任人", "整改时限", "整改措施", "完成日期", "核验日期", "当前状态", "是否逾期",
                  "销号日期", "回头看日期", "回头看完成"]


def hazard_ledger(user: Any, *, year: int | None = None) -> bytes:
    """隐患台账: every hazard in the user's scope (optionally of one calendar year), one row each; audited."""
    cases = hazards_for(user).select_related("school", "unit", "inspection").order_by("school__code", "pk")
    if year is not None:
        cases = cases.filter(Q(year=year))
    ct = services.case_type(CASE_TYPE)
    today = timezone.localdate()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "隐患台账"
    ws.append(LEDGER_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    count = 0
    for case in cases:
        count += 1
        d, insp = case.data, case.inspection
        ws.append([case.pk, (case.school or case.unit).name, insp.inspected_on.isoformat() if insp else "",
                   str(insp.get_kind_display()) if insp else "", insp.inspector if insp else "", d.get("place", ""),
                   d.get("category", ""), d.get("severity", ""), d.get("description", ""), d.get("owner_unit", ""),
                   d.get("owner", ""), d.get("deadline", ""), d.get("measures", ""), d.get("done_on", ""),
                   d.get("verified_on", ""), ct.label_of(case.state),
                   "是" if case.is_open and case.due_on and case.due_on < today else "否",
                   timezone.localdate(case.closed_at).isoformat() if case.state == "closed" and case.closed_at else "",
                   case.follow_up_on.isoformat() if case.follow_up_on else "",
                   case.follow_up_done_on.isoformat() if case.follow_up_done_on else ""])
    audit.record(actor=user, action=AuditAction.EXPORT, object_type="cases.hazard_ledger",
                 object_id=str(year or "all"), object_repr=f"校园安全隐患台账 {year or ''}".strip(),
                 message=f"{count} 项隐患")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
