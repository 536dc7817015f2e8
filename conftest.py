"""Shared personas for every test: a small city with two districts, a town, schools, and one user per role.

王局长 (city admin) sees everything; 李科长 (east district admin) sees only the east district; 张校长 (school admin)
sees only 东区实验小学; 赵督学 (inspector) sees the city without sensitive fields; 钱科员 (viewer) reads the east
district; 孙科长 (west district admin) is the outsider for east-district objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    from edugov.registry.models import OrgUnit

PASSWORD = "edugov-test-pass"
OPENED = dt.date(2000, 9, 1)


@dataclass
class City:
    city: OrgUnit
    east: OrgUnit
    west: OrgUnit
    east_town: OrgUnit
    east_primary: OrgUnit
    east_junior: OrgUnit
    east_kindergarten: OrgUnit
    west_primary: OrgUnit


@dataclass
class Personas:
    city_admin: AbstractUser
    east_admin: AbstractUser
    school_admin: AbstractUser
    inspector: AbstractUser
    viewer: AbstractUser
    west_admin: AbstractUser


# Django is imported inside the helpers so that the pure edugov/lib tests can run without it (-p no:django).


def make_school(code: str, name: str, parent: OrgUnit, school_type: str = "211", urban_rural: str = "111",
                sponsor: str = "831", inclusive: bool | None = None) -> OrgUnit:
    from edugov.registry import services as registry

    return registry.open_unit(
        actor=None, code=code, kind="school", name=name, parent=parent, opened_on=OPENED,
        attributes={"school_type_code": school_type, "urban_rural_code": urban_rural, "sponsor_code": sponsor,
                    "is_public": sponsor != "999", "is_inclusive": inclusive},
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: Any) -> None:
    # The production hasher costs ~0.7 s per user; tests create many users and test nothing about hashing.
    if not request.config.pluginmanager.hasplugin("django"):
        return  # the pure edugov/lib tests run without Django
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()  # login throttling counts live in the cache; each test starts with none


@pytest.fixture
def city(db: None) -> City:
    from edugov.registry import services as registry

    city = registry.open_unit(actor=None, code="370200", kind="city", name="示范市", opened_on=OPENED,
                              attributes={"division_code": "370200"})
    east = registry.open_unit(actor=None, code="370202", kind="county", name="东区", parent=city, opened_on=OPENED,
                              attributes={"division_code": "370202"})
    west = registry.open_unit(actor=None, code="370203", kind="county", name="西区", parent=city, opened_on=OPENED,
                              attributes={"division_code": "370203"})
    east_town = registry.open_unit(actor=None, code="370202100", kind="town", name="东区新镇", parent=east,
                                   opened_on=OPENED, attributes={"stat_division_code": "370202100000"})
    return City(
        city=city, east=east, west=west, east_town=east_town,
        east_primary=make_school("2137020001", "东区实验小学", east),
        east_junior=make_school("3137020002", "东区新镇中学", east_town, school_type="311", urban_rural="121"),
        east_kindergarten=make_school("1137020003", "东区新镇中心幼儿园", east_town, school_type="111",
                                      urban_rural="121", inclusive=True),
        west_primary=make_school("2137030001", "西区第一小学", west),
    )


def make_user(username: str, role: str, unit: OrgUnit) -> AbstractUser:
    from django.contrib.auth import get_user_model

    from edugov.core.models import RoleAssignment

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
    return user  # type: ignore[return-value]


@pytest.fixture
def personas(city: City) -> Personas:
    from edugov.core.choices import Role

    return Personas(
        city_admin=make_user("wang", Role.CITY_ADMIN, city.city),
        east_admin=make_user("li", Role.DISTRICT_ADMIN, city.east),
        school_admin=make_user("zhang", Role.SCHOOL_ADMIN, city.east_primary),
        inspector=make_user("zhao", Role.INSPECTOR, city.city),
        viewer=make_user("qian", Role.VIEWER, city.east),
        west_admin=make_user("sun", Role.DISTRICT_ADMIN, city.west),
    )
