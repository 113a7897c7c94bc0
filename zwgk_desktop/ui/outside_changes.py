"""Changes written to the ledger by someone else while the window is open: ``zwgk`` in
a terminal, a script, the window's own background workers. SQLite tells each
connection when another one committed (``PRAGMA data_version``); the window asks every
two seconds and whenever it comes to the front, and shows the new state. A status
chosen from what the window showed before is still checked when it is written
(LedgerOperations.set_status(seen=…)), so nothing newer is overwritten unseen."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ..core.errors import UserError
from ..core.ledger import Ledger

POLL_MS = 2000


class OutsideChanges(QObject):
    """Emits ``changed`` once per batch of commits made by other connections."""

    changed = Signal()
    #: The ledger's folder went away (False: a U 盘 pulled out, the folder renamed) or came back (True).
    folderPresent = Signal(bool)

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self._last = self._read()
        self.folder_present = True
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._state_changed)

    def _read(self) -> int | None:
        try:
            return self.ledger.change_counter()
        except UserError:  # the folder went away: nothing to show
            return None

    def check(self) -> bool:
        """Ask now; True (and ``changed`` emitted) when someone else committed."""
        present = self.ledger.folder.is_dir()
        if present != self.folder_present:
            self.folder_present = present
            self.folderPresent.emit(present)
        now = self._read()
        if now is None or now == self._last:
            return False
        self._last = now
        self.changed.emit()
        return True

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check()

    def stop(self) -> None:
        self._timer.stop()
