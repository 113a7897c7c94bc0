"""The window's menus as a clerk uses them: one shortcut per action, ways between
ledgers, taking back a plan imported by mistake, help that works offline, and undo
that shows the task it changes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from tests.builders import parsed_plan
from zwgk_desktop.core import backup
from zwgk_desktop.core.locations import remember_ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.ui import help_dialogs, ledger_choice
from zwgk_desktop.ui.window_actions import SHORTCUTS

from .helpers import select_task


def all_actions(window):
    found = []
    for menu_action in window.menuBar().actions():
        todo = [menu_action.menu()]
        while todo:
            menu = todo.pop()
            for action in menu.actions():
                if action.menu() is not None:
                    todo.append(action.menu())
                elif not action.isSeparator():
                    found.append(action)
    return found


def menu_action(window, text):
    matches = [a for a in all_actions(window) if a.text() == text]
    assert len(matches) == 1, f"{len(matches)} menu items {text!r}"
    return matches[0]


def test_every_shortcut_belongs_to_exactly_one_action(sample_window):
    actions = {id(a): a for a in all_actions(sample_window) + sample_window.findChildren(type(all_actions(sample_window)[0]))}
    owners: dict[str, list[str]] = {}
    for action in actions.values():
        for key in action.shortcuts():
            owners.setdefault(key.toString(), []).append(action.text())
    assert {k: v for k, v in owners.items() if len(set(v)) > 1} == {}
    for keys, what in SHORTCUTS:
        assert keys in owners, f"{keys} ({what}) has no action"
        assert any(text.startswith(what.rstrip("…")) for text in owners[keys]), (keys, owners[keys])


def test_ctrl_f_goes_to_the_search_box(sample_window, qtbot):
    window = sample_window
    window.table.setFocus()
    menu_action(window, "搜索任务").trigger()
    assert window.filters.search.hasFocus()


def test_the_sample_says_so_and_offers_the_way_back(sample_ledger, make_window, qtbot):
    window = make_window(sample_ledger, is_sample=True)
    banner = window.findChild(type(window.centralWidget()), "sampleBanner")
    assert banner is not None and banner.isVisible()
    back = [b for b in banner.findChildren(QPushButton) if b.text() == "回到我的台账"]
    with qtbot.waitSignal(window.ownLedgerRequested):
        back[0].click()


def test_an_ordinary_ledger_has_no_sample_banner(sample_window):
    assert sample_window.findChild(type(sample_window.centralWidget()), "sampleBanner") is None


def test_open_and_new_ledger_ask_the_app(sample_window, qtbot, monkeypatch, tmp_path):
    window = sample_window
    other = tmp_path / "另一个台账"
    monkeypatch.setattr(ledger_choice, "choose_existing", lambda parent: other)
    with qtbot.waitSignal(window.ledgerRequested) as opened:
        menu_action(window, "打开台账…").trigger()
    assert opened.args == [str(other), False]
    monkeypatch.setattr(ledger_choice, "choose_new", lambda parent: other)
    with qtbot.waitSignal(window.ledgerRequested) as created:
        menu_action(window, "新建台账…").trigger()
    assert created.args == [str(other), True]


def test_a_folder_without_a_ledger_is_not_opened(sample_window, monkeypatch, tmp_path, no_dialogs):
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(empty))
    assert ledger_choice.choose_existing(sample_window) is None
    assert "新建台账" in no_dialogs[-1][2]


def test_recent_ledgers_are_offered(sample_window, qtbot, tmp_path):
    window = sample_window
    first, second = tmp_path / "甲", tmp_path / "乙"
    for folder in (first, second):
        folder.mkdir()
        remember_ledger(folder)
    remember_ledger(window.ledger.folder)  # the one open now is not offered
    window.fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert texts == [str(second.resolve()), str(first.resolve())]
    with qtbot.waitSignal(window.ledgerRequested) as chosen:
        window.recent_menu.actions()[1].trigger()
    assert chosen.args == [str(first.resolve()), False]


def test_a_plan_imported_by_mistake_can_be_deleted_with_a_backup(sample_ledger, make_window, no_dialogs):
    ledger = sample_ledger
    mistake = write_plan(ledger, parsed_plan(year=2024, title="导错的分解表"), "d" * 64).plan_id
    window = make_window(ledger)
    assert window.plan.id == mistake  # the newest year is shown first
    before = len(backup.list_backups(ledger.folder))
    menu_action(window, "删除当前分解表…").trigger()
    assert no_dialogs[-1][0] == "question" and "导错的分解表" in no_dialogs[-1][2]
    assert [p.title for p in ledger.plans()] != [] and mistake not in [p.id for p in ledger.plans()]
    assert len(backup.list_backups(ledger.folder)) == before + 1
    assert ledger.audit_log(1)[0].action == "删除分解表"
    assert window.plan is not None and window.plan.id != mistake


def test_saying_no_deletes_nothing(sample_window, sample_ledger, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    plans = [p.id for p in sample_ledger.plans()]
    menu_action(sample_window, "删除当前分解表…").trigger()
    assert [p.id for p in sample_ledger.plans()] == plans


def test_the_guide_is_shipped_and_opened_locally(sample_window, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    menu_action(sample_window, "使用说明").trigger()
    assert len(opened) == 1 and opened[0].isLocalFile()
    path = Path(opened[0].toLocalFile())
    assert path.exists() and "登记完成状态" in path.read_text(encoding="utf-8")
    assert QKeySequence("F1") in menu_action(sample_window, "使用说明").shortcuts()


def test_about_names_the_version_and_the_ledger(sample_window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    menu_action(sample_window, "关于").trigger()
    assert str(sample_window.ledger.folder) in shown[0] and "政务公开任务台账" in shown[0]
    assert "Ctrl+O" in help_dialogs.shortcuts_text()


def test_undo_shows_the_task_it_changes(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(7)
    select_task(window, task_id)
    window.set_status_of_selected(Status.DONE, date(2023, 9, 1))
    seq = ledger.task(task_id).seq
    assert window.undo_action.text() == f"撤销 序号 {seq} 设为“已完成”"
    select_task(window, window.model.task_id(0))  # the clerk moved on
    window.undo()
    assert ledger.task(task_id).status == Status.NOT_STARTED
    assert window.selected_task_ids() == [task_id]
    assert window.panel.task.id == task_id


@pytest.mark.parametrize("text", ["季度报告…", "导出Excel(报上级)…", "删除当前分解表…"])
def test_plan_actions_wait_for_a_plan(make_window, open_ledger, tmp_path, text):
    window = make_window(open_ledger(tmp_path / "empty"))
    assert not menu_action(window, text).isEnabled()


def test_a_read_only_ledger_offers_nothing_that_writes(sample_ledger, make_window, monkeypatch):
    monkeypatch.setattr(sample_ledger, "read_only", "台账所在的 U 盘有写保护")
    window = make_window(sample_ledger)
    select_task(window, window.model.task_id(0))
    panel = window.panel
    assert panel.note.isReadOnly() and not panel.status.isEnabled() and not panel.status_date.isEnabled()
    assert not panel.evidence.add_files_button.isEnabled()
    assert panel.evidence.tree.isEnabled()  # materials stay viewable
    assert not window.import_action.isEnabled() and not window.delete_plan_action.isEnabled()
    assert window.report_action.isEnabled() and window.export_action.isEnabled()
    assert "写保护" in panel.note.placeholderText()


def test_a_vanished_ledger_folder_is_never_recreated_by_the_window(sample_window, qtbot, no_dialogs):
    """The U 盘 is pulled out (the folder renamed) while the window is open: work that
    opens the ledger again in the background fails with a plain message and never makes
    a new, empty ledger at the old place (the next start would open that one)."""
    from zwgk_desktop.ui.background import BackgroundTask
    from zwgk_desktop.ui.operations.run import run_on_ledger

    folder = sample_window.ledger.folder
    moved = folder.with_name(folder.name + "-拔出")
    folder.rename(moved)
    try:
        failures: list[BaseException] = []
        task = BackgroundTask(sample_window, "正在读取……")
        run_on_ledger(task, folder, lambda own: own.plans(), lambda _: None, what="生成报告",
                      parent=sample_window, failed=failures.append)
        qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
        assert "找不到台账文件夹" in str(failures[0]) and not folder.exists()
    finally:
        moved.rename(folder)
