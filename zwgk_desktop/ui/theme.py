"""Fonts: a readable Chinese UI font at a normal or a large size (大字模式)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

PREFERRED_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
                      "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback")
NORMAL_POINTS = 10
LARGE_POINTS = 13


def apply_font_size(large: bool) -> None:
    app = QApplication.instance()
    if app is None:
        return
    font = QFont(app.font())
    families = set(QFontDatabase.families())
    for family in PREFERRED_FAMILIES:
        if family in families:
            font.setFamily(family)
            break
    font.setPointSize(LARGE_POINTS if large else NORMAL_POINTS)
    QApplication.setFont(font)
    # Two kinds of widget do not follow the application's font on their own: those with a
    # style sheet (Qt resolved their font when the sheet was set) and those given a font
    # of their own (a heading). Without this, 大字模式 left them at the old size.
    for widget in QApplication.allWidgets():
        scale = widget.property(_SCALE)
        if scale is not None:
            _apply_scale(widget, font, float(scale), bool(widget.property(_BOLD)))
        elif widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


_SCALE, _BOLD = "zwgkFontScale", "zwgkFontBold"


def scale_font(widget: QWidget, scale: float, *, bold: bool = False) -> None:
    """Give ``widget`` the application's font times ``scale`` (a heading), and keep it so
    when 大字模式 is switched on or off."""
    widget.setProperty(_SCALE, scale)
    widget.setProperty(_BOLD, bold)
    app = QApplication.instance()
    _apply_scale(widget, QApplication.font() if app is not None else widget.font(), scale, bold)


def _apply_scale(widget: QWidget, base: QFont, scale: float, bold: bool) -> None:
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)
