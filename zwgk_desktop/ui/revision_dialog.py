"""按修订导入: a corrected table from the same office, shown change by change (old →
new) before anything is written, with the pairings the clerk may accept.

The comparison is :func:`core.revision.preview_revision` (reading only); 应用修订 runs
:func:`core.revision.apply_revision` in a worker on its own connection, which compares
again inside its transaction, so what is written is what the table showed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.model import ParsedPlan
from ..core.revision import (
    ChangeKind,
    RevisionChange,
    RevisionPreview,
    RevisionResult,
    Suggestion,
    preview_revision,
)
from . import operations
from .background import BackgroundTask
from .failure_text import failure_text
from .operations import linked
from .tables import wrapped_table
from .wheel_guard import guard_wheel

COLUMNS = ["类别", "序号", "原内容", "新内容"]
KIND_COLOURS = {
    ChangeKind.ADDED: QColor("#e3f2e1"),  # green: comes in
    ChangeKind.REMOVED: QColor("#eeeeee"),  # grey: 已取消, as the task list shows it
    ChangeKind.REWORDED: QColor("#fff6d6"),
}


def seq_text(change: RevisionChange) -> str:
    """原 2 / 新 5 / 3 / 3→4: where the task stands in the plan and in the new table."""
    if change.old_seq is None and change.new_seq is None:
        return ""
    if change.old_seq is None:
        return f"新 {change.new_seq}"
    if change.new_seq is None:
        return f"原 {change.old_seq}"
    if change.old_seq == change.new_seq:
        return str(change.old_seq)
    return f"{change.old_seq}→{change.new_seq}"


class RevisionDialog(QDialog):
    """Preview of a revision of plan ``plan_id`` by ``parsed`` (read from the file whose
    SHA-256 is ``digest``). Raises :class:`UserError` from the constructor when the file
    is no revision of that plan, so the caller can say so instead of opening it.
    ``applied(plan_id)`` once the revision is written."""

    applied = Signal(int)

    def __init__(self, ledger: Ledger, plan_id: int, parsed: ParsedPlan, parent: QWidget | None = None, *,
                 digest: str) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.plan_id = plan_id
        self.parsed = parsed
        self.digest = digest
        self.base = preview_revision(ledger, plan_id, parsed, digest)  # the suggestions come from here
        self.preview: RevisionPreview = self.base
        self.result: RevisionResult | None = None
        self._task: BackgroundTask | None = None
        self.setWindowTitle(f"按修订导入 — 《{self.base.plan_title}》")
        self.resize(1100, 660)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = wrapped_table(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())

        self.pair_boxes: list[tuple[QCheckBox, Suggestion]] = []
        self.pairs_group = QGroupBox("可能是同一项任务(文字改动较大,暂按“取消 + 新增”处理;勾选后按同一项修订,"
                                     "保留原任务已填写的内容)")
        pairs_layout = QVBoxLayout()
        for suggestion in self.base.suggestions:
            box = QCheckBox(f"原序号 {suggestion.old_seq}“{_short(suggestion.old)}” ↔ 新序号 {suggestion.new_seq}"
                            f"“{_short(suggestion.new)}”(相似度 {suggestion.similarity:.0%})")
            box.setToolTip(f"原:{suggestion.old}\n新:{suggestion.new}")
            box.toggled.connect(self._pairs_changed)
            pairs_layout.addWidget(box)
            self.pair_boxes.append((box, suggestion))
        inner = QWidget()
        inner.setLayout(pairs_layout)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        scroll.setWidget(inner)
        scroll.setFixedHeight(min(140, inner.sizeHint().height() + 2))
        group_layout = QVBoxLayout(self.pairs_group)
        group_layout.addWidget(scroll)
        self.pairs_group.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.pairs_group.setVisible(bool(self.pair_boxes))

        self.note = QLabel("应用后:对应上的任务保留状态、进展和佐证材料,内容按新表更新;取消的任务标为“已取消”,"
                           "保留记录但不再计入统计。每处修改都记入操作记录;写入前自动备份台账。")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555")
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("应用修订", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.pairs_group)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self._show(self.preview)
        guard_wheel(self)

    # -- the preview ----------------------------------------------------------------------

    def accepted_pairs(self) -> list[tuple[int, int]]:
        """The suggestions ticked, as (old 序号, new 序号)."""
        return [(s.old_seq, s.new_seq) for box, s in self.pair_boxes if box.isChecked()]

    def _pairs_changed(self) -> None:
        try:
            self.preview = preview_revision(self.ledger, self.plan_id, self.parsed, self.digest,
                                            pairs=self.accepted_pairs())
        except UserError as exc:  # the plan changed meanwhile: say so, keep the last preview
            self.summary.setText(exc.message)
            self.apply_button.setEnabled(False)
            return
        self._show(self.preview)

    def _show(self, preview: RevisionPreview) -> None:
        parsed = preview.parsed
        counts = preview.counts()
        text = (f"文件“{parsed.source_name}”→《{preview.plan_title}》({preview.year} 年)。"
                f"新表 {len(parsed.tasks)} 项任务,与原有任务对应上 {len(preview.matches)} 项"
                f"(其中 {preview.unchanged} 项没有变化)。")
        if counts:
            text += "修改:" + "、".join(f"{kind.value} {n} 项" for kind, n in counts.items()) + "。"
        else:
            text += "内容与分解表相同,应用时只记下新的来源文件。"
        for note in preview.notes:
            text += f"\n{note}"
        self.summary.setText(text)
        self.table.setRowCount(len(preview.changes))
        for row, change in enumerate(preview.changes):
            values = [change.kind.value, seq_text(change), change.old or "—", change.new or "—"]
            if change.kind == ChangeKind.REMOVED:
                values[3] = "(标为“已取消”)"
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                colour = KIND_COLOURS.get(change.kind)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self.apply_button.setEnabled(True)

    def rows(self) -> list[list[str]]:
        """What the table shows, row by row (for tests and a quick look)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]

    # -- writing ----------------------------------------------------------------------------

    def apply(self) -> None:
        preview = self.preview

        def work(own: Ledger) -> RevisionResult:
            return linked.revise_plan(own, preview)

        self.apply_button.setEnabled(False)
        self._task = BackgroundTask(self, "正在写入修订……")
        operations.run_on_ledger(self._task, self.ledger.folder, work, self._applied, what="修订分解表",
                                 parent=self, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.apply_button.setEnabled(True)
        QMessageBox.warning(self, "没有完成", failure_text(exc, "修订分解表"))

    def _applied(self, result: RevisionResult) -> None:
        self.result = result
        self.applied.emit(result.plan_id)
        self.accept()


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[:limit] + "……"
