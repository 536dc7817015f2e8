"""A round's results as an Excel workbook: 排名 (one row per unit), 差异 (stage disagreements), 说明 (the pinned
scheme and hashes). Reads only the objects given."""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Font

from edugov.evaluation.engine import Scheme, display
from edugov.evaluation.models import EvaluationResult, EvaluationRound

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
