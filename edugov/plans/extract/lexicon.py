"""Load the vocabulary files in ``edugov/plans/lexicon/``.

The grammar lives in code; every word it looks for lives in these files so that
new bureaus' wording can be added without touching the engine.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"


def _rows(name: str) -> list[list[str]]:
    """CSV rows without comments, blank lines or a header row starting with 'code'."""
    with (LEXICON_DIR / name).open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    return [[c.strip() for c in row] for row in csv.reader(lines)]


def _words(name: str) -> tuple[str, ...]:
    return tuple(r[0] for r in _rows(name))


@dataclass(frozen=True)
class Indicator:
    """A catalogue indicator and the phrases that name it."""

    code: str
    name_zh: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """All vocabulary the extractor uses, loaded once."""

    units: dict[str, tuple[str, str]]  # written form -> (normalised unit, category)
    unit_default_per: dict[str, str]
    comparators_before: dict[str, str]
    comparators_after: dict[str, str]
    change_verbs: dict[str, str]
    guarantee_verbs: tuple[str, ...]
    verbs: tuple[str, ...]
    attainment_verbs: tuple[str, ...]
    exclusions: dict[str, tuple[str, ...]]  # type -> cues
    absolutes: dict[str, str]
    zero_words_excluded: tuple[str, ...]
    per: dict[str, tuple[str, str]]  # word -> (token, axis)
    scopes: tuple[str, ...]
    indicators: tuple[Indicator, ...]


@cache
def load_lexicon() -> Lexicon:
    """Read every lexicon file; cached because the files never change at run time."""
    comps = _rows("comparators.csv")
    excl: dict[str, list[str]] = {}
    for cue, typ in _rows("exclusions.csv"):
        excl.setdefault(typ, []).append(cue)
    indicators = tuple(
        Indicator(code, name, tuple(a for a in aliases.split("|") if a))
        for code, name, aliases in _rows("indicators.csv")
        if code != "code"
    )
    return Lexicon(
        units={r[0]: (r[1], r[2]) for r in _rows("units.csv")},
        unit_default_per={r[1]: r[3] for r in _rows("units.csv") if len(r) > 3 and r[3]},
        comparators_before={r[0]: r[1] for r in comps if r[2] == "before"},
        comparators_after={r[0]: r[1] for r in comps if r[2] == "after"},
        change_verbs={r[0]: r[1] for r in _rows("change_verbs.csv")},
        guarantee_verbs=_words("guarantee_verbs.txt"),
        verbs=_words("verbs.txt"),
        attainment_verbs=_words("attainment_verbs.txt"),
        exclusions={k: tuple(v) for k, v in excl.items()},
        absolutes={r[0]: r[1] for r in _rows("absolutes.csv")},
        zero_words_excluded=_words("zero_words_excluded.txt"),
        per={r[0]: (r[1], r[2]) for r in _rows("per.csv")},
        scopes=tuple(sorted(_words("scopes.txt"), key=len, reverse=True)),
        indicators=indicators,
    )


@dataclass(frozen=True)
class StructureLexicon:
    """Vocabulary for document structure: headings, metadata, measures, units and deadlines."""

    measure_verbs: tuple[str, ...]
    units: dict[str, tuple[str, ...]]  # kind -> words (suffix, collective, lead_marker, co_marker, …)
    cues: dict[str, tuple[str, ...]]  # kind -> cues (page, lead_in, slogan, notice, past, …)
    metadata_keys: dict[str, str]  # key -> title | issuer | date | doc_number | other
    doc_types: tuple[str, ...]
    deadline_words: dict[str, str | None]  # phrase -> "MM-DD", None for ongoing work
    past_sections: tuple[str, ...]  # shared with target extraction (exclusions.csv)


def _by_kind(name: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for word, kind in _rows(name):
        out.setdefault(kind, []).append(word)
    # longest first: alternations built from these lists must prefer 改扩建 over 扩建
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@cache
def load_structure_lexicon() -> StructureLexicon:
    """Read the structure vocabulary files; cached like ``load_lexicon``."""
    deadline: dict[str, str | None] = {}
    for phrase, when in _rows("deadline_words.csv"):
        deadline[phrase] = None if when == "none" else when
    excl = load_lexicon().exclusions
    return StructureLexicon(
        measure_verbs=tuple(sorted(_words("measure_verbs.txt"), key=len, reverse=True)),
        units=_by_kind("responsible_units.csv"),
        cues=_by_kind("structure_cues.csv"),
        metadata_keys={k: v for k, v in _rows("metadata_keys.csv")},
        doc_types=tuple(sorted(_words("doc_types.txt"), key=len, reverse=True)),
        deadline_words=deadline,
        past_sections=excl.get("past_section", ()),
    )
