"""The pure lottery: lottery numbers from seed and reference, and agreement with the allocation engine."""

from __future__ import annotations

import hashlib

from edugov.allocation.engine.matching import Applicant as EngineApplicant
from edugov.allocation.engine.matching import School, deferred_acceptance
from edugov.allocation.engine.rng import HashRng
from edugov.enrolment.lottery import Applicant, SchoolSeats, lottery_number, match


def test_a_lottery_number_is_the_first_eight_bytes_of_sha256_of_seed_purpose_and_reference():
    expected = hashlib.sha256(b"2026|lottery:P2026-00001|0").digest()[:8].hex()
    assert lottery_number("2026", "P2026-00001") == expected


def test_the_matching_equals_the_allocation_engine_when_tiers_are_sibling_district_other():
    """GIVEN random instances whose priorities the engine can express (sibling, same district, other)
    WHEN both run with the same lottery numbers THEN they place every child in the same school."""
    rng = HashRng("cross-check", "instances")
    for instance in range(30):
        schools = [School(f"S{k}", f"D{k % 2}", rng.below(4)) for k in range(4)]
        engine_students, ours = [], []
        for i in range(25):
            prefs = [s.school_id for s in schools]
            rng.shuffle(prefs)
            prefs = prefs[: 1 + rng.below(3)]
            district = f"D{rng.below(2)}"
            sibling = f"S{rng.below(8)}"  # S4..S7 do not exist: no sibling
            ref = f"R{instance}-{i:03d}"
            engine_students.append(EngineApplicant(ref, district, tuple(prefs), sibling,
                                                   lottery_number("seed", ref)))
            tiers = tuple((p, "sibling" if p == sibling else "district" if schools[int(p[1])].district == district
                           else "other") for p in prefs)
            ours.append(Applicant(ref, tiers))
        seats = [SchoolSeats(s.school_id, s.capacity, ("sibling", "district", "other")) for s in schools]
        assert match(seats, ours, "seed").admitted == deferred_acceptance(schools, engine_students)


def test_a_child_whose_tier_the_school_does_not_admit_is_neither_admitted_nor_waitlisted():
    schools = [SchoolSeats("A", 5, ("local_property",))]
    result = match(schools, [Applicant("R1", (("A", "migrant_permit"),))], "s")
    assert result.admitted == {"R1": None} and result.waitlists == {"A": []}


def test_waiting_lists_hold_children_who_ranked_the_school_above_their_placement():
    schools = [SchoolSeats("A", 1, ("x", "y")), SchoolSeats("B", 2, ("x", "y"))]
    children = [Applicant("R1", (("A", "x"), ("B", "x"))), Applicant("R2", (("A", "y"), ("B", "x"))),
                Applicant("R3", (("A", "y"),))]
    result = match(schools, children, "s")
    assert result.admitted == {"R1": "A", "R2": "B", "R3": None}
    order = sorted(["R2", "R3"], key=lambda r: int(result.lottery[r], 16))
    assert result.waitlists == {"A": order, "B": []}
