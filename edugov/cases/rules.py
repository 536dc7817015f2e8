"""The 控辍保学 rules that open dropout cases from imported data (the "四查三比对" comparisons):

- 学籍 against attendance: a pupil absent for `absence_limit` or more consecutive school days (连续缺课);
- 户籍 against 学籍: a child of compulsory-school age on a 户籍 / population list with no 学籍 that year (适龄未入学);
- 学籍 against the school's roster: a pupil with a 学籍 who is not on the roster the school submitted (人籍分离).

Each rule is idempotent: it opens no second case while one is open for the same person and rule, and never a second
case for the same trigger (the same absence, list row or roster), so a case closed as 核实无需劝返 stays closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext as _

from edugov.cases import services
from edugov.cases.models import Absence, Case, DetectionRule, ResidentChild, RosterUpload
from edugov.lib.idcard import normalize_id
from edugov.stats.models import StudentRecord

CASE_TYPE = "dropout"


def absence_limit() -> int:
    return int(getattr(settings, "EDUGOV_ABSENCE_LIMIT_DAYS", 15))


def compulsory_ages() -> tuple[int, int]:
    low, high = getattr(settings, "EDUGOV_COMPULSORY_AGES", (6, 15))
    return int(low), int(high)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def reference_date(year: int) -> dt.date:
    """A school year's reference date (1 September of its first calendar year)."""
    return dt.date(year, 9, 1)


@dataclass
class DetectionResult:
    opened: dict[str, list[Case]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(cases) for cases in self.opened.values())


def _student_key(student: StudentRecord) -> str:
    return normalize_id(student.id_number) if student.id_number else f"xj:{student.student_no}"


def _already(rule: str, subject_key: str, source_ref: str) -> bool:
    return Case.objects.filter(case_type=CASE_TYPE, rule=rule).filter(
        source_ref=source_ref).exists() or Case.objects.filter(
        case_type=CASE_TYPE, rule=rule, subject_key=subject_key, closed_at__isnull=True).exists()


def detect_absences(year: int, *, limit: int | None = None) -> list[Case]:
    """学籍 × attendance: one case per run of at least `limit` consecutive days absent, at the pupil's school."""
    limit = limit if limit is not None else absence_limit()
    opened: list[Case] = []
    for absence in (Absence.objects.filter(student__year=year, days__gte=limit)
                    .select_related("student__unit").order_by("student__unit_id", "from_date", "pk")):
        student = absence.student
        key, ref = _student_key(student), f"absence:{absence.pk}"
        if _already(DetectionRule.ABSENCE, key, ref):
            continue
        opened.append(services.open_case(
            actor=None, case_type_code=CASE_TYPE, unit=student.unit, year=year, student=student, school=student.unit,
            title=_("连续缺课 %(days)s 天（自 %(from)s 起）") % {"days": absence.days,
                                                           "from": absence.from_date.isoformat()},
            rule=DetectionRule.ABSENCE, subject_key=key, source_ref=ref,
            data={"absence_days": absence.days, "absence_from": absence.from_date.isoformat(), "limit": limit}))
    return opened


def detect_unregistered(year: int, *, ages: tuple[int, int] | None = None) -> list[Case]:
    """户籍 × 学籍: a child aged `ages` (inclusive, on 1 September) on a list for the year and with no 学籍 that year
    anywhere on the platform, at the list's town or county. Matching is on the normalised 18-digit ID number."""
    low, high = ages or compulsory_ages()
    ref_date = reference_date(year)
    registered = set(StudentRecord.objects.filter(year=year).exclude(id_number="").values_list("id_number", flat=True))
    registered = {normalize_id(n) for n in registered}
    opened: list[Case] = []
    seen: set[str] = set()
    for child in (ResidentChild.objects.filter(year=year).select_related("unit", "resident_list")
                  .order_by("-resident_list__uploaded_at", "row")):
        if child.id_number in registered or child.id_number in seen or not low <= age_on(child.birth_date,
                                                                                          ref_date) <= high:
            continue
        seen.add(child.id_number)
        ref = f"resident:{year}:{child.id_number}"
        if _already(DetectionRule.NO_XUEJI, child.id_number, ref):
            continue
        opened.append(services.open_case(
            actor=None, case_type_code=CASE_TYPE, unit=child.unit, year=year, resident_child=child,
            title=_("户籍适龄儿童未查到学籍（%(source)s）") % {"source": child.resident_list.source},
            rule=DetectionRule.NO_XUEJI, subject_key=child.id_number, source_ref=ref,
            data={"age": age_on(child.birth_date, ref_date), "list": child.resident_list.source}))
    return opened


def detect_not_on_roster(year: int) -> list[Case]:
    """学籍 × roster: for each school's latest roster of the year, every pupil with a 学籍 there who is not on it."""
    latest = (RosterUpload.objects.filter(year=year).values("school_id").annotate(last=Max("pk"))
              .values_list("last", flat=True))
    opened: list[Case] = []
    for roster in RosterUpload.objects.filter(pk__in=list(latest)).select_related("school").order_by("school_id"):
        present = set(roster.student_nos)
        for student in (StudentRecord.objects.filter(year=year, unit=roster.school)
                        .exclude(student_no__in=present).order_by("student_no")):
            key, ref = _student_key(student), f"roster:{roster.pk}:{student.pk}"
            if _already(DetectionRule.NOT_ON_ROSTER, key, ref):
                continue
            opened.append(services.open_case(
                actor=None, case_type_code=CASE_TYPE, unit=roster.school, year=year, student=student,
                school=roster.school,
                title=_("有学籍但不在在校生名册（%(on)s 点名）") % {"on": roster.checked_on.isoformat()},
                rule=DetectionRule.NOT_ON_ROSTER, subject_key=key, source_ref=ref,
                data={"roster_checked_on": roster.checked_on.isoformat()}))
    return opened


def detect_all(year: int, *, absence_days: int | None = None, ages: tuple[int, int] | None = None) -> DetectionResult:
    result = DetectionResult()
    result.opened[DetectionRule.ABSENCE] = detect_absences(year, limit=absence_days)
    result.opened[DetectionRule.NO_XUEJI] = detect_unregistered(year, ages=ages)
    result.opened[DetectionRule.NOT_ON_ROSTER] = detect_not_on_roster(year)
    return result
