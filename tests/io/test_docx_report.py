"""The 季度报告 as Word (.docx): the same content as the PDF, in 公文 layout, with the
detail table as a real Word table whose header row repeats on every page."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.shared import Mm

from tests.conftest import squash
from tests.core.test_report_data import PRINTED, Q3, make_report_ledger
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.report_data import SignOff, build_report
from zwgk_desktop.io.docx_report import FONTS, render_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def report(ledger: Ledger, tmp_path: Path):
    plan_id, _ = make_report_ledger(ledger)
    data = build_report(ledger, plan_id, Q3, title_unit="某县人民政府办公室", printed_on=PRINTED,
                        sign_off=SignOff("张三", "李四", "0537-1234567"))
    out = tmp_path / "报告.docx"
    render_docx(data, out)
    return data, out, docx.Document(str(out))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return squash("".join(parts))


def test_same_content_as_the_pdf(report) -> None:
    data, _, document = report
    text = all_text(document)
    for row in data.rows:
        assert squash(row.requirement) in text, row.seq
    for expected in ["某县人民政府办公室", "2023年第三季度", "政务公开重点工作任务落实情况", "共7项", "完成率33.3%",
                     "填报人：张三", "审核人：李四", "联系电话：0537-1234567", "填报日期：2023年12月20日",
                     "决策事项目录https://www.example.gov.cn/zwgk/ml.html", "附件", "明细表"]:
        assert expected in text, expected


def test_official_layout(report) -> None:
    _, _, document = report
    first, detail = document.sections
    assert abs(first.page_width - Mm(210)) < Mm(0.1) and abs(first.page_height - Mm(297)) < Mm(0.1)
    assert abs(first.top_margin - Mm(37)) < Mm(0.1) and abs(first.left_margin - Mm(28)) < Mm(0.1)
    assert abs(first.page_width - first.left_margin - first.right_margin - Mm(156)) < Mm(0.1)
    assert abs(first.page_height - first.top_margin - first.bottom_margin - Mm(225)) < Mm(0.1)
    assert detail.page_width > detail.page_height  # the detail table is landscape
    assert abs(detail.page_width - detail.left_margin - detail.right_margin - Mm(267)) < Mm(0.1)  # as the PDF's 附件
    assert document.settings.odd_and_even_pages_header_footer
    for section in (first, detail):
        for footer in (section.footer, section.even_page_footer):
            xml = footer._element.xml
            assert "\u2014 " in xml and " PAGE " in xml and " \u2014" in xml  # — {PAGE} —
    fonts = zipfile.ZipFile(report[1]).read("word/fontTable.xml").decode("utf-8")
    for name, alternatives in FONTS.values():
        assert f'w:name="{name}"' in fonts and ",".join(alternatives) in fonts


def test_detail_table_is_a_word_table_with_a_repeated_header(report) -> None:
    data, _, document = report
    table = document.tables[-1]
    header = table.rows[0]
    assert [c.text for c in header.cells][:3] == ["序号", "工作任务/具体要求", "责任单位"]
    assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
    seqs = [row.cells[0].text for row in table.rows[1:] if len({c._tc for c in row.cells}) > 1]
    assert seqs == [str(row.seq) for row in data.rows]
    sizes = {int(sz.get(f"{W}val")) for sz in table._tbl.iter(f"{W}sz")}
    assert min(sizes) >= 18  # 9 pt (half-points) at least


def test_an_empty_report_is_still_a_document(ledger: Ledger, tmp_path: Path) -> None:
    plan_id, _ = make_report_ledger(ledger)
    data = build_report(ledger, plan_id, Q3, printed_on=PRINTED)
    data.rows.clear()
    out = tmp_path / "empty.docx"
    render_docx(data, out)
    assert "统计范围内没有任务" in all_text(docx.Document(str(out)))


def test_recurring_tasks_by_period_and_the_quarters_follow_ups(ledger: Ledger, tmp_path: Path) -> None:
    from tests.core.test_report_periods import Q2, make_periodic_ledger, record
    from zwgk_desktop.core.report_data import ReportScope

    plan_id, _ = make_periodic_ledger(ledger)
    record(ledger, plan_id, "县发改局", date(2023, 6, 25), Q2, None)
    data = build_report(ledger, plan_id, Q2, ReportScope(with_follow_ups=True), printed_on=PRINTED)
    out = tmp_path / "q2.docx"
    render_docx(data, out)
    document = docx.Document(str(out))
    text = all_text(document)
    for expected in ["本季度应完成7项（其中定期任务6项次），已完成4项", "定期任务按本季度应完成的期次计",
                     "4月已完成；5月已完成；6月未报", "三、本季度催办情况", "2023年第二季度共发出催办单1份", "未规定"]:
        assert expected in text, expected
    follow_up_table = next(t for t in document.tables if t.rows[0].cells[0].text == "日期")
    assert [c.text for c in follow_up_table.rows[0].cells] == ["日期", "单位", "任务（序号）", "催办事项", "回复期限"]
    assert [c.text for c in follow_up_table.rows[1].cells][1:3] == ["县发改局", "3"]
    assert len(follow_up_table.rows) == 2
