"""Permission-aware reads for 精准资助: the candidates a user may see, and the three reports.

- 应助尽助 gap: pupils eligible by the current lists and standards with no approved or disbursed aid.
- Aided twice: the same person (normalised ID, else name + birth date) paid under more than one candidate of the same
  programme and year, or paid more in total than the year's amount.
- Aided but no longer eligible: approved or disbursed candidates whose pupil the current lists no longer qualify."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from edugov.aid import engine, services
from edugov.aid.models import AidCandidate, CandidateStatus, ExternalList
from edugov.core.scoping import scope_for
from edugov.stats.models import StudentRecord

AIDED = (CandidateStatus.DISTRICT_APPROVED, CandidateStatus.DISBURSED)


def candidates_for(user: Any) -> QuerySet[AidCandidate]:
    rows = AidCandidate.objects.select_related("student", "student__unit")
    return scope_for(user).filter(rows, "student__unit")


def lists_for(user: Any) -> QuerySet[ExternalList]:
    return scope_for(user).filter(ExternalList.objects.select_related("unit", "uploaded_by"), "unit")


@dataclass(frozen=True)
class GapRow:
    student: StudentRecord
    amount: Decimal
    lists: list[str]
    match_kind: str
    status: str


def gap(user: Any, programme: engine.Programme, year: int) -> list[GapRow]:
    students = scope_for(user).filter(StudentRecord.objects.select_related("unit"), "unit")
    assessed = services.assess(programme=programme, year=year, students=students)
    status_of = dict(AidCandidate.objects.filter(programme=programme.code, year=year, student_id__in=list(assessed))
                     .values_list("student_id", "status"))
    rows = [GapRow(a.student, a.result.amount or Decimal(0), a.lists, a.match_kind, status_of.get(pk, ""))
            for pk, a in assessed.items() if a.result.ok and status_of.get(pk) not in AIDED]
    return sorted(rows, key=lambda r: (r.student.unit.code, r.student.student_no))


@dataclass(frozen=True)
class TwiceRow:
    person: str
    candidates: list[AidCandidate]
    paid: Decimal
    amount: Decimal


def aided_twice(user: Any, programme: engine.Programme, year: int) -> list[TwiceRow]:
    paid = (candidates_for(user).filter(programme=programme.code, year=year, disbursements__isnull=False)
            .annotate(paid=Sum("disbursements__amount")).order_by("pk"))
    groups: dict[str, list[AidCandidate]] = {}
    for candidate in paid:
        student = candidate.student
        key = student.id_number or f"{engine.name_key(student.name)}|{student.birth_date.isoformat()}"
        groups.setdefault(key, []).append(candidate)
    rows = []
    for key, group in groups.items():
        total = sum((c.paid for c in group), Decimal(0))  # type: ignore[attr-defined]
        amount = max(c.amount for c in group)
        if len(group) > 1 or total > amount:
            rows.append(TwiceRow(key, group, total, amount))
    return rows


@dataclass(frozen=True)
class NoLongerRow:
    candidate: AidCandidate
    reason: str


def no_longer_eligible(user: Any, programme: engine.Programme, year: int) -> list[NoLongerRow]:
    aided = list(candidates_for(user).filter(programme=programme.code, year=year, status__in=AIDED))
    if not aided:
        return []
    assessed = services.assess(programme=programme, year=year,
                               students=StudentRecord.objects.filter(pk__in=[c.student_id for c in aided]))
    rows = []
    for candidate in aided:
        found = assessed.get(candidate.student_id)
        if found is None:
            rows.append(NoLongerRow(candidate, "已不在任何外部名单中"))
        elif not found.result.ok:
            rows.append(NoLongerRow(candidate, found.result.reason))
    return rows
