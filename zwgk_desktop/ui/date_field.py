"""A date the clerk types or picks, meaning exactly what was typed.

A QDateEdit types into one section at a time: typing 2023-09-20 over a selected date
gave 2026-09-20, and its wheel changes the date under a passing pointer. This field
is a line edit (no wheel, any usual form: 2023-09-20, 2023/9/20, 2023年9月20日) with a
calendar button, and it reports a date only when the clerk finished an edit.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from ..core.dates import parse_day
from ..core.errors import UserError


class DateField(QWidget):
    """``edited(date)``: the clerk finished typing a new day or picked one.
    ``invalid(message)``: what was typed is not a day (the field shows the last day again)."""

    edited = Signal(object)
    invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._day: date = date.today()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.line = QLineEdit()
        self.line.setPlaceholderText("年-月-日")
        self.line.setToolTip("可直接输入,例如 2023-09-20、2023/9/20、2023年9月20日;或点右边的按钮选择")
        self._fit_width()
        self.button = QToolButton()
        self.button.setText("…")
        self.button.setToolTip("从日历中选择")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        menu = QMenu(self.button)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        self.button.setMenu(menu)
        layout.addWidget(self.line)
        layout.addWidget(self.button)
        self.line.editingFinished.connect(self._typed)
        self.calendar.clicked.connect(self._picked)
        self._show(self._day)

    def _fit_width(self) -> None:
        """Wide enough for a whole date in the current font (大字模式 included)."""
        width = self.line.fontMetrics().horizontalAdvance("2026-12-31") + 28
        self.line.setMinimumWidth(width)
        self.line.setMaximumWidth(width + 16)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange):
            self._fit_width()
        super().changeEvent(event)

    def date(self) -> date:
        return self._day

    def set_date(self, day: date) -> None:
        """Show a day without it counting as the clerk's edit."""
        self._day = day
        self._show(day)

    def set_blank(self, why: str) -> None:
        """No day to show (a task never ticked has none): the field stays empty and says
        why, rather than showing today's date as if it were on record."""
        self._day = date.today()
        self.line.clear()
        self.line.setPlaceholderText(why)

    def _show(self, day: date) -> None:
        self.line.setPlaceholderText("年-月-日")
        self.line.setText(day.isoformat())
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _typed(self) -> None:
        text = self.line.text().strip()
        if text == self._day.isoformat():
            return
        try:
            day = parse_day(text)
        except UserError as exc:
            self._show(self._day)
            self.invalid.emit(exc.message)
            return
        self._accept(day)

    def _picked(self, value: QDate) -> None:
        self.button.menu().hide()
        self._accept(date(value.year(), value.month(), value.day()))

    def _accept(self, day: date) -> None:
        changed = day != self._day
        self.set_date(day)
        if changed:
            self.edited.emit(day)
