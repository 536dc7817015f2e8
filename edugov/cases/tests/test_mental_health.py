"""Mental health: screening import, risk levels, restricted cases (only 心理健康专员 see them), referral by level,
interventions, suppressed counts and neutral audit entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import make_user
from edugov.cases import mental_health, queries, services
from edugov.cases.models import Case, InterventionRecord, ScreeningResult
from edugov.cases.services import CaseInputError
from edugov.cases.tests.conftest import make_student
from edugov.core.choices import Role
from edugov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def counsellors(city):  # type: ignore[no-untyped-def]
    return {"school": make_user("xin", Role.COUNSELLOR, city.east_primary),
            "county": make_user("xinli", Role.COUNSELLOR, city.east),
            "west": make_user("xixin", Role.COUNSELLOR, city.west)}


@pytest.fixture
def pupil(city):  # type: ignore[no-untyped-def]
    return make_student(city.east_primary, "G001", name="王小明", seq=1)


def screen(actor, unit, rows):  # type: ignore[no-untyped-def]
    return mental_health.import_screening(actor=actor, unit=unit, year=2025, rows=rows, file_name="筛查.csv")


@pytest.fixture
def mh_case(city, counsellors, pupil) -> Case:  # type: ignore[no-untyped-def]
    outcome = screen(counsellors["school"], city.east_primary,
                     [{"学籍号": "G001", "量表": "PHQ-9", "得分": "12", "日期": TODAY.isoformat()}])
    assert len(outcome.opened) == 1
    return outcome.opened[0]


def test_a_score_at_the_open_case_level_opens_a_case_and_one_below_does_not(city, counsellors, pupil):
    other = make_student(city.east_primary, "G002", name="李小红", seq=2)
    outcome = screen(counsellors["school"], city.east_primary, [
        {"学籍号": "G001", "量表": "PHQ-9", "得分": "10", "日期": TODAY.isoformat()},
        {"身份证号": other.id_number, "量表": "phq9", "得分": "9", "日期": TODAY.isoformat()},
    ])
    levels = {r.student.student_no: r.risk_level for r in outcome.results}
    assert levels == {"G001": "moderate", "G002": "mild"}
    assert [c.student.student_no for c in outcome.opened] == ["G001"]
    case = outcome.opened[0]
    assert case.case_type == "mental_health" and case.state == "alert" and case.unit == city.east_primary
    assert "王" not in case.title and ScreeningResult.objects.get(student=pupil).case == case


def test_a_second_high_result_is_linked_to_the_open_case_not_a_new_one(city, counsellors, mh_case):
    again = screen(counsellors["school"], city.east_primary,
                   [{"学籍号": "G001", "量表": "GAD-7", "得分": "16", "日期": TODAY.isoformat()}])
    assert again.opened == [] and again.results[0].case == mh_case
    assert Case.objects.filter(case_type="mental_health").count() == 1


def test_the_import_is_all_or_nothing_with_row_numbered_chinese_errors(city, counsellors, pupil):
    with pytest.raises(CaseInputError) as err:
        screen(counsellors["school"], city.east_primary, [
            {"学籍号": "G001", "量表": "PHQ-9", "得分": "12", "日期": TODAY.isoformat()},
            {"学籍号": "NOPE", "量表": "PHQ-9", "得分": "3", "日期": TODAY.isoformat()},
            {"学籍号": "G001", "量表": "ABC", "得分": "x", "日期": "昨天"},
            {"学籍号": "G001", "量表": "PHQ-9", "得分": "28", "日期": TODAY.isoformat()},
            {"学籍号": "G001", "量表": "PHQ-9", "得分": "11", "日期": TODAY.isoformat()},
        ])
    text = "；".join(err.value.messages)
    assert "第3行：未找到该学生" in text and "第4行：量表“ABC”未配置分界值" in text and "第4行：得分“x”不是数字" in text
    assert "第4行：日期“昨天”无效" in text and "第5行：PHQ-9 抑郁筛查量表得分应在 0–27 之间" in text
    assert "第6行：与第2行重复" in text
    assert not ScreeningResult.objects.exists() and not Case.objects.exists()


def test_only_a_counsellor_may_import_screening_results(city, personas, counsellors, pupil):
    rows = [{"学籍号": "G001", "量表": "PHQ-9", "得分": "12", "日期": TODAY.isoformat()}]
    for user in (personas.school_admin, personas.east_admin, personas.city_admin, counsellors["west"]):
        with pytest.raises(PermissionDenied):
            screen(user, city.east_primary, rows)


@pytest.mark.parametrize("persona", ["school_admin", "east_admin", "city_admin", "inspector", "viewer"])
def test_no_other_role_sees_a_mental_health_case_by_url_list_dashboard_notifications_or_export(
        as_user, persona, mh_case):
    client = as_user(persona)
    assert client.get(f"/cases/{mh_case.pk}/").status_code == 404
    evidence_free = [client.get("/cases/list/").content.decode(), client.get("/cases/notifications/").content.decode()]
    assert all("PHQ-9" not in page and f"/cases/{mh_case.pk}/" not in page and "王" not in page
               for page in evidence_free)
    dashboard = client.get("/cases/")
    assert dashboard.context["board"].open == 0 and dashboard.context["board"].by_type == []
    assert "PHQ-9" not in dashboard.content.decode()
    assert client.get("/cases/screening/").status_code == 404
    assert client.get("/cases/ledgers.xlsx?year=2025").status_code == 200
    assert client.get("/cases/hazards.xlsx").status_code == 200


@pytest.mark.parametrize("persona", ["school_admin", "east_admin", "city_admin", "inspector", "viewer"])
def test_counts_of_mental_health_cases_below_five_are_shown_as_less_than_five(as_user, persona, mh_case):
    dashboard = as_user(persona).get("/cases/")
    assert dashboard.context["restricted"] == [{"case_type": "mental_health", "name": "心理健康预警", "open": "<5"}]
    assert "&lt;5" in dashboard.content.decode()


def test_five_or_more_hidden_cases_are_counted_and_the_minimum_is_configurable(city, personas, counsellors, settings):
    rows = []
    for n in range(5):
        make_student(city.east_primary, f"H{n}", seq=10 + n)
        rows.append({"学籍号": f"H{n}", "量表": "PHQ-9", "得分": "20", "日期": TODAY.isoformat()})
    screen(counsellors["school"], city.east_primary, rows)
    assert queries.restricted_aggregates(personas.east_admin)[0]["open"] == "5"
    assert queries.restricted_aggregates(personas.west_admin)[0]["open"] == "<5"
    settings.EDUGOV_MIN_AGGREGATE_SIZE = 10
    assert queries.restricted_aggregates(personas.east_admin)[0]["open"] == "<10"
    assert queries.suppressed(0) == "<10" and queries.suppressed(4, 5) == "<5" and queries.suppressed(5, 5) == "5"


def test_the_counsellors_of_the_school_and_county_see_the_case_with_the_name_but_not_another_county(
        client, city, counsellors, mh_case):
    for who in ("school", "county"):
        client.force_login(counsellors[who])
        page = client.get(f"/cases/{mh_case.pk}/").content.decode()
        assert "王小明" in page and "PHQ-9" in client.get("/cases/list/").content.decode()
        dashboard = client.get("/cases/").context
        assert dashboard["board"].open == 1 and dashboard["restricted"] == []
    client.force_login(counsellors["west"])
    assert client.get(f"/cases/{mh_case.pk}/").status_code == 404


def test_the_audit_log_names_the_case_neutrally_and_never_the_pupil(client, counsellors, mh_case):
    client.force_login(counsellors["school"])
    client.get(f"/cases/{mh_case.pk}/")
    services.take_transition(actor=counsellors["school"], case=mh_case, transition_code="start",
                             expected_state="alert", expected_version=1, fields={"assessment": "情绪低落"})
    mental_health.add_intervention(actor=counsellors["school"], case=mh_case, on=TODAY, kind="counselling",
                                   by="心理老师", note="个别辅导一次")
    events = AuditEvent.objects.filter(object_type="cases.Case", object_id=str(mh_case.pk))
    assert events.count() >= 3 and {e.object_repr for e in events} == {f"心理个案 #{mh_case.pk}"}
    for event in AuditEvent.objects.all():
        assert "王小明" not in f"{event.object_repr}{event.before}{event.after}{event.message}"
        assert "心理筛查预警" not in event.object_repr


def test_referral_goes_school_counsellor_to_county_centre_to_hospital_by_the_county(counsellors, personas, mh_case):
    school, county = counsellors["school"], counsellors["county"]
    with pytest.raises(PermissionDenied):
        services.take_transition(actor=personas.school_admin, case=mh_case, transition_code="start",
                                 expected_state="alert", expected_version=1, fields={"assessment": "x"})
    case = services.take_transition(actor=school, case=mh_case, transition_code="start", expected_state="alert",
                                    expected_version=1, fields={"assessment": "情绪低落"})
    case = services.take_transition(actor=school, case=case, transition_code="refer_county",
                                    expected_state="intervening", expected_version=2,
                                    fields={"referred_on": TODAY.isoformat(), "referral_reason": "持续低落",
                                            "guardian_informed": "已告知并同意"})
    assert case.state == "referred_county"
    with pytest.raises(CaseInputError, match="无权办理"):
        services.take_transition(actor=school, case=case, transition_code="refer_hospital",
                                 expected_state="referred_county", expected_version=3,
                                 fields={"hospital": "市精神卫生中心", "hospital_referred_on": TODAY.isoformat()})
    case = services.take_transition(actor=county, case=case, transition_code="refer_hospital",
                                    expected_state="referred_county", expected_version=3,
                                    fields={"hospital": "市精神卫生中心", "hospital_referred_on": TODAY.isoformat()})
    case = services.take_transition(actor=school, case=case, transition_code="to_follow_up",
                                    expected_state="referred_hospital", expected_version=4,
                                    fields={"follow_up_plan": "每月随访"})
    assert case.state == "follow_up" and case.follow_up_on == TODAY + dt.timedelta(days=30)
    assert case.due_on == TODAY + dt.timedelta(days=90)
    mental_health.add_intervention(actor=school, case=case, on=TODAY, kind="follow_up", by="心理老师", note="随访")
    case.refresh_from_db()
    assert case.follow_up_done_on == TODAY
    case = services.take_transition(actor=school, case=case, transition_code="close", expected_state="follow_up",
                                    expected_version=5, fields={"outcome": "情绪稳定"})
    assert case.state == "closed" and not case.is_open


def test_only_a_counsellor_records_interventions(personas, counsellors, mh_case):
    with pytest.raises(PermissionDenied):
        mental_health.add_intervention(actor=personas.school_admin, case=mh_case, on=TODAY, kind="counselling",
                                       by="x", note="y")
    with pytest.raises(PermissionDenied):
        services.add_contact(actor=personas.school_admin, case=mh_case, contacted_on=TODAY, contacted_by="x",
                             method="phone", outcome="y")
    mental_health.add_intervention(actor=counsellors["county"], case=mh_case, on=TODAY, kind="crisis", by="区心理中心",
                                   note="危机评估")
    assert InterventionRecord.objects.filter(case=mh_case).count() == 1


def test_the_counsellor_imports_a_csv_through_the_page(client, city, counsellors, pupil):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(counsellors["county"])
    csv = f"学籍号,量表,得分,日期\nG001,PHQ-9,21,{TODAY.isoformat()}\n".encode()
    response = client.post("/cases/screening/", {"unit": city.east.code, "year": 2025,
                                                  "file": SimpleUploadedFile("s.csv", csv)})
    assert response.status_code == 302
    assert Case.objects.get(case_type="mental_health").data["risk_level"] == "severe"
