"""Quantitative-target and document-structure extraction for education work plans (pure Python, no Django).

>>> from edugov.plans.extract import extract_targets
>>> [t.value for t in extract_targets("学前三年毛入园率达到95%。", "demo.txt")]
[95]
"""

from .reading import MAX_BYTES, PlanReadError, read_plan, read_plan_bytes
from .structure import DocumentInfo, Measure, PlanStructure, Section, extract_structure
from .targets import Target, extract_targets

__all__ = [
    "MAX_BYTES",
    "DocumentInfo",
    "Measure",
    "PlanReadError",
    "PlanStructure",
    "Section",
    "Target",
    "extract_structure",
    "extract_targets",
    "read_plan",
    "read_plan_bytes",
]
