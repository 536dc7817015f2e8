"""The pure part of 精准资助: normalising and matching external lists to pupils, and the eligibility rules of the aid
programmes declared as versioned data. No Django; see docs/aid.md."""

from edugov.aid.engine.columnar import match_files, normalise_ids
from edugov.aid.engine.matching import ListRow, Match, MatchKind, MatchResult, Students, match
from edugov.aid.engine.normalise import IdKind, IdResult, birth_from_id, classify_id, name_key
from edugov.aid.engine.programmes import (
    LIST_TYPES,
    Eligibility,
    Programme,
    ProgrammeError,
    ProgrammeVersion,
    available_programmes,
    eligible,
    load_programme,
    parse_programme,
)

__all__ = [
    "LIST_TYPES",
    "Eligibility",
    "IdKind",
    "IdResult",
    "ListRow",
    "Match",
    "MatchKind",
    "MatchResult",
    "Programme",
    "ProgrammeError",
    "ProgrammeVersion",
    "Students",
    "available_programmes",
    "birth_from_id",
    "classify_id",
    "eligible",
    "load_programme",
    "match",
    "match_files",
    "name_key",
    "normalise_ids",
    "parse_programme",
]
