"""The uploads the 控辍保学 rules read, as files: reading a CSV / XLSX sheet with its row numbers, the 户籍 list's
optional 出生日期 column, a school's roster (学籍号) and a file of absences (学籍号, 起始日期, 天数).

Every import is all or nothing: each problem is reported as "第N行…" with the sheet row (the header is row 1), and
nothing is written while one remains. The writes themselves go through `services` (record_absence, record_roster,
import_resident_list), which check the user's scope and audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugov.cases import services
from edugov.cases.models import Absence, ResidentList, RosterUpload
from edugov.cases.services import CaseInputError
from edugov.core.audit import Actor
from edugov.core.choices import Permission
from edugov.core.scoping import scope_for, scope_ids
from edugov.lib.idcard import validate_id
from edugov.lib.text import clean_cell, normalize_header
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.stats.models import StudentRecord

FIRST_ROW = 2  # the sheet row of the first data row (row 1 is the header)


def _cell(value: Any) -> Any:
    """A cell as the importers want it: dates stay dates, whole numbers (an ID number typed as a number in Excel)
    lose their ".0", everything else is cleaned text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_cell(str(value))


def read_sheet(file_name: str, data: bytes, *, required: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The data rows of an uploaded CSV (UTF-8 or GB18030) or XLSX file as {header: cell}, one dict per sheet row
    from row 2 on (blank rows included, so list index + 2 is the sheet row). Missing required columns are refused."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # any unreadable workbook is the user's file, not our bug
            raise CaseInputError(_("无法读取该 Excel 文件，请另存为 .xlsx 后重试。")) from exc
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CaseInputError(_("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK。"))
        values = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise CaseInputError(_("请上传 .xlsx 或 .csv 文件。"))
    if not values:
        raise CaseInputError(_("文件为空。"))
    headers = [normalize_header(str(h or "")) for h in values[0]]
    missing = [column for column in required if column not in headers]
    if missing:
        raise CaseInputError(_("第1行缺少列：%(cols)s") % {"cols": "、".join(missing)})
    return [{h: _cell(v) for h, v in zip(headers, row, strict=False) if h} for row in values[1:]]


def _blank(row: Mapping[str, Any]) -> bool:
    return not any(str(v).strip() for v in row.values())


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = clean_cell(str(value or "")).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time of day)
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------------------------------------------------
# 户籍 / population list


@transaction.atomic
def import_residents(*, actor: Actor, unit: OrgUnit, year: int, source: str, rows: Sequence[Mapping[str, Any]],
                     file_name: str = "") -> ResidentList:
    """A 户籍 list through `services.import_resident_list`, with the optional 出生日期 column checked against the ID
    number (a date that is not a date, or that differs from the one in the ID, is a row error). All or nothing: the
    date problems and the service's own are reported together."""
    problems: list[str] = []
    clean: list[dict[str, str]] = []
    for offset, raw in enumerate(rows):
        row = FIRST_ROW + offset
        clean.append({k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in raw.items()
                      if k != "出生日期"})
        value = raw.get("出生日期", "")
        if _blank(raw) or value in ("", None):
            continue
        birth = parse_date(value)
        if birth is None:
            problems.append(_("第%(row)s行“出生日期”列：“%(v)s”不是有效日期，请填写如 2015-03-01")
                            % {"row": row, "v": value})
            continue
        check = validate_id(str(raw.get("身份证号", "")))
        if check.ok and check.birth_date is not None and check.birth_date != birth:
            problems.append(_("第%(row)s行“出生日期”列：%(birth)s 与身份证号中的出生日期 %(id_birth)s 不符")
                            % {"row": row, "birth": birth.isoformat(), "id_birth": check.birth_date.isoformat()})
    try:
        with transaction.atomic():
            resident_list = services.import_resident_list(actor=actor, unit=unit, year=year, source=source,
                                                          rows=clean, file_name=file_name, first_row=FIRST_ROW)
            if problems:
                raise CaseInputError(problems)
    except CaseInputError as exc:
        found = [m for m in exc.messages if m not in problems]
        raise CaseInputError(sorted(set(found + problems), key=_row_order)) from exc
    return resident_list


def _row_order(message: str) -> tuple[int, str]:
    digits = ""
    if message.startswith("第"):
        for char in message[1:]:
            if not char.isdigit():
                break
            digits += char
    return (int(digits) if digits else 10**9, message)


# --------------------------------------------------------------------------------------------------------------------
# A school's roster


@transaction.atomic
def import_roster(*, actor: Actor, school: OrgUnit, year: int, checked_on: dt.date,
                  rows: Sequence[Mapping[str, Any]]) -> RosterUpload:
    """A school's roster of pupils present (a 学籍号 column). Refused with their rows: a 学籍号 that is not a 学籍 of
    that school and year, a 学籍号 twice, a date in the future."""
    if actor is not None and not scope_for(actor).can_at(Permission.EDIT, school.pk):
        raise CaseInputError(_("“%(unit)s”不在您的管辖范围内，不能上传其在校生名册。") % {"unit": school.name})
    if school.kind != UnitKind.SCHOOL:
        raise CaseInputError(_("在校生名册只能由学校上传，“%(unit)s”不是学校。") % {"unit": school.name})
    problems: list[str] = []
    if checked_on > timezone.localdate():
        problems.append(_("点名日期不能晚于今天。"))
    known = set(StudentRecord.objects.filter(year=year, unit=school).values_list("student_no", flat=True))
    numbers: list[str] = []
    rows_of: dict[str, list[int]] = {}
    for offset, raw in enumerate(rows):
        row = FIRST_ROW + offset
        number = str(raw.get("学籍号", "")).strip()
        if not number:
            if not _blank(raw):
                problems.append(_("第%(row)s行“学籍号”列：缺少学籍号") % {"row": row})
            continue
        rows_of.setdefault(number, []).append(row)
        if len(rows_of[number]) > 1:
            continue
        if number not in known:
            problems.append(_("第%(row)s行“学籍号”列：%(no)s 不是本校 %(year)s 学年的学籍")
                            % {"row": row, "no": number, "year": year})
            continue
        numbers.append(number)
    problems += [_("学籍号 %(no)s 在第 %(rows)s 行重复") % {"no": no, "rows": "、".join(map(str, found))}
                 for no, found in rows_of.items() if len(found) > 1]
    if not rows_of and not problems:
        problems.append(_("名册为空：请每行填写一个学籍号。"))
    if problems:
        raise CaseInputError(problems)
    return services.record_roster(actor=actor, school=school, year=year, checked_on=checked_on, student_nos=numbers)


# --------------------------------------------------------------------------------------------------------------------
# Absences


@transaction.atomic
def import_absences(*, actor: Actor, unit: OrgUnit, year: int, rows: Sequence[Mapping[str, Any]]) -> list[Absence]:
    """Runs of consecutive absence (学籍号, 起始日期, 天数) of pupils of the unit's subtree in the year. Refused with
    their rows: an unknown 学籍号, a bad or future date, a day count that is not a whole number from 1 to 366, the same
    pupil and start date twice."""
    if actor is not None and not scope_for(actor).can_at(Permission.EDIT, unit.pk):
        raise CaseInputError(_("“%(unit)s”不在您的管辖范围内，不能导入其缺课记录。") % {"unit": unit.name})
    pupils = {s.student_no: s for s in StudentRecord.objects.filter(year=year, unit_id__in=scope_ids([unit.pk]))}
    today = timezone.localdate()
    problems: list[str] = []
    parsed: list[tuple[StudentRecord, dt.date, int]] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for offset, raw in enumerate(rows):
        row = FIRST_ROW + offset
        if _blank(raw):
            continue
        here: list[str] = []
        number = str(raw.get("学籍号", "")).strip()
        student = pupils.get(number)
        if not number:
            here.append(_("“学籍号”列：缺少学籍号"))
        elif student is None:
            here.append(_("“学籍号”列：%(no)s 不是%(unit)s %(year)s 学年的学籍")
                        % {"no": number, "unit": unit.name, "year": year})
        start = parse_date(raw.get("起始日期", ""))
        if start is None:
            here.append(_("“起始日期”列：“%(v)s”不是有效日期，请填写如 2024-10-08") % {"v": raw.get("起始日期", "")})
        elif start > today:
            here.append(_("“起始日期”列：不能晚于今天"))
        text = str(raw.get("天数", "")).strip()
        days = int(text) if text.isdigit() else 0
        if not 1 <= days <= 366:
            here.append(_("“天数”列：“%(v)s”应为 1 到 366 的整数") % {"v": text})
        if here:
            problems += [_("第%(row)s行%(p)s") % {"row": row, "p": p} for p in here]
            continue
        assert student is not None and start is not None
        key = (number, start)
        if key in seen:
            problems.append(_("第%(row)s行：与第%(first)s行重复（同一学生、同一起始日期）")
                            % {"row": row, "first": seen[key]})
            continue
        seen[key] = row
        parsed.append((student, start, days))
    if not parsed and not problems:
        problems.append(_("文件中没有数据行。"))
    if problems:
        raise CaseInputError(problems)
    return [services.record_absence(actor=actor, student=student, from_date=start, days=days)
            for student, start, days in parsed]
