"""The generated data imports cleanly through the real importer: the demo must never greet people with errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from edugov.demo.generator import GenerationSummary, generate
from edugov.registry.models import OrgLink, OrgUnit
from edugov.stats.models import ClassSection, GradeEnrolment, SchoolYearStats, StudentRecord, TeacherRecord

services = pytest.importorskip("edugov.dataio.services")


def problems(result: object) -> list[dict[str, object]]:
    return [e for e in getattr(result, "errors", []) if e.get("severity") == "error"][:5]


def test_the_county_imports_with_zero_errors_and_everything_lands(
        db: None, county_output: tuple[Path, GenerationSummary]) -> None:
    outdir, summary = county_output
    result = services.import_path(outdir, actor=None)
    assert result.ok and result.error_count == 0, problems(result)
    assert OrgUnit.objects.count() == summary.rows["units"]
    assert OrgLink.objects.exclude(hierarchy="admin").count() == summary.rows["memberships"]
    assert SchoolYearStats.objects.count() == summary.rows["school_stats"]
    assert StudentRecord.objects.count() == summary.rows["students"]
    assert TeacherRecord.objects.count() == summary.rows["teachers"]
    # Enrolment of schools with person records is derived; the aggregate-only schools keep their imported rows.
    enrolled = sum(e.total for e in GradeEnrolment.objects.filter(year=summary.year))
    assert enrolled == summary.students
    large = ClassSection.objects.filter(year=summary.year, size__gte=56).count()
    assert large > 0, "the county shows no 大班额 at all"


def test_importing_the_same_output_twice_changes_nothing(db: None, tmp_path: Path) -> None:
    """Every value must survive the round trip exactly (decimals, codes, dates), or re-imports report changes."""
    outdir = tmp_path / "tiny"
    generate(outdir, scale="tiny")
    assert services.import_path(outdir, actor=None).ok
    again = services.import_path(outdir, actor=None)
    assert again.ok, problems(again)
    changed = {table: counts for table, counts in again.summary.items() if counts.get("new") or counts.get("changed")}
    assert changed == {}


def test_the_workbook_imports_like_the_csv_files(db: None, tmp_path: Path) -> None:
    summary = generate(tmp_path / "xlsx", scale="tiny", fmt="xlsx")
    result = services.import_path(summary.files[0], actor=None)
    assert result.ok, problems(result)
    assert StudentRecord.objects.count() == summary.rows["students"]
    csv_summary = generate(tmp_path / "csv", scale="tiny", fmt="csv")
    same = services.import_path(tmp_path / "csv", actor=None)
    assert same.ok, problems(same)
    assert {t: c["unchanged"] for t, c in same.summary.items()} == dict(csv_summary.rows)
