"""Running slow work (reading a file, writing a plan, a report) off the GUI thread.

The work function runs in Qt's thread pool and must not touch widgets; it gets its
own ledger connection if it needs one. Its result or its exception comes back on the
GUI thread through signals, and a progress dialog appears if it takes more than a
moment, so the window never freezes.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # handed to the GUI thread, which decides what to show
            exc.__zwgk_traceback__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class BackgroundTask(QObject):
    """One piece of work. Keep a reference until ``finished`` fires."""

    finished = Signal()

    def __init__(self, parent: QWidget | None, label: str) -> None:
        super().__init__(parent)
        self._signals = _Signals()
        self._dialog = QProgressDialog(label, None, 0, 0, parent)
        self._dialog.setWindowTitle("请稍候")
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(400)
        self._dialog.setAutoReset(False)
        self._dialog.reset()
        self.running = False

    def start(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        self.running = True

        @Slot(object)
        def done(result: Any) -> None:
            self._finish()
            on_done(result)

        @Slot(object)
        def failed(exc: BaseException) -> None:
            self._finish()
            on_error(exc)

        self._signals.done.connect(done, Qt.ConnectionType.QueuedConnection)
        self._signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
        self._dialog.setValue(0)
        QThreadPool.globalInstance().start(_Job(fn, self._signals))

    def _finish(self) -> None:
        self.running = False
        self._dialog.reset()
        self._dialog.hide()
        self.finished.emit()
