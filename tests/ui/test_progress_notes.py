"""Quarterly progress notes in the task panel, and undo/redo of the clerk's changes.

A note is saved when the clerk closes the window, switches task or quarter, or
pauses typing; nothing typed may be lost. Every change can be undone, and undo
leaves its own audit row.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from zwgk_desktop.core.model import Status
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import task_panel
from zwgk_desktop.ui.task_table_model import COL_PROGRESS, COL_STATUS

from .helpers import select_rows, select_task, type_text

Q4 = Quarter(2023, 4)  # the sample is a 2023 plan: its default quarter is the last one
Q3 = Quarter(2023, 3)
NOTE = "已在政府网站发布政策解读3篇。"


def notes(ledger, task_id: int) -> dict[str, str]:
    return {p.quarter: p.text for p in ledger.task(task_id).progress}


def type_at_end(widget, text: str) -> None:
    widget.moveCursor(QTextCursor.MoveOperation.End)
    type_text(widget, text)


@pytest.fixture
def quick_autosave(monkeypatch):
    """The pause before autosave, shortened so tests can wait for the real timer."""
    assert task_panel.AUTOSAVE_MS == 3000
    monkeypatch.setattr(task_panel, "AUTOSAVE_MS", 200)


# -- 6. notes survive -------------------------------------------------------------------


def test_note_survives_closing_the_window_and_reopening(sample_dir, open_ledger, make_window, qtbot):
    ledger = open_ledger(sample_dir)
    window = make_window(ledger)
    task_id = window.model.task_id(2)
    select_task(window, task_id)
    assert window.panel.quarter == Q4
    assert window.panel.note.toPlainText() == ""
    window.panel.note.setFocus()
    type_text(window.panel.note, NOTE)
    assert window.panel.saved_hint.text() == "正在输入……"
    assert notes(ledger, task_id) == {}  # not yet: the clerk is still typing

    window.close()  # straight away, without leaving the field
    ledger.close()

    again = open_ledger(sample_dir)
    assert notes(again, task_id) == {str(Q4): NOTE}
    reopened = make_window(again)
    row = select_task(reopened, task_id)
    assert reopened.panel.note.toPlainText() == NOTE
    assert reopened.panel.saved_hint.text().startswith("上次保存 ")
    assert reopened.model.index(row, COL_PROGRESS).data() == NOTE


def test_autosave_after_a_pause_in_typing(sample_ledger, make_window, qtbot, quick_autosave):
    window = make_window(sample_ledger)
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    type_text(window.panel.note, "第一部分")
    assert window.panel._autosave.isActive()
    assert window.panel._autosave.interval() == 200
    assert notes(sample_ledger, task_id) == {}
    qtbot.waitUntil(lambda: notes(sample_ledger, task_id) == {str(Q4): "第一部分"}, timeout=3000)
    assert window.panel.saved_hint.text().startswith("已自动保存 ") or \
        window.panel.saved_hint.text().startswith("上次保存 ")
    assert window.model.index(0, COL_PROGRESS).data() == "第一部分"
    assert window.ops.undo_stack.count() == 1


def test_typing_after_an_autosave_continues_where_the_cursor_was(sample_ledger, make_window, qtbot,
                                                                  quick_autosave):
    window = make_window(sample_ledger)
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    type_text(window.panel.note, "已完成")
    qtbot.waitUntil(lambda: notes(sample_ledger, task_id) == {str(Q4): "已完成"}, timeout=3000)
    type_text(window.panel.note, "初稿")  # the clerk simply goes on typing
    assert window.panel.note.toPlainText() == "已完成初稿"


def test_switching_task_saves_the_note(sample_ledger, make_window):
    window = make_window(sample_ledger)
    first, second = window.model.task_id(0), window.model.task_id(1)
    select_task(window, first)
    type_text(window.panel.note, "甲的进展")
    select_task(window, second)
    assert notes(sample_ledger, first) == {str(Q4): "甲的进展"}
    assert window.panel.task.id == second
    assert window.panel.note.toPlainText() == ""
    type_text(window.panel.note, "乙的进展")
    select_task(window, first)
    assert notes(sample_ledger, second) == {str(Q4): "乙的进展"}
    assert window.panel.note.toPlainText() == "甲的进展"


def test_switching_quarter_saves_to_the_quarter_it_was_typed_for(sample_ledger, make_window):
    window = make_window(sample_ledger)
    task_id = window.model.task_id(4)
    select_task(window, task_id)
    assert window.quarter_combo.currentData() == str(Q4)
    assert [window.quarter_combo.itemData(i) for i in range(window.quarter_combo.count())] == \
        ["2023Q4", "2023Q3", "2023Q2", "2023Q1"]
    type_text(window.panel.note, "四季度进展")

    window.quarter_combo.setCurrentIndex(window.quarter_combo.findData(str(Q3)))
    assert notes(sample_ledger, task_id) == {str(Q4): "四季度进展"}
    assert window.panel.quarter == Q3
    assert window.panel.quarter_combo.currentData() == str(Q3)
    assert window.panel.note.toPlainText() == ""
    assert window.panel.earlier.text() == "2023年第四季度:四季度进展"
    assert window.model.index(4, COL_PROGRESS).data() == ""  # the table shows 三季度 now
    assert window.model.headerData(COL_PROGRESS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) \
        == "2023年第三季度的进展"

    type_text(window.panel.note, "三季度进展")
    # the panel's own quarter drop-down saves too
    window.panel.quarter_combo.setCurrentIndex(window.panel.quarter_combo.findData(str(Q4)))
    assert notes(sample_ledger, task_id) == {str(Q4): "四季度进展", str(Q3): "三季度进展"}
    assert window.panel.note.toPlainText() == "四季度进展"
    assert window.panel.earlier.text() == "2023年第三季度:三季度进展"


def test_emptying_a_note_removes_it(sample_ledger, make_window):
    window = make_window(sample_ledger)
    task_id = window.model.task_id(0)
    sample_ledger.set_progress(task_id, Q4, "写错了")
    select_task(window, task_id)
    assert window.panel.note.toPlainText() == "写错了"
    window.panel.note.clear()
    window.panel.save_note()
    assert notes(sample_ledger, task_id) == {}
    assert sample_ledger.audit_log(1)[0].after is None


def test_unchanged_note_is_not_saved_again(sample_ledger, make_window):
    window = make_window(sample_ledger)
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    type_text(window.panel.note, "进展")
    window.panel.save_note()
    audit = sample_ledger.audit_log(1)[0].id
    type_text(window.panel.note, " ")  # only white space added
    window.panel.save_note()
    assert sample_ledger.audit_log(1)[0].id == audit
    assert window.ops.undo_stack.count() == 1


# -- 7. undo and redo -------------------------------------------------------------------


def test_undo_and_redo_a_status_change(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    select_rows(window, [0])
    task_id = window.selected_task_ids()[0]
    assert not window.undo_action.isEnabled()
    window.set_status_of_selected(Status.IN_PROGRESS, date(2023, 5, 1))
    window.set_status_of_selected(Status.DONE, date(2023, 9, 1))
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == f"撤销 序号 {ledger.task(task_id).seq} 设为“已完成”"

    window.undo_action.trigger()
    task = ledger.task(task_id)
    assert (task.status, task.status_date) == (Status.IN_PROGRESS, date(2023, 5, 1))
    assert [(h.status, h.effective_on) for h in ledger.status_history(task_id)] == \
        [(Status.IN_PROGRESS, date(2023, 5, 1))]
    last = ledger.audit_log(1)[0]
    assert (last.action, last.entity_id) == ("撤销设置状态", task_id)
    assert last.before == [{"task": task_id, "status": "已完成", "status_date": "2023-09-01"}]
    assert window.model.index(0, COL_STATUS).data() == "推进中"
    assert window.panel.status.currentText() == "推进中"
    assert window.redo_action.text() == f"重做 序号 {ledger.task(task_id).seq} 设为“已完成”"

    window.redo_action.trigger()
    task = ledger.task(task_id)
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 9, 1))
    assert [h.status for h in ledger.status_history(task_id)] == [Status.IN_PROGRESS, Status.DONE]
    assert ledger.audit_log(1)[0].action == "设置状态"
    assert window.model.index(0, COL_STATUS).data() == "已完成\n9月1日"

    window.undo_action.trigger()
    window.undo_action.trigger()
    assert ledger.task(task_id).status == Status.NOT_STARTED
    assert ledger.status_history(task_id) == []
    assert not window.undo_action.isEnabled()
    assert [e.action for e in ledger.audit_log(6)][:5] == \
        ["撤销设置状态", "撤销设置状态", "设置状态", "撤销设置状态", "设置状态"]


def test_undo_of_a_batch_is_one_step(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    select_rows(window, [0, 1, 2])
    ids = window.selected_task_ids()
    window.set_status_of_selected(Status.DONE)
    assert window.undo_action.text() == "撤销 将 3 项任务设为“已完成”"
    window.undo_action.trigger()
    assert [ledger.task(t).status for t in ids] == [Status.NOT_STARTED] * 3
    last = ledger.audit_log(1)[0]
    assert last.action == "撤销设置状态" and last.entity_id is None
    assert [entry["task"] for entry in last.before] == ids
    assert window.sections.topLevelItem(0).text(1) == "0/59"


def test_undo_of_a_progress_note_restores_the_previous_text(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(3)
    select_task(window, task_id)
    type_text(window.panel.note, "初稿")
    window.panel.save_note()
    window.panel.note.selectAll()
    type_text(window.panel.note, "定稿")
    window.panel.save_note()
    assert notes(ledger, task_id) == {str(Q4): "定稿"}
    assert window.undo_action.text() == f"撤销 序号 {ledger.task(task_id).seq} 填写2023年第四季度进展"

    window.undo_action.trigger()
    assert notes(ledger, task_id) == {str(Q4): "初稿"}
    assert window.panel.note.toPlainText() == "初稿"
    assert window.model.index(3, COL_PROGRESS).data() == "初稿"
    last = ledger.audit_log(1)[0]
    assert (last.action, last.entity, last.entity_id) == ("填写进展", "progress", task_id)
    assert (last.before, last.after) == ({"quarter": "2023Q4", "text": "定稿"},
                                         {"quarter": "2023Q4", "text": "初稿"})

    window.undo_action.trigger()
    assert notes(ledger, task_id) == {}
    assert window.panel.note.toPlainText() == ""
    assert ledger.audit_log(1)[0].after is None

    window.redo_action.trigger()
    assert notes(ledger, task_id) == {str(Q4): "初稿"}
    assert window.panel.note.toPlainText() == "初稿"
    assert window.ops.undo_stack.index() == 1 and window.ops.undo_stack.count() == 2


def test_undo_while_typing_a_note_undoes_something(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(0)
    select_task(window, task_id)
    type_text(window.panel.note, "甲")
    window.panel.save_note()
    type_at_end(window.panel.note, "乙")  # not saved yet: the clerk clicks 撤销 at once
    stack = window.ops.undo_stack

    window.undo_action.trigger()
    stored = notes(ledger, task_id).get(str(Q4), "")
    assert stored in ("甲", "")  # either the typing or the saved note was undone
    assert window.panel.note.toPlainText() == stored
    assert stack.index() == stack.count() - 1  # exactly one step to redo
