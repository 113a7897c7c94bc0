"""The dashboard: bars painted at their completion rate, the numbers of build_overview,
a chart too short for every bar saying "…等 N 项", and the one-page PDF export."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog

from tests.core.test_follow_up import TODAY, make_plan
from zwgk_desktop.core.follow_up_summary import overdue_tasks
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.overview import build_overview
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import Counts, GroupRow
from zwgk_desktop.ui.dashboard import GREEN, GREY, BarChart, DashboardDialog

TIMEOUT = 30_000
poppler = pytest.mark.skipif(not shutil.which("pdfinfo") or not shutil.which("pdftotext"),
                             reason="poppler-utils is not installed")


def counts(total: int, done: int, overdue: int = 0) -> Counts:
    c = Counts()
    c.total, c.done, c.not_started, c.overdue = total, done, total - done, overdue
    return c


ROWS = [GroupRow("一、推进决策公开", counts(4, 1)), GroupRow("县政府办", counts(2, 2)),
        GroupRow("县发改局", counts(5, 0, 2)), GroupRow("县司法局", counts(10, 7))]


@pytest.fixture
def plan(tmp_path: Path, open_ledger):
    ledger = open_ledger(tmp_path / "ledger")
    pid, ids = make_plan(ledger)
    ledger.set_status(ids[1], Status.DONE, date(2023, 8, 1))
    ledger.set_progress(ids[1], Quarter(2023, 3), "目录已调整并公开。")
    ledger.set_progress(ids[3], Quarter(2023, 3), "已发布图解 3 篇。")
    return ledger, pid, ids


@pytest.fixture
def make_dialog(qtbot, no_dialogs):
    dialogs: list[DashboardDialog] = []

    def factory(ledger, plan_id, today=TODAY) -> DashboardDialog:
        dialog = DashboardDialog(ledger, plan_id, today=today)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        dialog.show()
        return dialog

    yield factory
    for dialog in dialogs:
        if dialog.dashboard.running:
            qtbot.waitUntil(lambda d=dialog: not d.dashboard.running, timeout=TIMEOUT)
        dialog.reject()


def run_length(image, y: int, x0: int, x1: int, colour: QColor) -> int:
    """Pixels of ``colour`` from x0 on, until the first other colour (before x1)."""
    n = 0
    for x in range(x0, x1):
        if image.pixelColor(x, y) != colour:
            break
        n += 1
    return n


def test_bars_are_painted_at_their_completion_rate(qtbot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.set_rows(ROWS)
    chart.resize(640, 260)
    chart.show()
    qtbot.waitExposed(chart)
    image = chart.grab().toImage()
    assert chart.rows_shown() == len(ROWS) and chart.hidden == 0
    for n, row in enumerate(ROWS):
        bar = chart.bar_rect(n)
        assert bar.width() > 200
        y = bar.center().y()
        green = run_length(image, y, bar.left(), bar.right() + 1, GREEN)
        share = row.counts.done / row.counts.total
        assert abs(green - bar.width() * share) <= 1.5, (row.label, green, bar.width(), share)
        if share < 1:  # the rest of the bar is grey, up to its end
            grey = run_length(image, y, bar.left() + green, bar.right() + 1, GREY)
            assert green + grey == bar.width()
        # nothing green beyond the bar (the value text is not painted green)
        assert all(image.pixelColor(x, y) != GREEN for x in range(bar.right() + 1, chart.width()))
    # bars are one under the other, none overlapping
    assert all(chart.bar_rect(n).bottom() < chart.bar_rect(n + 1).top() for n in range(len(ROWS) - 1))


def test_a_short_chart_says_how_many_bars_it_left_out(qtbot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    rows = [GroupRow(f"单位{n}", counts(3, n % 4)) for n in range(12)]
    chart.set_rows(rows)
    chart.resize(500, 2 * chart.PAD + chart.row_height() * 5)
    chart.show()
    qtbot.waitExposed(chart)
    assert chart.rows_shown() == 4 and chart.hidden == 8  # 4 bars and the line "…等 8 项"
    image = chart.grab().toImage()
    below = chart.bar_rect(4)  # where a fifth bar would be: no bar painted there
    assert all(image.pixelColor(x, below.center().y()) not in (GREEN, GREY)
               for x in range(below.left(), below.right()))
    chart.resize(500, 2 * chart.PAD + chart.row_height() * 12)
    assert chart.rows_shown() == 12 and chart.hidden == 0


def test_numbers_are_build_overviews(plan, make_dialog) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    board = dialog.dashboard
    o = build_overview(ledger, pid, TODAY)
    t = o.totals
    shown = {key: label.text() for key, label in board.numbers.items()}
    assert shown == {"total": str(t.total), "done": str(t.done), "in_progress": str(t.in_progress),
                     "not_started": str(t.not_started), "overdue": str(t.overdue), "rate": t.completion_text}
    assert shown["done"] == "2" and shown["overdue"] == "1"  # the task done in March and the one in August
    assert [(r.label, r.counts.done, r.counts.total) for r in board.by_section.rows] == [
        (r.label, r.counts.done, r.counts.total) for r in o.by_section]
    assert [(r.label, r.counts.done, r.counts.total) for r in board.by_unit.rows] == [
        (r.label, r.counts.done, r.counts.total) for r in o.by_unit]
    items, left_out = overdue_tasks(ledger, pid, TODAY)
    table = board.overdue
    assert [int(table.item(r, 0).text()) for r in range(table.rowCount())] == [i.seq for i in items] == [1]
    assert table.item(0, 4).text() == "82 天" and left_out == 0
    text = board.highlights.text()
    assert [h.seq for h in o.highlights] == [2, 4]
    assert "2. " in text and "(已完成)" in text and "已发布图解 3 篇" in text
    # a change made through the door shows at once
    ledger.set_status(items[0].task_id, Status.DONE, TODAY)
    board.refresh()
    assert board.numbers["overdue"].text() == "0" and board.overdue.rowCount() == 0


@poppler
def test_export_writes_a_one_page_pdf(plan, make_dialog, qtbot, monkeypatch, tmp_path: Path) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    board = dialog.dashboard
    target = tmp_path / "一页纸概况"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)"))
    assert board.export_pdf()
    qtbot.waitUntil(lambda: not board.running and ("已生成" in board.status.text() or board.error),
                    timeout=TIMEOUT)
    assert board.error is None, board.error
    pdf = target.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1)) == 1
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    assert "2023年测试表" in "".join(text.split())
    assert board.open_result.isVisible() and board.open_result.path == pdf


def test_units_merged_by_the_overview_are_said_under_the_chart(sample_ledger, make_dialog) -> None:
    plan_ = sample_ledger.plans()[0]
    today = date(plan_.year, 9, 20)
    o = build_overview(sample_ledger, plan_.id, today)
    assert o.units_left_out > 0  # the sample names more lead units than a chart has bars
    board = make_dialog(sample_ledger, plan_.id, today=today).dashboard
    assert board.by_unit.rows[-1].label == f"其余 {o.units_left_out} 个"
    assert board.by_unit.left_out.startswith(f"…等 {o.units_left_out} 项")
    assert o.sections_left_out == 0 and board.by_section.left_out == ""  # four sections: nothing merged
