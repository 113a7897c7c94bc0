"""How the clerk gives a 本级单位 for a 上级单位: typed in a cell (several split by 、)
or read from a 上级单位 | 本级单位 sheet she chooses; and the colours of a unit still
missing one or only guessed. The derive dialog and its update view share them."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.errors import UserError
from .file_dialogs import open_file

MISSING = QColor("#ffd7d7")
GUESSED = QColor("#fff1c9")
_SPLIT = re.compile(r"[\u3001,\uff0c;\uff1b\n]")


def split_locals(text: str) -> list[str]:
    """县发改局、县财政局 -> [县发改局, 县财政局]."""
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]


def ask_mapping_file(parent: QWidget) -> dict[str, list[str]] | None:
    """导入对应表…: the 上级单位 | 本级单位 sheet the clerk chooses, or None (cancelled, or
    a file that is not one, said in a message)."""
    path = open_file(parent, "单位对应表", "表格 (*.xlsx *.xls *.csv *.et)", "directory")
    if path is None:
        return None
    from ..io.plan_writer import read_unit_mapping

    try:
        return read_unit_mapping(path)
    except UserError as exc:
        QMessageBox.warning(parent, "无法读取对应表", exc.message)
        return None
