"""Dialogs that fit the clerk's screen: a 1366×768 laptop keeps about 1366×728 for
windows once the taskbar is drawn, and the title bar takes some 30 px of that. A dialog
asks for the size it would like; it gets no more than the screen can show, so its
bottom buttons are never below the edge. And a block of text that may be very long
(a 30,000-character 具体要求, a dozen group warnings) scrolls in a box of a few lines
instead of pushing everything under it off the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget

__all__ = ["FRAME", "CappedText", "available_geometry", "fit_to_screen", "room_on_screen"]

#: The window frame around a dialog's contents: borders and the title bar.
FRAME = QSize(16, 40)


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The part of the widget's screen that windows may use (without the taskbar)."""
    screen = None
    if widget is not None:
        parent = widget.parentWidget()
        screen = (parent.window().screen() if parent is not None else None) or widget.screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def room_on_screen(widget: QWidget | None = None) -> QSize:
    """The largest contents a dialog may have, its frame and title bar counted."""
    area = available_geometry(widget)
    return QSize(max(area.width() - FRAME.width(), 200), max(area.height() - FRAME.height(), 150))


def fit_to_screen(dialog: QWidget, preferred: QSize | tuple[int, int]) -> QSize:
    """Resize ``dialog`` to ``preferred`` (what it would like on a large screen), or
    less where the screen is smaller. Returns the size given. The dialog's layout
    must be able to shrink that far: tests/ui/test_screen_fit.py checks that."""
    wanted = preferred if isinstance(preferred, QSize) else QSize(*preferred)
    room = room_on_screen(dialog)
    size = QSize(min(wanted.width(), room.width()), min(wanted.height(), room.height()))
    dialog.resize(size)
    return size


class CappedText(QScrollArea):
    """Wrapped text, as tall as it needs up to ``lines`` lines; longer text scrolls in
    its own box (the tooltip says so)."""

    def __init__(self, lines: int, parent: QWidget | None = None, *, selectable: bool = True,
                 capped_hint: str = "内容较长,可在此框内滚动查看全文。") -> None:
        super().__init__(parent)
        self.lines = lines
        self.capped_hint = capped_hint
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if selectable:
            self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._height = -1

    def setText(self, text: str) -> None:  # noqa: N802 (as QLabel's)
        self.label.setText(text)
        self.verticalScrollBar().setValue(0)
        self._fit()

    def text(self) -> str:
        return self.label.text()

    def setStyleSheet(self, sheet: str) -> None:  # noqa: N802 (as QWidget's): the text's colour
        self.label.setStyleSheet(sheet)

    def cap(self) -> int:
        return self.label.fontMetrics().lineSpacing() * self.lines

    def is_capped(self) -> bool:
        return self._needed() > self.cap()

    def _needed(self) -> int:
        width = max(self.width() - 2 * self.frameWidth(), 50)
        return self.label.heightForWidth(width) if self.label.text() else 0

    def _fit(self) -> None:
        height = min(self._needed(), self.cap()) + 2 * self.frameWidth()
        if height != self._height:
            self._height = height
            self.setFixedHeight(height)
        self.setToolTip(self.capped_hint if self.is_capped() else "")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(self.label.minimumSizeHint().width(), max(self._height, 0))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.minimumSizeHint()
