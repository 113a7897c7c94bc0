"""The main window's menus and toolbar: every feature in a menu, the everyday ones on
the toolbar, each frequent action with a shortcut of its own (one shortcut, one action:
Qt silently does nothing when two actions share one)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QLabel, QMenu, QToolBar
from shiboken6 import isValid

from ..core.errors import UserError
from ..core.ledger import Ledger

from .plan_chooser import PlanCombo
from .quarter_combo import QuarterCombo

if TYPE_CHECKING:
    from .main_window import MainWindow

#: (keys, what they do): the 快捷键 help lists exactly these.
SHORTCUTS = [
    ("Ctrl+O", "打开台账…"),
    ("Ctrl+I", "导入分解表…"),
    ("Ctrl+F", "搜索任务"),
    ("Ctrl+P", "季度报告…"),
    ("Ctrl+E", "导出Excel(报上级)…"),
    ("Ctrl+D", "督办与催办…"),
    ("Ctrl+Z", "撤销"),
    ("Ctrl+Y", "重做"),
    ("F1", "使用说明"),
    ("Ctrl+Q", "退出"),
]
_KEYS = {text: keys for keys, text in SHORTCUTS}


def _action(window: "MainWindow", text: str, handler: Callable[[], object], *,
            needs_plan: bool = False) -> QAction:
    action = QAction(text, window)
    keys = _KEYS.get(text)
    if keys:
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda _checked=False: handler())
    if needs_plan:
        window.plan_actions.append(action)
    return action


def build_actions(window: "MainWindow") -> None:
    """Actions shared by the menus and the toolbar (one QAction each)."""
    window.plan_actions = []
    window.open_ledger_action = _action(window, "打开台账…", window.choose_ledger)
    window.new_ledger_action = _action(window, "新建台账…", window.choose_new_ledger)
    window.import_action = _action(window, "导入分解表…", window.choose_import_file)
    window.delete_plan_action = _action(window, "删除当前分解表…", window.delete_current_plan, needs_plan=True)
    window.report_action = _action(window, "季度报告…", window.show_report, needs_plan=True)
    window.export_action = _action(window, "导出Excel(报上级)…", window.show_export_excel, needs_plan=True)
    window.find_action = _action(window, "搜索任务", window.focus_search, needs_plan=True)
    window.follow_up_action = _action(window, "督办与催办…", window.show_follow_up, needs_plan=True)
    window.dashboard_action = _action(window, "工作概况…", window.show_dashboard, needs_plan=True)
    # Our own undo actions, not QUndoStack's: a note still being typed is saved first
    # (so it becomes the step being undone), never from inside undo().
    stack = window.ops.undo_stack
    window.undo_action = _action(window, "撤销", window.undo)
    window.undo_action.setEnabled(False)
    stack.canUndoChanged.connect(window.undo_action.setEnabled)
    window.redo_action = _action(window, "重做", window.redo)
    window.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence.StandardKey.Redo])
    window.redo_action.setEnabled(False)
    stack.canRedoChanged.connect(window.redo_action.setEnabled)
    # The toolbar button keeps its one word (its iconText), so the buttons after it
    # never move or fall into »; the step's words are the 编辑 menu item's text and
    # the button's tooltip, worked out again whenever they are about to be read.
    for action, verb in ((window.undo_action, "撤销"), (window.redo_action, "重做")):
        action.setIconText(verb)
        action.hovered.connect(lambda: describe_steps(window))
    stack.indexChanged.connect(lambda _index: describe_steps(window))
    stack.undoTextChanged.connect(lambda _text: describe_steps(window))
    stack.redoTextChanged.connect(lambda _text: describe_steps(window))
    describe_steps(window)


_SEQ_AT_START = re.compile(r"^序号 \d+ ")


def step_words(ledger: Ledger, command: QUndoCommand | None) -> str:
    """What an undo step does, naming its task by the 序号 it has now: a revision may
    have renumbered the tasks since the step was made (序号 49 is 序号 48 now)."""
    if command is None:
        return ""
    text = command.text()
    task_ids = list(getattr(command, "task_ids", None) or [])
    if len(task_ids) == 1 and _SEQ_AT_START.match(text):
        try:
            seq = ledger.task(task_ids[0]).seq
        except UserError:  # the task is gone (its plan deleted): the words it had
            return text
        text = _SEQ_AT_START.sub(f"序号 {seq} ", text)
    return text


def describe_steps(window: "MainWindow") -> None:
    """The 撤销/重做 menu items and tooltips say what the next step undoes or redoes."""
    stack = window.ops.undo_stack
    if not isValid(stack):  # QUndoStack clears itself (and signals) while it is destroyed
        return
    index = stack.index()
    for action, verb, keys, command in (
            (window.undo_action, "撤销", "Ctrl+Z", stack.command(index - 1) if stack.canUndo() else None),
            (window.redo_action, "重做", "Ctrl+Y", stack.command(index) if stack.canRedo() else None)):
        words = step_words(window.ops.ledger, command)
        action.setText(f"{verb} {words}" if words else verb)
        read_only = getattr(window, "_read_only_reason", None)
        action.setToolTip(f"只读:{read_only}" if read_only else
                          f"{verb}:{words}({keys})" if words else f"{verb}({keys})")
        action.setIconText(verb)


def build_menus(window: "MainWindow") -> None:
    menus = window.menuBar()
    file_menu = menus.addMenu("文件(&F)")
    file_menu.addAction(window.open_ledger_action)
    window.recent_menu = QMenu("最近使用的台账", file_menu)
    window.recent_menu.aboutToShow.connect(window.fill_recent_menu)
    file_menu.addMenu(window.recent_menu)
    file_menu.addAction(window.new_ledger_action)
    file_menu.addSeparator()
    file_menu.addAction(window.import_action)
    file_menu.addAction(window.delete_plan_action)
    file_menu.addSeparator()
    file_menu.addAction(window.report_action)
    file_menu.addAction(window.export_action)
    file_menu.addAction(_action(window, "下发填报表…", window.show_fill_in, needs_plan=True))
    file_menu.addAction(_action(window, "汇总各单位报送表…", window.show_merge, needs_plan=True))
    file_menu.addAction(_action(window, "导出佐证材料包…", window.show_evidence_package, needs_plan=True))
    file_menu.addSeparator()
    # The clerk in the middle: the county's own table from the superior's, and back.
    file_menu.addAction(_action(window, "下发/更新本级分解表…", window.show_derive, needs_plan=True))
    file_menu.addAction(_action(window, "汇总本级完成情况(报上级)…", window.show_rollup, needs_plan=True))
    file_menu.addSeparator()
    file_menu.addAction(_action(window, "退出", window.close))

    edit_menu = menus.addMenu("编辑(&E)")
    edit_menu.aboutToShow.connect(lambda: describe_steps(window))
    edit_menu.addAction(window.undo_action)
    edit_menu.addAction(window.redo_action)
    edit_menu.addSeparator()
    edit_menu.addAction(window.find_action)

    follow = menus.addMenu("督办(&D)")
    follow.addAction(window.follow_up_action)
    follow.addAction(window.dashboard_action)

    tools = menus.addMenu("工具(&T)")
    tools.addAction(_action(window, "单位名录…", window.show_unit_directory))
    tools.addAction(_action(window, "检查佐证材料…", window.show_check))
    tools.addAction(_action(window, "回收站…", window.show_recycle_bin))
    tools.addSeparator()
    tools.addAction(_action(window, "操作记录…", window.show_audit_log))
    tools.addAction(_action(window, "设置…", window.show_settings))

    help_menu = menus.addMenu("帮助(&H)")
    help_menu.addAction(_action(window, "使用说明", window.show_guide))
    help_menu.addAction(_action(window, "快捷键", window.show_shortcuts))
    help_menu.addSeparator()
    help_menu.addAction(_action(window, "关于", window.show_about))


def build_toolbar(window: "MainWindow") -> None:
    bar = QToolBar("主工具栏")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    window.addToolBar(bar)
    bar.addAction(window.import_action)
    bar.addSeparator()
    bar.addWidget(QLabel(" 分解表:"))
    window.plan_combo = PlanCombo()
    window.plan_combo.setMinimumWidth(220)
    bar.addWidget(window.plan_combo)
    bar.addWidget(QLabel(" 进展季度:"))
    window.quarter_combo = QuarterCombo()
    bar.addWidget(window.quarter_combo)
    bar.addSeparator()
    bar.addAction(window.undo_action)
    bar.addAction(window.redo_action)
    bar.addSeparator()
    for text, handler in (("季度报告", window.show_report), ("导出Excel", window.show_export_excel),
                          ("督办", window.show_follow_up), ("概况", window.show_dashboard)):
        action = _action(window, text, handler, needs_plan=True)
        bar.addAction(action)
    bar.addSeparator()
    bar.addAction(_action(window, "操作记录", window.show_audit_log))
    bar.addAction(_action(window, "设置", window.show_settings))
