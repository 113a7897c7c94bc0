"""The clerk's preferences (本单位, 大字模式, window layout), kept by Qt per user."""

from __future__ import annotations

from PySide6.QtCore import QSettings

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
