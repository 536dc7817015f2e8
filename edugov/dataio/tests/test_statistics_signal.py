"""The import announces which (unit, year) statistics it wrote: ``signals.statistics_applied``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import City
from edugov.dataio.services import import_path
from edugov.dataio.signals import statistics_applied


@pytest.fixture
def sent() -> Any:
    calls: list[frozenset[tuple[int, int]]] = []

    def receiver(sender: Any, pairs: frozenset[tuple[int, int]], **kwargs: Any) -> None:
        calls.append(pairs)

    statistics_applied.connect(receiver, dispatch_uid="test-statistics-applied")
    yield calls
    statistics_applied.disconnect(dispatch_uid="test-statistics-applied")


def _csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_an_applied_import_sends_the_pairs_it_wrote_once(city: City, tmp_path: Path, sent: list[Any]) -> None:
    path = _csv(tmp_path / "分年级在校生.csv", "学年,学校标识码,年级,男生数,女生数",
                f"2024,{city.east_primary.code},一年级,10,12", f"2024,{city.west_primary.code},一年级,9,9",
                f"2023,{city.west_primary.code},一年级,8,8")
    assert import_path(path, actor=None).ok
    assert sent == [frozenset({(city.east_primary.pk, 2024), (city.west_primary.pk, 2024),
                               (city.west_primary.pk, 2023)})]
    # The same file again changes nothing, so nothing is announced; a changed row is.
    assert import_path(path, actor=None).ok
    assert len(sent) == 1
    _csv(path, "学年,学校标识码,年级,男生数,女生数", f"2024,{city.west_primary.code},一年级,9,10")
    assert import_path(path, actor=None).ok
    assert sent[-1] == frozenset({(city.west_primary.pk, 2024)})


def test_a_dry_run_or_a_failed_import_sends_nothing(city: City, tmp_path: Path, sent: list[Any]) -> None:
    header = "学年,学校标识码,年级,男生数,女生数"
    good = _csv(tmp_path / "分年级在校生.csv", header, f"2024,{city.east_primary.code},一年级,10,12")
    assert import_path(good, actor=None, dry_run=True).ok
    (tmp_path / "bad").mkdir()
    bad = _csv(tmp_path / "bad" / "分年级在校生.csv", header, f"2024,{city.east_primary.code},一年级,10,12",
               "2024,9999999999,一年级,1,1")
    assert not import_path(bad, actor=None).ok
    assert sent == []


def test_a_failing_receiver_does_not_undo_the_import(city: City, tmp_path: Path) -> None:
    from edugov.stats.models import GradeEnrolment

    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    statistics_applied.connect(broken, dispatch_uid="test-broken")
    try:
        path = _csv(tmp_path / "分年级在校生.csv", "学年,学校标识码,年级,男生数,女生数",
                    f"2024,{city.east_primary.code},一年级,10,12")
        assert import_path(path, actor=None).ok
    finally:
        statistics_applied.disconnect(dispatch_uid="test-broken")
    assert GradeEnrolment.objects.filter(unit=city.east_primary, year=2024).exists()
