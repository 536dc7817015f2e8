"""The 控辍保学 ledgers as one Excel workbook: 适龄儿童台账, 疑似辍学台账 and 辍学学生台账 (the three ledgers the
MOE's 2024 notice asks counties to keep), plus every 劝返 contact. Names and ID numbers are unmasked only for units
where the user may see them; the export itself is audited."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from edugov.cases import services
from edugov.cases.models import Case, ContactRecord, DetectionRule, ResidentChild
from edugov.cases.rules import CASE_TYPE, age_on, reference_date
from edugov.core import audit
from edugov.core.choices import AuditAction, Permission
from edugov.core.scoping import scope_for
from edugov.lib.idcard import mask_id, mask_name
from edugov.stats.models import StudentRecord

SHEETS = ("适龄儿童台账", "疑似辍学台账", "辍学学生台账", "劝返记录")
CONFIRMED_STATES = ("persuading", "returned", "resumed", "alternative")


class _Masker:
    def __init__(self, user: Any) -> None:
        self.scope = scope_for(user)

    def full(self, unit_id: int) -> bool:
        return self.scope.can_at(Permission.VIEW_SENSITIVE, unit_id)

    def name(self, value: str, unit_id: int) -> str:
        return value if self.full(unit_id) else mask_name(value)

    def id(self, value: str, unit_id: int) -> str:
        return value if self.full(unit_id) or not value else mask_id(value)


def _sheet(ws: Worksheet, title: str, headers: list[str]) -> None:
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def _day(value: Any) -> str:
    return timezone.localdate(value).isoformat() if value else ""


def dropout_ledgers(user: Any, year: int) -> bytes:
    scope = scope_for(user)
    mask = _Masker(user)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ct = services.case_type(CASE_TYPE)

    _sheet(ws, SHEETS[0], ["序号", "所属地区", "名单来源", "姓名", "身份证号", "出生日期", "9月1日周岁", "学籍情况",
                           "就读学校"])
    children = scope.filter(ResidentChild.objects.filter(year=year), "unit").select_related("unit", "resident_list")
    enrolled = {s.id_number: s.unit.name for s in StudentRecord.objects.filter(
        year=year, id_number__in=[c.id_number for c in children]).select_related("unit")}
    for n, child in enumerate(children.order_by("unit__code", "resident_list_id", "row"), start=1):
        school = enrolled.get(child.id_number, "")
        ws.append([n, child.unit.name, child.resident_list.source, mask.name(child.name, child.unit_id),
                   mask.id(child.id_number, child.unit_id), child.birth_date.isoformat(),
                   age_on(child.birth_date, reference_date(year)), "已有学籍" if school else "未查到学籍", school])

    cases = list(scope.filter(Case.objects.filter(case_type=CASE_TYPE, year=year), "unit")
                 .select_related("unit", "student", "resident_child").order_by("unit__code", "pk"))
    suspected = wb.create_sheet()
    _sheet(suspected, SHEETS[1], ["个案编号", "责任单位", "发现途径", "姓名", "身份证号", "学籍号", "年级", "立案日期",
                                  "当前状态", "办理时限", "是否逾期"])
    today = timezone.localdate()
    for case in cases:
        suspected.append([case.pk, case.unit.name, str(DetectionRule(case.rule).label) if case.rule else "人工立案",
                          mask.name(case.subject_name, case.unit_id), mask.id(case.subject_id_number, case.unit_id),
                          case.student.student_no if case.student else "", case.student.grade if case.student else "",
                          _day(case.opened_at), ct.label_of(case.state),
                          case.due_on.isoformat() if case.due_on else "",
                          "是" if case.is_open and case.due_on and case.due_on < today else "否"])

    confirmed = wb.create_sheet()
    _sheet(confirmed, SHEETS[2], ["个案编号", "责任单位", "姓名", "身份证号", "辍学原因", "劝返次数", "最近劝返日期",
                                  "最近劝返结果", "返校日期", "就读学校", "核验日期", "当前状态", "销号日期"])
    contacts = wb.create_sheet()
    _sheet(contacts, SHEETS[3], ["个案编号", "责任单位", "姓名", "联系日期", "劝返人员", "方式", "联系对象", "结果"])
    for case in cases:
        if case.state not in CONFIRMED_STATES:
            continue
        records = list(ContactRecord.objects.filter(case=case).order_by("contacted_on", "pk"))
        last = records[-1] if records else None
        confirmed.append([case.pk, case.unit.name, mask.name(case.subject_name, case.unit_id),
                          mask.id(case.subject_id_number, case.unit_id), case.data.get("cause", ""), len(records),
                          last.contacted_on.isoformat() if last else "", last.outcome if last else "",
                          case.data.get("return_date", ""), case.data.get("return_school", ""),
                          case.data.get("verified_on", ""), ct.label_of(case.state),
                          _day(case.closed_at) if case.state == "resumed" else ""])
        for record in records:
            contacts.append([case.pk, case.unit.name, mask.name(case.subject_name, case.unit_id),
                             record.contacted_on.isoformat(), record.contacted_by, str(record.get_method_display()),
                             record.contact_person, record.outcome])
    audit.record(actor=user, action=AuditAction.EXPORT, object_type="cases.ledger", object_id=str(year),
                 object_repr=f"控辍保学台账 {year}", message=f"{len(cases)} 件个案")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
