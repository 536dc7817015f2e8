from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from conftest import Personas


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Plan documents and evidence are stored under MEDIA_ROOT; tests keep them out of the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_user(personas: Personas):  # type: ignore[no-untyped-def]
    """as_user("east_admin") → a fresh client logged in as that persona."""

    def _login(name: str) -> Client:
        client = Client()
        client.force_login(getattr(personas, name))
        return client

    return _login
