from __future__ import annotations

import hashlib

import pytest

from edugov.allocation.engine.rng import HashRng


def test_words_are_sha256_of_seed_purpose_counter_cut_into_big_endian_64_bit_words():
    r = HashRng("2024", "lottery")
    digest = hashlib.sha256(b"2024|lottery|0").digest()
    expected = [int.from_bytes(digest[i : i + 8], "big") for i in range(0, 32, 8)]
    assert [r.word() for _ in range(4)] == expected
    assert r.word() == int.from_bytes(hashlib.sha256(b"2024|lottery|1").digest()[:8], "big")


def test_below_rejects_out_of_range_top_bits_instead_of_taking_a_modulo():
    # n = 3 uses the top 2 bits; a draw of 3 is rejected and the next word is tried
    raw = HashRng("s", "p")
    tops = [raw.word() >> 62 for _ in range(40)]
    assert 3 in tops  # this stream does contain rejected draws
    expected = [t for t in tops if t < 3]
    r = HashRng("s", "p")
    assert [r.below(3) for _ in range(len(expected))] == expected


def test_below_covers_its_range_evenly_enough():
    r = HashRng("even", "test")
    counts = [0] * 5
    for _ in range(5000):
        counts[r.below(5)] += 1
    assert all(900 < c < 1100 for c in counts)


def test_below_one_consumes_nothing():
    r = HashRng(1, "x")
    assert r.below(1) == 0
    assert r.words_used == 0


def test_shuffle_is_a_deterministic_permutation_that_depends_on_seed_and_purpose():
    base = list(range(50))
    a, b, c, d = base[:], base[:], base[:], base[:]
    HashRng(7, "p").shuffle(a)
    HashRng(7, "p").shuffle(b)
    HashRng(8, "p").shuffle(c)
    HashRng(7, "q").shuffle(d)
    assert sorted(a) == base
    assert a == b
    assert a != c
    assert a != d


def test_seed_containing_the_separator_is_refused():
    with pytest.raises(ValueError):
        HashRng("a|b", "p")
