"""The mouse wheel scrolls; it never changes a value the clerk did not click into.

Qt's combo boxes and spin boxes (date edits included) take focus from the wheel and
change their value under a pointer that is only passing over them while the clerk
scrolls a panel. That wrote completions nobody made. Guarded widgets take focus only
from a click or Tab, and a wheel turned over one without focus goes to the scroll area
behind it, so scrolling keeps scrolling.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED_TYPES = (QComboBox, QAbstractSpinBox)
_GUARDED_PROPERTY = "zwgkWheelGuarded"


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        assert isinstance(event, QWheelEvent)
        area = _scroll_area_around(watched)
        if area is not None:
            # Handed to the scroll area behind the widget, as if the widget were not
            # there. (Qt would pass an ignored event on only when it came from the
            # mouse itself, not when it was synthesized.)
            viewport = area.viewport()
            position = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
            QApplication.sendEvent(viewport, QWheelEvent(
                position, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                event.buttons(), event.modifiers(), event.phase(), event.inverted(), event.source()))
        event.accept()
        return True


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


_guard: _WheelGuard | None = None


def guard_widget(widget: QWidget) -> None:
    """Guard one combo or spin box (for widgets created after their window)."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard()
    if widget.property(_GUARDED_PROPERTY):
        return
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_guard)
    widget.setProperty(_GUARDED_PROPERTY, True)


def guard_wheel(root: QWidget) -> None:
    """Guard every combo and spin box inside ``root`` (a window, dialog or panel)."""
    for widget in root.findChildren(QWidget):
        if isinstance(widget, GUARDED_TYPES):
            guard_widget(widget)


def is_guarded(widget: QWidget) -> bool:
    return bool(widget.property(_GUARDED_PROPERTY))
