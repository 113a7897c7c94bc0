"""对照上年结转事项…: last year's carried-over list (ui/rollover_dialog.py writes it)
beside the new plan's most alike task, for the clerk to accept or change, then 应用.

Reads through core (no SQL here) and records the links in a worker through
``operations.run_on_ledger``: one transaction and one audit row; the new plan's tasks
stay as they are.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import rollover as ro
from ..core.ledger import Ledger
from .background import BackgroundTask
from .failure_text import failure_text
from .operations import linked
from .operations.run import run_on_ledger
from .rollover_dialog import read_only_item, short_text
from .screen_fit import fit_to_screen
from .wheel_guard import guard_wheel, guard_widget


def _show_whole_task(combo: QComboBox) -> None:
    """The chosen task's whole text as the box's tooltip: in 大字模式 the column cuts
    «序号 1:持续推进政策解读,做好…»."""
    combo.setToolTip(combo.currentData(Qt.ItemDataRole.ToolTipRole) or "")


class CarryoverMatchDialog(QDialog):
    """Last year's list beside the new plan's most alike task. The clerk ticks what to
    accept (or picks another task), then 应用: only the links are recorded, the new
    plan's tasks stay as they are."""

    matched = Signal(int)  # how many links changed

    COLUMNS = ("采用", "上年序号", "上年任务", "当时状态", "最后进展", "对应的新任务", "相似度")
    NO_TASK = "(不对应)"

    def __init__(self, ledger: Ledger, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan = ledger.plan(plan_id)
        self._task: BackgroundTask | None = None
        self.setWindowTitle("对照上年结转事项")
        fit_to_screen(self, (1100, 600))
        intro = QLabel(
            f"左边是结转到 {self.plan.year} 年的上年事项,右边是《{self.plan.title}》中文字最相近的任务。"
            "勾选“采用”记下对应(也可在下拉框中改选其他任务),然后点“应用”。对应只记下关系,"
            "不会改动新分解表的任务;对应后,新任务的详情中会显示上年最后一次进展。")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(f"台账中没有结转到 {self.plan.year} 年的事项。请先在上一年的分解表上使用"
                            f"“结转到新年度”(结转到新台账的,请在新台账中对照)。")
        self.empty.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("应用", QDialogButtonBox.ButtonRole.ApplyRole)
        close = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(lambda: self.apply())
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self._choices = [(f"序号 {t.seq}:{short_text(t.requirement, 36)}", t.id, t.requirement)
                         for t in ledger.tasks(plan_id)]
        self.suggestions: list[ro.MatchSuggestion] = []
        self.combos: list[QComboBox] = []
        self.checks: list[QCheckBox] = []
        self.reload()
        guard_wheel(self)

    def reload(self) -> None:
        """Read the list and the suggestions again (after 应用 they show what is stored)."""
        self.suggestions = ro.suggest_matches(self.ledger, self.plan.id)
        self.table.setRowCount(len(self.suggestions))
        self.combos, self.checks = [], []
        for row, s in enumerate(self.suggestions):
            item = s.item
            check = QCheckBox()
            check.setChecked(item.matched_task_id is None and s.above_threshold)
            check.setToolTip("勾选后,点“应用”记下这一行的对应")
            holder = QWidget()
            box = QHBoxLayout(holder)
            box.setContentsMargins(6, 0, 6, 0)
            box.addWidget(check)
            self.table.setCellWidget(row, 0, holder)
            self.checks.append(check)
            seq = str(item.seq) if item.seq is not None else "—"
            for col, (text, tip) in enumerate(((seq, None), (short_text(item.requirement, 50), item.requirement),
                                               (item.status, None),
                                               (short_text(item.last_progress, 30) or "—",
                                                item.last_progress or "没有填写过进展")), start=1):
                self.table.setItem(row, col, read_only_item(text, tip))
            combo = QComboBox()
            combo.addItem(self.NO_TASK, None)
            for label, tid, text in self._choices:
                combo.addItem(label, tid)
                combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
            current = item.matched_task_id if item.matched_task_id is not None else s.task_id
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            _show_whole_task(combo)
            combo.currentIndexChanged.connect(lambda _i, r=row: self._picked(r))
            self.table.setCellWidget(row, 5, combo)
            self.combos.append(combo)
            self.table.setItem(row, 6, read_only_item(self._score_text(s, combo.currentData())))
            guard_widget(combo)  # made after the dialog, on every reload
        self.empty.setVisible(not self.suggestions)
        self.table.setVisible(bool(self.suggestions))
        self._update_apply()

    def _score_text(self, s: ro.MatchSuggestion, task_id: int | None) -> str:
        if task_id is None:
            return "—"
        scores = {tid: score for tid, _seq, score in s.alternatives}
        if task_id == s.task_id and s.score:
            scores[task_id] = s.score
        score = scores.get(task_id)
        state = "(已对应)" if task_id == s.item.matched_task_id else ""
        return (f"{score:.0%}" if score is not None else "—") + state

    def _picked(self, row: int) -> None:
        s = self.suggestions[row]
        _show_whole_task(self.combos[row])
        self.checks[row].setChecked(self.combos[row].currentData() != s.item.matched_task_id)
        self.table.setItem(row, 6, read_only_item(self._score_text(s, self.combos[row].currentData())))
        self._update_apply()

    def _update_apply(self) -> None:
        reason = self.ledger.read_only or ("" if self.suggestions else "没有可对照的结转事项。")
        running = self._task is not None and self._task.running
        self.apply_button.setEnabled(not reason and not running)
        self.apply_button.setToolTip(reason)

    def chosen_pairs(self) -> dict[int, int | None]:
        """Item id -> task id (None: unlinked) for the ticked rows."""
        return {s.item.id: self.combos[row].currentData() for row, s in enumerate(self.suggestions)
                if self.checks[row].isChecked()}

    def apply(self) -> BackgroundTask | None:
        pairs = self.chosen_pairs()
        if not pairs:
            self.result_label.setText("没有勾选任何一行,台账没有改动。")
            return None
        task = BackgroundTask(self, "正在记下对应……")
        self._task = task
        self.apply_button.setEnabled(False)

        def work(own: Ledger) -> int:
            return linked.match_carryover(own, pairs)

        def done(changed: int) -> None:
            self.result_label.setText(f"已记下 {changed} 项对应;新分解表的任务没有改动。" if changed
                                      else "对应关系与台账中的相同,台账没有改动。")
            self.reload()
            self.matched.emit(changed)

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, "没有记下对应", failure_text(exc, "对照上年结转事项"))
            self._update_apply()

        run_on_ledger(task, self.ledger.folder, work, done, failed=failed, what="对照上年结转事项", parent=self)
        return task
