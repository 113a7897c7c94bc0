"""Adding 佐证材料 without a dialog: files dragged onto the list, and Ctrl+V of copied
files, a screenshot (named after its task) or a page address, wherever the focus is on
the task shown (the list, the task panel, the table's one selected row), never in a
text box, where Ctrl+V pastes text.

A mixin of ``EvidenceView`` (it uses the view's ledger, task and its ways of adding).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from ..core import evidence as ev
from ..core.errors import UserError

#: Widgets where Ctrl+V pastes text, never a screenshot into the task.
TEXT_INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


def screenshot_name(moment: datetime | None = None, seq: int | None = None, short: str = "") -> str:
    """序号-简称-日期.png: a pasted screenshot is named after its task, so the 材料包
    and any copy handed out say what it shows."""
    stamp = f"{(moment or datetime.now()):%Y%m%d-%H%M%S}"
    short = ev.safe_filename("".join(short.split())[:12], fallback="") if short else ""
    parts = [str(seq)] if seq is not None else []
    parts += [short] if short else []
    return "-".join(parts + [f"截图{stamp}" if not parts else stamp]) + ".png"


class EvidencePaste:
    def _usable(self, mime: QMimeData) -> bool:
        return self.task_id is not None and (mime.hasUrls() or mime.hasImage())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._usable(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._usable(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.take_mime(event.mimeData()):
            event.acceptProposedAction()

    def paste_from(self, widget: QWidget) -> None:
        """Ctrl+V with the focus inside ``widget`` (the task panel around this view)
        pastes into the task shown here."""
        self._paste_scopes.append(widget)

    def _pastes_here(self, focus: QWidget | None) -> bool:
        """The focus is on the task shown here: in this view, in a widget given to
        paste_from, or on a table whose one selected row is this task. Never a text box
        (the note, the search box, a date): Ctrl+V there pastes text."""
        if focus is None or self.task_id is None:
            return False
        if isinstance(focus, TEXT_INPUTS) or (isinstance(focus, QComboBox) and focus.isEditable()):
            return False
        if focus is self or self.isAncestorOf(focus):
            return True
        if any(scope is focus or scope.isAncestorOf(focus) for scope in self._paste_scopes):
            return True
        return self._is_table_row_of_task(focus)

    def _is_table_row_of_task(self, focus: QWidget) -> bool:
        """The window's task table (a view whose model says which task a row is) with
        exactly this task selected."""
        view = focus if isinstance(focus, QAbstractItemView) else focus.parentWidget()
        if not isinstance(view, QAbstractItemView) or view.window() is not self.window():
            return False
        task_of_row = getattr(view.model(), "task_id", None)
        selection = view.selectionModel()
        if not callable(task_of_row) or selection is None:
            return False
        rows = {index.row() for index in selection.selectedRows()}
        return len(rows) == 1 and task_of_row(rows.pop()) == self.task_id

    def _paste_key(self) -> None:
        if self._pastes_here(QApplication.focusWidget()):
            self.paste()

    def paste(self) -> bool:
        """Ctrl+V: copied files, a screenshot, or a copied page address."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not self.take_mime(mime):
            if self.task_id is not None:
                self.hint.setText("剪贴板里没有可添加的截图、文件或网页地址。")
            return False
        return True

    def take_mime(self, mime: QMimeData) -> bool:
        if self.task_id is None:
            return False
        urls = mime.urls() if mime.hasUrls() else []
        local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if local:
            self.attach_paths(local)
            return True
        if mime.hasImage():
            data = mime.imageData()
            image = data if isinstance(data, QImage) else QPixmap(data).toImage() if data is not None else QImage()
            if not image.isNull():
                self.attach_paths([], image=QImage(image), image_name=self._screenshot_name())
                return True
        web = [u.toString() for u in urls if u.scheme() in ("http", "https")]
        if not web and mime.hasText() and ev.is_url(mime.text()):
            web = [mime.text().strip()]
        if web:
            self.add_url(web[0])
            return True
        return False

    def _screenshot_name(self) -> str:
        try:
            task = self.ledger.task(self.task_id) if self.task_id is not None else None
        except UserError:
            task = None
        if task is None:
            return screenshot_name()
        return screenshot_name(seq=task.seq, short=task.title or task.requirement)
