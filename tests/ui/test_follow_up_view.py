"""督办 view: the counts are core's (lagging_units), sorting is numeric, rows wear their
level's colour, 生成催办单 writes the file(s) and records the follow-up as the CLI does,
and the 天内到期 spin box ignores a passing wheel."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.builders import audit_count
from tests.core.test_follow_up import TODAY, make_plan
from zwgk_desktop.core import follow_up as fu
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.unit_directory import add_member
from zwgk_desktop.ui import follow_up_view as view
from zwgk_desktop.ui.follow_up_view import LEVEL_COLOURS, FollowUpDialog
from zwgk_desktop.ui.wheel_guard import is_guarded

TIMEOUT = 30_000
COUNT_COLUMNS = {1: "overdue", 2: "due_soon", 3: "no_progress", 4: "no_evidence"}
poppler = pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils is not installed")


@pytest.fixture
def plan(tmp_path: Path, open_ledger):
    ledger = open_ledger(tmp_path / "ledger")
    pid, ids = make_plan(ledger)
    add_member(ledger, "各镇(街道)", "城关镇")
    add_member(ledger, "各镇(街道)", "唐口街道")
    return ledger, pid, ids


@pytest.fixture
def make_dialog(qtbot, no_dialogs):
    dialogs: list[FollowUpDialog] = []

    def factory(ledger, plan_id, today=TODAY) -> FollowUpDialog:
        dialog = FollowUpDialog(ledger, plan_id, today=today)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        dialog.show()
        return dialog

    yield factory
    for dialog in dialogs:
        if dialog.running:
            qtbot.waitUntil(lambda d=dialog: not d.running, timeout=TIMEOUT)
        dialog.reject()


def rows(dialog: FollowUpDialog) -> dict[str, tuple[int, ...]]:
    table = dialog.table
    return {dialog.unit_at(r): tuple(int(table.item(r, c).text()) for c in COUNT_COLUMNS)
            for r in range(table.rowCount())}


def expected(ledger, pid, **kwargs) -> dict[str, tuple[int, ...]]:
    return {lag.unit: tuple(getattr(lag, name) for name in COUNT_COLUMNS.values())
            for lag in fu.lagging_units(ledger, pid, today=TODAY, **kwargs)}


def select_units(dialog: FollowUpDialog, *units: str) -> None:
    dialog.table.clearSelection()
    for unit in units:
        row = dialog.row_of(unit)
        assert row is not None, unit
        dialog.table.selectionModel().select(dialog.table.model().index(row, 0), view._SELECT_ROW)
    dialog.table.selectionModel().setCurrentIndex(dialog.table.model().index(dialog.row_of(units[-1]), 0),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)


def wait_written(qtbot, dialog: FollowUpDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.running and (dialog.result is not None or dialog.error), timeout=TIMEOUT)
    assert dialog.error is None, dialog.error


def test_counts_are_lagging_units_and_follow_the_days_box(plan, make_dialog) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    shown = rows(dialog)
    assert shown == expected(ledger, pid)
    assert {"县政府办", "城关镇", "唐口街道"} <= set(shown)  # a group's members, one row each
    # worst first, as lagging_units sorts them
    assert [dialog.unit_at(r) for r in range(dialog.table.rowCount())] == [
        lag.unit for lag in fu.lagging_units(ledger, pid, today=TODAY)]
    assert shown["县政府办"][1] == 1  # 9月30日前 is within 15 days
    dialog.days.setValue(5)
    assert rows(dialog) == expected(ledger, pid, days=5)
    assert rows(dialog)["县政府办"][1] == 0


def test_lower_table_lists_the_units_tasks_and_what_is_missing(plan, make_dialog) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    select_units(dialog, "县政府办")
    lag = next(u for u in fu.lagging_units(ledger, pid, today=TODAY) if u.unit == "县政府办")
    tasks = dialog.tasks
    assert [int(tasks.item(r, 0).text()) for r in range(tasks.rowCount())] == [t.seq for t in lag.tasks]
    assert [tasks.item(r, 4).text().replace("\n", "、") for r in range(tasks.rowCount())] == [
        t.missing_text for t in lag.tasks]
    assert "已逾期 82 天" in tasks.item(0, 4).text()
    assert "县政府办" in dialog.unit_label.text()


def test_sorting_is_numeric_and_by_the_column_clicked(sample_ledger, make_dialog) -> None:
    plan_ = sample_ledger.plans()[0]
    today = date(plan_.year + 1, 1, 20)  # every open task of the year is overdue by then
    dialog = make_dialog(sample_ledger, plan_.id, today=today)
    lags = fu.lagging_units(sample_ledger, plan_.id, today=today)
    overdue = sorted((lag.overdue for lag in lags), reverse=True)
    assert overdue[0] >= 10 > overdue[-1]  # a text sort would put "9" above "25"
    header = dialog.table.horizontalHeader()
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(1) + 5, header.height() // 2))
    first = [int(dialog.table.item(r, 1).text()) for r in range(dialog.table.rowCount())]
    dialog.table.sortItems(1, Qt.SortOrder.DescendingOrder)
    shown = [int(dialog.table.item(r, 1).text()) for r in range(dialog.table.rowCount())]
    assert shown == overdue
    assert first == sorted(overdue)  # the first click sorted ascending
    dialog.table.sortItems(3, Qt.SortOrder.AscendingOrder)
    assert [int(dialog.table.item(r, 3).text()) for r in range(dialog.table.rowCount())] == sorted(
        lag.no_progress for lag in lags)
    # the rows keep their units' numbers when sorted
    by_unit = {lag.unit: (lag.overdue, lag.due_soon, lag.no_progress, lag.no_evidence) for lag in lags}
    assert rows(dialog) == by_unit


def test_rows_wear_their_units_colour(plan, make_dialog) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    levels = {lag.unit: lag.level for lag in fu.lagging_units(ledger, pid, today=TODAY)}
    assert {fu.Level.RED, fu.Level.YELLOW} <= set(levels.values())
    dialog.table.sortItems(4, Qt.SortOrder.DescendingOrder)  # the colour goes with the row
    for row in range(dialog.table.rowCount()):
        level = levels[dialog.unit_at(row)]
        for column in range(dialog.table.columnCount()):
            assert dialog.table.item(row, column).background().color() == LEVEL_COLOURS[level]
    assert len({c.name() for c in LEVEL_COLOURS.values()}) == 3


@poppler
def test_generate_for_one_unit_writes_a_pdf_and_records_it(plan, make_dialog, qtbot, monkeypatch,
                                                           tmp_path: Path) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    target = tmp_path / "out" / "催办单-县政府办"
    target.parent.mkdir()
    asked: list[str] = []

    def save_name(parent, caption, suggested, pattern, *_options):
        asked.append(suggested)
        return str(target), pattern

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    select_units(dialog, "县政府办")
    assert dialog.reply_by.date() == TODAY + timedelta(days=5)  # as zwgk remind
    dialog.office.setText("某县政务公开办")
    audit_before = audit_count(ledger)
    assert dialog.generate()
    wait_written(qtbot, dialog)
    assert asked and asked[0].endswith("催办单-县政府办.pdf")
    pdf = target.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1)) == 1
    sent = fu.follow_ups(ledger, pid)
    assert [(f.unit, f.office, f.reply_by, f.quarter, f.file_name) for f in sent] == [
        ("县政府办", "某县政务公开办", (TODAY + timedelta(days=5)).isoformat(), str(Quarter.of(TODAY)), pdf.name)]
    lag = next(u for u in fu.lagging_units(ledger, pid, today=TODAY) if u.unit == "县政府办")
    assert sorted(sent[0].task_ids) == sorted(t.task_id for t in lag.tasks)
    assert audit_count(ledger) == audit_before + 1
    # the table shows it at once, on the unit and on each of its tasks
    row = dialog.row_of("县政府办")
    assert dialog.table.item(row, 5).text().startswith("1 次")
    select_units(dialog, "县政府办")
    assert all(dialog.tasks.item(r, 5).text().startswith("1 次") for r in range(dialog.tasks.rowCount()))
    select_units(dialog, "县司法局")  # shares task 1, but was not sent anything
    assert dialog.table.item(dialog.row_of("县司法局"), 5).text() == "—"
    assert [dialog.tasks.item(r, 5).text() for r in range(dialog.tasks.rowCount())] == ["—"]
    assert dialog.open_result.isVisible() and dialog.open_result.path == pdf


def test_several_units_into_a_folder_as_word_with_their_fill_ins(plan, make_dialog, qtbot, monkeypatch,
                                                                  tmp_path: Path) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    folder = tmp_path / "催办"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: pytest.fail("a folder was asked for, not a file"))
    select_units(dialog, "县政府办", "县融媒体中心")
    assert dialog.per_unit.isEnabled()
    dialog.per_unit.setChecked(True)
    dialog.kind.setCurrentIndex(dialog.kind.findData(view.DOCX))
    dialog.with_fill_in.setChecked(True)
    assert dialog.generate()
    wait_written(qtbot, dialog)
    assert sorted(p.name for p in folder.glob("催办单-*.docx")) == ["催办单-县政府办.docx", "催办单-县融媒体中心.docx"]
    assert len(list(folder.glob("*.xlsx"))) == 2
    assert sorted(f.unit for f in fu.follow_ups(ledger, pid)) == ["县政府办", "县融媒体中心"]


def test_reply_day_before_today_writes_nothing(plan, make_dialog, monkeypatch) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("nothing to save"))
    select_units(dialog, "县政府办")
    dialog.reply_by.set_date(TODAY - timedelta(days=1))
    assert not dialog.generate()
    assert "早于" in dialog.error
    assert fu.follow_ups(ledger, pid) == []


def test_double_click_names_the_unit(plan, make_dialog, qtbot) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    qtbot.waitExposed(dialog)
    row = dialog.row_of("县融媒体中心")
    rect = dialog.table.visualRect(dialog.table.model().index(row, 0))
    with qtbot.waitSignal(dialog.unit_chosen, timeout=2000) as signal:
        QTest.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["县融媒体中心"]


def test_days_box_ignores_a_passing_wheel(plan, make_dialog) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid)
    assert is_guarded(dialog.days) and is_guarded(dialog.kind)
    before = dialog.days.value()
    dialog.days.clearFocus()
    centre = QPointF(dialog.days.rect().center())
    event = QWheelEvent(centre, QPointF(dialog.days.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(dialog.days, event)
    assert dialog.days.value() == before
    assert rows(dialog) == expected(ledger, pid)


def test_a_change_announced_through_the_door_is_read_again(plan, make_dialog, qtbot) -> None:
    from zwgk_desktop.core import evidence as ev
    from zwgk_desktop.ui.operations.events import announce

    ledger, pid, ids = plan
    dialog = make_dialog(ledger, pid)
    assert dialog.row_of("县融媒体中心") is not None
    ledger.set_progress(ids[4], Quarter(2023, 3), "已开设专栏。")
    ev.attach_note(ledger, ids[4], "已在网站发布", Quarter(2023, 3))
    announce([ids[4]])
    qtbot.waitUntil(lambda: dialog.row_of("县融媒体中心") is None, timeout=5000)
    assert rows(dialog) == expected(ledger, pid)


def test_the_summary_writes_the_day_as_a_date_not_a_time(plan, make_dialog) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid, today=date(2023, 12, 5))
    text = dialog.summary.text()
    assert text.startswith(f"截至 2023年12月5日,{len(dialog.lags)} 个单位需要催办"), text
    assert "2023-12-05" not in text


def test_a_weekend_reply_day_starts_on_the_next_monday(plan, make_dialog) -> None:
    ledger, pid, _ = plan
    dialog = make_dialog(ledger, pid, today=date(2023, 12, 5))  # five days later is a Sunday
    assert dialog.reply_by.date() == date(2023, 12, 11)


def test_the_office_last_signed_on_a_report_signs_the_next_notice(plan, make_dialog, qtbot) -> None:
    from zwgk_desktop.ui.report_dialog import ReportDialog

    ledger, pid, _ = plan
    assert make_dialog(ledger, pid).office.text() == view.default_office(ledger.plan(pid))
    report = ReportDialog(ledger, pid)
    qtbot.addWidget(report)
    report.title_unit.setText("济宁市任城区人民政府办公室")
    report.generate_button.click()
    qtbot.waitUntil(lambda: not report.running, timeout=TIMEOUT)
    report.reject()
    assert make_dialog(ledger, pid).office.text() == "济宁市任城区人民政府办公室"
