"""A round's results as an Excel workbook: 排名 (one row per unit), 差异 (stage disagreements), 说明 (the pinned
scheme and hashes); and as a report (评价结果报告: ranking, then each unit's item tree with its scores) rendered to
Word and PDF through ``edugov.lib.report``. Reads only the objects given."""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from edugov.evaluation.engine import Scheme, display
from edugov.evaluation.engine.exact import readable
from edugov.evaluation.models import EvaluationResult, EvaluationRound
from edugov.lib.report import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, Column, Heading, Note, Paragraph, Report, Table

__all__ = ["DOCX_CONTENT_TYPE", "PDF_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "results_report", "results_xlsx"]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RANKING_HEADER = ["名次", "并列", "单位代码", "单位", "总分", "总分（精确）", "等级", "按分数等级", "基础得分", "加分",
                  "扣分", "一票否决", "三挂钩", "缺少数据项目", "输入 SHA-256"]


def _num(text: str, places: int) -> float:
    # Excel cells hold binary floats; the exact value is in the next column as text
    return float(display(Fraction(text), places))


def results_xlsx(rnd: EvaluationRound, results: Sequence[EvaluationResult], scheme: Scheme) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "排名"
    ws.append(RANKING_HEADER)
    places = scheme.display_places
    for r in results:
        d = r.result
        ws.append([
            r.rank, "并列" if r.tied else "", r.unit.code, r.unit.name, _num(r.total, places), r.total, r.grade,
            d["grade_by_score"], _num(d["base"], places), _num(d["bonus"], places), _num(d["penalty"], places),
            "；".join(f"{v['code']} {v['name']}（{v['reason']}）" for v in d["vetoes"]),
            "；".join(f"{c['link']}：{c['effect']}" for c in d["consequences"]),
            "、".join(d["missing"]), r.inputs_sha256])
    diff = wb.create_sheet("差异")
    diff.append(["单位", "类别", "代码", "名称", "阶段", "数值", "得分", "说明"])
    for r in results:
        for x in r.result["discrepancies"]:
            for s in x["by_stage"]:
                value = s["value"]
                diff.append([r.unit.name, x["kind"], x["code"], x["name"], s["stage_name"],
                             "是" if value is True else "否" if value is False else value, s["points"], s["note"]])
    about = wb.create_sheet("说明")
    for row in (["评价轮次", str(rnd)], ["评价单位", rnd.evaluating_unit.name], ["评价方案", scheme.name],
                ["方案代码", rnd.scheme_id], ["方案版本", rnd.scheme_version], ["方案 SHA-256", rnd.scheme_sha256],
                ["示例方案", "是：结构、分值和挂钩措施为演示用示例，不是正式规定" if scheme.example else "否"],
                ["计算时间", rnd.computed_at.isoformat() if rnd.computed_at else ""]):
        about.append(row)
    for sheet in (ws, diff):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- report (Word and PDF) -----------------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"
RANKING_COLUMNS = [Column("名次", 0.09, "center"), Column("单位", 0.17), Column("总分", 0.1, "right"),
                   Column("等级", 0.1, "center"), Column("一票否决", 0.22), Column("三挂钩", 0.32)]
ITEM_COLUMNS = [Column("评价项目", 0.46), Column("分值", 0.1, "right"), Column("得分", 0.1, "right"),
                Column("说明", 0.34)]
ADJUSTMENT_COLUMNS = [Column("加分/扣分项目", 0.46), Column("上限", 0.1, "right"), Column("计分", 0.1, "right"),
                      Column("说明", 0.34)]


def _chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (for “（一）” headings; up to 99)."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return _DIGITS[n]
    return f"{_DIGITS[tens] if tens > 1 else ''}十{_DIGITS[ones] if ones else ''}"


def results_title(rnd: EvaluationRound, scheme: Scheme) -> str:
    """“2025年度区县政府履行教育职责评价结果” from the scheme's name (without “方案” and “（示例）”) and the year."""
    name = scheme.name.replace("（示例）", "").removesuffix("方案")
    return f"{rnd.year}年度{name}结果"


def _points(text: str, places: int) -> str:
    return str(display(Fraction(text), places))


def _item_rows(items: Sequence[dict[str, Any]], depth: int = 0) -> list[list[str]]:
    rows = []
    for item in items:
        reason = item.get("reason") or ""
        if item.get("excluded"):
            reason = "不计分" + (f"：{reason}" if reason else "")
        rows.append(["\u3000" * depth + f"{item['code']} {item['name']}", readable(Fraction(item["max_points"])),
                     "—" if item.get("excluded") else readable(Fraction(item["points"])), reason])
        rows += _item_rows(item.get("children") or [], depth + 1)
    return rows


def results_report(rnd: EvaluationRound, results: Sequence[EvaluationResult], scheme: Scheme) -> Report:
    """评价结果报告: 一、评价概况; 二、排名 (rank, total, grade, 一票否决, 三挂钩); 三、各单位得分明细 (per unit:
    totals by stage, the item tree with points, 加分/扣分, vetoes); 四、说明 (pinned scheme, hashes, computation
    time). Shows the given results only, so a user sees the units they may see."""
    places = scheme.display_places
    computed = timezone.localtime(rnd.computed_at) if rnd.computed_at else None
    report = Report(results_title(rnd, scheme), subtitle=rnd.name, issuer=rnd.evaluating_unit.name,
                    date=f"{computed.year}年{computed.month}月{computed.day}日" if computed else "")

    report.add(Heading("一、评价概况"), Paragraph(
        f"本次评价由{rnd.evaluating_unit.name}组织，依据《{scheme.name}》"
        f"（{rnd.scheme_id}，版本 {rnd.scheme_version}），"
        f"满分 {readable(scheme.max_score)} 分，指标数据取自{rnd.data_year}学年。"
        + (f"本报告列出 {len(results)} 个被评价单位的结果。" if results else "尚未计算结果。")))
    if scheme.example:
        note = scheme.note or "结构、分值和挂钩措施为演示用示例，不是正式规定。"
        report.add(Note(note if note.startswith("示例方案") else f"示例方案：{note}"))

    report.add(Heading("二、排名"))
    ranking = []
    for r in results:
        d = r.result
        ranking.append([
            f"{r.rank}（并列）" if r.tied else str(r.rank), r.unit.name, _points(r.total, places), r.grade,
            "\n".join(f"{v['code']} {v['name']}" + (f"（{v['reason']}）" if v["reason"] else "") for v in d["vetoes"])
            or "—",
            "\n".join(f"{c['link']}：{c['effect']}" for c in d["consequences"]) or "—"])
    report.add(Table(RANKING_COLUMNS, ranking))
    decided = [f"{r.unit.name}：{r.decided_by}" for r in results if r.decided_by]
    if decided:
        report.add(Note("名次依据：" + "；".join(decided)))

    if results:
        report.add(Heading("三、各单位得分明细"))
    for number, r in enumerate(results, start=1):
        d = r.result
        report.add(Heading(f"（{_chinese_number(number)}）{r.unit.name}", level=2), Paragraph(
            f"总分 {_points(r.total, places)} 分（基础得分 {_points(d['base'], places)}，加分 "
            f"{_points(d['bonus'], places)}，扣分 {_points(d['penalty'], places)}），等级：{r.grade}"
            + (f"（按分数为{d['grade_by_score']}）" if d["grade_by_score"] != r.grade else "") + "。"))
        stages = "；".join(f"{t['stage_name']} {_points(t['total'], places)} 分（{t['grade']}）"
                           for t in d.get("stage_totals", []))
        if stages:
            report.add(Paragraph(f"各阶段得分：{stages}。"))
        report.add(Table(ITEM_COLUMNS, _item_rows(d["items"])))
        adjustments = [[f"{a['code']} {a['name']}（{'加分' if a['kind'] == 'bonus' else '扣分'}）",
                        readable(Fraction(a["max_points"])), readable(Fraction(a["points"])),
                        "；".join(x for x in (a.get("reason") or "", "已按上限计" if a.get("capped") else "") if x)]
                       for a in d.get("adjustments", []) if Fraction(a["points"]) or Fraction(a["claimed"])]
        if adjustments:
            report.add(Table(ADJUSTMENT_COLUMNS, adjustments))
        for v in d["vetoes"]:
            report.add(Note(f"一票否决：{v['code']} {v['name']}" + (f"（{v['reason']}）" if v["reason"] else "")))
        if d["missing"]:
            report.add(Note(f"缺少数据的项目（按 0 分计）：{'、'.join(d['missing'])}"))

    report.add(Heading("三、说明" if not results else "四、说明"), Paragraph(
        f"得分按方案精确计算，显示时保留 {places} 位小数；名次按方案规定的规则排列。"
        f"方案 SHA-256：{rnd.scheme_sha256}。"
        + (f"计算时间：{computed:%Y-%m-%d %H:%M}。" if computed else "")))
    return report
