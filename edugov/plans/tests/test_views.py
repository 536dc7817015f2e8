"""Plans through HTTP: upload → highlighted review → publish → ledger, progress, 督办, exports, per-unit views."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from edugov.plans.models import Escalation, Measure, Plan, PlanVersion, ReviewStatus, Target, Task, TaskStatus
from edugov.plans.tests.test_services import PLAN_TEXT, REVISED_TEXT, publish_all
from edugov.registry.services import open_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(city):
    return {name: open_unit(actor=None, code=f"370200-{i:02d}", kind="dept", name=name, parent=city.city)
            for i, name in enumerate(["学前教育科", "教师工作科", "安全稳定科"], start=1)}


def upload(client, city, text: str = PLAN_TEXT, name: str = "要点.txt", data: bytes | None = None):  # type: ignore[no-untyped-def]
    payload = data if data is not None else text.encode("utf-8")
    return client.post("/plans/", {"unit": city.city.pk, "year": 2025, "title": "",
                                   "file": SimpleUploadedFile(name, payload)})


@pytest.fixture
def published(as_user, city, personas, offices) -> Plan:  # type: ignore[no-untyped-def]
    client = as_user("city_admin")
    upload(client, city)
    version = PlanVersion.objects.get()
    publish_all(version, personas.city_admin)
    return version.plan


def test_a_city_admin_uploads_a_plan_and_lands_on_the_highlighted_review(as_user, city, offices):
    client = as_user("city_admin")
    response = upload(client, city)
    version = PlanVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/versions/{version.pk}/"
    page = client.get(response["Location"]).content.decode()
    target = version.targets.get(subject__contains="毛入园率")
    assert f'id="t-{target.pk}"' in page and "hl-target" in page and "hl-measure" in page
    assert "学前三年毛入园率" in page and 'id="publish"' in page and "disabled" in page


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.txt", b"", "文件内容为空"),
    ("old.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "另存为 .docx"),
    ("scan.pdf", b"%PDF-1.4\n%%EOF", "PDF"),
])
def test_a_bad_upload_shows_the_reason_and_stores_nothing(as_user, city, name, data, message):
    response = upload(as_user("city_admin"), city, name=name, data=data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_quick_accept_and_edit_through_htmx_return_the_item_fragment(as_user, city, offices):
    client = as_user("city_admin")
    upload(client, city)
    measure = Measure.objects.order_by("start").first()
    response = client.post(f"/plans/measures/{measure.pk}/", {"status": "accepted"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="item-m-{measure.pk}"' in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == ReviewStatus.ACCEPTED
    form = client.get(f"/plans/measures/{measure.pk}/?edit=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'name="lead_units"' in form
    response = client.post(f"/plans/measures/{measure.pk}/", {
        "status": "accepted", "content": "改写后的任务", "lead_units": [offices["教师工作科"].pk],
        "co_units": [city.east.pk], "deadline": "2025-11-30", "note": ""}, HTTP_HX_REQUEST="true")
    measure.refresh_from_db()
    assert (measure.content, list(measure.lead_units.all()), measure.deadline.isoformat()) == (
        "改写后的任务", [offices["教师工作科"]], "2025-11-30")
    assert list(measure.co_units.all()) == [city.east]
    target = Target.objects.get(subject__contains="毛入园率")
    client.post(f"/plans/targets/{target.pk}/", {"status": "rejected"}, HTTP_HX_REQUEST="true")
    target.refresh_from_db()
    assert target.status == ReviewStatus.REJECTED


def test_an_owner_outside_the_bureau_is_refused_in_the_form(as_user, city, personas):
    client = as_user("east_admin")
    client.post("/plans/", {"unit": city.east.pk, "year": 2025, "file": SimpleUploadedFile("a.txt",
                                                                                       PLAN_TEXT.encode())})
    measure = Measure.objects.first()
    response = client.post(f"/plans/measures/{measure.pk}/", {
        "status": "accepted", "content": "x", "lead_units": [city.west.pk]}, HTTP_HX_REQUEST="true")
    assert "选择一个有效的选项" in response.content.decode()
    assert city.west not in measure.lead_units.all()


def test_accept_all_then_publish_leads_to_the_ledger(as_user, city, offices):
    client = as_user("city_admin")
    upload(client, city)
    version = PlanVersion.objects.get()
    for measure in version.measures.filter(lead_units__isnull=True):
        client.post(f"/plans/measures/{measure.pk}/", {"status": "accepted", "content": measure.content,
                                                       "lead_units": [city.city.pk]})
    client.post(f"/plans/versions/{version.pk}/accept-all/")
    response = client.post(f"/plans/versions/{version.pk}/publish/")
    assert response.status_code == 302 and response["Location"] == f"/plans/{version.plan_id}/ledger/"
    ledger = client.get(response["Location"]).content.decode()
    assert Task.objects.count() > 0
    assert all(f"/plans/tasks/{t.pk}/" in ledger for t in Task.objects.all())


def test_a_district_sees_only_its_tasks_and_other_districts_get_404(as_user, city, published):
    east = as_user("east_admin")
    ledger = east.get(f"/plans/{published.pk}/ledger/")
    assert ledger.status_code == 200
    body = ledger.content.decode()
    east_tasks = Task.objects.filter(lead_unit=city.east)
    assert east_tasks.exists()
    others = Task.objects.exclude(lead_unit=city.east).exclude(co_units=city.east)
    assert all(f"/plans/tasks/{t.pk}/" in body for t in east_tasks)
    assert not any(f"/plans/tasks/{t.pk}/\"" in body for t in others)
    # The district may not open the plan's text and review.
    version = published.versions.get()
    assert east.get(f"/plans/versions/{version.pk}/").status_code == 404
    school = as_user("school_admin")
    assert school.get(f"/plans/{published.pk}/ledger/").status_code == 404
    assert school.get(f"/plans/tasks/{east_tasks.first().pk}/").status_code == 404


def test_the_owner_reports_progress_with_evidence_and_anyone_in_scope_can_download_it(as_user, city, published):
    task = Task.objects.filter(lead_unit=city.east).first()
    east = as_user("east_admin")
    response = east.post(f"/plans/tasks/{task.pk}/", {
        "status": "in_progress", "progress": 60, "text": "已完成 3 所学校的分班调整",
        "evidence": SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff photo")})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.progress) == (TaskStatus.IN_PROGRESS, 60)
    evidence = task.reports.get().evidence.get()
    download = as_user("city_admin").get(f"/plans/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"\xff\xd8\xff photo"
    assert as_user("west_admin").get(f"/plans/evidence/{evidence.pk}/").status_code == 404
    refused = east.post(f"/plans/tasks/{task.pk}/", {
        "status": "in_progress", "progress": 70, "text": "x", "evidence": SimpleUploadedFile("run.exe", b"MZ")})
    assert "类型不允许" in refused.content.decode()
    assert task.reports.count() == 1


def test_the_city_raises_and_resolves_a_manual_escalation(as_user, city, published):
    task = Task.objects.filter(lead_unit=city.east).first()
    city_client = as_user("city_admin")
    city_client.post(f"/plans/tasks/{task.pk}/escalate/", {"reason": "进度滞后，请说明原因"})
    escalation = Escalation.objects.get(task=task)
    assert "进度滞后" in as_user("east_admin").get("/plans/escalations/").content.decode()
    assert as_user("east_admin").post(f"/plans/escalations/{escalation.pk}/resolve/",
                                      {"resolution": "自行办结"}).status_code == 403
    city_client.post(f"/plans/escalations/{escalation.pk}/resolve/", {"resolution": "已说明"})
    escalation.refresh_from_db()
    assert escalation.resolution == "已说明"


def test_the_ledger_exports_to_excel_and_word(as_user, published):
    from docx import Document
    from openpyxl import load_workbook

    client = as_user("city_admin")
    xlsx = client.get(f"/plans/{published.pk}/ledger.xlsx")
    assert xlsx.status_code == 200 and "filename*=UTF-8''" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["任务台账"]
    rows = [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(rows) == Task.objects.count()
    docx = client.get(f"/plans/{published.pk}/ledger.docx")
    document = Document(io.BytesIO(docx.content))
    assert document.tables[0].rows[0].cells[0].text == "序号"


def test_a_revision_shows_its_differences(as_user, city, published):
    client = as_user("city_admin")
    response = client.post(f"/plans/{published.pk}/", {"file": SimpleUploadedFile("修订.txt",
                                                                                  REVISED_TEXT.encode())})
    revision = PlanVersion.objects.get(number=2)
    assert response["Location"] == f"/plans/versions/{revision.pk}/"
    page = client.get(f"/plans/versions/{revision.pk}/diff/").content.decode()
    assert "96" in page and "安全隐患" in page and "保教质量评估" in page


def test_the_plan_pages_render_in_english_too(as_user, published):
    client = as_user("city_admin")
    client.cookies["django_language"] = "en"
    assert client.get("/plans/").status_code == 200
    assert client.get(f"/plans/{published.pk}/ledger/").status_code == 200
