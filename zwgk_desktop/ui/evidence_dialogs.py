"""The 佐证材料 list's dialogs: a page address to add, an image or PDF preview inside
the app, and the byte-counting progress dialog that copying and checking run under.

PDF preview needs the QtPdf module (package PySide6-Pdf); without it the view hands
the file to the system's viewer instead.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..core import evidence as ev
from ..core.errors import UserError
from ..core.model import Evidence
from .background import BackgroundTask
from .date_field import DateField
from .evidence_thumbnails import is_pdf
from .screen_fit import available_geometry, fit_to_screen
from .wheel_guard import guard_wheel


def pdf_preview_available() -> bool:
    try:
        from PySide6 import QtPdf, QtPdfWidgets  # noqa: F401
    except ImportError:
        return False
    return True


class ProgressTask(BackgroundTask):
    """Progress in bytes, with 取消: after 取消 the worker's next report raises
    ``cancel_error`` (for attaching: core.evidence then removes its temporary files
    and adds nothing)."""

    def __init__(self, parent: QWidget | None, label: str, verb: str = "正在复制",
                 cancel_error=ev.AttachCancelled) -> None:
        super().__init__(parent, label, cancel_error=cancel_error)
        self.verb = verb

    def describe(self, done: int, total: int, name: str) -> str:
        what = f"“{name}”" if name else ""
        return f"{self.verb}{what}\n{ev.format_size(done)} / {ev.format_size(total)}"


AttachTask = ProgressTask


class UrlDialog(QDialog):
    """网页地址 with its title and (optionally) publication date."""

    def __init__(self, parent: QWidget | None, url: str = "", title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("添加网页地址")
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("https://……(从浏览器地址栏复制)")
        self.title = QLineEdit(title)
        self.title.setPlaceholderText("网页标题,例如:关于……的通知")
        self.has_date = QCheckBox("发布日期:")
        self.published = DateField()  # typed days mean what was typed; no wheel
        self.published.setEnabled(False)
        self.has_date.toggled.connect(self.published.setEnabled)
        self.note = QLineEdit()
        self.note.setPlaceholderText("可不填")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("网页地址:", self.url)
        form.addRow("标题:", self.title)
        date_row = QHBoxLayout()
        date_row.addWidget(self.published)
        date_row.addStretch(1)
        form.addRow(self.has_date, date_row)
        form.addRow("备注:", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        wide = max(520, 36 * self.fontMetrics().horizontalAdvance("中"))  # a whole address shows
        fit_to_screen(self, (wide, self.sizeHint().height()))
        self.setMinimumWidth(self.width())
        guard_wheel(self)

    def _check(self) -> None:
        try:
            ev.normalise_url(self.url.text())
        except UserError as exc:
            self.problem.setText(exc.message)
            return
        self.accept()

    def values(self) -> tuple[str, str | None, date | None, str | None]:
        self.published.line.editingFinished.emit()  # a day typed but not yet left counts
        published = self.published.date() if self.has_date.isChecked() else None
        return (self.url.text().strip(), self.title.text().strip() or None, published,
                self.note.text().strip() or None)


class PreviewDialog(QDialog):
    """An image or a PDF inside the app; the stored file is only read."""

    def __init__(self, parent: QWidget | None, item: Evidence, path: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"预览 — {item.name}")
        layout = QVBoxLayout(self)
        area = available_geometry(parent)
        fit_to_screen(self, (int(area.width() * 0.7), int(area.height() * 0.8)))
        self.document = None
        self._pixmap = QPixmap()
        if is_pdf(item):
            from PySide6.QtPdf import QPdfDocument
            from PySide6.QtPdfWidgets import QPdfView

            self.document = QPdfDocument(self)
            self.document.load(str(path))
            view = QPdfView(self)
            view.setPageMode(QPdfView.PageMode.MultiPage)
            view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            view.setDocument(self.document)
            layout.addWidget(view)
            self.viewer: QWidget = view
        else:
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumSize(1, 1)
            reader = QImageReader(str(path))
            reader.setAutoTransform(True)
            screen_box = QSize(area.width(), area.height())
            size = reader.size()
            if size.isValid() and (size.width() > screen_box.width() or size.height() > screen_box.height()):
                # a 50-megapixel photo: decode at screen size, not at full size
                reader.setScaledSize(size.scaled(screen_box, Qt.AspectRatioMode.KeepAspectRatio))
            image = reader.read()
            self._pixmap = QPixmap() if image.isNull() else QPixmap.fromImage(image)
            if self._pixmap.isNull():
                label.setText("无法显示这张图片,请双击用系统程序打开。")
            layout.addWidget(label, 1)
            self.viewer = label
            self._fit()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _fit(self) -> None:
        """Show the image whole: scaled down to the space there is, never up."""
        if self.document is not None or self._pixmap.isNull():
            return
        box = self.viewer.contentsRect().size()
        if box.width() < 10 or box.height() < 10:
            box = QSize(self.width() - 40, self.height() - 80)
        pixmap = self._pixmap
        if pixmap.width() > box.width() or pixmap.height() > box.height():
            pixmap = pixmap.scaled(box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.viewer.setPixmap(pixmap)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()
