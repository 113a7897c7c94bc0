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
        "将 3 项任务(序号 1、2、3)的状态设为“不适用”(2023-12-01)",
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


def test_a_revision_reads_as_sentences(ledger, tmp_path) -> None:
    """Each change a revised table made is one plain sentence, old → new (no key:value)."""
    from tests.builders import parsed_plan
    from zwgk_desktop.core.audit_text import describe
    from zwgk_desktop.core.plan_import import write_plan
    from zwgk_desktop.core.revision import apply_revision, preview_revision

    plan_id = write_plan(ledger, parsed_plan(), "sha-old").plan_id
    revised = parsed_plan([
        (["一、推进决策公开", "（一）目录管理"], "公开决策事项目录,并动态更新。", "县司法局", "9月底前"),
        (["一、推进决策公开", "（一）目录管理"], "动态调整目录。", "县司法局、县政府办", "按上级要求"),
        (["二、夯实基础"], "新增:建设政策文件库。", "县政府办", "12月底前"),
    ])
    apply_revision(ledger, preview_revision(ledger, plan_id, revised, "sha-new"))
    sentences = [line.sentence for line in describe(ledger, ledger.audit_log(50)) if "修订" in line.sentence]
    text = "\n".join(sentences)
    assert "按“任务表.xlsx”修订了分解表" in text
    assert "的完成时限由“6月底前”改为“9月底前”(到期日 2023-09-30)" in text
    assert "序号 1 的责任单位由“县司法局(牵头)、县政府办”改为“县司法局”" in text
    assert "序号 2 的责任单位由“县司法局”改为“县司法局(牵头)、县政府办”" in text
    assert "修订:新增序号 3 “新增:建设政策文件库。”" in text
    assert not any(word in text for word in ("requirement", "deadline_text", "units:", "null", "{"))
