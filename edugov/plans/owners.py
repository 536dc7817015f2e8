"""Which registry units a plan means when it names responsible units in words (pure, no Django).

Plans name units the way bureau staff speak: "市教育局", "基础教育科", "各区县教育局", "平川县教育和体育局". We map a
name to units below the issuing bureau; what cannot be mapped stays as text for the reviewer to assign.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from edugov.plans.extract.normalise import to_simplified


@dataclass(frozen=True)
class Candidate:
    """A registry unit a name may refer to."""

    id: int
    name: str
    kind: str  # registry UnitKind value: city, county, town, dept, school …


# The bureau speaking of itself.
_SELF = re.compile(r"^(本|全)?[市县区]?(教育|教体|教育和体育|教育体育|教育与体育)局(本级|机关)?$")
# "各区县（市）教育局", "各县市区", "各区市教体局" …: every county-level unit under the bureau.
_ALL_COUNTIES = re.compile(
    r"^各(县|区|市|县区|区县|县市|市县|区市|县市区|市县区|区县市)+(教育|教体|教育和体育)?(局|部门|政府)?$")
_ALL_TOWNS = re.compile(r"^各(镇|街|乡|镇街|乡镇|镇街道|镇办|街道)+(中心校|教育办|政府)?$")
# Suffixes that name the bureau or government of a place rather than the place itself.
_PLACE_SUFFIX = re.compile(r"(人民政府|政府|教育和体育局|教育体育局|教体局|教育局)$")
_NOISE = re.compile(r"[\s（）()【】\[\]“”\"'、，,。；;：:]")


def _norm(name: str) -> str:
    return _NOISE.sub("", to_simplified(name)).strip()


def resolve_unit_names(names: Iterable[str], root: Candidate,
                       candidates: Sequence[Candidate]) -> tuple[list[int], list[str]]:
    """The unit ids the names refer to (in order, without repeats) and the names that matched nothing.

    `root` is the bureau that issued the plan; `candidates` are the units below it (children and their offices)."""
    by_name: dict[str, list[Candidate]] = {}
    for unit in candidates:
        by_name.setdefault(_norm(unit.name), []).append(unit)
    root_name = _norm(root.name)
    found: list[int] = []
    unmatched: list[str] = []

    def add(ids: Iterable[int]) -> bool:
        added = False
        for unit_id in ids:
            added = True
            if unit_id not in found:
                found.append(unit_id)
        return added

    for raw in names:
        name = _norm(raw)
        if not name:
            continue
        if _SELF.match(name) or name in {root_name, f"{root_name}教育局"}:
            add([root.id])
            continue
        if _ALL_COUNTIES.match(name):
            if not add(u.id for u in candidates if u.kind == "county"):
                unmatched.append(raw)
            continue
        if _ALL_TOWNS.match(name):
            if not add(u.id for u in candidates if u.kind == "town"):
                unmatched.append(raw)
            continue
        keys = [name]
        # "示范市教育局基础教育科" / "市教育局基础教育科" → "基础教育科"
        for prefix in (f"{root_name}教育局", root_name, "市教育局", "县教育局", "区教育局", "局"):
            if name.startswith(prefix) and len(name) > len(prefix):
                keys.append(name[len(prefix):])
        place = _PLACE_SUFFIX.sub("", name)
        if place and place != name:
            keys.append(place)
        for key in keys:
            if key in by_name:
                add(u.id for u in by_name[key])
                break
        else:
            unmatched.append(raw)
    return found, unmatched


# Not 和/与: they occur inside names ("教育和体育局").
_SPLIT = re.compile(r"[、，,；;/]|以及")


def split_unit_list(text: str) -> list[str]:
    """'基础教育科、各区县教育局' → ['基础教育科', '各区县教育局']."""
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]
