"""Full backups and going back to an automatic one, from the window (in a worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ...core import backup as bk
from ...core.ledger import Ledger


def write_backup(own: Ledger, path: Path, progress: Callable[[int, int, str], None] | None = None) -> bk.BackupResult:
    return bk.write_backup(own, path, progress=progress)


def restore_automatic(own: Ledger, chosen: bk.AutoBackup) -> Path | None:
    return bk.restore_auto_backup(own, chosen)
