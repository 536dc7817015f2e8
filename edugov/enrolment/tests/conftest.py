from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from conftest import City, Personas, make_school

from .helpers import make_parent, make_round


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Evidence is stored under MEDIA_ROOT; tests keep it out of the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_user(personas: Personas):  # type: ignore[no-untyped-def]
    """as_user("east_admin") → a fresh client logged in as that persona."""

    def _login(name: str) -> Client:
        client = Client()
        client.force_login(getattr(personas, name))
        return client

    return _login


@pytest.fixture
def parent(db):  # type: ignore[no-untyped-def]
    return make_parent("mama")


@pytest.fixture
def other_parent(db):  # type: ignore[no-untyped-def]
    return make_parent("baba")


@pytest.fixture
def second_school(city: City):  # type: ignore[no-untyped-def]
    return make_school("2137020009", "东区第二小学", city.east)


@pytest.fixture
def rnd(personas: Personas, city: City, second_school):  # type: ignore[no-untyped-def]
    """东区2026年小学一年级招生, open now: 东区实验小学 (1 seat, every tier) and 东区第二小学 (2 seats, no 随迁)."""
    return make_round(personas.east_admin, city, second_school)
