"""文件 → 备份台账… and 恢复到之前的状态… off the GUI thread; a read-only ledger says
why it cannot be changed; a typed folder without a ledger is created only when the
clerk agrees."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from zwgk_desktop.app import confirm_new_ledger
from zwgk_desktop.core import backup as bk
from zwgk_desktop.core.ledger import LEDGER_FILE
from zwgk_desktop.core.model import Status
from zwgk_desktop.ui import backup_dialogs


def _file_menu_texts(window) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("文件"))
    return [a.text() for a in menu.actions()]


def test_backup_from_the_window(desktop, tmp_path: Path, qtbot, no_dialogs) -> None:
    desktop.open_sample()
    window = desktop.window
    qtbot.waitUntil(lambda: window.startup_finished)  # the entries follow the first paint
    texts = _file_menu_texts(window)
    assert "备份台账…" in texts and "恢复到之前的状态…" in texts
    assert texts.index("恢复到之前的状态…") < texts.index("退出")
    out = tmp_path / "台账备份.zip"
    task = backup_dialogs.start_backup(window, out)
    with qtbot.waitSignal(task.finished, timeout=30000):
        pass
    assert out.is_file()
    manifest = bk.verify_backup(out)
    assert any(f["path"] == LEDGER_FILE for f in manifest["files"])
    assert [(kind, title) for kind, title, _ in no_dialogs] == [("information", "备份完成")]


def test_restore_previous_state_from_the_window(desktop, qtbot, no_dialogs) -> None:
    desktop.open_sample()
    window, ledger = desktop.window, desktop.ledger
    bk.auto_backup(ledger, "汇总")
    ledger.set_status(1, Status.DONE, date(2023, 9, 1))
    dialog = backup_dialogs.RestorePreviousDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "汇总之前"
    task = dialog.restore_selected()
    with qtbot.waitSignal(task.finished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: any(title == "已恢复" for _, title, _ in no_dialogs), timeout=5000)
    assert ledger.task(1).status is Status.NOT_STARTED
    assert window.ops.undo_stack.count() == 0
    assert [b.action for b in bk.list_backups(ledger.folder)] == ["恢复", "汇总"]


def test_a_read_only_ledger_says_why_in_the_window(desktop, tmp_path: Path, qtbot, no_dialogs) -> None:
    desktop.open_sample()
    folder = desktop.ledger.folder
    desktop.close_current()
    (folder / LEDGER_FILE).chmod(0o444)
    try:
        assert desktop.open(folder, is_sample=True)
        window = desktop.window
        assert desktop.ledger.read_only
        assert window.read_only_label.toolTip() == desktop.ledger.read_only
        banner = window.read_only_banner
        assert "被设为只读" in banner.text() and banner.wordWrap() and banner.isVisible()
        qtbot.waitUntil(lambda: window.startup_finished)  # the menu entries follow the first paint
        assert "被设为只读" in banner.text() and banner.isVisible()
        assert banner.heightForWidth(banner.width()) <= banner.height() + 1  # the whole reason shows
        assert not window.restore_previous_action.isEnabled()
        assert window.model.rowCount() > 0  # viewing works
    finally:
        desktop.close_current()
        (folder / LEDGER_FILE).chmod(0o644)


def test_a_typed_folder_without_a_ledger_is_created_only_when_the_clerk_agrees(tmp_path: Path, no_dialogs,
                                                                               monkeypatch) -> None:
    typo = tmp_path / "台帐"
    assert confirm_new_ledger(typo, explicit=False)  # the default folder: first start
    assert no_dialogs == []
    assert confirm_new_ledger(typo, explicit=True)  # no_dialogs answers Yes
    assert [title for _, title, _ in no_dialogs] == ["新建台账"] and str(typo) in no_dialogs[0][2]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not confirm_new_ledger(typo, explicit=True)
    assert not typo.exists()


def test_a_write_protected_stick_opens_in_the_window(desktop, sample_dir: Path, tmp_path: Path, no_dialogs) -> None:
    """The folder takes no lock file: not "已在另一个窗口中打开", but a read-only window."""
    import os
    import subprocess

    import pytest

    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("a read-only mount needs root")
    mount = tmp_path / "U盘"
    mount.mkdir()
    if subprocess.run(["mount", "--bind", str(sample_dir), str(mount)], capture_output=True).returncode:
        pytest.skip("bind mounts are not allowed here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], capture_output=True).returncode:
            pytest.skip("read-only remount is not allowed here")
        assert desktop.open(mount, is_sample=True)
        assert desktop.lock is None and desktop.ledger.read_only
        assert "不允许写入" in desktop.window.read_only_banner.text()
        assert no_dialogs == []
        desktop.close_current()
    finally:
        # a lazy unmount when something still holds it: a mount left behind would stop pytest's
        # own clean-up of old temporary folders in a later run
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_the_check_dialog_also_checks_the_database(sample_dir: Path, open_ledger, qtbot, monkeypatch) -> None:
    from zwgk_desktop.core import integrity
    from zwgk_desktop.ui.check_dialog import CheckDialog

    ledger = open_ledger(sample_dir)
    bk.auto_backup(ledger, "汇总")
    real = integrity.check_database

    def damaged(own):
        found = real(own)
        found.problems.append("*** in database main ***\nPage 7: btreeInitPage() returns error code 11")
        return found

    monkeypatch.setattr(integrity, "check_database", damaged)
    dialog = CheckDialog(ledger)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.finished_check, timeout=10000):
        dialog.start()
    assert "数据库已损坏" in dialog.summary.text()
    text = dialog.text.toPlainText()
    assert "btreeInitPage" in text and "汇总前" in text and "全部文件完好" in text


def test_backup_asks_where_in_the_folder_of_the_last_backup(desktop, tmp_path: Path, monkeypatch, no_dialogs) -> None:
    from PySide6.QtWidgets import QFileDialog

    from zwgk_desktop.ui import file_dialogs

    desktop.open_sample()
    stick = tmp_path / "U盘"
    stick.mkdir()
    file_dialogs.remember_folder("backup", stick)
    asked: list[str] = []
    started: list[Path] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, start, *a: asked.append(start) or (str(stick / "周五备份"), ""))
    monkeypatch.setattr(backup_dialogs, "start_backup", lambda window, path: started.append(path))
    backup_dialogs.choose_and_backup(desktop.window)
    assert asked == [str(stick / f"台账备份-{date.today():%Y-%m-%d}.zip")]
    assert started == [stick / "周五备份.zip"]
