"""The main window as a clerk uses it: the welcome page and the sample, combined
filters, ticking several rows, the status drop-down in the table, settings (本单位,
大字模式) and dropping a file on the window."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMenu

from zwgk_desktop.core.locations import read_settings, user_data_dir
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.ui import settings as app_settings
from zwgk_desktop.ui import window_status
from zwgk_desktop.ui.ledger_lock import LedgerLock
from zwgk_desktop.ui.main_window import MainWindow
from zwgk_desktop.ui.settings_dialog import SettingsDialog
from zwgk_desktop.ui.task_table_model import COL_STATUS
from zwgk_desktop.ui.theme import LARGE_POINTS, NORMAL_POINTS

from .conftest import SAMPLE_TASKS
from .helpers import (
    matches,
    section_item,
    select_rows,
    summary_text,
    type_text,
    units_text,
)

SECTION_1 = "一、推进绿色低碳高质量发展信息公开"
SUB_1 = "(一)围绕稳经济、促活力强化公开"  # the sample prints ASCII brackets here


# -- 1. welcome -> sample ----------------------------------------------------------------


def test_empty_ledger_shows_the_welcome_page(make_window, open_ledger, tmp_path, qtbot):
    window = make_window(open_ledger(tmp_path / "empty"))
    assert window.stack.currentWidget() is window.welcome
    assert window.plan is None
    assert window.model.rowCount() == 0
    assert window.plan_combo.count() == 0
    assert window.welcome.sample_button.isVisible()
    assert window.welcome.sample_button.text() == "打开示例"
    with qtbot.waitSignal(window.sampleRequested, timeout=1000):
        qtbot.mouseClick(window.welcome.sample_button, Qt.MouseButton.LeftButton)


def test_welcome_sample_button_opens_the_sample_ledger(desktop, tmp_path, qtbot, no_dialogs):
    mine = tmp_path / "mine"
    assert desktop.open(mine) is True
    first = desktop.window
    qtbot.waitExposed(first)
    assert first.stack.currentWidget() is first.welcome
    assert "示例台账" not in first.windowTitle()

    qtbot.mouseClick(first.welcome.sample_button, Qt.MouseButton.LeftButton)

    window = desktop.window
    assert window is not first
    assert not first.isVisible()
    expected = user_data_dir() / "示例台账"
    assert str(expected).startswith(os.environ["XDG_DATA_HOME"])
    assert desktop.ledger.folder == expected
    assert (expected / "ledger.sqlite").exists()
    assert window.is_sample
    assert "示例台账" in window.windowTitle()
    assert window.windowTitle() == f"政务公开任务台账(示例台账) — {expected}"
    assert window.stack.currentWidget() is window.splitter
    assert window.welcome.sample_button.isHidden()  # no "open the sample" inside the sample
    plans = desktop.ledger.plans()
    assert len(plans) == 1
    assert len(desktop.ledger.tasks(plans[0].id)) == SAMPLE_TASKS
    assert window.model.rowCount() == SAMPLE_TASKS
    assert window.plan_combo.count() == 1
    assert window.plan_combo.currentText() == "2023年济宁市任城区政务公开重点工作任务分解表"
    # the clerk's own ledger was released, the sample is held, and the last ledger
    # remembered is still the clerk's own (the sample is never remembered)
    own_lock = LedgerLock(mine)
    assert own_lock.acquire()
    own_lock.release()
    assert not LedgerLock(expected).acquire()
    assert read_settings()["last_ledger"] == str(mine.resolve())
    assert no_dialogs == []


def test_open_sample_twice_reuses_the_sample_ledger(desktop, qtbot):
    desktop.open_sample()
    folder = desktop.ledger.folder
    desktop.window.ledger.set_status(1, Status.DONE, date(2023, 5, 1))
    desktop.open_sample()  # switching again: the same sample, not a second import
    assert desktop.ledger.folder == folder
    assert len(desktop.ledger.plans()) == 1
    assert desktop.ledger.task(1).status == Status.DONE


# -- 3. filters combine ------------------------------------------------------------------


def test_unit_status_search_and_section_filters_combine(sample_ledger, make_window, qtbot):
    ledger = sample_ledger
    plan_id = ledger.plans()[0].id
    by_seq = {t.seq: t.id for t in ledger.tasks(plan_id)}
    ledger.set_statuses([by_seq[s] for s in range(13, 19)], Status.DONE, date(2023, 6, 1))
    ledger.set_statuses([by_seq[s] for s in range(19, 23)], Status.IN_PROGRESS, date(2023, 6, 1))
    ledger.set_statuses([by_seq[23], by_seq[31]], Status.NOT_APPLICABLE, date(2023, 6, 1))
    ledger.set_status(by_seq[30], Status.DONE, date(2023, 7, 1))
    # a word found only in a progress note must find the task too
    assert "企业" not in ledger.task(by_seq[26]).requirement
    ledger.set_progress(by_seq[26], Quarter(2023, 3), "已走访企业12家。")

    window = make_window(ledger)
    tasks = ledger.tasks(plan_id)
    raw = units_text(ledger)

    def expect(**criteria) -> list[int]:
        return [t.id for t in tasks if matches(t, raw_units=raw, **criteria)]

    def shown() -> list[int]:
        return window.model.ids

    assert shown() == [t.id for t in tasks]
    assert window.summary.text() == summary_text(tasks)

    unit = "运河经济开发区"
    window.filters.unit.setCurrentIndex(window.filters.unit.findData(unit))
    step1 = expect(unit=unit)
    assert len(step1) == 35
    assert shown() == step1

    window.filters.status.setCurrentIndex(window.filters.status.findData("open"))
    open_statuses = {Status.NOT_STARTED, Status.IN_PROGRESS}
    step2 = expect(unit=unit, statuses=open_statuses)
    assert 0 < len(step2) < len(step1)
    assert shown() == step2

    type_text(window.filters.search, "企业")
    window.filters.flush()
    step3 = expect(unit=unit, statuses=open_statuses, words=["企业"])
    assert 0 < len(step3) < len(step2)
    assert by_seq[26] in step3
    assert shown() == step3

    window.sections.setCurrentItem(section_item(window, SECTION_1))
    step4 = expect(unit=unit, statuses=open_statuses, words=["企业"], section_prefix=[SECTION_1])
    assert 0 < len(step4) < len(step3)
    assert shown() == step4
    assert window.model.rowCount() == len(step4)
    assert window.summary.text() == summary_text([t for t in tasks if t.id in step4])

    # two search words: both must occur (in any field)
    window.filters.search.setText("企业 政策")
    window.filters.flush()
    step5 = expect(unit=unit, statuses=open_statuses, words=["企业", "政策"], section_prefix=[SECTION_1])
    assert shown() == step5
    assert len(step5) < len(step4)

    # the whole plan again: every filter back to its 全部 entry
    window.filters.search.clear()
    window.filters.flush()
    window.filters.status.setCurrentIndex(0)
    window.filters.unit.setCurrentIndex(0)
    window.sections.setCurrentItem(window.sections.topLevelItem(0))
    assert shown() == [t.id for t in tasks]
    assert window.summary.text() == summary_text(tasks)


def test_overdue_filter(sample_ledger, make_window):
    ledger = sample_ledger
    plan_id = ledger.plans()[0].id
    ids = ledger.task_ids(plan_id)
    ledger.set_statuses(ids[:4], Status.DONE)
    ledger.set_status(ids[4], Status.NOT_APPLICABLE)
    window = make_window(ledger)
    window.filters.timing.setCurrentIndex(window.filters.timing.findText("已逾期"))
    # every sample task was due in 2023: all the open ones are overdue today
    assert window.model.ids == ids[5:]
    assert window.summary.text() == (f"共 {len(ids) - 5} 项    已完成 0    推进中 0    未启动 {len(ids) - 5}"
                                     f"    不适用 0    逾期 {len(ids) - 5}    完成率 0%")
    window.filters.timing.setCurrentIndex(window.filters.timing.findText("15天内到期"))
    assert window.model.ids == []
    assert window.summary.text().startswith("共 0 项")


@pytest.mark.parametrize("status", [Status.DONE, Status.NOT_APPLICABLE])
def test_single_status_filter(sample_ledger, make_window, status):
    ledger = sample_ledger
    plan_id = ledger.plans()[0].id
    ids = ledger.task_ids(plan_id)
    ledger.set_statuses(ids[:4], status)
    window = make_window(ledger)
    window.filters.status.setCurrentIndex(window.filters.status.findText(status.value))
    assert window.filters.status.currentText() == status.value
    assert window.model.ids == ids[:4]
    assert window.summary.text().startswith("共 4 项")


# -- 4. ticking several rows -------------------------------------------------------------


def test_ticking_three_rows_done(sample_window, sample_ledger):
    window, ledger = sample_window, sample_ledger
    select_rows(window, [0, 2, 4])
    ids = window.selected_task_ids()
    assert len(ids) == 3
    assert window.panel.task is None  # several rows: no single task in the panel
    audit_before = ledger.audit_log(1)[0].id

    window.set_status_of_selected(Status.DONE)

    today = date.today()
    for tid in ids:
        task = ledger.task(tid)
        assert task.status == Status.DONE
        assert task.status_date == today
        assert [h.status for h in ledger.status_history(tid)] == [Status.DONE]
    new_audit = [e for e in ledger.audit_log(50) if e.id > audit_before]
    assert len(new_audit) == 1
    assert new_audit[0].action == "设置状态"
    assert new_audit[0].after == {"tasks": ids, "status": "已完成", "status_date": today.isoformat()}
    assert section_item(window, SUB_1).text(1) == "3/5"
    assert section_item(window, SECTION_1).text(1) == "3/28"
    assert window.sections.topLevelItem(0).text(1) == f"3/{SAMPLE_TASKS}"
    assert window.model.index(0, COL_STATUS).data() == f"已完成\n{today.month}月{today.day}日"
    assert window.model.index(1, COL_STATUS).data() == "未启动"
    assert window.summary.text() == summary_text(ledger.tasks(window.plan.id))
    assert window.selected_task_ids() == ids  # the selection stays for the next action


def test_ticking_rows_under_a_status_filter_keeps_table_and_summary_in_step(sample_window):
    window = sample_window
    window.filters.status.setCurrentIndex(window.filters.status.findData("open"))
    assert window.model.rowCount() == SAMPLE_TASKS
    select_rows(window, [0, 1, 2])
    window.set_status_of_selected(Status.DONE)
    shown = window.model.rowCount()
    assert window.summary.text().startswith(f"共 {shown} 项")


def test_context_menu_marks_the_selected_rows(sample_window, sample_ledger, monkeypatch):
    window, ledger = sample_window, sample_ledger
    select_rows(window, [5, 6])
    ids = window.selected_task_ids()
    offered: list[str] = []

    class ChoosingMenu(QMenu):
        """Stands in for the pop-up: records what it offers, picks 推进中."""

        def exec(self, *args):
            offered.extend(action.text() for action in self.actions() if not action.isSeparator())
            chosen = next(a for a in self.actions() if "推进中" in a.text())
            chosen.trigger()
            return chosen

    monkeypatch.setattr(window_status, "QMenu", ChoosingMenu)  # the table menu lives there
    window.table.customContextMenuRequested.emit(QPoint(10, 10))
    assert offered == [f"标记为“{s.value}”(2 项)" for s in Status]
    assert [ledger.task(tid).status for tid in ids] == [Status.IN_PROGRESS, Status.IN_PROGRESS]
    assert window.model.index(5, COL_STATUS).data() == "推进中"


# -- 5. the status delegate --------------------------------------------------------------


def test_status_cell_drop_down_sets_the_status(sample_window, sample_ledger, qtbot, status_days):
    window, ledger = sample_window, sample_ledger
    index = window.model.index(1, COL_STATUS)
    task_id = window.model.task_id(1)
    audit_before = ledger.audit_log(1)[0].id
    window.table.setCurrentIndex(index)
    window.table.edit(index)
    editors = window.table.viewport().findChildren(QComboBox)
    assert len(editors) == 1
    editor = editors[0]
    try:
        assert [editor.itemText(i) for i in range(editor.count())] == [s.value for s in Status]
        assert editor.currentText() == "未启动"
        qtbot.keyClick(editor, Qt.Key.Key_Down)  # the clerk picks the next entry, 推进中
        assert editor.currentText() == "推进中"
        # the day is asked once the editor is done, then the status is written
        qtbot.waitUntil(lambda: ledger.task(task_id).status == Status.IN_PROGRESS)
        assert status_days.asked == [("推进中", 1, window.model.quarter)]
        qtbot.keyClick(editor, Qt.Key.Key_Return)  # closing the editor commits again: a no-op
        qtbot.waitUntil(lambda: not window.table.viewport().findChildren(QComboBox))
    finally:  # never leave an editor that would commit (and raise) while the window closes
        if window.table.viewport().findChildren(QComboBox):
            window.table.itemDelegateForColumn(COL_STATUS).closeEditor.emit(editor)
    assert [h.status for h in ledger.status_history(task_id)] == [Status.IN_PROGRESS]
    assert len([e for e in ledger.audit_log(50) if e.id > audit_before]) == 1
    assert index.data() == "推进中"
    assert window.ops.undo_stack.count() == 1


def test_status_cell_editor_shows_the_current_status(sample_ledger, make_window, qtbot):
    ledger = sample_ledger
    ids = ledger.task_ids(ledger.plans()[0].id)
    ledger.set_status(ids[2], Status.DONE, date(2023, 4, 2))
    window = make_window(ledger)
    index = window.model.index(2, COL_STATUS)
    assert index.data() == "已完成\n4月2日"
    assert index.data(Qt.ItemDataRole.EditRole) == "已完成"
    assert window.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not window.model.flags(window.model.index(2, 1)) & Qt.ItemFlag.ItemIsEditable
    window.table.edit(index)
    editor = window.table.viewport().findChildren(QComboBox)[0]
    assert editor.currentText() == "已完成"
    window.table.itemDelegateForColumn(COL_STATUS).closeEditor.emit(editor)  # Esc: nothing changes
    qtbot.waitUntil(lambda: not window.table.viewport().findChildren(QComboBox))
    assert ledger.status_history(ids[2])[-1].effective_on == date(2023, 4, 2)


def test_panel_status_drop_down_sets_status_and_date(sample_window, sample_ledger, qtbot):
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(3)
    select_rows(window, [3])
    panel = window.panel
    assert panel.task.id == task_id and panel.isEnabled()
    assert not panel.status_date.isEnabled()  # no status on record: no day to correct
    panel.status.setCurrentIndex(panel.status.findText("已完成"))
    panel.status.activated.emit(panel.status.currentIndex())
    assert ledger.task(task_id).status == Status.DONE
    assert panel.status_date.isEnabled()
    panel.status_date.line.setText("2023-08-15")  # then the clerk corrects the day
    panel.status_date.line.editingFinished.emit()
    task = ledger.task(task_id)
    assert (task.status, task.status_date) == (Status.DONE, date(2023, 8, 15))
    assert panel.history.text() == f"2023-08-15  已完成({ledger.user} 记录)"


# -- 10. settings: 大字模式 and 本单位 ------------------------------------------------------


def test_settings_large_fonts_and_own_unit(sample_window, sample_ledger, monkeypatch):
    window = sample_window
    assert QApplication.font().pointSize() != LARGE_POINTS
    assert not window.filters.own_unit.isEnabled()
    assert window.filters.own_unit.text() == "只看本单位(未设置)"

    def fake_exec(dialog: SettingsDialog) -> int:
        assert dialog.unit.findText("区教体局") >= 0  # the plan's units are offered
        dialog.unit.setCurrentText("区教体局")
        dialog.large.setChecked(True)
        dialog.accept()
        return 1

    monkeypatch.setattr(SettingsDialog, "exec", fake_exec)
    window.show_settings()

    assert QApplication.font().pointSize() == LARGE_POINTS
    assert app_settings.own_unit() == "区教体局"
    assert app_settings.large_fonts() is True
    assert window.filters.own_unit.isEnabled()
    assert window.filters.own_unit.text() == "只看本单位(区教体局)"
    assert window.model.rowCount() == SAMPLE_TASKS  # enabled, not yet ticked

    window.filters.own_unit.setChecked(True)
    tasks = sample_ledger.tasks(window.plan.id)
    expected = [t.id for t in tasks if "区教体局" in [u.name for u in t.units]]
    assert len(expected) == 7
    assert window.model.ids == expected
    assert not window.filters.unit.isEnabled()  # the unit drop-down yields to 本单位
    window.filters.own_unit.setChecked(False)
    assert window.model.rowCount() == SAMPLE_TASKS


def test_settings_are_kept_per_user_and_reloaded(qtbot, tmp_path_factory):
    dialog = SettingsDialog(["区财政局"])
    qtbot.addWidget(dialog)
    assert dialog.large.isChecked() is False
    dialog.unit.setCurrentText("  区财政局 ")
    dialog.large.setChecked(True)
    dialog.accept()
    stored = Path(app_settings.settings().fileName())
    assert stored.parts[-2:] == ("zwgk", "zwgk-desktop.ini")
    assert stored.is_relative_to(tmp_path_factory.getbasetemp())  # never the developer's own
    again = SettingsDialog([])
    qtbot.addWidget(again)
    assert again.large.isChecked() is True
    assert again.unit.currentText() == "区财政局"
    again.large.setChecked(False)
    again.accept()
    assert QApplication.font().pointSize() == NORMAL_POINTS


# -- 12. drag and drop -------------------------------------------------------------------


_MIME: list[QMimeData] = []  # the events do not own their data: keep it alive


def _drag_events(paths: list[Path]) -> tuple[QDragEnterEvent, QDropEvent]:
    mime = QMimeData()
    _MIME[:] = [mime]
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.setAccepted(False)
    drop.setAccepted(False)
    return enter, drop


def test_dropping_a_file_starts_an_import(sample_window, plan_xlsx, qtbot, monkeypatch):
    started: list[Path] = []
    monkeypatch.setattr(MainWindow, "start_import", lambda self, path: started.append(path))
    enter, drop = _drag_events([plan_xlsx])
    QApplication.sendEvent(sample_window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(sample_window, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: started == [plan_xlsx], timeout=2000)


def test_two_files_dropped_off_a_task_row_import_nothing_and_say_why(sample_window, plan_xlsx, tmp_path,
                                                                      no_dialogs):
    # Several files may be evidence for the row under the cursor, so the drag is
    # accepted; dropped where there is no row (at 20,20), they are not a plan.
    enter, drop = _drag_events([plan_xlsx, tmp_path / "other.xlsx"])
    QApplication.sendEvent(sample_window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(sample_window, drop)
    assert sample_window._import is None
    assert len(no_dialogs) == 1 and "一次只能导入一个" in no_dialogs[0][2]


def test_dropped_file_is_imported_into_an_empty_ledger(make_window, open_ledger, tmp_path, plan_xlsx, qtbot,
                                                       no_dialogs):
    ledger = open_ledger(tmp_path / "ledger")
    window = make_window(ledger)
    assert window.stack.currentWidget() is window.welcome
    enter, drop = _drag_events([plan_xlsx])
    QApplication.sendEvent(window, enter)  # Qt delivers a drop only after an accepted enter
    QApplication.sendEvent(window, drop)
    qtbot.waitUntil(lambda: (window._import is not None and window._import.isVisible()) or bool(no_dialogs), timeout=5000)
    assert no_dialogs == []
    wizard = window._import
    assert wizard.preview.rowCount() == 4
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.confirm()
    assert window.stack.currentWidget() is window.splitter
    assert window.plan_combo.count() == 1
    assert window.model.rowCount() == 4
    assert [p.source_name for p in ledger.plans()] == [plan_xlsx.name]


def test_audit_dialog_lists_the_changes(sample_window, sample_ledger, qtbot, monkeypatch):
    from zwgk_desktop.ui.audit_dialog import AuditDialog

    select_rows(sample_window, [0])
    sample_window.set_status_of_selected(Status.DONE, date(2023, 3, 1))
    seen: list[AuditDialog] = []
    monkeypatch.setattr(AuditDialog, "exec", lambda dialog: seen.append(dialog) or 0)
    sample_window.show_audit_log()
    dialog = seen[0]
    table = dialog.table
    assert table.rowCount() == 2  # the sample's import, then the status
    seq = sample_ledger.task(sample_window.model.task_id(0)).seq
    assert table.item(0, 2).text() == f"将序号 {seq} 的状态由“未启动”改为“已完成”(2023-03-01)"
    assert table.item(1, 2).text().startswith("导入了分解表“")
    assert all("{" not in table.item(r, 2).text() for r in range(2))
    dialog.search.setText(f"序号 {seq}")  # narrowed to the task
    assert dialog.visible_sentences() == [table.item(0, 2).text()]
    dialog.search.setText("2099")
    assert dialog.visible_sentences() == []
    dialog.deleteLater()
