"""Case types as data: the states a case passes through, who may move it on, what each step requires, and how long a
case may stay in a state before the unit above is told.

A case type is a JSON file in `edugov/cases/types/` (see `docs/cases.md`). Loading validates it completely and
reports every problem in Chinese, so a broken file is refused before any case uses it. Everything here is pure: no
Django, no database, no clock (dates are passed in)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TYPES_DIR = Path(__file__).resolve().parent.parent / "types"

# Roles and org levels as the platform names them (edugov.core.choices.Role, the registry's unit kinds).
ROLES: dict[str, str] = {
    "city_admin": "市局管理员",
    "district_admin": "区县管理员",
    "school_admin": "学校管理员",
    "inspector": "督学",
    "viewer": "只读",
    "counsellor": "心理健康专员",
}
# Permissions a case type may be restricted to (edugov.core.choices.Permission): cases of a restricted type are
# seen only by users holding it at the case's unit.
RESTRICTED_PERMISSIONS: dict[str, str] = {"view_mental_health": "查看心理健康个案"}
LEVELS: dict[str, str] = {"school": "学校", "county": "区县", "city": "市"}
FIELD_TYPES: dict[str, str] = {"text": "文本", "date": "日期", "integer": "整数", "choice": "选项"}
ESCALATION_TARGETS = frozenset({"parent"})
DEFAULT_EVIDENCE_SUFFIXES: tuple[str, ...] = (
    ".pdf", ".jpg", ".jpeg", ".png", ".docx", ".doc", ".xlsx", ".xls", ".ofd", ".txt")
DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
_CODE = re.compile(r"[a-z][a-z0-9_]*")


class CaseTypeError(ValueError):
    """A case-type file that cannot be used; `problems` lists every reason, in Chinese."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


@dataclass(frozen=True)
class State:
    code: str
    label: str
    initial: bool = False
    terminal: bool = False
    time_limit_days: int | None = None
    escalate_to: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceRule:
    min_count: int = 0
    suffixes: tuple[str, ...] = DEFAULT_EVIDENCE_SUFFIXES
    max_bytes: int = DEFAULT_EVIDENCE_MAX_BYTES


@dataclass(frozen=True)
class TransitionSpec:
    code: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    levels: frozenset[str]
    fields: tuple[FieldSpec, ...] = ()
    evidence: EvidenceRule = EvidenceRule()
    reason_required: bool = False
    # Days after this step when a follow-up (回头看, 随访) falls due; None: no follow-up.
    follow_up_days: int | None = None


@dataclass(frozen=True)
class CaseType:
    code: str
    version: int
    name: str
    description: str
    states: tuple[State, ...]
    transitions: tuple[TransitionSpec, ...]
    # A permission (RESTRICTED_PERMISSIONS) without which the type's cases are invisible; "" = ordinary scoping.
    restricted_to: str = ""

    def state(self, code: str) -> State:
        for state in self.states:
            if state.code == code:
                return state
        raise KeyError(code)

    def transition(self, code: str) -> TransitionSpec:
        for transition in self.transitions:
            if transition.code == code:
                return transition
        raise KeyError(code)

    @property
    def initial(self) -> State:
        return next(state for state in self.states if state.initial)

    @property
    def terminal_codes(self) -> frozenset[str]:
        return frozenset(state.code for state in self.states if state.terminal)

    def label_of(self, state_code: str) -> str:
        try:
            return self.state(state_code).label
        except KeyError:
            return state_code


@dataclass(frozen=True)
class EvidenceFile:
    """What the engine needs to know about an uploaded file: its name (for the type) and its size."""

    name: str
    size: int


# --------------------------------------------------------------------------------------------------------------------
# Parsing and validation


def _text(raw: Mapping[str, Any], key: str, where: str, problems: list[str], *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}缺少“{key}”（应为非空文本）")
        return ""
    return value.strip()


def _code(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = _text(raw, key, where, problems)
    if value and not _CODE.fullmatch(value):
        problems.append(f"{where}的代码“{value}”无效：只能用小写字母、数字和下划线，且以字母开头")
    return value


def _str_list(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> list[str]:
    value = raw.get(key)
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}的“{key}”应为非空的文本列表")
        return []
    return [v.strip() for v in value]


def _positive_int(value: Any, what: str, problems: list[str], *, allow_zero: bool = False) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        problems.append(f"{what}应为{'非负' if allow_zero else '正'}整数，实际为“{value}”")
        return None
    return value


def _parse_state(raw: Any, index: int, problems: list[str]) -> State | None:
    where = f"第{index}个状态"
    if not isinstance(raw, dict):
        problems.append(f"{where}应为对象")
        return None
    code = _code(raw, "code", where, problems)
    label = _text(raw, "label", where, problems)
    where = f"状态“{label or code}”"
    initial, terminal = raw.get("initial", False), raw.get("terminal", False)
    if not isinstance(initial, bool) or not isinstance(terminal, bool):
        problems.append(f"{where}的“initial”“terminal”应为 true 或 false")
        initial, terminal = bool(initial), bool(terminal)
    if initial and terminal:
        problems.append(f"{where}不能既是初始状态又是终结状态")
    limit = _positive_int(raw.get("time_limit_days"), f"{where}的办理时限（time_limit_days）", problems)
    escalate_to = raw.get("escalate_to")
    if escalate_to is not None and escalate_to not in ESCALATION_TARGETS:
        problems.append(f"{where}的超时上报对象“{escalate_to}”无效：只能是 parent（上级单位）")
        escalate_to = None
    if terminal and limit is not None:
        problems.append(f"{where}是终结状态，不能设办理时限")
    if escalate_to is not None and limit is None:
        problems.append(f"{where}设了超时上报对象，但没有办理时限（time_limit_days）")
    if limit is not None and escalate_to is None:
        escalate_to = "parent"
    return State(code=code, label=label, initial=initial, terminal=terminal, time_limit_days=limit,
                 escalate_to=escalate_to)


def _parse_field(raw: Any, where: str, problems: list[str]) -> FieldSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}的字段定义应为对象")
        return None
    name = _code(raw, "name", f"{where}的字段", problems)
    label = _text(raw, "label", f"{where}的字段“{name}”", problems)
    kind = raw.get("type", "text")
    if kind not in FIELD_TYPES:
        problems.append(f"{where}的字段“{label or name}”类型“{kind}”无效：只能是 {'、'.join(FIELD_TYPES)}")
        kind = "text"
    required = raw.get("required", True)
    if not isinstance(required, bool):
        problems.append(f"{where}的字段“{label or name}”的“required”应为 true 或 false")
        required = True
    choices: tuple[str, ...] = ()
    if kind == "choice":
        choices = tuple(_str_list(raw, "choices", f"{where}的字段“{label or name}”", problems))
    elif "choices" in raw:
        problems.append(f"{where}的字段“{label or name}”不是选项类型，不能设“choices”")
    return FieldSpec(name=name, label=label, type=kind, required=required, choices=choices)


def _parse_evidence(raw: Any, where: str, problems: list[str]) -> EvidenceRule:
    if raw is None:
        return EvidenceRule()
    if not isinstance(raw, dict):
        problems.append(f"{where}的佐证材料要求（evidence）应为对象")
        return EvidenceRule()
    min_count = _positive_int(raw.get("min", 0), f"{where}的佐证材料最少份数（min）", problems, allow_zero=True) or 0
    suffixes = DEFAULT_EVIDENCE_SUFFIXES
    if "types" in raw:
        listed = _str_list(raw, "types", f"{where}的佐证材料", problems)
        bad = [s for s in listed if not re.fullmatch(r"\.[a-z0-9]{1,8}", s)]
        if bad:
            problems.append(f"{where}的佐证材料类型 {'、'.join(bad)} 无效：应写成小写扩展名，如 .pdf")
        suffixes = tuple(s for s in listed if s not in bad) or DEFAULT_EVIDENCE_SUFFIXES
    max_bytes = _positive_int(raw.get("max_bytes"), f"{where}的佐证材料大小上限（max_bytes）", problems)
    return EvidenceRule(min_count=min_count, suffixes=suffixes, max_bytes=max_bytes or DEFAULT_EVIDENCE_MAX_BYTES)


def _parse_transition(raw: Any, index: int, states: Mapping[str, State], problems: list[str]) -> TransitionSpec | None:
    where = f"第{index}个办理步骤"
    if not isinstance(raw, dict):
        problems.append(f"{where}应为对象")
        return None
    code = _code(raw, "code", where, problems)
    label = _text(raw, "label", where, problems)
    where = f"办理步骤“{label or code}”"
    sources = _str_list(raw, "from", where, problems)
    target = _text(raw, "to", where, problems)
    for source in sources:
        if source not in states:
            problems.append(f"{where}的起始状态“{source}”未定义")
        elif states[source].terminal:
            problems.append(f"{where}从终结状态“{states[source].label}”出发：终结状态不能再办理")
    if target and target not in states:
        problems.append(f"{where}的目标状态“{target}”未定义")
    elif target and states[target].initial:
        problems.append(f"{where}不能回到初始状态“{states[target].label}”")
    roles = _str_list(raw, "roles", where, problems)
    for role in roles:
        if role not in ROLES:
            problems.append(f"{where}的角色“{role}”未知：只能是 {'、'.join(ROLES)}")
    levels = _str_list(raw, "levels", where, problems)
    for level in levels:
        if level not in LEVELS:
            problems.append(f"{where}的层级“{level}”未知：只能是 {'、'.join(LEVELS)}")
    raw_fields = raw.get("fields", [])
    fields: list[FieldSpec] = []
    if not isinstance(raw_fields, list):
        problems.append(f"{where}的“fields”应为列表")
    else:
        for item in raw_fields:
            spec = _parse_field(item, where, problems)
            if spec is not None:
                fields.append(spec)
        names = [f.name for f in fields]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{where}的字段“{name}”重复")
    reason_required = raw.get("reason_required", False)
    if not isinstance(reason_required, bool):
        problems.append(f"{where}的“reason_required”应为 true 或 false")
        reason_required = False
    follow_up = _positive_int(raw.get("follow_up_days"), f"{where}的回访期限（follow_up_days）", problems)
    return TransitionSpec(code=code, label=label, sources=tuple(sources), target=target, roles=frozenset(roles),
                          levels=frozenset(levels), fields=tuple(fields),
                          evidence=_parse_evidence(raw.get("evidence"), where, problems),
                          reason_required=reason_required, follow_up_days=follow_up)


def parse_case_type(raw: Any, *, source: str = "") -> CaseType:
    """Builds a CaseType from decoded JSON; raises CaseTypeError listing every problem found."""
    prefix = f"个案类型定义{f'（{source}）' if source else ''}"
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise CaseTypeError([f"{prefix}应为 JSON 对象"])
    code = _code(raw, "code", prefix, problems)
    name = _text(raw, "name", prefix, problems)
    version = _positive_int(raw.get("version"), f"{prefix}的版本号（version）", problems)
    if "version" not in raw:
        problems.append(f"{prefix}缺少版本号（version）")
    states: dict[str, State] = {}
    raw_states = raw.get("states")
    if not isinstance(raw_states, list) or not raw_states:
        problems.append(f"{prefix}缺少状态列表（states）")
        raw_states = []
    for index, item in enumerate(raw_states, start=1):
        state = _parse_state(item, index, problems)
        if state is None or not state.code:
            continue
        if state.code in states:
            problems.append(f"状态代码“{state.code}”重复")
        states[state.code] = state
    initials = [s for s in states.values() if s.initial]
    if states and len(initials) != 1:
        problems.append(f"{prefix}应恰有一个初始状态（initial），实际有 {len(initials)} 个")
    if states and not any(s.terminal for s in states.values()):
        problems.append(f"{prefix}至少要有一个终结状态（terminal）")
    transitions: list[TransitionSpec] = []
    raw_transitions = raw.get("transitions")
    if not isinstance(raw_transitions, list) or not raw_transitions:
        problems.append(f"{prefix}缺少办理步骤列表（transitions）")
        raw_transitions = []
    for index, item in enumerate(raw_transitions, start=1):
        transition = _parse_transition(item, index, states, problems)
        if transition is None:
            continue
        if transition.code and any(t.code == transition.code for t in transitions):
            problems.append(f"办理步骤代码“{transition.code}”重复")
        transitions.append(transition)
    for state in states.values():
        if not state.terminal and not any(state.code in t.sources for t in transitions):
            problems.append(f"状态“{state.label}”不是终结状态，却没有可办理的下一步")
    restricted = raw.get("restricted_to", "")
    if restricted and restricted not in RESTRICTED_PERMISSIONS:
        problems.append(f"{prefix}的访问限制（restricted_to）“{restricted}”未知：只能是 "
                        f"{'、'.join(RESTRICTED_PERMISSIONS)}")
    if problems:
        raise CaseTypeError(problems)
    assert version is not None
    return CaseType(code=code, version=version, name=name, description=str(raw.get("description", "")),
                    states=tuple(states.values()), transitions=tuple(transitions), restricted_to=str(restricted))


def load_case_type(code: str, *, directory: Path | None = None) -> CaseType:
    """The case type defined in `<directory>/<code>.json` (default: the shipped types)."""
    if not _CODE.fullmatch(code):
        raise CaseTypeError([f"个案类型代码“{code}”无效"])
    path = (directory or TYPES_DIR) / f"{code}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CaseTypeError([f"未找到个案类型“{code}”的定义文件"]) from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseTypeError([f"个案类型定义（{path.name}）不是有效的 JSON：第{exc.lineno}行第{exc.colno}列"]) from exc
    case_type = parse_case_type(raw, source=path.name)
    if case_type.code != code:
        raise CaseTypeError([f"个案类型定义（{path.name}）中的代码“{case_type.code}”与文件名不一致"])
    return case_type


def available_case_types(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or TYPES_DIR).glob("*.json"))


# --------------------------------------------------------------------------------------------------------------------
# Rules


def may_take(transition: TransitionSpec, role: str, level: str) -> bool:
    return role in transition.roles and level in transition.levels


def allowed_transitions(case_type: CaseType, state: str, role: str, level: str) -> list[TransitionSpec]:
    """The steps a user with this role at this org level may take from the state, in the file's order."""
    return [t for t in case_type.transitions if state in t.sources and may_take(t, role, level)]


def _who(transition: TransitionSpec) -> str:
    roles = "、".join(ROLES[r] for r in sorted(transition.roles))
    levels = "、".join(LEVELS[lv] for lv in LEVELS if lv in transition.levels)
    return f"{roles}（{levels}层级）"


def _field_problem(spec: FieldSpec, value: str) -> str | None:
    if spec.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"“{spec.label}”应为日期（如 2025-03-01），实际为“{value}”"
    elif spec.type == "integer":
        if not re.fullmatch(r"-?[0-9]+", value):
            return f"“{spec.label}”应为整数，实际为“{value}”"
    elif spec.type == "choice" and value not in spec.choices:
        return f"“{spec.label}”只能是：{'、'.join(spec.choices)}"
    return None


def check_fields(transition: TransitionSpec, fields: Mapping[str, str]) -> list[str]:
    problems: list[str] = []
    for spec in transition.fields:
        value = (fields.get(spec.name) or "").strip()
        if not value:
            if spec.required:
                problems.append(f"请填写“{spec.label}”")
            continue
        problem = _field_problem(spec, value)
        if problem:
            problems.append(problem)
    known = {spec.name for spec in transition.fields}
    unknown = sorted(name for name, value in fields.items() if name not in known and (value or "").strip())
    if unknown:
        problems.append(f"“{transition.label}”没有这些字段：{'、'.join(unknown)}")
    return problems


def check_evidence(rule: EvidenceRule, evidence: Sequence[EvidenceFile], *, label: str = "") -> list[str]:
    problems: list[str] = []
    for item in evidence:
        suffix = Path(item.name).suffix.lower()
        if suffix not in rule.suffixes:
            problems.append(f"佐证材料“{item.name}”的类型不允许；允许：{'、'.join(rule.suffixes)}")
        if item.size > rule.max_bytes:
            problems.append(f"佐证材料“{item.name}”超过 {_size(rule.max_bytes)} 上限")
        if item.size == 0:
            problems.append(f"佐证材料“{item.name}”是空文件")
    if len(evidence) < rule.min_count:
        problems.append(f"{label or '该步骤'}需要至少 {rule.min_count} 份佐证材料，实际 {len(evidence)} 份")
    return problems


def _size(limit: int) -> str:
    mb = limit / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{limit // 1024} KB"


def check_transition(case_type: CaseType, state: str, transition_code: str, role: str, level: str,
                     fields: Mapping[str, str], evidence: Sequence[EvidenceFile], *, reason: str = "") -> list[str]:
    """Every reason the step may not be taken now, in Chinese; an empty list means it may."""
    try:
        transition = case_type.transition(transition_code)
    except KeyError:
        return [f"“{case_type.name}”没有办理步骤“{transition_code}”"]
    if state in case_type.terminal_codes:
        return [f"个案已办结（{case_type.label_of(state)}），不能再办理"]
    if state not in transition.sources:
        sources = "、".join(case_type.label_of(s) for s in transition.sources)
        return [f"当前状态“{case_type.label_of(state)}”不能办理“{transition.label}”（仅限：{sources}）"]
    if not may_take(transition, role, level):
        who = f"{ROLES.get(role, role)}（{LEVELS.get(level, level)}层级）"
        return [f"{who}无权办理“{transition.label}”；只有{_who(transition)}可以办理"]
    problems = check_fields(transition, fields)
    problems += check_evidence(transition.evidence, evidence, label=f"“{transition.label}”")
    if transition.reason_required and not reason.strip():
        problems.append(f"请填写“{transition.label}”的办理说明")
    return problems


def due_date(case_type: CaseType, state: str, entered_at: dt.date) -> dt.date | None:
    """The last day the case may stay in the state; None when the state has no time limit."""
    limit = case_type.state(state).time_limit_days
    return None if limit is None else entered_at + dt.timedelta(days=limit)


def overdue(case_type: CaseType, state: str, entered_at: dt.date, today: dt.date) -> bool:
    """Whether a case that entered the state on `entered_at` has stayed past the state's time limit by `today`."""
    due = due_date(case_type, state, entered_at)
    return due is not None and today > due
