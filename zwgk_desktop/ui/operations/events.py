"""One signal for "the ledger changed", whoever changed it: views refresh from here."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class LedgerEvents(QObject):
    """``changed(task_ids)``: the tasks whose rows, counts or panel may show something
    new; ``None`` when anything may have changed (a plan imported, a merge)."""

    changed = Signal(object)


_events: LedgerEvents | None = None


def ledger_events() -> LedgerEvents:
    global _events
    if _events is None:
        _events = LedgerEvents()
    return _events


def announce(task_ids: list[int] | None) -> None:
    ledger_events().changed.emit(None if task_ids is None else list(task_ids))
