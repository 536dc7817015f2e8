"""A person's path through the product in a real Chromium: log in, import a small workbook, see the school page."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def _small_workbook(path, school_code: str) -> None:
    workbook = Workbook()
    stats = workbook.active
    stats.title = "办学条件"
    stats.append(["学年", "学校标识码", "教学及辅助用房面积（平方米）", "运动场地面积（平方米）", "图书（册）"])
    stats.append([2024, school_code, "4321.50", 9000, 25000])
    enrolment = workbook.create_sheet("分年级在校生")
    enrolment.append(["学年", "学校标识码", "年级", "男生数", "女生数"])
    enrolment.append([2024, school_code, "一年级", 61, 57])
    enrolment.append([2024, school_code, "二年级", 55, 59])
    workbook.save(path)


def test_a_district_admin_logs_in_imports_a_workbook_and_sees_it_on_the_school_page(
    transactional_db, city, personas, live_server, browser_page, settings, tmp_path
):
    settings.EDUGOV_IMPORT_SYNC = True
    workbook = tmp_path / "东区实验小学2024.xlsx"
    _small_workbook(workbook, city.east_primary.code)
    page = browser_page

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", personas.east_admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("link", name="数据导入").first.click()
    page.set_input_files("#import-upload-form input[type=file]", str(workbook))
    page.click("#import-upload-submit")
    page.wait_for_selector("#import-confirm")
    summary = page.inner_text("#import-summary")
    assert "办学条件" in summary and "分年级在校生" in summary

    page.click("#import-confirm")
    page.wait_for_function("() => document.body.innerText.includes('已导入')")

    page.goto(f"{live_server.url}/units/{city.east_primary.code}/")
    assert page.inner_text("#unit-name") == "东区实验小学"
    body = page.inner_text("body")
    assert "4,321.50" in body or "4321.50" in body or "4321.5" in body
    assert "118" in body  # 一年级 61 boys + 57 girls


def test_a_district_admin_cannot_open_a_school_of_another_district(
    transactional_db, city, personas, live_server, browser_page
):
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", personas.west_admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/$"))
    response = page.goto(f"{live_server.url}/units/{city.east_primary.code}/")
    assert response is not None and response.status == 404
