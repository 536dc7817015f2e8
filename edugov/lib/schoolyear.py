"""School years (学年): school year 2024 is the 2024-2025学年, 1 September 2024 to 31 August 2025."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from edugov.lib.text import clean_cell, to_halfwidth

__all__ = ["MAX_START_YEAR", "MIN_START_YEAR", "SchoolYear", "SchoolYearError"]

MIN_START_YEAR = 1900
MAX_START_YEAR = 2100

_FIRST_MONTH = 9

_PATTERN = re.compile(r"([0-9]{4})(?:(?:[-—–~〜/]+|至)([0-9]{4}))?(?:学年度?)?")


class SchoolYearError(ValueError):
    """A value cannot be read as a school year; ``str()`` is a Chinese message."""


@dataclass(frozen=True, order=True)
class SchoolYear:
    """The school year that starts in September of ``start_year``; ordered and hashable."""

    start_year: int

    def __post_init__(self) -> None:
        if isinstance(self.start_year, bool) or not isinstance(self.start_year, int):
            raise SchoolYearError(f"学年起始年份必须是整数，实际为 {self.start_year!r}")
        if not MIN_START_YEAR <= self.start_year <= MAX_START_YEAR:
            raise SchoolYearError(
                f"学年起始年份 {self.start_year} 超出合理范围（{MIN_START_YEAR}–{MAX_START_YEAR}），请核对"
            )

    @classmethod
    def parse(cls, value: str | int | SchoolYear) -> SchoolYear:
        """Read a school year from 2024, "2024", "2024-2025", "2024—2025学年", "2024/2025", "2024至2025学年度" and
        similar spellings (full-width digits and spaces tolerated).

        Raises :class:`SchoolYearError` with a Chinese message for unreadable text and for
        year pairs that are not consecutive.
        """
        if isinstance(value, SchoolYear):
            return value
        if isinstance(value, int):
            return cls(value)
        text = to_halfwidth(clean_cell(value)).replace(" ", "")
        if not text:
            raise SchoolYearError("学年为空，请填写如“2024-2025学年”")
        match = _PATTERN.fullmatch(text)
        if match is None:
            raise SchoolYearError(f"无法识别的学年“{clean_cell(value)}”，请填写如“2024-2025学年”或“2024”")
        first, second = match.group(1), match.group(2)
        if second is not None and int(second) != int(first) + 1:
            raise SchoolYearError(f"学年“{clean_cell(value)}”的两个年份应相邻，例如“{first}-{int(first) + 1}学年”")
        return cls(int(first))

    @classmethod
    def of_date(cls, day: date) -> SchoolYear:
        """Return the school year containing ``day`` (September–December belong to that year's school year)."""
        return cls(day.year if day.month >= _FIRST_MONTH else day.year - 1)

    @property
    def label(self) -> str:
        """The display form, e.g. "2024-2025学年"."""
        return f"{self.start_year}-{self.start_year + 1}学年"

    @property
    def start(self) -> date:
        """1 September of the start year."""
        return date(self.start_year, _FIRST_MONTH, 1)

    @property
    def end(self) -> date:
        """31 August of the following year (inclusive)."""
        return date(self.start_year + 1, _FIRST_MONTH - 1, 31)

    @property
    def reference_date(self) -> date:
        """The statistics reference date (统计时点) for this school year.

        Education statistics count enrolment at the start of the school year, so this is
        1 September of the start year. It is fixed here for now and is expected to become
        jurisdiction-scoped configuration.
        """
        return self.start

    def contains(self, day: date) -> bool:
        """Tell whether ``day`` falls within this school year (both ends inclusive)."""
        return self.start <= day <= self.end

    def next(self) -> SchoolYear:
        """Return the following school year."""
        return SchoolYear(self.start_year + 1)

    def previous(self) -> SchoolYear:
        """Return the preceding school year."""
        return SchoolYear(self.start_year - 1)

    def __str__(self) -> str:
        return self.label
