"""帮助: the local guide (no network on these PCs), the shortcut list, 关于."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__
from ..core.locations import user_data_dir
from ..resources import resources_dir
from .window_actions import SHORTCUTS

GUIDE = "guide/使用说明.html"


def guide_path():
    return resources_dir() / GUIDE


def show_guide(parent: QWidget) -> bool:
    """Open the guide shipped with the program in the system's browser."""
    path = guide_path()
    if path.exists() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    QMessageBox.information(parent, "使用说明",
                            f"无法自动打开使用说明。请在文件管理器中打开:\n{path}")
    return False


def shortcuts_text() -> str:
    return "\n".join(f"{keys:<8}{what}" for keys, what in SHORTCUTS)


def show_shortcuts(parent: QWidget) -> None:
    QMessageBox.information(parent, "快捷键", shortcuts_text())


def about_text(ledger_folder) -> str:
    return (f"政务公开任务台账 {__version__}\n\n"
            f"当前台账:{ledger_folder}\n"
            f"日志文件夹:{user_data_dir() / 'logs'}\n\n"
            "台账保存在本机,不需要联网。备份时复制整个台账文件夹,或用“文件 → 备份台账…”。")


def show_about(parent: QWidget, ledger_folder) -> None:
    QMessageBox.about(parent, "关于", about_text(ledger_folder))
