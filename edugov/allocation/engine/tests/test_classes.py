from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from edugov.allocation.engine.classes import Cohort, assign_classes, cohort_from_rows, evaluate
from edugov.allocation.engine.errors import AllocationInputError
from edugov.allocation.engine.rng import HashRng

from .helpers import small_cohort

FAST = None  # the search is work-bounded; no time limit needed in tests


def _metric(result, key):
    return next(m for m in result.metrics if m.key == key)


def test_hard_constraints_hold_and_sizes_are_equal():
    cohort = small_cohort(120)
    result = assign_classes(cohort, 4, seed="a", time_limit=FAST)
    assert set(result.assignment.values()) == {1, 2, 3, 4}
    assert Counter(result.assignment.values()) == {1: 30, 2: 30, 3: 30, 4: 30}
    a = result.assignment
    for i in range(0, 8, 2):
        assert a[f"S{i:04d}"] == a[f"S{i + 1:04d}"]
    for i in range(8, 16, 2):
        assert a[f"S{i:04d}"] != a[f"S{i + 1:04d}"]
    assert result.violations == {"together_groups_split": 0, "apart_groups_clashing": 0, "fixed_moved": 0}


def test_counts_reach_their_floor_and_means_come_close_on_a_small_cohort():
    cohort = small_cohort(120)
    result = assign_classes(cohort, 4, seed="a", time_limit=FAST)
    for key in ("size_range", "male_count_range", "top_quartile_count_range", "bottom_quartile_count_range",
                "special_needs_count_range"):
        assert _metric(result, key).distance == 0, key
    for key in ("subject_mean_range.chinese", "subject_mean_range.math", "subject_mean_range.english",
                "total_mean_range"):
        assert _metric(result, key).value <= 0.25, key


def test_it_is_much_better_balanced_than_a_split_by_rank():
    cohort = small_cohort(120, groups=False)
    ranked = sorted(cohort.pupils, key=lambda p: -p.total)
    naive = {p.id: 1 + i // 30 for i, p in enumerate(ranked)}
    naive_range = next(m for m in evaluate(cohort, naive, 4)[0] if m.key == "total_mean_range").value
    ours = _metric(assign_classes(cohort, 4, seed="a", time_limit=FAST), "total_mean_range").value
    assert ours < naive_range / 50


def test_same_seed_gives_the_same_assignment_whatever_the_time_limit():
    cohort = small_cohort(80)
    one = assign_classes(cohort, 4, seed="x")
    two = assign_classes(cohort, 4, seed="x", time_limit=120)
    assert one.assignment == two.assignment
    assert not one.stats["time_limited"]


def test_a_different_seed_gives_a_different_but_equally_valid_assignment():
    cohort = small_cohort(80)
    one = assign_classes(cohort, 4, seed="x")
    two = assign_classes(cohort, 4, seed="y")
    assert one.assignment != two.assignment
    assert two.violations == {"together_groups_split": 0, "apart_groups_clashing": 0, "fixed_moved": 0}


def test_floors_follow_divisibility_of_sums_and_counts():
    rows = [
        {"id": f"S{i}", "gender": "M" if i < 3 else "F", "math": str(v), "total": str(v)}
        for i, v in enumerate([10, 11, 12, 13, 14, 16])
    ]
    cohort = cohort_from_rows(rows, ["id", "gender", "math", "total"])
    metrics, _ = evaluate(cohort, {f"S{i}": 1 + i % 2 for i in range(6)}, 2)
    floors = {m.key: m.floor for m in metrics}
    assert floors["subject_mean_range.math"] == 0  # 76 divides by 2
    assert floors["male_count_range"] == 1  # 3 boys in 2 classes
    assert floors["size_range"] == 0


def test_fixed_students_stay_in_their_class_with_their_together_group():
    cohort = small_cohort(80)
    pupils = list(cohort.pupils)
    pupils[0] = dataclasses.replace(pupils[0], fixed_class=3)  # S0000 is together with S0001
    pupils[20] = dataclasses.replace(pupils[20], fixed_class=1)
    result = assign_classes(Cohort(cohort.subjects, pupils), 4, seed="f", time_limit=FAST)
    assert result.assignment["S0000"] == 3
    assert result.assignment["S0001"] == 3
    assert result.assignment["S0020"] == 1


def test_uneven_cohorts_get_sizes_that_differ_by_at_most_one():
    result = assign_classes(small_cohort(103), 4, seed="u", time_limit=FAST)
    sizes = Counter(result.assignment.values())
    assert max(sizes.values()) - min(sizes.values()) == 1
    assert sum(sizes.values()) == 103


def _rows(n=12):
    return [
        {"id": f"S{i}", "gender": "MF"[i % 2], "math": str(60 + i), "total": str(60 + i), "together_group": "",
         "apart_group": ""}
        for i in range(n)
    ]


HEADER = ["id", "gender", "math", "total", "together_group", "apart_group", "fixed_class"]


def test_duplicate_ids_are_refused():
    rows = _rows()
    rows[1]["id"] = "S0"
    with pytest.raises(AllocationInputError, match="学生编号重复"):
        assign_classes(cohort_from_rows(rows, HEADER), 3)


def test_a_together_group_larger_than_a_class_is_refused():
    rows = _rows()
    for r in rows[:5]:
        r["together_group"] = "T"
    with pytest.raises(AllocationInputError, match="超过班级人数上限"):
        assign_classes(cohort_from_rows(rows, HEADER), 3)


def test_a_together_group_fixed_to_two_classes_is_refused():
    rows = _rows()
    rows[0].update(together_group="T", fixed_class="1")
    rows[1].update(together_group="T", fixed_class="2")
    with pytest.raises(AllocationInputError, match="固定在不同班级"):
        assign_classes(cohort_from_rows(rows, HEADER, 3), 3)


def test_together_and_apart_on_the_same_pair_is_refused():
    rows = _rows()
    for r in rows[:2]:
        r.update(together_group="T", apart_group="A")
    with pytest.raises(AllocationInputError, match="同时属于"):
        assign_classes(cohort_from_rows(rows, HEADER), 3)


def test_more_classes_than_students_is_refused():
    with pytest.raises(AllocationInputError, match="大于学生数"):
        assign_classes(cohort_from_rows(_rows(), HEADER), 13)


def test_non_numeric_scores_are_refused():
    rows = _rows()
    rows[4]["math"] = "缺考"
    with pytest.raises(AllocationInputError, match="不是数字"):
        cohort_from_rows(rows, HEADER)


def test_missing_columns_are_refused():
    with pytest.raises(AllocationInputError, match="缺少列"):
        cohort_from_rows(_rows(), ["id", "math", "total"])


def test_any_subject_columns_are_balanced():
    rows = _rows(80)
    draw = HashRng("physics", "test")
    for r in rows:
        r["physics"] = str(40 + draw.below(61))
        r["total"] = str(int(r["math"]) + int(r["physics"]))
    cohort = cohort_from_rows(rows, [*HEADER, "physics"])
    assert cohort.subjects == ("math", "physics")
    result = assign_classes(cohort, 4, seed="p", time_limit=FAST)
    assert _metric(result, "subject_mean_range.physics").value <= 0.25
    assert _metric(result, "total_mean_range").value <= 0.25
