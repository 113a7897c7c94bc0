"""Choosing files and folders: one rule for every 保存/打开/选择文件夹 of the app.

A clerk saves the quarter's export, the fill-ins and the backup to the same few
folders every time. Each kind of file (``kind``: "export", "fill_in", "evidence",
"backup", …) remembers the folder used last, between starts, so the dialog opens
there; the first time it opens in 文档 (Documents), never in a program folder.

Windows gets its own native dialog (what clerks know, with their 快速访问 places). On
Linux Qt's own dialog is used: the desktop's native one (GTK portal) may be missing
or English on UOS/Kylin, while Qt's is translated with the app's Qt translation.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from . import settings as app_settings

#: Settings key of a kind's folder: ``last_folder/export``.
_KEY = "last_folder/{kind}"
_PATTERN_RE = re.compile(r"\*(\.[^\s;)]+)")


def use_native_dialog(platform: str | None = None) -> bool:
    """The native dialog on Windows only (see the module's docstring)."""
    return (platform or sys.platform).startswith("win")


def dialog_options(platform: str | None = None) -> QFileDialog.Option:
    """The options every file dialog of the app is opened with."""
    if use_native_dialog(platform):
        return QFileDialog.Option(0)
    return QFileDialog.Option.DontUseNativeDialog


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def last_folder(kind: str) -> Path:
    """The folder this kind of file was last saved to or opened from; 文档 the first
    time, and when that folder is gone (a U 盘 not plugged in)."""
    value = str(app_settings.settings().value(_KEY.format(kind=kind), "") or "")
    if value and Path(value).is_dir():
        return Path(value)
    return documents_folder()


def remember_folder(kind: str, folder: str | Path) -> None:
    """Open the next dialog of this kind in ``folder``."""
    app_settings.settings().setValue(_KEY.format(kind=kind), str(Path(folder)))


def _with_suffix(path: Path, chosen_filter: str, filters: str) -> Path:
    """Qt's own dialog does not add the filter's extension: "报上级" becomes "报上级.xlsx".
    A name that already ends with one of the filter's extensions is kept."""
    patterns = _PATTERN_RE.findall(chosen_filter or filters.split(";;")[0])
    if not patterns or any(path.name.lower().endswith(p.lower()) for p in patterns):
        return path
    return path.with_name(path.name + patterns[0])


def save_file(parent: QWidget | None, title: str, suggested_name: str, filters: str, kind: str) -> Path | None:
    """Ask where to save; None when the clerk cancels. ``suggested_name`` is a bare name
    (it opens in the kind's folder) or a full path (that folder is used)."""
    suggested = Path(suggested_name)
    start = suggested if suggested.is_absolute() else last_folder(kind) / suggested_name
    path, chosen = QFileDialog.getSaveFileName(parent, title, str(start), filters, "", dialog_options())
    if not path:
        return None
    result = _with_suffix(Path(path), chosen, filters)
    remember_folder(kind, result.parent)
    return result


def open_files(parent: QWidget | None, title: str, filters: str, kind: str) -> list[Path]:
    """Choose one or more files to read; [] when the clerk cancels."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(last_folder(kind)), filters, "", dialog_options())
    if paths:
        remember_folder(kind, Path(paths[0]).parent)
    return [Path(p) for p in paths]


def open_file(parent: QWidget | None, title: str, filters: str, kind: str) -> Path | None:
    """Choose one file to read; None when the clerk cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(last_folder(kind)), filters, "", dialog_options())
    if not path:
        return None
    remember_folder(kind, Path(path).parent)
    return Path(path)


def choose_folder(parent: QWidget | None, title: str, kind: str, start: str | Path | None = None) -> Path | None:
    """Choose a folder (to write several files into); None when the clerk cancels."""
    begin = Path(start) if start and Path(start).is_dir() else last_folder(kind)
    options = dialog_options() | QFileDialog.Option.ShowDirsOnly
    folder = QFileDialog.getExistingDirectory(parent, title, str(begin), options)
    if not folder:
        return None
    remember_folder(kind, folder)
    return Path(folder)
