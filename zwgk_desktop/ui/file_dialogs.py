"""Choosing files and folders: one rule for every 保存/打开/选择文件夹 of the app.

A clerk saves the quarter's export, the fill-ins and the backup to the same few
folders every time. Each kind of file (``kind``: "export", "fill_in", "evidence",
"backup", …) remembers the folder used last, between starts, so the dialog opens
there; the first time it opens in 文档 (Documents), never in a program folder.

Windows gets its own native dialog (what clerks know, with their 快速访问 places). On
Linux Qt's own dialog is used: the desktop's native one (GTK portal) may be missing
or English on UOS/Kylin, while Qt's is translated with the app's Qt translation and
the words it lacks (ui/qt_translations). Two things no translation reaches: the 修改日期
and 体积 columns are formatted by Qt in the *system* locale ("30 11 2023", "12 bytes"
on a machine set to English or C), so ``make_chinese`` paints them in Chinese
(2023/11/30 14:05, 12 KB). Each of the dialogs below gets it as it is shown.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QEvent, QLocale, QModelIndex, QObject, QStandardPaths, QTime
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFileSystemModel,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from . import settings as app_settings
from .qt_translations import chinese_locale

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


#: The columns of Qt's file list whose text Qt formats in the system locale.
SIZE_COLUMN, DATE_COLUMN = 1, 3


def file_size_text(size: int) -> str:
    """As the Windows dialog says it: 0 字节, 812 字节, 12.1 KB, 3.4 MB (the evidence list's words)."""
    from ..core.evidence.names import format_size

    return format_size(size)


class ChineseDetails(QStyledItemDelegate):
    """Paints the 体积 and 修改日期 cells of Qt's file list in Chinese."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._locale = chinese_locale()

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.text = self.text(index, option.text)

    def sample_date(self) -> str:
        return self._locale.toString(QDateTime(QDate(2023, 12, 31), QTime(23, 59)), QLocale.FormatType.ShortFormat)

    def text(self, index: QModelIndex, qt_text: str) -> str:
        model = index.model()
        if not isinstance(model, QFileSystemModel):
            return qt_text
        if index.column() == DATE_COLUMN:
            return self._locale.toString(model.lastModified(index), QLocale.FormatType.ShortFormat)
        if index.column() == SIZE_COLUMN and not model.isDir(index):
            return file_size_text(model.size(index))
        return qt_text


def make_chinese(dialog: QFileDialog) -> None:
    """What the translation cannot do for Qt's own dialog (the module's docstring).
    Idempotent; nothing for a native dialog."""
    if not dialog.testOption(QFileDialog.Option.DontUseNativeDialog):
        return
    for view in dialog.findChildren(QTreeView, "treeView"):
        if not isinstance(view.itemDelegateForColumn(DATE_COLUMN), ChineseDetails):
            details = ChineseDetails(view)
            view.setItemDelegateForColumn(SIZE_COLUMN, details)
            view.setItemDelegateForColumn(DATE_COLUMN, details)
            _widen(view, details)
    for sidebar in dialog.findChildren(QListView, "sidebar"):
        _widen_sidebar(sidebar)


def sidebar_width(sidebar: QListView) -> int:
    """Room for the longest place name (计算机, the clerk's home folder), up to 12
    characters: in 大字模式 Qt's default cut 计算机 to «计…»."""
    model, metrics = sidebar.model(), sidebar.fontMetrics()
    widest = max((sidebar.sizeHintForIndex(model.index(row, 0)).width() for row in range(model.rowCount())),
                 default=0)
    widest = min(widest, metrics.horizontalAdvance("文") * 14)
    return widest + 2 * sidebar.frameWidth() + metrics.horizontalAdvance("文")


def _widen_sidebar(sidebar: QListView) -> None:
    sidebar.setMinimumWidth(max(sidebar.minimumWidth(), sidebar_width(sidebar)))


def _widen(view: QTreeView, details: ChineseDetails) -> None:
    """Qt's default widths cut 2023/11/30 14:05 and 电子表格 to «2023/1…»."""
    metrics = view.fontMetrics()
    pad = metrics.horizontalAdvance("文") * 2
    wanted = {SIZE_COLUMN: metrics.horizontalAdvance("1023.9 MB") + pad,
              2: metrics.horizontalAdvance("文") * 10 + pad,
              DATE_COLUMN: metrics.horizontalAdvance(details.sample_date()) + pad}
    for column, width in wanted.items():
        view.setColumnWidth(column, max(view.columnWidth(column), width))


class _ShownFileDialogs(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show and isinstance(watched, QFileDialog):
            make_chinese(watched)
        return False


@contextmanager
def _chinese_dialogs() -> Iterator[None]:
    """QFileDialog's static functions build their dialog inside: catch it as it is
    shown. The filter watches the application only while the dialog is open."""
    app = QApplication.instance()
    if app is None or use_native_dialog():
        yield
        return
    watcher = _ShownFileDialogs()
    app.installEventFilter(watcher)
    try:
        yield
    finally:
        app.removeEventFilter(watcher)
        watcher.deleteLater()


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
    with _chinese_dialogs():
        path, chosen = QFileDialog.getSaveFileName(parent, title, str(start), filters, "", dialog_options())
    if not path:
        return None
    result = _with_suffix(Path(path), chosen, filters)
    remember_folder(kind, result.parent)
    return result


def open_files(parent: QWidget | None, title: str, filters: str, kind: str) -> list[Path]:
    """Choose one or more files to read; [] when the clerk cancels."""
    with _chinese_dialogs():
        paths, _ = QFileDialog.getOpenFileNames(parent, title, str(last_folder(kind)), filters, "", dialog_options())
    if paths:
        remember_folder(kind, Path(paths[0]).parent)
    return [Path(p) for p in paths]


def open_file(parent: QWidget | None, title: str, filters: str, kind: str) -> Path | None:
    """Choose one file to read; None when the clerk cancels."""
    with _chinese_dialogs():
        path, _ = QFileDialog.getOpenFileName(parent, title, str(last_folder(kind)), filters, "", dialog_options())
    if not path:
        return None
    remember_folder(kind, Path(path).parent)
    return Path(path)


def choose_folder(parent: QWidget | None, title: str, kind: str, start: str | Path | None = None) -> Path | None:
    """Choose a folder (to write several files into); None when the clerk cancels."""
    begin = Path(start) if start and Path(start).is_dir() else last_folder(kind)
    options = dialog_options() | QFileDialog.Option.ShowDirsOnly
    with _chinese_dialogs():
        folder = QFileDialog.getExistingDirectory(parent, title, str(begin), options)
    if not folder:
        return None
    remember_folder(kind, folder)
    return Path(folder)
