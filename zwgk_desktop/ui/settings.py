"""The clerk's preferences (本单位, 大字模式, window layout), kept by Qt per user."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from ..core.errors import UserError
from ..core.quarters import Quarter

ORGANISATION = "zwgk"
APPLICATION = "zwgk-desktop"


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def own_unit() -> str:
    return str(settings().value("own_unit", "") or "")


def set_own_unit(name: str) -> None:
    settings().setValue("own_unit", name.strip())


def large_fonts() -> bool:
    return str(settings().value("large_fonts", "false")).lower() == "true"


def set_large_fonts(on: bool) -> None:
    settings().setValue("large_fonts", "true" if on else "false")


def progress_quarter() -> Quarter | None:
    """The 进展季度 last chosen, so the next start opens where the clerk was (None:
    never chosen, or a settings file edited into something else)."""
    text = str(settings().value("progress_quarter", "") or "")
    try:
        return Quarter.parse(text) if text else None
    except (UserError, ValueError):
        return None


def set_progress_quarter(quarter: Quarter) -> None:
    settings().setValue("progress_quarter", str(quarter))  # stored as 2023Q3


def own_unit_only() -> bool:
    return str(settings().value("own_unit_only", "false")).lower() == "true"


def set_own_unit_only(on: bool) -> None:
    settings().setValue("own_unit_only", "true" if on else "false")


def window_geometry() -> bytes | None:
    value = settings().value("window_geometry")
    return bytes(value) if value else None


def set_window_geometry(data: bytes) -> None:
    settings().setValue("window_geometry", data)
