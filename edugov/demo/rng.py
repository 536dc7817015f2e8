"""A seeded random source whose output is fixed by the seed alone, on every Python version.

Only ``random.Random.random()`` (the Mersenne Twister stream, stable since Python 3.2 for an integer seed) is used.
The higher-level methods (``choice``, ``randint``, ``gauss``, ``choices`` …) are deliberately avoided: their
algorithms have changed between Python versions (``randrange`` in 3.2, ``choices`` rounding in 3.9, ``gauss``
thread handling in 3.12), and a changed algorithm would silently change every generated file.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["Rng", "WeightedTable", "derive_seed"]


def derive_seed(seed: int, *parts: object) -> int:
    """An integer seed for a sub-stream named by ``parts`` (e.g. a school code).

    Sub-streams make each school's people depend only on the seed and the school, not on how many draws earlier
    schools took, so the plan can be computed without generating people and a change in one place stays local.
    SHA-256 rather than ``hash()``: string hashing is randomised per process.
    """
    text = "/".join([str(seed), *(str(p) for p in parts)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


class WeightedTable(Generic[T]):
    """Items with relative weights, drawn by bisecting the cumulative weights (O(log n) per draw)."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        if not pairs:
            raise ValueError("empty weighted table")
        self._items: tuple[T, ...] = tuple(item for item, _ in pairs)
        cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            if weight < 0:
                raise ValueError("negative weight")
            total += weight
            cumulative.append(total)
        if total <= 0:
            raise ValueError("weights sum to zero")
        self._cumulative = tuple(cumulative)
        self._total = total

    def pick(self, rng: Rng) -> T:
        index = bisect.bisect_right(self._cumulative, rng.random() * self._total)
        return self._items[min(index, len(self._items) - 1)]


class Rng:
    """Draws built only on ``random.Random.random()``; see the module docstring for why."""

    __slots__ = ("_random",)

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random

    def random(self) -> float:
        return self._random()

    def chance(self, probability: float) -> bool:
        return self._random() < probability

    def randint(self, low: int, high: int) -> int:
        """A whole number in [low, high], both ends included."""
        if high < low:
            raise ValueError(f"empty range {low}..{high}")
        return low + min(int(self._random() * (high - low + 1)), high - low)

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._random()

    def choice(self, items: Sequence[T]) -> T:
        if not items:
            raise IndexError("choice from an empty sequence")
        return items[min(int(self._random() * len(items)), len(items) - 1)]

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        """Box–Muller; one value per call (the twin is discarded so that no hidden state carries over)."""
        u1 = 1.0 - self._random()  # in (0, 1], so log() is defined
        u2 = self._random()
        return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def lognormal_factor(self, sigma: float) -> float:
        """A multiplicative noise factor with median 1: exp(N(0, sigma))."""
        return math.exp(self.gauss(0.0, sigma)) if sigma > 0 else 1.0

    def binomial(self, n: int, p: float) -> int:
        """Number of successes in n trials; exact for small n, normal approximation for large n."""
        if n <= 60:
            return sum(1 for _ in range(n) if self._random() < p)
        value = round(self.gauss(n * p, math.sqrt(n * p * (1 - p))))
        return max(0, min(n, value))

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """k distinct items in draw order (partial Fisher–Yates on a copy)."""
        pool = list(items)
        k = min(k, len(pool))
        for i in range(k):
            j = i + min(int(self._random() * (len(pool) - i)), len(pool) - i - 1)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]
