"""Thumbnails and icons for the 佐证材料 list.

An image is read off the GUI thread (QImageReader at a reduced size), only when its
row scrolls into view, and cached by SHA-256: content never changes under a hash, so a
cached thumbnail is never stale. Other files get the system's icon for their type with
the extension written on it (icon themes on UOS/Kylin often draw every document alike).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QFileInfo, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import QFileIconProvider, QStyle, QWidget

from ..core import evidence as ev
from ..core.model import Evidence

THUMB_SIZE = 64
THUMB_CACHE = 400
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def is_image(item: Evidence) -> bool:
    if item.kind != ev.KIND_FILE:
        return False
    return bool(item.mime and item.mime.startswith("image/")) or Path(item.name).suffix.lower() in IMAGE_SUFFIXES


def is_pdf(item: Evidence) -> bool:
    return item.kind == ev.KIND_FILE and (item.mime == "application/pdf" or item.name.lower().endswith(".pdf"))


def square_thumbnail(image: QImage, ratio: float) -> QPixmap:
    """A thumbnail centred on a transparent square, so every row's text lines up."""
    edge = int(THUMB_SIZE * ratio)
    canvas = QPixmap(edge, edge)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.drawImage((edge - image.width()) // 2, (edge - image.height()) // 2, image)
    painter.setPen(QColor(0, 0, 0, 60))
    painter.drawRect((edge - image.width()) // 2, (edge - image.height()) // 2, image.width() - 1, image.height() - 1)
    painter.end()
    canvas.setDevicePixelRatio(ratio)
    return canvas


def badged_icon(icon: QIcon, label: str, ratio: float) -> QIcon:
    """The system's icon for a file type with its extension written on it (icon themes
    on UOS/Kylin often draw every document alike)."""
    ratio = max(1.0, ratio)
    edge = int(THUMB_SIZE * ratio)
    canvas = QPixmap(edge, edge)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    inner = int(edge * 0.75)
    painter.drawPixmap((edge - inner) // 2, 0, icon.pixmap(inner, inner))
    if label:
        colour = BADGE_COLOURS.get(label, QColor("#607d8b"))
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(int(edge * 0.2))
        painter.setFont(font)
        width = painter.fontMetrics().horizontalAdvance(label) + int(edge * 0.12)
        box = (int((edge - width) / 2), int(edge * 0.62), width, int(edge * 0.3))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(*box, 3 * ratio, 3 * ratio)
        painter.setPen(QColor("white"))
        painter.drawText(*box, Qt.AlignmentFlag.AlignCenter, label)
    painter.end()
    canvas.setDevicePixelRatio(ratio)
    return QIcon(canvas)


BADGE_COLOURS = {"网页": QColor("#00838f"), "说明": QColor("#6a1b9a"), "PDF": QColor("#c62828"), "OFD": QColor("#c62828"), "DOC": QColor("#1565c0"),
                 "DOCX": QColor("#1565c0"), "WPS": QColor("#1565c0"), "XLS": QColor("#2e7d32"),
                 "XLSX": QColor("#2e7d32"), "ET": QColor("#2e7d32"), "PPT": QColor("#e65100"),
                 "PPTX": QColor("#e65100"), "ZIP": QColor("#6d4c41"), "RAR": QColor("#6d4c41")}


class _ThumbSignals(QObject):
    loaded = Signal(str, QImage)


class _ThumbJob(QRunnable):
    """Reads one image at thumbnail size on a pool thread."""

    def __init__(self, path: Path, sha256: str, edge: int, signals: _ThumbSignals) -> None:
        super().__init__()
        self.path, self.sha256, self.edge, self.signals = path, sha256, edge, signals
        self.setAutoDelete(True)

    def run(self) -> None:
        reader = QImageReader(str(self.path))
        reader.setAutoTransform(True)  # photos from phones carry their rotation in EXIF
        size = reader.size()
        if size.isValid() and (size.width() > self.edge or size.height() > self.edge):
            reader.setScaledSize(size.scaled(self.edge, self.edge, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull() and (image.width() > self.edge or image.height() > self.edge):
            image = image.scaled(self.edge, self.edge, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        try:
            self.signals.loaded.emit(self.sha256, image)
        except RuntimeError:  # the view went away meanwhile
            pass


class Thumbnails(QObject):
    """The icon of every row: a cached thumbnail for an image, else a badged file-type
    icon. ``ready(sha256, icon)`` when a thumbnail asked for with :meth:`request` has
    been read (possibly long after, on the GUI thread)."""

    ready = Signal(str, QIcon)

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self._thumbs: OrderedDict[str, QIcon] = OrderedDict()
        self._pending: set[str] = set()
        self._providers = QFileIconProvider()
        self._file_icons: dict[str, QIcon] = {}
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _ThumbSignals(self)
        self._signals.loaded.connect(self._loaded, Qt.ConnectionType.QueuedConnection)

    def _ratio(self) -> float:
        return max(1.0, self.owner.devicePixelRatioF())

    def has(self, sha256: str | None) -> bool:
        return bool(sha256) and sha256 in self._thumbs

    def wanted(self, item: Evidence) -> bool:
        """An image whose thumbnail is neither cached nor being read."""
        sha = item.sha256
        return bool(sha) and is_image(item) and sha not in self._thumbs and sha not in self._pending

    def request(self, sha256: str, path: Path) -> None:
        self._pending.add(sha256)
        self._pool.start(_ThumbJob(path, sha256, int(THUMB_SIZE * self._ratio()), self._signals))

    @Slot(str, QImage)
    def _loaded(self, sha: str, image: QImage) -> None:
        self._pending.discard(sha)
        if image.isNull():
            return
        icon = QIcon(square_thumbnail(image, self._ratio()))
        self._thumbs[sha] = icon
        while len(self._thumbs) > THUMB_CACHE:
            self._thumbs.popitem(last=False)
        self.ready.emit(sha, icon)

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def icon(self, item: Evidence) -> QIcon:
        style = self.owner.style()
        if item.kind in (ev.KIND_URL, ev.KIND_NOTE):
            key = f"<{item.kind}>"
            if key not in self._file_icons:
                base = style.standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon if item.kind == ev.KIND_URL
                                          else QStyle.StandardPixmap.SP_FileIcon)
                self._file_icons[key] = badged_icon(base, ev.KIND_NAMES[item.kind], self.owner.devicePixelRatioF())
            return self._file_icons[key]
        if item.sha256 and item.sha256 in self._thumbs:
            self._thumbs.move_to_end(item.sha256)
            return self._thumbs[item.sha256]
        ext = Path(item.name).suffix.lower()
        if ext not in self._file_icons:
            icon = self._providers.icon(QFileInfo(item.name))
            if icon.isNull():
                icon = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
            self._file_icons[ext] = badged_icon(icon, ext[1:].upper()[:4], self.owner.devicePixelRatioF())
        return self._file_icons[ext]
