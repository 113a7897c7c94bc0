"""Start-up: the window is first painted with the table and its tasks; the
task panel, the section headings, the unit list and the backup / new-year menu entries
are built right after. Each of those parts does appear, anything that needs one
earlier gets it built on the spot, and nothing typed meanwhile is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

from zwgk_desktop.core import task_query
from zwgk_desktop.ui.wheel_guard import is_guarded

from .conftest import SAMPLE_TASKS
from .helpers import select_task, type_text


def test_the_first_paint_has_the_tasks_and_the_rest_follows(sample_ledger, make_window, qtbot):
    window = make_window(sample_ledger, show=False)
    plan_id = window.plan.id
    # What the first paint shows is there from the start: every task and its counts.
    assert window.model.rowCount() == SAMPLE_TASKS
    assert window.summary.text().startswith(f"共 {SAMPLE_TASKS} 项")
    # What it leaves out is not built yet.
    assert not window.startup_finished
    assert window._panel is None and window.sections_pending() and window.filters.units_pending()
    assert window._sections.topLevelItemCount() == 0
    ids = window.model.ids

    window.show()
    qtbot.waitUntil(lambda: window.startup_finished, timeout=5000)
    assert window._panel is not None and window._panel.isVisible()
    assert not window.sections_pending() and not window.filters.units_pending()
    root = window._sections.topLevelItem(0)
    assert root.text(0) == f"全部任务({SAMPLE_TASKS})" and root.childCount() > 0
    assert window._sections.currentItem() is root  # the table already showed 全部任务
    units = task_query.plan_units(sample_ledger, plan_id)
    assert [window.filters._unit.itemText(i) for i in range(window.filters._unit.count())] == ["全部单位", *units]
    assert window.model.ids == ids  # nothing was filtered again
    # Every combo and spin box of the finished window is guarded against the wheel.
    boxes = [w for w in window.findChildren(QWidget) if isinstance(w, (QComboBox, QAbstractSpinBox))]
    assert len(boxes) >= 8 and all(is_guarded(w) for w in boxes)


def test_a_part_needed_before_the_rest_is_built_is_built_on_the_spot(sample_ledger, make_window):
    window = make_window(sample_ledger, show=False)
    assert window.filters.units_pending()
    assert window.filters.unit.count() == len(task_query.plan_units(sample_ledger, window.plan.id)) + 1
    assert window.sections_pending()
    assert window.sections.topLevelItem(0).text(0) == f"全部任务({SAMPLE_TASKS})"
    assert window._panel is None
    task_id = window.model.task_id(0)
    select_task(window, task_id)  # choosing a task shows it in the panel
    assert window._panel is not None and window.panel.task.id == task_id
    assert window.panel.quarter == window.model.quarter


def test_what_is_typed_before_the_rest_is_built_stays(sample_ledger, make_window, qtbot):
    window = make_window(sample_ledger, show=False)
    type_text(window.filters.search, "公开")
    window.filters.flush()
    filtered = window.model.ids
    assert 0 < len(filtered) < SAMPLE_TASKS
    window.show()
    qtbot.waitUntil(lambda: window.startup_finished, timeout=5000)
    assert window.filters.search.text() == "公开"
    assert window.model.ids == filtered
    assert window.current_section_id() is None


def test_a_read_only_ledger_builds_its_panel_read_only(sample_dir: Path, open_ledger, make_window, qtbot):
    ledger = open_ledger(sample_dir)
    ledger.close()
    from zwgk_desktop.core.ledger import Ledger

    read_only = Ledger.open(sample_dir, read_only=True)
    try:
        window = make_window(read_only)
        qtbot.waitUntil(lambda: window.startup_finished, timeout=5000)
        assert window.panel.read_only_reason == read_only.read_only
    finally:
        window.close()
        read_only.close()


def test_the_backup_and_new_year_entries_follow_the_first_paint(desktop, qtbot, no_dialogs):
    desktop.open_sample()
    window = desktop.window
    qtbot.waitUntil(lambda: window.startup_finished, timeout=5000)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("文件"))
    texts = [a.text() for a in menu.actions()]
    for entry in ("备份台账…", "恢复到之前的状态…", "结转到新年度…", "对照上年结转事项…"):
        assert texts.index(entry) < texts.index("退出")


def test_exit_after_show_says_when_the_window_was_painted_and_when_it_was_complete(sample_dir: Path,
                                                                                    tmp_path: Path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, "-m", "zwgk_desktop.app", "--ledger", str(sample_dir),
                          "--exit-after-show"], capture_output=True, text=True, env=env, timeout=120,
                         check=True).stdout
    stamps = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert float(stamps["shown_at"]) <= float(stamps["ready_at"])


def test_a_ledger_with_no_plan_completes_the_window_from_the_welcome_page(tmp_path: Path, open_ledger,
                                                                          make_window, qtbot):
    """No table is painted on a new ledger: the welcome page's paint completes the window,
    so the backup entries and the watcher of outside changes and of a vanished folder are
    there before the first import (and `--exit-after-show` ends)."""
    window = make_window(open_ledger(tmp_path / "新台账"))
    assert window.stack.currentWidget() is window.welcome
    qtbot.waitUntil(lambda: window.startup_finished, timeout=5000)
    assert window.outside_changes is not None
