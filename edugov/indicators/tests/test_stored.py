"""Stored indicator values: the full recompute, the incremental one after a school's change (it must store exactly
what a full recompute stores), the versions they name, and the refresh after an import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from edugov.dataio.services import import_path
from edugov.indicators.compute import compute_all
from edugov.indicators.models import IndicatorDefinition, IndicatorValueRecord
from edugov.indicators.services import save_new_version
from edugov.indicators.stored import recompute, recompute_after_import, recompute_for_school
from edugov.indicators.tests import test_catalogue_compute as catalogue_tests
from edugov.indicators.tests.test_catalogue_compute import YEAR, Data, enrol, migrant
from edugov.registry.models import OrgUnit
from edugov.stats.models import ClassSection, GradeEnrolment, SchoolYearStats, StudentRecord, TeacherStats

data = catalogue_tests.data  # the fixture with the hand-computed data of the catalogue tests

Stored = dict[tuple[int, int, str], tuple[Any, ...]]


def stored(year: int | None = None) -> Stored:
    rows = IndicatorValueRecord.objects.all() if year is None else IndicatorValueRecord.objects.filter(year=year)
    return {(r.unit_id, r.year, r.code): (r.version, r.element_versions, r.value, r.fraction, r.numerator,
                                          r.denominator, r.met, r.reason) for r in rows}


def full(*years: int) -> Stored:
    """What a full recompute stores, from scratch."""
    IndicatorValueRecord.objects.all().delete()
    for year in years:
        recompute(year)
    return stored()


def _enrolment(d: Data) -> OrgUnit:
    GradeEnrolment.objects.filter(unit=d.city.east_primary, year=YEAR, grade="1").update(male=140)
    return d.city.east_primary


def _classes(d: Data) -> OrgUnit:
    ClassSection.objects.create(unit=d.city.east_junior, year=YEAR, grade="9", name="3班", size=68)
    return d.city.east_junior


def _funding_reported(d: Data) -> OrgUnit:  # an unreported input becomes reported: ancestors were "no data"
    SchoolYearStats.objects.filter(unit=d.city.west_primary, year=YEAR).update(operating_expenditure=Decimal("1"))
    return d.city.west_primary


def _funding_withdrawn(d: Data) -> OrgUnit:  # and the other way round
    SchoolYearStats.objects.filter(unit=d.city.east_primary, year=YEAR).update(operating_expenditure=None)
    return d.city.east_primary


def _migrants(d: Data) -> OrgUnit:
    StudentRecord.objects.filter(unit=d.city.east_primary, student_no="L1").update(residence="migrant")
    migrant(d.city.east_primary, "M9", "2")
    return d.city.east_primary


def _kindergarten(d: Data) -> OrgUnit:  # county-level indicators (gross enrolment) read it too
    enrol(d.sunshine, "K2", "kindergarten", 11, 9)
    TeacherStats.objects.filter(unit=d.sunshine, year=YEAR).update(certified=3)
    return d.sunshine


def _everything_gone(d: Data) -> OrgUnit:  # denominators become 0
    for model in (GradeEnrolment, ClassSection, TeacherStats, SchoolYearStats, StudentRecord):
        model.objects.filter(unit=d.city.west_primary).delete()  # type: ignore[attr-defined]
    return d.city.west_primary


CHANGES: dict[str, Callable[[Data], OrgUnit]] = {
    "enrolment": _enrolment, "classes": _classes, "funding_reported": _funding_reported,
    "funding_withdrawn": _funding_withdrawn, "migrants": _migrants, "kindergarten": _kindergarten,
    "everything_gone": _everything_gone}


CHAINS: dict[str, Callable[[Data], set[int]]] = {
    "enrolment": lambda d: {d.city.east_primary.pk, d.city.east.pk, d.city.city.pk},
    "classes": lambda d: {d.city.east_junior.pk, d.city.east_town.pk, d.city.east.pk, d.city.city.pk},
    "funding_reported": lambda d: {d.city.west_primary.pk, d.city.west.pk, d.city.city.pk},
    "funding_withdrawn": lambda d: {d.city.east_primary.pk, d.city.east.pk, d.city.city.pk},
    "migrants": lambda d: {d.city.east_primary.pk, d.city.east.pk, d.city.city.pk},
    "kindergarten": lambda d: {d.sunshine.pk, d.city.west.pk, d.city.city.pk},
    "everything_gone": lambda d: {d.city.west_primary.pk, d.city.west.pk, d.city.city.pk},
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_recompute_for_school_stores_exactly_what_a_full_recompute_stores(data: Data, change: str) -> None:
    recompute(YEAR)
    before = stored()
    school = CHANGES[change](data)
    written = recompute_for_school(school, YEAR)
    incremental = stored()
    assert incremental != before  # the change did move some value
    assert incremental == full(YEAR)
    chain = CHAINS[change](data)
    assert written == 25 * len(chain)  # the school and every unit above it, 25 indicators each
    assert {k[0] for k in before if before[k] != incremental[k]} <= chain


def test_several_changes_in_a_row_stay_exact(data: Data) -> None:
    recompute(YEAR)
    for change in ("enrolment", "funding_reported", "migrants", "funding_withdrawn", "kindergarten"):
        recompute_for_school(CHANGES[change](data), YEAR)
    assert stored() == full(YEAR)


def test_stored_values_equal_the_live_values(data: Data) -> None:
    recompute(YEAR)
    for unit in (data.city.city, data.city.east, data.city.east_town, data.city.east_primary):
        live = {v.code: v for v in compute_all(unit, YEAR)}
        for r in IndicatorValueRecord.objects.filter(unit=unit, year=YEAR):
            v = live[r.code]
            assert (Fraction(r.fraction) if r.fraction else None) == v.value
            assert (r.reason, r.met, r.version) == (v.reason, v.met, v.version)
    r = IndicatorValueRecord.objects.get(unit=data.city.city, year=YEAR, code="preschool_gross_enrolment")
    assert (r.fraction, r.numerator, r.denominator, r.value) == ("80/1", "200", "250", Decimal("80"))
    assert IndicatorValueRecord.objects.filter(year=YEAR).count() == 25 * OrgUnit.objects.count()


def test_a_change_two_years_earlier_reaches_the_cohort_indicator(data: Data) -> None:
    """初中三年巩固率 reads grade 7 two years earlier: changing that year refreshes the stored later year."""
    recompute(YEAR)
    GradeEnrolment.objects.filter(unit=data.city.east_junior, year=YEAR - 2).update(male=45)
    recompute_for_school(data.city.east_junior, YEAR - 2)
    r = IndicatorValueRecord.objects.get(unit=data.city.east, year=YEAR, code="junior_retention")
    assert Fraction(r.fraction) == Fraction(100, 100) * 100
    assert stored(YEAR) == full(YEAR)


def test_stored_values_name_the_definition_version_and_an_edit_is_picked_up(data: Data) -> None:
    recompute(YEAR)
    r = IndicatorValueRecord.objects.get(unit=data.city.east, year=YEAR, code="large_class")
    row = IndicatorDefinition.objects.get(code="large_class", is_current=True)
    elements = {c: 1 for c in [*row.spec["numerator"], *row.spec["denominator"]]}
    assert (r.version, r.element_versions) == (1, elements)
    save_new_version(IndicatorDefinition, code="large_class", name_zh=row.name_zh,
                     spec={**row.spec, "factor": "1000"}, actor=None, note="千分比")
    # The stored values keep naming version 1 until recomputed; one school's change moves its chain to version 2,
    # with the values a full recompute under version 2 gives.
    assert IndicatorValueRecord.objects.get(pk=r.pk).version == 1
    school = CHANGES["classes"](data)
    recompute_for_school(school, YEAR)
    chain = CHAINS["classes"](data)
    east = IndicatorValueRecord.objects.get(unit=data.city.east, year=YEAR, code="large_class")
    assert (east.version, east.element_versions) == (2, elements)
    assert IndicatorValueRecord.objects.get(unit=data.city.west, year=YEAR, code="large_class").version == 1
    incremental = {k: v for k, v in stored().items() if k[0] in chain}
    fresh = full(YEAR)
    assert incremental == {k: v for k, v in fresh.items() if k[0] in chain}
    assert fresh[(data.city.west.pk, YEAR, "large_class")][0] == 2


# ---------------------------------------------------------------------------------------------- after an import


def _csv(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    return path


def test_an_import_refreshes_the_stored_values_of_the_changed_schools_and_their_ancestors(
        data: Data, tmp_path: Path) -> None:
    recompute(YEAR)
    before = {(r.unit_id, r.code): r.computed_at for r in IndicatorValueRecord.objects.filter(year=YEAR)}
    path = _csv(tmp_path / "办学条件.csv", "学年,学校标识码,公用经费支出（元）",
                f"{YEAR},{data.city.west_primary.code},390000")
    assert import_path(path, actor=None).ok
    after = {(r.unit_id, r.code): r.computed_at for r in IndicatorValueRecord.objects.filter(year=YEAR)}
    touched = {unit for (unit, _code), at in after.items() if at != before[(unit, _code)]}
    assert touched == {data.city.west_primary.pk, data.city.west.pk, data.city.city.pk}
    school = IndicatorValueRecord.objects.get(unit=data.city.west_primary, year=YEAR, code="per_pupil_funding")
    assert Fraction(school.fraction) == Fraction(390000, 390)
    west = IndicatorValueRecord.objects.get(unit=data.city.west, year=YEAR, code="per_pupil_funding")
    assert "西区第一小学" not in west.reason and "西区阳光幼儿园" in west.reason  # still kindergartens missing
    assert stored() == full(YEAR)


def test_an_import_of_a_year_without_stored_values_stores_nothing(data: Data, tmp_path: Path) -> None:
    path = _csv(tmp_path / "分年级在校生.csv", "学年,学校标识码,年级,男生数,女生数",
                f"{YEAR},{data.city.west_primary.code},二年级,10,12")
    assert import_path(path, actor=None).ok
    assert not IndicatorValueRecord.objects.exists()


def test_many_changed_schools_make_one_full_recompute(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    from edugov.indicators import stored as module

    recompute(YEAR)
    CHANGES["enrolment"](data)
    CHANGES["classes"](data)
    monkeypatch.setattr(module, "FULL_RECOMPUTE_AT", 1)
    written = recompute_after_import({(data.city.east_primary.pk, YEAR), (data.city.east_junior.pk, YEAR)})
    assert written == 25 * OrgUnit.objects.count()
    assert stored() == full(YEAR)


def test_a_population_change_refreshes_the_area_indicators_of_the_unit_and_above(data: Data) -> None:
    from edugov.stats.models import PopulationByAge

    recompute(YEAR)
    PopulationByAge.objects.filter(unit=data.city.west, age_band="3-5").update(population=100)
    recompute_after_import({(data.city.west.pk, YEAR)})
    r = IndicatorValueRecord.objects.get(unit=data.city.city, year=YEAR, code="preschool_gross_enrolment")
    assert Fraction(r.fraction) == Fraction(200, 220) * 100
    assert stored() == full(YEAR)


def test_a_school_closed_before_the_reference_date_changes_nothing(data: Data) -> None:
    recompute(YEAR)
    before = stored()
    OrgUnit.objects.filter(pk=data.angel.pk).update(closed_on=dt.date(YEAR, 1, 1))
    assert recompute_for_school(OrgUnit.objects.get(pk=data.angel.pk), YEAR) == 0
    assert stored() == before
