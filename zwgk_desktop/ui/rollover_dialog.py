"""结转到新年度… and 对照上年结转事项….

``RolloverDialog`` shows which of the plan's tasks carry into the new year (each with a
checkbox, all ticked), the year, and where the list goes: this ledger, or a new ledger
folder for the new year. ``CarryoverMatchDialog`` (ui/carryover_match_dialog.py) puts
last year's list beside the new plan's most alike task, for the clerk to accept or
change, then 应用.

Both read through core (no SQL here) and write in a worker through
``operations.run_on_ledger`` on the worker's own connection: one transaction and one
audit row each. ``install(window)`` adds both to the window's 文件 menu.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import rollover as ro
from ..core.ledger import Ledger
from .background import BackgroundTask
from .failure_text import failure_text
from .file_dialogs import choose_folder
from .operations import linked
from .operations.run import run_on_ledger
from .screen_fit import fit_to_screen
from .wheel_guard import guard_wheel

if TYPE_CHECKING:
    from .carryover_match_dialog import CarryoverMatchDialog

__all__ = ["RolloverDialog", "install", "open_carryover_match", "open_rollover", "read_only_item", "short_text"]


def short_text(text: str, width: int) -> str:
    """On one line, cut with … past ``width`` characters (the whole text goes in the tooltip)."""
    text = " ".join((text or "").split())
    return text[:width] + ("…" if len(text) > width else "")


def read_only_item(text: str, tip: str | None = None) -> QTableWidgetItem:
    """A cell the clerk reads but does not edit, its whole text (or ``tip``) as the tooltip."""
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    item.setToolTip(tip if tip is not None else text)
    return item


class RolloverDialog(QDialog):
    """Carry ``plan_id``'s unfinished long-term tasks into a new year: preview with
    checkboxes first, then one write in a worker; says in plain Chinese what it did."""

    rolledOver = Signal(object)  # RolloverResult
    #: The clerk asked to open the new year's ledger (a folder); the window switches.
    openLedgerRequested = Signal(str)

    COLUMNS = ("结转", "序号", "任务", "责任单位", "完成时限", "状态", "最后进展", "结转理由")

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self.candidates = ro.carry_candidates(ledger, plan_id)
        self.result: ro.RolloverResult | None = None
        self._task: BackgroundTask | None = None
        self.setWindowTitle("结转到新年度")
        fit_to_screen(self, (1000, 600))

        intro = QLabel(
            f"把《{self.plan.title}》({self.plan.year}年)中还没有完成的长期坚持、持续推进、常态化和定期任务,"
            "连同当时的状态和最后一次进展,列为新一年的结转事项。新一年的分解表到来后,可用“对照上年结转事项”"
            "逐项对应。上一年的任务不会有任何改动。")
        intro.setWordWrap(True)

        self.table = QTableWidget(len(self.candidates), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        for row, c in enumerate(self.candidates):
            check = read_only_item("", "勾选的任务列入结转事项")
            check.setFlags(check.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            check.setCheckState(Qt.CheckState.Checked)
            check.setData(Qt.ItemDataRole.UserRole, c.task_id)
            self.table.setItem(row, 0, check)
            values = [str(c.seq), short_text(c.requirement, 60), short_text(c.units_text, 20), c.deadline_text or "—",
                      c.status.value, short_text(c.last_progress, 40) or "—", c.reason]
            tips = [None, c.requirement, c.units_text, None, None, c.last_progress or "没有填写过进展", None]
            for col, (text, tip) in enumerate(zip(values, tips), start=1):
                self.table.setItem(row, col, read_only_item(text, tip))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._update_count)
        self.empty = QLabel(f"《{self.plan.title}》中没有未完成的长期、常态化或定期任务,没有需要结转的事项。"
                            "仍可新建新一年的台账,带去单位名录和上下级单位对应。")
        self.empty.setWordWrap(True)
        self.empty.setVisible(not self.candidates)

        self.all_button = QPushButton("全选")
        self.none_button = QPushButton("全不选")
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button.clicked.connect(lambda: self._check_all(False))
        self.count_label = QLabel()
        picks = QHBoxLayout()
        picks.addWidget(self.all_button)
        picks.addWidget(self.none_button)
        picks.addWidget(self.count_label, 1)

        self.year = QSpinBox()
        self.year.setRange(self.plan.year + 1, self.plan.year + ro.MAX_YEARS_AHEAD)
        self.year.setValue(self.plan.year + 1)
        self.year.setSuffix(" 年")
        self.here = QRadioButton("本台账(单位名录、上下级单位对应本来就全台账通用)")
        self.new_folder = QRadioButton("新建台账文件夹…")
        self.here.setChecked(True)
        self._where = QButtonGroup(self)
        self._where.addButton(self.here)
        self._where.addButton(self.new_folder)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("新的或空的文件夹,单位名录和上下级单位对应会一并带去")
        self.choose_button = QPushButton("选择…")
        self.choose_button.clicked.connect(self.choose_folder)
        self.new_folder.toggled.connect(self._where_changed)
        self.folder_edit.textChanged.connect(self._where_changed)
        form = QGridLayout()
        form.addWidget(QLabel("结转到:"), 0, 0)
        form.addWidget(self.year, 0, 1, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(QLabel("记在:"), 1, 0)
        form.addWidget(self.here, 1, 1, 1, 3)
        form.addWidget(self.new_folder, 2, 1)
        form.addWidget(self.folder_edit, 2, 2)
        form.addWidget(self.choose_button, 2, 3)
        form.setColumnStretch(2, 1)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setVisible(False)

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton("开始结转", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button = self.buttons.addButton("打开新台账", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setVisible(False)
        self.close_button = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.start_button.clicked.connect(lambda: self.start())
        self.open_button.clicked.connect(self._open_new)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(picks)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self._update_count()
        self._where_changed()
        guard_wheel(self)

    # -- choices ------------------------------------------------------------------------

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for row in range(self.table.rowCount()):
            self.table.item(row, 0).setCheckState(state)

    def chosen_task_ids(self) -> list[int]:
        return [self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(self.table.rowCount())
                if self.table.item(row, 0).checkState() == Qt.CheckState.Checked]

    def _update_count(self, *_args: object) -> None:
        self.count_label.setText(f"已勾选 {len(self.chosen_task_ids())} / {len(self.candidates)} 项")
        self._where_changed()

    def choose_folder(self) -> None:
        start = self.folder_edit.text().strip() or str(self.ledger.folder.parent / f"{self.year.value()}年台账")
        folder = choose_folder(self, "选择新一年台账的文件夹(新的或空的文件夹)", "ledger", start=Path(start).parent)
        if folder is not None:
            self.folder_edit.setText(str(folder))
            self.new_folder.setChecked(True)

    def target_folder(self) -> Path | None:
        """The new ledger folder, or None for this ledger."""
        if not self.new_folder.isChecked():
            return None
        text = self.folder_edit.text().strip()
        return Path(text) if text else None

    def _where_changed(self, *_args: object) -> None:
        into = self.new_folder.isChecked()
        self.folder_edit.setEnabled(into and self.result is None)
        reason = ""
        if self.result is not None:
            reason = "已结转。"
        elif into and not self.folder_edit.text().strip():
            reason = "请先选择新一年台账的文件夹。"
        elif not into and self.ledger.read_only:
            reason = self.ledger.read_only
        elif not into and not self.chosen_task_ids():
            reason = "没有勾选任何任务。"
        self.start_button.setEnabled(not reason and (self._task is None or not self._task.running))
        self.start_button.setToolTip(reason)

    # -- the write ----------------------------------------------------------------------

    def start(self, again: bool = False) -> BackgroundTask | None:
        """Run the rollover in a worker (returns its task); the answer comes to the
        dialog's result label."""
        into = self.target_folder()
        if self.new_folder.isChecked() and into is None:
            return None
        plan_id, year, chosen = self.plan.id, self.year.value(), self.chosen_task_ids()
        task = BackgroundTask(self, "正在结转到新年度……")
        self._task = task
        self.start_button.setEnabled(False)

        def work(own: Ledger) -> ro.RolloverResult:
            return linked.roll_over(own, plan_id, year, into=into, task_ids=chosen, again=again)

        run_on_ledger(task, self.ledger.folder, work, self._done, failed=self._failed, what="结转到新年度",
                      parent=self, changes=into is None)
        return task

    def _done(self, result: ro.RolloverResult) -> None:
        self.result = result
        self.result_label.setText(result.summary)
        self.result_label.setVisible(True)
        self.open_button.setVisible(result.new_ledger)
        self.table.setEnabled(False)
        for widget in (self.all_button, self.none_button, self.year, self.here, self.new_folder,
                       self.folder_edit, self.choose_button):
            widget.setEnabled(False)
        self._where_changed()
        self.rolledOver.emit(result)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ro.AlreadyRolledOverError):
            answer = QMessageBox.question(
                self, "已经结转过",
                f"《{self.plan.title}》已经结转到 {self.year.value()} 年({exc.count} 项)。\n\n"
                "按现在勾选的任务重新列出吗?原来的结转事项及其与新任务的对应会被替换。")
            if answer == QMessageBox.StandardButton.Yes:
                self.start(again=True)
                return
            self.result_label.setText("没有重复结转,台账没有改动。")
            self.result_label.setVisible(True)
        else:
            QMessageBox.warning(self, "没有结转", failure_text(exc, "结转到新年度"))
        self._where_changed()

    def _open_new(self) -> None:
        if self.result is not None and self.result.new_ledger:
            self.openLedgerRequested.emit(str(self.result.folder))
            self.accept()


# -- the menu ---------------------------------------------------------------------------


def open_rollover(window) -> RolloverDialog | None:
    """文件 → 结转到新年度…: for the plan shown in the window."""
    plan = getattr(window, "plan", None)
    if plan is None:
        return None
    dialog = RolloverDialog(window.ledger, plan.id, window)
    ledger_requested = getattr(window, "ledgerRequested", None)
    if ledger_requested is not None:
        dialog.openLedgerRequested.connect(lambda folder: ledger_requested.emit(folder, False))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def open_carryover_match(window) -> CarryoverMatchDialog | None:
    """文件 → 对照上年结转事项…: last year's list against the plan shown in the window."""
    plan = getattr(window, "plan", None)
    if plan is None:
        return None
    # Here, not at the top: that dialog builds on this module's cells.
    from .carryover_match_dialog import CarryoverMatchDialog

    dialog = CarryoverMatchDialog(window.ledger, plan.id, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def install(window) -> None:
    """Add 结转到新年度… and 对照上年结转事项… to the window's 文件 menu, before 退出
    (enabled when a plan is shown, like the other plan actions)."""
    from PySide6.QtGui import QAction

    file_menu = next((a.menu() for a in window.menuBar().actions()
                      if a.menu() is not None and a.text().startswith("文件")), None)
    if file_menu is None:
        return
    quit_action = next((a for a in file_menu.actions() if a.text().startswith("退出")), None)
    window.rollover_action = QAction("结转到新年度…", window)
    window.rollover_action.triggered.connect(lambda: open_rollover(window))
    window.carryover_match_action = QAction("对照上年结转事项…", window)
    window.carryover_match_action.triggered.connect(lambda: open_carryover_match(window))
    for action in (window.rollover_action, window.carryover_match_action):
        action.setEnabled(getattr(window, "plan", None) is not None)
        if hasattr(window, "plan_actions"):
            window.plan_actions.append(action)
        file_menu.insertAction(quit_action, action)
    file_menu.insertSeparator(quit_action)
