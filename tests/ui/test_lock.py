"""One window per ledger: the lock file, and what the app says when it is taken."""

from __future__ import annotations

import subprocess
import sys

from zwgk_desktop.app import DesktopApp
from zwgk_desktop.core.ledger import LEDGER_FILE
from zwgk_desktop.ui.ledger_lock import LOCK_NAME, LedgerLock



def test_second_lock_waits_for_the_first(tmp_path):
    folder = tmp_path / "ledger"
    first = LedgerLock(folder)
    assert folder.is_dir()  # the lock makes the folder it guards
    assert first.acquire()
    assert (folder / LOCK_NAME).exists()
    second = LedgerLock(folder)
    assert not second.acquire()
    first.release()
    assert not (folder / LOCK_NAME).exists()
    assert second.acquire()
    assert not LedgerLock(folder).acquire()
    second.release()


def test_a_crashed_programs_lock_does_not_block(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    crash = ("import os, sys\nfrom PySide6.QtCore import QLockFile\n"
             "lock = QLockFile(sys.argv[1])\nassert lock.tryLock(0)\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", crash, str(folder / LOCK_NAME)], check=True, timeout=60)
    assert (folder / LOCK_NAME).exists()  # left behind, as after a crash
    lock = LedgerLock(folder)
    assert lock.acquire()
    lock.release()


def test_open_refuses_a_ledger_open_elsewhere(desktop, tmp_path, no_dialogs):
    folder = tmp_path / "ledger"
    holder = LedgerLock(folder)
    assert holder.acquire()
    try:
        assert desktop.open(folder) is False
    finally:
        holder.release()
    assert len(no_dialogs) == 1
    kind, title, text = no_dialogs[0]
    assert (kind, title) == ("warning", "台账已打开")
    assert f"台账“{folder}”已在另一个窗口中打开。" in text
    assert desktop.window is None and desktop.ledger is None and desktop.lock is None
    assert not (folder / LEDGER_FILE).exists()  # nothing was opened, nothing created


def test_open_holds_the_lock_until_closed(desktop, tmp_path, no_dialogs):
    folder = tmp_path / "ledger"
    assert desktop.open(folder) is True
    other = DesktopApp()
    assert other.open(folder) is False  # a second window on the same ledger
    assert [title for _, title, _ in no_dialogs] == ["台账已打开"]
    desktop.close_current()
    assert other.open(folder) is True
    window = other.window
    other.close_current()
    window.deleteLater()


def test_open_refuses_a_file_that_is_not_a_ledger_and_releases_the_lock(desktop, tmp_path, no_dialogs):
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / LEDGER_FILE).write_text("这不是数据库", encoding="utf-8")
    assert desktop.open(folder) is False
    assert len(no_dialogs) == 1
    kind, title, text = no_dialogs[0]
    assert (kind, title) == ("critical", "无法打开台账")
    assert "不是台账文件" in text
    lock = LedgerLock(folder)
    assert lock.acquire()  # the failed open let go of it
    lock.release()


def test_opening_another_ledger_releases_the_first(desktop, tmp_path, no_dialogs):
    first, second = tmp_path / "one", tmp_path / "two"
    assert desktop.open(first)
    assert desktop.open(second)
    lock = LedgerLock(first)
    assert lock.acquire()
    lock.release()
    assert not LedgerLock(second).acquire()
    assert desktop.ledger.folder == second
    assert no_dialogs == []


def test_the_window_moves_between_ledgers(desktop, tmp_path, no_dialogs):
    """打开台账 and 新建台账 from the menu, and back from the sample to one's own ledger."""
    from zwgk_desktop.core.ledger import LEDGER_FILE
    from zwgk_desktop.core.locations import recent_ledgers

    own, other = tmp_path / "本单位台账", tmp_path / "新台账"
    assert desktop.open(own)
    first = desktop.window
    first.ledgerRequested.emit(str(other), False)  # not a ledger, not asked to create: refused
    assert desktop.window is first and "没有台账" in no_dialogs[-1][2]
    first.ledgerRequested.emit(str(other), True)
    assert desktop.window is not first and desktop.ledger.folder == other
    assert (other / LEDGER_FILE).exists()
    assert [p.resolve() for p in recent_ledgers()][:2] == [other.resolve(), own.resolve()]
    desktop.window.sampleRequested.emit()
    assert desktop.window.is_sample
    desktop.window.ownLedgerRequested.emit()
    assert not desktop.window.is_sample and desktop.ledger.folder.resolve() == other.resolve()
    desktop.window.ledgerRequested.emit(str(other), False)  # the one already open: nothing happens
    assert desktop.ledger.folder.resolve() == other.resolve()


def test_a_missing_remembered_ledger_lets_the_clerk_choose(tmp_path, monkeypatch, no_dialogs):
    """At start, a ledger on a pulled U 盘: asked, and 使用本机默认台账 is a choice, not a fallback."""
    from PySide6.QtWidgets import QMessageBox

    from zwgk_desktop import app as app_module
    from zwgk_desktop.core.locations import default_ledger_dir, remember_ledger

    gone = tmp_path / "U盘台账"
    gone.mkdir()
    remember_ledger(gone)
    gone.rmdir()
    shown: list[str] = []

    def choose(box):
        shown.append(box.text())
        box_buttons = {b.text(): b for b in box.buttons()}
        box.clickedButton = lambda: box_buttons[answer]  # what the clerk clicked
        return 0

    monkeypatch.setattr(QMessageBox, "exec", choose)
    answer = "退出"
    assert app_module.start_folder(None) is None
    answer = "使用本机默认台账"
    assert app_module.start_folder(None) == default_ledger_dir()
    assert "U 盘" in shown[0]
