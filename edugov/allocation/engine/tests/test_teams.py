from __future__ import annotations

from collections import Counter
from itertools import permutations

import pytest

from edugov.allocation.engine.errors import AllocationInputError
from edugov.allocation.engine.rng import HashRng
from edugov.allocation.engine.teams import Team, check_feasible, draw_teams, read_teams, team_rows


def _teams(k: int, excluded: dict[str, set[int]] | None = None) -> list[Team]:
    excluded = excluded or {}
    return [Team(f"T{i}", (f"班主任:教师{i}",), frozenset(excluded.get(f"T{i}", set()))) for i in range(1, k + 1)]


def test_every_class_gets_exactly_one_team():
    draw = draw_teams(_teams(6), 6, seed="abc")
    assert sorted(draw.assignment) == [1, 2, 3, 4, 5, 6]
    assert sorted(draw.assignment.values()) == [f"T{i}" for i in range(1, 7)]


def test_the_draw_is_the_documented_fisher_yates_on_the_hash_stream():
    order = [f"T{i}" for i in range(1, 6)]
    HashRng("s1", "teams").shuffle(order)
    draw = draw_teams(list(reversed(_teams(5))), 5, seed="s1")
    assert draw.method == "lot" and draw.shuffles == 1
    assert draw.assignment == {i + 1: t for i, t in enumerate(order)}


def test_same_seed_gives_the_same_draw_and_another_seed_usually_not():
    teams = _teams(8)
    assert draw_teams(teams, 8, seed="x").assignment == draw_teams(teams, 8, seed="x").assignment
    assert len({tuple(draw_teams(teams, 8, seed=s).assignment.values()) for s in range(20)}) > 15


def test_exclusions_are_respected():
    excluded = {"T1": {1, 2}, "T2": {1}, "T3": {3, 4}}
    for seed in range(30):
        draw = draw_teams(_teams(4, excluded), 4, seed=seed)
        for c, tid in draw.assignment.items():
            assert c not in excluded.get(tid, set())


def test_every_allowed_assignment_is_about_equally_likely():
    excluded = {"T1": {1}}
    counts = Counter(tuple(draw_teams(_teams(3, excluded), 3, seed=s).assignment.values()) for s in range(2000))
    allowed = [p for p in permutations(["T1", "T2", "T3"]) if p[0] != "T1"]
    assert set(counts) == set(allowed)
    assert min(counts.values()) > 2000 / len(allowed) * 0.8


def test_tight_exclusions_fall_back_to_a_sequential_draw_that_still_succeeds():
    k = 12
    # each team may only go to its own class or the next one: few of the 12! orders are allowed
    excluded = {f"T{i}": {c for c in range(1, k + 1) if c not in (i, i % k + 1)} for i in range(1, k + 1)}
    draw = draw_teams(_teams(k, excluded), k, seed="tight")
    assert draw.method == "sequential"
    for c, tid in draw.assignment.items():
        assert c not in excluded[tid]
    assert sorted(draw.assignment.values()) == sorted(excluded)


def test_a_team_excluded_from_every_class_is_refused_by_name():
    with pytest.raises(AllocationInputError, match="教师组 T2 回避了全部班级"):
        check_feasible(_teams(3, {"T2": {1, 2, 3}}), 3)


def test_impossible_exclusions_name_the_teams_and_the_classes_left():
    # T1 and T2 may both only take class 1
    with pytest.raises(AllocationInputError, match=r"教师组 T1、T2 共 2 个，回避后只能去班级 1（1 个）"):
        check_feasible(_teams(3, {"T1": {2, 3}, "T2": {2, 3}}), 3)


@pytest.mark.parametrize(("teams", "k", "message"), [
    (_teams(3), 4, "必须一组一班"),
    ([Team("A", ()), Team("A", ())], 2, "编号重复"),
    (_teams(2, {"T1": {5}}), 2, "超出 1..2"),
])
def test_bad_team_inputs_are_refused(teams, k, message):
    with pytest.raises(AllocationInputError, match=message):
        draw_teams(teams, k, seed="1")


def test_teams_csv_accepts_chinese_headers_and_full_width_separators():
    data = "教师组,成员,回避班级\nA,班主任:张三；数学:李四,2；3\nB,王五,\nC,赵六,\n".encode("utf-8-sig")
    teams = read_teams(data)
    assert teams[:2] == [Team("A", ("班主任:张三", "数学:李四"), frozenset({2, 3})), Team("B", ("王五",), frozenset())]
    rows = team_rows(teams, draw_teams(teams, 3, seed="q"))
    assert rows[0] == ["1", "A", "班主任:张三;数学:李四"]
    assert [r[0] for r in rows] == ["1", "2", "3"]


def test_a_teams_file_without_a_members_column_is_refused():
    with pytest.raises(AllocationInputError, match="缺少列"):
        read_teams(b"team_id\nA\n")
