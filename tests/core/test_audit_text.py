"""The audit trail read as sentences: 序号 instead of ids, no JSON, no null."""

from __future__ import annotations

from datetime import date

from zwgk_desktop.core.audit_text import describe
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter

from tests.builders import parsed_plan


def test_everyday_changes_read_as_sentences(ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan(), "e" * 64).plan_id
    ids = ledger.task_ids(plan_id)
    ledger.set_status(ids[1], Status.IN_PROGRESS, date(2023, 5, 1))
    ledger.set_status(ids[1], Status.DONE, date(2023, 11, 2))
    ledger.set_status_date(ids[1], date(2023, 9, 20))
    ledger.set_statuses(ids, Status.NOT_APPLICABLE, date(2023, 12, 1))
    ledger.set_progress(ids[2], Quarter(2023, 3), "已在政府网站发布。")
    ledger.set_due_date(ids[0], date(2023, 7, 15))
    lines = describe(ledger, ledger.audit_log())
    sentences = [line.sentence for line in lines]
    assert sentences[:6] == [
        "将序号 1 的到期日由 2023-06-30 改为 2023-07-15",
        "填写了序号 3 2023年第三季度 的进展:已在政府网站发布。",
        "将 3 项任务的状态设为“不适用”(2023-12-01)",
        "将序号 2 “已完成”的日期由 2023-11-02 改为 2023-09-20",
        "将序号 2 的状态由“推进中”改为“已完成”(2023-11-02)",
        "将序号 2 的状态由“未启动”改为“推进中”(2023-05-01)",
    ]
    assert lines[2].task_seqs == (1, 2, 3)
    assert sentences[-1] == "导入了分解表“2023年某县政务公开工作任务分解表”(3 项任务,文件 任务表.xlsx)"
    for sentence in sentences:
        assert "{" not in sentence and "null" not in sentence and "None" not in sentence


def test_a_deleted_plan_and_its_tasks_are_still_described(ledger) -> None:
    plan_id = write_plan(ledger, parsed_plan(), "f" * 64).plan_id
    task = ledger.task_ids(plan_id)[0]
    ledger.set_status(task, Status.DONE, date(2023, 9, 1))
    ledger.delete_plan(plan_id)
    sentences = [line.sentence for line in describe(ledger, ledger.audit_log())]
    assert sentences[0] == "删除了分解表“2023年某县政务公开工作任务分解表”(3 项任务)"
    assert sentences[1] == "将一项已删除的任务的状态由“未启动”改为“已完成”(2023-09-01)"
