"""Ranking units evaluated on the same scheme, with configured tie-breakers and competition ranking (1, 2, 2, 4).

Units are ordered by the scheme's tie-breakers in turn (e.g. higher total, then higher points on one item, then
fewer 扣分); units equal on every tie-breaker share a rank (并列) and the next rank skips, as in sports tables.
Vetoed units come after all others when ``ranking.vetoed_last`` is set (the default). Within a tie the order is
by unit id, so the output is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from edugov.evaluation.engine.evaluate import UnitResult
from edugov.evaluation.engine.scheme import Scheme, TieBreaker

Key = tuple[Fraction | int, ...]


@dataclass(frozen=True)
class RankedResult:
    """``tied`` is 并列. ``decided_by`` is set on the first unit of each rank below the top: the first criterion
    that placed it below the unit above (``总分``, ``Y1 项得分``, ``扣分较少``, ``一票否决`` …)."""

    rank: int
    tied: bool
    decided_by: str
    result: UnitResult


def _value(result: UnitResult, tb: TieBreaker, scheme: Scheme) -> Fraction | int:
    """Smaller sorts first."""
    if tb.by == "total":
        return -result.total
    if tb.by == "base":
        return -result.base
    if tb.by == "bonus":
        return -result.bonus
    if tb.by == "penalty":
        return result.penalty
    if tb.by == "grade":
        return scheme.grade_rank(result.grade)
    item = result.item(tb.item)
    return -item.points


def rank(results: Sequence[UnitResult], scheme: Scheme) -> list[RankedResult]:
    """Rank results that were all evaluated on ``scheme`` (same id, version and hash), best first."""
    for r in results:
        if (r.scheme_id, r.scheme_version, r.scheme_sha256) != (scheme.id, scheme.version, scheme.sha256):
            raise ValueError(f"单位 {r.unit_id} 的结果来自评价方案 {r.scheme_id} {r.scheme_version}，"
                             f"不能与方案 {scheme.id} {scheme.version} 的结果一起排名")
    ids = [r.unit_id for r in results]
    if len(set(ids)) != len(ids):
        raise ValueError("排名中同一单位出现多次")
    labels = (["一票否决"] if scheme.vetoed_last else []) + [tb.label for tb in scheme.tie_breakers]

    def key(r: UnitResult) -> Key:
        head: Key = (1 if r.vetoed else 0,) if scheme.vetoed_last else ()
        return head + tuple(_value(r, tb, scheme) for tb in scheme.tie_breakers)

    ordered = sorted(results, key=lambda r: (key(r), r.unit_id))
    keys = [key(r) for r in ordered]
    out = []
    for pos, (r, k) in enumerate(zip(ordered, keys, strict=True)):
        first = keys.index(k)
        tied = keys.count(k) > 1
        decided_by = ""
        if pos > 0 and first == pos:
            above = keys[pos - 1]
            decided_by = next(label for label, a, b in zip(labels, above, k, strict=True) if a != b)
        out.append(RankedResult(rank=first + 1, tied=tied, decided_by=decided_by, result=r))
    return out
