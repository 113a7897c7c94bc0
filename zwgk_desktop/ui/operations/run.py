"""Long work on the ledger off the GUI thread, the same way everywhere: its own
connection in the worker, progress from the task, one way of saying it failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from ...core.ledger import Ledger
from ..background import BackgroundTask
from ..failure_text import failure_text
from .events import announce

T = TypeVar("T")


def run_on_ledger(task: BackgroundTask, folder: Path, work: Callable[[Ledger], T],
                  done: Callable[[T], None], *, what: str, parent: QWidget | None,
                  failed: Callable[[BaseException], None] | None = None,
                  changes: bool = True, unchanged: str = "台账没有改变。", create: bool = False) -> BackgroundTask:
    """Run ``work(own_ledger)`` in the background. On success ``done(result)`` runs on
    the GUI thread, after views were told the ledger may have changed (``changes``);
    on failure ``failed(exc)``, or else a plain message box saying what failed.
    ``create``: the work may make the ledger (an import into a folder chosen for it)."""

    def in_worker() -> Any:
        with Ledger.open(folder, create=create) as own:
            return work(own)

    def succeeded(result: Any) -> None:
        if changes:
            announce(None)
        done(result)

    def did_not(exc: BaseException) -> None:
        if failed is not None:
            failed(exc)
        else:
            QMessageBox.warning(parent, "没有完成", failure_text(exc, what, unchanged=unchanged))

    task.start(in_worker, succeeded, did_not)
    return task
