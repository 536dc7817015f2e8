"""Pure, Django-free engine for the 优质均衡 resource-allocation assessment (教督〔2017〕6号, 资源配置 7 项).

Typical use::

    scheme = load_scheme(overrides=["example_province_override"])
    sections = [*plain_sections, *split_combined_school(whole_school, scheme)]
    for county in assess_county(sections, scheme, as_of=date(2024, 9, 1)):
        report = county_gaps(county, scheme)
"""

from edugov.indicators.engine.assess import (
    CountyResult,
    IndicatorCV,
    IndicatorResult,
    SchoolResult,
    assess_county,
    assess_school,
    display,
)
from edugov.indicators.engine.cv import WeightedCV, unweighted_cv, weighted_cv
from edugov.indicators.engine.gaps import Addition, CountyGapReport, CvGap, SchoolGap, county_gaps, cv_gap, school_gap
from edugov.indicators.engine.inputs import (
    SchoolSection,
    Section,
    SharedAssets,
    StaffCounts,
    WholeSchool,
    split_combined_school,
)
from edugov.indicators.engine.scheme import Scheme, SchemeError, load_scheme

__all__ = [
    "Addition",
    "CountyGapReport",
    "CountyResult",
    "CvGap",
    "IndicatorCV",
    "IndicatorResult",
    "Scheme",
    "SchemeError",
    "SchoolGap",
    "SchoolResult",
    "SchoolSection",
    "Section",
    "SharedAssets",
    "StaffCounts",
    "WeightedCV",
    "WholeSchool",
    "assess_county",
    "assess_school",
    "county_gaps",
    "cv_gap",
    "display",
    "load_scheme",
    "school_gap",
    "split_combined_school",
    "unweighted_cv",
    "weighted_cv",
]
