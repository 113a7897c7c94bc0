"""结转到新年度… and 对照上年结转事项… in the window: the preview with
checkboxes, the write in a worker, a second rollover only when the clerk agrees, a new
ledger folder, and matching that records links only. Dialogs are shown, never exec()'d."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.builders import audit_count, dump, parsed_plan
from zwgk_desktop.core import rollover as ro
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import rollover_dialog
from zwgk_desktop.ui.carryover_match_dialog import CarryoverMatchDialog
from zwgk_desktop.ui.rollover_dialog import RolloverDialog
from zwgk_desktop.ui.wheel_guard import is_guarded

OLD_ROWS = [
    (["一、决策公开"], "公开重大行政决策事项目录。", "县司法局", "6月底前"),
    (["一、决策公开"], "持续推进政策解读工作,做好解读材料同步发布。", "县政府办", "12月底前"),
    (["二、平台建设"], "规范政府网站和政务新媒体管理。", "县大数据中心", "长期坚持"),
    (["二、平台建设"], "每季度开展政府网站自查。", "县大数据中心", "每季度"),
]
NEW_ROWS = [
    (["一、决策公开"], "持续推进政策解读,做好解读材料与文件同步发布。", "县政府办", "12月底前"),
    (["二、平台建设"], "规范政府网站、政务新媒体管理。", "县大数据中心", "长期坚持"),
    (["二、平台建设"], "开展基层政务公开标准化建设。", "各乡镇", "11月底前"),
]


def _rest(ledger: Ledger) -> str:
    return "\n".join(s for s in ledger.db.conn.iterdump() if not re.match(r'^INSERT INTO "(carryover|audit)"', s))


@pytest.fixture
def old(tmp_path: Path, open_ledger) -> tuple[Ledger, int]:
    ledger = open_ledger(tmp_path / "台账")
    plan_id = write_plan(ledger, parsed_plan(OLD_ROWS), "sha-old").plan_id
    ids = ledger.task_ids(plan_id)
    ledger.set_status(ids[2], Status.IN_PROGRESS, date(2023, 5, 1))
    ledger.set_progress(ids[2], Quarter(2023, 4), "新媒体账号已清理。")
    return ledger, plan_id


def _dialog(qtbot, ledger: Ledger, plan_id: int) -> RolloverDialog:
    dialog = RolloverDialog(ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _finish(qtbot, task) -> None:
    with qtbot.waitSignal(task.finished, timeout=30000):
        pass


def test_the_preview_lists_what_carries_all_ticked(qtbot, old, no_dialogs) -> None:
    ledger, plan_id = old
    dialog = _dialog(qtbot, ledger, plan_id)
    seqs = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
    assert seqs == ["2", "3", "4"]
    assert len(dialog.chosen_task_ids()) == 3 and "3 / 3" in dialog.count_label.text()
    assert dialog.table.item(1, 6).text() == "新媒体账号已清理。"
    assert dialog.year.value() == 2024 and dialog.year.minimum() == 2024
    assert dialog.here.isChecked() and dialog.start_button.isEnabled()
    assert is_guarded(dialog.year)
    dialog._check_all(False)
    assert dialog.chosen_task_ids() == [] and not dialog.start_button.isEnabled()


def test_rollover_in_this_ledger_from_the_dialog(qtbot, old, no_dialogs) -> None:
    ledger, plan_id = old
    rest, audits = _rest(ledger), audit_count(ledger)
    dialog = _dialog(qtbot, ledger, plan_id)
    dialog.table.item(2, 0).setCheckState(Qt.CheckState.Unchecked)  # 序号 4 stays behind
    with qtbot.waitSignal(dialog.rolledOver, timeout=30000) as done:
        dialog.start()
    assert done.args[0].items == 2
    assert [i.seq for i in ro.carryover_items(ledger, 2024)] == [2, 3]
    assert _rest(ledger) == rest and audit_count(ledger) == audits + 1
    assert "2 项" in dialog.result_label.text() and "没有改动" in dialog.result_label.text()
    assert not dialog.start_button.isEnabled() and not dialog.open_button.isVisible()
    assert no_dialogs == []


def test_a_second_rollover_asks_before_replacing(qtbot, old, no_dialogs) -> None:
    ledger, plan_id = old
    ro.rollover(ledger, plan_id, 2024)
    ledger.set_status(ledger.task_ids(plan_id)[1], Status.DONE, date(2023, 12, 20))
    dialog = _dialog(qtbot, ledger, plan_id)
    assert dialog.table.rowCount() == 2
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    assert [(kind, title) for kind, title, _ in no_dialogs] == [("question", "已经结转过")]
    assert dialog.result.replaced == 3 and dialog.result.items == 2
    assert [i.seq for i in ro.carryover_items(ledger, 2024)] == [3, 4]


def test_a_second_rollover_declined_changes_nothing(qtbot, old, no_dialogs, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    ledger, plan_id = old
    ro.rollover(ledger, plan_id, 2024)
    before = dump(ledger)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog = _dialog(qtbot, ledger, plan_id)
    _finish(qtbot, dialog.start())
    qtbot.waitUntil(lambda: "没有重复结转" in dialog.result_label.text(), timeout=5000)
    assert dump(ledger) == before and dialog.result is None


def test_rollover_into_a_new_ledger_folder(qtbot, old, no_dialogs, tmp_path: Path, monkeypatch) -> None:
    ledger, plan_id = old
    before = dump(ledger)
    target = tmp_path / "2024年台账"
    dialog = _dialog(qtbot, ledger, plan_id)
    dialog.new_folder.setChecked(True)
    assert not dialog.start_button.isEnabled()  # no folder yet
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(target))
    dialog.choose_folder()
    assert dialog.folder_edit.text() == str(target) and dialog.start_button.isEnabled()
    with qtbot.waitSignal(dialog.rolledOver, timeout=30000):
        dialog.start()
    assert dump(ledger) == before
    assert dialog.open_button.isVisible() and str(target) in dialog.result_label.text()
    with Ledger.open(target, create=False) as new:
        assert [i.seq for i in ro.carryover_items(new, 2024)] == [2, 3, 4]
    with qtbot.waitSignal(dialog.openLedgerRequested) as asked:
        dialog.open_button.click()
    assert asked.args == [str(target)]


def test_a_busy_folder_is_refused_in_plain_words(qtbot, old, no_dialogs, tmp_path: Path) -> None:
    ledger, plan_id = old
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "a.txt").write_text("x", encoding="utf-8")
    before = dump(ledger)
    dialog = _dialog(qtbot, ledger, plan_id)
    dialog.new_folder.setChecked(True)
    dialog.folder_edit.setText(str(busy))
    _finish(qtbot, dialog.start())
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=5000)
    kind, title, text = no_dialogs[0]
    assert (kind, title) == ("warning", "没有结转") and "新的或空的文件夹" in text
    assert dump(ledger) == before and [p.name for p in busy.iterdir()] == ["a.txt"]
    assert dialog.start_button.isEnabled()  # the clerk can choose another folder


def _with_new_plan(ledger: Ledger, old_plan: int) -> int:
    ro.rollover(ledger, old_plan, 2024)
    return write_plan(ledger, parsed_plan(NEW_ROWS, year=2024, title="2024年某县政务公开工作任务分解表"),
                      "sha-new").plan_id


def test_matching_in_the_dialog_records_links_only(qtbot, old, no_dialogs) -> None:
    ledger, plan_id = old
    new_plan = _with_new_plan(ledger, plan_id)
    tasks = {t.seq: t.id for t in ledger.tasks(new_plan)}
    rest = _rest(ledger)
    dialog = CarryoverMatchDialog(ledger, new_plan)
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())] == ["2", "3", "4"]
    assert [c.isChecked() for c in dialog.checks] == [True, True, False]
    assert dialog.combos[0].currentData() == tasks[1] and dialog.combos[1].currentData() == tasks[2]
    assert all(is_guarded(combo) for combo in dialog.combos)
    # The clerk links 序号 4 (每季度自查) to the new 序号 3 by hand: its box ticks itself.
    dialog.combos[2].setCurrentIndex(dialog.combos[2].findData(tasks[3]))
    assert dialog.checks[2].isChecked()
    items = {s.item.seq: s.item.id for s in dialog.suggestions}
    assert dialog.chosen_pairs() == {items[2]: tasks[1], items[3]: tasks[2], items[4]: tasks[3]}
    with qtbot.waitSignal(dialog.matched, timeout=30000) as done:
        dialog.apply()
    assert done.args == [3]
    assert _rest(ledger) == rest
    assert {i.seq: i.matched_task_id for i in ro.carryover_items(ledger, 2024)} == {
        2: tasks[1], 3: tasks[2], 4: tasks[3]}
    assert "新媒体账号已清理。" in ro.carried_note_for(ledger, tasks[2])
    assert "已记下 3 项" in dialog.result_label.text()
    assert [c.isChecked() for c in dialog.checks] == [False, False, False]  # reloaded: all stored
    assert "已对应" in dialog.table.item(0, 6).text()


def test_matching_with_no_list_says_so(qtbot, open_ledger, tmp_path: Path, no_dialogs) -> None:
    ledger = open_ledger(tmp_path / "台账")
    plan_id = write_plan(ledger, parsed_plan(NEW_ROWS, year=2024), "sha").plan_id
    dialog = CarryoverMatchDialog(ledger, plan_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.empty.isVisible() and "2024" in dialog.empty.text()
    assert not dialog.apply_button.isEnabled()


def test_the_file_menu_offers_both(qtbot, make_window, old, no_dialogs) -> None:
    ledger, plan_id = old
    window = make_window(ledger)
    rollover_dialog.install(window)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("文件"))
    texts = [a.text() for a in menu.actions()]
    assert texts.index("结转到新年度…") < texts.index("退出")
    assert texts.index("对照上年结转事项…") < texts.index("退出")
    assert window.rollover_action.isEnabled()
    dialog = rollover_dialog.open_rollover(window)
    assert isinstance(dialog, RolloverDialog) and dialog.plan.id == plan_id and dialog.isVisible()
    dialog.close()
    match = rollover_dialog.open_carryover_match(window)
    assert isinstance(match, CarryoverMatchDialog) and match.isVisible()
    match.close()
