"""操作记录 in a ledger with several plans, where task ids are not 序号: every line a
sentence naming tasks by 序号 (and their plan), never ids, keys, JSON or plan numbers."""

from __future__ import annotations

import re
from datetime import date

from tests.builders import parsed_plan
from zwgk_desktop.core import derive as V
from zwgk_desktop.core import rollup as R
from zwgk_desktop.core.audit_text import describe
from zwgk_desktop.core.carryover import set_matches
from zwgk_desktop.core.evidence.records import attach_note
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.recurrence import Frequency
from zwgk_desktop.core.rollover import rollover
from zwgk_desktop.core.task_periods import clear_recurrence, set_period_status, set_recurrence
from zwgk_desktop.core.unit_directory import add_member, add_unit, rename_unit, set_contact
from zwgk_desktop.core.unit_mapping import remove_mapping, replace_mapping, set_settings

Q3 = Quarter(2023, 3)
CITY = "2023年某市政务公开工作任务分解表"
#: What a raw value looks like: a key (to_year:, tasks:), braces, null, a plan number.
RAW = re.compile(r"[A-Za-z_]+:|[{}\[\]]|\bNone\b|\bnull\b|分解表 \d")


def _city_rows() -> list[tuple]:
    return [(["一、公开"], f"第 {n} 项长期任务。", "各县区政府、市发改委", "长期坚持") for n in range(1, 8)]


def _ledger_with_offset_ids(ledger: Ledger) -> tuple[int, int, int]:
    """A first plan (so the next plans' task ids are not their 序号), a city plan and
    the county plan derived from it."""
    first = write_plan(ledger, parsed_plan(), "1" * 64).plan_id
    city = write_plan(ledger, parsed_plan(_city_rows(), title=CITY), "2" * 64).plan_id
    preview = V.prepare_derive(ledger, city, local_name="某某县", lead_office="县政府办公室",
                               task_ids=ledger.task_ids(city)[:2])
    county = V.create_derived_plan(ledger, preview).plan_id
    return first, city, county


def _sentences(ledger: Ledger) -> list[str]:
    return [line.sentence for line in describe(ledger, ledger.audit_log(500))]


def test_rollover_and_rollup_name_tasks_by_seq_not_id(ledger: Ledger) -> None:
    first, city, county = _ledger_with_offset_ids(ledger)
    city_ids = ledger.task_ids(city)
    assert city_ids[0] != 1  # the ids really are not the 序号
    rollover(ledger, city, 2024)
    for seq, status in ((1, Status.DONE), (2, Status.IN_PROGRESS)):
        task = next(t for t in ledger.tasks(county) if t.seq == seq)
        ledger.set_status(task.id, status, date(2023, 8, 1))
        ledger.set_progress(task.id, Q3, f"本级第 {seq} 项的进展。")
    preview = R.preview_rollup(ledger, city, Q3)
    R.apply_rollup(ledger, preview, R.decide(preview))
    lines = describe(ledger, ledger.audit_log(500))
    text = "\n".join(line.sentence for line in lines)

    carried = next(line for line in lines if line.action == "结转到新年度")
    assert carried.sentence == (f"把《{CITY}》中 7 项未完成的任务(序号 1、2、3、4、5 等 7 项)结转到 2024 年")
    assert carried.task_seqs == (1, 2, 3, 4, 5, 6, 7)
    rolled = next(line for line in lines if line.action == "汇总本级")
    assert rolled.sentence == ("把《2023年某某县政务公开工作任务分解表》2023年第三季度的完成情况汇总到上级分解表"
                               f"《{CITY}》:序号 1 的状态设为“已完成”;序号 2 的状态设为“推进中”;写入序号 1、2 的进展")
    assert rolled.task_seqs == (1, 2, 1, 2)
    # the status the rollup wrote names the plan (there are three) and where it came from
    assert f"将《{CITY}》序号 1 的状态由“未启动”改为“已完成”(2023-08-01)(汇总本级)" in text
    for sentence in text.splitlines():
        assert not RAW.search(sentence), sentence
        assert str(city_ids[-1]) not in sentence.replace("2023", "").replace("2024", ""), sentence


def test_every_kind_of_change_reads_as_a_sentence_with_several_plans(ledger: Ledger) -> None:
    first, city, county = _ledger_with_offset_ids(ledger)
    ids = ledger.task_ids(city)
    ledger.set_statuses(ids[:5], Status.IN_PROGRESS, date(2023, 7, 1))
    set_recurrence(ledger, ids[0], Frequency.QUARTERLY)
    set_period_status(ledger, ids[0], "2023Q2", Status.DONE, date(2023, 6, 20))
    clear_recurrence(ledger, ids[0])
    attach_note(ledger, ids[1], "已在网站公开。", Q3)
    add_unit(ledger, "县档案馆")
    add_member(ledger, "各县区政府", "某某县")
    rename_unit(ledger, "县档案馆", "县档案局")
    set_contact(ledger, "县档案局", "王五")
    replace_mapping(ledger, {"市发改委": ["县发改局"]})
    remove_mapping(ledger, "市发改委")
    set_settings(ledger, {"local_name": "某某区"})
    rollover(ledger, city, 2024, task_ids=[ids[2]])
    new_year = write_plan(ledger, parsed_plan(_city_rows()[:2], year=2024, title="2024年某市政务公开工作任务分解表"),
                          "3" * 64).plan_id
    item = ledger.db.execute("SELECT id FROM carryover").fetchone()[0]
    set_matches(ledger, {item: ledger.task_ids(new_year)[1]})

    lines = describe(ledger, ledger.audit_log(500))
    said = {line.action: line.sentence for line in reversed(lines)}  # the newest of each
    assert said["设置状态"] == (f"将 5 项任务(《{CITY}》序号 1、2、3、4、5)的状态设为“推进中”(2023-07-01)")
    assert said["设置定期任务"] == f"将《{CITY}》序号 1 设为每季度的定期任务"
    assert said["设置本期状态"] == f"将《{CITY}》序号 1 2023年第二季度的状态设为“已完成”(2023-06-20)"
    assert said["取消手工设置的定期任务"].startswith(f"取消了《{CITY}》序号 1 手工设置的“每季度的定期任务”")
    assert said["添加佐证材料"] == f"为《{CITY}》序号 2 添加了佐证材料:已在网站公开。"
    assert said["修改单位名称"] == "将单位“县档案馆”改名为“县档案局”"
    assert said["修改单位联系人"] == "将“县档案局”的联系人改为“王五”"
    assert said["修改单位对应"] == "设置单位对应:上级单位“市发改委”对应本级“县发改局”(原为“县发改委”)"
    assert said["删除单位对应"] == "删除了上级单位“市发改委”(原对应“县发改局”)的单位对应"
    assert said["修改本级设置"] == "将本级名称设为“某某区”(原为“某某县”)"
    assert said["对应结转事项"] == "对应结转事项:将2023年序号 3 的事项对应到《2024年某市政务公开工作任务分解表》序号 2"
    for line in lines:
        assert not RAW.search(line.sentence), line.sentence
