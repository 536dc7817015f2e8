"""The indicator catalogue as data: data elements (named sums over a statistics source, with filters) and
indicators (Σ numerator ÷ Σ denominator × factor) with their thresholds, parsed, validated and evaluated exactly.
Pure: no Django. The Django side (versioned tables, admin, the ORM and DuckDB readers) lives in
``edugov.indicators.models`` and ``edugov.indicators.compute``; see docs/indicators.md.
"""

from edugov.indicators.catalogue.evaluate import (
    Contribution,
    ElementData,
    IndicatorValue,
    UnitRef,
    decimal_text,
    display,
    evaluate,
)
from edugov.indicators.catalogue.plan import Condition, ElementQuery, NotApplicable, compile_element
from edugov.indicators.catalogue.sources import DIMENSIONS, SOURCES, URBAN_RURAL_BANDS, Source
from edugov.indicators.catalogue.spec import (
    COMPARATORS as COMPARATORS_TEXT,
)
from edugov.indicators.catalogue.spec import (
    Catalogue,
    CatalogueError,
    DataElement,
    Indicator,
    SchoolFilter,
    Threshold,
    load_shipped,
    parse_catalogue,
    parse_element,
    parse_indicator,
)

__all__ = [
    "COMPARATORS_TEXT",
    "DIMENSIONS",
    "SOURCES",
    "URBAN_RURAL_BANDS",
    "Catalogue",
    "CatalogueError",
    "Condition",
    "Contribution",
    "DataElement",
    "ElementData",
    "ElementQuery",
    "Indicator",
    "IndicatorValue",
    "NotApplicable",
    "SchoolFilter",
    "Source",
    "Threshold",
    "UnitRef",
    "compile_element",
    "decimal_text",
    "display",
    "evaluate",
    "load_shipped",
    "parse_catalogue",
    "parse_element",
    "parse_indicator",
]
