"""Every menu item reaches its feature, on the plan shown, and the window refreshes after."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog


PLAN_DIALOGS = [
    ("季度报告…", "zwgk_desktop.ui.report_dialog", "ReportDialog"),
    ("导出Excel(报上级)…", "zwgk_desktop.ui.export_dialog", "ExportExcelDialog"),
    ("下发填报表…", "zwgk_desktop.ui.fill_in_dialog", "FillInDialog"),
    ("汇总各单位报送表…", "zwgk_desktop.ui.merge_dialog", "MergeDialog"),
    ("导出佐证材料包…", "zwgk_desktop.ui.evidence_package_dialog", "EvidencePackageDialog"),
    ("工作概况…", "zwgk_desktop.ui.dashboard", "DashboardDialog"),
    ("下发/更新本级分解表…", "zwgk_desktop.ui.derive_dialog", "DeriveDialog"),
    ("汇总本级完成情况(报上级)…", "zwgk_desktop.ui.rollup_dialog", "RollupDialog"),
]


def _menu_action(window, text):
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.text() == text:
                return action
    raise AssertionError(f"no menu item {text!r}")


@pytest.mark.parametrize("text,module,name", PLAN_DIALOGS)
def test_plan_menu_items_open_their_dialog_on_the_current_plan(sample_window, monkeypatch, text, module, name):
    import importlib

    opened = []
    cls = getattr(importlib.import_module(module), name)
    monkeypatch.setattr(cls, "exec", lambda self: opened.append(self) or QDialog.DialogCode.Rejected)
    _menu_action(sample_window, text).trigger()
    assert len(opened) == 1
    assert opened[0].parent() is sample_window


def test_plan_items_are_disabled_without_a_plan(make_window, open_ledger, tmp_path):
    window = make_window(open_ledger(tmp_path / "empty"))
    assert not _menu_action(window, "季度报告…").isEnabled()
    assert _menu_action(window, "导入分解表…").isEnabled()
    assert _menu_action(window, "操作记录…").isEnabled()


def test_no_evidence_filter_follows_the_progress_quarter(sample_window):
    from zwgk_desktop.core.evidence import attach_note

    window = sample_window
    first = window.model.task_id(0)
    attach_note(window.ledger, first, "已公开。", window.model.quarter)
    total = window.model.rowCount()
    window.filters.no_evidence.setChecked(True)
    assert window.model.rowCount() == total - 1
    assert first not in window.model.ids
    window.filters.no_evidence.setChecked(False)
    assert window.model.rowCount() == total


def test_the_task_panel_shows_the_tasks_evidence(sample_window):
    from zwgk_desktop.core.evidence import attach_note

    window = sample_window
    task_id = window.model.task_id(0)
    attach_note(window.ledger, task_id, "已在公开栏张贴。", window.model.quarter)
    window.table.selectRow(0)
    assert window.panel.task.id == task_id
    texts = [window.panel.evidence.tree.topLevelItem(i).text(0)
             for i in range(window.panel.evidence.tree.topLevelItemCount())]
    children = [window.panel.evidence.tree.topLevelItem(i).child(j).text(0)
                for i in range(window.panel.evidence.tree.topLevelItemCount())
                for j in range(window.panel.evidence.tree.topLevelItem(i).childCount())]
    assert any("已在公开栏张贴" in t for t in texts + children)


def test_files_dropped_on_a_task_row_become_its_evidence(sample_window, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    window = sample_window
    window.show()
    qtbot.waitExposed(window)
    shot = tmp_path / "网站截图.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(shot))])
    rect = window.table.visualRect(window.model.index(2, 1))
    target = window.table.viewport().mapTo(window, rect.center())
    enter = QDragEnterEvent(QPointF(target), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(target), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    task_id = window.model.task_id(2)
    qtbot.waitUntil(lambda: any(e.name == "网站截图.png" for e in window.ledger.task(task_id).evidence),
                    timeout=5000)
    assert window.panel.task.id == task_id
    assert window.model.task_id(0) != task_id
    assert window.ledger.task(window.model.task_id(0)).evidence == []


def test_follow_up_opens_beside_the_window_and_a_unit_filters_the_table(sample_window, qtbot):
    """督办 is not modal: the clerk double-clicks a unit and sees its tasks in the table,
    with the 督办 list still open; asking again brings the same one forward."""
    from zwgk_desktop.core import task_query
    from zwgk_desktop.ui.follow_up_view import FollowUpDialog

    window = sample_window
    _menu_action(window, "督办与催办…").trigger()
    dialog = window.follow_up_dialog
    assert isinstance(dialog, FollowUpDialog) and dialog.isVisible() and not dialog.isModal()
    _menu_action(window, "督办与催办…").trigger()
    assert window.follow_up_dialog is dialog
    unit = task_query.plan_units(window.ledger, window.plan.id)[0]
    dialog.unit_chosen.emit(unit)
    assert window.filters.unit.currentData() == unit
    expected = task_query.task_ids(window.ledger, task_query.TaskFilter(plan_id=window.plan.id, unit=unit))
    assert sorted(window.model.ids) == sorted(expected) and 0 < len(expected) < len(window.ledger.task_ids(window.plan.id))
    dialog.close()


def test_the_panel_shows_follow_ups_and_last_years_item(sample_window):
    """A task chased by a 催办单, and a new year's task matched to last year's carried-over
    item, say so in the panel; other tasks show neither line."""
    from datetime import date

    from tests.builders import parsed_plan
    from zwgk_desktop.core.follow_up import lagging_units, record_follow_ups
    from zwgk_desktop.core.plan_import import write_plan
    from zwgk_desktop.core.rollover import rollover, set_matches

    window = sample_window
    ledger = window.ledger
    lag = next(lag for lag in lagging_units(ledger, window.plan.id, today=date(2023, 12, 31)) if lag.tasks)
    record_follow_ups(ledger, window.plan.id, [(lag, None)], reply_by=date(2024, 1, 5), office="县政务公开办")
    chased = lag.tasks[0].task_id
    window.panel.show_task(chased)
    assert window.panel.chased.isVisibleTo(window.panel)
    assert window.panel.chased.text().startswith("已催办 1 次:") and lag.unit in window.panel.chased.text()
    assert not window.panel.carried.isVisibleTo(window.panel)

    assert rollover(ledger, window.plan.id, 2024).items, "the sample has long-term tasks to carry"
    new_plan = write_plan(ledger, parsed_plan(year=2024, title="2024年某县政务公开工作任务分解表"), "sha-2024").plan_id
    item = ledger.db.execute("SELECT id FROM carryover ORDER BY id LIMIT 1").fetchone()[0]
    matched = ledger.task_ids(new_plan)[0]
    set_matches(ledger, {item: matched})
    window.reload_plans(select=new_plan)
    window.panel.show_task(matched)
    assert window.panel.carried.isVisibleTo(window.panel) and "上年结转:2023年" in window.panel.carried.text()
    assert not window.panel.chased.isVisibleTo(window.panel)
    window.panel.show_task(ledger.task_ids(new_plan)[1])
    assert not window.panel.carried.isVisibleTo(window.panel)
