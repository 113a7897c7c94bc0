"""Opening what the 佐证材料 list holds: double-click or 打开 (a file through a
read-only copy under its own name, a page in the browser, a note in a message box),
预览 inside the app for images and PDFs, 另存为…, 在文件夹中显示, 导出本任务材料…,
and the list's context menu that offers them.

A mixin of ``EvidenceView`` (it uses the view's ledger, task, items and tree).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QTreeWidgetItem

from ..core import evidence as ev
from ..core.errors import UserError
from ..core.evidence_export import export_task_evidence
from ..core.model import Evidence
from .evidence_dialogs import PreviewDialog, pdf_preview_available
from .evidence_thumbnails import is_image, is_pdf
from .file_dialogs import choose_folder, save_file

#: Which evidence a row of the list is (its id).
EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 20


class EvidenceOpening:
    def _double_clicked(self, row: QTreeWidgetItem, _column: int) -> None:
        evidence_id = row.data(0, EVIDENCE_ROLE)
        if evidence_id in self.items:
            self.open_item(self.items[evidence_id])

    def open_item(self, item: Evidence) -> None:
        if item.kind == ev.KIND_URL and item.url:
            if not QDesktopServices.openUrl(QUrl(item.url)):
                self._warn(f"无法打开浏览器。网页地址:{item.url}")
            return
        if item.kind == ev.KIND_NOTE:
            QMessageBox.information(self, "说明", item.name)
            return
        try:
            copy = ev.viewer_copy(self.ledger, item)
        except UserError as exc:
            self._warn(exc.message)
            return
        except OSError as exc:
            self._warn(f"无法准备文件“{item.name}”:{exc.strerror or exc}。")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy))):
            self._warn(f"电脑上没有能打开“{item.name}”的程序。可右键选择“另存为…”把文件保存出来。")

    def preview_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            self.preview(chosen[0])

    def preview(self, item: Evidence) -> QDialog | None:
        """Show an image or PDF inside the app (returns the dialog, shown non-modal)."""
        if is_pdf(item) and not pdf_preview_available():
            self.open_item(item)
            return None
        if not (is_image(item) or is_pdf(item)):
            self.open_item(item)
            return None
        path = ev.stored_path(self.ledger, item.sha256)
        if path is None:
            self._warn(f"佐证材料“{item.name}”的文件在台账文件夹中找不到了。请运行“检查佐证材料”,并从备份中找回。")
            return None
        dialog = PreviewDialog(self, item, path)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def save_copy(self, item: Evidence) -> None:
        source = ev.stored_path(self.ledger, item.sha256)
        if source is None:
            self._warn(f"佐证材料“{item.name}”的文件在台账文件夹中找不到了。")
            return
        target = save_file(self, "另存为", ev.safe_filename(item.name), "所有文件 (*)", "evidence")
        if target is None:
            return
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            self._warn(f"无法保存到“{target}”:{exc.strerror or exc}。")

    def _context_menu(self, pos) -> None:
        chosen = self.selected()
        if not chosen:
            return
        menu = QMenu(self)
        if len(chosen) == 1:
            item = chosen[0]
            menu.addAction("打开", lambda: self.open_item(item))
            if is_image(item) or is_pdf(item):
                menu.addAction("预览", lambda: self.preview(item))
            if item.kind == ev.KIND_FILE:
                menu.addAction("另存为…", lambda: self.save_copy(item))
                menu.addAction("在文件夹中显示", lambda: self.show_in_folder(item))
            menu.addSeparator()
        menu.addAction("导出本任务材料…", self.export_task_files)
        if not self.read_only_reason:
            menu.addSeparator()
            menu.addAction("移到回收站", self.remove_selected)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def show_in_folder(self, item: Evidence) -> None:
        """A copy under its own name, in a folder the system's file manager opens (the
        store's hash names are not for browsing, and the store must not be altered)."""
        try:
            copy = ev.viewer_copy(self.ledger, item)
        except UserError as exc:
            self._warn(exc.message)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy.parent)))

    def export_task_files(self) -> None:
        """导出本任务材料…: every file of the task, under its own name, into a folder."""
        if self.task_id is None:
            return
        folder = choose_folder(self, "导出本任务材料:选择文件夹", "evidence")
        if folder is None:
            return
        try:
            task = self.ledger.task(self.task_id)
            target = Path(folder) / ev.safe_filename(f"{task.seq}-{(task.title or task.requirement)[:12]}")
            written = export_task_evidence(self.ledger, self.task_id, target)
        except UserError as exc:
            self._warn(exc.message)
            return
        answer = QMessageBox.question(self, "已导出", f"已把 {len(written)} 个文件导出到:\n{target}\n\n现在打开这个文件夹吗?")
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
