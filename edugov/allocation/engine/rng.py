"""Verifiable, language-independent random stream: SHA-256 in counter mode.

Specification (also in docs/allocation.md, which is normative):

* block ``c`` (c = 0, 1, 2, …) is ``SHA-256(UTF-8(seed + "|" + purpose + "|" + decimal(c)))``;
* each 32-byte block is cut into four unsigned 64-bit big-endian words, consumed in order;
* ``below(n)`` for n ≥ 2 takes ``b = bit_length(n - 1)`` and draws words ``w`` until ``w >> (64 - b) < n``
  (rejection sampling, so no modulo bias); ``below(1)`` returns 0 and consumes nothing;
* ``shuffle(xs)`` is Fisher–Yates: for i = len-1 down to 1, j = below(i + 1), swap xs[i] and xs[j].

Seeds and purposes must not contain ``|`` so that the message is unambiguous. Python's ``random`` module is
never used: its generator is an implementation detail that other languages cannot reproduce.
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

T = TypeVar("T")

_MASK64 = (1 << 64) - 1


class HashRng:
    """A stream of 64-bit words from SHA-256(seed|purpose|counter)."""

    def __init__(self, seed: str | int, purpose: str) -> None:
        seed_s = str(seed)
        if "|" in seed_s or "|" in purpose:
            raise ValueError("随机种子和用途标签不能包含 “|” 字符 (seed and purpose must not contain '|')")
        self.seed = seed_s
        self.purpose = purpose
        self._prefix = f"{seed_s}|{purpose}|".encode()
        self.counter = 0
        self._words: list[int] = []
        self.words_used = 0

    def _refill(self) -> None:
        digest = hashlib.sha256(self._prefix + str(self.counter).encode()).digest()
        self.counter += 1
        value = int.from_bytes(digest, "big")
        # consumed with pop() from the end, so store in reverse order: word 0 is the first 8 bytes
        self._words = [value & _MASK64, (value >> 64) & _MASK64, (value >> 128) & _MASK64, value >> 192]

    def word(self) -> int:
        """Next unsigned 64-bit word."""
        if not self._words:
            self._refill()
        self.words_used += 1
        return self._words.pop()

    def below(self, n: int) -> int:
        """Uniform integer in [0, n) without modulo bias (rejection sampling on the top bits)."""
        if n < 1 or n > 1 << 64:
            raise ValueError(f"below() 的上限必须在 1 到 2^64 之间 (got {n})")
        if n == 1:
            return 0
        shift = 64 - (n - 1).bit_length()
        while True:
            candidate = self.word() >> shift
            if candidate < n:
                return candidate

    def shuffle(self, items: list[T]) -> None:
        """Fisher–Yates shuffle in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]

    def hex64(self) -> str:
        """Next word as 16 lower-case hex digits (used for drawn lottery numbers)."""
        return f"{self.word():016x}"
