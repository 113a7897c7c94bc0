"""The one drop-down of quarters: the window's 进展季度, the task panel's, and every
dialog's (report, export, fill-in, evidence package, roll-up, the due-quarter filter).

It shows ``Quarter.label`` (2023年第三季度), hands back a ``Quarter``, is as wide as its
longest label in the font of the moment (大字模式 included, no Latin-character guess),
and ignores the mouse wheel unless the clerk clicked into it. Each item's data is the
quarter's text ("2023Q3"), Qt's side of the edge.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from ..core.quarters import Quarter, default_quarter, plan_quarters
from .wheel_guard import guard_widget


class QuarterCombo(QComboBox):
    """Quarters to choose from. ``any_text`` adds a first entry meaning "no particular
    quarter" (全部季度), for which :meth:`current_quarter` is None; ``suffix`` follows
    each label (…到期)."""

    #: The clerk (or :meth:`set_quarter`) chose another entry: the Quarter, or None
    #: for the ``any_text`` entry. Filling the list says nothing (nor does Qt's
    #: currentIndexChanged then).
    quarterChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, any_text: str | None = None, suffix: str = "") -> None:
        super().__init__(parent)
        self._any_text = any_text
        self._suffix = suffix
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.currentIndexChanged.connect(self._index_changed)
        guard_widget(self)

    # -- what it offers -----------------------------------------------------------------

    def fill(self, plan_year: int, selected: Quarter | None = None) -> None:
        """The plan year's quarters, latest first, on ``selected`` (else the quarter a
        plan of that year is worked on, see ``default_quarter``)."""
        self.set_choices(plan_quarters(plan_year), selected if selected is not None else default_quarter(plan_year))

    def set_choices(self, quarters: Iterable[Quarter], selected: Quarter | None = None) -> None:
        """Exactly these quarters, in this order, on ``selected`` when it is one of them
        (else the first entry). Keeps the current choice when ``selected`` is None."""
        keep = self.current_quarter() if selected is None else selected
        blocked = self.blockSignals(True)
        try:
            self.clear()
            if self._any_text is not None:
                self.addItem(self._any_text, None)
            for quarter in quarters:
                self.addItem(quarter.label + self._suffix, str(quarter))
            self.setCurrentIndex(max(self.findData(str(keep)) if keep is not None else 0, 0))
        finally:
            self.blockSignals(blocked)
        self.updateGeometry()

    def quarters(self) -> list[Quarter]:
        return [Quarter.stored(data) for i in range(self.count()) if (data := self.itemData(i))]

    # -- the choice ---------------------------------------------------------------------

    def current_quarter(self) -> Quarter | None:
        data = self.currentData()
        return Quarter.stored(data) if data else None

    def set_quarter(self, quarter: Quarter | None) -> bool:
        """Show ``quarter`` (None: the ``any_text`` entry). False, and nothing changes,
        when it is not offered (a quarter of another plan year)."""
        index = self.findData(str(quarter)) if quarter is not None else (0 if self._any_text is not None else -1)
        if index < 0:
            return False
        self.setCurrentIndex(index)
        return True

    def _index_changed(self, _index: int) -> None:
        self.quarterChanged.emit(self.current_quarter())

    # -- its width ------------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Never narrower than its longest label: a layout short of room squeezes
        something else, not 2023年第四季度 into 2023年第四…"""
        return QSize(self.sizeHint().width(), super().minimumSizeHint().height())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()  # 大字模式: the labels got wider
