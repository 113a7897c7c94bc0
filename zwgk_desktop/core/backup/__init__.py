"""Backups of a ledger folder (no Qt).

Two kinds:

* **Automatic backups** of the database only, taken before every import, re-import
  (``--replace``), merge and restore into ``backups/`` inside the ledger folder; the
  last :data:`KEEP_AUTOMATIC` are kept. The evidence is not copied: its files are
  named by their SHA-256 and never rewritten. Each backup is a standalone SQLite file
  (rollback journal, not WAL) named ``YYYYMMDD-HHMMSS-ffffff_操作.sqlite``, so the list
  needs no index that could disagree with the files.
* **Full backups**: one ``.zip`` with the database, every evidence file and a
  ``manifest.json`` listing each file with its SHA-256 and size. Restoring checks
  every entry's name and hash *before* writing anything, and only into an empty
  folder.

The database is always copied with SQLite's online backup API through the ledger's
own connection: consistent while the window keeps the ledger open, and the ledger
file is never opened outside SQLite.

One module per job: ``automatic`` (the database before each risky action), ``full``
(the .zip), ``restore`` (checking and restoring a .zip), ``reminder`` (when to ask for
a full backup). Callers write ``from ..core import backup as bk`` and use the names below.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Each public name and the module that defines it. The modules load when one of their
#: names is first used (``from .backup import auto_backup`` loads ``automatic`` alone):
#: an import or re-import needs the automatic backup, not the .zip writer and reader.
_MODULE_OF = {
    **dict.fromkeys(("BACKUP_DIR", "KEEP_AUTOMATIC", "AutoBackup", "auto_backup", "backups_dir", "latest_backup",
                     "list_backups", "prune_backups", "replace_damaged_database", "restore_auto_backup"),
                    "automatic"),
    **dict.fromkeys(("CHUNK", "FORMAT", "FORMAT_VERSION", "MANIFEST", "BackupResult", "ProgressCallback",
                     "write_backup"), "full"),
    **dict.fromkeys(("REMIND_AFTER_DAYS", "REMIND_EVERY_DAYS", "STATE_FILE", "backup_reminder",
                     "last_full_backup", "record_full_backup", "weekly_reminder"), "reminder"),
    **dict.fromkeys(("RestoreResult", "restore_backup", "verify_backup"), "restore"),
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})


__all__ = [
    "BACKUP_DIR",
    "CHUNK",
    "FORMAT",
    "FORMAT_VERSION",
    "KEEP_AUTOMATIC",
    "MANIFEST",
    "REMIND_AFTER_DAYS",
    "REMIND_EVERY_DAYS",
    "STATE_FILE",
    "AutoBackup",
    "BackupResult",
    "ProgressCallback",
    "RestoreResult",
    "auto_backup",
    "backup_reminder",
    "backups_dir",
    "last_full_backup",
    "latest_backup",
    "list_backups",
    "prune_backups",
    "record_full_backup",
    "replace_damaged_database",
    "restore_auto_backup",
    "restore_backup",
    "verify_backup",
    "weekly_reminder",
    "write_backup",
]
