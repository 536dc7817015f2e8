from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from edugov.allocation import services
from edugov.allocation.choices import DrawStatus
from edugov.allocation.models import Draw

from .helpers import ROSTER_CSV, SEED, TEAMS_CSV, commit_seats, commit_teams


@pytest.fixture
def committed(personas, city):
    return commit_teams(personas.east_admin, city.east_primary)


@pytest.fixture
def drawn(personas, committed):
    return services.perform_draw(actor=personas.east_admin, draw=committed)


def test_the_public_page_shows_the_commitment_before_the_draw_and_no_seed(client, committed):
    response = client.get(reverse("allocation:public", args=[committed.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert committed.seed_commitment in html
    assert committed.input_sha256 in html
    assert SEED not in html
    assert "抽签时公布" in html
    assert "重新计算并验证" not in html


def test_the_public_page_after_the_draw_shows_seed_hashes_and_masked_names(client, drawn):
    html = client.get(reverse("allocation:public", args=[drawn.public_id])).content.decode()
    assert SEED in html and drawn.output_sha256 in html and drawn.seed_commitment in html
    assert "重新计算并验证" in html
    assert "张三" not in html and "张*" in html


def test_the_verify_button_reports_success(client, drawn):
    response = client.post(reverse("allocation:verify", args=[drawn.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证通过" in html and drawn.output_sha256 in html


def test_the_verify_button_answers_htmx_with_the_fragment(client, drawn):
    response = client.post(reverse("allocation:verify", args=[drawn.public_id]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("<div id=\"verify-result\"") and "验证通过" in html


def test_the_verify_button_reports_a_tampered_output_with_the_rows(client, drawn):
    tampered = bytes(drawn.output_bytes).replace("一组".encode(), "二组".encode(), 1)
    Draw.objects.filter(pk=drawn.pk).update(output_bytes=tampered)
    html = client.post(reverse("allocation:verify", args=[drawn.public_id])).content.decode()
    assert "验证未通过" in html and "结果文件与记录不符" in html and "第" in html


def test_the_public_csv_is_masked_and_the_record_downloads(client, drawn):
    csv_text = client.get(reverse("allocation:public_csv", args=[drawn.public_id])).content.decode()
    assert csv_text.startswith("class,team_id,members") and "张*" in csv_text and "张三" not in csv_text
    record = client.get(reverse("allocation:record", args=[drawn.public_id])).json()
    assert record["output_sha256"] == drawn.output_sha256 and record["seed"] == SEED


def test_the_public_csv_does_not_exist_before_the_draw(client, committed):
    assert client.get(reverse("allocation:public_csv", args=[committed.public_id])).status_code == 404


def test_an_unknown_draw_is_404(client, city):
    assert client.get(reverse("allocation:public", args=["no-such-draw"])).status_code == 404


def test_the_staff_list_needs_a_login(client, committed):
    response = client.get(reverse("allocation:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_staff_list_is_scoped(client, personas, city, committed):
    west = commit_seats(personas.west_admin, city.west_primary)
    client.force_login(personas.west_admin)
    html = client.get(reverse("allocation:list")).content.decode()
    assert west.public_id in html and committed.public_id not in html
    client.force_login(personas.east_admin)
    html = client.get(reverse("allocation:list")).content.decode()
    assert committed.public_id in html and west.public_id not in html


def test_an_outsider_cannot_draw_or_download_an_east_draw(client, personas, committed):
    client.force_login(personas.west_admin)
    assert client.post(reverse("allocation:perform", args=[committed.public_id])).status_code == 404
    assert client.get(reverse("allocation:file", args=[committed.public_id, "input"])).status_code == 404
    assert Draw.objects.get(pk=committed.pk).status == DrawStatus.COMMITTED


def test_staff_create_a_draw_through_the_form_and_perform_it(client, personas, city):
    client.force_login(personas.school_admin)
    response = client.post(reverse("allocation:list"), {
        "org_unit": city.east_primary.pk, "kind": "seats", "title": "一班座位", "rows": 4, "cols": 6, "periods": 2,
        "front_rows": 1, "group_width": 2, "file": SimpleUploadedFile("名单.csv", ROSTER_CSV, "text/csv"),
    })
    draw = Draw.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/draws/{draw.public_id}/")
    assert draw.parameters["periods"] == 2 and len(draw.sealed_seed) == 32
    response = client.post(reverse("allocation:perform", args=[draw.public_id]))
    assert response.status_code == 302
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    assert services.verify_draw(draw).ok


def test_performing_with_a_wrong_seed_shows_the_reason_and_changes_nothing(client, personas, committed):
    client.force_login(personas.east_admin)
    response = client.post(reverse("allocation:perform", args=[committed.public_id]), {"seed": "wrong"}, follow=True)
    assert "与事先公布的承诺值不符" in response.content.decode()
    assert Draw.objects.get(pk=committed.pk).status == DrawStatus.COMMITTED


def test_the_create_form_reports_bad_input_in_chinese(client, personas, city):
    client.force_login(personas.east_admin)
    bad = TEAMS_CSV.replace("二组,班主任:王五,".encode(), "二组,班主任:王五,1;2;3;4".encode())
    response = client.post(reverse("allocation:list"), {
        "org_unit": city.east_primary.pk, "kind": "teams", "title": "t", "classes": 4,
        "file": SimpleUploadedFile("t.csv", bad, "text/csv"),
    })
    assert response.status_code == 200 and "回避了全部班级" in response.content.decode()
    assert not Draw.objects.exists()


def test_a_viewer_sees_no_create_form_and_cannot_post_one(client, personas, committed):
    client.force_login(personas.viewer)
    html = client.get(reverse("allocation:list")).content.decode()
    assert committed.public_id in html and "draw-create-form" not in html
    assert client.post(reverse("allocation:list"), {"title": "x"}).status_code == 403


def test_staff_with_sensitive_access_download_the_unmasked_output(client, personas, drawn):
    client.force_login(personas.east_admin)
    response = client.get(reverse("allocation:file", args=[drawn.public_id, "output"]))
    assert response.status_code == 200 and response.content == bytes(drawn.output_bytes)
