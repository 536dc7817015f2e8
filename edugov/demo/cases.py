"""Demo cases: 控辍保学, 心理健康, 校园安全, 问题整改 and 精准资助 in the demo city, with realistic histories.

What schools, the county bureau and its counsellors would have done over the last weeks is done here through the same
services, deterministically, in the first county (by code) — the county of the demo users 区县管理员 and 心理健康专员:

* **控辍保学**: a 户籍 list of the county's first town (pupils with a 学籍, five children without one, one over age),
  long absences of seven pupils (five over the limit), a school's roster missing five pupils; then the three rules
  (`cases.rules.detect_all`). The cases are worked through: 劝返 contacts (who, when, how, with whom, outcome), returns
  reported and verified by the county (closed as 已复学), a rejected return, two 核实无需劝返, one 送教上门, and one
  left in 劝返中 past its 30 days, raised to the unit above by the overdue sweep.
* **心理健康**: a screening (PHQ-9 / GAD-7) imported by the county's counsellor; the cases at or above 中度 are
  assessed, helped, referred to the county centre and a hospital, followed up, excluded or closed, with intervention
  records. Only counsellors see them.
* **校园安全**: ten hazards from inspections of the county's schools: just found, being rectified (one past its
  deadline), awaiting the county's verification, and 销号 with the 回头看 scheduled, due or done.
* **问题整改**: the cases `cases.rectify` opens from unmet plan targets and the county's failing acceptance items (a
  few planned, reported and verified), and the major hazard put under the county's supervision (挂牌督办).
* **精准资助**: a 低保 list and a 脱贫 monitoring list of the county matched to pupils, candidates for the living
  subsidy generated, some reviewed by schools, approved by the county and paid.

Steps are taken by staff accounts without a usable password (nobody logs in as them): ``demo_school_staff`` (学校管理员
at the schools concerned), ``demo_county_staff`` (区县管理员), ``demo_school_counsellor`` and
``demo_county_counsellor`` (心理健康专员). The services stamp every step "now"; the histories are then dated back over
the past weeks (steps, deadlines, closing and follow-up dates). Each part is added only when its marker is absent
(the 户籍 list, the screening, the inspections, the aid lists; the rectification rules are idempotent), so re-running
the demo adds nothing.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from edugov.aid import services as aid
from edugov.aid.models import AidCandidate, CandidateStatus, ExternalList, MatchKind
from edugov.cases import engine, mental_health, rectify, rules, safety, services
from edugov.cases.models import (
    Absence,
    Case,
    ContactRecord,
    DetectionRule,
    Inspection,
    InspectionKind,
    Notification,
    ResidentList,
    ScreeningImport,
    Transition,
)
from edugov.cases.services import UploadedFile
from edugov.core.choices import Role
from edugov.core.models import RoleAssignment
from edugov.core.scoping import descendant_ids, forget_scope
from edugov.lib.idcard import check_digit
from edugov.registry.choices import UnitKind
from edugov.registry.models import OrgUnit
from edugov.stats.models import StudentRecord

RESIDENT_SOURCE = "公安户籍（示范）"
SCREENING_FILE = "示范心理筛查（秋季）.xlsx"
RECHECK_FILE = "示范心理复测.xlsx"
INSPECTION_NOTE = "秋季学期校园安全隐患排查（示范）"
DIBAO_SOURCE = "民政局低保名单（示范）"
TUOPIN_SOURCE = "乡村振兴局防返贫监测名单（示范）"
COMPULSORY_GRADES = [str(g) for g in range(1, 10)]

PHOTO = UploadedFile("现场照片.jpg", b"\xff\xd8\xff\xe0" + "示范照片".encode() + b"\x00" * 64 + b"\xff\xd9")


def _pdf(title: str) -> UploadedFile:
    return UploadedFile(f"{title}.pdf", b"%PDF-1.4\n% " + title.encode() + b"\n%%EOF\n")


def _rank(salt: str, key: str) -> int:
    return zlib.crc32(f"{salt}|{key}".encode())


# --------------------------------------------------------------------------------------------------------------------
# Staff


@dataclass
class Staff:
    school: Any
    county: Any
    school_counsellor: Any
    county_counsellor: Any

    def grant(self, user: Any, role: str, unit: OrgUnit) -> None:
        RoleAssignment.objects.get_or_create(user=user, role=role, org_unit=unit)
        forget_scope(user)


def _staff_user(username: str, label: str) -> Any:
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.first_name = label
        user.save(update_fields=["password", "first_name"])
    return user


def _staff(county: OrgUnit) -> Staff:
    staff = Staff(school=_staff_user("demo_school_staff", "学校德育处"),
                  county=_staff_user("demo_county_staff", f"{county.name}教育局基教科"),
                  school_counsellor=_staff_user("demo_school_counsellor", "学校心理教师"),
                  county_counsellor=_staff_user("demo_county_counsellor", f"{county.name}心理健康教育中心"))
    staff.grant(staff.county, Role.DISTRICT_ADMIN, county)
    staff.grant(staff.county_counsellor, Role.COUNSELLOR, county)
    return staff


# --------------------------------------------------------------------------------------------------------------------
# Histories: steps taken through the services, then dated back


@dataclass
class Step:
    days_ago: int
    code: str
    fields: dict[str, str] = field(default_factory=dict)
    evidence: tuple[UploadedFile, ...] = ()
    reason: str = ""
    county: bool = False  # taken by the county (else by the school, when the case's unit is a school)


@dataclass
class Contact:
    days_ago: int
    by: str
    method: str
    person: str
    outcome: str


@dataclass
class Care:
    days_ago: int
    kind: str
    by: str
    note: str


Event = Step | Contact | Care


class Story:
    """Plays a case's history in order and then dates each step back to when it happened."""

    def __init__(self, today: dt.date, staff: Staff, county: OrgUnit) -> None:
        self.today = today
        self.staff = staff
        self.county_ids = set(descendant_ids([county.pk]))

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    def at(self, days_ago: int, hour: int = 10) -> dt.datetime:
        day = self.day(days_ago)
        return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.get_current_timezone())

    def _actor(self, case: Case, step: Step) -> Any:
        at_school = case.unit.kind == UnitKind.SCHOOL
        if case.case_type == mental_health.CASE_TYPE:
            if at_school and not step.county:
                self.staff.grant(self.staff.school_counsellor, Role.COUNSELLOR, case.unit)
                return self.staff.school_counsellor
            return self.staff.county_counsellor
        if at_school and not step.county:
            self.staff.grant(self.staff.school, Role.SCHOOL_ADMIN, case.unit)
            return self.staff.school
        if case.unit_id in self.county_ids:
            return self.staff.county
        return None  # another county's or a city office's case: the system (the demo has no staff there)

    def play(self, case: Case, opened_days_ago: int, events: Sequence[Event]) -> Case:
        times = [self.at(opened_days_ago, 9)]
        for event in events:
            case = Case.objects.select_related("unit").get(pk=case.pk)
            if isinstance(event, Step):
                services.take_transition(actor=self._actor(case, event), case=case, transition_code=event.code,
                                         expected_state=case.state, expected_version=case.version,
                                         reason=event.reason, fields=event.fields, evidence=event.evidence)
                times.append(self.at(event.days_ago, 10 + len(times) % 6))
            elif isinstance(event, Contact):
                services.add_contact(actor=self._actor(case, Step(0, "")), case=case,
                                     contacted_on=self.day(event.days_ago), contacted_by=event.by,
                                     method=event.method, contact_person=event.person, outcome=event.outcome)
            else:
                mental_health.add_intervention(actor=self._actor(case, Step(0, "")), case=case,
                                               on=self.day(event.days_ago), kind=event.kind, by=event.by,
                                               note=event.note)
        return self.settle(case, times)

    def settle(self, case: Case, times: Sequence[dt.datetime]) -> Case:
        """Dates the case's log back to `times` and recomputes what depends on when the steps happened."""
        ct = services.case_type(case.case_type)
        log = list(Transition.objects.filter(case=case).order_by("pk"))
        assert len(log) == len(times), (case.pk, len(log), len(times))
        for entry, when in zip(log, times, strict=True):
            Transition.objects.filter(pk=entry.pk).update(at=when)
        case = Case.objects.get(pk=case.pk)
        last = times[-1]
        due = engine.due_date(ct, case.state, timezone.localdate(last))
        deadline = log[-1].fields.get("deadline") if len(log) > 1 else None
        if deadline:
            due = dt.date.fromisoformat(deadline)
        follow_up = case.follow_up_on
        for entry, when in zip(log, times, strict=True):
            spec = next((t for t in ct.transitions if t.code == entry.code), None)
            if spec is not None and spec.follow_up_days is not None:
                follow_up = timezone.localdate(when) + dt.timedelta(days=spec.follow_up_days)
        Case.objects.filter(pk=case.pk).update(
            opened_at=times[0], state_entered_at=last, due_on=due, follow_up_on=follow_up,
            closed_at=last if case.state in ct.terminal_codes else None)
        return Case.objects.select_related("unit").get(pk=case.pk)


# --------------------------------------------------------------------------------------------------------------------
# The county and its pupils


def _county() -> OrgUnit | None:
    for county in OrgUnit.objects.filter(kind=UnitKind.COUNTY, closed_on__isnull=True).order_by("code"):
        if StudentRecord.objects.filter(unit_id__in=descendant_ids([county.pk])).exists():
            return county
    return None


def _pupils(county: OrgUnit, year: int, salt: str, *, exclude: Sequence[int] = (),
            grades: Sequence[str] = COMPULSORY_GRADES, units: Sequence[int] | None = None) -> list[int]:
    """The county's pupils of the year in a fixed pseudo-random order (by 学籍号), with an ID number."""
    rows = StudentRecord.objects.filter(year=year, unit_id__in=units if units is not None else
                                        descendant_ids([county.pk]), grade__in=list(grades)).exclude(
        id_number="").exclude(pk__in=list(exclude))
    keys = sorted(rows.values_list("student_no", "pk"), key=lambda r: (_rank(salt, r[0]), r[0]))
    return [pk for _no, pk in keys]


def _records(pks: Sequence[int]) -> list[StudentRecord]:
    found = StudentRecord.objects.select_related("unit").in_bulk(list(pks))
    return [found[pk] for pk in pks]


def _fictional_id(region: str, birth: dt.date, start: int, taken: set[str]) -> str:
    for seq in range(start, 1000):
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        number = first17 + check_digit(first17)
        if number not in taken:
            taken.add(number)
            return number
    raise RuntimeError("no free demo ID number")


def _region(county: OrgUnit) -> str:
    code = county.code[:6]
    return code if code.isdigit() and len(code) == 6 else "370100"


# --------------------------------------------------------------------------------------------------------------------
# 控辍保学

UNREGISTERED = (  # name, birth date, guardian, address (village of the town)
    ("刘子涵", dt.date(2012, 5, 14), "刘建国", "幸福村"),
    ("陈雨桐", dt.date(2014, 11, 2), "陈桂芳", "河东村"),
    ("杨浩然", dt.date(2011, 3, 27), "杨立军", "前进村"),
    ("黄思远", dt.date(2016, 8, 9), "黄美兰", "幸福村"),
    ("周梓萱", dt.date(2013, 1, 20), "周志强", "南关社区"),
)
OVER_AGE = ("吴俊熙", dt.date(2007, 4, 3), "吴德胜", "河东村")


def add_dropout(county: OrgUnit, year: int, story: Story) -> bool:
    if ResidentList.objects.filter(year=year, source=RESIDENT_SOURCE).exists():
        return False
    schools = list(OrgUnit.objects.filter(kind=UnitKind.SCHOOL, pk__in=descendant_ids([county.pk]),
                                          versions__valid_to__isnull=True,
                                          versions__school_type_code__in=("211", "311", "312"))
                   .annotate(n=Count("students", filter=Q(students__year=year, students__grade__in=COMPULSORY_GRADES)))
                   .filter(n__gte=8).order_by("n", "code"))
    if not schools:
        return False
    roster_school = schools[0]
    others = [s.pk for s in schools[1:]] or [roster_school.pk]
    absent = _records(_pupils(county, year, "absence", units=others)[:7])
    # 户籍 list: the first town's (or the county's) children with a 学籍, five without, one past compulsory age.
    town = (OrgUnit.objects.filter(kind=UnitKind.TOWN, pk__in=descendant_ids([county.pk])).order_by("code").first()
            or county)
    taken = set(StudentRecord.objects.filter(year=year).values_list("id_number", flat=True))
    region = _region(county)
    rows: list[dict[str, str]] = [
        {"身份证号": s.id_number, "姓名": s.name, "户籍地址": f"{town.name}{('幸福村', '河东村', '前进村')[i % 3]}"}
        for i, s in enumerate(_records(_pupils(county, year, "resident")[:24]))]
    for i, (name, birth, guardian, village) in enumerate((*UNREGISTERED, OVER_AGE)):
        rows.insert(3 + 4 * i, {"身份证号": _fictional_id(region, birth, 901 + 2 * i, taken), "姓名": name,
                                "户籍地址": f"{town.name}{village}", "监护人": guardian})
    services.import_resident_list(actor=story.staff.county, unit=town, year=year, source=RESIDENT_SOURCE, rows=rows,
                                  file_name="适龄儿童户籍名单.xlsx")
    limit = rules.absence_limit()
    for i, (student, days) in enumerate(zip(absent, (limit + 1, limit + 3, limit + 7, limit + 16, limit + 2, 5, 9),
                                            strict=False)):
        services.record_absence(actor=story.staff.county, student=student, from_date=story.day(75 - 3 * i),
                                days=days, note="班主任考勤登记")
    pupils = list(StudentRecord.objects.filter(year=year, unit=roster_school).order_by("student_no"))
    missing = {pk for pk in _pupils(county, year, "roster", units=[roster_school.pk])[:5]}
    story.staff.grant(story.staff.school, Role.SCHOOL_ADMIN, roster_school)
    services.record_roster(actor=story.staff.school, school=roster_school, year=year, checked_on=story.day(40),
                           student_nos=[s.student_no for s in pupils if s.pk not in missing])
    rules.detect_all(year)
    cases = Case.objects.filter(case_type=rules.CASE_TYPE, year=year).select_related("unit").order_by("rule", "pk")
    by_rule: dict[str, list[Case]] = {}
    for case in cases:
        by_rule.setdefault(case.rule, []).append(case)
    for rule, scripts in DROPOUT_SCRIPTS.items():
        for case, script in zip(by_rule.get(rule, []), scripts, strict=False):
            opened, events = script(story)
            story.play(case, opened, events)
    for case in cases.filter(state="pending", closed_at__isnull=True):
        if not Transition.objects.filter(case=case).exclude(code="open").exists():
            story.settle(case, [story.at(3 if case.rule == DetectionRule.NO_XUEJI else 2, 9)])
    return True


def _resumed(opened: int, cause: str, who: str, parent: str) -> Callable[[Story], tuple[int, list[Event]]]:
    def script(s: Story) -> tuple[int, list[Event]]:
        return opened, [
            Step(opened - 2, "confirm", {"finding": f"经{who}电话核实，学生未到校，{parent}称孩子不愿上学",
                                         "cause": cause}),
            Contact(opened - 3, who, "phone", parent, "家长表示会做孩子工作，但孩子仍未返校"),
            Contact(opened - 6, f"{who}、德育主任", "home_visit", f"{parent}及学生本人",
                    "上门家访，了解到学生沉迷手机游戏、跟不上课程；与家长商定返校和课后辅导安排"),
            Contact(opened - 9, "镇驻村干部、校长", "interview", parent,
                    "约谈家长，讲明义务教育法定责任，家长签字承诺送学"),
            Step(opened - 12, "report_return", {"return_date": s.day(opened - 12).isoformat(),
                                                "return_school": "原校原班"}, (_pdf("返校情况说明"),)),
            Step(opened - 16, "verify_return", {"verified_on": s.day(opened - 16).isoformat(),
                                                "method": "实地查看"}, county=True),
        ]
    return script


def _persuading(opened: int, cause: str, contacts: int) -> Callable[[Story], tuple[int, list[Event]]]:
    outcomes = (("班主任", "phone", "母亲", "电话无人接听，已发短信告知返校要求"),
                ("班主任、年级主任", "home_visit", "祖父母", "家访：父母在外务工，祖父母管不住孩子，答应联系父母"),
                ("镇政府、村委会", "notice", "父亲", "送达《责令送适龄儿童少年入学通知书》"),
                ("校长", "message", "父亲", "微信联系父亲，父亲称春节后带孩子回来"))

    def script(s: Story) -> tuple[int, list[Event]]:
        events: list[Event] = [Step(opened - 2, "confirm", {"finding": "家访核实学生长期未到校", "cause": cause})]
        events += [Contact(opened - 4 - 5 * i, *outcomes[i % len(outcomes)]) for i in range(contacts)]
        return opened, events
    return script


def _returned_rejected(s: Story) -> tuple[int, list[Event]]:
    return 38, [
        Step(36, "confirm", {"finding": "名册点名不在校，班主任核实已一周未到校", "cause": "家庭经济困难"}),
        Contact(34, "班主任", "home_visit", "母亲", "家中经济困难，孩子在亲戚店里帮工；告知可申请生活补助"),
        Step(25, "report_return", {"return_date": s.day(25).isoformat(), "return_school": "原校原班"},
             (_pdf("返校登记表"),)),
        Step(22, "reject_return", reason="学籍与考勤比对：返校后仅到校 2 天，再次连续缺课，请继续劝返", county=True),
        Contact(20, "班主任、资助专干", "interview", "父母", "约谈父母，落实生活补助；家长承诺下周一送孩子返校"),
    ]


def _returned(s: Story) -> tuple[int, list[Event]]:
    return 26, [
        Step(24, "confirm", {"finding": "连续缺课，家长称孩子身体不适在家", "cause": "身心原因"}),
        Contact(23, "班主任", "phone", "母亲", "母亲称孩子情绪低落不愿上学，已预约心理老师谈话"),
        Contact(18, "心理教师、班主任", "home_visit", "母亲及学生本人", "学生同意先半天到校，逐步恢复"),
        Step(6, "report_return", {"return_date": s.day(7).isoformat(), "return_school": "原校原班"},
             (_pdf("返校情况说明"),)),
    ]


def _dismissed(basis: str, finding: str) -> Callable[[Story], tuple[int, list[Event]]]:
    def script(s: Story) -> tuple[int, list[Event]]:
        return 30, [Step(27, "dismiss", {"basis": basis, "finding": finding}, (_pdf("就读证明"),))]
    return script


def _alternative(s: Story) -> tuple[int, list[Event]]:
    return 55, [
        Step(52, "confirm", {"finding": "儿童患重度脑瘫，未入学", "cause": "身心原因"}),
        Contact(50, "镇中心学校校长", "home_visit", "母亲", "入户评估：儿童无法到校就读，家长同意送教上门"),
        Step(40, "alternative", {"form": "送教上门", "approval": "县残疾人教育专家委员会评估意见（示范）"},
             (_pdf("送教上门审批表"),), county=True),
    ]


def _overdue(s: Story) -> tuple[int, list[Event]]:
    # In 劝返中 for 44 days: past the state's 30 days, raised to the unit above by the overdue sweep.
    return 47, [
        Step(44, "confirm", {"finding": "学生随父母外出，电话可联系", "cause": "外出务工"}),
        Contact(43, "班主任", "phone", "父亲", "父亲称在外地打工，孩子在身边，暂不回来"),
        Contact(30, "镇政府、派出所", "notice", "父亲", "寄送书面通知，要求限期送学"),
    ]


DROPOUT_SCRIPTS: dict[str, list[Callable[[Story], tuple[int, list[Event]]]]] = {
    DetectionRule.ABSENCE: [_resumed(60, "厌学", "班主任", "父亲"), _resumed(45, "厌学", "班主任", "母亲"),
                            _overdue, _returned],
    DetectionRule.NO_XUEJI: [_dismissed("在外地就读", "随父母在外省就读，已取得就读学校证明"),
                             _persuading(20, "监护缺失", 3), _resumed(50, "监护缺失", "镇中心学校教师", "祖母"),
                             _alternative],
    DetectionRule.NOT_ON_ROSTER: [_dismissed("在校就读（数据未同步）", "点名当天请病假，已到校"),
                                  lambda s: _returned_rejected(s), _persuading(15, "厌学", 2)],
}


# --------------------------------------------------------------------------------------------------------------------
# 心理健康


def add_mental_health(county: OrgUnit, year: int, story: Story) -> bool:
    if ScreeningImport.objects.filter(year=year, file_name=SCREENING_FILE).exists():
        return False
    pupils = _pupils(county, year, "screening", grades=("7", "8", "9")) or _pupils(county, year, "screening")
    chosen = _records(pupils[:40])
    if not chosen:
        return False
    high = (12, 16, 21, 11, 13, 18, 10)  # PHQ-9 at or above 中度
    rows: list[dict[str, Any]] = []
    for i, pupil in enumerate(chosen):
        score = high[i // 5] if i % 5 == 0 and i // 5 < len(high) else (3 + 7 * i) % 10
        rows.append({"学籍号": pupil.student_no, "量表": "PHQ-9", "得分": str(score),
                     "日期": story.day(28).isoformat()})
        if i % 4 == 1:
            rows.append({"学籍号": pupil.student_no, "量表": "GAD-7", "得分": str((2 + 5 * i) % 10),
                         "日期": story.day(28).isoformat()})
    # Each school's results are imported for that school (as its counsellors would, and fast on a large county).
    school_of = {p.student_no: p.unit for p in chosen}
    alerts: list[Case] = []
    for school in sorted(set(school_of.values()), key=lambda u: u.code):
        outcome = mental_health.import_screening(
            actor=story.staff.county_counsellor, unit=school, year=year, file_name=SCREENING_FILE,
            rows=[r for r in rows if school_of[r["学籍号"]] == school])
        alerts += outcome.opened
    alerts.sort(key=lambda c: c.pk)
    for case, script in zip(alerts, MENTAL_SCRIPTS, strict=False):
        opened, events = script(story)
        story.play(case, opened, events)
    # A recheck the day before yesterday: one new alert, not yet assessed.
    later = _records(pupils[40:41])
    if later:
        recheck = mental_health.import_screening(
            actor=story.staff.county_counsellor, unit=later[0].unit, year=year, file_name=RECHECK_FILE,
            rows=[{"学籍号": later[0].student_no, "量表": "PHQ-9", "得分": "15", "日期": story.day(2).isoformat()}])
        for case in recheck.opened:
            story.settle(case, [story.at(2, 15)])
    return True


def _mh(opened: int, events: list[Event]) -> Callable[[Story], tuple[int, list[Event]]]:
    return lambda s: (opened, events)


def _referred_hospital(s: Story) -> tuple[int, list[Event]]:
    return 27, [
        Care(27, "crisis", "心理教师", "筛查次日约谈，学生有自伤念头，已启动危机干预，通知家长到校"),
        Step(26, "refer_county", {"referred_on": s.day(26).isoformat(), "referral_reason": "PHQ-9 重度，有自伤意念",
                                  "guardian_informed": "已告知并同意"}),
        Care(24, "referral", "区县心理中心", "中心评估后建议到精神专科医院就诊"),
        Step(22, "refer_hospital", {"hospital": "市精神卫生中心（示范）",
                                    "hospital_referred_on": s.day(22).isoformat()}, county=True),
        Care(10, "family", "心理教师、班主任", "与家长沟通就诊和服药情况，学校安排减轻课业压力"),
    ]


def _referred_county(s: Story) -> tuple[int, list[Event]]:
    return 27, [
        Step(25, "start", {"assessment": "访谈：学业压力大，睡眠差，无自伤意念"}),
        Care(21, "counselling", "心理教师", "个别辅导：情绪疏导与睡眠调整"),
        Step(8, "refer_county", {"referred_on": s.day(8).isoformat(), "referral_reason": "辅导三周效果不明显",
                                 "guardian_informed": "已告知并同意"}),
    ]


MENTAL_SCRIPTS: list[Callable[[Story], tuple[int, list[Event]]]] = [
    _mh(27, [Step(26, "start", {"assessment": "访谈：与同学关系紧张，情绪低落"}),
             Care(24, "counselling", "心理教师", "个别辅导，每周一次"),
             Care(12, "family", "班主任、心理教师", "与家长沟通在家情况，建议增加陪伴")]),
    _mh(27, [Step(25, "start", {"assessment": "访谈：父母离异后适应困难"}),
             Care(22, "counselling", "心理教师", "个别辅导三次，情绪明显好转"),
             Step(12, "to_follow_up", {"follow_up_plan": "每月随访一次，班主任日常关注"})]),
    _referred_hospital,
    _referred_county,
    _mh(27, [Step(25, "exclude", {"review": "复核访谈：筛查当天身体不适，复测 PHQ-9 为 4 分"},
                  reason="复核后不存在心理危机风险")]),
    _mh(27, [Step(26, "start", {"assessment": "访谈：考试焦虑"}),
             Care(24, "group", "心理教师", "参加考前减压团体辅导"),
             Step(18, "to_follow_up", {"follow_up_plan": "考试后随访"}),
             Care(6, "follow_up", "心理教师", "随访：情绪稳定，学习正常"),
             Step(5, "close", {"outcome": "风险解除，结案"})]),
    _mh(27, [Step(24, "start", {"assessment": "访谈：近期睡眠差、注意力下降"}),
             Care(20, "counselling", "心理教师", "个别辅导，指导放松训练")]),
]


# --------------------------------------------------------------------------------------------------------------------
# 校园安全

HAZARDS = (  # category, severity, place, description
    ("消防安全", "较大", "教学楼二楼东侧消防通道", "消防通道堆放课桌椅等杂物，影响疏散"),
    ("用电用气", "一般", "学生宿舍 3 号楼", "部分宿舍私拉电线给手机充电，插线板老化"),
    ("校舍建筑", "重大", "老教学楼北侧外墙", "外墙瓷砖空鼓脱落，下方为学生通行区域"),
    ("食品卫生", "一般", "学校食堂后厨", "留样记录不完整，部分留样不足 125 克"),
    ("实验室与危化品", "较大", "化学实验室危化品柜", "危化品未执行双人双锁管理，台账与实物不符"),
    ("防溺水", "较大", "学校南侧河道", "学校周边河道缺少警示牌和防护栏"),
    ("交通安全", "一般", "学校正门", "上下学时段门前无减速带和交通标志，接送车辆乱停"),
    ("设施设备", "一般", "操场篮球架", "篮球架底座螺栓松动"),
    ("消防安全", "一般", "图书室", "灭火器压力不足，已过检验期"),
    ("校园周边", "一般", "校门西侧 50 米", "流动摊贩售卖“三无”食品"),
)


def add_hazards(county: OrgUnit, year: int, story: Story) -> bool:
    if Inspection.objects.filter(note=INSPECTION_NOTE).exists():
        return False
    schools = list(OrgUnit.objects.filter(kind=UnitKind.SCHOOL, pk__in=descendant_ids([county.pk]),
                                          closed_on__isnull=True).order_by("code"))
    schools.sort(key=lambda s: (_rank("hazard", s.code), s.code))
    if not schools:
        return False
    for i, (script, (category, severity, place, description)) in enumerate(zip(HAZARD_SCRIPTS, HAZARDS,
                                                                                 strict=True)):
        school = schools[i % len(schools)]
        found, events = script(story)
        inspection = safety.record_inspection(
            actor=story.staff.county, school=school, inspected_on=story.day(found),
            inspector=f"{county.name}教育局安全稳定科检查组", note=INSPECTION_NOTE,
            kind=(InspectionKind.SPECIAL, InspectionKind.ROUTINE, InspectionKind.HOLIDAY)[i % 3])
        case = safety.report_hazard(actor=story.staff.county, inspection=inspection, place=place, category=category,
                                    severity=severity, description=description, photos=(PHOTO,))
        case = story.play(case, found, events)
        if severity == "重大":  # a major hazard is also put under supervision (挂牌督办) as a rectification case
            supervised = services.open_case(
                actor=story.staff.county, case_type_code=rectify.CASE_TYPE, unit=county, year=year,
                title=f"重大隐患挂牌督办：{school.name}{place}", finding=f"hazard:{case.pk}", school=school,
                source_ref=f"hazard:{case.pk}", data={"part": "校园安全", "name": description},
                reason="重大隐患需专项资金维修，由区县挂牌督办")
            story.play(supervised, found - 1, [_plan(found - 3, story, 60, "申请校舍维修专项资金，暑期实施外墙改造")])
        if i == 9:  # the 回头看 of the earliest closed hazard is done
            safety.record_reinspection(actor=story.staff.county, case=case, inspected_on=story.day(2),
                                       inspector=f"{county.name}教育局安全稳定科", note="整改到位，未发现反弹")
    return True


def _assign(days: int, owner: str, deadline: dt.date, measures: str) -> Step:
    return Step(days, "assign", {"owner_unit": "学校总务处", "owner": owner, "deadline": deadline.isoformat(),
                                 "measures": measures})


def _complete(days: int, s: Story, measures: str) -> Step:
    return Step(days, "complete", {"done_on": s.day(days).isoformat(), "done_measures": measures}, (PHOTO,))


def _verify(days: int, s: Story) -> Step:
    return Step(days, "verify", {"verified_on": s.day(days).isoformat(), "verified_by": "区县教育局安全稳定科"},
                county=True)


HAZARD_SCRIPTS: tuple[Callable[[Story], tuple[int, list[Event]]], ...] = (
    lambda s: (1, []),
    lambda s: (2, []),
    lambda s: (45, [_assign(44, "总务主任", s.day(15), "设置围挡和警示标志，申请维修资金拆除重贴")]),
    lambda s: (12, [_assign(11, "食堂管理员", s.day(-10), "完善留样制度，配备电子秤")]),
    lambda s: (30, [_assign(29, "实验室管理员", s.day(14), "落实双人双锁，重新盘点建账"),
                    _complete(20, s, "已落实双人双锁并重新建账"),
                    Step(18, "reject", reason="台账未附领用登记，请补充后再报", county=True)]),
    lambda s: (25, [_assign(24, "安全副校长", s.day(5), "联系水务部门设置警示牌和护栏"),
                    _complete(4, s, "已设置警示牌 6 块、护栏 120 米")]),
    lambda s: (20, [_assign(19, "安全副校长", s.day(6), "协调交警设置减速带和标志"),
                    _complete(3, s, "交警已施划标线、设置减速带")]),
    lambda s: (40, [_assign(39, "体育教研组长", s.day(30), "更换螺栓，定期检查"),
                    _complete(34, s, "已更换全部螺栓"), _verify(20, s)]),
    lambda s: (50, [_assign(49, "总务主任", s.day(40), "更换过期灭火器"),
                    _complete(44, s, "已更换灭火器 12 具"), _verify(35, s)]),
    lambda s: (70, [_assign(69, "安全副校长", s.day(55), "联系城管和市场监管部门整治"),
                    _complete(58, s, "联合执法取缔流动摊点"), _verify(56, s)]),
)


# --------------------------------------------------------------------------------------------------------------------
# 问题整改


def add_rectification(county: OrgUnit, year: int, story: Story) -> int:
    opened = rectify.open_rectifications_from_acceptance(county, year).opened
    opened += rectify.open_rectifications_from_targets(year).opened
    for i, case in enumerate(opened):
        script = RECTIFY_SCRIPTS[i] if i < len(RECTIFY_SCRIPTS) else RECTIFY_SCRIPTS[-1]
        days, events = script(story)
        story.play(case, days, events)
    return len(opened)


def _plan(days: int, s: Story, deadline: int, measures: str) -> Step:
    return Step(days, "plan", {"measures": measures, "owner": "分管副局长", "deadline": s.day(-deadline).isoformat()})


RECTIFY_SCRIPTS: tuple[Callable[[Story], tuple[int, list[Event]]], ...] = (
    lambda s: (40, [_plan(35, s, 150, "制定整改方案，分年度补齐短板，纳入年度重点工作")]),
    lambda s: (40, [_plan(36, s, 60, "组织专项培训和资格考试，新聘人员须持证上岗"),
                    Step(5, "report", {"result": "已完成培训考核，持证率提升至 95%"}, (_pdf("整改报告"),))]),
    lambda s: (60, [_plan(58, s, 20, "调整教师配置，补充音体美专任教师"),
                    Step(30, "report", {"result": "已补充专任教师 12 人"}, (_pdf("整改报告"),)),
                    Step(25, "verify", {"verified_on": s.day(25).isoformat()}, county=True)]),
    lambda s: (20, [_plan(18, s, 120, "列入年度项目库，争取专项资金")]),
    lambda s: (3, []),
)


# --------------------------------------------------------------------------------------------------------------------
# 精准资助


def add_aid(county: OrgUnit, year: int, story: Story) -> bool:
    if ExternalList.objects.filter(year=year, source=DIBAO_SOURCE).exists():
        return False
    pupils = _records(_pupils(county, year, "aid")[:20])
    if not pupils:
        return False
    taken = set(StudentRecord.objects.filter(year=year).values_list("id_number", flat=True))
    region = _region(county)
    adults = [{"id": _fictional_id(region, dt.date(1980 + i, 3 + i, 10 + i), 951 + 2 * i, taken),
               "name": name, "birth": ""} for i, name in enumerate(("赵永福", "钱秀英", "孙红梅"))]
    dibao = [{"id": p.id_number, "name": p.name, "birth": ""} for p in pupils[:12]]
    if len(pupils) > 12:  # a row without an ID number: matched on name and birth date, to be confirmed
        dibao.append({"id": "", "name": pupils[12].name, "birth": pupils[12].birth_date.isoformat()})
    aid.import_list(actor=story.staff.county, unit=county, year=year, list_type="dibao", source=DIBAO_SOURCE,
                    rows=dibao + adults[:2], file_name="低保家庭成员名单.xlsx")
    tuopin = [{"id": p.id_number, "name": p.name, "birth": ""} for p in pupils[10:11] + pupils[13:20]]
    aid.import_list(actor=story.staff.county, unit=county, year=year, list_type="tuopin", source=TUOPIN_SOURCE,
                    rows=tuopin + adults[2:], file_name="防返贫监测对象名单.xlsx")
    candidates = aid.generate_candidates(actor=story.staff.county, programme_code="living_subsidy", year=year,
                                         unit=county)
    for i, candidate in enumerate(sorted(candidates, key=lambda c: c.pk)):
        if i % 5 == 4:
            continue  # awaiting the school's review
        student = StudentRecord.objects.select_related("unit").get(pk=candidate.student_id)
        story.staff.grant(story.staff.school, Role.SCHOOL_ADMIN, student.unit)
        if i == 3:
            aid.school_review(actor=story.staff.school, candidate=candidate, expected_version=candidate.version,
                              approve=False, reason="经核实，该生家庭已于本学期脱离低保，不予资助")
            continue
        current = aid.school_review(actor=story.staff.school, candidate=candidate, expected_version=candidate.version,
                                    approve=True, identity_confirmed=candidate.match_kind == MatchKind.FLAGGED)
        if i % 5 == 2:
            continue  # awaiting the county
        current = aid.district_approve(actor=story.staff.county, candidate=current,
                                       expected_version=current.version, approve=True)
        if i % 2 == 0:
            half = (current.amount / 2).quantize(Decimal("0.01"))
            aid.disburse(actor=story.staff.county, candidate=current, expected_version=current.version, amount=half,
                         paid_on=story.day(20), reference=f"ZZ{year}-{current.pk:05d}")
    return True


# --------------------------------------------------------------------------------------------------------------------
# Summary and entry point


def summary_lines(year: int) -> list[str]:
    def counts(code: str) -> tuple[int, int, int]:
        rows = Case.objects.filter(case_type=code)
        return rows.count(), rows.filter(closed_at__isnull=True).count(), rows.filter(closed_at__isnull=False).count()

    today = timezone.localdate()
    total, open_, closed = counts("dropout")
    resumed = Case.objects.filter(case_type="dropout", state="resumed").count()
    overdue = Case.objects.filter(case_type="dropout", closed_at__isnull=True, due_on__lt=today).count()
    raised = Notification.objects.filter(case__case_type="dropout", key__startswith="overdue:").count()
    lines = [f"控辍保学：{total} 件（办理中 {open_}，已办结 {closed}，其中复学 {resumed}；"
             f"逾期 {overdue}，已提醒上级 {raised}），劝返记录 {ContactRecord.objects.count()} 条，"
             f"连续缺课 {Absence.objects.count()} 条"]
    total, open_, closed = counts("mental_health")
    lines.append(f"心理健康预警：{total} 件（办理中 {open_}，已结案 {closed}），仅心理健康专员可见")
    total, open_, closed = counts("hazard")
    due = safety.reinspections_due(Case.objects.all(), today, within_days=30).count()
    lines.append(f"校园安全隐患：{total} 项（整改中 {open_}，已销号 {closed}，30 天内回头看 {due}）")
    total, open_, closed = counts("rectification")
    lines.append(f"问题整改：{total} 件（办理中 {open_}，已销号 {closed}）")
    candidates = AidCandidate.objects.filter(year=year)
    by_status = dict(candidates.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    lists = ExternalList.objects.filter(year=year).count()
    lines.append(f"精准资助：外部名单 {lists} 份，资助对象 {candidates.count()} 人"
                 f"（待学校审核 {by_status.get(CandidateStatus.CANDIDATE, 0)}，"
                 f"学校已审核 {by_status.get(CandidateStatus.SCHOOL_REVIEWED, 0)}，"
                 f"区县已审批 {by_status.get(CandidateStatus.DISTRICT_APPROVED, 0)}，"
                 f"已发放 {by_status.get(CandidateStatus.DISBURSED, 0)}，"
                 f"不予资助 {by_status.get(CandidateStatus.REJECTED, 0)}）")
    return lines


def add_demo_cases(write: Callable[[str], Any], year: int, *, today: dt.date | None = None) -> list[str]:
    """Adds the demo's cases and aid (each part only when absent) and writes one line per case type."""
    import time

    started = time.monotonic()
    county = _county()
    if county is None:
        return []
    write("载入示范个案（控辍保学、心理健康、校园安全、问题整改）和精准资助…")
    with transaction.atomic():
        story = Story(today or timezone.localdate(), _staff(county), county)
        add_dropout(county, year, story)
        add_mental_health(county, year, story)
        add_hazards(county, year, story)
        add_rectification(county, year, story)
        add_aid(county, year, story)
        services.escalate_overdue(today=story.today)
    lines = summary_lines(year)
    for line in lines:
        write(f"  {line}")
    write(f"  完成，用时 {time.monotonic() - started:.1f} 秒")
    return lines
