"""佐证材料 as rows (core/evidence/records.py): what an attach records (once per content,
task and quarter; one transaction, one audit row), page addresses and notes, the 回收站
(remove, restore, empty) and reading a task's materials back.

The helpers and fixtures here (``evidence_plan``, ``PNG_BYTES``, ``write``…) are shared by
the other evidence tests: test_evidence_store.py, test_evidence_copying.py, test_evidence_check.py and
test_evidence_names.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import NotFoundError, UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import assign_roles

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f80f0000010101005b1a8c7e0000000049454e44ae426082")

TASKS = [
    # (section, title, requirement, units, deadline)
    (["一、推进决策公开"], "决策目录", "编制并公开重大行政决策事项目录,按要求动态调整。", "县司法局、县政府办", "6月底前"),
    (["一、推进决策公开"], None, "=SUM(A1)规范政府网站和政务新媒体的内容发布审核流程。", "县大数据中心、县司法局", "长期坚持"),
    (["二、夯实基础"], None, "做好财政预决算公开。", "县财政局", "三季度前"),
]


def evidence_plan(ledger: Ledger, year: int = 2023, *, task_count: int = 3, replace: bool = False) -> list[int]:
    """A small plan with three tasks; returns their ids in table order."""
    tasks = [ParsedTask(seq=i + 1, section=list(section), title=title, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(deadline, year), source_row=i + 3)
             for i, (section, title, req, units, deadline) in enumerate(TASKS[:task_count])]
    parsed = ParsedPlan(title=f"{year}年某县政务公开工作任务分解表", year=year,
                        columns=["工作任务", "任务简称", "具体要求", "责任单位", "完成时限"],
                        mapping={"heading": [0], "title": [1], "requirement": [2], "units": [3], "deadline": [4]},
                        tasks=tasks, sheet="Sheet1", source_name="任务表.xlsx")
    outcome = write_plan(ledger, parsed, hashlib.sha256(f"plan{year}".encode()).hexdigest(), replace=replace)
    return ledger.task_ids(outcome.plan_id)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_files(ledger: Ledger) -> list[str]:
    """Every file under evidence/, relative, sorted."""
    root = ledger.evidence_dir
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(ledger: Ledger) -> list[tuple]:
    return ledger.db.execute("SELECT id, task_id, quarter, kind, name, sha256, size, mime, url, published_on,"
                             " note, removed_at IS NOT NULL FROM evidence ORDER BY id").fetchall()


def dump(ledger: Ledger) -> str:
    return "\n".join(ledger.db.conn.iterdump())


@pytest.fixture
def tasks(ledger: Ledger) -> list[int]:
    return evidence_plan(ledger)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "我的文件"
    folder.mkdir()
    return folder


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- attaching files ------------------------------------------------------------------


def test_same_content_again_for_the_same_task_and_quarter_is_not_added_twice(ledger, tasks, src):
    a = write(src / "a.pdf", b"one")
    ev.attach_files(ledger, tasks[0], [a], "2023Q3")
    again = ev.attach_files(ledger, tasks[0], [a, a, write(src / "b.pdf", b"two")], "2023Q3")
    assert [e.name for e in again.added] == ["b.pdf"]
    assert sorted(again.already) == ["a.pdf", "a.pdf"]
    other_quarter = ev.attach_files(ledger, tasks[0], [a], "2023Q4")
    assert [e.quarter for e in other_quarter.added] == ["2023Q4"]
    assert len(rows(ledger)) == 3


def test_several_files_one_transaction_one_audit_row(ledger, tasks, src):
    before = ledger.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    paths = [write(src / f"{i}.txt", f"file {i}".encode()) for i in range(3)]
    result = ev.attach_files(ledger, tasks[2], paths, Quarter(2023, 2), note="  报送材料  ")
    assert [e.name for e in result.added] == ["0.txt", "1.txt", "2.txt"]
    assert [e.note for e in result.added] == ["报送材料"] * 3
    audit = ledger.db.execute("SELECT action, entity, entity_id, after FROM audit ORDER BY id").fetchall()
    assert len(audit) == before + 1
    action, entity, entity_id, after = audit[-1]
    assert (action, entity, entity_id) == ("添加佐证材料", "evidence", tasks[2])
    assert [(a["id"], a["name"], a["sha256"], a["quarter"]) for a in json.loads(after)] == [
        (e.id, e.name, e.sha256, "2023Q2") for e in result.added]


def test_default_quarter_is_the_current_one(ledger, tasks, src):
    result = ev.attach_files(ledger, tasks[0], [write(src / "a.txt", b"a")])
    assert result.added[0].quarter == str(Quarter.current())


def test_same_name_twice_from_different_folders(ledger, tasks, src):
    (src / "一").mkdir()
    (src / "二").mkdir()
    a = write(src / "一" / "通知.pdf", b"first")
    b = write(src / "二" / "通知.pdf", b"second")
    result = ev.attach_files(ledger, tasks[0], [a, b], "2023Q3")
    assert [(e.name, e.sha256) for e in result.added] == [("通知.pdf", sha(b"first")), ("通知.pdf", sha(b"second"))]


# -- page addresses and notes ---------------------------------------------------------


def test_attach_url_with_title_and_date(ledger, tasks):
    item = ev.attach_url(ledger, tasks[0], " https://www.example.gov.cn/art/2023/9/1/art_1.html ",
                         title=" 关于 公开 决策目录的通知 ", published="2023-09-01", quarter="2023Q3")
    assert (item.kind, item.name, item.url, item.published_on, item.quarter, item.sha256) == (
        "url", "关于 公开 决策目录的通知", "https://www.example.gov.cn/art/2023/9/1/art_1.html",
        "2023-09-01", "2023Q3", None)
    plain = ev.attach_url(ledger, tasks[0], "http://x.gov.cn/a", quarter="2023Q3")
    assert (plain.name, plain.published_on) == ("http://x.gov.cn/a", None)


def test_an_address_without_http_gets_it(ledger, tasks):
    item = ev.attach_url(ledger, tasks[0], " www.gov.cn/zhengce/2023.htm ", quarter="2023Q3")
    assert item.url == "http://www.gov.cn/zhengce/2023.htm"


@pytest.mark.parametrize("url", ["gov", "ftp://x.cn/a", "https://", "javascript:alert(1)", "https://a b.cn",
                                 "政府网站", "www.gov.cn 通知"])
def test_bad_url_is_refused(ledger, tasks, url):
    with pytest.raises(UserError) as caught:
        ev.attach_url(ledger, tasks[0], url)
    assert "不是有效的网页地址" in caught.value.message
    assert rows(ledger) == []


def test_bad_publication_date_is_refused(ledger, tasks):
    with pytest.raises(UserError) as caught:
        ev.attach_url(ledger, tasks[0], "https://x.cn", published="2023/9/1")
    assert caught.value.message == "发布日期“2023/9/1”格式不对,请写成 2023-09-30 这样的格式。"


def test_attach_note(ledger, tasks):
    item = ev.attach_note(ledger, tasks[1], "  已在村(社区)公开栏张贴,照片见纸质档案。 ", "2023Q2")
    assert (item.kind, item.name, item.quarter) == ("note", "已在村(社区)公开栏张贴,照片见纸质档案。", "2023Q2")
    with pytest.raises(UserError):
        ev.attach_note(ledger, tasks[1], "   ")


# -- 回收站 -----------------------------------------------------------------------------


def test_remove_moves_to_bin_and_restore_brings_back(ledger, tasks, src):
    added = ev.attach_files(ledger, tasks[0], [write(src / "a.png", PNG_BYTES)], "2023Q3").added[0]
    note = ev.attach_note(ledger, tasks[0], "说明", "2023Q3")
    removed = ev.remove(ledger, added.id)
    assert removed.removed_at is not None
    assert [e.id for e in ev.evidence_for_task(ledger, tasks[0])] == [note.id]
    assert [e.id for e in ev.evidence_for_task(ledger, tasks[0], include_removed=True)] == [added.id, note.id]
    assert [e.id for e in ledger.task(tasks[0]).evidence] == [note.id]
    assert ev.stored_path(ledger, added.sha256) is not None  # the file stays
    bin_ = ev.recycle_bin(ledger)
    assert [(b.evidence.id, b.removed_by, b.task_seq, b.task_label) for b in bin_] == [
        (added.id, ledger.user, 1, "决策目录")]
    with pytest.raises(UserError, match="已经在回收站中"):
        ev.remove(ledger, added.id)
    restored = ev.restore(ledger, added.id)
    assert restored.removed_at is None
    assert ev.recycle_bin(ledger) == []
    assert [e.id for e in ev.evidence_for_task(ledger, tasks[0])] == [added.id, note.id]
    with pytest.raises(UserError, match="不在回收站中"):
        ev.restore(ledger, added.id)
    actions = [r[0] for r in ledger.db.execute("SELECT action FROM audit ORDER BY id DESC LIMIT 2")]
    assert actions == ["从回收站恢复", "移到回收站"]


def test_remove_unknown_id(ledger, tasks):
    with pytest.raises(NotFoundError, match="没有编号为 42 的佐证材料"):
        ev.remove(ledger, 42)


def test_empty_bin_deletes_rows_and_unreferenced_files_only(ledger, tasks, src):
    shared = write(src / "shared.pdf", b"shared")
    only = write(src / "only.pdf", b"only")
    a = ev.attach_files(ledger, tasks[0], [shared, only], "2023Q3").added
    b = ev.attach_files(ledger, tasks[1], [shared], "2023Q3").added
    url = ev.attach_url(ledger, tasks[0], "https://x.cn/a", quarter="2023Q3")
    for item in (*a, url):
        ev.remove(ledger, item.id)
    result = ev.empty_recycle_bin(ledger)
    assert (result.rows, result.files, result.bytes) == (3, 1, len(b"only"))
    assert store_files(ledger) == [f"{sha(b'shared')[:2]}/{sha(b'shared')}.pdf"]
    assert [r[0] for r in rows(ledger)] == [b[0].id]
    assert ev.recycle_bin(ledger) == []
    audit = ledger.db.execute("SELECT action, before FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert audit[0] == "清空回收站"
    assert sorted(x["id"] for x in json.loads(audit[1])) == sorted([a[0].id, a[1].id, url.id])
    assert ev.empty_recycle_bin(ledger) == ev.EmptyResult(0, 0, 0)


def test_empty_bin_keeps_file_still_used_by_a_restored_row(ledger, tasks, src):
    item = ev.attach_files(ledger, tasks[0], [write(src / "a.pdf", b"a")], "2023Q3").added[0]
    again = ev.attach_files(ledger, tasks[0], [write(src / "a2.pdf", b"a")], "2023Q4").added[0]
    ev.remove(ledger, item.id)
    ev.remove(ledger, again.id)
    ev.restore(ledger, again.id)
    assert ev.empty_recycle_bin(ledger).files == 0
    assert ev.stored_path(ledger, item.sha256) is not None


def test_empty_only_some(ledger, tasks, src):
    one, two = ev.attach_files(ledger, tasks[0], [write(src / "1", b"1"), write(src / "2", b"2")], "2023Q3").added
    ev.remove(ledger, one.id)
    ev.remove(ledger, two.id)
    assert ev.empty_recycle_bin(ledger, [two.id]).rows == 1
    assert [b.evidence.id for b in ev.recycle_bin(ledger)] == [one.id]


# -- reading --------------------------------------------------------------------------


def test_tasks_without_evidence_for_a_quarter(ledger, tasks, src):
    ev.attach_note(ledger, tasks[0], "说明", "2023Q3")
    removed = ev.attach_note(ledger, tasks[1], "说明", "2023Q3")
    ev.remove(ledger, removed.id)
    ev.attach_note(ledger, tasks[2], "说明", "2023Q2")
    plan_id = ledger.plans()[0].id
    assert ev.task_ids_without_evidence(ledger, plan_id, Quarter(2023, 3)) == [tasks[1], tasks[2]]
    assert ev.task_ids_without_evidence(ledger, plan_id, "2023Q2") == [tasks[0], tasks[1]]


def test_evidence_appears_in_json_export(ledger, tasks, src):
    from zwgk_desktop.io.json_export import plan_to_json

    ev.attach_files(ledger, tasks[0], [write(src / "a.pdf", b"a")], "2023Q3")
    ev.attach_url(ledger, tasks[0], "https://x.cn/p", title="页面", quarter="2023Q3")
    data = plan_to_json(ledger, ledger.plans()[0].id)
    assert data["tasks"][0]["evidence"] == [
        {"kind": "file", "name": "a.pdf", "sha256": sha(b"a"), "url": None, "quarter": "2023Q3"},
        {"kind": "url", "name": "页面", "sha256": None, "url": "https://x.cn/p", "quarter": "2023Q3"}]


def test_reimport_keeps_a_dropped_task_that_has_evidence_even_in_the_bin(ledger, tasks, src):
    item = ev.attach_files(ledger, tasks[2], [write(src / "a.pdf", b"a")], "2023Q3").added[0]
    ev.remove(ledger, item.id)
    evidence_plan(ledger, task_count=2, replace=True)
    assert tasks[2] in ledger.task_ids(ledger.plans()[0].id)
    assert [b.evidence.id for b in ev.recycle_bin(ledger)] == [item.id]


def test_several_items_go_to_the_bin_and_back_in_one_step(ledger, tasks, tmp_path):
    src = tmp_path / "多个"
    src.mkdir()
    files = [src / f"{n}.pdf" for n in ("甲", "乙", "丙")]
    for n, f in enumerate(files):
        f.write_bytes(b"%PDF-" + bytes([n]))
    added = ev.attach_files(ledger, tasks[0], files, "2023Q3").added
    before = ledger.audit_log(1)[0].id
    ev.remove_many(ledger, [a.id for a in added[:2]])
    entries = [e for e in ledger.audit_log(10) if e.id > before]
    assert [e.action for e in entries] == ["移到回收站"]
    assert [e["name"] for e in entries[0].after] == ["甲.pdf", "乙.pdf"]
    assert [i.name for i in ev.evidence_for_task(ledger, tasks[0])] == ["丙.pdf"]
    with pytest.raises(UserError):  # one of them is already there: nothing moves
        ev.remove_many(ledger, [added[1].id, added[2].id])
    assert [i.name for i in ev.evidence_for_task(ledger, tasks[0])] == ["丙.pdf"]
    ev.restore_many(ledger, [a.id for a in added[:2]])
    assert len(ev.evidence_for_task(ledger, tasks[0])) == 3
