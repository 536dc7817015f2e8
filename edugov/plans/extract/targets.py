"""Extract quantitative targets from the text of a Chinese education work plan.

Pure functions, no Django. The grammar (documented in docs/plan-extraction.md):

1. The text is copied to a Simplified, half-width *analysis text* of the same length,
   so every offset found there indexes the original, and quotes stay verbatim.
2. The analysis text is cut into clauses at ，。；：！？ and line breaks.
3. In each clause, *number mentions* are ``NUMBER [至 NUMBER] [万|亿] UNIT`` (units from
   lexicon/units.csv) plus a few absolute cues (清零, 全覆盖, 零X, 半数以上 …).
4. Mentions in excluded contexts are dropped: inside quotation marks or 《》 (programme and
   document names), after 第 (ordinals), in clauses reporting the past (去年, 截至 …),
   group definitions (后30%学生), baselines of a 由A到B change, and numbers that only
   qualify a zero target (56人以上大班额清零).
5. Each kept mention gets a comparator by precedence: zero > 100 % / coverage > change
   verb > 由A到B norm > trailing 以上/以下 > nearest preceding comparator > range or
   attainment with a denominator (>=) > 确保/保证 (>=) > norm or rate (==) > count.
6. Restatements (a news sub-head repeating the body) are reported once.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from .lexicon import Lexicon, load_lexicon
from .normalise import analysis_text, to_simplified
from .numbers import CN_NUMERAL_CHARS, parse_number, tidy

CLAUSE_DELIMS = "，,。；;！!？?：:\n"
# Quote pairs whose content is a name (programme, slogan, document), not a commitment.
NAME_BRACKETS = {"“": "”", "《": "》", "『": "』", "「": "」", '"': '"', "‘": "’"}
LIST_JOINERS = "、和及与并"
MAX_QUOTE_LEAD = 30  # characters kept before a number when a clause runs long
MAX_QUOTE_TAIL = 16


@dataclass
class Target:
    """One quantitative target; fields follow the gold schema (shared/gold/README.md)."""

    doc: str
    quote: str
    start: int
    end: int
    subject: str
    comparator: str
    value: float | int
    value_max: float | int | None
    unit: str | None
    per: str | None
    deadline: str | None
    scope: str | None
    kind: str
    indicator: str | None = None
    confidence: float | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_record(self) -> dict[str, Any]:
        """JSON-ready dict in schema order (``extra`` is internal and left out)."""
        rec = asdict(self)
        rec.pop("extra")
        return rec


@dataclass
class _Mention:
    start: int  # offset of the number (or cue) in the clause's text
    end: int  # end of unit and trailing qualifier
    value: float
    value_max: float | None
    unit: str | None
    category: str
    comparator: str | None = None
    cue: str | None = None  # absolute cue meaning: zero | all | half
    cn_numeral: bool = False


@cache
def _number_regex() -> re.Pattern[str]:
    lex = load_lexicon()
    units = sorted(lex.units, key=len, reverse=True)
    num = rf"(?:\d+(?:\.\d+)?|[{CN_NUMERAL_CHARS}]+)"
    return re.compile(
        rf"(?<![\d.A-Za-z])(?P<num>{num})(?:\s*(?:至|到|-|—|~|～)\s*(?P<num2>{num}))?"
        # 余/多 (3000余人次, 1000多名) mark an approximate figure; the number is still the target
        rf"\s?(?P<mult>万|亿)?(?:余|多)?(?P<unit>{'|'.join(map(re.escape, units))})"
    )


@cache
def _cue_regex() -> re.Pattern[str]:
    """All absolute cues, longest first, so 全面消除 wins over 消除."""
    cues = sorted(load_lexicon().absolutes, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, cues)))


@cache
def _candidate_regex() -> re.Pattern[str]:
    cues = sorted(load_lexicon().absolutes, key=len, reverse=True)
    return re.compile(rf"[\d{CN_NUMERAL_CHARS}]|" + "|".join(map(re.escape, cues)))


def _candidate(c: str, lex: Lexicon) -> bool:
    """Cheap pre-check: most clauses hold no numeral or cue at all."""
    return _candidate_regex().search(c) is not None


_ZERO_WORD = re.compile(r"(?<![" + CN_NUMERAL_CHARS + r"\d])零(?P<w>[\u4e00-\u9fff]{1,2})(?=[、，,。；;）)』」”\s]|$)")
_BARE_RATIO = re.compile(r"(?<![\d.])(?P<num>\d+\.\d+|\d+)(?![\d.%])")
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_PERCENT_WORDS = re.compile(r"百分之(?P<num>\d+(?:\.\d+)?|[" + CN_NUMERAL_CHARS + "]+)")


_OPENERS = re.compile("|".join(map(re.escape, NAME_BRACKETS)))
MAX_NAME = 42


def _name_spans(s: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks / 《》 up to 40 chars: names, not commitments."""
    spans: list[tuple[int, int]] = []
    for m in _OPENERS.finditer(s):
        i, close = m.start(), NAME_BRACKETS[m.group(0)]
        j = s.find(close, i + 1, i + MAX_NAME)
        if j > 0:
            spans.append((i, j + 1))
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in spans)


# A list marker that opens a clause ("（五）", "3.", "二、", "①") numbers the plan, it is not part of any target.
_LIST_MARKER = re.compile(
    r"\s*(?:[（(][一二三四五六七八九十百\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、](?!\d)|[①-⑳])\s*"
)


def _clauses(s: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, c in enumerate(s):
        if c in CLAUSE_DELIMS:
            if i > start:
                out.append((start, i))
            start = i + 1
    if start < len(s):
        out.append((start, len(s)))
    trimmed = []
    for a, b in out:
        marker = _LIST_MARKER.match(s, a, b)
        trimmed.append((marker.end() if marker and marker.end() < b else a, b))
    return trimmed


def _nearest_suffix(before: str, phrases: dict[str, str], window: int) -> tuple[str, str] | None:
    """The phrase ending closest to the end of ``before`` (within ``window`` chars)."""
    best: tuple[int, int, str] | None = None
    tail = before[-window:]
    for p in phrases:
        k = tail.rfind(p)
        if k < 0:
            continue
        key = (k + len(p), len(p))
        if best is None or key > best[:2]:
            best = (key[0], key[1], p)
    return None if best is None else (best[2], phrases[best[2]])


def _per(before: str, unit_tail: str, lex: Lexicon) -> str | None:
    """Denominator from 每X phrases before the number or a /生/年 suffix after the unit."""
    tokens: list[tuple[str, str]] = []
    if unit_tail.startswith("/"):
        for part in unit_tail.split("/")[1:]:
            part = part.strip(")）")
            if part in lex.per:
                tokens.append(lex.per[part])
    for m in re.finditer(r"[每天](?:一)?", before):
        if before[m.start()] == "天" and before[m.start() : m.start() + 2] != "天天":
            continue
        rest = before[m.end() :]
        if before[m.start()] == "天":
            tokens.append(("天", "time"))
            continue
        for word in sorted(lex.per, key=len, reverse=True):
            if rest.startswith(word):
                tokens.append(lex.per[word])
                break
    for word, token in lex.per.items():
        if word.endswith("均") and word in before:
            tokens.append(token)
    if not tokens and any(v in before for v in lex.attainment_verbs):
        tokens.append(("生", "entity"))
    if not tokens:
        return None
    seen: list[str] = []
    for name, _axis in sorted(tokens, key=lambda t: t[1] == "time"):
        if name not in seen:
            seen.append(name)
    return "/".join(seen)


def _find_mentions(c: str, lex: Lexicon, names: list[tuple[int, int]]) -> list[_Mention]:
    out: list[_Mention] = []
    for m in _number_regex().finditer(c):
        raw = m.group("num")
        cn = not raw[0].isdigit()
        value = parse_number(raw)
        if value is None:
            continue
        v2 = parse_number(m.group("num2")) if m.group("num2") else None
        unit_written = m.group("unit")
        unit, category = lex.units[unit_written]
        mult = m.group("mult")
        if mult:
            factor = 10000.0 if mult == "万" else 1e8
            if category == "money":
                # 万元/亿元 stay as written; a bare 万 before 元 means 万元.
                pass
            else:
                value *= factor
                v2 = v2 * factor if v2 is not None else None
        if category == "count_wan":
            value *= 10000
            v2 = v2 * 10000 if v2 is not None else None
        if mult and unit == "元":
            unit = mult + "元"  # 2.3亿元: currency keeps its multiplier in the unit
        if cn and m.group("num2") is None and len(raw) == 1 and raw in "十百千" and unit in ("%",):
            continue
        out.append(_Mention(m.start("num"), m.end(), value, v2, unit, category, cn_numeral=cn))
    for m in _PERCENT_WORDS.finditer(c):
        value = parse_number(m.group("num"))
        if value is not None:
            out.append(_Mention(m.start(), m.end(), value, None, "%", "rate"))
    for m in _cue_regex().finditer(c):
        meaning = lex.absolutes[m.group(0)]
        val = {"zero": 0.0, "zero_group": 0.0, "all": 100.0, "half": 50.0}[meaning]
        out.append(_Mention(m.start(), m.end(), val, None, None if meaning == "zero" else "%", "rate", cue=meaning))
    for m in _ZERO_WORD.finditer(c):
        if any(c.startswith(x, m.start()) for x in lex.zero_words_excluded):
            continue
        out.append(_Mention(m.start(), m.end(), 0.0, None, None, "rate", cue="zero"))
    out.sort(key=lambda x: (x.start, -x.end))
    # drop mentions nested in an earlier one (e.g. 百分点 inside 个百分点 handled by regex; cues vs numbers)
    kept: list[_Mention] = []
    for x in out:
        # a shorter cue inside a longer one (消除 in 全面消除) or a number inside a number is the same mention
        if kept and x.start < kept[-1].end and (x.cue is None) == (kept[-1].cue is None):
            continue
        kept.append(x)
    return kept


def _excluded(
    c: str, mt: _Mention, lex: Lexicon, names: list[tuple[int, int]], has_zero_after: bool, sentence_before: str
) -> bool:
    before = c[: mt.start]
    if mt.cue is None and _inside(mt.start, names):
        return True
    if mt.cue == "zero" and _inside(mt.start, names) and not c[mt.start : mt.end].endswith(("清零", "归零")):
        # 零X inside a name is part of a slogan, but “清零” in quotes is still a target
        return not _inside(mt.start - 1, names) or c[mt.start - 1] not in NAME_BRACKETS
    if any(x in sentence_before[-20:] for x in lex.exclusions.get("page", ())):
        return True  # 浏览次数：1234次 (the colon ends the clause, so look back in the sentence)
    if any(before.endswith(x) for x in lex.exclusions.get("ordinal", ())):
        return True
    if _reports_past(sentence_before, lex):
        return True  # 去年新建幼儿园8所，新增学位2400个: the whole sentence reports the past
    group_cues = lex.exclusions.get("group_before_percent", ())
    if mt.unit == "%" and mt.cue is None and any(before.endswith(x) for x in group_cues):
        return True
    if mt.cue is None and has_zero_after:
        return True
    if mt.cue is None and re.match(r"0\d", c[mt.start : mt.start + 2]):
        return True  # 01、02 … are section labels
    if mt.cn_numeral and before.endswith("每"):
        return True  # 每一名 = "every", not a count of one
    after = c[mt.end :]
    if mt.cue is None and _defines_group(c, mt, lex):
        return True
    if mt.cue is None and mt.unit in ("个", "项") and any(after.startswith(x) for x in lex.exclusions["structural"]):
        return True
    if mt.cue is None and re.search(r"[\u4e00-\u9fff]了[^，。]{0,6}$", before):
        return True  # 新建了5所: completed aspect reports the past
    # baseline of a 由A到B / 从A提高到B change: only B is the target
    if mt.cue is None and re.search(r"[由从][^由从]{0,8}$", before) and re.match(r"[^，。]{0,6}?(?:到|至)", after):
        return True
    # a year range / duration (3至5年) is caught by the unit list; a bare 一 before 个/项 is an article
    if mt.cn_numeral and mt.cue is None:
        return not _cn_numeral_trusted(c, mt, lex)
    return False


def _reports_past(sentence_before: str, lex: Lexicon) -> bool:
    """A past cue, unless it is only the reference of a comparison (比上年提高, 在去年基础上)."""
    for cue in lex.exclusions.get("past", ()):
        for m in re.finditer(re.escape(cue), sentence_before):
            lead = sentence_before[max(0, m.start() - 1) : m.start()]
            if lead in ("比", "较", "在", "同") or sentence_before.startswith("基础", m.end()):
                continue
            return True
    return False


def _defines_group(c: str, mt: _Mention, lex: Lexicon) -> bool:
    """56人以上大班额 / 接收5名以上残疾儿童的学校: the count names a group, it is not a goal."""
    after = c[mt.end :]
    after = after[2:] if after[:2] in lex.comparators_after else after
    if any(after.startswith(x) for x in lex.exclusions.get("group_after", ())):
        return True
    return mt.category == "count" and re.match(r"[^，。的]{0,10}的(?:学校|幼儿园|班级|地区)", after) is not None


def _cn_numeral_trusted(c: str, mt: _Mention, lex: Lexicon) -> bool:
    """Chinese numerals are everywhere (一批, 三个体系); trust them only in target grammar."""
    before, after = c[: mt.start], c[mt.end : mt.end + 3]
    if any(after.startswith(p) for p in lex.comparators_after):
        return True
    if _nearest_suffix(before, lex.comparators_before, 4) is not None:
        return True
    if "每" in before:
        return True
    raw_first = c[mt.start]
    if mt.unit in ("个", "项") or (raw_first == "一" and mt.value == 1):
        return False
    return any(before.endswith(v) for v in lex.verbs)


def _comparator(c: str, mt: _Mention, per: str | None, lex: Lexicon) -> str:
    """Comparator by the precedence documented in the module docstring."""
    before, after = c[: mt.start], c[mt.end : mt.end + 3]
    if mt.cue == "zero":
        return "zero"
    if mt.unit == "%" and mt.value == 100:
        return "=="  # 100 % / 全覆盖 is an exact coverage goal even after 确保 or 达到
    if mt.cue == "half":
        return ">="
    if mt.cue == "all":
        return "=="
    change = _nearest_suffix(before, lex.change_verbs, 8)
    if change is not None and not re.search(re.escape(change[0]) + r"[^，]{0,4}?(?:到|至)", before):
        verb_comp = change[1]
        if mt.category == "change" or (verb_comp == "decrease_by" and mt.unit != "%"):
            return verb_comp
        if mt.unit == "%" and before.endswith(change[0]):
            return verb_comp  # 近视率下降10%: relative change, not a level
    if mt.category == "change":
        return "increase_by"
    if _raised_norm(before) and mt.unit != "%":
        return "=="  # a norm raised from A to B is set to B; a rate raised to B is a floor
    for p, comp in sorted(lex.comparators_after.items(), key=lambda kv: -len(kv[0])):
        if after.startswith(p):
            return comp
    near = _nearest_suffix(before, lex.comparators_before, 10)
    if near is not None:
        return near[1]
    if per and (mt.value_max is not None or any(v in before for v in lex.attainment_verbs)):
        return ">="
    if mt.category != "money" and any(g in before for g in lex.guarantee_verbs):
        return ">="
    if per or mt.unit in ("%", None):
        return "=="
    return "count"


def _raised_norm(before: str) -> bool:
    """由240元提高到295元: the second figure is the new norm."""
    return re.search(r"[由从][^由从，]{0,14}(?:到|至)[^，]{0,6}$", before) is not None


def _kind(mt: _Mention, comparator: str, per: str | None, before: str) -> str:
    if comparator == "zero":
        return "zero_target"
    if comparator in ("decrease_by", "increase_by"):
        return "change_target"
    if mt.unit in ("%", None):
        return "rate_target"
    if _raised_norm(before) and mt.category == "money":
        return "standard"
    if per:
        # 每年至少开展一次培训 is a frequency of events to deliver, not a norm per unit
        recurring = per.split("/")[-1] in ("年", "学年", "季度", "学期", "月")
        return "count_target" if mt.unit == "次" and recurring else "standard"
    return "standard" if mt.category == "time" else "count_target"


def _bare_ratio_mentions(c: str, taken: list[_Mention], lex: Lexicon) -> list[_Mention]:
    """Dimensionless ratios (差异率低于0.15): a unitless number right after 率/系数 + comparator."""
    out = []
    for m in _BARE_RATIO.finditer(c):
        if any(t.start <= m.start() < t.end for t in taken):
            continue
        tail = c[m.end() : m.end() + 1]
        if tail and (tail in "年月日号期届批级后" or tail.isdigit()):
            continue
        before = c[: m.start()]
        near = _nearest_suffix(before, lex.comparators_before, 4)
        if near is None or not before.endswith(near[0]):
            continue
        head = before[: -len(near[0])]
        if re.search(r"(?:率|系数|比|指数)$", head):
            out.append(_Mention(m.start(), m.end(), float(m.group("num")), None, None, "rate"))
    return out


_MULTI_YEAR = re.compile(r"实施方案|行动计划|行动方案|规划|三年|五年")
_ANNUAL = re.compile(r"工作要点|工作重点|工作计划|工作安排|工作会议|工作部署|工作做出")


def _plan_years(s: str) -> tuple[str | None, int | None]:
    """(year of an annual plan, year the document was issued), read from its head.

    An annual plan's one-off targets are due that year; a multi-year plan's are not, but
    its "3年内" windows count from the issue year.
    """
    head = s[:400]
    years = re.findall(r"(?<!\d)(20\d\d)(?!\d)", head)
    issue = int(years[0]) if years else None
    if _MULTI_YEAR.search(head) and not _ANNUAL.search(head):
        return None, issue
    # "2021年…教育工作" first; a bare "2020某市教育" only when no year is written with 年
    m = re.search(r"(?<![\d〔﹝\[])(20\d\d)年[^，。\n〕﹞]{0,12}?(?:教育|教体|工作)", head) or re.search(
        r"(?<![\d〔﹝\[])(20\d\d)[^，。\n〕﹞\d-]{0,12}?(?:教育|教体|工作)", head
    )
    return (m.group(1) if m else None), issue


def _deadline(sentence_before: str, per_before: bool, plan_year: str | None, issue_year: int | None) -> str | None:
    """Explicit year > N年内 window > 年底/年内 > recurring (null) > annual plan year."""
    years = [
        m.group(1)
        for m in _YEAR.finditer(sentence_before)
        if not re.match(r"\s*\d+\s*月|[^，。]{0,3}(?:基础|基数|水平)", sentence_before[m.end() :])
    ]
    if years:
        return years[-1]
    window = re.search(r"(\d+|[一二两三四五六七八九十])\s*年(?:内|时间|左右)", sentence_before)
    if window and issue_year is not None:
        n = parse_number(window.group(1))
        if n:
            return str(issue_year + int(n) - 1)
    if "年底" in sentence_before or "年末" in sentence_before:
        return "年底"
    if "年内" in sentence_before and not window:
        return "年内"
    if per_before:
        return None
    return plan_year


_PLACE = re.compile(r"([\u4e00-\u9fff]{2}[市县])(?![\u4e00-\u9fff]?[级长委])")
# second characters that make "X市/X县" a phrase (全市, 在本县 …) rather than a place name
_NOT_PLACE = set("全本各该城都超地我省市县区州在到向为对和与及的个")
_TOWN = re.compile(r"^[^，。]{0,4}?([\u4e00-\u9fff]{2}(?:镇|乡|街道))(?!驻地|域|中心)")


_SCOPE_LEAD = re.compile(r"^(?:全市|全县|全区|全镇|各|为|对|在|确保|保证|力争|推动|支持|鼓励)*")


def _leading_scope(pre: str, lex: Lexicon) -> str | None:
    """A group word that opens the clause (城镇中小学…清零, 为市属学校补充…) governs it;
    one inside the subject (新建幼儿园, 普惠性幼儿园覆盖率) is the object, not the scope."""
    pre = _SCOPE_LEAD.sub("", pre)
    return next((sc for sc in lex.scopes if pre.startswith(sc)), None)


def _jurisdiction(s: str) -> str | None:
    """The issuing city/county: named in the head if possible, else the most frequent place name."""
    names = [m.group(1) for m in _PLACE.finditer(s) if m.group(1)[1] not in _NOT_PLACE]
    head = [m.group(1) for m in _PLACE.finditer(s[:300]) if m.group(1)[1] not in _NOT_PLACE]
    if head:
        return max(head, key=names.count)
    if names:
        best = max(set(names), key=names.count)
        return best if names.count(best) >= 2 else None
    return None


def _indicator(subject: str, context: str, lex: Lexicon) -> tuple[str | None, float | None]:
    best: tuple[int, str, float] | None = None
    for ind in lex.indicators:
        for alias in ind.aliases:
            conf = 1.0 if alias == subject else 0.9 if alias in subject else 0.6 if alias in context else 0.0
            if conf and (best is None or (conf, len(alias)) > (best[2], best[0])):
                best = (len(alias), ind.code, conf)
    return (best[1], best[2]) if best else (None, None)


_LEAD_FILLER = re.compile(r"^(?:并|和|及|与|以及|同时|力争|确保|保证|实现|全年|年内|年底前|年底|今年|计划|要|将)+")


def _subject(c_before: str, c_after: str, lex: Lexicon) -> str:
    """What is measured: the phrase before the number minus comparators, plus the noun after a count."""
    head = c_before
    for p in sorted(lex.comparators_before, key=len, reverse=True):
        if head.endswith(p):
            head = head[: -len(p)]
            break
    head = _LEAD_FILLER.sub("", head.strip(" 、"))
    # drop baselines and change verbs: 覆盖率由82% / 近视率在2023年基础上每年降低
    head = re.sub(r"[由从][^由从]*$", "", head)
    head = re.sub(r"在[^在]*基础上", "", head)
    for v in sorted(lex.change_verbs, key=len, reverse=True):
        if head.endswith(v):
            head = head[: -len(v)]
            break
    head = re.sub(r"每(?:年|学年|天|日|季度|学期|月)$", "", head)
    tail = re.split(r"[、，,。；;（(]", c_after, maxsplit=1)[0][:12]
    for p in lex.comparators_after:
        if tail.startswith(p):
            tail = tail[len(p) :]
    tail = tail.lstrip("的")
    return (head + tail).strip() or tail or head


def extract_targets(text: str, doc: str) -> list[Target]:
    """Quantitative targets in ``text``; offsets index ``text`` and ``text[start:end] == quote``."""
    lex = load_lexicon()
    s = analysis_text(text)
    plan_year, issue_year = _plan_years(s)
    jurisdiction = _jurisdiction(s)
    names = _name_spans(s)
    name_starts = [a for a, _ in names]  # sorted: spans are found left to right
    results: list[Target] = []
    sentence_start = 0
    past_lines = _past_section_lines(s, lex)
    line_starts = [0] + [m.end() for m in re.finditer("\n", s)]
    current_town: tuple[str, int] | None = None

    def _line_of(pos: int) -> int:
        return bisect_right(line_starts, pos) - 1

    for cs, ce in _clauses(s):
        c = s[cs:ce]
        if past_lines and _line_of(cs) in past_lines:
            continue
        if cs == 0 or s[cs - 1] in "。；;！!？?\n":
            sentence_start = cs
        town = _TOWN.match(c)
        if town:
            current_town = (town.group(1), _line_of(cs))
        if not _candidate(c, lex):
            continue
        first = bisect_left(name_starts, cs - MAX_NAME)  # a name span is at most MAX_NAME long
        last = bisect_left(name_starts, ce)
        local_names = [(a - cs, b - cs) for a, b in names[first:last] if b > cs]
        mentions = _find_mentions(c, lex, local_names)
        mentions += _bare_ratio_mentions(c, mentions, lex)
        mentions.sort(key=lambda x: x.start)
        has_numeric = [m for m in mentions if m.cue is None]
        prev_end = 0
        group_numbers = [m for m in mentions if m.cue is None and _defines_group(c, m, lex)]
        for mt in mentions:
            has_zero_after = any(z.cue == "zero" and z.start > mt.start for z in mentions)
            if mt.cue == "zero_group":
                if not any(g.start > mt.start for g in group_numbers) or has_zero_after:
                    continue
                mt.cue = "zero"
                mt.end = max(g.end for g in group_numbers)
                mt.end += len(next((p for p in ("及以上", "以上") if c.startswith(p, mt.end)), ""))
                mt.end += len(next((x for x in lex.exclusions["group_after"] if c.startswith(x, mt.end)), ""))
            elif _excluded(c, mt, lex, local_names, has_zero_after, s[sentence_start : cs + mt.start]):
                continue
            if mt.cue in ("all",) and has_numeric:
                continue
            tail_m = re.match(r"\s*(?:/[\u4e00-\u9fff]{1,3})+", c[mt.end :])
            unit_tail = tail_m.group(0).strip() if tail_m else ""
            before = c[: mt.start]
            per = _per(before, unit_tail, lex)
            implied = lex.unit_default_per.get(mt.unit or "") if mt.cue is None else None
            if implied and (per is None or per.split("/")[0] in ("年", "学年", "天")):
                per = implied if per is None else f"{implied}/{per}"  # 每年72学时 → 人/年
            comparator = _comparator(c, mt, per, lex)
            kind = _kind(mt, comparator, per, before)
            q_end = mt.end + len(unit_tail)
            for p in sorted(lex.comparators_after, key=len, reverse=True):
                if c.startswith(p, q_end):
                    q_end += len(p)
                    break
            if mt.cue is None:
                # carry the noun after a count (开工建设130所中小学幼儿园) into the quote
                nxt = min([m.start for m in mentions if m.start >= q_end] + [len(c)])
                stop = re.search(r"[、，,。；;（(]", c[q_end:nxt])
                q_end = min(q_end + (stop.start() if stop else nxt - q_end), q_end + MAX_QUOTE_TAIL, nxt)
            elif c.startswith("”", q_end) or c.startswith("』", q_end):
                q_end += 1
            q_start = max(prev_end, mt.start - MAX_QUOTE_LEAD)
            while q_start < mt.start and c[q_start] in LIST_JOINERS + " ”』)）":
                q_start += 1
            if mt.cue == "zero" and c[mt.start] == "零":
                q_start = mt.start
            prev_end = mt.end
            start, end = cs + q_start, cs + q_end
            quote = text[start:end]
            if mt.cue == "zero" and c[mt.start] == "零":
                subject = _display(text, s, cs + mt.start + 1, cs + mt.end)  # 零择校 → 择校
            elif mt.cue == "zero" and not _display(text, s, cs + q_start, cs + mt.start).strip():
                subject = _display(text, s, cs + mt.start, cs + q_end)  # 消除56人以上大班额
            else:
                # subject comes from the analysis text (same offsets) so comparators match in Simplified
                subject = _subject(
                    _display(text, s, cs + q_start, cs + mt.start), _display(text, s, cs + mt.end, cs + q_end), lex
                )
            scope = (
                _leading_scope(s[cs + q_start : cs + mt.start], lex)
                or _leading_scope(s[cs : cs + mt.start], lex)
                # a town named as the subject of an earlier sentence governs the rest of its paragraph
                or (current_town[0] if current_town and current_town[1] == _line_of(cs) else None)
                or jurisdiction
            )
            recurring = re.search(r"每(?:天|日|年|学年|学期|季度|月|周)|天天", before) is not None
            deadline = _deadline(s[sentence_start : cs + mt.start], recurring, plan_year, issue_year)
            code, conf = _indicator(subject, to_simplified(c), lex)
            results.append(
                Target(
                    doc=doc,
                    quote=quote,
                    start=start,
                    end=end,
                    subject=subject,
                    comparator=comparator,
                    value=0 if comparator == "zero" else tidy(mt.value),
                    value_max=tidy(mt.value_max) if mt.value_max is not None else None,
                    unit=None if comparator == "zero" else mt.unit,
                    per=per,
                    deadline=deadline,
                    scope=scope,
                    kind=kind,
                    indicator=code,
                    confidence=conf,
                    extra={"headline": _is_headline(s, cs)},
                )
            )
    return _drop_restatements(results)


def _display(text: str, s: str, a: int, b: int) -> str:
    """Simplified display text: Taiwan phrasing converted when the original is Traditional.

    tw2sp must not see mainland text (it rewrites 新增 → 添加), so it only runs where t2s changed something.
    """
    return to_simplified(text[a:b]) if text[a:b] != s[a:b] else s[a:b]


def _is_headline(s: str, pos: int) -> bool:
    """A short line without sentence punctuation (news sub-heads restate the body)."""
    a = s.rfind("\n", 0, pos) + 1
    b = s.find("\n", pos)
    line = s[a : b if b >= 0 else len(s)].strip()
    return len(line) <= 40 and not re.search(r"[。；;，,]", line)


def _past_section_lines(s: str, lex: Lexicon) -> set[int]:
    """Line numbers inside a review-of-last-year section (一、2023年工作回顾 … 二、2024年工作重点)."""
    past: set[int] = set()
    in_past = False
    for n, line in enumerate(s.split("\n")):
        short = len(line.strip()) <= 40 and "。" not in line
        if short and any(x in line for x in lex.exclusions.get("past_section", ())):
            in_past = True
        elif short and in_past and any(x in line for x in lex.exclusions.get("plan_section", ())):
            in_past = False
        if in_past:
            past.add(n)
    return past


def _similar(a: str, b: str, threshold: float, contained: bool = False) -> bool:
    """Character-set overlap; ``contained`` compares with the shorter side (headlines are abridged)."""
    sa, sb = set(a), set(b)
    if not (sa and sb):
        return False
    base = min(len(sa), len(sb)) if contained else len(sa | sb)
    return len(sa & sb) / base >= threshold


def _drop_restatements(targets: list[Target]) -> list[Target]:
    """A target restated in a headline or repeated later counts once; keep the body sentence."""
    keep = [True] * len(targets)
    for i, a in enumerate(targets):
        for j in range(i + 1, len(targets)):
            b = targets[j]
            if not (keep[i] and keep[j]) or (a.value, a.unit, a.comparator) != (b.value, b.unit, b.comparator):
                continue
            if a.comparator == "zero":
                continue
            # a headline restating the body may reword it; two body sentences must match closely
            one_headline = bool(a.extra.get("headline")) != bool(b.extra.get("headline"))
            if not _similar(a.subject, b.subject, 0.8 if one_headline else 0.9, contained=one_headline):
                continue
            if a.extra.get("headline") and not b.extra.get("headline"):
                keep[i] = False
            else:
                keep[j] = False
    return [t for t, k in zip(targets, keep, strict=True) if k]
