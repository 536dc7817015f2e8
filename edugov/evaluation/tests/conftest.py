from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from conftest import City, Personas
from edugov.evaluation import services
from edugov.evaluation.models import EvaluationRound
from edugov.stats.models import ClassSection, GradeEnrolment, PopulationByAge


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
def statistics(city: City) -> None:
    """2025 data: 东区 100 children in its kindergarten (public) for 120 children aged 3-5 → 毛入园率 250/3 %;
    东区实验小学 classes 45, 58, 70, 40 → 大班额比例 50 %. 西区: 130 children aged 3-5 and no kindergarten → 0 %;
    西区第一小学 classes 80, 50 → 大班额比例 50 %."""
    k, p, w = city.east_kindergarten, city.east_primary, city.west_primary
    GradeEnrolment.objects.create(unit=k, year=2025, grade="K1", stage="kindergarten", male=30, female=28)
    GradeEnrolment.objects.create(unit=k, year=2025, grade="K2", stage="kindergarten", male=20, female=22)
    PopulationByAge.objects.create(unit=city.east, year=2025, age_band="3-5", population=120)
    PopulationByAge.objects.create(unit=city.west, year=2025, age_band="3-5", population=130)
    for unit, name, size in [(p, "1班", 45), (p, "2班", 58), (p, "3班", 70), (p, "4班", 40), (w, "1班", 80),
                             (w, "2班", 50)]:
        ClassSection.objects.create(unit=unit, year=2025, grade="1", name=name, size=size)


@pytest.fixture
def county_round(city: City, personas: Personas) -> EvaluationRound:
    """示范市 evaluates its two counties on the example county scheme for 2025."""
    return services.create_round(actor=personas.city_admin, evaluating_unit=city.city,
                                 scheme_id="county_gov_duties_example", year=2025, evaluated_kind="county")


@pytest.fixture
def school_round(city: City, personas: Personas) -> EvaluationRound:
    """东区 evaluates its schools on the example school scheme for 2025."""
    return services.create_round(actor=personas.east_admin, evaluating_unit=city.east,
                                 scheme_id="school_evaluation_example", year=2025, evaluated_kind="school")
