"""Qt's own file dialog (used on UOS/Kylin) says everything in Chinese: every label,
button, tooltip, column heading, context-menu entry and cell, in the 打开, 保存 and
选择文件夹 modes, with the app's translations installed as app.main installs them;
dates and sizes in Chinese whatever the system locale (C here)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QListView,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from zwgk_desktop.ui import file_dialogs as fd
from zwgk_desktop.ui.qt_translations import QT_GAPS, QtGaps, install_qt_translations, remove_qt_translations
from zwgk_desktop.ui.theme import apply_font_size

CJK = re.compile(r"[\u3400-\u9fff]")
#: What may stay Latin in a Chinese text: file patterns, size units, key names.
ALLOWED = re.compile(r"\*\.\w+|\*|\b[KMGT]B\b|\b(Ctrl|Alt|Shift|Del)\b")
MTIME = datetime(2023, 9, 28, 14, 5)
FILTERS = "Excel 工作簿 (*.xlsx);;所有文件 (*)"


def latin_only(text: str) -> bool:
    """English a clerk would have to read: Latin words and no Chinese at all."""
    plain = ALLOWED.sub("", text.replace("&", ""))
    return bool(re.search(r"[A-Za-z]{2,}", plain)) and not CJK.search(text)


@pytest.fixture
def chinese_app(qapp: QApplication) -> Iterator[QApplication]:
    """The app's Qt translations and default locale, as app.main sets them."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    installed = install_qt_translations(qapp)
    assert len(installed) == 2, "qtbase_zh_CN.qm did not load"
    yield qapp
    remove_qt_translations(qapp, installed)
    QLocale.setDefault(before)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    base = tmp_path / "报送"
    (base / "三季度").mkdir(parents=True)
    (base / "reports").mkdir()
    for name, size in (("任务表.xlsx", 12345), ("notes.xlsx", 1), ("材料.zzz", 5000), ("说明.docx", 0)):
        path = base / name
        path.write_bytes(b"x" * size)
        os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    os.utime(base / "reports", (MTIME.timestamp(), MTIME.timestamp()))
    return base


def dialog_in(mode: str, start: Path) -> QFileDialog:
    dialog = QFileDialog(None, "选择文件", str(start), FILTERS)
    dialog.setOptions(fd.dialog_options("linux"))
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    elif mode == "folder":
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    return dialog


def cell_text(view: QTreeView, index: QModelIndex) -> str:
    """The text as the view paints it (through the column's delegate)."""
    option = QStyleOptionViewItem()
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.text


def listed(view: QTreeView) -> dict[str, list[str]]:
    """Each row of the file list: name -> the texts of 体积, 类型, 修改日期."""
    model, root = view.model(), view.rootIndex()
    return {model.index(row, 0, root).data(): [cell_text(view, model.index(row, column, root))
                                               for column in (1, 2, 3)]
            for row in range(model.rowCount(root))}


def visible_texts(dialog: QFileDialog) -> list[tuple[str, str]]:
    """(where, text) for every piece of text the dialog shows or can show in a menu,
    except data: paths, folder and file names."""
    texts: list[tuple[str, str]] = [("title", dialog.windowTitle())]
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog):
            continue
        name = widget.objectName() or type(widget).__name__
        if widget.toolTip():
            texts.append((f"{name} tooltip", widget.toolTip()))
        if isinstance(widget, (QLabel, QAbstractButton)) and widget.text():
            texts.append((name, widget.text()))
        if isinstance(widget, QComboBox) and name != "lookInCombo":  # lookInCombo: paths
            texts += [(name, widget.itemText(i)) for i in range(widget.count())]
    for action in dialog.findChildren(QAction):  # the list's and the header's context menus
        if action.text():
            texts.append((f"menu {action.objectName()}", action.text()))
    view = dialog.findChild(QTreeView, "treeView")
    model = view.model()
    for column in range(model.columnCount(view.rootIndex())):
        texts.append(("heading", str(model.headerData(column, Qt.Orientation.Horizontal))))
    for name, cells in listed(view).items():
        texts += [(f"row {name}", text) for text in cells if text]
    sidebar = dialog.findChild(QListView, "sidebar")
    for row in range(sidebar.model().rowCount()):
        index = sidebar.model().index(row, 0)
        url = index.data(Qt.ItemDataRole.UserRole + 1)
        if url is not None and url.toLocalFile() not in ("", "/"):
            continue  # a folder of the clerk's (home): its name is data
        texts.append(("sidebar", index.data()))
    return texts


def shown(dialog: QFileDialog, qtbot, rows: int) -> QTreeView:
    qtbot.addWidget(dialog)
    dialog.resize(900, 520)
    dialog.show()
    qtbot.waitExposed(dialog)
    fd.make_chinese(dialog)
    view = dialog.findChild(QTreeView, "treeView")
    qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) == rows and all(
        cells[1] for cells in listed(view).values()), timeout=5000)
    return view


@pytest.mark.parametrize("mode", ["open", "save", "folder"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_text_of_qt_file_dialog_is_chinese(chinese_app, folder: Path, qtbot, mode: str,
                                                 large: bool, tmp_path: Path) -> None:
    apply_font_size(large)
    dialog = dialog_in(mode, folder)
    view = shown(dialog, qtbot, rows=2 if mode == "folder" else 4)
    texts = visible_texts(dialog)
    assert len(texts) > 20, texts  # the walk found the dialog's parts
    english = [(where, text) for where, text in texts if latin_only(text)]
    assert english == []
    rows = listed(view)
    assert rows["reports"] == ["", "文件夹", "2023/9/28 14:05"]  # Qt: «Folder», «28 09 2023 14:05»
    if mode != "folder":
        assert rows["任务表.xlsx"][0] == "12.1 KB" and rows["任务表.xlsx"][2] == "2023/9/28 14:05"
        assert rows["notes.xlsx"][0] == "1 字节"  # Qt: «1 bytes»
    labels = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
    assert labels["lookInLabel"] == "查找范围(&L)："
    assert labels["fileTypeLabel"] == "文件类型(&T)："
    # Nothing Chinese is cut by Qt's default column widths (2023/1… and Excel… 表格).
    metrics = view.fontMetrics()
    for column, text in ((3, "2023/9/28 14:05"), (2, "文件夹")):
        assert view.columnWidth(column) > metrics.horizontalAdvance(text), (column, view.columnWidth(column))
    sidebar = dialog.findChild(QListView, "sidebar")
    for row in range(sidebar.model().rowCount()):  # 大字模式: «计…» before
        index = sidebar.model().index(row, 0)
        assert sidebar.sizeHintForIndex(index).width() <= sidebar.viewport().width(), index.data()
    dialog.grab().save(str(tmp_path / f"{mode}-{'large' if large else 'normal'}.png"))
    dialog.reject()


def test_the_gaps_answer_only_their_words(qapp) -> None:
    gaps = QtGaps()
    assert gaps.translate("QFileDialog", "&Look in:") == "查找范围(&L)："
    assert gaps.translate("QAbstractFileIconProvider", "Folder", "All other platforms") == "文件夹"
    assert gaps.translate("QFileDialog", "&Open") is None  # Qt's own translation answers that
    assert not gaps.isEmpty()
    assert all(CJK.search(word) for word in QT_GAPS.values())


def test_file_dialogs_opened_through_the_app_are_made_chinese(chinese_app, folder: Path, qtbot,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """save_file and choose_folder go through QFileDialog's static functions, which
    build their dialog inside: the dialog they show has the Chinese dates and sizes."""
    monkeypatch.setattr(fd, "documents_folder", lambda: folder)
    seen: list[tuple[str, list[str]]] = []

    def inspect_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, inspect_and_close)
            return
        view = dialog.findChild(QTreeView, "treeView")
        rows = listed(view)
        if len(seen) < 100 and ("reports" not in rows or not rows["reports"][2]):
            seen.append(("waiting", []))
            QTimer.singleShot(50, inspect_and_close)
            return
        seen.append((dialog.labelText(QFileDialog.DialogLabel.LookIn), rows.get("reports", [])))
        dialog.reject()

    QTimer.singleShot(0, inspect_and_close)
    assert fd.save_file(None, "导出Excel", "任务表.xlsx", FILTERS, "export") is None
    QTimer.singleShot(0, inspect_and_close)
    assert fd.choose_folder(None, "保存填报表的文件夹", "fill_in") is None
    answers = [entry for entry in seen if entry[0] != "waiting"]
    assert answers == [("查找范围(&L)：", ["", "文件夹", "2023/9/28 14:05"])] * 2
