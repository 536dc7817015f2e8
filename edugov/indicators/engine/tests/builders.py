"""Small builders for hand-computed test schools. The default primary section sits exactly on every threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from edugov.indicators.engine import SchoolSection, Section, SharedAssets, StaffCounts

AS_OF = dt.date(2024, 9, 1)

# 1000 pupils: 42 qualified (4.2), 10 backbone (1.0), 9 PE/arts (0.9), 4500 m² (4.5), 7000 + 500 m² (7.5),
# 2,000,000 yuan (2000), 23 multimedia rooms (2.3): every primary threshold met with nothing to spare.
EXACT_STAFF = StaffCounts(fulltime=52, edu_postgraduate=2, edu_bachelor=20, edu_associate=20, edu_below_associate=10,
                          backbone_county=6, backbone_city=3, backbone_province=1,
                          pe_teachers=4, music_teachers=3, art_teachers=2)
EXACT_ASSETS = SharedAssets(teaching_area=Decimal("4500.00"), sports_ground_area=Decimal("7000.00"),
                            gym_area=Decimal("500.00"), equipment_value=Decimal("2000000.00"), multimedia_classrooms=23)


def section(school_id: str = "S1", *, county_id: str = "C1", section: Section = Section.PRIMARY,
            school_type_code: str = "211", pupils: int = 1000, staff: dict[str, Any] | None = None,
            assets: dict[str, Any] | None = None) -> SchoolSection:
    """The exact-threshold school with some staff or asset fields replaced."""
    return SchoolSection(
        school_id=school_id, county_id=county_id, section=section, school_type_code=school_type_code, pupils=pupils,
        staff=EXACT_STAFF._replace(**(staff or {})),
        assets=EXACT_ASSETS._replace(**(assets or {})),
        name=school_id,
    )
