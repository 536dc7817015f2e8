"""The case engine without Django: the type format, who may take which step, what a step requires, time limits."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from edugov.cases.engine import (
    CaseTypeError,
    EvidenceFile,
    allowed_transitions,
    available_case_types,
    check_transition,
    due_date,
    load_case_type,
    overdue,
    parse_case_type,
)

DROPOUT = load_case_type("dropout")
PDF = EvidenceFile("家访记录.pdf", 1000)


def raw_dropout() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[2] / "types" / "dropout.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_shipped_case_type_loads() -> None:
    assert "dropout" in available_case_types()
    for code in available_case_types():
        assert load_case_type(code).code == code


def test_the_dropout_type_starts_pending_and_ends_in_three_closed_states() -> None:
    assert DROPOUT.initial.label == "待核实"
    assert {DROPOUT.label_of(c) for c in DROPOUT.terminal_codes} == {"已复学", "转入其他教育形式", "核实无需劝返"}


def test_a_school_admin_may_confirm_or_dismiss_a_pending_case() -> None:
    codes = [t.code for t in allowed_transitions(DROPOUT, "pending", "school_admin", "school")]
    assert codes == ["confirm", "dismiss"]


def test_only_a_county_admin_may_verify_a_return() -> None:
    assert [t.code for t in allowed_transitions(DROPOUT, "returned", "school_admin", "school")] == []
    assert [t.code for t in allowed_transitions(DROPOUT, "returned", "district_admin", "county")] == [
        "verify_return", "reject_return"]
    assert allowed_transitions(DROPOUT, "returned", "city_admin", "city") == []


def test_a_step_by_a_role_that_may_not_take_it_is_refused_in_chinese() -> None:
    problems = check_transition(DROPOUT, "returned", "verify_return", "school_admin", "school",
                                {"verified_on": "2025-03-01", "method": "实地查看"}, [])
    assert problems == ["学校管理员（学校层级）无权办理“核验复学（销号）”；只有区县管理员（区县层级）可以办理"]


def test_closure_cannot_skip_the_verified_return() -> None:
    problems = check_transition(DROPOUT, "persuading", "verify_return", "district_admin", "county",
                                {"verified_on": "2025-03-01", "method": "实地查看"}, [])
    assert problems and "当前状态“劝返中”不能办理“核验复学（销号）”" in problems[0]
    assert not any(t.target == "resumed" for t in DROPOUT.transitions if "persuading" in t.sources)


def test_a_closed_case_takes_no_further_step() -> None:
    assert check_transition(DROPOUT, "resumed", "reject_return", "district_admin", "county", {}, [],
                            reason="x") == ["个案已办结（已复学），不能再办理"]


def test_required_fields_are_checked_by_type() -> None:
    problems = check_transition(DROPOUT, "persuading", "report_return", "school_admin", "school",
                                {"return_date": "3月1日"}, [PDF])
    assert "“返校日期”应为日期（如 2025-03-01），实际为“3月1日”" in problems
    assert "请填写“就读学校”" in problems


def test_a_choice_outside_the_list_is_refused() -> None:
    problems = check_transition(DROPOUT, "pending", "confirm", "school_admin", "school",
                                {"finding": "连续未到校", "cause": "不想上"}, [])
    assert problems == ["“辍学原因”只能是：厌学、家庭经济困难、外出务工、身心原因、早婚早育、监护缺失、其他"]


def test_evidence_of_a_forbidden_type_or_oversize_or_missing_is_refused() -> None:
    fields = {"return_date": "2025-03-01", "return_school": "东区实验小学"}
    assert "佐证材料“a.exe”的类型不允许" in check_transition(
        DROPOUT, "persuading", "report_return", "school_admin", "school", fields, [EvidenceFile("a.exe", 10)])[0]
    assert check_transition(DROPOUT, "persuading", "report_return", "school_admin", "school", fields,
                            [EvidenceFile("big.pdf", 21 * 1024 * 1024)]) == ["佐证材料“big.pdf”超过 20 MB 上限"]
    assert check_transition(DROPOUT, "persuading", "report_return", "school_admin", "school", fields, []) == [
        "“已返校，提请核验”需要至少 1 份佐证材料，实际 0 份"]
    assert check_transition(DROPOUT, "persuading", "report_return", "school_admin", "school", fields, [PDF]) == []


def test_a_rejected_return_needs_a_reason() -> None:
    assert check_transition(DROPOUT, "returned", "reject_return", "district_admin", "county", {}, []) == [
        "请填写“核验未通过，继续劝返”的办理说明"]


def test_a_case_is_overdue_only_after_the_time_limit() -> None:
    entered = dt.date(2025, 3, 1)
    assert due_date(DROPOUT, "pending", entered) == dt.date(2025, 3, 8)
    assert not overdue(DROPOUT, "pending", entered, dt.date(2025, 3, 8))
    assert overdue(DROPOUT, "pending", entered, dt.date(2025, 3, 9))
    assert not overdue(DROPOUT, "resumed", entered, dt.date(2030, 1, 1))


def test_a_malformed_type_lists_every_problem_in_chinese() -> None:
    raw = raw_dropout()
    broken = copy.deepcopy(raw)
    broken["states"][0]["initial"] = False
    broken["transitions"][0]["roles"] = ["headmaster"]
    broken["transitions"][1]["to"] = "nowhere"
    broken["transitions"][2]["fields"][0]["type"] = "photo"
    with pytest.raises(CaseTypeError) as info:
        parse_case_type(broken)
    problems = info.value.problems
    assert "个案类型定义应恰有一个初始状态（initial），实际有 0 个" in problems
    assert any("角色“headmaster”未知" in p for p in problems)
    assert any("目标状态“nowhere”未定义" in p for p in problems)
    assert any("类型“photo”无效" in p for p in problems)


def test_a_state_with_no_way_out_and_a_step_out_of_a_closed_state_are_refused() -> None:
    raw = raw_dropout()
    raw["transitions"] = [t for t in raw["transitions"] if t["code"] not in ("verify_return", "reject_return")]
    raw["transitions"].append({"code": "reopen", "label": "重新打开", "from": ["resumed"], "to": "persuading",
                               "roles": ["district_admin"], "levels": ["county"]})
    with pytest.raises(CaseTypeError) as info:
        parse_case_type(raw)
    assert "状态“已返校待核验”不是终结状态，却没有可办理的下一步" in info.value.problems
    assert any("从终结状态“已复学”出发" in p for p in info.value.problems)


def test_a_missing_or_invalid_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CaseTypeError, match="未找到个案类型“nothing”"):
        load_case_type("nothing", directory=tmp_path)
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(CaseTypeError, match="不是有效的 JSON"):
        load_case_type("bad", directory=tmp_path)
    raw = raw_dropout()
    (tmp_path / "other.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CaseTypeError, match="与文件名不一致"):
        load_case_type("other", directory=tmp_path)


def test_a_type_restricted_to_an_unknown_permission_or_with_a_bad_follow_up_is_refused() -> None:
    from edugov.cases.engine import CaseTypeError, parse_case_type

    raw = {"code": "x", "version": 1, "name": "X", "restricted_to": "view_everything",
           "states": [{"code": "a", "label": "A", "initial": True}, {"code": "b", "label": "B", "terminal": True}],
           "transitions": [{"code": "go", "label": "Go", "from": ["a"], "to": "b", "roles": ["counsellor"],
                            "levels": ["school"], "follow_up_days": 0}]}
    try:
        parse_case_type(raw)
    except CaseTypeError as exc:
        text = str(exc)
    else:
        raise AssertionError("refused")
    assert "restricted_to" in text and "follow_up_days" in text
    raw["restricted_to"], raw["transitions"][0]["follow_up_days"] = "view_mental_health", 30  # type: ignore[index]
    parsed = parse_case_type(raw)
    assert parsed.restricted_to == "view_mental_health" and parsed.transitions[0].follow_up_days == 30
