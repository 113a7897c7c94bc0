"""Fonts: a readable Chinese UI font at a normal or a large size (大字模式)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

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
