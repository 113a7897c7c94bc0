"""The plan's headings at the left of the window, each with its done/total count.

Choosing a heading filters the table to the tasks under it. Long headings wrap in
their tooltip, so a clerk can read 二、… in full however narrow the tree is.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from ..core import task_query
from ..core.ledger import Ledger

SECTION_ROLE = Qt.ItemDataRole.UserRole + 10


class SectionTree(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["章节", "完成"])
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

    def fill(self, ledger: Ledger, plan_id: int) -> None:
        """All headings of a plan, with 全部任务 on top chosen (no signal sent)."""
        self.blockSignals(True)
        self.clear()
        total = task_query.summary(ledger, task_query.TaskFilter(plan_id=plan_id))
        root = QTreeWidgetItem([f"全部任务({total.total})", f"{total.done}/{total.total}"])
        root.setData(0, SECTION_ROLE, None)
        self.addTopLevelItem(root)

        def add(parent: QTreeWidgetItem, node: task_query.SectionNode) -> None:
            item = QTreeWidgetItem([node.label, f"{node.done}/{node.total}"])
            item.setToolTip(0, f"{node.label}\n已完成 {node.done} 项,共 {node.total} 项")
            item.setData(0, SECTION_ROLE, node.id)
            parent.addChild(item)
            for child in node.children:
                add(item, child)

        for node in task_query.section_tree(ledger, plan_id):
            add(root, node)
        root.setExpanded(True)
        self.setCurrentItem(root)
        self.blockSignals(False)

    def refresh_counts(self, ledger: Ledger, plan_id: int) -> None:
        """After ticking: the counts change, the tree and the chosen heading stay."""
        nodes: dict[int, task_query.SectionNode] = {}

        def collect(node: task_query.SectionNode) -> None:
            nodes[node.id] = node
            for child in node.children:
                collect(child)

        for node in task_query.section_tree(ledger, plan_id):
            collect(node)
        total = task_query.summary(ledger, task_query.TaskFilter(plan_id=plan_id))
        todo = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while todo:
            item = todo.pop()
            sid = item.data(0, SECTION_ROLE)
            if sid is None:
                item.setText(1, f"{total.done}/{total.total}")
            elif sid in nodes:
                item.setText(1, f"{nodes[sid].done}/{nodes[sid].total}")
            todo.extend(item.child(i) for i in range(item.childCount()))

    def current_section_id(self) -> int | None:
        item = self.currentItem()
        return item.data(0, SECTION_ROLE) if item is not None else None
