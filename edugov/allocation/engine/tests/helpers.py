"""Small deterministic cohorts and admission instances for the engine tests (built with our own rng)."""

from __future__ import annotations

from edugov.allocation.engine.classes import Cohort, Pupil
from edugov.allocation.engine.matching import Applicant, School
from edugov.allocation.engine.rng import HashRng


def small_cohort(n: int = 120, seed: str = "test", groups: bool = True) -> Cohort:
    """n pupils, scores 40..100 in three subjects, half boys; a few together pairs and apart pairs."""
    r = HashRng(seed, "cohort")
    pupils = []
    for i in range(n):
        scores = tuple(float(40 + r.below(61)) for _ in range(3))
        tg = f"T{i // 2}" if groups and i < 8 else ""
        ag = f"A{(i - 8) // 2}" if groups and 8 <= i < 16 else ""
        pupils.append(
            Pupil(
                id=f"S{i:04d}",
                gender="M" if r.below(2) else "F",
                scores=scores,
                total=sum(scores),
                together_group=tg,
                apart_group=ag,
                special_needs=i % 17 == 3,
            )
        )
    return Cohort(("chinese", "math", "english"), pupils)


def small_instance(
    n_students: int, n_schools: int, seed: str, list_len: int = 3
) -> tuple[list[School], list[Applicant]]:
    """Random schools (capacity 1..3, two districts) and students with random lists, siblings and lotteries."""
    r = HashRng(seed, "instance")
    schools = [School(f"H{j}", f"D{j % 2}", 1 + r.below(3)) for j in range(n_schools)]
    students = []
    for i in range(n_students):
        ids = [h.school_id for h in schools]
        r.shuffle(ids)
        prefs = tuple(ids[: min(list_len, n_schools)])
        sib = prefs[0] if r.below(5) == 0 else ""
        students.append(Applicant(f"A{i}", f"D{r.below(2)}", prefs, sib, r.hex64()))
    return schools, students
