"""Plans through their services: ingest, review, publish, revise, report, 督办, and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from edugov.core.models import AuditEvent
from edugov.plans import services
from edugov.plans.models import (
    Escalation,
    EscalationKind,
    Measure,
    Plan,
    PlanVersion,
    ReviewStatus,
    Target,
    Task,
    TaskStatus,
    VersionStatus,
)
from edugov.plans.queries import compare_versions, escalations_for, plans_for, published_targets, tasks_for
from edugov.registry.services import open_unit

PLAN_TEXT = """示范市教育局2025年教育工作要点

一、推进学前教育普及普惠
（一）扩大普惠资源。新建、改扩建幼儿园10所，学前三年毛入园率达到95.5%。责任单位：学前教育科；配合单位：各区县教育局。2025年6月底前完成。
（二）加强幼儿园保教管理，开展保教质量评估。责任单位：学前教育科。
二、推动义务教育优质均衡
（一）消除大班额。56人以上大班额全部清零。责任单位：各区县教育局。2025年9月底前完成。
（二）实施教师培训，每名教师每年培训不少于90学时。责任单位：教师工作科。
"""

REVISED_TEXT = PLAN_TEXT.replace("学前三年毛入园率达到95.5%", "学前三年毛入园率达到96%").replace(
    "（二）加强幼儿园保教管理，开展保教质量评估。责任单位：学前教育科。\n", ""
) + "三、加强校园安全\n（一）开展校园安全隐患排查整治，建立隐患台账。责任单位：安全稳定科。2025年12月底前完成。\n"


def doc(text: str = PLAN_TEXT, name: str = "要点.txt") -> services.UploadedDocument:
    return services.UploadedDocument(name=name, data=text.encode("utf-8"))


@pytest.fixture
def offices(city):
    return {
        name: open_unit(actor=None, code=f"370200-{i:02d}", kind="dept", name=name, parent=city.city)
        for i, name in enumerate(["学前教育科", "教师工作科", "安全稳定科"], start=1)
    }


@pytest.fixture
def version(city, personas, offices) -> PlanVersion:
    return services.ingest_plan(actor=personas.city_admin, unit=city.city, document=doc(), year=2025)


def publish_all(version: PlanVersion, actor) -> services.PublishResult:
    for measure in version.measures.filter(lead_units__isnull=True):
        services.review_measure(actor=actor, measure=measure, status=ReviewStatus.ACCEPTED,
                                lead_units=[version.plan.unit])
    services.accept_pending(actor=actor, version=version)
    return services.publish_version(actor=actor, version=version)


def test_ingest_stores_the_text_the_sections_the_measures_and_the_targets(version):
    assert version.plan.year == 2025
    assert version.number == 1
    assert version.status == VersionStatus.REVIEW
    assert version.text.startswith("示范市教育局2025年教育工作要点")
    assert version.sections.filter(level=1).count() == 2
    measures = list(version.measures.order_by("start"))
    assert len(measures) >= 4
    for item in [*measures, *version.targets.all()]:
        assert version.text[item.start:item.end] == item.quote
    rate = version.targets.get(subject__contains="毛入园率")
    assert rate.value == Decimal("95.5")
    assert rate.comparator == ">="
    assert rate.indicator_code == "preschool_gross_enrolment"
    assert rate.owner == version.plan.unit
    assert rate.period_end == dt.date(2025, 12, 31)


def test_named_responsible_units_become_owners_and_counties_become_co_units(version, city, offices):
    expansion = version.measures.get(quote__contains="新建、改扩建幼儿园")
    assert list(expansion.lead_units.all()) == [offices["学前教育科"]]
    assert set(expansion.co_units.all()) == {city.east, city.west}
    assert expansion.deadline == dt.date(2025, 6, 30)
    target = version.targets.get(subject__contains="毛入园率")
    assert target.measure == expansion


def test_ingest_is_audited_and_refused_outside_the_users_units(city, personas, offices):
    with pytest.raises(PermissionDenied):
        services.ingest_plan(actor=personas.east_admin, unit=city.city, document=doc(), year=2025)
    assert not Plan.objects.exists()
    version = services.ingest_plan(actor=personas.east_admin, unit=city.east, document=doc(), year=2025)
    assert AuditEvent.objects.filter(object_type="plans.PlanVersion", object_id=str(version.pk),
                                     actor=personas.east_admin).exists()


@pytest.mark.parametrize(("name", "data", "code"), [
    ("empty.txt", b"", "empty"),
    ("garbage.txt", bytes(range(256)) * 40, "binary"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "doc_legacy"),
])
def test_bad_files_are_refused_with_a_chinese_reason_and_nothing_is_stored(city, personas, name, data, code):
    with pytest.raises(services.PlanInputError) as info:
        services.ingest_plan(actor=personas.city_admin, unit=city.city, year=2025,
                             document=services.UploadedDocument(name, data))
    assert info.value.code == code
    assert name in info.value.messages[0]
    assert not Plan.objects.exists() and not PlanVersion.objects.exists()


def test_publishing_is_refused_while_items_are_pending_or_a_measure_has_no_owner(version, personas):
    with pytest.raises(services.PlanInputError, match="未审核"):
        services.publish_version(actor=personas.city_admin, version=version)
    services.accept_pending(actor=personas.city_admin, version=version)
    ownerless = version.measures.filter(lead_units__isnull=True).count()
    if ownerless:
        with pytest.raises(services.PlanInputError, match="未指定牵头单位"):
            services.publish_version(actor=personas.city_admin, version=version)
    assert not Task.objects.exists()


def test_publishing_turns_accepted_measures_into_numbered_tasks(version, personas):
    rejected = version.measures.order_by("start").first()
    services.review_measure(actor=personas.city_admin, measure=rejected, status=ReviewStatus.REJECTED,
                            note="标题句，不是举措")
    result = publish_all(version, personas.city_admin)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    # One task per lead unit of each accepted measure.
    slots = sum(m.lead_units.count() for m in version.measures.filter(status=ReviewStatus.ACCEPTED))
    assert result.created == slots == Task.objects.count()
    assert list(Task.objects.order_by("number").values_list("number", flat=True)) == list(range(1, slots + 1))
    assert not Task.objects.filter(measure=rejected).exists()
    assert published_targets(version.plan).count() == version.targets.count()


def test_a_published_version_can_no_longer_be_edited(version, personas):
    publish_all(version, personas.city_admin)
    with pytest.raises(services.PlanInputError, match="已发布"):
        services.review_measure(actor=personas.city_admin, measure=version.measures.first(),
                                status=ReviewStatus.REJECTED)


def test_a_reviewer_corrects_a_target_and_adds_a_missed_one(version, personas):
    target = version.targets.get(subject__contains="毛入园率")
    services.review_target(actor=personas.city_admin, target=target, status=ReviewStatus.ACCEPTED,
                           value="96", comparator=">=")
    target.refresh_from_db()
    assert (target.value, target.comparator) == (Decimal("96"), ">=")
    added = services.add_target(actor=personas.city_admin, version=version, quote="开展保教质量评估",
                                subject="保教质量评估", comparator="count", value=1, unit_of_measure="次")
    assert version.text[added.start:added.end] == "开展保教质量评估"
    assert added.origin == "manual" and added.status == ReviewStatus.ACCEPTED
    with pytest.raises(services.PlanInputError, match="找不到"):
        services.add_target(actor=personas.city_admin, version=version, quote="原文里没有这句话",
                            subject="x", comparator="count", value=1)
    with pytest.raises(services.PlanInputError, match="上限"):
        services.review_target(actor=personas.city_admin, target=target, status=ReviewStatus.ACCEPTED,
                               value="10", value_max="5")


def test_owners_must_be_units_of_the_issuing_bureau(city, personas, offices):
    version = services.ingest_plan(actor=personas.east_admin, unit=city.east, document=doc(), year=2025)
    measure = version.measures.first()
    with pytest.raises(services.PlanInputError, match="管辖范围"):
        services.review_measure(actor=personas.east_admin, measure=measure, status=ReviewStatus.ACCEPTED,
                                lead_units=[city.west])


def test_a_revision_keeps_matching_tasks_updates_changed_ones_and_withdraws_dropped_ones(version, personas):
    publish_all(version, personas.city_admin)
    plan = version.plan
    kept = Task.objects.get(content__contains="新建、改扩建幼儿园")
    services.report_progress(actor=personas.city_admin, task=kept, progress=30, status=TaskStatus.IN_PROGRESS,
                             text="已开工 4 所")
    dropped = Task.objects.get(content__contains="保教质量评估")
    revision = services.ingest_plan(actor=personas.city_admin, unit=plan.unit, plan=plan,
                                    document=doc(REVISED_TEXT, "要点（修订）.txt"))
    assert revision.number == 2
    comparison = compare_versions(version, revision)
    changed_subjects = [comparison.target_rows[p.new].value for p in comparison.targets.changed]
    assert Decimal("96") in changed_subjects
    assert any("安全隐患" in comparison.measure_rows[k].content for k in comparison.measures.added)
    assert any("保教质量评估" in comparison.measure_rows[k].content for k in comparison.measures.removed)
    result = publish_all(revision, personas.city_admin)
    assert result.withdrawn == 1 and result.created == 1
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert "96%" in kept.content and kept.reports.count() == 1 and kept.progress == 30
    assert dropped.status == TaskStatus.WITHDRAWN
    version.refresh_from_db()
    assert version.status == VersionStatus.SUPERSEDED
    assert plan.published_version == revision


def test_each_county_gets_its_own_task_when_every_county_is_named_responsible(version, personas, city):
    publish_all(version, personas.city_admin)
    tasks = Task.objects.filter(content__contains="大班额").order_by("number")
    assert [t.lead_unit for t in tasks] == [city.east, city.west]
    assert [t.deadline for t in tasks] == [dt.date(2025, 9, 30)] * 2


def test_the_owner_reports_progress_with_evidence_and_done_means_complete(version, personas, offices, city):
    publish_all(version, personas.city_admin)
    task = Task.objects.get(content__contains="大班额", lead_unit=city.east)
    with pytest.raises(PermissionDenied):
        services.report_progress(actor=personas.west_admin, task=task, progress=10, status="in_progress",
                                 text="…")
    evidence = services.UploadedDocument("验收报告.pdf", b"%PDF-1.4 evidence")
    report = services.report_progress(actor=personas.east_admin, task=task, progress=0, status=TaskStatus.DONE,
                                      text="全部完成", evidence=[evidence], today=dt.date(2025, 8, 1))
    task.refresh_from_db()
    assert (task.status, task.progress, task.completed_on) == (TaskStatus.DONE, 100, dt.date(2025, 8, 1))
    stored = report.evidence.get()
    assert stored.file_name == "验收报告.pdf" and services.read_stored(stored.stored_path) == b"%PDF-1.4 evidence"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("script.exe", b"MZ", "类型不允许"),
    ("empty.pdf", b"", "空文件"),
])
def test_forbidden_or_empty_evidence_is_refused_and_nothing_is_recorded(version, personas, name, data, message):
    publish_all(version, personas.city_admin)
    task = Task.objects.first()
    with pytest.raises(services.PlanInputError, match=message):
        services.report_progress(actor=personas.city_admin, task=task, progress=10, status="in_progress",
                                 text="进展", evidence=[services.UploadedDocument(name, data)])
    assert not task.reports.exists()


def test_oversize_evidence_is_refused(version, personas, settings):
    settings.EDUGOV_EVIDENCE_MAX_BYTES = 1024
    publish_all(version, personas.city_admin)
    with pytest.raises(services.PlanInputError, match="上限"):
        services.report_progress(actor=personas.city_admin, task=Task.objects.first(), progress=10,
                                 status="in_progress", text="进展",
                                 evidence=[services.UploadedDocument("a.pdf", b"x" * 2048)])


def test_overdue_tasks_are_raised_to_the_owners_parent_then_one_level_higher(version, personas, city, offices):
    publish_all(version, personas.city_admin)
    task = Task.objects.get(content__contains="大班额", lead_unit=city.east)  # due 2025-09-30
    raised = services.escalate_overdue(today=dt.date(2025, 10, 8))
    mine = [e for e in raised if e.task_id == task.pk]
    assert len(mine) == 1 and mine[0].to_unit == city.city and mine[0].kind == EscalationKind.OVERDUE
    assert services.escalate_overdue(today=dt.date(2025, 10, 9)) == []  # the sweep is idempotent
    assert escalations_for(personas.east_admin).filter(task=task).exists()
    assert not escalations_for(personas.west_admin).filter(task=task).exists()
    # Resolving needs the supervising unit: the district cannot close its own 督办.
    with pytest.raises(PermissionDenied):
        services.resolve_escalation(actor=personas.east_admin, escalation=mine[0], resolution="已整改")
    Escalation.objects.filter(pk=mine[0].pk).update(raised_at=dt.datetime(2025, 10, 8, 9, tzinfo=dt.UTC))
    second = [e for e in services.escalate_overdue(today=dt.date(2025, 10, 30)) if e.task_id == task.pk]
    assert [e.level for e in second] == [2]
    services.report_progress(actor=personas.east_admin, task=task, progress=100, status=TaskStatus.DONE,
                             text="已清零")
    assert not Escalation.objects.filter(task=task, resolved_at__isnull=True).exists()


def test_a_supervisor_raises_a_manual_escalation_that_the_owner_cannot(version, personas, city):
    publish_all(version, personas.city_admin)
    task = Task.objects.get(content__contains="大班额", lead_unit=city.east)
    with pytest.raises(PermissionDenied):
        services.raise_escalation(actor=personas.east_admin, task=task, reason="自己督办自己")
    escalation = services.raise_escalation(actor=personas.city_admin, task=task, reason="请加快进度")
    assert escalation.to_unit == city.city and escalation.kind == EscalationKind.MANUAL
    services.resolve_escalation(actor=personas.city_admin, escalation=escalation, resolution="已约谈")
    escalation.refresh_from_db()
    assert escalation.resolved_at is not None


def test_a_district_sees_the_city_plan_only_through_its_own_tasks(version, personas, city):
    publish_all(version, personas.city_admin)
    assert plans_for(personas.east_admin).filter(pk=version.plan_id).exists()
    east_tasks = tasks_for(personas.east_admin, version.plan)
    assert east_tasks.exists()
    for task in east_tasks:
        assert task.lead_unit == city.east or city.east in task.co_units.all()
    assert tasks_for(personas.city_admin, version.plan).count() > east_tasks.count()
    assert not tasks_for(personas.school_admin, version.plan).exists()
    assert not plans_for(personas.school_admin).exists()


def test_targets_and_measures_keep_verbatim_quotes_for_traditional_text(city, personas, offices):
    text = "一、推進學前教育\n學前三年毛入園率達到96%以上，普惠性幼兒園覆蓋率達到85%。責任單位：學前教育科。\n"
    version = services.ingest_plan(actor=personas.city_admin, unit=city.city, document=doc(text, "繁體.txt"),
                                   year=2025)
    target = version.targets.get(subject="学前三年毛入园率")
    assert target.quote in text and "達到" in target.quote
    measure = Measure.objects.filter(version=version).first()
    assert measure is not None and measure.quote in text
    assert Target.objects.filter(version=version).count() == 2
