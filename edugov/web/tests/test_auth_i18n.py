from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese_by_default(client: Client) -> None:
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-CN"' in html
    assert "登录" in html and "用户名" in html and "密码" in html
    assert 'id="login-submit"' in html and 'id="id_username"' in html and 'id="id_password"' in html


def test_login_page_is_in_english_after_switching_language(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    html = client.get("/login/").content.decode()
    assert 'lang="en"' in html
    assert "Sign in" in html and "Username" in html
    assert "用户名" not in html


def test_header_offers_each_language_in_its_own_name(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert "简体中文" in html and "English" in html


def test_it_logs_in_and_shows_name_role_and_unit(client: Client, personas: Personas) -> None:
    response = client.post("/login/", {"username": "li", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    html = client.get("/").content.decode()
    assert "区县管理员 · 东区" in html


def test_wrong_password_is_refused_in_chinese(client: Client, personas: Personas) -> None:
    response = client.post("/login/", {"username": "li", "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/org/", "/quality/", "/imports/", "/audit/", "/units/370202/"])
def test_pages_require_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_year_selector_is_kept_in_the_session(as_user, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    assert '<option value="2024" selected' in client.get("/").content.decode()
    response = client.post("/year/", {"year": "2023", "next": "/org/"})
    assert response.status_code == 302 and response["Location"] == "/org/"
    assert '<option value="2023" selected' in client.get("/").content.decode()


def test_year_selector_ignores_years_without_data_and_foreign_redirects(as_user, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("east_admin")
    response = client.post("/year/", {"year": "1999", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert '<option value="2024" selected' in client.get("/").content.decode()


CHOSEN_LANGUAGE_MIDDLEWARE = [
    "edugov.web.middleware.ChosenLanguageMiddleware" if m == "django.middleware.locale.LocaleMiddleware" else m
    for m in django_settings.MIDDLEWARE
]


def test_chosen_language_middleware_ignores_the_browser_language(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MIDDLEWARE = CHOSEN_LANGUAGE_MIDDLEWARE
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-CN"' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert 'lang="en"' in client.get("/login/").content.decode()


def test_grade_names_are_translated_in_english(as_user, city, year_data) -> None:  # type: ignore[no-untyped-def]
    client = as_user("school_admin")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    data = client.get(f"/units/{city.east_primary.code}/charts/students.json").json()
    assert data["labels"] == ["Grade 1", "Grade 2"]
