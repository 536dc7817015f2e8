"""What changed between two versions of a plan (pure, no Django).

Targets are matched on what they measure (subject, unit, per, scope) and compared on value, range and deadline.
Measures are matched on their wording: revisions reword sentences, so two measures are the same task when their
character bigrams overlap enough (Dice coefficient), best pairs first. The same matching carries a published task
over to the next version of the plan.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

# Two wordings with at least this bigram overlap are one measure reworded; below it they are different measures.
SAME_MEASURE_THRESHOLD = 0.5


@dataclass(frozen=True)
class Pair(Generic[K]):
    old: K | None
    new: K | None
    similarity: float = 1.0


@dataclass
class Diff(Generic[K]):
    added: list[K] = field(default_factory=list)
    removed: list[K] = field(default_factory=list)
    changed: list[Pair[K]] = field(default_factory=list)
    unchanged: list[Pair[K]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _bigrams(text: str) -> frozenset[str]:
    compact = "".join(ch for ch in text if not ch.isspace())
    if len(compact) < 2:
        return frozenset({compact}) if compact else frozenset()
    return frozenset(compact[i:i + 2] for i in range(len(compact) - 1))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bigrams: 1.0 for the same wording, 0 for nothing in common."""
    ga, gb = _bigrams(a), _bigrams(b)
    if not ga and not gb:
        return 1.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def match_texts(old: Sequence[tuple[K, str]], new: Sequence[tuple[K, str]],
                threshold: float = SAME_MEASURE_THRESHOLD) -> Diff[K]:
    """Pairs old and new items by wording: identical texts first, then the most similar pairs above the threshold."""
    diff: Diff[K] = Diff()
    old_left = dict(old)
    new_left = dict(new)
    by_text: dict[str, list[K]] = {}
    for key, text in old:
        by_text.setdefault(text, []).append(key)
    for key, text in new:
        same = by_text.get(text)
        if same:
            old_key = same.pop(0)
            diff.unchanged.append(Pair(old_key, key))
            del old_left[old_key]
            del new_left[key]
    grams_old = {key: _bigrams(text) for key, text in old_left.items()}
    grams_new = {key: _bigrams(text) for key, text in new_left.items()}
    # Index bigrams so that only pairs sharing at least one bigram are scored (plans have hundreds of measures).
    holders: dict[str, set[K]] = {}
    for key, grams in grams_old.items():
        for gram in grams:
            holders.setdefault(gram, set()).add(key)
    scored: list[tuple[float, int, int, K, K]] = []
    old_rank = {key: i for i, (key, _) in enumerate(old)}
    new_rank = {key: i for i, (key, _) in enumerate(new)}
    for new_key, grams in grams_new.items():
        shared: dict[K, int] = {}
        for gram in grams:
            for old_key in holders.get(gram, ()):
                shared[old_key] = shared.get(old_key, 0) + 1
        for old_key, count in shared.items():
            score = 2 * count / (len(grams) + len(grams_old[old_key]))
            if score >= threshold:
                scored.append((score, old_rank[old_key], new_rank[new_key], old_key, new_key))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    for score, _, _, old_key, new_key in scored:
        if old_key in old_left and new_key in new_left:
            diff.changed.append(Pair(old_key, new_key, round(score, 3)))
            del old_left[old_key]
            del new_left[new_key]
    diff.removed = [key for key, _ in old if key in old_left]
    diff.added = [key for key, _ in new if key in new_left]
    diff.changed.sort(key=lambda pair: new_rank[pair.new] if pair.new is not None else -1)
    return diff


def match_records(old: Sequence[tuple[K, Hashable, Hashable]], new: Sequence[tuple[K, Hashable, Hashable]]) -> Diff[K]:
    """Pairs items by identity key (what a target measures); equal payloads are unchanged, others changed."""
    diff: Diff[K] = Diff()
    pending: dict[Hashable, list[tuple[K, Hashable]]] = {}
    for key, identity, payload in old:
        pending.setdefault(identity, []).append((key, payload))
    for key, identity, payload in new:
        candidates = pending.get(identity)
        if not candidates:
            diff.added.append(key)
            continue
        # Prefer an old item with the same payload (a plan may state one subject twice).
        index = next((i for i, (_, p) in enumerate(candidates) if p == payload), 0)
        old_key, old_payload = candidates.pop(index)
        (diff.unchanged if old_payload == payload else diff.changed).append(Pair(old_key, key))
    diff.removed = [key for rest in pending.values() for key, _ in rest]
    old_order = {key: i for i, (key, _, _) in enumerate(old)}
    diff.removed.sort(key=lambda key: old_order[key])
    return diff
