"""Where the ledger lives when the clerk did not say: --ledger, ZWGK_LEDGER, the last
one used, else a folder in the user's data directory.

Remembering the last ledger in a small JSON file (not QSettings) lets the command
line and the desktop app agree without the core importing Qt.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .errors import LedgerMissingError

APP_DIR_NAME = "zwgk-desktop"
LEDGER_ENV = "ZWGK_LEDGER"


def user_data_dir() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR_NAME


def user_config_dir() -> Path:
    if sys.platform == "win32" or sys.platform == "darwin":
        return user_data_dir()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_DIR_NAME


def default_ledger_dir() -> Path:
    return user_data_dir() / "台账"


def _settings_file() -> Path:
    return user_config_dir() / "settings.json"


def read_settings() -> dict:
    try:
        data = json.loads(_settings_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_settings(settings: dict) -> None:
    """Written to a temporary name and renamed: a crash never leaves half a file."""
    path = _settings_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # remembering is a convenience; never fail the clerk's work over it


RECENT_LIMIT = 8


def remember_ledger(folder: Path) -> None:
    """The last ledger used (opened next time) and a short list of recent ones."""
    settings = read_settings()
    path = str(Path(folder).resolve())
    settings["last_ledger"] = path
    recent = [p for p in settings.get("recent_ledgers", []) if isinstance(p, str) and p != path]
    settings["recent_ledgers"] = [path, *recent][:RECENT_LIMIT]
    write_settings(settings)


def recent_ledgers() -> list[Path]:
    """Recently used ledger folders that still exist, the latest first."""
    paths = read_settings().get("recent_ledgers", [])
    return [Path(p) for p in paths if isinstance(p, str) and Path(p).is_dir()]


def resolve_ledger_dir(explicit: str | os.PathLike[str] | None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(LEDGER_ENV)
    if env:
        return Path(env).expanduser()
    last = read_settings().get("last_ledger")
    if isinstance(last, str) and last:
        if Path(last).is_dir():
            return Path(last)
        # Not silently the default: the clerk's ledger is on a stick not plugged in,
        # and work typed into an empty default ledger would be split from it.
        raise RememberedLedgerMissing(Path(last))
    return default_ledger_dir()


class RememberedLedgerMissing(LedgerMissingError):
    """The ledger used last time is not there (a U 盘 not plugged in, a share offline)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(f"上次使用的台账“{folder}”找不到了(可能 U 盘没有插好,或共享文件夹没有连接)。"
                         "请插好后重试;如要使用其他台账,请用 --ledger 指定台账文件夹"
                         "(在程序窗口中:文件 → 打开台账)。")
