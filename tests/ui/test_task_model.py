"""The task table's model: Qt's model tester in every state, sorting, and the lazy
page-at-a-time fetching that keeps a 5,000-task ledger quick."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.task_query import Light, TaskFilter
from zwgk_desktop.core.units import assign_roles
from zwgk_desktop.ui.task_table_model import (
    COL_DUE,
    COL_EVIDENCE,
    COL_PROGRESS,
    COL_SEQ,
    COL_STATUS,
    COL_TEXT,
    COL_UNITS,
    COLUMNS,
    LIGHT_ROLE,
    PAGE,
    TASK_ID_ROLE,
    TaskTableModel,
)

from .conftest import SAMPLE_TASKS

BIG = 5000


@pytest.fixture
def model(sample_ledger, qapp):
    model = TaskTableModel(sample_ledger)
    model.set_quarter(Quarter(2023, 4))
    model.set_filter(TaskFilter(plan_id=sample_ledger.plans()[0].id))
    return model


def test_model_tester_on_a_loaded_plan(model, qtmodeltester):
    assert model.rowCount() == SAMPLE_TASKS
    assert model.columnCount() == len(COLUMNS) == 8
    qtmodeltester.check(model)


def test_model_tester_after_filter_sort_and_edits(model, sample_ledger, qtmodeltester):
    plan_id = sample_ledger.plans()[0].id
    ids = sample_ledger.task_ids(plan_id)
    sample_ledger.set_statuses(ids[:3], Status.DONE, date(2023, 6, 30))
    sample_ledger.set_progress(ids[0], Quarter(2023, 4), "已完成")
    model.refresh_tasks(ids[:3])
    model.set_filter(TaskFilter(plan_id=plan_id, unit="区发改局"))
    assert model.rowCount() == 8  # with 18: "区发改局等区政府有关部门单位" names 区发改局
    qtmodeltester.check(model)
    model.sort(COL_STATUS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_filter(TaskFilter(plan_id=plan_id, search="没有这样的任务"))
    assert model.rowCount() == 0
    qtmodeltester.check(model)
    model.set_filter(None)
    qtmodeltester.check(model)


def test_cells_of_one_row(model, sample_ledger):
    plan_id = sample_ledger.plans()[0].id
    task = sample_ledger.tasks(plan_id)[2]
    sample_ledger.set_progress(task.id, Quarter(2023, 4), "已召开推进会")
    model.refresh_tasks([task.id])
    cells = [model.index(2, c).data() for c in range(len(COLUMNS))]
    assert cells == ["3", task.requirement, "区国金局(牵头)、区发改局、区工信局", "12月底前", "2023-12-31",
                     "未启动", "已召开推进会", ""]
    assert model.index(2, COL_SEQ).data(TASK_ID_ROLE) == task.id
    assert model.index(2, COL_SEQ).data(LIGHT_ROLE) == Light.OVERDUE.value  # due in 2023
    assert model.index(2, COL_UNITS).data(Qt.ItemDataRole.ToolTipRole) == \
        "区国金局(牵头)\n区发改局(配合)\n区工信局(配合)"
    assert model.index(2, COL_TEXT).data(Qt.ItemDataRole.ToolTipRole) == \
        f"{task.section[-1]}\n{task.requirement}"
    assert model.index(2, COL_DUE).data(Qt.ItemDataRole.TextAlignmentRole) == int(Qt.AlignmentFlag.AlignCenter)
    assert model.index(2, COL_EVIDENCE).data() == ""
    model.set_quarter(Quarter(2023, 3))
    assert model.index(2, COL_PROGRESS).data() == ""


def test_sorting_by_due_date_status_and_back(model, sample_ledger):
    tasks = sample_ledger.tasks(sample_ledger.plans()[0].id)
    sample_ledger.set_status(tasks[40].id, Status.DONE)
    sample_ledger.set_status(tasks[41].id, Status.IN_PROGRESS)
    model.reload()
    model.sort(COL_DUE, Qt.SortOrder.AscendingOrder)
    expected = sorted(tasks, key=lambda t: (t.due_date or date.max, t.seq))
    assert model.ids == [t.id for t in expected]
    assert [model.index(r, COL_SEQ).data() for r in range(7)] == ["6", "7", "8", "9", "10", "11", "12"]
    model.sort(COL_STATUS, Qt.SortOrder.DescendingOrder)
    assert model.ids[:2] == [tasks[40].id, tasks[41].id]  # 已完成 before 推进中 before 未启动
    assert model.ids[2:] == [t.id for t in reversed(tasks) if t.id not in (tasks[40].id, tasks[41].id)]
    before = model.ids
    model.sort(COL_PROGRESS, Qt.SortOrder.AscendingOrder)  # not sortable: the order stays
    assert model.ids == before
    model.sort(COL_SEQ, Qt.SortOrder.AscendingOrder)
    assert model.ids == [t.id for t in tasks]


def test_filter_keeps_the_sort(model, sample_ledger):
    plan_id = sample_ledger.plans()[0].id
    model.sort(COL_SEQ, Qt.SortOrder.DescendingOrder)
    model.set_filter(TaskFilter(plan_id=plan_id, unit="区教体局"))
    seqs = [int(model.index(r, COL_SEQ).data()) for r in range(model.rowCount())]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == 7


# -- 11. a big ledger -------------------------------------------------------------------


def big_plan(count: int) -> ParsedPlan:
    units = [assign_roles(text) for text in ("区发改局、区财政局", "区教体局", "区卫健局、各镇(街道)")]
    deadlines = [parse_deadline(text, 2024) for text in ("6月底前", "12月底前", "长期坚持")]
    tasks = []
    for i in range(count):
        section = [f"{'一二三四五六七八九十'[i // 500]}、第{i // 500 + 1}部分", f"({i // 100 % 5 + 1})第{i // 100 + 1}组"]
        unit = units[i % 3]
        tasks.append(ParsedTask(seq=i + 1, section=section, title=None, requirement=f"第{i + 1}项任务的具体要求。",
                                units_text="、".join(u.name for u in unit), units=unit,
                                deadline=deadlines[i % 3], source_row=i + 3))
    return ParsedPlan(title="2024年大型任务分解表", year=2024, columns=["工作任务", "具体要求", "责任单位", "完成时限"],
                      mapping={"heading": [0], "requirement": [1], "units": [2], "deadline": [3]},
                      tasks=tasks, sheet="Sheet1", source_name="big.xlsx")


@pytest.fixture(scope="module")
def big_ledger_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big") / "ledger"
    with Ledger.open(folder) as ledger:
        write_plan(ledger, big_plan(BIG), "0" * 64)
    return folder


def test_five_thousand_tasks_are_fetched_a_page_at_a_time(big_ledger_dir, open_ledger, make_window, qtbot):
    ledger = open_ledger(big_ledger_dir)
    window = make_window(ledger)
    model = window.model
    ids = ledger.task_ids(window.plan.id)
    assert model.rowCount() == BIG
    assert window.summary.text().startswith(f"共 {BIG} 项")
    assert window.sections.topLevelItem(0).text(0) == f"全部任务({BIG})"
    assert len(model._rows) <= PAGE  # only what the first screen shows

    window.table.scrollToBottom()
    window.table.viewport().grab()  # paint: Qt asks data() for the visible rows only
    assert window.table.rowAt(window.table.viewport().height() - 2) == BIG - 1
    assert ids[-1] in model._rows
    last = model.index(BIG - 1, COL_TEXT)
    assert last.data() == f"第{BIG}项任务的具体要求。"
    assert model.index(BIG - 1, COL_SEQ).data() == str(BIG)
    assert set(model._rows) <= set(ids[:PAGE]) | set(ids[-PAGE:])
    assert len(model._rows) <= 2 * PAGE

    window.table.selectAll()  # selecting everything needs ids, not rows
    assert window.selected_task_ids() == ids
    assert window.panel.task is None
    assert len(model._rows) <= 2 * PAGE

    window.filters.search.setText("第4999项")
    window.filters.flush()
    assert model.ids == [ids[4998]]
    assert len(model._rows) == 0 or set(model._rows) == {ids[4998]}
