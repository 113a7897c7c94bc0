"""Nothing is written that the clerk did not mean, in the window.

The wheel scrolls and never changes a value; a status and its day are one fact, and
the day means what was typed; the panel never keeps a task of another plan or one no
longer in view; a note box never overwrites a note written meanwhile elsewhere.
(Several widgets are named through their module because they are what is pinned here.)
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QTextCursor, QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QDialog, QMenu, QMessageBox, QWidget

from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import text_conflict_dialog, window_status
from zwgk_desktop.ui.date_field import DateField
from zwgk_desktop.ui.status_date_dialog import StatusDateDialog
from zwgk_desktop.ui.wheel_guard import is_guarded

from tests.builders import parsed_plan
from .helpers import select_rows, select_task, type_text

Q3 = Quarter(2023, 3)
Q4 = Quarter(2023, 4)  # the sample plan is of 2023; its default quarter is the last


def dump(ledger: Ledger) -> str:
    return "\n".join(ledger.db.conn.iterdump())


def wheel(widget: QWidget, steps: int) -> None:
    """Turn the wheel over the middle of a widget, as a passing pointer does."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def notes(ledger: Ledger, task_id: int) -> dict[str, str]:
    return {p.quarter: p.text for p in ledger.task(task_id).progress}


def other_connection(ledger: Ledger) -> Ledger:
    """What `zwgk` does beside the window: its own connection to the same folder."""
    return Ledger.open(ledger.folder)


# -- 1. the wheel scrolls ----------------------------------------------------------------


def test_the_wheel_over_every_widget_of_the_window_writes_nothing(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    ledger.set_status(task_id, Status.IN_PROGRESS, date(2023, 5, 1))
    window.panel.refresh()
    window.table.setFocus()
    before = dump(ledger)
    widgets = [w for w in window.findChildren(QWidget) if w.isVisible()]
    assert len(widgets) > 50
    for widget in widgets:
        for steps in (3, -3, -3):
            wheel(widget, steps)
    window.panel.save_note()
    assert dump(ledger) == before
    task = ledger.task(task_id)
    assert (task.status, task.status_date) == (Status.IN_PROGRESS, date(2023, 5, 1))


def test_every_combo_and_spin_box_of_the_window_is_guarded(sample_window):
    select_task(sample_window, sample_window.model.task_id(0))
    guarded = [w for w in sample_window.findChildren(QWidget) if isinstance(w, (QComboBox, QAbstractSpinBox))]
    assert len(guarded) >= 8
    assert [w for w in guarded if not is_guarded(w)] == []
    assert all(w.focusPolicy() == Qt.FocusPolicy.StrongFocus for w in guarded)


def test_the_wheel_over_the_status_box_scrolls_the_panel(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    window.resize(1366, 420)  # a short window: the panel has to scroll
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    QApplication.processEvents()
    bar = window.panel.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(0)
    window.table.setFocus()
    wheel(window.panel.status, -3)  # scrolling down while passing over 状态
    assert bar.value() > 0
    assert ledger.task(task_id).status == Status.NOT_STARTED
    assert ledger.status_history(task_id) == []


def test_a_clicked_combo_still_takes_the_wheel(sample_window):
    """Focus given by a click (or Tab) is the clerk's choice: the wheel works there."""
    combo = sample_window.filters.status
    combo.setFocus(Qt.FocusReason.MouseFocusReason)
    before = combo.currentIndex()
    wheel(combo, -1)
    assert combo.currentIndex() != before


# -- 2. status and its day -------------------------------------------------------------


def test_a_typed_date_means_what_was_typed(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.set_date(date(2026, 11, 29))
    seen: list[date] = []
    field.edited.connect(seen.append)
    for typed, meant in [("2023-09-20", date(2023, 9, 20)), ("2023/9/21", date(2023, 9, 21)),
                         ("2023年9月22日", date(2023, 9, 22)), ("20230923", date(2023, 9, 23))]:
        field.line.selectAll()
        field.line.setText(typed)
        field.line.editingFinished.emit()
        assert field.date() == meant
    assert seen == [date(2023, 9, 20), date(2023, 9, 21), date(2023, 9, 22), date(2023, 9, 23)]


def test_a_date_that_is_not_a_date_is_refused_and_the_last_one_shown(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.set_date(date(2023, 9, 20))
    complaints: list[str] = []
    field.invalid.connect(complaints.append)
    field.line.setText("2023-02-30")
    field.line.editingFinished.emit()
    assert field.date() == date(2023, 9, 20)
    assert field.line.text() == "2023-09-20"
    assert complaints and "不存在" in complaints[0]


def correct_day(window, text: str) -> None:
    window.panel.status_date.line.setText(text)
    window.panel.status_date.line.editingFinished.emit()


def test_a_corrected_completion_day_is_kept_after_switching_tasks(sample_window, sample_ledger, status_days):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(1)
    select_task(window, task_id)
    panel = window.panel
    panel.status.setCurrentIndex(panel.status.findText("已完成"))
    panel.status.activated.emit(panel.status.currentIndex())
    assert ledger.task(task_id).status == Status.DONE
    correct_day(window, "2023-09-20")
    select_task(window, window.model.task_id(2))
    select_task(window, task_id)
    assert panel.status_date.date() == date(2023, 9, 20)
    task = ledger.task(task_id)
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 9, 20))
    assert ledger.status_as_of(window.plan.id, Q3.end)[task_id] == Status.DONE  # the Q3 report counts it
    window.undo()  # the correction is one step of its own
    assert ledger.task(task_id).status_date != date(2023, 9, 20)
    assert ledger.task(task_id).status == Status.DONE


def test_choosing_a_status_outside_the_plans_year_asks_the_day(sample_window, sample_ledger, status_days):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(1)
    select_task(window, task_id)
    status_days.answer = date(2023, 9, 30)
    panel = window.panel
    panel.status.setCurrentIndex(panel.status.findText("已完成"))
    panel.status.activated.emit(panel.status.currentIndex())
    if date.today().year == 2023:
        pytest.skip("today is in the sample plan's year: no question is due")
    assert status_days.asked == [("已完成", 1, Q4)]
    assert ledger.task(task_id).status_date == date(2023, 9, 30)


def test_cancelling_the_day_writes_nothing(sample_window, sample_ledger, status_days):
    window, ledger = sample_window, sample_ledger
    select_rows(window, [0, 1, 2])
    before = dump(ledger)
    status_days.answer = None
    window.set_status_of_selected(Status.DONE)
    assert status_days.asked == [("已完成", 3, Q4)]
    assert dump(ledger) == before


def test_batch_marking_from_the_menu_asks_the_day(sample_window, sample_ledger, status_days, monkeypatch):
    window, ledger = sample_window, sample_ledger
    window.quarter_combo.setCurrentIndex(window.quarter_combo.findData(str(Q3)))
    select_rows(window, [3, 4])
    ids = window.selected_task_ids()
    status_days.answer = Q3.end

    class ChoosingMenu(QMenu):
        def exec(self, *args):
            chosen = next(a for a in self.actions() if "已完成" in a.text())
            chosen.trigger()
            return chosen

    monkeypatch.setattr(window_status, "QMenu", ChoosingMenu)  # the table menu lives there
    window.table.customContextMenuRequested.emit(QPoint(10, 10))
    assert status_days.asked == [("已完成", 2, Q3)]
    assert [ledger.task(t).status_date for t in ids] == [Q3.end, Q3.end]


def test_the_day_dialog_offers_the_quarters_last_day_and_confirms_odd_days(qtbot, monkeypatch):
    dialog = StatusDateDialog(Status.DONE, 5000, Q3, 2023)
    qtbot.addWidget(dialog)
    assert dialog.field.date() == date.today()
    assert dialog.quarter_end is not None and "2023-09-30" in dialog.quarter_end.text()
    dialog.quarter_end.click()
    assert dialog.chosen_date() == Q3.end
    asked: list[str] = []

    def answer_no(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)
    dialog.field.set_date(date(2020, 11, 29))
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted.value
    assert asked and "2023" in asked[0]


def test_a_day_outside_the_year_is_confirmed_and_no_means_nothing_written(sample_window, sample_ledger,
                                                                           monkeypatch):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(1)
    ledger.set_status(task_id, Status.DONE, date(2023, 9, 1))
    select_task(window, task_id)
    asked: list[str] = []

    def answer_no(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)
    before = dump(ledger)
    correct_day(window, "2020-11-29")
    assert asked and "2023" in asked[0]
    assert dump(ledger) == before
    assert window.panel.status_date.date() == date(2023, 9, 1)  # the field shows the record again


# -- 3. the panel never keeps a task that is not on screen -----------------------------------


@pytest.fixture
def two_plans(sample_ledger):
    """The sample (2023) and another plan (2022, so the window opens on the sample)."""
    other = write_plan(sample_ledger, parsed_plan(year=2022, title="2022年另一个分解表"), "c" * 64).plan_id
    return sample_ledger, other


def assert_panel_shows_only_the_selected_task(window, plan_id: int) -> None:
    """The panel shows nothing, or exactly the one task selected in the table, of this
    plan. (Qt may select the first row when the table takes the focus back.)"""
    task = window.panel.task
    if task is None:
        assert not window.panel.details.isVisible()
    else:
        assert task.plan_id == plan_id
        assert window.selected_task_ids() == [task.id]


def test_switching_plan_saves_the_note_to_its_task_and_clears_the_panel(two_plans, make_window):
    ledger, other_plan = two_plans
    window = make_window(ledger)
    first_plan = window.plan.id
    assert first_plan != other_plan
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    window.panel.note.setFocus()
    type_text(window.panel.note, "写给第一个分解表的进展")
    window.plan_combo.setCurrentIndex(window.plan_combo.findData(other_plan))
    assert window.plan.id == other_plan
    assert_panel_shows_only_the_selected_task(window, other_plan)
    assert notes(ledger, task_id) == {str(Q4): "写给第一个分解表的进展"}
    assert all(not p.progress for p in ledger.tasks(other_plan))
    window.plan_combo.setCurrentIndex(window.plan_combo.findData(first_plan))
    assert_panel_shows_only_the_selected_task(window, first_plan)


def test_an_import_rebinds_the_panel(two_plans, make_window):
    ledger, other_plan = two_plans
    window = make_window(ledger)
    select_task(window, window.model.task_id(0))
    window._imported(other_plan)  # what the wizard reports when it has written a plan
    assert window.plan.id == other_plan
    assert_panel_shows_only_the_selected_task(window, other_plan)


def test_filtering_the_task_out_saves_and_clears_the_panel(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    window.panel.note.setFocus()
    type_text(window.panel.note, "筛选前写的")
    window.filters.search.setText("不会有任务含有这句话")
    window.apply_filters()
    assert window.model.rowCount() == 0
    assert window.panel.task is None and not window.panel.details.isVisible()
    assert notes(ledger, task_id) == {str(Q4): "筛选前写的"}


def test_a_refilter_that_keeps_the_task_keeps_the_panel_and_the_typing(sample_window):
    window = sample_window
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    window.panel.note.setFocus()
    type_text(window.panel.note, "还在写")
    window.apply_filters()
    assert window.panel.task is not None and window.panel.task.id == task_id
    assert window.panel.note.toPlainText() == "还在写"


# -- 4. a stale note box never overwrites newer text -----------------------------------------


@pytest.fixture
def choices(monkeypatch):
    """Stands in for the side-by-side dialog: records what it showed, answers ``answer``
    (a callable of the two texts; None = keep editing)."""
    shown: list[tuple[str, str, bool]] = []
    state = {"answer": lambda stored, mine: text_conflict_dialog.merge_texts(stored, mine)}

    def ask(parent, stored, mine, *, can_defer=True):
        shown.append((stored, mine, can_defer))
        return state["answer"](stored, mine)

    monkeypatch.setattr(text_conflict_dialog, "ask_which_text", ask)
    return shown, state


def test_a_note_written_by_zwgk_meanwhile_is_shown_beside_the_typing(sample_window, sample_ledger, choices):
    window, ledger = sample_window, sample_ledger
    shown, state = choices
    task_id = window.model.task_id(0)
    ledger.set_progress(task_id, Q4, "窗口打开时的进展")
    select_task(window, task_id)
    with other_connection(ledger) as cli:
        cli.set_progress(task_id, Q4, "zwgk 命令写入的进展")
    window.panel.note.setFocus()
    window.panel.note.moveCursor(QTextCursor.MoveOperation.End)
    type_text(window.panel.note, ",窗口里补充的")
    window.table.setFocus()  # the clerk moves on: the box is saved
    QApplication.processEvents()
    assert shown == [("zwgk 命令写入的进展", "窗口打开时的进展,窗口里补充的", True)]
    assert notes(ledger, task_id)[str(Q4)] == "zwgk 命令写入的进展\n窗口打开时的进展,窗口里补充的"


def test_keep_editing_writes_nothing_and_keeps_the_typing(sample_window, sample_ledger, choices):
    window, ledger = sample_window, sample_ledger
    shown, state = choices
    state["answer"] = lambda stored, mine: None
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    with other_connection(ledger) as cli:
        cli.set_progress(task_id, Q4, "汇总写入的进展")
    window.panel.note.setFocus()
    type_text(window.panel.note, "我写的")
    assert window.panel.save_note(leaving=False) is False
    assert notes(ledger, task_id)[str(Q4)] == "汇总写入的进展"
    assert window.panel.note.toPlainText() == "我写的"
    # switching task must not lose it: without a choice both texts are kept
    select_task(window, window.model.task_id(1))
    assert shown[-1][2] is False  # leaving: no 'keep editing' offered
    assert notes(ledger, task_id)[str(Q4)] == "汇总写入的进展\n我写的"


def test_undo_never_overwrites_a_note_written_since(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    window.panel.note.setFocus()
    type_text(window.panel.note, "第一稿")
    window.panel.save_note()
    with other_connection(ledger) as cli:
        cli.set_progress(task_id, Q4, "后来别处写的")
    errors: list[str] = []
    window.ops.failed.disconnect()
    window.ops.failed.connect(errors.append)
    window.undo()
    assert notes(ledger, task_id)[str(Q4)] == "后来别处写的"
    assert errors and "修改" in errors[0]


def test_saving_the_unchanged_box_after_an_outside_change_shows_the_new_text(sample_window, sample_ledger):
    """Not typing is not a claim on the note: the box just shows the newer text."""
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    with other_connection(ledger) as cli:
        cli.set_progress(task_id, Q4, "别处写的")
    window.panel.refresh()
    assert window.panel.note.toPlainText() == "别处写的"
    select_task(window, window.model.task_id(1))
    assert notes(ledger, task_id)[str(Q4)] == "别处写的"


def test_an_error_while_leaving_puts_the_typing_on_the_clipboard(sample_window, monkeypatch):
    window = sample_window
    select_task(window, window.model.task_id(0))
    window.panel.note.setFocus()
    type_text(window.panel.note, "不能丢的文字")

    def refuse(*args, **kwargs):
        raise UserError("台账是只读的。")

    monkeypatch.setattr(window.ops, "set_progress", refuse)
    errors: list[str] = []
    window.panel.errorRaised.disconnect()
    window.panel.errorRaised.connect(errors.append)
    assert window.panel.save_note() is False
    assert QApplication.clipboard().text() == "不能丢的文字"
    assert "剪贴板" in errors[0]


def test_every_dialog_of_the_window_is_guarded_against_the_wheel(sample_window, monkeypatch):
    window = sample_window
    unguarded: dict[str, list[str]] = {}

    def fake_exec(dialog) -> int:
        unguarded[type(dialog).__name__] = [
            type(w).__name__ for w in dialog.findChildren(QWidget)
            if isinstance(w, (QComboBox, QAbstractSpinBox)) and not is_guarded(w)]
        return 0

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    for show in (window.show_report, window.show_export_excel, window.show_fill_in, window.show_merge,
                 window.show_evidence_package, window.show_unit_directory, window.show_settings):
        show()
    assert len(unguarded) == 7
    assert {name: found for name, found in unguarded.items() if found} == {}


def test_a_confirmed_due_date_can_be_changed_again(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    panel = window.panel
    assert not ledger.task(task_id).needs_review
    assert panel.due_change.isVisible() and not panel.due_edit.isVisible()
    panel.due_change.click()
    assert panel.due_edit.isVisible() and panel.due_confirm.text() == "保存到期日"
    panel.due_edit.line.setText("2023-10-31")
    panel.due_confirm.click()
    assert ledger.task(task_id).due_date == date(2023, 10, 31)
    assert panel.due_change.isVisible() and not panel.due_edit.isVisible()
    window.undo()
    assert ledger.task(task_id).due_date != date(2023, 10, 31)
