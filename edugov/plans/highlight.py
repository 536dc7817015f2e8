"""Cutting a plan's text into runs for display, so that measures, targets and headings can be marked (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    css: str  # e.g. "hl-measure", "hl-target", "hl-heading", plus a status class
    anchor: str = ""  # element id placed where the span starts


@dataclass(frozen=True)
class Run:
    text: str
    css: str
    anchors: tuple[str, ...]


def runs(text: str, spans: Sequence[Span]) -> list[Run]:
    """The text as consecutive runs; each run carries the classes of every span covering it, and the anchors of the
    spans starting at it. Overlapping and nested spans are fine; the runs always join back to the text."""
    cuts = {0, len(text)}
    for span in spans:
        if 0 <= span.start < span.end <= len(text):
            cuts.update((span.start, span.end))
    points = sorted(cuts)
    starts: dict[int, list[str]] = {}
    for span in spans:
        if span.anchor:
            starts.setdefault(span.start, []).append(span.anchor)
    # Sweep: spans sorted by start; active set updated at each cut.
    ordered = sorted((s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: s.start)
    active: list[Span] = []
    result: list[Run] = []
    next_span = 0
    for left, right in pairwise(points):
        active = [s for s in active if s.end > left]
        while next_span < len(ordered) and ordered[next_span].start <= left:
            if ordered[next_span].end > left:
                active.append(ordered[next_span])
            next_span += 1
        css = " ".join(dict.fromkeys(c for s in active for c in s.css.split()))
        result.append(Run(text[left:right], css, tuple(starts.get(left, ()))))
    return result
