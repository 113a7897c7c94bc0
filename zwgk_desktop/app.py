"""`zwgk-desktop`: builds the application, opens the ledger, shows the main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from . import __version__
from .core.errors import UserError
from .core.ledger import LEDGER_FILE, Ledger
from .core.locations import LEDGER_ENV, remember_ledger, resolve_ledger_dir, user_data_dir


def _setup_logging() -> Path | None:
    """A windowed build has no console (sys.stdout is None): log to a file."""
    try:
        folder = user_data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "zwgk-desktop.log"
        logging.basicConfig(filename=path, level=logging.INFO, encoding="utf-8",
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return path
    except OSError:
        return None


#: What Qt's xcb window plugin loads on a desktop Linux (UOS, Kylin, Debian), by the
#: library's name and the Debian/UOS package that brings it.
XCB_LIBRARIES = [("xcb-cursor", "libxcb-cursor0"), ("xkbcommon-x11", "libxkbcommon-x11-0"),
                 ("xcb-icccm", "libxcb-icccm4"), ("xcb-keysyms", "libxcb-keysyms1"),
                 ("xcb-render-util", "libxcb-render-util0"), ("xcb-shape", "libxcb-shape0"),
                 ("EGL", "libegl1"), ("fontconfig", "libfontconfig1")]


def missing_linux_packages(platform: str | None = None, find=None) -> list[str]:
    """Packages a Linux desktop lacks for the window to open. Qt would only print an
    English line and abort; the clerk's technician needs the package names."""
    platform = platform if platform is not None else os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform not in ("", "xcb"):
        return []
    if find is None:
        import ctypes.util

        find = ctypes.util.find_library
    return [package for library, package in XCB_LIBRARIES if find(library) is None]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from .cli.arguments import ChineseArgumentParser  # argparse's own words in Chinese, as zwgk's

    parser = ChineseArgumentParser(prog="zwgk-desktop", description="政务公开任务台账")
    parser.add_argument("--ledger", metavar="文件夹", help="要打开的台账文件夹")
    parser.add_argument("--sample", action="store_true", help="打开示例台账")
    parser.add_argument("--smoke-test", action="store_true",
                        help="在临时示例台账上画出主窗口后退出(检查安装是否完好)")
    parser.add_argument("--version", action="version", version=f"zwgk-desktop {__version__}")
    # For benchmarks/gui_bench.py: quit once the window has been painted and completed,
    # printing the wall-clock times, so start-up is measured on the real path (lock,
    # ledger, window).
    parser.add_argument("--exit-after-show", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


class DesktopApp:
    """Owns the open ledger, its lock and its window; switches to the sample on request."""

    def __init__(self) -> None:
        self.ledger: Ledger | None = None
        self.lock = None
        self.window = None

    def open(self, folder: Path, *, is_sample: bool = False, remember: bool = True) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from .ui.ledger_lock import LedgerLock
        from .ui.main_window import MainWindow

        lock: LedgerLock | None = LedgerLock(folder)
        if not lock.acquire():
            if not lock.denied():
                QMessageBox.warning(None, "台账已打开",
                                    f"台账“{folder}”已在另一个窗口中打开。\n请切换到那个窗口继续工作;"
                                    "同一个台账同时只能在一个窗口中打开,以免填写的内容互相覆盖。")
                return False
            lock = None  # the folder takes no lock (write-protected): opened read-only, nobody writes
        try:
            ledger = Ledger.open(folder, read_only=lock is None)
        except UserError as exc:
            if lock is not None:
                lock.release()
            QMessageBox.critical(None, "无法打开台账", exc.message)
            return False
        old_window = self.window
        if old_window is not None:
            old_window.close()  # saves a pending note while its ledger is still open
        self.close_current(keep_window=True)
        self.ledger, self.lock = ledger, lock
        if remember and not is_sample:
            remember_ledger(folder)
        self.window = MainWindow(ledger, is_sample=is_sample)
        self.window.sampleRequested.connect(self.open_sample)
        self.window.ledgerRequested.connect(self.switch_to)
        self.window.ownLedgerRequested.connect(self.open_own)
        _add_safety(self.window, ledger, is_sample)
        self.window.show()
        if old_window is not None:
            old_window.deleteLater()
        return True

    def switch_to(self, folder: str, create: bool = False) -> bool:
        """文件 → 打开台账 / 最近使用的台账 / 新建台账. A folder without a ledger is
        opened only when the clerk asked for a new one."""
        from PySide6.QtWidgets import QMessageBox

        path = Path(folder)
        if self.ledger is not None and path.resolve() == self.ledger.folder.resolve():
            return True  # already open here
        if not create and not (path / LEDGER_FILE).exists():
            QMessageBox.warning(self.window, "找不到台账",
                                f"“{path}”中没有台账(可能已被移动,或 U 盘没有插好)。请检查后再打开。")
            return False
        return self.open(path)

    def open_own(self) -> bool:
        """Back from the sample to the clerk's own ledger (the last one used)."""
        folder = start_folder(None)
        return folder is not None and self.open(folder)

    def open_sample(self) -> None:
        from .sample import ensure_sample_ledger

        self.open(ensure_sample_ledger(), is_sample=True)

    def close_current(self, keep_window: bool = False) -> None:
        if self.window is not None and not keep_window:
            self.window.close()
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _add_safety(window, ledger: Ledger, is_sample: bool) -> None:
    """文件 → 备份台账… / 恢复到之前的状态…, why a read-only ledger cannot be changed,
    and the backup reminder (at most weekly), in the status bar: never a blocking box.

    Why the ledger is read-only shows with the window. The menu entries and the
    reminder follow its first paint (their modules take longer to load than the
    window takes to draw); the clerk cannot reach the menu sooner."""
    from PySide6.QtWidgets import QLabel

    if ledger.read_only:
        label = QLabel("只读:不能修改")
        label.setToolTip(ledger.read_only)
        label.setStyleSheet("color: #b3261e; font-weight: bold;")
        window.statusBar().addPermanentWidget(label)
        # The whole reason, wrapped, over the tasks: a status-bar message was cut at the
        # window's edge (大字模式 above all) and went away when another message came.
        banner = QLabel(f"只读:{ledger.read_only}")
        banner.setObjectName("readOnlyBanner")
        banner.setWordWrap(True)
        banner.setStyleSheet("#readOnlyBanner { background: #fff4ce; color: #7a4b00; padding: 6px 10px;"
                             " border-bottom: 1px solid #e0c060; }")
        window.centralWidget().layout().insertWidget(0, banner)
        window.read_only_label = label
        window.read_only_banner = banner

    def after_first_paint() -> None:
        from .ui import backup_dialogs, rollover_dialog

        backup_dialogs.install(window)
        rollover_dialog.install(window)  # 结转到新年度… / 对照上年结转事项… (before 退出)
        if not ledger.read_only and not is_sample:
            from .core.backup import weekly_reminder

            reminder = weekly_reminder(ledger)
            if reminder:
                window.statusBar().showMessage(reminder)

    window.when_started(after_first_paint)


def start_folder(explicit: str | None) -> Path | None:
    """The ledger to open. When the one used last time is missing (a U 盘 not plugged
    in), the clerk chooses: try again, open another, or use this PC's default ledger;
    never silently an empty default that would split the year's work in two."""
    from .core.locations import RememberedLedgerMissing, default_ledger_dir

    while True:
        try:
            return resolve_ledger_dir(explicit)
        except RememberedLedgerMissing as missing:
            from PySide6.QtWidgets import QMessageBox

            from .ui.ledger_choice import choose_existing

            box = QMessageBox(QMessageBox.Icon.Warning, "找不到上次的台账", missing.message)
            retry = box.addButton("插好了,重试", QMessageBox.ButtonRole.AcceptRole)
            other = box.addButton("打开其他台账…", QMessageBox.ButtonRole.ActionRole)
            default = box.addButton("使用本机默认台账", QMessageBox.ButtonRole.ActionRole)
            box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            clicked = box.clickedButton()
            if clicked is retry:
                continue
            if clicked is other:
                chosen = choose_existing(None)
                if chosen is not None:
                    return chosen
                continue
            if clicked is default:
                return default_ledger_dir()
            return None


def confirm_new_ledger(folder: Path, explicit: bool) -> bool:
    """A folder named on the command line (or in ZWGK_LEDGER) that holds no ledger may
    be a typo: the window asks before creating one there. The default folder is
    created without asking (first start)."""
    from PySide6.QtWidgets import QMessageBox

    if not explicit or (folder / LEDGER_FILE).exists():
        return True
    answer = QMessageBox.question(
        None, "新建台账",
        f"“{folder}”中没有台账。\n\n要在这里新建一个空台账吗?\n"
        "如果台账在别的位置(例如路径写错了,或 U 盘没有插好),请选“否”,检查后再打开。")
    return answer == QMessageBox.StandardButton.Yes


def _error_text(value: BaseException, desktop: "DesktopApp | None") -> tuple[str, str] | None:
    """(title, text) for errors the clerk can act on; None for a bug of ours."""
    from .core.integrity import damaged_message, is_corruption

    if isinstance(value, UserError):
        return "提示", value.message
    if is_corruption(value):
        folder = desktop.ledger.folder if desktop is not None and desktop.ledger is not None else None
        if folder is not None:
            return "台账已损坏", damaged_message(folder, value)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log_path = _setup_logging()
    from .ui.qt_workarounds import protect_singletons_from_refcount_bug

    protect_singletons_from_refcount_bug()
    missing = [] if args.smoke_test else missing_linux_packages()
    if missing:
        message = ("无法打开程序窗口:这台电脑缺少图形界面所需的系统组件。\n"
                   f"请联系技术人员安装:sudo apt install {' '.join(missing)}\n"
                   "(统信 UOS、麒麟、Debian 均可用此命令;安装后重新打开本程序。)")
        print(message, file=sys.stderr)
        logging.getLogger("zwgk").error(message)
        return 1
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .ui import settings as app_settings
    from .ui.qt_translations import install_qt_translations
    from .ui.theme import apply_font_size

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("政务公开任务台账")
    app.setOrganizationName("zwgk")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_qt_translations(app)  # Qt's zh_CN, and the words of its file dialog it lacks
    apply_font_size(app_settings.large_fonts())

    holder: list[DesktopApp] = []

    def excepthook(kind, value, tb) -> None:  # a bug must not silently kill the clerk's work
        logging.getLogger("zwgk").error("unhandled", exc_info=(kind, value, tb))
        plain = _error_text(value, holder[0] if holder else None)
        if plain is not None:
            QMessageBox.warning(None, *plain)
            return
        where = f"\n详细信息已记录在日志文件中:{log_path}\n请把这个文件发给技术支持人员。" if log_path else ""
        QMessageBox.critical(None, "程序错误", f"程序遇到意外错误,刚才的操作没有完成。已保存的内容不受影响。{where}")

    sys.excepthook = excepthook

    if args.smoke_test:
        return _smoke_test(app)

    desktop = DesktopApp()
    holder.append(desktop)
    if args.sample:
        desktop.open_sample()
    else:
        folder = start_folder(args.ledger)
        if folder is None:
            return 1
        if not confirm_new_ledger(folder, explicit=bool(args.ledger or os.environ.get(LEDGER_ENV))):
            return 1
        if not desktop.open(folder):
            return 1
    if desktop.window is None:
        return 1
    app.aboutToQuit.connect(lambda: desktop.close_current(keep_window=True))
    if args.exit_after_show:
        _quit_after_first_paint(app, desktop.window)
    return app.exec()


def _quit_after_first_paint(app, window) -> None:
    """``shown_at``: the window painted with its tasks; ``ready_at``: the parts built
    after that paint (panel, section headings, unit list, menu entries) are there too."""
    import time

    from PySide6.QtCore import QTimer

    def report() -> None:
        window.repaint()
        print(f"shown_at={time.time():.6f}", flush=True)
        window.when_started(ready)

    def ready() -> None:
        print(f"ready_at={time.time():.6f}", flush=True)
        app.quit()

    QTimer.singleShot(0, report)


def _smoke_test(app) -> int:
    """Open a fresh sample ledger, draw the main window offscreen, check it drew."""
    from .sample import ensure_sample_ledger
    from .ui.main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="zwgk-smoke-") as tmp:
        folder = ensure_sample_ledger(Path(tmp) / "sample")
        ledger = Ledger.open(folder)
        try:
            window = MainWindow(ledger, is_sample=True)
            window.show()
            app.processEvents()
            image = window.grab()
            rows = window.model.rowCount()
            window.close()
        finally:
            ledger.close()
    ok = not image.isNull() and image.width() > 0 and rows > 0
    print(f"smoke test {'ok' if ok else 'FAILED'}: {rows} tasks, window {image.width()}x{image.height()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
