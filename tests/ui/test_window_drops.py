"""The 导入分解表 file dialog offers every kind of file the readers take as a plan."""

from __future__ import annotations

from zwgk_desktop.io.read_support import SHEET_EXTS, TEXT_EXTS, WORD_EXTS
from zwgk_desktop.ui.window_drops import IMPORTABLE


def test_the_import_filter_lists_saved_web_pages_and_only_what_is_read() -> None:
    offered = {pattern.removeprefix("*") for pattern in IMPORTABLE}
    assert {".htm", ".html", ".txt", ".csv", ".docx", ".xlsx", ".xls"} <= offered
    assert offered <= SHEET_EXTS | WORD_EXTS | TEXT_EXTS
