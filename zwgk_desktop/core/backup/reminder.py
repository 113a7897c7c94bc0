"""The reminder to make a full backup: when the last one was made (kept in
``backups/backup-state.json``), and the monthly and weekly nudges the window shows."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from ..ledger import Ledger
from .automatic import backups_dir

REMIND_AFTER_DAYS = 30
REMIND_EVERY_DAYS = 7
STATE_FILE = "backup-state.json"  # in backups/: when the last full backup was made


def _state_path(folder: str | Path) -> Path:
    return backups_dir(folder) / STATE_FILE


def _read_state(folder: str | Path) -> dict:
    try:
        data = json.loads(_state_path(folder).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_state(folder: str | Path, state: dict) -> None:
    path = _state_path(folder)
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a reminder is a convenience: never fail the clerk's work over it


def record_full_backup(folder: str | Path, output: Path, when: datetime | None = None) -> None:
    state = _read_state(folder)
    state["last_full_backup"] = (when or datetime.now()).isoformat(timespec="seconds")
    state["last_full_backup_file"] = str(output)
    _write_state(folder, state)


def last_full_backup(folder: str | Path) -> datetime | None:
    text = _read_state(folder).get("last_full_backup")
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def backup_reminder(ledger: Ledger, now: datetime | None = None) -> str | None:
    """A reminder to make a full backup when the last one is older than 30 days (or
    there is none and the ledger has held data for 30 days); None otherwise."""
    now = now or datetime.now()
    last = last_full_backup(ledger.folder)
    if last is None:
        row = ledger.db.execute("SELECT MIN(at) FROM audit").fetchone()
        try:
            since = datetime.fromisoformat(row[0]).replace(tzinfo=None) if row and row[0] else None
        except ValueError:
            since = None
        if since is None or now - since < timedelta(days=REMIND_AFTER_DAYS):
            return None
        return ("这个台账还没有做过完整备份。建议现在备份(文件 → 备份台账…,或 zwgk backup -o 备份.zip),"
                "把备份文件存到另一块磁盘或 U 盘上。")
    if now - last < timedelta(days=REMIND_AFTER_DAYS):
        return None
    return (f"上次完整备份是在 {last:%Y-%m-%d}({(now - last).days} 天前)。建议现在备份"
            "(文件 → 备份台账…,或 zwgk backup -o 备份.zip),把备份文件存到另一块磁盘或 U 盘上。")


def weekly_reminder(ledger: Ledger, now: datetime | None = None) -> str | None:
    """:func:`backup_reminder`, at most once a week (for the window at start-up)."""
    now = now or datetime.now()
    text = backup_reminder(ledger, now)
    if text is None or ledger.read_only:
        return None
    state = _read_state(ledger.folder)
    try:
        shown = datetime.fromisoformat(state.get("last_reminded", ""))
    except (TypeError, ValueError):
        shown = None
    if shown is not None and now - shown < timedelta(days=REMIND_EVERY_DAYS):
        return None
    state["last_reminded"] = now.isoformat(timespec="seconds")
    _write_state(ledger.folder, state)
    return text
