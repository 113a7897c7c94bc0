"""已取消 by hand: offered apart from the everyday statuses, and asked first with what it
does (the task leaves every count), from the table's menu, the 状态 cell and the panel.
No answers "no": nothing is written and the panel shows the status the ledger holds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu, QMessageBox

from tests.builders import dump
from zwgk_desktop.core.model import Status
from zwgk_desktop.ui import window_status

from .helpers import select_rows, select_task


class Answers:
    """Stands in for QMessageBox.question: records (title, text), answers ``answer``."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def __call__(self, parent, title, text, *args, **kwargs):
        self.asked.append((title, text))
        return self.answer


def _choose_from_menu(window, monkeypatch, wanted: str) -> list[QMenu]:
    menus: list[QMenu] = []

    class ChoosingMenu(QMenu):
        def exec(self, *args):
            menus.append(self)
            chosen = next(a for a in self.actions() if wanted in a.text())
            chosen.trigger()
            return chosen

    monkeypatch.setattr(window_status, "QMenu", ChoosingMenu)
    window.table.customContextMenuRequested.emit(QPoint(10, 10))
    return menus


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_cancelling_from_the_menu_says_it_is_not_counted_and_asks(sample_window, sample_ledger, monkeypatch,
                                                                  answer) -> None:
    window, ledger = sample_window, sample_ledger
    select_rows(window, [2, 3])
    ids = window.selected_task_ids()
    before = dump(ledger)
    answers = Answers(answer)
    monkeypatch.setattr(QMessageBox, "question", answers)
    menus = _choose_from_menu(window, monkeypatch, "已取消")
    (title, text), = answers.asked
    assert "已取消" in title and "这 2 项任务" in text
    assert "不再计入任何统计" in text and "不适用" in text and "Ctrl+Z" in text
    if answer == QMessageBox.StandardButton.No:
        assert dump(ledger) == before
    else:
        assert [ledger.task(tid).status for tid in ids] == [Status.CANCELLED] * 2
    # in the menu it stands apart, after a separator, with the same words as its tooltip
    actions = menus[0].actions()
    cancel = next(a for a in actions if "已取消" in a.text())
    assert actions[actions.index(cancel) - 1].isSeparator()
    assert "不再计入任何统计" in cancel.toolTip()


def test_the_everyday_statuses_are_not_asked(sample_window, sample_ledger, monkeypatch) -> None:
    window, ledger = sample_window, sample_ledger
    select_rows(window, [2])
    answers = Answers(QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "question", answers)
    _choose_from_menu(window, monkeypatch, "推进中")
    assert answers.asked == [] and ledger.task(window.selected_task_ids()[0]).status == Status.IN_PROGRESS


def test_no_in_the_panel_puts_its_status_back(sample_window, sample_ledger, monkeypatch) -> None:
    window, ledger = sample_window, sample_ledger
    task_id = window.model.task_id(4)
    select_task(window, task_id)
    panel = window.panel
    status_before = ledger.task(task_id).status
    answers = Answers(QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "question", answers)
    panel.status.setCurrentIndex(panel.status.findText(Status.CANCELLED.value))
    assert panel.status.currentText() == "已取消"
    panel.status.activated.emit(panel.status.currentIndex())
    assert len(answers.asked) == 1
    assert ledger.task(task_id).status == status_before
    assert panel.status.currentText() == status_before.value
