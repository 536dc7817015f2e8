"""A bureau's path through a work plan in a real Chromium: upload, review with htmx, publish, and a district's
report on its own task."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from edugov.indicators.services import sync_shipped
from edugov.registry.services import open_unit

pytestmark = pytest.mark.browser

PLAN = """示范市教育局2025年教育工作要点
一、推进学前教育普及普惠
（一）扩大普惠资源。新建、改扩建幼儿园10所，学前三年毛入园率达到95.5%。责任单位：学前教育科。2025年6月底前完成。
二、推动义务教育优质均衡
（一）消除大班额。56人以上大班额全部清零。责任单位：各区县教育局。2025年9月底前完成。
"""


def _login(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/$"))


def test_a_city_admin_reviews_and_publishes_a_plan_and_a_district_reports_on_its_task(
    transactional_db, city, personas, live_server, browser_page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    open_unit(actor=None, code="370200-01", kind="dept", name="学前教育科", parent=city.city)
    plan_file = tmp_path / "2025年教育工作要点.txt"
    plan_file.write_text(PLAN, encoding="gb18030")
    page = browser_page

    _login(page, live_server.url, personas.city_admin.username)
    page.get_by_role("link", name="工作计划").first.click()
    page.select_option("#id_unit", label="示范市（市）")
    page.set_input_files("#id_file", str(plan_file))
    page.click("#plan-upload-submit")
    page.wait_for_selector("#plan-text")
    assert "毛入园率" in page.inner_text("#target-items")
    assert page.locator("#plan-text .hl-target").count() >= 2

    # Reject the first target with htmx: the row is replaced in place.
    first_target = page.locator("#target-items > li").first
    first_target.get_by_role("button", name="驳回").click()
    page.wait_for_selector("#target-items > li.item-rejected")

    page.click("#accept-all")
    page.wait_for_selector("#publish:not([disabled])")
    page.click("#publish")
    page.wait_for_selector("#ledger-table")
    assert "东区" in page.inner_text("#ledger-table") and "西区" in page.inner_text("#ledger-table")
    page.click("#logout")

    _login(page, live_server.url, personas.east_admin.username)
    page.get_by_role("link", name="工作计划").first.click()
    page.get_by_role("link", name="任务台账").first.click()
    rows = page.inner_text("#ledger-table")
    assert "东区" in rows and "西区" not in rows
    page.get_by_role("link", name=re.compile("大班额")).first.click()
    page.select_option("#id_status", "in_progress")
    page.fill("#id_progress", "50")
    page.fill("#id_text", "已完成一半学校的分班调整")
    page.click("#report-submit")
    page.wait_for_selector("#task-reports")
    assert "已完成一半学校的分班调整" in page.inner_text("#task-reports")
    assert "50%" in page.inner_text("body")


def test_a_district_registers_a_target_of_its_own_and_sees_it_judged(
    transactional_db, city, personas, live_server, browser_page
):
    # a transactional test before this one flushed the tables, the catalogue's too
    sync_shipped()
    page = browser_page
    _login(page, live_server.url, personas.east_admin.username)
    page.goto(f"{live_server.url}/plans/targets/")
    page.click("#target-entry summary")
    page.select_option("#id_owner", label="东区（370202）")
    page.select_option("#id_indicator_code", value="large_class")
    page.select_option("#id_comparator", value="zero")
    page.fill("#id_deadline_year", "2026")
    page.click("#target-entry-form button[type=submit]")
    page.wait_for_selector("#target-table")
    row = page.locator("#target-table tbody tr").filter(has_text="登记目标")
    assert row.count() == 1
    assert "东区大班额比例清零（2026年底前）" in row.inner_text()
    row.get_by_role("button", name="撤销目标").click()
    page.wait_for_selector("#target-table")
    assert page.locator("#target-table tbody tr").filter(has_text="登记目标").count() == 0
