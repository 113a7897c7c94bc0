"""Writing a read plan into the ledger: what lands in which table, units shared
across plans, refusing the same file twice, and replacing without losing work."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from zwgk_desktop.core.errors import DuplicateImportError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import sha256_of, write_plan
from zwgk_desktop.core.quarters import Quarter

from tests.builders import SUB, dump, parsed_plan

SUB2 = "\uff08\u4e8c\uff09\u516c\u4f17\u53c2\u4e0e"  # （二）公众参与
S1, S2 = "一、推进决策公开", "二、夯实基础"

ROWS = [
    ([S1, SUB], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
    ([S1, SUB], "动态调整目录。", "县司法局", "按上级要求"),
    ([S1, SUB2], "开展意见征集。", "县发改局\n县司法局", "三季度"),
    ([S2], "规范政府网站。", "县大数据中心", "长期坚持"),
]


def rows_of(ledger: Ledger, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in ledger.db.execute(sql, list(params)).fetchall()]


def test_import_writes_every_table(ledger: Ledger) -> None:
    outcome = write_plan(ledger, parsed_plan(ROWS), "d" * 64, issuer="县政府办公室")
    pid = outcome.plan_id
    assert (outcome.task_count, outcome.section_count, outcome.unit_count) == (4, 4, 4)
    assert outcome.review_seqs == [2]
    assert outcome.replaced is False and outcome.kept_old == []

    [plan] = rows_of(ledger, "SELECT id, year, title, issuer, source_name, source_sha256, sheet, columns,"
                             " imported_by FROM plans")
    assert plan == (pid, 2023, "2023年某县政务公开工作任务分解表", "县政府办公室", "任务表.xlsx", "d" * 64,
                    "Sheet1", json.dumps(["工作任务", "具体要求", "责任单位", "完成时限"], ensure_ascii=False),
                    getpass.getuser())

    sections = rows_of(ledger, "SELECT s.label, s.depth, s.position, p.label FROM sections s"
                               " LEFT JOIN sections p ON p.id = s.parent_id WHERE s.plan_id = ?"
                               " ORDER BY s.position", [pid])
    assert sections == [(S1, 1, 0, None), (SUB, 2, 1, S1), (SUB2, 2, 2, S1), (S2, 1, 3, None)]
    assert list(ledger.section_paths(pid).values()) == [(S1,), (S1, SUB), (S1, SUB2), (S2,)]

    tasks = rows_of(ledger, "SELECT seq, requirement, units_text, deadline_text, due_date, deadline_kind,"
                            " needs_review, status, source_row FROM tasks WHERE plan_id = ? ORDER BY seq", [pid])
    assert tasks == [
        (1, "公开决策事项目录。", "县司法局、县政府办", "6月底前", "2023-06-30", "fixed", 0, "未启动", 3),
        (2, "动态调整目录。", "县司法局", "按上级要求", None, "unknown", 1, "未启动", 4),
        (3, "开展意见征集。", "县发改局\n县司法局", "三季度", "2023-09-30", "fixed", 0, "未启动", 5),
        (4, "规范政府网站。", "县大数据中心", "长期坚持", None, "ongoing", 0, "未启动", 6),
    ]
    assert [t.section for t in ledger.tasks(pid)] == [[S1, SUB], [S1, SUB], [S1, SUB2], [S2]]

    assert rows_of(ledger, "SELECT name FROM units ORDER BY id") == [
        ("县司法局",), ("县政府办",), ("县发改局",), ("县大数据中心",)]
    links = rows_of(ledger, "SELECT t.seq, u.name, tu.role, tu.position FROM task_units tu"
                            " JOIN tasks t ON t.id = tu.task_id JOIN units u ON u.id = tu.unit_id"
                            " ORDER BY t.seq, tu.position")
    assert links == [
        (1, "县司法局", "lead", 0), (1, "县政府办", "cooperate", 1),
        (2, "县司法局", "lead", 0),
        (3, "县发改局", "lead", 0), (3, "县司法局", "cooperate", 1),
        (4, "县大数据中心", "lead", 0),
    ]


def test_sections_are_stored_parent_first_with_ids_that_link(ledger: Ledger) -> None:
    pid = write_plan(ledger, parsed_plan(ROWS), "d" * 64).plan_id
    rows = rows_of(ledger, "SELECT id, parent_id, depth, label FROM sections WHERE plan_id = ? ORDER BY position", [pid])
    ids = {label: sid for sid, _, _, label in rows}
    assert [(parent, depth, label) for _, parent, depth, label in rows] == [
        (None, 1, S1), (ids[S1], 2, SUB), (ids[S1], 2, SUB2), (None, 1, S2)]
    # each task points at its deepest section
    assert rows_of(ledger, "SELECT seq, section_id FROM tasks WHERE plan_id = ? ORDER BY seq", [pid]) == [
        (1, ids[SUB]), (2, ids[SUB]), (3, ids[SUB2]), (4, ids[S2])]


def test_a_table_without_sections(ledger: Ledger) -> None:
    rows = [([], "做好A。", "甲局", "全年"), ([], "做好B。", "乙局、甲局", "12月底前")]
    outcome = write_plan(ledger, parsed_plan(rows), "e" * 64)
    assert outcome.section_count == 0
    assert rows_of(ledger, "SELECT COUNT(*) FROM sections") == [(0,)]
    assert rows_of(ledger, "SELECT seq, section_id FROM tasks ORDER BY seq") == [(1, None), (2, None)]
    assert [t.section for t in ledger.tasks(outcome.plan_id)] == [[], []]


def test_units_are_shared_between_plans(ledger: Ledger) -> None:
    first = write_plan(ledger, parsed_plan([([], "甲任务。", "县司法局、县第1中学", "全年")]), "1" * 64)
    second = write_plan(ledger, parsed_plan(
        [([], "乙任务。", "县教体局、县司法局、县第\uff11中学", "全年")], year=2024, title="2024年任务表"), "2" * 64)
    assert (first.unit_count, second.unit_count) == (2, 3)
    units = dict(rows_of(ledger, "SELECT name, id FROM units"))
    # full-width １ matches the unit already in the directory, which keeps its first spelling
    assert sorted(units) == ["县司法局", "县教体局", "县第1中学"]
    links = rows_of(ledger, "SELECT t.plan_id, tu.unit_id, tu.role FROM task_units tu JOIN tasks t ON t.id = tu.task_id"
                            " ORDER BY t.plan_id, tu.position")
    assert links == [
        (first.plan_id, units["县司法局"], "lead"), (first.plan_id, units["县第1中学"], "cooperate"),
        (second.plan_id, units["县教体局"], "lead"), (second.plan_id, units["县司法局"], "cooperate"),
        (second.plan_id, units["县第1中学"], "cooperate"),
    ]


def test_the_same_file_again_is_refused(ledger: Ledger) -> None:
    pid = write_plan(ledger, parsed_plan(ROWS, source="2023年任务分解表.xlsx"), "f" * 64).plan_id
    before = dump(ledger)
    with pytest.raises(DuplicateImportError) as err:
        write_plan(ledger, parsed_plan(ROWS, source="2023年任务分解表.xlsx"), "f" * 64)
    message = err.value.message
    assert "2023年任务分解表.xlsx" in message
    assert "已于" in message and "导入过" in message
    assert f"分解表编号 {pid}" in message
    assert "重新导入" in message and "--" not in message  # the window shows it as it is
    assert "--replace" in err.value.hint_cli  # zwgk prints this under the message
    assert dump(ledger) == before


def test_the_import_audit_row_names_the_plan(ledger: Ledger) -> None:
    outcome = write_plan(ledger, parsed_plan(ROWS), "9" * 64)
    [entry] = ledger.audit_log()
    assert (entry.action, entry.entity, entry.entity_id, entry.user) == (
        "导入分解表", "plan", outcome.plan_id, getpass.getuser())
    assert entry.before is None
    assert entry.after == {"title": "2023年某县政务公开工作任务分解表", "year": 2023, "source_name": "任务表.xlsx",
                           "sha256": "9" * 64, "tasks": 4, "sections": 4}


def test_replace_keeps_work_and_ids(ledger: Ledger) -> None:
    old_rows = ROWS + [([S2], "整合政务新媒体。", "县委网信办", "9月底前")]
    pid = write_plan(ledger, parsed_plan(old_rows), "r" * 64).plan_id
    ids = ledger.task_ids(pid)  # A B C D E in seq order
    a, b, c, d, e = ids
    ledger.set_status(a, Status.IN_PROGRESS, date(2023, 5, 1))
    ledger.set_progress(b, Quarter(2023, 2), "已动态调整一次。")
    ledger.set_progress(c, Quarter(2023, 3), "已征集意见 3 次。")  # C disappears but has work
    # D (规范政府网站) and E disappear without work

    new_rows = [
        ([S1, SUB], "公开决策事项目录。", "县政府办、县司法局", "9月底前"),  # A: new units and deadline
        ([S1, SUB], "动态调整 目录。", "县司法局", "12月底前"),  # B: same text up to a space
        ([S2], "推进基层政务公开标准化。", "各镇(街道)", "全年"),  # new
    ]
    outcome = write_plan(ledger, parsed_plan(new_rows, year=2023), "r" * 64, replace=True)
    assert outcome.replaced is True and outcome.plan_id == pid
    assert outcome.kept_old == ["开展意见征集。"]
    assert outcome.task_count == 3
    assert [p.id for p in ledger.plans()] == [pid]

    tasks = ledger.tasks(pid)
    assert [t.requirement for t in tasks] == ["公开决策事项目录。", "动态调整 目录。", "推进基层政务公开标准化。",
                                              "开展意见征集。"]
    assert [t.seq for t in tasks] == [1, 2, 3, 4]
    assert [t.id for t in tasks[:2]] == [a, b]
    assert tasks[3].id == c
    assert tasks[2].id not in ids
    assert not rows_of(ledger, "SELECT id FROM tasks WHERE id IN (?, ?)", [d, e])

    # the matched tasks keep the clerk's work and take the new reading
    assert (tasks[0].status, tasks[0].status_date) == (Status.IN_PROGRESS, date(2023, 5, 1))
    assert [(u.name, u.role.value) for u in tasks[0].units] == [("县政府办", "lead"), ("县司法局", "cooperate")]
    assert tasks[0].due_date == date(2023, 9, 30)
    assert [p.text for p in tasks[1].progress] == ["已动态调整一次。"]
    assert tasks[1].due_date == date(2023, 12, 31) and not tasks[1].needs_review
    # the kept task keeps its progress
    assert [p.text for p in tasks[3].progress] == ["已征集意见 3 次。"]
    assert [p.text for p in ledger.task(c).progress] == ["已征集意见 3 次。"]

    entry = ledger.audit_log(1)[0]
    assert (entry.action, entry.entity, entry.entity_id) == ("重新导入分解表", "plan", pid)
    assert entry.after["tasks"] == 3
    # sections of the new reading only (the old (二) went away with its tasks, except the kept one)
    assert sorted(ledger.section_paths(pid).values()) == [(S1,), (S1, SUB), (S2,)]


def test_a_task_kept_on_replace_keeps_its_units_and_section(ledger: Ledger) -> None:
    pid = write_plan(ledger, parsed_plan(ROWS), "k" * 64).plan_id
    c = ledger.task_ids(pid)[2]
    d = ledger.task_ids(pid)[3]
    ledger.set_status(c, Status.DONE, date(2023, 9, 1))
    ledger.set_status(d, Status.DONE, date(2023, 9, 1))
    write_plan(ledger, parsed_plan(ROWS[:2]), "k" * 64, replace=True)
    kept = {t.id: t for t in ledger.tasks(pid)}
    # (二) is gone from the new reading: C keeps its units but has no section left;
    # 二、夯实基础 is gone too, so D has none either
    assert [(u.name, u.role.value) for u in kept[c].units] == [("县发改局", "lead"), ("县司法局", "cooperate")]
    assert [(u.name, u.role.value) for u in kept[d].units] == [("县大数据中心", "lead")]
    assert kept[c].status == Status.DONE
    assert [kept[c].seq, kept[d].seq] == [3, 4]


def test_a_task_kept_on_replace_keeps_a_section_that_still_exists(ledger: Ledger) -> None:
    pid = write_plan(ledger, parsed_plan(ROWS), "s" * 64).plan_id
    b = ledger.task_ids(pid)[1]
    ledger.set_progress(b, Quarter(2023, 1), "已完成一次调整。")
    new_rows = [ROWS[0], ([S1, SUB], "另一项任务。", "县司法局", "全年")]
    outcome = write_plan(ledger, parsed_plan(new_rows), "s" * 64, replace=True)
    assert outcome.kept_old == ["动态调整目录。"]
    kept = ledger.task(b)
    assert kept.section == [S1, SUB]
    assert [u.name for u in kept.units] == ["县司法局"]


def test_replace_without_an_earlier_import_is_a_plain_import(ledger: Ledger) -> None:
    outcome = write_plan(ledger, parsed_plan(ROWS), "n" * 64, replace=True)
    assert outcome.replaced is False
    assert ledger.audit_log(1)[0].action == "导入分解表"


def test_sha256_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "任务表.xlsx"
    data = b"x" * (3 * (1 << 20) + 17)  # more than one read chunk
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()


def test_replace_keeps_a_due_date_the_clerk_set_for_an_unreadable_deadline(ledger: Ledger) -> None:
    pid = write_plan(ledger, parsed_plan(ROWS), "u" * 64).plan_id
    b = ledger.task_ids(pid)[1]  # 按上级要求: no date, flagged
    a = ledger.task_ids(pid)[0]
    ledger.set_due_date(b, date(2023, 10, 31))
    ledger.set_due_date(a, date(2023, 7, 15))  # a readable text the clerk overrode
    outcome = write_plan(ledger, parsed_plan(ROWS, year=2024), "u" * 64, replace=True)
    assert outcome.review_seqs == []
    task = ledger.task(b)
    assert (task.deadline_text, task.due_date, task.needs_review) == ("按上级要求", date(2023, 10, 31), False)
    # a text the new reading can read is read again (here: for the corrected year)
    assert ledger.task(a).due_date == date(2024, 6, 30)
    # a text that changed is read afresh, even if unreadable
    rows = [ROWS[0], (ROWS[1][0], ROWS[1][1], ROWS[1][2], "视情况而定"), *ROWS[2:]]
    outcome = write_plan(ledger, parsed_plan(rows, year=2024), "u" * 64, replace=True)
    assert outcome.review_seqs == [2]
    assert (ledger.task(b).due_date, ledger.task(b).needs_review) == (None, True)


def test_replace_never_reuses_the_id_of_a_dropped_task(tmp_path) -> None:
    """Audit rows name tasks by id; a dropped task's id must not come back."""
    from zwgk_desktop.core.deadlines import parse_deadline
    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.model import ParsedPlan, ParsedTask
    from zwgk_desktop.core.plan_import import write_plan
    from zwgk_desktop.core.units import assign_roles

    def plan(texts):
        tasks = [ParsedTask(seq=i + 1, section=[], title=None, requirement=t, units_text="甲局",
                            units=assign_roles("甲局"), deadline=parse_deadline("全年", 2023), source_row=i + 2)
                 for i, t in enumerate(texts)]
        return ParsedPlan(title="2023年表", year=2023, columns=[], mapping={}, tasks=tasks, sheet="S",
                          source_name="a.xlsx")

    with Ledger.open(tmp_path / "l") as ledger:
        first = write_plan(ledger, plan(["任务一", "任务二", "任务三"]), "b" * 64)
        old_ids = ledger.task_ids(first.plan_id)
        write_plan(ledger, plan(["任务一", "任务二", "新任务"]), "b" * 64, replace=True)
        new_ids = ledger.task_ids(first.plan_id)
    assert new_ids[:2] == old_ids[:2]
    assert new_ids[2] not in old_ids


def test_replacing_with_the_same_reading_rewrites_no_task(ledger: Ledger) -> None:
    """Re-reading a file that did not change writes the plan row and the audit row only:
    tasks, sections and unit links that read the same are left as they are."""
    pid = write_plan(ledger, parsed_plan(ROWS), "e" * 64).plan_id
    before = dump(ledger)
    changes = ledger.db.conn.total_changes
    write_plan(ledger, parsed_plan(ROWS), "e" * 64, replace=True)
    assert ledger.db.conn.total_changes - changes == 2  # UPDATE plans, INSERT audit
    after = dump(ledger)
    assert [line for line in after.splitlines() if "INSERT INTO \"tasks\"" in line] == \
           [line for line in before.splitlines() if "INSERT INTO \"tasks\"" in line]
    assert list(ledger.section_paths(pid).values()) == [(S1,), (S1, SUB), (S1, SUB2), (S2,)]


def test_replace_with_other_sections_keeps_rows_of_paths_that_stay(ledger: Ledger) -> None:
    pid = write_plan(ledger, parsed_plan(ROWS), "p" * 64).plan_id
    old_ids = {path: sid for sid, path in ledger.section_paths(pid).items()}
    c = ledger.task_ids(pid)[2]  # 开展意见征集 in (二)公众参与
    ledger.set_progress(c, Quarter(2023, 3), "已征集一次。")
    sub3 = "（三）新的小节"
    new_rows = [
        ([S1, SUB], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
        ([S1, sub3], "新的任务。", "县发改局", "全年"),  # a new path where (二) was
        ([S1, sub3], "又一项任务。", "县发改局", "全年"),
    ]
    outcome = write_plan(ledger, parsed_plan(new_rows), "p" * 64, replace=True)
    assert outcome.kept_old == ["开展意见征集。"]
    paths = ledger.section_paths(pid)
    assert list(paths.values()) == [(S1,), (S1, SUB), (S1, sub3)]
    # rows of paths that stay keep their ids; nothing of the old reading is left over
    assert {path: sid for sid, path in paths.items() if path in old_ids} == {
        (S1,): old_ids[(S1,)], (S1, SUB): old_ids[(S1, SUB)]}
    assert ledger.db.execute("SELECT COUNT(*) FROM sections WHERE plan_id = ?", [pid]).fetchone()[0] == 3
    tasks = ledger.tasks(pid)
    assert [(t.requirement, t.section) for t in tasks] == [
        ("公开决策事项目录。", [S1, SUB]), ("新的任务。", [S1, sub3]), ("又一项任务。", [S1, sub3]),
        ("开展意见征集。", [])]  # kept for its work, its (二) is gone: not moved into (三)
    assert [t.seq for t in tasks] == [1, 2, 3, 4]


# -- the import's own passes agree with the model's --------------------------------------


def test_one_pass_over_the_tasks_gives_the_models_sections_and_unit_names() -> None:
    from zwgk_desktop.core.plan_import import _paths_and_names

    parsed = parsed_plan(ROWS + [([S1, SUB], "再次公开。", "县政府办、县教体局", "12月底前"),
                                 ([], "无章节的任务。", "县教体局", "全年")])
    paths, task_paths, names = _paths_and_names(parsed)
    assert paths == parsed.sections
    assert task_paths == [tuple(task.section) for task in parsed.tasks]
    assert names == parsed.unit_names


@pytest.mark.parametrize("text", [
    "一二三", "1.2.3", "(一)", "  12、13  ", "1 2 3 4 5", "二〇二三", "\uff11\uff12\uff13\uff14",
    "公开决策事项目录", "1.公开决策事项目录", "目录1234", " 第一", "", "   ",
])
def test_the_quick_look_at_a_requirement_agrees_with_the_pattern(text: str) -> None:
    from zwgk_desktop.core import plan_import

    squashed = "".join(text.split())
    expected = len(squashed) <= 3 or bool(plan_import._NUMBERISH_RE.fullmatch(squashed))
    assert plan_import._short_or_numeric(text) is expected
