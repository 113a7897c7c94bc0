"""The quarter the clerk is working on (the window's 进展季度), held in one place.

The window's drop-down, the task panel's drop-down, the table's 进展 column and the
dialogs' defaults (report, export, fill-in, evidence package, roll-up) all read this
one object or listen to it; a choice in any drop-down sets it, and it tells everyone
once. What the clerk chose is remembered for the next start (ui/settings.py).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..core.quarters import Quarter, default_quarter
from . import settings as app_settings


class CurrentQuarter(QObject):
    #: The quarter is now another one (the new Quarter). Said once per change.
    changed = Signal(object)

    def __init__(self, parent: QObject | None = None, quarter: Quarter | None = None) -> None:
        super().__init__(parent)
        self._quarter = quarter if quarter is not None else Quarter.current()

    @property
    def quarter(self) -> Quarter:
        return self._quarter

    def set(self, quarter: Quarter, *, chosen: bool = True) -> bool:
        """Make ``quarter`` current; False when it already was (nobody is told).
        ``chosen``: the clerk picked it, so the next start opens on it; the window's
        own pick for a newly shown plan is not remembered."""
        if chosen:
            app_settings.set_progress_quarter(quarter)
        if quarter == self._quarter:
            return False
        self._quarter = quarter
        self.changed.emit(quarter)
        return True

    @staticmethod
    def for_plan(plan_year: int) -> Quarter:
        """The quarter to show with a plan: the clerk's last choice if it is of the
        plan's year, else the one a plan of that year is worked on."""
        remembered = app_settings.progress_quarter()
        if remembered is not None and remembered.year == plan_year:
            return remembered
        return default_quarter(plan_year)
