"""ui/file_dialogs: every file dialog opens in the folder last used for its kind of file
(文档 the first time), remembered between starts, with one rule for native dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from zwgk_desktop.ui import file_dialogs as fd


class FakeDialogs:
    """Stands in for QFileDialog's static functions: records (function, start, options)
    and answers ``answer`` ("" = the clerk cancelled)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, str, object]] = []
        self.answer: object = ""
        self.chosen_filter = ""
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._save)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._open)
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", self._open_many)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)

    def _save(self, parent, title, start, filters, selected, options):
        self.calls.append(("save", start, options))
        return self.answer, self.chosen_filter

    def _open(self, parent, title, start, filters, selected, options):
        self.calls.append(("open", start, options))
        return self.answer, ""

    def _open_many(self, parent, title, start, filters, selected, options):
        self.calls.append(("open_many", start, options))
        return self.answer or [], ""

    def _folder(self, parent, title, start, options):
        self.calls.append(("folder", start, options))
        return self.answer


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "文档"
    folder.mkdir()
    monkeypatch.setattr(fd, "documents_folder", lambda: folder)
    return folder


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> FakeDialogs:
    return FakeDialogs(monkeypatch)


def test_native_dialog_on_windows_only() -> None:
    assert fd.use_native_dialog("win32") and not fd.use_native_dialog("linux")
    assert fd.dialog_options("win32") == QFileDialog.Option(0)
    assert fd.dialog_options("linux") == QFileDialog.Option.DontUseNativeDialog


def test_the_first_save_opens_in_documents_and_the_next_where_the_clerk_saved(
        qapp, documents: Path, dialogs: FakeDialogs, tmp_path: Path) -> None:
    target = tmp_path / "报上级" / "三季度"
    target.parent.mkdir()
    dialogs.answer, dialogs.chosen_filter = str(target), "Excel 工作簿 (*.xlsx)"
    assert fd.save_file(None, "导出Excel", "任务表.xlsx", "Excel 工作簿 (*.xlsx)", "export") == Path(
        str(target) + ".xlsx")  # Qt's own dialog does not add the extension: we do
    assert dialogs.calls[0][:2] == ("save", str(documents / "任务表.xlsx"))
    assert dialogs.calls[0][2] == fd.dialog_options()
    # Next time (also after a restart: it is in the settings) it opens there; other kinds do not.
    dialogs.answer = ""
    assert fd.save_file(None, "导出Excel", "四季度.xlsx", "Excel 工作簿 (*.xlsx)", "export") is None
    assert dialogs.calls[1][1] == str(target.parent / "四季度.xlsx")
    assert fd.last_folder("backup") == documents


def test_a_name_with_its_extension_is_kept(qapp, documents: Path, dialogs: FakeDialogs) -> None:
    dialogs.answer = str(documents / "备份.ZIP")
    assert fd.save_file(None, "备份台账", "x.zip", "台账备份 (*.zip)", "backup") == documents / "备份.ZIP"


def test_a_folder_that_is_gone_falls_back_to_documents(qapp, documents: Path, tmp_path: Path) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    fd.remember_folder("evidence", stick)
    assert fd.last_folder("evidence") == stick
    stick.rmdir()  # the stick is not plugged in
    assert fd.last_folder("evidence") == documents


def test_open_and_folder_dialogs_remember_too(qapp, documents: Path, dialogs: FakeDialogs, tmp_path: Path) -> None:
    replies = tmp_path / "报送"
    replies.mkdir()
    dialogs.answer = [str(replies / "甲.xlsx"), str(replies / "乙.xlsx")]
    assert fd.open_files(None, "选择报送表", "表格文件 (*.xlsx)", "replies") == [replies / "甲.xlsx", replies / "乙.xlsx"]
    assert dialogs.calls[-1][1] == str(documents)
    assert fd.last_folder("replies") == replies
    dialogs.answer = str(replies / "名录.xlsx")
    assert fd.open_file(None, "导入单位名录", "表格文件 (*.xlsx)", "directory") == replies / "名录.xlsx"
    assert fd.last_folder("directory") == replies
    dialogs.answer = str(tmp_path)
    assert fd.choose_folder(None, "保存填报表的文件夹", "fill_in") == tmp_path
    assert dialogs.calls[-1][1] == str(documents)
    assert dialogs.calls[-1][2] & QFileDialog.Option.ShowDirsOnly
    assert fd.last_folder("fill_in") == tmp_path
    dialogs.answer = ""
    assert fd.choose_folder(None, "保存填报表的文件夹", "fill_in", start=replies) is None
    assert dialogs.calls[-1][1] == str(replies)  # the folder already typed in the dialog wins
    assert fd.last_folder("fill_in") == tmp_path  # cancelling remembers nothing
