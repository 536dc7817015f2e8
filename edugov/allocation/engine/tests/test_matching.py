from __future__ import annotations

import itertools

import pytest

from edugov.allocation.engine.errors import AllocationInputError
from edugov.allocation.engine.matching import (
    Applicant,
    School,
    blocking_pairs,
    capacity_violations,
    deferred_acceptance,
    draw_lotteries,
    priority_tier,
)

from .helpers import small_instance


def test_result_has_no_blocking_pairs_and_respects_capacities():
    schools, students = small_instance(300, 8, "stable")
    result = deferred_acceptance(schools, students)
    assert blocking_pairs(schools, students, result) == []
    assert capacity_violations(schools, result) == []
    assert any(v is None for v in result.values())  # more students than seats


def test_sibling_beats_district_beats_others_then_lower_lottery_wins():
    school = School("H1", "D1", 1)
    sibling = Applicant("a", "D2", ("H1",), "H1", "ffffffffffffffff")
    local = Applicant("b", "D1", ("H1",), "", "0000000000000000")
    other = Applicant("c", "D2", ("H1",), "", "0000000000000000")
    assert [priority_tier(school, s) for s in (sibling, local, other)] == [1, 2, 3]
    assert deferred_acceptance([school], [other, local, sibling])["a"] == "H1"
    assert deferred_acceptance([school], [other, local])["b"] == "H1"
    low = Applicant("d", "D2", ("H1",), "", "0000000000000001")
    assert deferred_acceptance([school], [low, other])["c"] == "H1"


def test_it_equals_the_resident_optimal_result_of_the_matching_package():
    games = pytest.importorskip("matching.games")
    schools, students = small_instance(60, 6, "pypi")
    ours = deferred_acceptance(schools, students)
    key = {s.student_id: s for s in students}
    resident_prefs = {s.student_id: list(s.prefs) for s in students}
    hospital_prefs = {}
    for h in schools:
        applicants = [s for s in students if h.school_id in s.prefs]
        applicants.sort(key=lambda s, h=h: (priority_tier(h, s), int(s.lottery, 16), s.student_id))
        hospital_prefs[h.school_id] = [s.student_id for s in applicants]
    game = games.HospitalResident.create_from_dictionaries(
        resident_prefs, hospital_prefs, {h.school_id: h.capacity for h in schools}
    )
    solved = game.solve(optimal="resident")
    theirs: dict[str, str | None] = {sid: None for sid in key}
    for hospital, residents in solved.items():
        for r in residents:
            theirs[r.name] = hospital.name
    assert ours == theirs


def _all_stable(schools: list[School], students: list[Applicant]) -> list[dict[str, str | None]]:
    options = [[None, *s.prefs] for s in students]
    found = []
    for combo in itertools.product(*options):
        m = {s.student_id: c for s, c in zip(students, combo, strict=True)}
        if not capacity_violations(schools, m) and not blocking_pairs(schools, students, m):
            found.append(m)
    return found


@pytest.mark.parametrize("seed", ["t1", "t2", "t3", "t4", "t5", "t6"])
def test_on_tiny_instances_it_is_the_student_optimal_stable_matching_found_by_brute_force(seed):
    schools, students = small_instance(5, 3, seed, list_len=2)
    schools = [School(h.school_id, h.district, 1) for h in schools]
    ours = deferred_acceptance(schools, students)
    stable = _all_stable(schools, students)
    assert ours in stable

    def rank(s: Applicant, h: str | None) -> int:
        return len(s.prefs) if h is None else s.prefs.index(h)

    for other in stable:
        assert all(rank(s, ours[s.student_id]) <= rank(s, other[s.student_id]) for s in students)


def test_missing_lotteries_are_drawn_from_the_seed_reproducibly():
    schools, students = small_instance(40, 4, "draw")
    bare = [Applicant(s.student_id, s.district, s.prefs, s.sibling_school, "") for s in students]
    first = deferred_acceptance(schools, bare, seed="2026")
    assert first == deferred_acceptance(schools, bare, seed="2026")
    drawn = draw_lotteries(bare, "2026")
    assert sorted(int(s.lottery, 16) for s in drawn) == list(range(40))
    with pytest.raises(AllocationInputError):
        deferred_acceptance(schools, bare)


def test_unknown_school_in_a_list_is_a_chinese_input_error():
    with pytest.raises(AllocationInputError, match="不存在的学校"):
        deferred_acceptance([School("H1", "D1", 1)], [Applicant("a", "D1", ("H9",), "", "01")])
