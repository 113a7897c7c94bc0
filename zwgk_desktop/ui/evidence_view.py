"""The task panel's 佐证材料 list: what a task has, by quarter, and every way to add more
(files chosen, dropped or pasted, page addresses, notes).

Copying files runs in the background with a byte progress dialog and its own ledger
connection; everything else is quick and runs on the GUI thread through core.evidence
and ui/operations (never SQL here). Thumbnails: evidence_thumbnails.py; the dialogs:
evidence_dialogs.py; opening, previewing and exporting what is listed:
evidence_opening.py; drops and Ctrl+V: evidence_paste.py.

Double-click opens an item with the system's program: a file through a read-only
copy under its original name (the store itself is never handed out), a page address
in the browser, a note in a message box. Images and PDFs preview inside the app.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QIcon, QImage, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import evidence as ev
from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.model import Evidence
from ..core.quarters import Quarter
from . import operations
from .background import BackgroundTask
from .evidence_dialogs import AttachTask, ProgressTask, UrlDialog
from .evidence_opening import EVIDENCE_ROLE, EvidenceOpening
from .evidence_paste import EvidencePaste, screenshot_name
from .evidence_thumbnails import THUMB_SIZE, Thumbnails, is_image, is_pdf
from .failure_text import failure_text
from .file_dialogs import open_files
from .operations import run_on_ledger

# ProgressTask lives in evidence_dialogs; named here too for code written before it moved.
__all__ = ["EVIDENCE_ROLE", "EvidenceTree", "EvidenceView", "ProgressTask", "screenshot_name"]

DROP_HINT = "可把文件拖到这里,或按 Ctrl+V 粘贴截图"
FILE_FILTERS = ("所有文件 (*);;图片 (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;PDF 文件 (*.pdf);;"
                "Word/WPS 文档 (*.doc *.docx *.wps *.ofd);;Excel 表格 (*.xls *.xlsx *.et)")


# -- the view ---------------------------------------------------------------------------


class EvidenceTree(QTreeWidget):
    """The list itself; drops are handled by the EvidenceView around it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setAcceptDrops(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)


class EvidenceView(EvidenceOpening, EvidencePaste, QWidget):
    """``show_task(task_id, quarter)`` shows a task's evidence; new items go to that
    quarter. ``changed(task_id)`` fires after anything was added or removed."""

    changed = Signal(int)

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.read_only_reason = ""
        self.task_id: int | None = None
        self.quarter = Quarter.current()
        self.items: dict[int, Evidence] = {}
        self._tree_items: dict[int, QTreeWidgetItem] = {}
        self._jobs: list[BackgroundTask] = []
        self.thumbnails = Thumbnails(self)
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.setAcceptDrops(True)

        self.heading = QLabel("佐证材料")
        self.heading.setWordWrap(True)  # 佐证材料(添加到2023年第四季度) wraps in a narrow panel
        bold = QFont(self.heading.font())
        bold.setBold(True)
        self.heading.setFont(bold)
        self.tree = EvidenceTree(self)
        self.tree.setMinimumHeight(160)
        self.hint = QLabel(DROP_HINT)
        self.hint.setStyleSheet("color: #666;")
        self.hint.setWordWrap(True)
        self.add_files_button = QPushButton("添加文件…")
        self.add_url_button = QPushButton("添加网页地址…")
        self.add_note_button = QPushButton("添加说明…")
        self.remove_button = QPushButton("移到回收站")
        self.remove_button.setEnabled(False)
        self.preview_button = QPushButton("预览")
        self.preview_button.setEnabled(False)
        # Two rows at most, so the panel keeps its width in 大字模式.
        buttons = QGridLayout()
        for index, button in enumerate((self.add_files_button, self.add_url_button, self.add_note_button)):
            buttons.addWidget(button, index // 2, index % 2)
        buttons.setColumnStretch(2, 1)
        lower = QHBoxLayout()
        lower.addWidget(self.preview_button)
        lower.addWidget(self.remove_button)
        lower.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        layout.addLayout(lower)
        layout.addWidget(self.hint)

        self.add_files_button.clicked.connect(self.choose_files)
        self.add_url_button.clicked.connect(lambda: self.add_url())
        self.add_note_button.clicked.connect(self.add_note)
        self.remove_button.clicked.connect(self.remove_selected)
        self.preview_button.clicked.connect(self.preview_selected)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.verticalScrollBar().valueChanged.connect(self._request_visible_thumbnails)
        self.tree.itemExpanded.connect(self._request_visible_thumbnails)
        # Ctrl+V anywhere in the window while this view shows a task; _pastes_here
        # decides whether the focus is on this task (the list, the panel around it,
        # the table's row). A text box keeps its own Ctrl+V: Qt gives it the key first.
        self.paste_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self)
        self.paste_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.paste_shortcut.activated.connect(self._paste_key)
        self._paste_scopes: list[QWidget] = []
        self.delete_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.tree)
        self.delete_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_shortcut.activated.connect(self.remove_selected)
        self.preview_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self.tree)
        self.preview_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.preview_shortcut.activated.connect(self.preview_selected)
        self._set_enabled(False)

    # -- showing ----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return any(job.running for job in self._jobs)

    def show_task(self, task_id: int | None, quarter: Quarter | None = None) -> None:
        if task_id != self.task_id and not self.read_only_reason:
            self.hint.setText(DROP_HINT)  # what was said of the last task's materials is not of this one
        self.task_id = task_id
        if quarter is not None:
            self.quarter = quarter
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        self.items.clear()
        self._tree_items.clear()
        self.heading.setText(f"佐证材料(添加到{self.quarter.label})")
        if self.task_id is None:
            self._set_enabled(False)
            return
        try:
            items = ev.evidence_for_task(self.ledger, self.task_id)
        except UserError as exc:
            self._set_enabled(False)
            self._warn(exc.message)
            return
        self._set_enabled(True)
        groups: dict[Quarter, QTreeWidgetItem] = {}
        quarters = sorted({i.quarter for i in items} | {self.quarter}, reverse=True)
        for q in quarters:
            count = sum(1 for i in items if i.quarter == q)
            label = q.label
            header = QTreeWidgetItem([f"{label}({count} 项)" if count else f"{label}(还没有材料)"])
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = QFont(self.tree.font())
            font.setBold(True)
            header.setFont(0, font)
            if q == self.quarter:
                header.setForeground(0, self.palette().highlight())
            self.tree.addTopLevelItem(header)
            groups[q] = header
        for item in items:
            row = QTreeWidgetItem([self._text(item)])
            row.setData(0, EVIDENCE_ROLE, item.id)
            row.setToolTip(0, self._tooltip(item))
            row.setIcon(0, self._icon(item))
            row.setSizeHint(0, QSize(0, THUMB_SIZE + 8))
            groups[item.quarter].addChild(row)
            self.items[item.id] = item
            self._tree_items[item.id] = row
        self.tree.expandAll()
        self._request_visible_thumbnails()
        self._selection_changed()

    def set_read_only(self, reason: str) -> None:
        """Materials stay viewable and previewable; nothing can be added or removed."""
        self.read_only_reason = reason
        self.setAcceptDrops(False)
        self.paste_shortcut.setEnabled(False)
        self.hint.setText(f"只读:{reason}")
        self._set_enabled(self.task_id is not None)

    def _set_enabled(self, on: bool) -> None:
        self.tree.setEnabled(on)
        writable = on and not self.read_only_reason
        for widget in (self.add_files_button, self.add_url_button, self.add_note_button):
            widget.setEnabled(writable)
        if not on:
            self.remove_button.setEnabled(False)
            self.preview_button.setEnabled(False)

    def _text(self, item: Evidence) -> str:
        when = f"{item.added_at[:16].replace('T', ' ')} {item.added_by}"
        if item.kind == ev.KIND_FILE:
            detail = f"{ev.format_size(item.size)} · {when}"
        elif item.kind == ev.KIND_URL:
            published = f" · 发布于 {item.published_on}" if item.published_on else ""
            detail = f"{item.url}{published}"
        else:
            detail = f"说明 · {when}"
        name = item.name if len(item.name) <= 60 else item.name[:60] + "…"
        return f"{name}\n{detail}"

    def _tooltip(self, item: Evidence) -> str:
        lines = [item.name if item.kind != ev.KIND_NOTE else "说明"]
        if item.kind == ev.KIND_NOTE:
            lines.append(item.name)
        if item.url:
            lines.append(item.url)
        if item.published_on:
            lines.append(f"发布日期:{item.published_on}")
        if item.size is not None:
            lines.append(f"大小:{ev.format_size(item.size)}")
        lines.append(f"添加:{item.added_at[:16].replace('T', ' ')} {item.added_by}")
        if item.note:
            lines.append(f"备注:{item.note}")
        if item.kind == ev.KIND_FILE:
            lines.append("双击用系统程序打开" + (",空格键预览" if is_image(item) or is_pdf(item) else ""))
        elif item.kind == ev.KIND_URL:
            lines.append("双击在浏览器中打开")
        return "\n".join(lines)

    def _icon(self, item: Evidence) -> QIcon:
        return self.thumbnails.icon(item)

    def has_thumbnail(self, evidence_id: int) -> bool:
        item = self.items.get(evidence_id)
        return bool(item and self.thumbnails.has(item.sha256))

    # -- thumbnails -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._request_visible_thumbnails()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._request_visible_thumbnails()

    def _request_visible_thumbnails(self, *_: Any) -> None:
        """Only rows in view: a task with 300 screenshots reads a screenful."""
        if not self.isVisible():
            return
        viewport = self.tree.viewport().rect()
        for evidence_id, row in self._tree_items.items():
            item = self.items[evidence_id]
            if not self.thumbnails.wanted(item) or not self.tree.visualItemRect(row).intersects(viewport):
                continue
            path = ev.stored_path(self.ledger, item.sha256)
            if path is not None:
                self.thumbnails.request(item.sha256, path)

    def _thumbnail_ready(self, sha: str, icon: QIcon) -> None:
        for evidence_id, row in self._tree_items.items():
            if self.items[evidence_id].sha256 == sha:
                row.setIcon(0, icon)

    def wait_for_thumbnails(self, msecs: int = 5000) -> bool:
        """For tests and screenshots: let pending thumbnail reads finish."""
        return self.thumbnails.wait(msecs)

    # -- selection, opening, preview --------------------------------------------------

    def selected(self) -> list[Evidence]:
        ids = [row.data(0, EVIDENCE_ROLE) for row in self.tree.selectedItems()]
        return [self.items[i] for i in ids if i in self.items]

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.remove_button.setEnabled(bool(chosen) and not self.read_only_reason)
        self.preview_button.setEnabled(len(chosen) == 1 and (is_image(chosen[0]) or is_pdf(chosen[0])))

    # -- adding -----------------------------------------------------------------------

    def choose_files(self) -> None:
        if self.task_id is None:
            return
        paths = open_files(self, "选择佐证材料(可多选)", FILE_FILTERS, "evidence")
        if paths:
            self.attach_paths(paths)

    def attach_paths(self, paths: list[Path], image: QImage | None = None,
                     image_name: str | None = None) -> AttachTask | None:
        """Copy files (or save a pasted image as PNG and copy that) in the background."""
        if self.task_id is None or (not paths and image is None):
            return None
        folder, task_id, quarter = self.ledger.folder, self.task_id, self.quarter
        count = len(paths) + (1 if image is not None else 0)
        job = AttachTask(self, f"正在添加 {count} 个文件……")

        def work(own: Ledger) -> ev.AttachResult:
            scratch = None
            files = list(paths)
            try:
                if image is not None:
                    scratch = Path(tempfile.mkdtemp(prefix="zwgk-paste-"))
                    shot = scratch / (image_name or screenshot_name())
                    if not image.save(str(shot), "PNG"):
                        raise UserError("无法保存粘贴的截图,请重试,或先把截图保存为文件再添加。")
                    files.append(shot)
                return operations.evidence.attach_files(own, task_id, files, quarter, progress=job.report)
            finally:
                if scratch is not None:
                    shutil.rmtree(scratch, ignore_errors=True)

        def done(result: ev.AttachResult) -> None:
            self._after_change(task_id)
            if result.already:
                names = "、".join(f"“{n}”" for n in result.already)
                self.hint.setText(f"{names}已在{quarter.label}的材料中,未重复添加。")
            else:
                self.hint.setText(f"已添加 {len(result.added)} 个文件到{quarter.label}。")

        self._start(job, folder, work, done)
        return job

    def _start(self, job: BackgroundTask, folder: Path, work, done) -> None:
        self._jobs.append(job)

        def finished() -> None:
            if job in self._jobs:
                self._jobs.remove(job)
            job.deleteLater()

        job.finished.connect(finished)
        run_on_ledger(job, folder, work, done, what="添加佐证材料", parent=self, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ev.AttachCancelled):
            self.hint.setText(exc.message)
            return
        if isinstance(exc, UserError):
            self._warn(exc.message, "未能添加")
            return
        self._warn(failure_text(exc, "添加佐证材料", unchanged="没有添加任何材料。"),
                   "未能添加")

    def add_url(self, url: str = "", title: str = "") -> None:
        if self.task_id is None:
            return
        dialog = UrlDialog(self, url, title)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        address, page_title, published, note = dialog.values()
        self.attach_url(address, page_title, published, note)

    def attach_url(self, url: str, title: str | None = None, published: date | None = None,
                   note: str | None = None) -> Evidence | None:
        if self.task_id is None:
            return None
        try:
            item = operations.evidence.attach_url(self.ledger, self.task_id, url, title, published, self.quarter, note)
        except UserError as exc:
            self._warn(exc.message)
            return None
        self._after_change(self.task_id)
        self.hint.setText(f"已添加网页地址到{self.quarter.label}。")
        return item

    def add_note(self) -> None:
        if self.task_id is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, "添加说明", f"说明内容({self.quarter.label}):")
        if ok and text.strip():
            self.attach_note(text)

    def attach_note(self, text: str) -> Evidence | None:
        if self.task_id is None:
            return None
        try:
            item = operations.evidence.attach_note(self.ledger, self.task_id, text, self.quarter)
        except UserError as exc:
            self._warn(exc.message)
            return None
        self._after_change(self.task_id)
        self.hint.setText(f"已添加说明到{self.quarter.label}。")
        return item

    def remove_selected(self) -> None:
        chosen = self.selected()
        if not chosen or self.task_id is None:
            return
        task_id = self.task_id
        try:
            operations.evidence.move_to_bin(self.ledger, [item.id for item in chosen])
        except UserError as exc:
            self._warn(exc.message)
            return
        removed = [item.name for item in chosen]
        if removed:
            shown = "、".join(f"“{n[:20]}”" for n in removed[:3]) + ("等" if len(removed) > 3 else "")
            self.hint.setText(f"已把{shown}移到回收站,可在“回收站”中恢复。")
            self._after_change(task_id)

    def _after_change(self, task_id: int) -> None:
        if task_id == self.task_id:
            self.refresh()
        self.changed.emit(task_id)

    # -- messages ---------------------------------------------------------------------

    def _warn(self, message: str, title: str = "提示") -> None:
        QMessageBox.warning(self, title, message)
