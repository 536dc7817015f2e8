"""Aid programmes as versioned data (edugov/aid/programmes/<code>.json) and the eligibility rule over them.

A programme has versions, each valid for a range of school years (a year is the calendar year the school year starts
in): which external lists qualify a pupil, which stages, whether boarders / day pupils are covered, and the amount per
year by stage and boarding as exact decimal strings. A year no version covers has no standard: nobody is eligible."""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "LIST_TYPES",
    "Eligibility",
    "Programme",
    "ProgrammeError",
    "ProgrammeVersion",
    "available_programmes",
    "eligible",
    "load_programme",
    "parse_programme",
]

PROGRAMMES_DIR = Path(__file__).resolve().parent.parent / "programmes"

# External list types (code → Chinese name). Pupils on any of the programme's types qualify.
LIST_TYPES: dict[str, str] = {
    "tuopin": "脱贫家庭/防返贫监测对象",
    "dibao": "城乡低保",
    "tekun": "特困供养",
    "orphan": "孤儿/事实无人抚养儿童",
    "disabled": "残疾学生/残疾人子女",
    "martyr": "烈士子女",
}
STAGES = ("kindergarten", "primary", "junior", "senior")
BOARDING_KEYS = ("boarding", "day")


class ProgrammeError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ProgrammeVersion:
    version: int
    from_year: int
    to_year: int | None
    list_types: frozenset[str]
    # stage → {"boarding": amount, "day": amount}; a missing key means not covered.
    amounts: Mapping[str, Mapping[str, Decimal]]
    status: str
    basis: str

    def covers(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    description: str
    versions: tuple[ProgrammeVersion, ...]

    def version_for(self, year: int) -> ProgrammeVersion | None:
        return next((v for v in self.versions if v.covers(year)), None)


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    amount: Decimal | None
    reason: str
    version: int | None = None


def eligible(*, stage: str, boarding: bool, lists: Collection[str], programme: Programme, year: int) -> Eligibility:
    """Whether a pupil of this stage and boarding status, on these external list types in `year`, qualifies for the
    programme that year, and for how much (the amount per year of the version in force)."""
    version = programme.version_for(year)
    if version is None:
        return Eligibility(False, None, f"{year}学年没有“{programme.name}”的资助标准")
    qualifying = sorted(version.list_types.intersection(lists))
    if not qualifying:
        return Eligibility(False, None, "不在该项目认定的困难群体名单中", version.version)
    by_boarding = version.amounts.get(stage)
    if by_boarding is None:
        return Eligibility(False, None, "该项目不覆盖此学段", version.version)
    key = "boarding" if boarding else "day"
    amount = by_boarding.get(key)
    if amount is None:
        return Eligibility(False, None, "该项目不覆盖寄宿生" if boarding else "该项目不覆盖非寄宿生", version.version)
    names = "、".join(LIST_TYPES[t] for t in qualifying)
    return Eligibility(True, amount, f"名单：{names}", version.version)


def _decimal(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if not isinstance(value, str):
        problems.append(f"{where}：金额应写成字符串（如 \"1000.00\"），以免浮点误差")
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        problems.append(f"{where}：金额“{value}”不是数字")
        return None
    if not amount.is_finite() or amount < 0:
        problems.append(f"{where}：金额“{value}”应为非负数")
        return None
    return amount


def _version(raw: Any, n: int, problems: list[str]) -> ProgrammeVersion | None:
    where = f"第{n}个版本"
    if not isinstance(raw, dict):
        problems.append(f"{where}应为对象")
        return None
    before = len(problems)
    version, from_year, to_year = raw.get("version"), raw.get("from_year"), raw.get("to_year")
    if not isinstance(version, int):
        problems.append(f"{where}缺少整数 version")
    if not isinstance(from_year, int):
        problems.append(f"{where}缺少整数 from_year")
    if to_year is not None and (not isinstance(to_year, int) or (isinstance(from_year, int) and to_year < from_year)):
        problems.append(f"{where}的 to_year 应为不早于 from_year 的整数或 null")
    list_types = raw.get("list_types")
    if not isinstance(list_types, list) or not list_types:
        problems.append(f"{where}缺少 list_types")
        list_types = []
    for code in list_types:
        if code not in LIST_TYPES:
            problems.append(f"{where}：未知的名单类型“{code}”")
    amounts: dict[str, dict[str, Decimal]] = {}
    raw_amounts = raw.get("amounts")
    if not isinstance(raw_amounts, dict) or not raw_amounts:
        problems.append(f"{where}缺少 amounts")
        raw_amounts = {}
    for stage, per in raw_amounts.items():
        if stage not in STAGES:
            problems.append(f"{where}：未知的学段“{stage}”")
            continue
        if not isinstance(per, dict) or not set(per) <= set(BOARDING_KEYS) or not per:
            problems.append(f"{where}：学段“{stage}”的金额应按 boarding / day 填写")
            continue
        amounts[stage] = {}
        for key, value in per.items():
            amount = _decimal(value, f"{where}学段“{stage}”{key}", problems)
            if amount is not None:
                amounts[stage][key] = amount
    status = raw.get("status")
    if status not in ("CONFIRMED", "UNCERTAIN"):
        problems.append(f"{where}的 status 应为 CONFIRMED 或 UNCERTAIN")
    if len(problems) > before:
        return None
    assert isinstance(version, int) and isinstance(from_year, int)
    return ProgrammeVersion(version=version, from_year=from_year, to_year=to_year, list_types=frozenset(list_types),
                            amounts=amounts, status=str(status), basis=str(raw.get("basis", "")))


def parse_programme(data: Any, expected_code: str | None = None) -> Programme:
    """Validates a programme declaration; raises ProgrammeError listing every problem in Chinese."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ProgrammeError(["资助项目定义应为 JSON 对象"])
    code, name = data.get("code"), data.get("name")
    if not isinstance(code, str) or not code:
        problems.append("缺少 code")
    elif expected_code is not None and code != expected_code:
        problems.append(f"code“{code}”应与文件名“{expected_code}”一致")
    if not isinstance(name, str) or not name:
        problems.append("缺少 name")
    raw_versions = data.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        problems.append("至少需要一个版本（versions）")
        raw_versions = []
    versions = [v for n, raw in enumerate(raw_versions, start=1) if (v := _version(raw, n, problems)) is not None]
    ordered = sorted(versions, key=lambda v: v.from_year)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.to_year is None or earlier.to_year >= later.from_year:
            problems.append(f"版本 {earlier.version} 与版本 {later.version} 的适用学年重叠")
    if len({v.version for v in versions}) != len(versions):
        problems.append("版本号重复")
    if problems:
        raise ProgrammeError(problems)
    return Programme(code=str(code), name=str(name), description=str(data.get("description", "")),
                     versions=tuple(ordered))


@cache
def load_programme(code: str) -> Programme:
    path = PROGRAMMES_DIR / f"{code}.json"
    if not code.replace("_", "").isalnum() or not path.is_file():
        raise ProgrammeError([f"没有资助项目“{code}”"])
    return parse_programme(json.loads(path.read_text(encoding="utf-8")), expected_code=code)


def available_programmes() -> list[Programme]:
    return [load_programme(p.stem) for p in sorted(PROGRAMMES_DIR.glob("*.json"))]
