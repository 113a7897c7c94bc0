"""Files reaching the main window: a task table to import (menu, Ctrl+I or dropped
anywhere), or evidence dropped on a task's row.

A mixin of ``MainWindow`` (it uses the window's table, model, panel and ledger).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from .file_dialogs import open_file
from .wheel_guard import guard_wheel

IMPORTABLE = ("*.xlsx", "*.xlsm", "*.xls", "*.docx", "*.csv", "*.txt", "*.htm", "*.html")  # .docx/.txt/.htm: also prose


class FileDrops:
    # -- import -----------------------------------------------------------------------

    def choose_import_file(self) -> None:
        path = open_file(self, "选择任务分解表", f"任务分解表 ({' '.join(IMPORTABLE)});;所有文件 (*)", "plan")
        if path is not None:
            self.start_import(path)

    def start_import(self, path: Path) -> None:
        from .import_wizard import ImportWizard

        self.panel.save_note()
        wizard = ImportWizard(self.ledger.folder, path, self)
        guard_wheel(wizard)
        wizard.imported.connect(self._imported)
        self._import = wizard
        wizard.start()

    def _imported(self, plan_id: int) -> None:
        self.reload_plans(select=plan_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and all(url.isLocalFile() for url in urls):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files dropped on a task row are that task's evidence; one table file dropped
        anywhere else is a plan to import."""
        urls = event.mimeData().urls()
        paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        task_id = self._task_under(event.position().toPoint())
        if task_id is not None:
            QTimer.singleShot(0, lambda: self.attach_to_task(task_id, paths))
        elif len(paths) == 1:
            QTimer.singleShot(0, lambda: self.start_import(paths[0]))
        else:
            self.show_error("一次只能导入一个分解表文件。如要添加佐证材料,请把文件拖到对应任务的那一行上。")

    def _task_under(self, window_pos) -> int | None:
        if self.stack.currentWidget() is not self.splitter:
            return None
        viewport = self.table.viewport()
        pos = viewport.mapFrom(self, window_pos)
        if not viewport.rect().contains(pos):
            return None
        return self.model.task_id(self.table.rowAt(pos.y()))

    def attach_to_task(self, task_id: int, paths: list[Path]) -> None:
        """Select the task and attach through its evidence view (progress, errors)."""
        row = self.model.row_of(task_id)
        if row is not None:
            self.table.selectRow(row)
        if self.panel.task is None or self.panel.task.id != task_id:
            self.panel.show_task(task_id)
        self.panel.evidence.attach_paths(paths)
