"""Running slow work (reading a file, writing a plan, a report) off the GUI thread.

The work function runs in Qt's thread pool and must not touch widgets; it gets its
own ledger connection if it needs one. Its result or its exception comes back on the
GUI thread through signals, and a progress dialog appears if it takes more than a
moment, so the window never freezes.
"""

from __future__ import annotations

import threading
import time
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


REPORT_INTERVAL = 0.05  # seconds between progress updates shown


class BackgroundTask(QObject):
    """One piece of work. Keep a reference until ``finished`` fires.

    Work that knows how far it is passes ``report`` as its progress callback (it is
    safe to call from the worker, as often as every MiB). With ``cancel_error`` the
    dialog gets a 取消 button, and the next ``report`` after it raises that error in
    the worker, which then cleans up after itself. Subclasses change ``describe``
    to word the progress (bytes, workbooks...)."""

    finished = Signal()
    progressed = Signal(object, object, str)  # done, total (may exceed 32 bits), name

    def __init__(self, parent: QWidget | None, label: str,
                 cancel_error: Callable[[], BaseException] | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._signals = _Signals()
        self._cancel_error = cancel_error
        self.cancel_requested = threading.Event()
        self._last_report = 0.0
        self._dialog = QProgressDialog(label, None, 0, 0, parent)
        self._dialog.setWindowTitle("请稍候")
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(400)
        self._dialog.setAutoReset(False)
        self._dialog.reset()
        if cancel_error is not None:
            self._dialog.setCancelButtonText("取消")
            self._dialog.canceled.connect(self.cancel_requested.set)
        self.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.running = False

    def report(self, done: int, total: int, name: str = "") -> None:
        """Worker thread: pass on at most one update per REPORT_INTERVAL (and the last)."""
        if self._cancel_error is not None and self.cancel_requested.is_set():
            raise self._cancel_error()
        now = time.monotonic()
        if now - self._last_report >= REPORT_INTERVAL or done >= total:
            self._last_report = now
            self.progressed.emit(done, total, name)

    def describe(self, done: int, total: int, name: str) -> str:
        return f"{self._label}\n{done} / {total} {name}".rstrip()

    @Slot(object, object, str)
    def _show_progress(self, done: int, total: int, name: str) -> None:
        if not self.running:
            return
        self._dialog.setRange(0, 1000)
        self._dialog.setValue(int(1000 * done / total) if total else 0)
        self._dialog.setLabelText(self.describe(done, total, name))

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
