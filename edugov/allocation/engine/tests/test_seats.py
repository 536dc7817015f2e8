from __future__ import annotations

import pytest

from edugov.allocation.engine.errors import AllocationInputError
from edugov.allocation.engine.seats import (
    SeatStudent,
    neighbours,
    plan_seats,
    read_seat_students,
    rotated_col,
    seat_rows,
)


def _class(n: int, front: set[int] = frozenset(), apart: dict[int, str] | None = None) -> list[SeatStudent]:
    apart = apart or {}
    return [SeatStudent(f"S{i:02d}", f"学生{i}", i in front, frozenset({apart[i]}) if i in apart else frozenset())
            for i in range(n)]


def _adjacent(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1


def test_every_student_gets_one_distinct_seat_on_the_grid():
    plan = plan_seats(_class(40), 6, 8, seed="s")
    seats = list(plan.periods[0].values())
    assert len(seats) == 40 and len(set(seats)) == 40
    assert all(1 <= r <= 6 and 1 <= c <= 8 for r, c in seats)


def test_same_seed_same_plan_other_seed_other_plan():
    students = _class(30)
    assert plan_seats(students, 5, 6, seed="a", periods=3).periods == plan_seats(students, 5, 6, seed="a",
                                                                                 periods=3).periods
    assert plan_seats(students, 5, 6, seed="a").periods != plan_seats(students, 5, 6, seed="b").periods


def test_input_order_does_not_change_the_plan():
    students = _class(20)
    assert plan_seats(students, 4, 6, seed="z").periods == plan_seats(students[::-1], 4, 6, seed="z").periods


def test_front_row_students_sit_in_the_front_rows_in_every_period():
    front = {0, 5, 9, 13, 21, 30}
    plan = plan_seats(_class(36, front), 6, 6, seed="eyes", periods=3, front_rows=1)
    for period in plan.periods:
        for i in front:
            assert period[f"S{i:02d}"][0] == 1


def test_apart_pairs_are_never_neighbours_in_any_period():
    apart = {0: "p1", 1: "p1", 2: "p2", 3: "p2", 4: "p3", 5: "p3", 6: "p3"}
    for seed in range(10):
        plan = plan_seats(_class(48, apart=apart), 6, 8, seed=seed, periods=4)
        for period in plan.periods:
            for i in apart:
                for j in apart:
                    if i < j and apart[i] == apart[j]:
                        assert not _adjacent(period[f"S{i:02d}"], period[f"S{j:02d}"])


def test_rotation_moves_every_student_to_another_column_group_each_period_and_keeps_rows_and_desk_mates():
    plan = plan_seats(_class(48), 6, 8, seed="rot", periods=5, group_width=2)
    for before, after in zip(plan.periods, plan.periods[1:], strict=False):
        for sid, (r, c) in before.items():
            r2, c2 = after[sid]
            assert r2 == r
            assert (c2 - 1) // 2 != (c - 1) // 2
            assert (c2 - 1) % 2 == (c - 1) % 2


def test_rotation_rule_shifts_groups_right_and_wraps():
    # 6 columns, pairs: group of column 5 (group 2) moves to group 0 in period 2
    assert [rotated_col(c, 2, 6, 2) for c in range(1, 7)] == [3, 4, 5, 6, 1, 2]
    assert [rotated_col(c, 4, 6, 2) for c in range(1, 7)] == [1, 2, 3, 4, 5, 6]


def test_with_rotation_the_outer_columns_count_as_neighbours():
    assert (0, 5) in neighbours((0, 0), 2, 6, ring=True)
    assert (0, 5) not in neighbours((0, 0), 2, 6, ring=False)


def test_output_rows_are_sorted_by_period_row_and_column():
    students = _class(10)
    rows = seat_rows(students, plan_seats(students, 3, 4, seed="o", periods=2))
    keys = [(int(p), int(r), int(c)) for p, r, c, _sid, _name in rows]
    assert keys == sorted(keys) and len(rows) == 20
    assert all(name.startswith("学生") for *_rest, name in rows)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rows": 2, "cols": 4}, "座位只有"),
    ({"rows": 4, "cols": 5}, "整数倍"),
    ({"rows": 4, "cols": 2, "periods": 2}, "无法按组轮换"),
    ({"rows": 4, "cols": 4, "front_rows": 5}, "前排行数"),
])
def test_impossible_grids_are_refused(kwargs, message):
    with pytest.raises(AllocationInputError, match=message):
        plan_seats(_class(10), seed="1", **kwargs)


def test_too_many_front_row_students_are_refused():
    with pytest.raises(AllocationInputError, match="需要坐前排的学生 5 人"):
        plan_seats(_class(10, front={0, 1, 2, 3, 4}), 4, 4, seed="1", front_rows=1)


def test_contradictory_apart_constraints_are_refused():
    # 3 seats in one row, 3 students all apart: the middle seat neighbours both others
    with pytest.raises(AllocationInputError, match="无法同时满足"):
        plan_seats(_class(3, apart={0: "a", 1: "a", 2: "a"}), 1, 3, seed="1", group_width=1)


def test_roster_csv_accepts_chinese_headers():
    data = "学号,姓名,前排,不相邻\nS1,张三,是,A\nS2,李四,,A\nS3,王五,0,\n".encode()
    students = read_seat_students(data)
    assert students[0] == SeatStudent("S1", "张三", True, frozenset({"A"}))
    assert students[2] == SeatStudent("S3", "王五", False, frozenset())


def test_a_roster_without_an_id_column_is_refused():
    with pytest.raises(AllocationInputError, match="缺少列"):
        read_seat_students("姓名\n张三\n".encode())
