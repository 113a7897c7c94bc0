"""The ledger folder: opening (and refusing what is not ours), the audited changes,
history-correct status, and that a failed change leaves the content as it was."""

from __future__ import annotations

import getpass
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from zwgk_desktop.core.deadlines import DeadlineKind
from zwgk_desktop.core.errors import LedgerError, NotFoundError, UserError
from zwgk_desktop.core.ledger import LEDGER_FILE, Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.schema import KNOWN_MIGRATIONS, MIGRATION_SET

from tests.builders import SUB, TABLES, audit_count, dump, dump_from_disk, parsed_plan  # noqa: F401


def statuses_in(value) -> list[str]:
    """The status words an audit before/after records (a dict, or a list of them)."""
    items = value if isinstance(value, list) else [value]
    return [item["status"] for item in items if isinstance(item, dict) and "status" in item]


@pytest.fixture
def imported(ledger: Ledger) -> tuple[Ledger, int, list[int]]:
    outcome = write_plan(ledger, parsed_plan(), "a" * 64)
    return ledger, outcome.plan_id, ledger.task_ids(outcome.plan_id)


# -- opening ---------------------------------------------------------------------------


def test_open_creates_folder_and_file_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    folder = tmp_path / "新建" / "台账"
    folder.parent.mkdir()  # a missing parent is a vanished U 盘: see test_integrity
    with Ledger.open(folder) as ledger:
        assert (folder / LEDGER_FILE).is_file()
        assert ledger.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert ledger.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert set(TABLES) <= set(ledger.db.table_names())
        applied = [r[0] for r in ledger.db.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", [MIGRATION_SET])]
        assert applied == KNOWN_MIGRATIONS
        assert applied[0] == "m001_initial"
        assert ledger.plans() == []
        assert audit_count(ledger) == 0


def test_foreign_keys_are_enforced(ledger: Ledger) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        ledger.db.execute("INSERT INTO task_units (task_id, unit_id, role, position) VALUES (999, 999, 'lead', 0)")


def test_reopening_is_idempotent_and_keeps_the_content(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    with Ledger.open(folder) as ledger:
        write_plan(ledger, parsed_plan(), "b" * 64)
        before = dump(ledger)
    for _ in range(2):
        with Ledger.open(folder, create=False) as ledger:
            assert dump(ledger) == before
            assert ledger.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == len(KNOWN_MIGRATIONS)
            assert [p.task_count for p in ledger.plans()] == [3]
            assert ledger.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_open_without_create_refuses_a_folder_without_ledger(tmp_path: Path) -> None:
    with pytest.raises(LedgerError) as err:
        Ledger.open(tmp_path / "nowhere", create=False)
    assert "找不到台账文件夹" in err.value.message and str(tmp_path / "nowhere") in err.value.message
    assert not (tmp_path / "nowhere").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(LedgerError) as err:
        Ledger.open(tmp_path / "empty", create=False)
    assert "找不到" in err.value.message and LEDGER_FILE in err.value.message
    assert not (tmp_path / "empty" / LEDGER_FILE).exists()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / LEDGER_FILE).write_bytes("这是一份改名的表格".encode("utf-8") * 10)
    with pytest.raises(LedgerError) as err:
        Ledger.open(folder)
    assert "不是台账文件" in err.value.message
    assert "ledger.sqlite" in err.value.message
    # and the file was not touched
    assert (folder / LEDGER_FILE).read_bytes() == "这是一份改名的表格".encode("utf-8") * 10


def test_a_damaged_sqlite_file_is_refused_plainly(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / LEDGER_FILE).write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(LedgerError) as err:
        Ledger.open(folder)
    assert "损坏" in err.value.message and "备份" in err.value.message


def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    folder.mkdir()
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('张三', '123')")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError) as err:
        Ledger.open(folder)
    assert "不是本程序的台账" in err.value.message
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    try:  # nothing of ours was added to it
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()
    assert names == {"contacts"}


def test_a_refused_database_is_left_unmodified(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    folder.mkdir()
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.commit()
    conn.close()
    original = (folder / LEDGER_FILE).read_bytes()
    with pytest.raises(LedgerError):
        Ledger.open(folder)
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    assert mode == "delete"
    assert (folder / LEDGER_FILE).read_bytes() == original


def test_a_ledger_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    with Ledger.open(folder) as ledger:
        ledger.db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            [MIGRATION_SET, "m099_from_the_future", "2030-01-01 00:00:00"])
        ledger.db.conn.commit()
    with pytest.raises(LedgerError) as err:
        Ledger.open(folder)
    assert "更新版本" in err.value.message and "升级" in err.value.message


def test_a_migration_of_another_set_is_not_a_newer_ledger(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    with Ledger.open(folder) as ledger:
        ledger.db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            ["some_plugin", "m001_plugin", "2030-01-01 00:00:00"])
        ledger.db.conn.commit()
    with Ledger.open(folder) as ledger:
        assert ledger.plans() == []


def test_a_ledger_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "台账.txt"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        Ledger.open(target)
    assert "是一个文件" in err.value.message and "文件夹" in err.value.message
    assert target.read_text(encoding="utf-8") == "not a folder"


# -- status ----------------------------------------------------------------------------


def test_a_plan_carries_its_columns_and_what_each_meant(imported) -> None:
    """Exports print the plan in its own layout from the Plan alone (no second query)."""
    ledger, plan_id, _ = imported
    plan = ledger.plan(plan_id)
    assert plan.columns == ["工作任务", "具体要求", "责任单位", "完成时限"]
    assert plan.mapping == {"heading": [0], "requirement": [1], "units": [2], "deadline": [3]}
    assert [p.mapping for p in ledger.plans()] == [plan.mapping]


def test_set_status_writes_history_and_one_audit_row(imported) -> None:
    ledger, plan_id, ids = imported
    before = audit_count(ledger)
    ledger.set_status(ids[0], Status.IN_PROGRESS, date(2023, 5, 1))

    task = ledger.task(ids[0])
    assert task.status == Status.IN_PROGRESS
    assert task.status_date == date(2023, 5, 1)
    history = ledger.status_history(ids[0])
    assert [(h.status, h.effective_on) for h in history] == [(Status.IN_PROGRESS, date(2023, 5, 1))]
    assert history[0].by == getpass.getuser()
    assert ledger.task(ids[1]).status == Status.NOT_STARTED  # the others untouched

    assert audit_count(ledger) == before + 1
    entry = ledger.audit_log(1)[0]
    assert entry.action == "设置状态"
    assert entry.entity == "task"
    assert entry.entity_id == ids[0]
    assert entry.user == getpass.getuser()
    assert entry.at[:4].isdigit() and "T" in entry.at
    assert statuses_in(entry.before) == ["未启动"]
    assert "推进中" in json.dumps(entry.after, ensure_ascii=False)
    assert "2023-05-01" in json.dumps(entry.after, ensure_ascii=False)
    # stored as JSON text, readable by any tool
    raw_before, raw_after = ledger.db.execute(
        "SELECT before, after FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert json.loads(raw_before) == entry.before and json.loads(raw_after) == entry.after


def test_status_as_of_a_past_day_reads_the_history(imported) -> None:
    ledger, plan_id, ids = imported
    ledger.set_status(ids[0], Status.IN_PROGRESS, date(2023, 5, 1))
    ledger.set_status(ids[0], Status.DONE, date(2023, 8, 15))

    assert ledger.status_as_of(plan_id, date(2023, 4, 30))[ids[0]] == Status.NOT_STARTED
    assert ledger.status_as_of(plan_id, date(2023, 5, 1))[ids[0]] == Status.IN_PROGRESS
    assert ledger.status_as_of(plan_id, date(2023, 6, 30))[ids[0]] == Status.IN_PROGRESS
    assert ledger.status_as_of(plan_id, date(2023, 8, 14))[ids[0]] == Status.IN_PROGRESS
    assert ledger.status_as_of(plan_id, date(2023, 9, 30))[ids[0]] == Status.DONE
    assert ledger.status_as_of(plan_id, date(2023, 9, 30)) == {
        ids[0]: Status.DONE, ids[1]: Status.NOT_STARTED, ids[2]: Status.NOT_STARTED}
    assert ledger.task(ids[0]).status == Status.DONE


def test_backdated_entries_entered_out_of_order(imported) -> None:
    ledger, plan_id, ids = imported
    # The clerk first records the completion, then remembers when work had started.
    ledger.set_status(ids[1], Status.DONE, date(2023, 8, 15))
    ledger.set_status(ids[1], Status.IN_PROGRESS, date(2023, 5, 1))

    task = ledger.task(ids[1])
    assert task.status == Status.DONE  # the latest by effective date, not by entry
    assert task.status_date == date(2023, 8, 15)
    assert [(h.status, h.effective_on) for h in ledger.status_history(ids[1])] == [
        (Status.IN_PROGRESS, date(2023, 5, 1)), (Status.DONE, date(2023, 8, 15))]
    assert ledger.status_as_of(plan_id, date(2023, 6, 30))[ids[1]] == Status.IN_PROGRESS
    assert ledger.status_as_of(plan_id, date(2023, 9, 30))[ids[1]] == Status.DONE
    assert ledger.status_as_of(plan_id, date(2023, 1, 1))[ids[1]] == Status.NOT_STARTED


def test_two_entries_on_one_day_the_later_one_counts(imported) -> None:
    ledger, plan_id, ids = imported
    ledger.set_status(ids[2], Status.DONE, date(2023, 7, 1))
    ledger.set_status(ids[2], Status.NOT_APPLICABLE, date(2023, 7, 1))
    assert ledger.task(ids[2]).status == Status.NOT_APPLICABLE
    assert ledger.status_as_of(plan_id, date(2023, 7, 1))[ids[2]] == Status.NOT_APPLICABLE


def test_set_status_defaults_to_today(imported) -> None:
    ledger, _, ids = imported
    ledger.set_status(ids[0], Status.DONE)
    assert ledger.task(ids[0]).status_date == date.today()


# -- progress --------------------------------------------------------------------------


def test_set_progress_writes_replaces_and_deletes_with_audit(imported) -> None:
    ledger, _, ids = imported
    q3 = Quarter(2023, 3)
    ledger.set_status(ids[0], Status.IN_PROGRESS, date(2023, 7, 1))
    n = audit_count(ledger)

    ledger.set_progress(ids[0], q3, "  已公开目录 12 项。\n")
    [note] = ledger.task(ids[0]).progress
    assert (note.quarter, note.text, note.status, note.by) == ("2023Q3", "已公开目录 12 项。", "推进中",
                                                               getpass.getuser())
    entry = ledger.audit_log(1)[0]
    assert (entry.action, entry.entity, entry.entity_id) == ("填写进展", "progress", ids[0])
    assert entry.before is None
    assert entry.after == {"quarter": "2023Q3", "text": "已公开目录 12 项。"}

    ledger.set_progress(ids[0], q3, "已公开目录 15 项,动态调整 2 次。")
    assert [p.text for p in ledger.task(ids[0]).progress] == ["已公开目录 15 项,动态调整 2 次。"]
    entry = ledger.audit_log(1)[0]
    assert entry.before == {"quarter": "2023Q3", "text": "已公开目录 12 项。"}
    assert entry.after == {"quarter": "2023Q3", "text": "已公开目录 15 项,动态调整 2 次。"}

    # the same text again changes nothing and records nothing
    ledger.set_progress(ids[0], q3, "已公开目录 15 项,动态调整 2 次。")
    assert audit_count(ledger) == n + 2

    ledger.set_progress(ids[0], Quarter(2023, 2), "已启动。")
    assert [p.quarter for p in ledger.task(ids[0]).progress] == ["2023Q3", "2023Q2"]

    ledger.set_progress(ids[0], q3, "   ")
    assert [p.quarter for p in ledger.task(ids[0]).progress] == ["2023Q2"]
    entry = ledger.audit_log(1)[0]
    assert entry.before == {"quarter": "2023Q3", "text": "已公开目录 15 项,动态调整 2 次。"}
    assert entry.after is None
    assert audit_count(ledger) == n + 4
    assert ledger.db.execute("SELECT COUNT(*) FROM progress").fetchone()[0] == 1


# -- due dates -------------------------------------------------------------------------


def test_set_due_date_clears_needs_review(imported) -> None:
    ledger, _, ids = imported
    task = ledger.task(ids[1])
    assert (task.deadline_text, task.due_date, task.deadline_kind, task.needs_review) == (
        "按上级要求", None, DeadlineKind.UNKNOWN, True)
    ledger.set_due_date(ids[1], date(2023, 10, 31))
    task = ledger.task(ids[1])
    assert (task.due_date, task.deadline_kind, task.needs_review) == (date(2023, 10, 31), DeadlineKind.FIXED, False)
    assert task.deadline_text == "按上级要求"  # as printed, always
    entry = ledger.audit_log(1)[0]
    assert (entry.action, entry.entity, entry.entity_id) == ("修改到期日", "task", ids[1])
    assert entry.before == {"due_date": None, "needs_review": True}
    assert entry.after == {"due_date": "2023-10-31", "needs_review": False}


def test_set_due_date_on_a_fixed_deadline_keeps_its_kind(imported) -> None:
    ledger, _, ids = imported
    assert ledger.task(ids[0]).due_date == date(2023, 6, 30)
    ledger.set_due_date(ids[0], date(2023, 7, 15))
    task = ledger.task(ids[0])
    assert (task.due_date, task.deadline_kind, task.needs_review) == (date(2023, 7, 15), DeadlineKind.FIXED, False)


# -- not found, resolving plans --------------------------------------------------------


def test_unknown_task_and_plan_are_not_found(imported) -> None:
    ledger, plan_id, _ = imported
    n = audit_count(ledger)
    for call in (lambda: ledger.task(9999), lambda: ledger.set_status(9999, Status.DONE),
                 lambda: ledger.set_progress(9999, Quarter(2023, 3), "x"),
                 lambda: ledger.set_due_date(9999, date(2023, 1, 1))):
        with pytest.raises(NotFoundError) as err:
            call()
        assert "9999" in err.value.message and "任务" in err.value.message
    with pytest.raises(NotFoundError) as err:
        ledger.plan(plan_id + 100)
    assert str(plan_id + 100) in err.value.message and "zwgk plans" in err.value.message
    assert audit_count(ledger) == n


def test_resolve_plan_with_none_one_and_two_plans(ledger: Ledger) -> None:
    with pytest.raises(NotFoundError) as err:
        ledger.resolve_plan(None)
    assert "还没有任何分解表" in err.value.message

    first = write_plan(ledger, parsed_plan(), "1" * 64).plan_id
    assert ledger.resolve_plan(None).id == first
    assert ledger.resolve_plan(first).id == first

    second = write_plan(ledger, parsed_plan(year=2024, title="2024年任务分解表"), "2" * 64).plan_id
    with pytest.raises(UserError) as err:
        ledger.resolve_plan(None)
    assert not isinstance(err.value, NotFoundError)
    assert "--plan" in err.value.message
    assert f"{first}:2023年" in err.value.message and f"{second}:2024年" in err.value.message
    assert ledger.resolve_plan(second).title == "2024年任务分解表"
    assert [p.id for p in ledger.plans()] == [second, first]  # newest year first
    with pytest.raises(NotFoundError):
        ledger.resolve_plan(second + 1)


# -- atomicity -------------------------------------------------------------------------


def test_a_status_change_failing_midway_leaves_nothing(imported, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger, plan_id, ids = imported
    ledger.set_status(ids[0], Status.IN_PROGRESS, date(2023, 5, 1))
    before, n = dump(ledger), audit_count(ledger)

    def boom(self, task_id):
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(Ledger, "_refresh_current_status", boom)
    with pytest.raises(RuntimeError):
        ledger.set_status(ids[0], Status.DONE, date(2023, 8, 15))
    assert not ledger.db.conn.in_transaction
    assert dump(ledger) == before
    assert dump_from_disk(ledger.folder) == before
    assert audit_count(ledger) == n
    assert [h.status for h in ledger.status_history(ids[0])] == [Status.IN_PROGRESS]


def test_a_failing_audit_write_rolls_back_the_change(imported, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger, _, ids = imported
    before = dump(ledger)
    # the audit row is written last, inside the same transaction: make it fail
    monkeypatch.setattr("zwgk_desktop.core.ledger.now_text", lambda: None)
    with pytest.raises(sqlite3.IntegrityError):
        ledger.set_progress(ids[0], Quarter(2023, 3), "写了一半。")
    assert dump(ledger) == before
    assert ledger.task(ids[0]).progress == []


def test_an_import_failing_midway_leaves_the_ledger_as_it_was(imported) -> None:
    ledger, plan_id, ids = imported
    ledger.set_status(ids[0], Status.DONE, date(2023, 6, 1))
    before, n = dump(ledger), audit_count(ledger)

    bad = parsed_plan(source="坏表.xlsx", rows=[
        (["一、新章节"], "新任务一。", "县新单位", "6月底前"),
        (["一、新章节"], "新任务二。", "县新单位二", "9月底前"),
    ])
    bad.tasks[1].requirement = None  # NOT NULL: fails after plan, sections, units, task 1
    with pytest.raises(sqlite3.IntegrityError):
        write_plan(ledger, bad, "c" * 64)
    assert not ledger.db.conn.in_transaction
    assert dump(ledger) == before
    assert dump_from_disk(ledger.folder) == before
    assert audit_count(ledger) == n
    assert ledger.db.execute("SELECT COUNT(*) FROM units WHERE name LIKE '县新单位%'").fetchone()[0] == 0


def test_a_replace_failing_midway_keeps_the_old_plan(imported) -> None:
    ledger, plan_id, ids = imported
    ledger.set_progress(ids[2], Quarter(2023, 3), "网站已改版。")
    before = dump(ledger)
    bad = parsed_plan()
    bad.tasks[2].requirement = None
    with pytest.raises(sqlite3.IntegrityError):
        write_plan(ledger, bad, "a" * 64, replace=True)
    assert dump(ledger) == before
    assert [t.section for t in ledger.tasks(plan_id)] == [
        ["一、推进决策公开", SUB], ["一、推进决策公开", SUB], ["二、夯实基础"]]
