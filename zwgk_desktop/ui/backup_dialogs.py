"""文件 → 备份台账… and 文件 → 恢复到之前的状态….

Both run off the GUI thread (``BackgroundTask``) on the worker's own ledger
connection; the copy goes through SQLite's backup API, so the window keeps its
connection and the ledger stays consistent. ``install(window)`` adds the two actions
to the window's 文件 menu.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core import backup as bk
from ..core.errors import UserError
from ..core.evidence import format_size
from ..core.ledger import Ledger
from . import operations
from .evidence_dialogs import ProgressTask
from .failure_text import failure_text
from .file_dialogs import save_file
from .operations import run_on_ledger


class BackupCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("已取消备份,没有留下不完整的备份文件。")


def _message(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return exc.message
    return failure_text(exc, "备份或恢复")


def install(window) -> None:
    """Add 备份台账… and 恢复到之前的状态… to the window's 文件 menu, before 退出."""
    file_menu = next((a.menu() for a in window.menuBar().actions()
                      if a.menu() is not None and a.text().startswith("文件")), None)
    if file_menu is None:
        return
    quit_action = next((a for a in file_menu.actions() if a.text().startswith("退出")), None)
    window.backup_action = QAction("备份台账…", window)
    window.backup_action.triggered.connect(lambda: choose_and_backup(window))
    window.restore_previous_action = QAction("恢复到之前的状态…", window)
    window.restore_previous_action.triggered.connect(lambda: RestorePreviousDialog(window).exec())
    window.restore_previous_action.setEnabled(not window.ledger.read_only)
    for action in (window.backup_action, window.restore_previous_action):
        file_menu.insertAction(quit_action, action)
    file_menu.insertSeparator(quit_action)


def choose_and_backup(window) -> ProgressTask | None:
    """Ask where (the folder of the last backup, a U 盘 say; 文档 the first time)."""
    path = save_file(window, "备份台账", f"台账备份-{date.today():%Y-%m-%d}.zip", "台账备份 (*.zip)", "backup")
    if path is None:
        return None
    return start_backup(window, path)


def start_backup(window, path: Path) -> ProgressTask:
    """Write a full backup to ``path`` in the background; tells the clerk when done."""
    panel = getattr(window, "panel", None)
    if panel is not None:
        panel.save_note()  # what is being typed belongs in the backup
    folder = window.ledger.folder
    task = ProgressTask(window, "正在备份台账……", verb="正在备份", cancel_error=BackupCancelled)
    window._backup_task = task  # kept until it finishes

    def work(own: Ledger) -> bk.BackupResult:
        return operations.backup.write_backup(own, path, progress=task.report)

    def done(result: bk.BackupResult) -> None:
        text = (f"已备份台账到:\n{result.path}\n\n数据库 {format_size(result.database_bytes)},"
                f"佐证材料文件 {result.files} 个({format_size(result.bytes)})。\n"
                "请把备份文件存到另一块磁盘或 U 盘上。")
        if result.missing:
            text += f"\n\n注意:有 {len(result.missing)} 个佐证材料文件在台账中找不到,未能备份。请用“检查佐证材料”查看。"
        QMessageBox.information(window, "备份完成", text)

    def failed(exc: BaseException) -> None:
        QMessageBox.warning(window, "备份没有完成", _message(exc))

    run_on_ledger(task, folder, work, done, failed=failed, what="备份", parent=window, changes=False)
    return task


class RestorePreviousDialog(QDialog):
    """The automatic backups by date and action; restoring one first backs up the
    current state (so it can be undone the same way)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("恢复到之前的状态")
        self.resize(560, 420)
        self.backups = bk.list_backups(window.ledger.folder)
        intro = QLabel("每次导入、重新导入、汇总和恢复之前,程序都会自动备份台账数据库(保留最近 "
                       f"{bk.KEEP_AUTOMATIC} 个)。选择一个时间点,把台账恢复到那时的状态;"
                       "恢复前的状态也会先自动备份,可以再恢复回来。佐证材料文件不受影响。")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.backups), 3)
        self.table.setHorizontalHeaderLabels(["时间", "备份于", "大小"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, item in enumerate(self.backups):
            for col, text in enumerate((f"{item.at:%Y-%m-%d %H:%M:%S}", f"{item.action}之前", format_size(item.size))):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if self.backups:
            self.table.selectRow(0)
        self.empty = QLabel("还没有自动备份。")
        self.empty.setVisible(not self.backups)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = QPushButton("恢复到所选状态")
        self.restore_button.setEnabled(bool(self.backups) and not window.ledger.read_only)
        if window.ledger.read_only:
            self.restore_button.setToolTip(window.ledger.read_only)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_selected)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.task: ProgressTask | None = None

    def selected(self) -> bk.AutoBackup | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def restore_selected(self) -> ProgressTask | None:
        chosen = self.selected()
        if chosen is None:
            return None
        answer = QMessageBox.question(
            self, "恢复到之前的状态",
            f"把台账恢复到 {chosen.label}的状态?\n\n之后所做的修改将不在台账中;"
            "当前状态会先自动备份,需要时可以在这里再恢复回来。")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        window = self.window_
        panel = getattr(window, "panel", None)
        if panel is not None:
            panel.save_note()
        folder = window.ledger.folder
        task = ProgressTask(self, "正在恢复……", verb="正在恢复", cancel_error=BackupCancelled)
        self.task = task
        self.restore_button.setEnabled(False)

        def work(own: Ledger) -> Path | None:
            return operations.backup.restore_automatic(own, chosen)

        def done(_saved) -> None:
            ops = getattr(window, "ops", None)
            if ops is not None:
                ops.undo_stack.clear()  # its steps belong to a state that is gone
            if hasattr(window, "reload_plans"):
                window.reload_plans()
            QMessageBox.information(self, "已恢复", f"台账已恢复到 {chosen.label}的状态。")
            self.accept()

        def failed(exc: BaseException) -> None:
            self.restore_button.setEnabled(True)
            QMessageBox.warning(self, "没有恢复", _message(exc))

        run_on_ledger(task, folder, work, done, failed=failed, what="恢复", parent=self)
        return task
