"""撤销/重做 on the toolbar keep their one word: the step's words are in the tooltip
and the 编辑 menu, so the other buttons never move into » (大字模式 at 1366×768),
and those words name the task by the 序号 it has now, after a revision renumbered it."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from tests.builders import parsed_plan
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.recurrence import Frequency
from zwgk_desktop.core.revision import apply_revision, preview_revision
from zwgk_desktop.ui.operations.periods import PeriodOperations
from zwgk_desktop.ui.theme import apply_font_size


def _shown_on_toolbar(window) -> list[str]:
    """The toolbar's actions a clerk sees (not folded into »), by their button text."""
    bar = window.findChild(QToolBar)
    shown = []
    for action in bar.actions():
        widget = bar.widgetForAction(action)
        if not action.isSeparator() and widget is not None and widget.isVisible():
            shown.append(action.iconText())
    return shown


@pytest.fixture
def large_window(sample_ledger, make_window, qtbot):
    apply_font_size(True)
    try:
        window = make_window(sample_ledger)
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.resize(1366, 768)
        qtbot.waitUntil(lambda: window.width() == 1366)
        qtbot.wait(20)
        yield window
    finally:
        apply_font_size(False)


def test_an_edit_does_not_move_the_toolbar_in_large_print(large_window, qtbot) -> None:
    window = large_window
    before = _shown_on_toolbar(window)
    assert "操作记录" in before and "设置" in before
    task = window.ops.ledger.task(window.model.task_id(window.model.rowCount() - 10))
    PeriodOperations(window.ops).set_recurrence(task.id, Frequency.QUARTERLY)
    qtbot.wait(20)
    assert window.undo_action.isEnabled()
    assert _shown_on_toolbar(window) == before
    button = window.findChild(QToolBar).widgetForAction(window.undo_action)
    assert button.text() == "撤销"
    words = f"序号 {task.seq} 设为每季度的定期任务"
    assert words in window.undo_action.toolTip() and "Ctrl+Z" in window.undo_action.toolTip()
    assert window.undo_action.text() == f"撤销 {words}"  # the 编辑 menu's item

    window.undo_action.trigger()
    qtbot.wait(20)
    assert _shown_on_toolbar(window) == before
    assert window.findChild(QToolBar).widgetForAction(window.redo_action).text() == "重做"
    assert words in window.redo_action.toolTip() and window.redo_action.text() == f"重做 {words}"
    assert window.undo_action.text() == "撤销"


def test_the_step_names_the_task_by_its_seq_after_a_revision(tmp_path, open_ledger, make_window, qtbot) -> None:
    ledger = open_ledger(tmp_path / "台账")
    plan_id = write_plan(ledger, parsed_plan(), "a" * 64).plan_id
    window = make_window(ledger)
    third = ledger.task_ids(plan_id)[2]
    window.ops.set_status([third], Status.DONE, date(2023, 9, 1))
    assert window.undo_action.text() == "撤销 序号 3 设为“已完成”"
    # the superior withdraws 序号 1: what was 序号 3 is 序号 2 now
    revised = parsed_plan([
        (["一、推进决策公开", "（一）目录管理"], "动态调整目录。", "县司法局", "按上级要求"),
        (["二、夯实基础"], "规范政府网站。", "县大数据中心", "长期坚持"),
    ])
    apply_revision(ledger, preview_revision(ledger, plan_id, revised, "b" * 64))
    assert ledger.task(third).seq == 2
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("编辑"))
    edit_menu.aboutToShow.emit()
    assert window.undo_action.text() == "撤销 序号 2 设为“已完成”"
    assert "序号 2 设为“已完成”" in window.undo_action.toolTip()
