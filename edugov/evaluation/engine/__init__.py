"""Pure, Django-free engine for evaluation schemes: 区县政府履行教育职责评价, school evaluation and the like.

Typical use::

    scheme = load_scheme("county_gov_duties_example", year=2025)
    results = [evaluate(scheme, inputs) for inputs in units]
    for ranked in rank(results, scheme):
        ranked.rank, ranked.tied, ranked.result.total, ranked.result.grade

See ``docs/evaluation.md`` for the scheme format and the rules.
"""

from edugov.evaluation.engine.evaluate import (
    AdjustmentEntry,
    AdjustmentResult,
    Discrepancy,
    ItemResult,
    StageTotal,
    StageValue,
    UnitResult,
    VetoResult,
    evaluate,
)
from edugov.evaluation.engine.exact import display, exact_str
from edugov.evaluation.engine.inputs import (
    AdjustmentInput,
    InputError,
    ItemInput,
    StageInput,
    UnitInputs,
    VetoInput,
    canonical_inputs,
    inputs_sha256,
)
from edugov.evaluation.engine.rank import RankedResult, rank
from edugov.evaluation.engine.scheme import (
    SCHEMES_DIR,
    Scheme,
    SchemeError,
    SchemeRef,
    list_schemes,
    load_scheme,
    parse_scheme,
    read_scheme_file,
)

__all__ = [
    "SCHEMES_DIR",
    "AdjustmentEntry",
    "AdjustmentInput",
    "AdjustmentResult",
    "Discrepancy",
    "InputError",
    "ItemInput",
    "ItemResult",
    "RankedResult",
    "Scheme",
    "SchemeError",
    "SchemeRef",
    "StageInput",
    "StageTotal",
    "StageValue",
    "UnitInputs",
    "UnitResult",
    "VetoInput",
    "VetoResult",
    "canonical_inputs",
    "display",
    "evaluate",
    "exact_str",
    "inputs_sha256",
    "list_schemes",
    "load_scheme",
    "parse_scheme",
    "rank",
    "read_scheme_file",
]
