"""What ``zwgk`` (or any other program) writes while the window is open: the window
shows it, and a status chosen from what it showed before is never written over a newer
one unseen."""

from __future__ import annotations

from datetime import date

import pytest

from PySide6.QtWidgets import QMessageBox

from tests.builders import parsed_plan, run_cli
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan


def _ready(window, qtbot):
    window.finish_startup()
    return window.outside_changes


def test_a_status_set_by_zwgk_shows_in_the_window(sample_window, qtbot, capsys):
    window = sample_window
    watcher = _ready(window, qtbot)
    task_id = window.model.task_id(0)
    window.table.selectRow(0)
    assert window.panel.task.id == task_id
    assert not watcher.check()  # nothing written elsewhere yet
    code, _, err = run_cli(capsys, "--ledger", str(window.ledger.folder), "status", str(task_id), "已完成",
                           "--on", "2023-09-26")
    assert code == 0, err
    assert watcher.check()
    assert window.model.shown_statuses([task_id]) in ({}, {task_id: Status.DONE})
    window.model.data(window.model.index(0, 0))  # the row is read again
    assert window.model.shown_statuses([task_id]) == {task_id: Status.DONE}
    assert window.panel.task.status == Status.DONE  # the panel followed, on the same task
    assert window.panel.task.id == task_id


def test_a_plan_imported_elsewhere_joins_the_list_without_moving_the_clerk(sample_window, qtbot):
    window = sample_window
    watcher = _ready(window, qtbot)
    shown = window.plan.id
    window.table.selectRow(2)
    task_id = window.panel.task.id
    # Another program (here: another connection) imports a second plan.
    from zwgk_desktop.core.ledger import Ledger

    other = Ledger.open(window.ledger.folder, create=False)
    try:
        new_id = write_plan(other, parsed_plan(title="2023年另一个分解表"), "sha-elsewhere").plan_id
    finally:
        other.close()
    assert watcher.check()
    assert window.plan_combo.findData(new_id) >= 0
    assert window.plan.id == shown and window.panel.task.id == task_id


def test_a_status_changed_elsewhere_is_not_overwritten_unseen(sample_window, qtbot, capsys, no_dialogs,
                                                               monkeypatch):
    """The window still shows 未启动 (it has not polled yet); zwgk set 已完成. The clerk
    marks the row 推进中: both are shown, and 否 keeps what the ledger holds."""
    window = sample_window
    _ready(window, qtbot)
    row_task = window.model.task_id(1)
    window.model.data(window.model.index(1, 0))
    assert window.model.shown_statuses([row_task]) == {row_task: Status.NOT_STARTED}
    assert run_cli(capsys, "--ledger", str(window.ledger.folder), "status", str(row_task), "已完成",
                   "--on", "2023-09-26")[0] == 0

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.set_status_of([row_task], Status.IN_PROGRESS, date(2023, 10, 9))
    assert window.ledger.task(row_task).status == Status.DONE  # kept
    window.model.data(window.model.index(1, 0))
    assert window.model.shown_statuses([row_task]) == {row_task: Status.DONE}  # and now shown

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes)
    assert run_cli(capsys, "--ledger", str(window.ledger.folder), "status", str(row_task), "不适用")[0] == 0
    window.set_status_of([row_task], Status.IN_PROGRESS, date.today())
    assert "序号 2:窗口中是“已完成”,台账中已是“不适用(" in asked[0]
    assert window.ledger.task(row_task).status == Status.IN_PROGRESS  # the clerk chose to write


def test_a_folder_gone_while_open_is_said_in_the_window_and_no_change_is_written(sample_window, qtbot):
    """A U 盘 pulled out or the folder renamed: a red line says so, every change is refused
    with the reason (SQLite would still write through its open file, to a place the clerk
    no longer knows), and the line goes when the folder is back."""
    from zwgk_desktop.core.errors import LedgerMissingError

    window = sample_window
    watcher = _ready(window, qtbot)
    folder = window.ledger.folder
    moved = folder.with_name(folder.name + "-改名")
    task_id = window.model.task_id(0)
    before = window.ledger.task(task_id).status
    folder.rename(moved)
    try:
        watcher.check()
        assert window.folder_banner.isVisible()
        assert "找不到台账文件夹" in window.folder_banner.text()
        with pytest.raises(LedgerMissingError, match="没有写入台账"):
            window.ledger.set_status(task_id, Status.DONE, date(2023, 9, 1))
    finally:
        moved.rename(folder)
    watcher.check()
    assert not window.folder_banner.isVisible()
    assert window.ledger.task(task_id).status == before
    window.ledger.set_status(task_id, Status.DONE, date(2023, 9, 1))  # back: writes again
    assert window.ledger.task(task_id).status == Status.DONE
