"""What the Excel 交换 dialogs share (导出Excel, 下发填报表, 汇总报送表, 单位名录):
colours, the quarter box, a path row with its 浏览… button, and keeping background
jobs alive until they finish.

Slow work (writing workbooks, reading replies, applying a merge) runs off the GUI
thread in a ``BackgroundTask``; the worker opens its own ``Ledger(folder)``. Widgets
only call core and io functions: no SQL in these dialogs (tests/test_layers.py checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton

from ..core.errors import UserError
from ..core.quarters import Quarter
from .background import BackgroundTask
from .failure_text import failure_text
from .quarter_combo import QuarterCombo

CONFLICT_BRUSH = QBrush(QColor("#ffd7d5"))
OK_COLOR = "color: #2e7d32;"
ERROR_COLOR = "color: #b3261e;"


def error_text(exc: BaseException, what: str) -> str:
    """The clerk's words for a failure: a ``UserError`` as it is, anything else by
    ``failure_text`` (no traceback)."""
    if isinstance(exc, UserError):
        return exc.message
    return failure_text(exc, what, unchanged="")


def quarter_combo(plan_year: int, quarter: Quarter | None = None) -> QuarterCombo:
    """The plan's quarters, latest first, on ``quarter`` (the window's 进展季度) when it
    is one of them, else on the quarter the clerk most likely means."""
    combo = QuarterCombo()
    combo.fill(plan_year)
    if quarter is not None:
        combo.set_quarter(quarter)
    return combo


def path_row(placeholder: str, browse: Callable[[], None]) -> tuple[QLineEdit, QHBoxLayout]:
    """A path box with its 浏览… button, as a form row."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    button = QPushButton("浏览…")
    button.clicked.connect(browse)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return edit, row


class JobsMixin:
    """Keep background jobs alive until they finish."""

    def _start_job(self, job: BackgroundTask, work: Callable[[], Any], done: Callable[[Any], None],
                   failed: Callable[[BaseException], None]) -> None:
        jobs: list[BackgroundTask] = self.__dict__.setdefault("_jobs", [])
        jobs.append(job)

        def finished() -> None:
            if job in jobs:
                jobs.remove(job)
            job.deleteLater()

        job.finished.connect(finished)
        job.start(work, done, failed)

    @property
    def busy(self) -> bool:
        return any(job.running for job in self.__dict__.get("_jobs", []))
