"""The task panel as a clerk back-filling last quarter uses it: choosing a status asks
the day exactly as the table does; a screenshot pastes into the task with the focus on
the table or the panel (never from a text box); a huge 具体要求 keeps status and note
within reach."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import status_date_dialog, window_status

from tests.builders import parsed_plan
from .helpers import select_rows, select_task

Q3 = Quarter(2023, 3)


class Questions:
    """Every call of ask_status_date with all its arguments (bar the parent)."""

    def __init__(self, answer: date | None) -> None:
        self.answer = answer
        self.calls: list[tuple] = []

    def __call__(self, parent, status, count, quarter, plan_year, default=None):
        self.calls.append((status, count, quarter, plan_year, default))
        return self.answer


def choose_in_panel(window, status: Status) -> None:
    panel = window.panel
    panel.status.setCurrentIndex(panel.status.findText(status.value))
    panel.status.activated.emit(panel.status.currentIndex())


def choose_in_menu(window, monkeypatch, status: Status) -> None:
    class ChoosingMenu(QMenu):
        def exec(self, *args):
            chosen = next(a for a in self.actions() if status.value in a.text())
            chosen.trigger()
            return chosen

    monkeypatch.setattr(window_status, "QMenu", ChoosingMenu)  # the table menu lives there
    window.table.customContextMenuRequested.emit(QPoint(10, 10))


def test_the_panel_asks_the_day_as_the_context_menu_does(sample_window, sample_ledger, monkeypatch):
    """Back-filling Q3: the panel's question is the menu's, and the day chosen is kept."""
    window, ledger = sample_window, sample_ledger
    window.quarter_combo.setCurrentIndex(window.quarter_combo.findData(str(Q3)))
    questions = Questions(Q3.end)
    monkeypatch.setattr(status_date_dialog, "ask_status_date", questions)
    first, second = window.model.task_id(0), window.model.task_id(1)

    select_rows(window, [1])
    choose_in_menu(window, monkeypatch, Status.DONE)
    select_task(window, first)
    choose_in_panel(window, Status.DONE)

    assert len(questions.calls) == 2
    from_menu, from_panel = questions.calls
    assert from_panel == from_menu == (Status.DONE, 1, Q3, 2023, None)
    assert ledger.task(first).status_date == Q3.end
    assert ledger.task(second).status_date == Q3.end
    assert ledger.status_as_of(window.plan.id, Q3.end)[first] == Status.DONE  # the Q3 report counts it


def test_the_panel_asks_even_when_today_is_in_the_plans_year(tmp_path, open_ledger, make_window, monkeypatch):
    """The case the clerk met: a plan of this year, today inside it, no question asked."""
    ledger = open_ledger(tmp_path / "台账")
    year = date.today().year
    write_plan(ledger, parsed_plan(year=year, title=f"{year}年某县政务公开工作任务分解表"), "a" * 64)
    window = make_window(ledger)
    questions = Questions(None)  # the clerk cancels
    monkeypatch.setattr(status_date_dialog, "ask_status_date", questions)
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    before = ledger.task(task_id).status
    choose_in_panel(window, Status.DONE)
    assert [call[:2] for call in questions.calls] == [(Status.DONE, 1)]
    assert questions.calls[0][3] == year
    assert ledger.task(task_id).status == before  # cancelled: nothing written
    assert window.panel.status.currentText() == before.value  # and the panel shows what is recorded


def test_cancelling_in_the_panel_keeps_unsaved_typing(sample_window, sample_ledger, monkeypatch):
    window = sample_window
    monkeypatch.setattr(status_date_dialog, "ask_status_date", Questions(None))
    task_id = window.model.task_id(2)
    select_task(window, task_id)
    window.panel.note.setPlainText("正在写的进展")
    choose_in_panel(window, Status.DONE)
    assert window.panel.note.toPlainText() == "正在写的进展"


# -- Ctrl+V ------------------------------------------------------------------------------------


def red_screenshot() -> None:
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#c03030"))
    QGuiApplication.clipboard().setImage(image)


@pytest.fixture
def active_window(sample_window, qtbot):
    window = sample_window
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window, 5000)
    return window


def test_ctrl_v_on_the_table_row_pastes_the_screenshot_into_its_task(active_window, sample_ledger, qtbot):
    window, ledger = active_window, sample_ledger
    task_id = window.model.task_id(4)
    select_task(window, task_id)
    before = len(ev.evidence_for_task(ledger, task_id))
    red_screenshot()
    window.table.setFocus()
    assert window.table.hasFocus()
    with qtbot.waitSignal(window.panel.evidence.changed, timeout=10000):
        qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    items = ev.evidence_for_task(ledger, task_id)
    assert len(items) == before + 1
    assert items[-1].mime == "image/png"


def test_ctrl_v_on_the_panel_pastes_the_screenshot(active_window, sample_ledger, qtbot):
    window, ledger = active_window, sample_ledger
    task_id = window.model.task_id(5)
    select_task(window, task_id)
    before = len(ev.evidence_for_task(ledger, task_id))
    red_screenshot()
    window.panel.status.setFocus()  # the panel's status box, not the evidence list
    with qtbot.waitSignal(window.panel.evidence.changed, timeout=10000):
        qtbot.keyClick(window.panel.status, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(ev.evidence_for_task(ledger, task_id)) == before + 1


def test_ctrl_v_in_a_text_box_pastes_text_not_evidence(active_window, sample_ledger, qtbot):
    window, ledger = active_window, sample_ledger
    task_id = window.model.task_id(6)
    select_task(window, task_id)
    before = ev.evidence_for_task(ledger, task_id)
    address = "https://www.example.gov.cn/zwgk/a.html"
    search = window.filters.search
    for box in (window.panel.note, window.panel.status_date.line, search):
        QGuiApplication.clipboard().setText(address)
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        qtbot.wait(50)
        text = box.toPlainText() if hasattr(box, "toPlainText") else box.text()
        assert address in text or box is window.panel.status_date.line, type(box).__name__
        assert ev.evidence_for_task(ledger, task_id) == before, type(box).__name__
    red_screenshot()  # a screenshot in the note box is not attached either
    window.panel.note.setFocus()
    qtbot.keyClick(window.panel.note, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    assert ev.evidence_for_task(ledger, task_id) == before


def test_ctrl_v_elsewhere_in_the_window_adds_nothing(active_window, sample_ledger, qtbot):
    window, ledger = active_window, sample_ledger
    task_id = window.model.task_id(7)
    select_task(window, task_id)
    before = ev.evidence_for_task(ledger, task_id)
    red_screenshot()
    window.sections.setFocus()  # the section tree is not the task
    qtbot.keyClick(window.sections, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    assert ev.evidence_for_task(ledger, task_id) == before


# -- a huge 具体要求 ------------------------------------------------------------------------------


def test_a_huge_requirement_keeps_status_and_note_within_reach(tmp_path: Path, open_ledger, make_window):
    ledger = open_ledger(tmp_path / "台账")
    huge = ("加强政务公开平台建设," * 3300)[:32767]
    rows = [(["一、推进决策公开"], huge, "县司法局", "6月底前"),
            (["一、推进决策公开"], "动态调整目录。", "县司法局", "长期坚持")]
    write_plan(ledger, parsed_plan(rows), "b" * 64)
    window = make_window(ledger)
    window.resize(1366, 728)
    panel = window.panel
    select_task(window, window.model.task_id(0))
    QTest.qWait(20)
    line = panel.requirement.fontMetrics().lineSpacing()
    assert panel.requirement.height() <= 13 * line
    assert panel.requirement.is_capped() and panel.requirement.toolTip()
    body = panel.widget()
    assert panel.status.mapTo(body, QPoint(0, 0)).y() < 30 * line
    assert panel.note.mapTo(body, QPoint(0, 0)).y() < 40 * line
    assert panel.requirement.text() == huge  # all of it, scrolling in its box

    select_task(window, window.model.task_id(1))  # a short one is shown whole, no box to scroll
    QTest.qWait(20)
    assert not panel.requirement.is_capped()
    assert panel.requirement.height() <= 2 * line
    assert panel.requirement.label.height() <= panel.requirement.viewport().height() + 1


def test_the_window_can_take_the_panels_choice_as_the_tables(sample_window, sample_ledger, monkeypatch):
    """Wired (panel.status_writer = window.set_status_of), the panel's choice is the
    table's call itself: the same question and the same check for a change elsewhere."""
    window, ledger = sample_window, sample_ledger
    window.quarter_combo.setCurrentIndex(window.quarter_combo.findData(str(Q3)))
    questions = Questions(Q3.end)
    monkeypatch.setattr(status_date_dialog, "ask_status_date", questions)
    calls: list[tuple[list[int], Status]] = []

    def through_the_window(task_ids, status):
        calls.append((task_ids, status))
        window.set_status_of(task_ids, status)

    window.panel.status_writer = through_the_window
    task_id = window.model.task_id(3)
    select_task(window, task_id)
    choose_in_panel(window, Status.IN_PROGRESS)
    assert calls == [([task_id], Status.IN_PROGRESS)]
    assert questions.calls == [(Status.IN_PROGRESS, 1, Q3, 2023, None)]
    assert (ledger.task(task_id).status, ledger.task(task_id).status_date) == (Status.IN_PROGRESS, Q3.end)
    assert window.panel.status.currentText() == Status.IN_PROGRESS.value


def test_a_status_changed_elsewhere_is_not_overwritten_from_the_panel(sample_window, sample_ledger, monkeypatch):
    window, ledger = sample_window, sample_ledger
    monkeypatch.setattr(status_date_dialog, "ask_status_date", Questions(date(2023, 12, 1)))
    task_id = window.model.task_id(8)
    select_task(window, task_id)
    shown = window.panel.task.status
    elsewhere = Status.NOT_APPLICABLE if shown != Status.NOT_APPLICABLE else Status.IN_PROGRESS
    ledger.set_status(task_id, elsewhere, date(2023, 11, 1))  # zwgk status, while the panel shows the old one
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.No)
    choose_in_panel(window, Status.DONE)
    assert asked and f"台账中已是“{elsewhere.value}" in asked[0]  # both shown, the clerk chose to keep it
    assert ledger.task(task_id).status == elsewhere
    assert window.panel.status.currentText() == elsewhere.value


def test_a_task_never_ticked_shows_no_status_day(sample_window):
    """Its status has no day on record: the greyed field is empty and says so, not today's date."""
    from zwgk_desktop.core.model import Status

    window = sample_window
    task_id = next(t.id for t in window.ledger.tasks(window.plan.id) if t.status_date is None)
    select_task(window, task_id)
    field = window.panel.status_date
    assert field.line.text() == "" and field.line.placeholderText() == "未登记"
    assert not field.isEnabled()
    window.ledger.set_status(task_id, Status.IN_PROGRESS, date(2023, 8, 1))
    window.panel.refresh()
    assert field.line.text() == "2023-08-01" and field.isEnabled()
