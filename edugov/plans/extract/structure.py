"""Document structure of a Chinese education work plan: metadata, section tree and measures.

Pure functions, no Django. The grammar (documented in docs/plan-extraction.md, "Document structure"):

1. Matching runs on the Simplified, half-width *analysis text* (same length as the input), so every
   offset indexes the original and every returned string is sliced from the original.
2. Lines are classified: blank, page furniture (navigation, 来源, 返回首页 …), metadata (``KEY：VALUE``
   with keys from lexicon/metadata_keys.csv), a bare date, or body.
3. Headings are labelled lines (一、 / （一） / 1. 1、 / （1） 1） / ① / 01 / 一是 / 第一章 …) and, in documents
   without 一、/第X章 headings, *bare* headings: short unpunctuated lines followed by body text (a very
   short tagline line such as 新举措 is folded into the heading). Levels come from the order in which
   numbering styles appear (a style seen again closes the deeper ones). A heading may also start after
   。 in the middle of a line when it continues the numbering of a style already seen.
4. Measures are the sentences (split at 。！？； line breaks and tabs, never inside brackets) of body text
   that contain a commitment verb (lexicon/measure_verbs.txt) not used as a noun (的实施), minus news
   lead-ins, ideology, cover-letter boilerplate, reports of the past, questions and list introducers.
   A numbered item whose first sentence is long (or ends the line with 。) is a measure as well.
5. Responsible units come from ``责任单位：A、B`` markers, ``（A牵头，B配合）`` clauses and a leading
   subject (``A要…``); deadlines from ``完成时限：…`` markers or a date phrase in the sentence, resolved
   to an ISO date with the plan year. A marker standing alone (``（责任单位：A）`` after the 。) applies to
   the preceding measures of the same section.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from .lexicon import StructureLexicon, load_structure_lexicon
from .normalise import analysis_text
from .numbers import parse_cn_int
from .targets import _plan_years

TERMINATORS = "。!?;"  # analysis text: ！？； are folded to half width
CJK = r"\u4e00-\u9fff"
_CN_NUM = "一二三四五六七八九十零〇"
_OPEN_QUOTES = "“「『"
_CLOSE_QUOTES = "”」』"
MAX_BRACKET = 200  # a bracket left open longer than this is a scraping accident, not a parenthesis
MAX_BARE_HEADING = 40
MAX_TAGLINE = 6
MAX_RUN_IN_HEADING = 25  # a numbered item's first sentence longer than this is a measure as well
MAX_NAME = 62  # longest “…” / 《…》 span read as a name (no date inside it is a deadline)


# ---------------------------------------------------------------------------------------------- records


@dataclass
class DocumentInfo:
    title: str | None  # verbatim from the text
    issuer: str | None  # e.g. "市教育和体育局" / "大慶市教育局" verbatim
    issued_on: str | None  # ISO date "2021-05-20" when the text gives a full date, else None
    doc_number: str | None  # 文号 verbatim, e.g. "安教体字〔2021〕13号"
    year: int | None  # the plan's year when evident (title "2024年…工作要点", issued date, …)


@dataclass
class Section:
    index: int  # position in PlanStructure.sections
    parent: int | None  # index of the parent section
    level: int  # 1 = top
    label: str  # the numbering as written: "一、", "（一）", "1.", "01", "①", "" for a bare heading
    title: str  # heading text verbatim (without the label)
    start: int  # offset of the heading line (label included) in the decoded text
    end: int  # end of the heading
    body_end: int  # offset where the section's content ends (next sibling/ancestor heading or end of text)


@dataclass
class Measure:
    index: int
    section: int | None  # index of the innermost enclosing section
    quote: str  # verbatim sentence/clause that commits to an action; text[start:end] == quote
    start: int
    end: int
    lead_units: list[str] = field(default_factory=list)  # responsible units named by the text, verbatim
    co_units: list[str] = field(default_factory=list)  # co-responsible (配合/协办/参与) units, verbatim
    deadline: str | None = None  # ISO date of the resolved deadline; None for ongoing work or when absent
    deadline_quote: str | None = None  # the verbatim deadline phrase


@dataclass
class PlanStructure:
    doc: str
    info: DocumentInfo
    sections: list[Section]
    measures: list[Measure]

    def to_record(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"doc", "info", "sections", "measures"}``."""
        return {
            "doc": self.doc,
            "info": asdict(self.info),
            "sections": [asdict(x) for x in self.sections],
            "measures": [asdict(m) for m in self.measures],
        }


# ---------------------------------------------------------------------------------------------- regexes


def _alt(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


# Numbering styles, tried in this order at a line start (analysis text: （）．are folded to ().).
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"第([{_CN_NUM}\d]{{1,4}})(章|部分|篇|节)[\s、.:]*")),
    ("article", re.compile(rf"第([{_CN_NUM}\d]{{1,4}})条\s*")),
    ("cn_dun", re.compile(rf"([{_CN_NUM}]{{1,3}})\s*[、.]\s*")),
    ("cn_paren", re.compile(rf"\(\s*([{_CN_NUM}]{{1,3}})\s*\)[\s、.]*")),
    ("ar_paren", re.compile(r"\(\s*(\d{1,3})\s*\)[\s、.]*")),
    ("ar_rparen", re.compile(r"(\d{1,3})\s*\)[\s、.]*")),
    ("ar", re.compile(r"(\d{1,3})\s*(?:\.(?!\d)|、)\s*")),
    ("circled", re.compile(r"([①-⑳])[\s、.]*")),
    ("zero_pad", re.compile(rf"(0\d)(?=[{CJK}])")),
    ("cn_shi", re.compile(rf"([{_CN_NUM}]{{1,3}})是(?=[{CJK}])")),
)
_TOP_STYLES = ("chapter", "cn_dun")
_LEAD_STRIP = re.compile(r"[\s\u3000]*(?:[-*•·●◆■▲►□◇○]+[\s\u3000]*)?")
_NAV = re.compile(r"[>›»]")
_DATE_PATTERNS = (
    re.compile(r"(?P<y>(?:19|20)\d\d)\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(
        r"(?P<y>[〇零一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
    ),
)
_DOC_NUMBER = re.compile(rf"[{CJK}]{{1,12}}[〔\[﹝【(]\s*(?:19|20)\d\d\s*[〕\]﹞】)]\s*\d{{1,4}}\s*号")
_YEAR4 = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_YEAR_RANGE = re.compile(r"\s*[-—–~至到]\s*(?:19|20)\d\d")
_NEWS_DATE = re.compile(r"\d{1,2}月\d{1,2}日(?!之?前|以前)")  # a dateline: 3月5日，…
_CJK_CHAR = re.compile(rf"[{CJK}]")
_QUOTE_CHAR = re.compile(f"[{_OPEN_QUOTES}{_CLOSE_QUOTES}]")
_SENTENCE_END = re.compile(r"[。!?;][ \t\u3000]*")
_SPLIT_CHARS = re.compile(r"[()。!?;\t]")
_TITLE_STOP = re.compile(r"[()。!?;:]")
_LABEL_FIRST = set("第(①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳0123456789" + _CN_NUM)
_CN_M = "一二三四五六七八九十"
_NUM = rf"(?:\d{{1,2}}|[{_CN_M}]{{1,3}})"
_YEAR = r"(?:(?:19|20)\d\d|[〇零一二三四五六七八九]{4})"


@cache
def _rx() -> dict[str, re.Pattern[str]]:
    """Regexes built from the lexicon, compiled once."""
    lex = load_structure_lexicon()
    u = lex.units
    markers = u.get("lead_marker", ()) + u.get("co_marker", ()) + lex.cues.get("deadline_marker", ())
    keys = sorted(lex.metadata_keys, key=len, reverse=True)
    key_alt = "|".join(r"\s*".join(map(re.escape, k)) for k in keys)
    dated = [k for k, v in lex.deadline_words.items() if v is not None]
    year_parts = sorted({k[1:] if k.startswith("年") else k for k in dated} - {"内"}, key=len, reverse=True)
    roles = u.get("lead_role", ()) + u.get("co_role", ())
    bodies = _alt(u.get("issuer_body", ()))
    return {
        "verb": re.compile(_alt(lex.measure_verbs)),
        "not_measure": re.compile(_alt([c for k in ("lead_in", "slogan", "notice") for c in lex.cues.get(k, ())])),
        "past": re.compile(_alt(lex.cues.get("past", ()))),
        "page": re.compile(_alt(lex.cues.get("page", ()))),
        "marker": re.compile(rf"(?P<m>{_alt(markers)})\s*(?::|为)\s*"),
        "marker_start": re.compile(rf"[\s(]*(?:{_alt(markers)})\s*(?::|为)"),
        "meta_key": re.compile(rf"(?:^|(?<=\|))\s*(?P<k>{key_alt})\s*:\s*\|?\s*(?P<v>[^|]*)"),
        "meta_line": re.compile(rf"(?:{key_alt})\s*:"),
        "role": re.compile(rf"(?P<role>{_alt(roles)})(?:落实|实施|推进)?(?=、|$)"),
        "subject": re.compile(rf"(?P<list>[{CJK}、]{{2,40}}?)(?P<modal>{_alt(u.get('modal', ()))})"),
        "org": re.compile(
            rf"(?:[{CJK}]{{2}}(?:省|自治区))?(?:[{CJK}]{{2}}(?:市|州|盟))?(?:[{CJK}]{{2}}(?:县|区|旗|市))?"
            rf"(?:市|县|区|省)?(?:{bodies})"
        ),
        "doc_type": re.compile(_alt(lex.doc_types)),
        "preamble": re.compile(
            rf"^(?:根据|按照|依据|为了|为|结合).*(?:制定|制订)本?[^,。]{{0,30}}?(?:{_alt(lex.doc_types)})$"
            r"|(?:特|现)(?:制定|制订)|(?:制定|制订)本(?:方案|计划|要点|意见|办法)"
        ),
        "ymd": re.compile(
            rf"(?P<y>{_YEAR})\s*年\s*(?P<m>{_NUM})\s*月(?:\s*(?P<d>{_NUM})\s*[日号])?"
            r"\s*(?P<q>底|末|中旬|上旬|下旬|初)?\s*(?P<b>之前|以前|前)?"
        ),
        "y": re.compile(
            rf"(?:(?P<y0>{_YEAR})\s*[-—–~至到]\s*)?(?P<y>{_YEAR})\s*年度?"
            rf"(?P<part>{_alt(year_parts)})?\s*(?P<b>之前|以前|前|内)?"
        ),
        "rel": re.compile(
            rf"(?P<rel>今年|本年度|本年|当年|明年|今|本|当|明)?(?P<part>{_alt(dated)})\s*(?P<b>之前|以前|前)?"
        ),
        "md": re.compile(
            rf"(?<![\d年{_CN_M}])(?P<m>{_NUM})\s*月(?:\s*(?P<d>{_NUM})\s*[日号])?"
            r"\s*(?P<q>底|末|中旬|上旬|下旬|初)?\s*(?P<b>之前|以前|前)?"
        ),
        "window": re.compile(r"(?P<n>\d|[一二两三四五六七八九十])\s*年(?:内|时间|左右)"),
        "ongoing": re.compile(_alt([k for k, v in lex.deadline_words.items() if v is None])),
    }


# ---------------------------------------------------------------------------------------------- lines


@dataclass
class _Line:
    a: int  # content start (indentation and bullets skipped)
    b: int  # content end (trailing whitespace dropped)
    kind: str  # blank | page | meta | date | body


def _lines(s: str) -> list[_Line]:
    """Every line of the analysis text, classified (see the module docstring, rule 2)."""
    rx = _rx()
    out: list[_Line] = []
    pos = 0
    for raw in s.split("\n"):
        a0, b0 = pos, pos + len(raw)
        pos = b0 + 1
        m = _LEAD_STRIP.match(s, a0, b0)
        a = m.end() if m else a0
        b = b0
        while b > a and s[b - 1].isspace():
            b -= 1
        t = s[a:b]
        if a >= b:
            kind = "blank"
        elif rx["meta_line"].match(t):
            kind = "meta"
        elif len(t) <= 80 and "。" not in t and (rx["page"].search(t) or len(_NAV.findall(t)) >= 2):
            kind = "page"
        elif _full_date(t.strip("()")) is not None:
            kind = "date"
        else:
            kind = "body"
        out.append(_Line(a, b, kind))
    return out


def _full_date(t: str) -> str | None:
    for pat in _DATE_PATTERNS:
        m = pat.fullmatch(t.strip())
        if m:
            return _iso_date(m)
    return None


def _iso_date(m: re.Match[str]) -> str | None:
    y, mo, d = (_int(m.group(g)) for g in ("y", "m", "d"))
    if y is None or mo is None or d is None or not (1 <= mo <= 12):
        return None
    if not 1 <= d <= calendar.monthrange(y, mo)[1]:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _int(x: str | None) -> int | None:
    if x is None:
        return None
    return int(x) if x.isdigit() else parse_cn_int(x)


def _is_body_paragraph(s: str, ln: _Line) -> bool:
    t = s[ln.a : ln.b]
    return ln.kind == "body" and (any(c in t for c in TERMINATORS) or len(t) > MAX_BARE_HEADING)


# ---------------------------------------------------------------------------------------------- headings


@dataclass
class _Head:
    style: str
    num: int
    start: int  # label start
    label_end: int
    title_start: int
    title_end: int
    end: int  # heading end (title end, or end of a folded tagline)
    rest: int  # where the sentences after a run-in title start (after its 。 or ：)
    stop: str  # the character that ended the title: a terminator, ":" or "" (end of line)
    line_end: int
    mid: bool = False  # found after 。 inside a line
    level: int = 0


def _match_label(s: str, pos: int, end: int) -> tuple[str, re.Match[str]] | None:
    if pos >= end or s[pos] not in _LABEL_FIRST:
        return None
    for style, pat in _LABELS:
        m = pat.match(s, pos, end)
        if m and m.end() < end:
            return style, m
    return None


def _label_number(style: str, raw: str) -> int:
    if style == "circled":
        return ord(raw) - ord("①") + 1
    value = _int(raw)
    return value if value is not None else 0


def _labelled(s: str, pos: int, b: int, mid: bool) -> _Head | None:
    """A numbered heading at ``pos``; its title runs to the first 。 (or a ： within 20 characters)."""
    found = _match_label(s, pos, b)
    if found is None:
        return None
    style, m = found
    label_end = m.end()
    while label_end > pos and s[label_end - 1].isspace():
        label_end -= 1
    ts = m.end()
    te, rest, stop = b, b, ""
    depth = 0
    for tm in _TITLE_STOP.finditer(s, ts, b):
        c, i = tm.group(0), tm.start()
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and (c in TERMINATORS or (c == ":" and i - ts <= 20)):
            te, rest, stop = i, i + 1, c
            break
    q = _QUOTE_CHAR.search(s, ts, te)
    if q is not None and q.group(0) in _CLOSE_QUOTES:
        return None  # 一、预防为主”的方针: the tail of a quotation broken across lines
    te = max(_trim_end(s, te), ts)
    return _Head(style, _label_number(style, m.group(1)), pos, label_end, ts, te, te, rest, stop, b, mid)


def _unclosed_quote(s: str, ln: _Line) -> bool:
    t = s[ln.a : ln.b]
    return sum(t.count(c) for c in _OPEN_QUOTES) > sum(t.count(c) for c in _CLOSE_QUOTES)


def _label_candidates(s: str, lines: list[_Line]) -> list[_Head]:
    out: list[_Head] = []
    prev: _Line | None = None
    for ln in lines:
        if ln.kind == "blank":
            continue
        if ln.kind == "body":
            continues = prev is not None and s[prev.b - 1] not in TERMINATORS and _unclosed_quote(s, prev)
            h = None if continues else _labelled(s, ln.a, ln.b, False)
            if h is not None:
                out.append(h)
            for m in _SENTENCE_END.finditer(s, ln.a, ln.b):
                pos = m.end()
                if pos < ln.b and (h is None or pos >= h.rest):
                    mh = _labelled(s, pos, ln.b, True)
                    if mh is not None:
                        out.append(mh)
        prev = ln
    return out


def _bare_candidates(s: str, lines: list[_Line], labelled_lines: set[int], title: str | None) -> list[_Head]:
    """Short unpunctuated lines followed by body text (or a numbered heading), with their taglines."""
    doc_types = load_structure_lexicon().doc_types
    out: list[_Head] = []
    body_idx = [i for i, ln in enumerate(lines) if ln.kind != "blank"]
    consumed = -1
    for k, i in enumerate(body_idx):
        ln = lines[i]
        t = s[ln.a : ln.b]
        if (
            ln.kind != "body"
            or i <= consumed
            or i in labelled_lines
            or not 2 <= len(t) <= MAX_BARE_HEADING
            or any(c in t for c in TERMINATORS + ":|")
            or len(_CJK_CHAR.findall(t)) < 2
            or (title is not None and t == title)
            or t.endswith(doc_types)
            or re.match(r"\d{1,2}月\d{1,2}日|(?:19|20)\d\d年\d", t)
        ):
            continue
        nxt = k + 1
        end = ln.b
        if nxt < len(body_idx):
            tl = lines[body_idx[nxt]]
            tt = s[tl.a : tl.b]
            if (
                tl.kind == "body"
                and body_idx[nxt] not in labelled_lines
                and len(tt) <= MAX_TAGLINE
                and re.fullmatch(rf"[{CJK}]+", tt)
            ):
                end, nxt = tl.b, nxt + 1  # 教育设施建设 / 新举措: a tagline belongs to the heading
        if nxt >= len(body_idx):
            continue
        follower = lines[body_idx[nxt]]
        if body_idx[nxt] in labelled_lines or _is_body_paragraph(s, follower):
            out.append(_Head("bare", 0, ln.a, ln.a, ln.a, ln.b, end, end, "", end))
            consumed = body_idx[nxt - 1]
    return out


def _assign_levels(cands: list[_Head]) -> list[_Head]:
    """Levels by order of appearance of numbering styles; bare headings are always level 1."""
    stack: list[str] = []
    last: dict[str, int] = {}
    seen: set[str] = set()
    out: list[_Head] = []
    for h in sorted(cands, key=lambda x: x.start):
        if h.style == "bare":
            stack, last = ["bare"], {}
            h.level = 1
            out.append(h)
            continue
        prev = last.get(h.style, 0)
        if h.mid and (h.style not in seen or h.num not in (prev + 1, prev + 2)):
            continue  # a mid-line label must continue a numbering already under way
        if not h.mid and stack and stack[0] == h.style and h.num <= prev:
            continue  # the top-level numbering never restarts: this is a list inside a sentence
        if h.style in stack:
            i = stack.index(h.style)
            for st in stack[i + 1 :]:
                last.pop(st, None)
            stack = stack[: i + 1]
        else:
            if h.style in _TOP_STYLES:
                # 一、 (or 第一章) outranks any list that came before it (a numbered preamble)
                keep = _TOP_STYLES[: _TOP_STYLES.index(h.style)]
                while stack and stack[-1] not in keep:
                    last.pop(stack.pop(), None)
            stack.append(h.style)
        h.level = stack.index(h.style) + 1
        last[h.style] = h.num
        seen.add(h.style)
        out.append(h)
    return out


def _headings(
    s: str, lines: list[_Line], labelled: list[_Head], labelled_lines: set[int], title: str | None
) -> list[_Head]:
    heads = _assign_levels(labelled)
    if any(h.style in _TOP_STYLES for h in heads):
        return heads
    bare = _bare_candidates(s, lines, labelled_lines, title)
    return _assign_levels(labelled + bare) if bare else heads


def _sections(text: str, s: str, heads: list[_Head], content_end: int) -> list[Section]:
    sections: list[Section] = []
    open_: list[int] = []
    for h in heads:
        while open_ and sections[open_[-1]].level >= h.level:
            sections[open_.pop()].body_end = _trim_end(s, h.start)
        parent = open_[-1] if open_ else None
        sec = Section(
            index=len(sections),
            parent=parent,
            level=h.level,
            label=text[h.start : h.label_end],
            title=text[h.title_start : h.title_end],
            start=h.start,
            end=h.end,
            body_end=content_end,
        )
        sections.append(sec)
        open_.append(sec.index)
    return sections


def _trim_end(s: str, pos: int) -> int:
    while pos > 0 and s[pos - 1].isspace():
        pos -= 1
    return pos


# ---------------------------------------------------------------------------------------------- document info


def _title_line(s: str, lines: list[_Line], labelled_lines: set[int]) -> _Line | None:
    rx = _rx()
    for i, ln in enumerate(lines[:40]):
        if i in labelled_lines:
            return None
        if ln.kind != "body":
            continue
        t = s[ln.a : ln.b]
        if len(t) <= 80 and not any(c in t for c in TERMINATORS) and (rx["doc_type"].search(t) or "关于" in t):
            return ln
        if _is_body_paragraph(s, ln):
            return None
    return None


def _strip_span(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def _document_info(
    text: str, s: str, lines: list[_Line], title_ln: _Line | None, head_end: int, lex: StructureLexicon
) -> DocumentInfo:
    rx = _rx()
    meta: dict[str, tuple[int, int]] = {}
    for ln in lines:
        if ln.kind != "meta":
            continue
        for m in rx["meta_key"].finditer(s[ln.a : ln.b]):
            key = re.sub(r"\s", "", m.group("k"))
            fld = lex.metadata_keys.get(key, "other")
            a, b = _strip_span(s, ln.a + m.start("v"), ln.a + m.end("v"))
            if fld != "other" and a < b and fld not in meta:
                meta[fld] = (a, b)

    def get(f: str) -> str | None:
        return text[meta[f][0] : meta[f][1]] if f in meta else None

    title = get("title")
    if title is None and title_ln is not None:
        title = text[title_ln.a : title_ln.b]
    issued_on = _full_date(s[meta["date"][0] : meta["date"][1]]) if "date" in meta else None
    nonblank = [ln for ln in lines if ln.kind != "blank"]
    head_lines = [ln for ln in nonblank if ln.a < head_end]
    tail_lines = nonblank[-15:]
    if issued_on is None:
        for ln in head_lines + tail_lines:
            if ln.kind == "date":
                issued_on = _full_date(s[ln.a : ln.b].strip("()"))
                break
    if issued_on is None:
        for ln in head_lines:
            if ln.kind in ("page", "meta"):
                for pat in _DATE_PATTERNS:
                    dm = pat.search(s, ln.a, ln.b)
                    if dm and (issued_on := _iso_date(dm)):
                        break
            if issued_on:
                break
    issuer = get("issuer") or _issuer(text, s, nonblank, title_ln, head_end)
    doc_number = get("doc_number")
    if doc_number is None:
        for ln in head_lines:
            if ln.kind == "body" and _DOC_NUMBER.fullmatch(s[ln.a : ln.b]):
                doc_number = text[ln.a : ln.b]
                break
    year = _title_year(s, meta.get("title") or ((title_ln.a, title_ln.b) if title_ln else None))
    if year is None:
        annual, _issue = _plan_years(s)
        year = int(annual) if annual else None
    if year is None and issued_on:
        year = int(issued_on[:4])
    return DocumentInfo(title=title, issuer=issuer, issued_on=issued_on, doc_number=doc_number, year=year)


def _issuer(text: str, s: str, nonblank: list[_Line], title_ln: _Line | None, head_end: int) -> str | None:
    org = _rx()["org"]
    # a signature: an authority's name alone on a line next to a date line
    for k, ln in enumerate(nonblank):
        if ln.kind == "body" and org.fullmatch(s, ln.a, ln.b):
            near = nonblank[max(0, k - 1) : k + 2]
            if any(x.kind == "date" for x in near):
                return text[ln.a : ln.b]
    if title_ln is not None:
        k = s.find("关于", title_ln.a, title_ln.b)
        if k > title_ln.a and org.fullmatch(s, title_ln.a, k):
            return text[title_ln.a : k]
    quoted = _name_spans(s[: min(head_end, 1500)])
    for m in org.finditer(s, 0, min(head_end, 1500)):
        if not any(a <= m.start() < b for a, b in quoted):  # “教育局教学质量计划” names a plan
            return text[m.start() : m.end()]
    return None


def _title_year(s: str, span: tuple[int, int] | None) -> int | None:
    if span is None:
        return None
    for m in _YEAR4.finditer(s, span[0], span[1]):
        if _YEAR_RANGE.match(s, m.end()):
            return None  # 2021—2025年规划: a multi-year title names no single plan year
        return int(m.group(1))
    return None


# ---------------------------------------------------------------------------------------------- sentences


def _pieces(s: str, a: int, b: int) -> list[tuple[int, int, str]]:
    """Sentences of s[a:b] as (start, end, terminator); terminators inside brackets do not split."""
    hits = [(m.start(), m.group(0)) for m in _SPLIT_CHARS.finditer(s, a, b)]
    opens: list[int] = []
    matched: set[int] = set()
    for i, c in hits:
        if c == "(":
            opens.append(i)
        elif c == ")" and opens:
            o = opens.pop()
            if i - o <= MAX_BRACKET:
                matched.add(o)
                matched.add(i)
    out: list[tuple[int, int, str]] = []
    depth, start = 0, a
    for i, c in hits:
        if i in matched:
            depth += 1 if c == "(" else -1
        elif depth == 0 and c not in "()":
            out.append((start, i, c))
            start = i + 1
    out.append((start, b, ""))
    return out


def _strip_piece(s: str, a: int, b: int) -> tuple[int, int]:
    a, b = _strip_span(s, a, b)
    m = _LEAD_STRIP.match(s, a, b)
    if m:
        a = m.end()
    found = _match_label(s, a, b)
    if found is not None and found[0] not in ("zero_pad",):
        a = found[1].end()
    return _strip_span(s, a, b)


# ---------------------------------------------------------------------------------------------- units


def _is_unit(name: str, lex: StructureLexicon, rx: dict[str, re.Pattern[str]]) -> bool:
    if not 2 <= len(name) <= 20 or not re.fullmatch(rf"[{CJK}()]+", name):
        return False
    if name[0] in "的在对把为和与及并由等是" or rx["verb"].match(name):
        return False
    suffixes = lex.units.get("suffix", ())
    return name.endswith(suffixes) or name.startswith(lex.units.get("collective", ()))


def _items(s: str, a: int, b: int, lenient: bool = False) -> list[tuple[int, int]]:
    """Unit names listed in s[a:b], split at 、，/ and spaces (and 和/及 when strict)."""
    seps = r"[、,/\s]+" if lenient else r"[、,/\s]+|和|及|与"
    out: list[tuple[int, int]] = []
    pos = a
    for m in [*re.finditer(seps, s[a:b]), None]:
        e = a + m.start() if m else b
        x, y = _strip_span(s, pos, e)
        if s.startswith("由", x) and not lenient:
            x += 1
        while y > x and s[y - 1] in "等":
            y -= 1
        if x < y:
            out.append((x, y))
        if m:
            pos = a + m.end()
    return out


@dataclass
class _Roles:
    lead: list[tuple[int, int]] = field(default_factory=list)
    co: list[tuple[int, int]] = field(default_factory=list)
    deadline: tuple[str | None, int, int] | None = None  # (iso, start, end) from a 完成时限 marker
    masked: list[tuple[int, int]] = field(default_factory=list)  # marker spans (no date search there)
    marker_only: bool = False


def _roles(s: str, a: int, b: int, lex: StructureLexicon, year: int | None) -> _Roles:
    rx = _rx()
    r = _Roles()
    lead_m = set(lex.units.get("lead_marker", ()))
    co_m = set(lex.units.get("co_marker", ()))
    markers = list(rx["marker"].finditer(s, a, b))
    for k, m in enumerate(markers):
        stop = markers[k + 1].start() if k + 1 < len(markers) else b
        end = m.end()
        while end < stop and s[end] not in ";)。\n":
            end += 1
        vs, ve = _strip_span(s, m.end(), end)
        while ve > vs and s[ve - 1] in ",、":
            ve -= 1
        r.masked.append((m.start(), end))
        word = m.group("m")
        if word in lead_m:
            r.lead += _items(s, vs, ve, lenient=True)
        elif word in co_m:
            r.co += _items(s, vs, ve, lenient=True)
        elif vs < ve:
            found = _find_deadline(s, vs, ve, year, [])
            if found is not None:
                r.deadline = found
            elif rx["ongoing"].search(s, vs, ve):
                r.deadline = (None, vs, ve)
    # "A牵头，B配合" clauses (in brackets or whole clauses of the sentence)
    lead_roles = set(lex.units.get("lead_role", ()))
    pos = a
    bounds = [m.start() for m in re.finditer(r"[,;()]", s[a:b])]
    for cut in [a + x for x in bounds] + [b]:
        cs, ce = _strip_span(s, pos, cut)
        pos = cut + 1
        if cs >= ce or any(x <= cs < y for x, y in r.masked):
            continue
        parsed = _role_clause(s, cs, ce, lex, rx)
        for role, items in parsed:
            (r.lead if role in lead_roles else r.co).extend(items)
    if not r.lead:
        sm = rx["subject"].match(s, a, b)
        if sm:
            items = _items(s, sm.start("list"), sm.end("list"))
            if items and all(_is_unit(s[x:y], lex, rx) for x, y in items):
                r.lead = items
    return r


def _role_clause(
    s: str, a: int, b: int, lex: StructureLexicon, rx: dict[str, re.Pattern[str]]
) -> list[tuple[str, list[tuple[int, int]]]]:
    """A clause made only of 'UNITS ROLE' parts (市教育局牵头、市财政局配合); [] otherwise."""
    out: list[tuple[str, list[tuple[int, int]]]] = []
    if s.startswith("并由", a):
        a += 2
    elif s.startswith("由", a):
        a += 1
    pos = a
    while pos < b:
        m = rx["role"].search(s, pos, b)
        if m is None or m.start() <= pos:
            return []
        items = _items(s, pos, m.start())
        if not items or not all(_is_unit(s[x:y], lex, rx) for x, y in items):
            return []
        out.append((m.group("role"), items))
        pos = m.end() + (1 if s.startswith("、", m.end()) else 0)
    return out


# ---------------------------------------------------------------------------------------------- deadlines


def _month_end(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def _day(y: int, mo: int, d: int | None, q: str | None, before: str | None) -> str:
    """ISO date of 'mo月[d日][底/中旬/…][前]' in year y; 'X月前' is the end of the month before X."""
    if d is not None and 1 <= d <= calendar.monthrange(y, mo)[1]:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    if q in ("上旬", "初"):
        return f"{y:04d}-{mo:02d}-10"
    if q == "中旬":
        return f"{y:04d}-{mo:02d}-20"
    if before and not q:
        return _month_end(y - 1, 12) if mo == 1 else _month_end(y, mo - 1)
    return _month_end(y, mo)


def _find_deadline(
    s: str, a: int, b: int, year: int | None, masked: list[tuple[int, int]]
) -> tuple[str | None, int, int] | None:
    """(ISO date or None, start, end) of the deadline phrase in s[a:b]; strong phrases (…前, 年底) first."""
    rx = _rx()
    words = load_structure_lexicon().deadline_words
    found: list[tuple[int, int, str | None, bool]] = []

    def ok(x: int, y: int) -> bool:
        return not any(p <= x < q for p, q in masked) and not any(x < q and p < y for p, q, _, _ in found)

    for m in rx["ymd"].finditer(s, a, b):  # 2024年6月底前
        y, mo = _int(m.group("y")), _int(m.group("m"))
        if y is None or mo is None or not 1 <= mo <= 12 or _starts_later(s, m.end(), b) or not ok(*m.span()):
            continue
        q, before, d = m.group("q"), m.group("b"), _int(m.group("d"))
        found.append((m.start(), m.end(), _day(y, mo, d, q, before), bool(q or before or d)))
    for m in rx["y"].finditer(s, a, b):  # 2025年 / 2024年底前 / 2024年上半年
        y = _int(m.group("y"))
        if y is None or not 1900 < y < 2100 or _starts_later(s, m.end(), b) or not ok(*m.span()):
            continue
        part = m.group("part")
        md_y = (words.get(part) or words.get("年" + part) or "12-31") if part else "12-31"
        found.append((m.start(), m.end(), f"{y:04d}-{md_y}", bool(part or m.group("b"))))
    for m in rx["window"].finditer(s, a, b):  # 3年内 / 利用三年时间: counted from the plan year
        n = _int(m.group("n").replace("两", "二"))
        if ok(*m.span()):
            found.append((m.start(), m.end(), f"{year + n - 1:04d}-12-31" if year and n else None, True))
    for m in rx["rel"].finditer(s, a, b):  # 年底前 / 上半年 / 明年底
        if not ok(*m.span()) or s[max(a, m.start() - 1) : m.start()].isdigit():
            continue
        md = words.get(m.group("part"))
        y = year + 1 if year and (m.group("rel") or "").startswith("明") else year
        found.append((m.start(), m.end(), f"{y:04d}-{md}" if y and md else None, True))
    for m in rx["md"].finditer(s, a, b):  # 9月底前 / 6月前 / 3月15日前
        mo = _int(m.group("m"))
        q, before, d = m.group("q"), m.group("b"), _int(m.group("d"))
        if mo is None or not 1 <= mo <= 12 or not (q or before) or not ok(*m.span()):
            continue
        if s[max(a, m.start() - 3) : m.start()].endswith(("每年", "每", "每学年")):
            continue  # 每年9月底前: a recurring date, not a deadline
        found.append((m.start(), m.end(), _day(year, mo, d, q, before) if year else None, True))
    if not found:
        return None
    found.sort()
    best = next((f for f in found if f[3]), found[0])
    return best[2], best[0], best[1]


def _starts_later(s: str, pos: int, b: int) -> bool:
    """2024年起 / 2023年基础上 / 2024年秋季学期起: a start or a baseline, not a deadline."""
    tail = s[pos : min(b, pos + 8)]
    return re.match(r"\s*(?:起|开始|以来|以后|之后|基础|基数|水平|[春秋]季[^,。]{0,4}起)", tail) is not None


# ---------------------------------------------------------------------------------------------- measures


@dataclass
class _Ctx:
    text: str
    s: str
    lex: StructureLexicon
    year: int | None
    sections: list[Section]
    section_starts: list[int]
    nonaction: set[int]
    names: list[tuple[int, int]]
    name_starts: list[int] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)  # measures since the last unit/time marker
    attached: list[int] = field(default_factory=list)  # measures the last standalone marker went to


def _section_at(ctx: _Ctx, pos: int) -> int | None:
    k = bisect_right(ctx.section_starts, pos) - 1
    while k >= 0:
        sec = ctx.sections[k]
        if sec.start <= pos < max(sec.body_end, sec.end):
            return k
        k = sec.parent if sec.parent is not None else -1
    return None


_NAME_PAIRS = {"“": "”", "《": "》", "『": "』", "「": "」"}


def _name_spans(s: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in re.finditer("[“《『「]", s):
        j = s.find(_NAME_PAIRS[m.group(0)], m.end(), m.start() + MAX_NAME)
        if j > 0:
            out.append((m.start(), j + 1))
    return out


def _commits(ctx: _Ctx, a: int, b: int, term: str) -> bool:
    """The sentence commits to an action (see the module docstring, rule 4)."""
    t = ctx.s[a:b]
    if len(_CJK_CHAR.findall(t)) < 4 or term == "?" or t.endswith(":"):
        return False
    rx = _rx()
    if rx["not_measure"].search(t) or _reports_past(t, rx["past"]):
        return False
    if _NEWS_DATE.match(t) or rx["preamble"].search(t):
        return False
    return any(m.start() == 0 or t[m.start() - 1] != "的" for m in rx["verb"].finditer(t))


def _commits_to_result(ctx: _Ctx, a: int, b: int, term: str) -> bool:
    """A sentence with a number or a zero target that commits to a result (rule 4, second form)."""
    t = ctx.s[a:b]
    if len(_CJK_CHAR.findall(t)) < 4 or term == "?" or t.endswith(":"):
        return False
    rx = _rx()
    if rx["not_measure"].search(t) or _reports_past(t, rx["past"]) or _NEWS_DATE.match(t):
        return False
    results = ctx.lex.cues.get("result", ())
    if not any(word in t for word in results):
        return False
    return any(c.isdigit() for c in t) or any(word in t for word in results if word[-1] not in "到在于")


def _reports_past(t: str, past: re.Pattern[str]) -> bool:
    """A past cue, unless it is the reference of a comparison (比去年, 在去年基础上)."""
    for m in past.finditer(t):
        if t[max(0, m.start() - 1) : m.start()] in ("比", "较", "在", "同") or t.startswith("基础", m.end()):
            continue
        return True
    return False


_DEADLINE_ONLY_PUNCT = " ,.;:()于在前"


def _deadline_only(ctx: _Ctx, a: int, b: int) -> _Roles | None:
    """Roles carrying the deadline of a piece that says nothing but when (X月底前完成), else None."""
    dl = _find_deadline(ctx.s, a, b, ctx.year, [])
    if dl is None:
        return None
    rest = (ctx.s[a:dl[1]] + ctx.s[dl[2]:b]).strip(_DEADLINE_ONLY_PUNCT)
    if rest and rest not in ctx.lex.cues.get("done_word", ()):
        return None
    return _Roles(deadline=dl)


def _add_measure(ctx: _Ctx, a: int, b: int, term: str) -> None:
    s = ctx.s
    sec = _section_at(ctx, a)
    roles = _roles(s, a, b, ctx.lex, ctx.year)
    marker_only = _is_marker_only(ctx, a, b, roles)
    if marker_only:
        _attach(ctx, roles, sec)
        return
    deadline_only = _deadline_only(ctx, a, b)
    if deadline_only is not None:
        _attach(ctx, deadline_only, sec)
        return
    if sec is not None and sec in ctx.nonaction:
        return
    if not (_commits(ctx, a, b, term) or _commits_to_result(ctx, a, b, term)):
        return
    dl = roles.deadline or _find_deadline(s, a, b, ctx.year, roles.masked + _names_in(ctx, a, b))
    m = Measure(
        index=len(ctx.measures),
        section=sec,
        quote=ctx.text[a:b],
        start=a,
        end=b,
        lead_units=[ctx.text[x:y] for x, y in roles.lead],
        co_units=[ctx.text[x:y] for x, y in roles.co],
        deadline=dl[0] if dl else None,
        deadline_quote=ctx.text[dl[1] : dl[2]] if dl else None,
    )
    ctx.measures.append(m)
    ctx.attached = []
    if roles.lead or roles.co or roles.deadline:
        ctx.pending = []  # an inline marker closes the run of measures it belongs to
    else:
        ctx.pending.append(m.index)


def _names_in(ctx: _Ctx, a: int, b: int) -> list[tuple[int, int]]:
    """Quoted names overlapping s[a:b] (a name span is at most MAX_NAME characters long)."""
    lo = bisect_left(ctx.name_starts, a - MAX_NAME)
    hi = bisect_left(ctx.name_starts, b)
    return [(x, y) for x, y in ctx.names[lo:hi] if y > a]


def _is_marker_only(ctx: _Ctx, a: int, b: int, roles: _Roles) -> bool:
    """A piece that only names units or a time limit: （责任单位：A；完成时限：B） or （A牵头，B配合）."""
    s = ctx.s
    if _rx()["marker_start"].match(s, a, b):
        return True
    return s[a] == "(" and s[b - 1] == ")" and bool(roles.lead or roles.co)


def _attach(ctx: _Ctx, roles: _Roles, sec: int | None) -> None:
    """A standalone marker names units / a time limit for the measures before it (same section);
    a second marker right after the first (牵头单位：A；协办单位：B) goes to the same measures."""
    targets = ctx.pending or ctx.attached
    for i in targets:
        m = ctx.measures[i]
        if m.section != sec:
            continue
        if roles.lead and not m.lead_units:
            m.lead_units = [ctx.text[x:y] for x, y in roles.lead]
        if roles.co and not m.co_units:
            m.co_units = [ctx.text[x:y] for x, y in roles.co]
        if roles.deadline and m.deadline_quote is None:
            m.deadline = roles.deadline[0]
            m.deadline_quote = ctx.text[roles.deadline[1] : roles.deadline[2]]
    ctx.attached = [i for i in targets if ctx.measures[i].section == sec]
    ctx.pending = []


def _table_header(ctx: _Ctx, a: int, b: int) -> dict[int, str] | None:
    """Column roles of a task-table header row (cells separated by tabs), or None."""
    lex = ctx.lex
    cells = ctx.s[a:b].split("\t")
    if len(cells) < 2:
        return None
    roles: dict[int, str] = {}
    for k, cell in enumerate(cells):
        c = re.sub(r"\s", "", cell)
        if c in lex.units.get("lead_marker", ()):
            roles[k] = "lead"
        elif c in lex.units.get("co_marker", ()):
            roles[k] = "co"
        elif c in lex.cues.get("deadline_marker", ()):
            roles[k] = "deadline"
        elif c in lex.cues.get("task_header", ()):
            roles[k] = "task"
        elif c in lex.cues.get("serial_header", ()):
            roles[k] = "serial"
    if not any(v in ("lead", "deadline") for v in roles.values()):
        return None
    tasks = [k for k, v in roles.items() if v == "task"]
    if len(tasks) > 1:  # 重点任务 | 具体措施: the more specific (later) column holds the measures
        for k in tasks[:-1]:
            roles[k] = "topic"
    if not tasks:
        free = [k for k in range(len(cells)) if k not in roles]
        if free:
            roles[free[-1]] = "task"
    return roles


def _table_row(ctx: _Ctx, a: int, b: int, cols: dict[int, str]) -> None:
    s = ctx.s
    spans: list[tuple[int, int]] = []
    pos = a
    for cell in s[a:b].split("\t"):
        spans.append(_strip_span(s, pos, pos + len(cell)))
        pos += len(cell) + 1
    lead: list[tuple[int, int]] = []
    co: list[tuple[int, int]] = []
    deadline: tuple[str | None, int, int] | None = None
    task: tuple[int, int] | None = None
    for k, (x, y) in enumerate(spans):
        role = cols.get(k)
        if role == "lead":
            lead = _items(s, x, y, lenient=True)
        elif role == "co":
            co = _items(s, x, y, lenient=True)
        elif role == "deadline" and x < y:
            deadline = _find_deadline(s, x, y, ctx.year, []) or (
                (None, x, y) if _rx()["ongoing"].search(s, x, y) else None
            )
        elif role == "task":
            task = (x, y)
    if task is None:
        return
    sec = _section_at(ctx, task[0])
    if sec is not None and sec in ctx.nonaction:
        return
    for ps, pe, term in _pieces(s, task[0], task[1]):
        x, y = _strip_piece(s, ps, pe)
        if x >= y or len(_CJK_CHAR.findall(s, x, y)) < 4 or term == "?":
            continue
        dl = deadline or _find_deadline(s, x, y, ctx.year, _names_in(ctx, x, y))
        ctx.measures.append(
            Measure(
                index=len(ctx.measures),
                section=sec,
                quote=ctx.text[x:y],
                start=x,
                end=y,
                lead_units=[ctx.text[i:j] for i, j in lead],
                co_units=[ctx.text[i:j] for i, j in co],
                deadline=dl[0] if dl else None,
                deadline_quote=ctx.text[dl[1] : dl[2]] if dl else None,
            )
        )
    ctx.pending, ctx.attached = [], []


def _is_item(ctx: _Ctx, h: _Head, by_start: dict[int, _Head]) -> bool:
    """Is a numbered heading's title sentence a measure too (a list item rather than a caption)?

    On a line of its own (or followed only by the next numbered item) it is one when it ends with 。/；
    (1.新建幼儿园10所；) or is long with commas; 二、统筹发展各类教育 is a caption. Followed by more
    text, its first sentence is a measure when it is long or has commas, names its actor, a date or a number.
    """
    s = ctx.s
    if h.stop == ":" or h.style == "bare":
        return False
    title = s[h.title_start : h.title_end]
    nxt = h.rest
    while nxt < h.line_end and s[nxt].isspace():
        nxt += 1
    if nxt >= h.line_end or nxt in by_start:
        return (h.stop != "" and h.stop in TERMINATORS) or ("," in title and len(title) > MAX_BARE_HEADING)
    if "," in title or len(title) > MAX_RUN_IN_HEADING or any(c.isdigit() for c in title):
        return True
    if _find_deadline(s, h.title_start, h.title_end, ctx.year, []) is not None:
        return True
    return bool(_roles(s, h.title_start, h.title_end, ctx.lex, ctx.year).lead)


def _measures(ctx: _Ctx, lines: list[_Line], heads: list[_Head], skip_lines: set[int]) -> None:
    s = ctx.s
    by_start = {h.start: h for h in heads}
    bare_until = 0
    table: dict[int, str] | None = None
    last_section: int | None = None
    for i, ln in enumerate(lines):
        if ln.kind != "body" or i in skip_lines or ln.b <= bare_until:
            if ln.kind != "blank":
                table = None
            continue
        h0 = by_start.get(ln.a)
        if h0 is not None and h0.style == "bare":
            bare_until = h0.end
            continue
        if "\t" in s[ln.a : ln.b]:
            header = _table_header(ctx, ln.a, ln.b)
            if header is not None:
                table = header
                continue
            if table is not None:
                _table_row(ctx, ln.a, ln.b, table)
                continue
        else:
            table = None
        for ps, pe, term in _pieces(s, ln.a, ln.b):
            a, b = _strip_span(s, ps, pe)
            if a >= b:
                continue
            h = by_start.get(a)
            sec = _section_at(ctx, a)
            if sec != last_section:
                ctx.pending, ctx.attached, last_section = [], [], sec
            if h is not None:
                if _is_item(ctx, h, by_start):
                    _add_measure(ctx, h.title_start, h.title_end, term)
                if h.rest < b:  # （一）总体目标：到2025年…: the sentence goes on after the colon
                    a, b = _strip_piece(s, h.rest, b)
                    if a < b:
                        _add_measure(ctx, a, b, term)
                continue
            a, b = _strip_piece(s, a, b)
            if a < b:
                _add_measure(ctx, a, b, term)


# ---------------------------------------------------------------------------------------------- entry point


def extract_structure(text: str, doc: str, *, plan_year: int | None = None) -> PlanStructure:
    """Metadata, section tree and measures of ``text``; offsets index ``text`` and quotes are verbatim.

    ``plan_year`` (e.g. known from the upload form) resolves relative deadlines (年底前, 9月底前) when
    given; otherwise the year found in the document (``info.year``) is used.
    """
    lex = load_structure_lexicon()
    s = analysis_text(text)
    lines = _lines(s)
    starts = {ln.a: i for i, ln in enumerate(lines)}
    labelled = _label_candidates(s, lines)
    labelled_lines = {starts[h.start] for h in labelled if not h.mid and h.start in starts}
    title_ln = _title_line(s, lines, labelled_lines)
    title = s[title_ln.a : title_ln.b] if title_ln else None
    heads = _headings(s, lines, labelled, labelled_lines, title)
    content_end = _trim_end(s, len(s))
    sections = _sections(text, s, heads, content_end)
    head_end = heads[0].start if heads else content_end
    info = _document_info(text, s, lines, title_ln, head_end, lex)
    year = plan_year if plan_year is not None else info.year
    nonaction_words = lex.cues.get("nonaction_section", ()) + lex.past_sections
    nonaction: set[int] = set()
    for sec in sections:
        if (sec.parent is not None and sec.parent in nonaction) or any(
            w in s[sec.start : sec.end] for w in nonaction_words
        ):
            nonaction.add(sec.index)
    names = _name_spans(s)
    ctx = _Ctx(text, s, lex, year, sections, [x.start for x in sections], nonaction, names, [a for a, _ in names])
    skip: set[int] = set()
    if title_ln is not None:
        skip.add(starts[title_ln.a])
    verb = _rx()["verb"]
    caption_end = heads[0].start if heads else 0  # captions above the first heading are not measures
    for k, ln in enumerate(lines):
        t = s[ln.a : ln.b]
        if ln.kind != "body" or any(c in t for c in TERMINATORS) or len(t) > MAX_BARE_HEADING:
            continue
        if t == title or ln.b <= caption_end or (t.endswith(lex.doc_types) and not verb.match(t)):
            skip.add(k)  # a (repeated) title, a caption above the first heading, a document's name
    _measures(ctx, lines, heads, skip)
    return PlanStructure(doc=doc, info=info, sections=sections, measures=ctx.measures)
