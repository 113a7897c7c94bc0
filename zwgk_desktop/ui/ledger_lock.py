"""One window per ledger: two windows writing the same notes would lose one's work."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

LOCK_NAME = ".zwgk-desktop.lock"


class LedgerLock:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(folder / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # a crashed app's lock is stale once its process is gone

    def acquire(self) -> bool:
        return self._lock.tryLock(200)

    def denied(self) -> bool:
        """After a failed ``acquire``: the folder takes no lock file at all (a
        write-protected stick or read-only share), rather than another window holding it."""
        return self._lock.error() == QLockFile.LockError.PermissionError

    def release(self) -> None:
        self._lock.unlock()
