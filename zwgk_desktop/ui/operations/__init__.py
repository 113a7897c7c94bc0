"""The one door from widgets into the ledger.

Widgets never call core's writing functions themselves (tests/test_layers.py checks
it): they call one small function here per change. Each writes through core (one
transaction, one audit row), then announces the change on :func:`ledger_events`, the
one signal every view listens to. Work that takes a while runs through
:func:`run_on_ledger`: off the GUI thread on its own connection, with one way of
telling the clerk that it failed.

- :mod:`.edits`: the window's undoable edits (status, its day, notes, due dates).
- :mod:`.evidence`: 佐证材料 added, moved to the 回收站, restored, the bin emptied.
- :mod:`.plans`: plans imported, deleted.
- :mod:`.backup`: full backups and going back to an automatic one.
- :mod:`.exchange`: merged replies, their undo, the unit directory.
- :mod:`.periods`: a recurring task's periods and whether it recurs.
- :mod:`.follow_up`: 催办单 written and recorded as sent.
- :mod:`.linked`: a revised table, the county's derived plan, the roll-up, a new year.
"""

import importlib
from typing import Any

from .edits import LedgerOperations
from .events import LedgerEvents, ledger_events

_AREAS = ("backup", "evidence", "exchange", "follow_up", "linked", "periods", "plans", "run")


def __getattr__(name: str) -> Any:
    """``operations.exchange`` and the other areas load on first use: the window's first
    paint does not wait for merge, import and backup code it has not needed yet (nor
    for the worker machinery of ``run_on_ledger``)."""
    if name in _AREAS:
        return importlib.import_module(f".{name}", __name__)
    if name == "run_on_ledger":
        return importlib.import_module(".run", __name__).run_on_ledger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["LedgerEvents", "LedgerOperations", "backup", "evidence", "exchange", "ledger_events", "plans",
           "run_on_ledger"]
