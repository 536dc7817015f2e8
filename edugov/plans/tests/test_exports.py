"""The ledger files: the Excel workbook staff track tasks in and the Word 任务分解表 attached to official documents.

The data is a city plan with four tasks: one in progress and past its deadline with two reports and 督办 notices, one
with no deadline, one done late (not overdue: it is done) and one withdrawn by a later revision."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import docx
import openpyxl
import pytest
from django.utils import timezone
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from edugov.plans.exports import excel_number, ledger_docx, ledger_xlsx
from edugov.plans.models import (
    Escalation,
    EscalationKind,
    Plan,
    PlanVersion,
    ReviewStatus,
    Target,
    TargetKind,
    Task,
    TaskReport,
    TaskStatus,
    VersionStatus,
)

TODAY = dt.date(2025, 7, 15)
TASK_HEADERS = ["序号", "所属章节", "工作任务", "牵头单位", "配合单位", "完成时限", "状态", "完成进度", "最新进展",
                "报送时间", "是否逾期", "督办"]
TARGET_HEADERS = ["原文", "指标对象", "比较方式", "目标值", "上限", "单位", "口径", "时限", "范围", "责任单位",
                  "关联指标"]
DOC_HEADERS = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限", "进展情况"]
PRESCHOOL = "一、推进学前教育普惠发展"
BALANCE = "二、促进义务教育优质均衡"


@dataclass
class Ledger:
    plan: Plan
    tasks: list[Task]
    targets: list[Target]


def aware(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))  # noqa: DTZ001 - made aware in the project's time zone


@pytest.fixture
def ledger(city: Any, personas: Any) -> Ledger:
    plan = Plan.objects.create(unit=city.city, year=2025, title="教育工作要点")
    version = PlanVersion.objects.create(
        plan=plan, number=2, status=VersionStatus.PUBLISHED, file_name="要点.docx", file_sha256="0" * 64,
        file_size=100, text="……", doc_title="示范市教育局关于印发2025年教育工作要点的通知", issuer="示范市教育局",
        issued_on=dt.date(2025, 2, 20), doc_number="示教发〔2025〕3号", extractor_version="test",
    )
    kindergartens = Task.objects.create(
        plan=plan, number=1, section_title=PRESCHOOL, content="新建、改扩建公办幼儿园10所", lead_unit=city.east,
        deadline=dt.date(2025, 6, 30), status=TaskStatus.IN_PROGRESS, progress=60)
    kindergartens.co_units.set([city.west, city.east_town])
    early = TaskReport.objects.create(task=kindergartens, unit=city.east, author=personas.east_admin, progress=20,
                                      status=TaskStatus.IN_PROGRESS, text="已完成选址")
    late = TaskReport.objects.create(task=kindergartens, unit=city.east, author=personas.east_admin, progress=60,
                                     status=TaskStatus.IN_PROGRESS, text="5所已开工建设")
    TaskReport.objects.filter(pk=early.pk).update(created_at=aware(2025, 3, 1, 9, 0))
    TaskReport.objects.filter(pk=late.pk).update(created_at=aware(2025, 7, 10, 16, 30))
    Escalation.objects.create(task=kindergartens, to_unit=city.city, level=1, kind=EscalationKind.OVERDUE,
                              reason="逾期未完成")
    Escalation.objects.create(task=kindergartens, to_unit=city.city, level=2, kind=EscalationKind.OVERDUE,
                              reason="逾期未完成", resolved_at=aware(2025, 7, 12, 10, 0), resolution="已约谈")
    Task.objects.create(plan=plan, number=2, section_title=PRESCHOOL, content="完善学前教育资助制度",
                        lead_unit=city.west)
    Task.objects.create(plan=plan, number=3, section_title=BALANCE, content="推进集团化办学", lead_unit=city.east,
                        deadline=dt.date(2025, 3, 31), status=TaskStatus.DONE, progress=100,
                        completed_on=dt.date(2025, 5, 6))
    Task.objects.create(plan=plan, number=4, section_title=BALANCE, content="撤销的校舍改造任务",
                        lead_unit=city.west, deadline=dt.date(2025, 1, 31), status=TaskStatus.WITHDRAWN)

    rate = Target.objects.create(
        version=version, quote="学前三年毛入园率达到95.5%以上", start=0, end=15, status=ReviewStatus.ACCEPTED,
        subject="学前三年毛入园率", comparator=">=", value=Decimal("95.500000"), unit_of_measure="%",
        deadline_text="年底前", scope_text="全市", kind=TargetKind.RATE, indicator_code="preschool_gross_rate",
        owner=city.east)
    seats = Target.objects.create(
        version=version, quote="新增学位1.5万个", start=20, end=28, status=ReviewStatus.ACCEPTED,
        subject="新增学位", comparator="count", value=Decimal("15000"), value_max=Decimal("16000.25"),
        unit_of_measure="个", kind=TargetKind.COUNT, period_end=dt.date(2025, 12, 31))
    tasks = list(Task.objects.filter(plan=plan).select_related("lead_unit")
                 .prefetch_related("co_units", "reports", "escalations").order_by("number"))
    return Ledger(plan=plan, tasks=tasks, targets=[rate, seats])


def workbook(ledger: Ledger) -> Any:
    data = ledger_xlsx(ledger.plan, ledger.tasks, ledger.targets, today=TODAY)
    return openpyxl.load_workbook(io.BytesIO(data))


def task_rows(book: Any) -> dict[int, dict[str, Any]]:
    sheet = book["任务台账"]
    return {row[0]: dict(zip(TASK_HEADERS, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)}


def document(ledger: Ledger) -> Any:
    return docx.Document(io.BytesIO(ledger_docx(ledger.plan, ledger.tasks, today=TODAY)))


def table_texts(doc: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in doc.tables[0].rows]


# -- Excel ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_workbook_has_the_ledger_targets_and_about_sheets(ledger: Ledger) -> None:
    assert workbook(ledger).sheetnames == ["任务台账", "量化目标", "说明"]


@pytest.mark.django_db
def test_the_task_sheet_has_a_title_row_then_the_ledger_headers_frozen_and_filtered(ledger: Ledger) -> None:
    sheet = workbook(ledger)["任务台账"]
    assert sheet["A1"].value == "2025年教育工作要点任务台账"
    assert [cell.value for cell in sheet[2]] == TASK_HEADERS
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:L6"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width
    assert sheet["C3"].alignment.wrap_text is True


@pytest.mark.django_db
def test_a_task_row_shows_its_units_deadline_progress_and_latest_report(ledger: Ledger) -> None:
    book = workbook(ledger)
    row = task_rows(book)[1]
    assert row["所属章节"] == PRESCHOOL
    assert row["工作任务"] == "新建、改扩建公办幼儿园10所"
    assert row["牵头单位"] == "东区"
    assert row["配合单位"] == "东区新镇、西区"  # in unit-code order
    assert row["完成时限"] == dt.datetime(2025, 6, 30)  # noqa: DTZ001 - Excel dates are naive
    assert row["状态"] == "推进中"
    assert row["完成进度"] == pytest.approx(0.6)
    assert book["任务台账"]["H3"].number_format == "0%"
    assert row["最新进展"] == "5所已开工建设"
    assert row["报送时间"] == dt.datetime(2025, 7, 10, 16, 30)  # noqa: DTZ001 - local wall-clock time


@pytest.mark.django_db
def test_a_task_without_deadline_shows_长期_and_is_never_overdue(ledger: Ledger) -> None:
    row = task_rows(workbook(ledger))[2]
    assert row["完成时限"] == "长期"
    assert row["是否逾期"] == "否"
    assert row["最新进展"] is None


@pytest.mark.django_db
def test_an_open_task_past_its_deadline_is_overdue_but_a_done_or_withdrawn_one_is_not(ledger: Ledger) -> None:
    rows = task_rows(workbook(ledger))
    assert rows[1]["是否逾期"] == "是"
    assert rows[3]["是否逾期"] == "否"  # its deadline passed too, but it is done
    assert rows[4]["是否逾期"] == "否"  # withdrawn


@pytest.mark.django_db
def test_the_督办_column_counts_only_open_notices_with_their_level(ledger: Ledger) -> None:
    rows = task_rows(workbook(ledger))
    assert rows[1]["督办"] == "1件（第1级）"  # the level-2 notice was resolved
    assert rows[2]["督办"] is None


@pytest.mark.django_db
def test_withdrawn_tasks_stay_in_the_workbook_as_已撤销(ledger: Ledger) -> None:
    rows = task_rows(workbook(ledger))
    assert list(rows) == [1, 2, 3, 4]
    assert rows[4]["状态"] == "已撤销"
    assert rows[4]["工作任务"] == "撤销的校舍改造任务"


@pytest.mark.django_db
def test_target_values_are_exact_numbers_with_a_format_that_shows_every_digit(ledger: Ledger) -> None:
    sheet = workbook(ledger)["量化目标"]
    assert [cell.value for cell in sheet[2]] == TARGET_HEADERS
    rate = dict(zip(TARGET_HEADERS, [cell.value for cell in sheet[3]], strict=True))
    assert rate == {"原文": "学前三年毛入园率达到95.5%以上", "指标对象": "学前三年毛入园率", "比较方式": "不低于",
                    "目标值": 95.5, "上限": None, "单位": "%", "口径": None, "时限": "年底前", "范围": "全市",
                    "责任单位": "东区", "关联指标": "preschool_gross_rate"}
    assert sheet["D3"].number_format == "0.0"
    seats = dict(zip(TARGET_HEADERS, [cell.value for cell in sheet[4]], strict=True))
    assert seats["目标值"] == 15000
    assert isinstance(seats["目标值"], int)
    assert sheet["D4"].number_format == "0"
    assert seats["上限"] == 16000.25
    assert sheet["E4"].number_format == "0.00"
    assert seats["比较方式"] == "完成数量"
    assert seats["时限"] == "2025年12月底"  # no deadline text: the period end


def test_a_value_a_float_cannot_hold_exactly_is_written_as_text() -> None:
    assert excel_number(Decimal("12345678901234.567891")) == ("12345678901234.567891", "@")
    assert excel_number(Decimal("0.000001")) == (0.000001, "0.000000")
    assert excel_number(Decimal("-3.50")) == (-3.5, "0.0")
    assert excel_number(Decimal("1E+4")) == (10000, "0")


@pytest.mark.django_db
def test_the_about_sheet_carries_the_issuer_document_number_date_and_version(ledger: Ledger) -> None:
    sheet = workbook(ledger)["说明"]
    about = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert about["发文单位"] == "示范市教育局"
    assert about["文号"] == "示教发〔2025〕3号"
    assert about["发文日期"] == dt.datetime(2025, 2, 20)  # noqa: DTZ001 - Excel dates are naive
    assert about["版本号"] == "第2版"
    assert about["逾期判断日期"] == dt.datetime(2025, 7, 15)  # noqa: DTZ001
    assert isinstance(about["导出时间"], dt.datetime)
    assert about["任务数"] == "4项（其中已撤销1项）"


# -- Word ----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_word_file_opens_with_附件_then_the_centred_title(ledger: Ledger) -> None:
    paragraphs = [p for p in document(ledger).paragraphs if p.text]
    assert paragraphs[0].text == "附件"
    assert paragraphs[1].text == "示范市2025年教育工作要点任务分解表"
    assert paragraphs[1].runs[0].font.size.pt == 22
    assert paragraphs[1].alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER


@pytest.mark.django_db
def test_the_title_does_not_repeat_a_year_or_unit_the_plan_title_already_has(ledger: Ledger) -> None:
    ledger.plan.title = "示范市2025年教育工作要点"
    paragraphs = [p.text for p in document(ledger).paragraphs if p.text]
    assert paragraphs[1] == "示范市2025年教育工作要点任务分解表"


@pytest.mark.django_db
def test_the_page_is_a4_landscape_with_official_margins(ledger: Ledger) -> None:
    section = document(ledger).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    # Word stores sizes in twips (1/20 pt), so millimetres come back within a twip.
    assert abs(section.page_width - Mm(297)) < Mm(0.1)
    assert abs(section.page_height - Mm(210)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)


@pytest.mark.django_db
def test_chinese_fonts_are_set_in_the_east_asian_slot(ledger: Ledger) -> None:
    doc = document(ledger)
    paragraphs = [p for p in doc.paragraphs if p.text]

    def east_asian(run: Any) -> str | None:
        return run._element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asian(paragraphs[0].runs[0]) == "黑体"
    assert east_asian(paragraphs[1].runs[0]) == "方正小标宋简体"
    header_run = doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert east_asian(header_run) == "黑体"
    assert header_run.font.bold is True
    body_run = doc.tables[0].rows[2].cells[1].paragraphs[0].runs[0]
    assert east_asian(body_run) == "仿宋_GB2312"
    assert body_run.font.size.pt == 12


@pytest.mark.django_db
def test_the_table_header_is_repeated_on_every_page(ledger: Ledger) -> None:
    doc = document(ledger)
    assert table_texts(doc)[0] == DOC_HEADERS
    rows = doc.tables[0].rows
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert rows[1]._tr.trPr is None or rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    borders = doc.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideH")).get(qn("w:val")) == "single"


@pytest.mark.django_db
def test_rows_are_grouped_under_merged_section_rows_and_withdrawn_tasks_left_out(ledger: Ledger) -> None:
    doc = document(ledger)
    texts = table_texts(doc)
    assert texts[1] == [PRESCHOOL] * 6  # one merged cell spanning the row
    assert len(doc.tables[0].rows[1]._tr.tc_lst) == 1
    assert texts[2][:5] == ["1", "新建、改扩建公办幼儿园10所", "东区", "东区新镇、西区", "2025年6月底"]
    assert texts[2][5] == "推进中（完成60%），已逾期\n5所已开工建设"
    assert texts[3][:5] == ["2", "完善学前教育资助制度", "西区", "", "长期"]
    assert texts[4] == [BALANCE] * 6
    assert texts[5][0] == "3"
    assert texts[5][5] == "已完成（2025年5月6日）"
    assert len(texts) == 6
    assert "撤销的校舍改造任务" not in doc.tables[0]._tbl.xml


@pytest.mark.django_db
def test_the_columns_have_proportional_fixed_widths(ledger: Ledger) -> None:
    table = document(ledger).tables[0]
    widths = [column.width for column in table.columns]
    assert widths[1] > widths[5] > widths[2] > widths[0]
    assert sum(widths) <= Mm(297 - 28 - 26)


@pytest.mark.django_db
def test_the_footer_numbers_pages_as_dash_n_dash(ledger: Ledger) -> None:
    footer = document(ledger).sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert "PAGE" in "".join(t.text for t in footer._p.iter(qn("w:instrText")))
    assert xml.count('w:fldCharType="begin"') == 1
    assert footer.text.startswith("— ")
    assert footer.text.endswith(" —")
