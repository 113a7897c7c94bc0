"""Moving between ledgers from the window: open another, a recent one, or a new one,
and taking back a plan imported by mistake. The app (app.py) does the opening; these
only ask the clerk which folder, and say plainly what is about to happen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.ledger import LEDGER_FILE, Ledger
from ..core.locations import recent_ledgers
from ..core.model import Plan
from . import operations
from .file_dialogs import choose_folder


def choose_existing(parent: QWidget) -> Path | None:
    path = choose_folder(parent, "打开台账:选择台账文件夹", "ledger")
    if path is None:
        return None
    if not (path / LEDGER_FILE).exists():
        QMessageBox.warning(parent, "不是台账文件夹",
                            f"“{path}”中没有台账(找不到 {LEDGER_FILE})。\n"
                            "请选择包含 ledger.sqlite 的文件夹;要新建台账,请用“文件 → 新建台账…”。")
        return None
    return path


def choose_new(parent: QWidget) -> Path | None:
    path = choose_folder(parent, "新建台账:选择一个空文件夹", "ledger")
    if path is None:
        return None
    if (path / LEDGER_FILE).exists():
        QMessageBox.information(parent, "已有台账", f"“{path}”中已经有台账,将直接打开它。")
        return path
    if any(path.iterdir()):
        answer = QMessageBox.question(parent, "文件夹不是空的",
                                      f"“{path}”中已有其他文件。\n仍要在这里新建台账吗?"
                                      "(建议新建一个空文件夹专门存放台账)")
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return path


def recent_folders(current: Path) -> list[Path]:
    here = current.resolve()
    return [p for p in recent_ledgers() if p.resolve() != here]


def confirm_and_delete_plan(parent: QWidget, ledger: Ledger, plan: Plan) -> bool:
    """Ask, keep a backup, delete, say how to get it back. False when nothing changed."""
    answer = QMessageBox.question(
        parent, "删除分解表",
        f"确定删除分解表“{plan.title}”吗?\n\n它的 {plan.task_count} 项任务,以及登记的状态、进展和佐证材料记录"
        "都将从台账中删除。\n删除前会自动备份;如删错了,可用“文件 → 恢复到之前的状态…”恢复。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    if answer != QMessageBox.StandardButton.Yes:
        return False
    operations.plans.delete_plan(ledger, plan)
    return True
