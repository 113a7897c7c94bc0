"""更新本级分解表, the view :class:`~.derive_dialog.DeriveDialog` shows when the plan
already has a county plan (a second derive would be refused): the superior's new tasks
that concern the county, its withdrawn tasks and its changed ones
(core/derive.prepare_update), each with a checkbox, the county's own words shown beside
the superior's new ones and never overwritten; 应用 writes the ticked lines in a worker
(core/derive.apply_update)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import derive as V
from ..core.errors import UserError
from ..core.ledger import Ledger
from ..core.unit_mapping import How
from .background import BackgroundTask
from .failure_text import failure_text
from .file_dialogs import save_file
from .operations import linked
from .operations.run import run_on_ledger
from .unit_mapping_input import MISSING, ask_mapping_file

if TYPE_CHECKING:
    from .derive_dialog import DeriveDialog


def detail_text(item: V.UpdateItem) -> str:
    """One line of the update in full, for the pane under the tree."""
    head = f"上级序号 {item.source.seq}" + (f" → 本级序号 {item.county.seq}" if item.county is not None else "")
    lines = [f"{head}({item.kind.value})", f"上级现在:{item.text}"]
    if item.kind == V.UpdateKind.ADDED:
        lines.append(f"上级责任单位:{'、'.join(u.name for u in item.source.units) or '(无)'}")
        lines.append(f"本级责任单位:{item.derived.units_text or '(无)'}"
                     + (f"(还没有对应:{'、'.join(item.unmapped)})" if item.unmapped else ""))
        lines.append(f"完成时限:{item.source.deadline_text or '(无)'}")
    elif item.kind == V.UpdateKind.WITHDRAWN:
        lines.append(f"本级任务:{item.county.requirement}(现为“{item.county.status.value}”,将标为“已取消”,记录保留)")
    for change in item.aspects:
        lines += ["", f"{change.aspect.value}", f"  上级原来:{change.old}", f"  上级现在:{change.new}",
                  f"  本级现在:{change.county}"]
        if change.aspect == V.Aspect.UNITS:
            lines.append(f"  本级责任单位不变;按单位对应应为:{change.proposed}")
        elif change.edited:
            lines.append("  本级改过,保留本级的,不修改。")
        else:
            lines.append("  本级随上级修改。")
    return "\n".join(lines)


KEY_ROLE = Qt.ItemDataRole.UserRole
KEPT = QColor("#eeeeee")


class UpdateView(QWidget):
    """The update preview with a checkbox per line, in :class:`DeriveDialog` when the
    plan already has its county plan. The preview is read on the window's connection;
    应用 writes the ticked lines on the worker's (the preview is made again there and
    refused if either plan changed meanwhile)."""

    COL_SEQ, COL_COUNTY, COL_TEXT, COL_WHAT = range(4)

    def __init__(self, dialog: DeriveDialog, county) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.ledger = dialog.ledger
        self.plan = dialog.plan
        self.county = county
        self.preview: V.UpdatePreview | None = None
        self.given: dict[str, list[str]] = {}  # pairs from a mapping file, over the stored ones
        self.outcome: V.UpdateOutcome | None = None
        self._filling = False

        intro = QLabel(f"上级分解表《{self.plan.title}》已生成本级分解表《{county.title}》。\n"
                       "上级修订后,可把改动带入本级分解表:勾选要带入的内容后点“应用”。"
                       "本级改过的内容保留不动,两者并列显示。")
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["上级序号", "本级序号", "内容(上级原来 → 现在)", "带入本级分解表"])
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.currentItemChanged.connect(lambda current, _previous: self._show_detail(current))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(self.COL_SEQ, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_COUNTY, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COL_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.COL_WHAT, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(self.COL_WHAT, 360)
        self.tree.itemChanged.connect(self._ticked)

        self.output = QLineEdit()
        self.output.setPlaceholderText("不填时只更新台账,不写文件")
        choose = QPushButton("选择…")
        choose.clicked.connect(self.choose_output)
        import_map = QPushButton("导入对应表…")
        import_map.setToolTip("新增任务的上级单位还没有本级单位时:两列 上级单位 | 本级单位,每行一对")
        import_map.clicked.connect(self.import_mapping)
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("同时写成本级分解表文件(.xlsx):"))
        out_row.addWidget(self.output, 1)
        out_row.addWidget(choose)
        out_row.addWidget(import_map)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("应用", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(dialog.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # A line of the tree is one line; the whole texts, old and new and the county's, here.
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("选中一行,这里显示全文:上级原来的、现在的和本级现在的内容。")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addLayout(out_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.refresh()

    # -- the preview ------------------------------------------------------------------------

    def refresh(self, keep: set[str] | None = None) -> None:
        """Read the preview again; ``keep``: the lines the clerk had ticked (else the defaults)."""
        try:
            self.preview = V.prepare_update(self.ledger, self.plan.id, mapping=self.given or None,
                                            mapping_how=How.FILE)
        except UserError as exc:
            self.preview = None
            self.tree.clear()
            self.summary.setText(exc.message)
            self.apply_button.setEnabled(False)
            return
        ticked = set(self.preview.default_keys) if keep is None else keep
        self._filling = True
        try:
            self.tree.clear()
            for kind in V.UpdateKind:
                items = self.preview.of(kind)
                if not items:
                    continue
                group = QTreeWidgetItem([f"{kind.value}({len(items)} 项)", "", "", ""])
                group.setFirstColumnSpanned(True)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(group)
                for item in items:
                    group.addChild(self._row(item, item.key in ticked))
            self.tree.expandAll()
        finally:
            self._filling = False
        rows = self._rows()
        if rows:
            self.tree.setCurrentItem(rows[0])
        self._update_summary()

    def _row(self, item: V.UpdateItem, ticked: bool) -> QTreeWidgetItem:
        county_seq = str(item.county.seq) if item.county is not None else "(新)"
        if item.kind == V.UpdateKind.ADDED:
            what = f"加入本级分解表;本级责任单位:{item.derived.units_text or '(无)'}"
            if item.unmapped:
                what = f"还没有对应的本级单位:{'、'.join(item.unmapped)}(请导入对应表,或不选)"
            elif not item.concerns:
                what += "(没有点名本级,默认不选)"
        elif item.kind == V.UpdateKind.WITHDRAWN:
            what = "本级任务标为“已取消”(记录保留)"
        elif item.writes:
            what = "随上级修改:" + "、".join(a.aspect.value for a in item.aspects if a.follows)
        else:
            what = "只列出,不修改"
        row = QTreeWidgetItem([str(item.source.seq), county_seq, item.text, what])
        row.setData(self.COL_SEQ, KEY_ROLE, item.key)
        row.setToolTip(self.COL_TEXT, item.source.requirement)
        row.setToolTip(self.COL_WHAT, what)
        if item.writes:
            row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(self.COL_SEQ, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        else:
            row.setFlags(Qt.ItemFlag.ItemIsEnabled)
        if item.unmapped:
            for col in range(4):
                row.setBackground(col, QBrush(MISSING))
        for change in item.aspects:
            if change.aspect == V.Aspect.UNITS:
                note = f"本级不变(现为 {change.county});按单位对应应为 {change.proposed}"
            elif change.edited:
                note = f"本级已改为:{change.county}(保留本级的)"
            else:
                note = "本级随之修改"
            child = QTreeWidgetItem(["", "", f"{change.aspect.value}:{change.old} → {change.new}", note])
            child.setFlags(Qt.ItemFlag.ItemIsEnabled)
            child.setToolTip(self.COL_TEXT, f"上级原来:{change.old}\n上级现在:{change.new}")
            child.setToolTip(self.COL_WHAT, note)
            if not change.follows:
                for col in range(4):
                    child.setBackground(col, QBrush(KEPT))
            row.addChild(child)
        return row

    def _show_detail(self, row: QTreeWidgetItem | None) -> None:
        while row is not None and row.data(self.COL_SEQ, KEY_ROLE) is None:
            row = row.parent()  # an aspect line shows its task
        item = self.preview.item(row.data(self.COL_SEQ, KEY_ROLE)) if row is not None and self.preview else None
        self.detail.setPlainText(detail_text(item) if item is not None else "")

    def _rows(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(g).child(r) for g in range(self.tree.topLevelItemCount())
                for r in range(self.tree.topLevelItem(g).childCount())]

    def chosen_keys(self) -> list[str]:
        return [row.data(self.COL_SEQ, KEY_ROLE) for row in self._rows()
                if row.flags() & Qt.ItemFlag.ItemIsUserCheckable and row.checkState(self.COL_SEQ) == Qt.CheckState.Checked]

    def set_ticked(self, key: str, ticked: bool) -> None:
        for row in self._rows():
            if row.data(self.COL_SEQ, KEY_ROLE) == key:
                row.setCheckState(self.COL_SEQ, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _ticked(self, _item: QTreeWidgetItem, column: int) -> None:
        if not self._filling and column == self.COL_SEQ:
            self._update_summary()

    def problems(self) -> list[str]:
        if self.preview is None:
            return ["无法预览"]
        keys = self.chosen_keys()
        found = []
        if not keys:
            found.append("没有勾选要带入的内容")
        blocked = self.preview.blocked(keys)
        if blocked:
            units = "、".join(dict.fromkeys(n for i in blocked for n in i.unmapped))
            found.append(f"勾选的新增任务中,上级单位 {units} 还没有对应的本级单位(红色):请导入对应表,或不选这些任务")
        return found

    def _update_summary(self) -> None:
        if self.preview is None:
            return
        if self.preview.is_empty:
            self.summary.setText("本级分解表与上级分解表一致,没有需要更新的内容。")
            self.apply_button.setEnabled(False)
            return
        chosen = {k for k in self.chosen_keys()}
        count = {kind: sum(1 for i in self.preview.of(kind) if i.key in chosen) for kind in V.UpdateKind}
        kept = sum(1 for i in self.preview.items for a in i.aspects if a.edited)
        text = (f"将加入 {count[V.UpdateKind.ADDED]} 项任务,标为已取消 {count[V.UpdateKind.WITHDRAWN]} 项,"
                f"随上级修改 {count[V.UpdateKind.CHANGED]} 项")
        text += f";本级改过的 {kept} 处保留不动。" if kept else "。"
        problems = self.problems()
        if problems:
            text += " " + ";".join(problems) + "。"
        self.summary.setText(text)
        idle = self.dialog._task is None or not getattr(self.dialog._task, "running", False)
        self.apply_button.setEnabled(not problems and idle)

    # -- files --------------------------------------------------------------------------------

    def choose_output(self) -> None:
        start = self.output.text().strip() or f"{self.county.title}.xlsx"
        path = save_file(self, "本级分解表保存为", start, "Excel 工作簿 (*.xlsx)", "fill_in")
        if path is not None:
            self.output.setText(str(path))

    def import_mapping(self) -> None:
        pairs = ask_mapping_file(self)
        if pairs is None:
            return
        self.given.update(pairs)
        self.refresh(keep=set(self.chosen_keys()))

    # -- writing ------------------------------------------------------------------------------

    def apply(self) -> None:
        if self.problems() or self.preview is None:
            return
        preview, keys, output = self.preview, self.chosen_keys(), self.output.text().strip()

        def work(own_ledger: Ledger) -> tuple[V.UpdateOutcome, Path | None]:
            from ..io.plan_writer import write_plan_xlsx

            written: list[Path] = []
            outcome = linked.update_derived(
                own_ledger, preview, keys,
                also=(lambda led, plan_id: written.append(write_plan_xlsx(led, plan_id, output))) if output else None)
            return outcome, written[0] if written else None

        self.apply_button.setEnabled(False)
        self.dialog._task = BackgroundTask(self.dialog, "正在更新本级分解表……")
        run_on_ledger(self.dialog._task, self.ledger.folder, work, self._applied, what="更新本级分解表",
                      parent=self.dialog, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self.dialog, "没有更新", failure_text(exc, "更新本级分解表"))
        self.refresh(keep=set(self.chosen_keys()))

    def _applied(self, result: tuple[V.UpdateOutcome, Path | None]) -> None:
        outcome, written = result
        self.outcome = outcome
        text = (f"已更新本级分解表《{self.county.title}》:加入任务 {len(outcome.added)} 项,"
                f"标为已取消 {len(outcome.cancelled)} 项,随上级修改 {len(outcome.followed)} 项。")
        if written:
            text += f"\n已写成文件:{written}"
        QMessageBox.information(self.dialog, "已更新", text)
        self.dialog.updated.emit(outcome.plan_id)
        self.dialog.accept()
