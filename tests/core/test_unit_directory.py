"""单位名录: groups named collectively in tables, their members, and who gets which
tasks; every change audited; a directory list read from a two-column table."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from zwgk_desktop.core import unit_directory as D
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import FileReadError, NotFoundError, UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.units import Role, assign_roles, is_group_name
from zwgk_desktop.io.reply_reader import read_directory_pairs

TOWNS = "各镇(街道)"
DEPTS = "区政府各部门单位"


def make_plan(ledger: Ledger, rows: list[tuple[str, str]], sha: str = "a" * 64) -> int:
    """rows: (requirement, 责任单位 cell)."""
    tasks = [ParsedTask(seq=i + 1, section=["一、公开"], title=None, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline("12月底前", 2023), source_row=i + 3)
             for i, (req, units) in enumerate(rows)]
    parsed = ParsedPlan(title="2023年分解表", year=2023, columns=["工作任务", "具体要求", "责任单位", "完成时限"],
                        mapping={"heading": [0], "requirement": [1], "units": [2], "deadline": [3]},
                        tasks=tasks, sheet="Sheet1", source_name="t.xlsx")
    return write_plan(ledger, parsed, sha).plan_id


@pytest.fixture
def plan(ledger: Ledger) -> int:
    return make_plan(ledger, [
        ("甲任务", "区发改局、区财政局"),
        ("乙任务", f"{TOWNS}"),
        ("丙任务", f"区财政局、{TOWNS}"),
        ("丁任务", f"{DEPTS}"),
    ])


def audit_count(ledger: Ledger) -> int:
    return len(ledger.audit_log(10_000))


GROUP_NAMES = [
    # (name, is it a group?, why)
    (TOWNS, True, "各 at the start"),
    ("各镇\uff08街道\uff09", True, "full-width brackets read the same"),
    (DEPTS, True, "各 before 部门"),
    ("各县区政府", True, "各 at the start"),
    ("各县区政府(管委会)", True, "各 at the start"),
    ("各乡镇", True, "各 at the start"),
    ("区直各部门", True, "各 before 部门"),
    ("各有关单位", True, "各 at the start"),
    ("全区各级行政机关", True, "各级"),
    ("各级档案馆", True, "every level's archive: the clerk lists which ones"),
    ("市直有关部门", True, "有关部门"),
    ("相关单位", True, "相关单位"),
    ("有关部门", True, "有关部门"),
    ("各成员单位", True, "各 at the start"),
    ("区政务公开领导小组成员单位", True, "成员单位"),
    ("区直部门", True, "区直 and only a kind of unit"),
    ("县直单位", True, "县直 and only a kind of unit"),
    ("市商务局等部门(单位)", True, "等部门: and the others"),
    ("镇(街道)", True, "the level alone"),
    ("区发改局", False, "one office"),
    ("区财政局", False, "one office"),
    ("国网任城供电公司", False, "one company"),
    ("区文化和旅游局", False, "和 is part of the name"),
    ("区直机关工委", False, "one office whose name starts like 区直机关"),
    ("市直机关工委", False, "one office whose name starts like 市直机关"),
    ("区政务公开领导小组办公室", False, "the group's one office"),
    ("唐口街道", False, "one 街道"),
    ("喻屯镇", False, "one 镇"),
    ("县人民政府", False, "one government"),
    ("市城乡水务局", False, "乡 inside a name"),
    ("区市场监管局", False, "区市 is not 各区市"),
    ("", False, "nothing"),
]


@pytest.mark.parametrize(("name", "group", "why"), GROUP_NAMES, ids=[n or "empty" for n, _, _ in GROUP_NAMES])
def test_group_names(name: str, group: bool, why: str) -> None:
    assert is_group_name(name) is group, why
    assert D.looks_collective(name) is group  # the directory's old name for the same rule


def test_directory_lists_units_with_groups_first(ledger: Ledger, plan: int) -> None:
    units = D.directory(ledger)
    assert [u.name for u in units] == [TOWNS, DEPTS, "区发改局", "区财政局"]
    assert [(u.is_group, u.members, u.task_count) for u in units] == [
        (True, [], 2), (True, [], 1), (False, [], 1), (False, [], 2)]


def test_add_member_creates_units_and_is_audited_once(ledger: Ledger, plan: int) -> None:
    before = audit_count(ledger)
    assert D.add_member(ledger, TOWNS, "唐口街道") is True
    assert D.add_member(ledger, "各镇\uff08街道\uff09", "喻屯镇") is True  # full-width brackets find it
    assert audit_count(ledger) == before + 2
    assert D.add_member(ledger, TOWNS, "唐口街道") is False  # already: nothing written
    assert audit_count(ledger) == before + 2
    assert D.members_of(ledger, TOWNS) == ["唐口街道", "喻屯镇"]
    assert D.groups_of(ledger, "喻屯镇") == [TOWNS]
    entry = ledger.audit_log(1)[0]
    assert (entry.action, entry.after) == ("添加群组成员", {"group": TOWNS, "member": "喻屯镇", "created": ["喻屯镇"]})


def test_a_group_cannot_contain_itself_or_loop(ledger: Ledger, plan: int) -> None:
    with pytest.raises(UserError, match="自己的成员"):
        D.add_member(ledger, TOWNS, "各镇(街道)")
    D.add_member(ledger, "全区各单位", DEPTS)
    with pytest.raises(UserError, match="循环"):
        D.add_member(ledger, DEPTS, "全区各单位")
    assert D.members_of(ledger, DEPTS) == []


def test_member_tasks_include_the_groups_tasks(ledger: Ledger, plan: int) -> None:
    D.add_member(ledger, TOWNS, "唐口街道")
    tasks = ledger.tasks(plan)
    seq = {t.id: t.seq for t in tasks}
    mine = D.unit_tasks(ledger, plan, "唐口街道")
    assert {seq[tid]: value for tid, value in mine.items()} == {
        2: (Role.LEAD, [TOWNS]), 3: (Role.COOPERATE, [TOWNS])}
    finance = D.unit_tasks(ledger, plan, "区财政局")
    assert {seq[tid]: value for tid, value in finance.items()} == {1: (Role.COOPERATE, []), 3: (Role.LEAD, [])}
    assert D.unit_tasks(ledger, plan, "没有的单位") == {}


def test_nested_groups_reach_the_members(ledger: Ledger, plan: int) -> None:
    D.add_member(ledger, DEPTS, "区发改局")
    D.add_member(ledger, DEPTS, "区应急局")
    D.add_member(ledger, "全区各单位", DEPTS)
    assert D.groups_of(ledger, "区应急局") == [DEPTS, "全区各单位"]
    assert D.expand_recipients(ledger, ["全区各单位"]) == ["区发改局", "区应急局"]
    seq = {t.id: t.seq for t in ledger.tasks(plan)}
    assert sorted(seq[t] for t in D.unit_tasks(ledger, plan, "区应急局")) == [4]


def test_recipients_replace_groups_by_their_members(ledger: Ledger, plan: int) -> None:
    D.add_member(ledger, TOWNS, "唐口街道")
    D.add_member(ledger, TOWNS, "喻屯镇")
    assert D.expand_recipients(ledger, [TOWNS, "区发改局", "唐口街道"]) == ["唐口街道", "喻屯镇", "区发改局"]
    with pytest.raises(NotFoundError, match="没有“区某局”"):
        D.expand_recipients(ledger, ["区某局"])
    recipients = D.plan_recipients(ledger, plan)
    assert [(r.name, r.task_count, r.via) for r in recipients] == [
        ("区发改局", 1, []), ("区财政局", 2, []), ("唐口街道", 2, [TOWNS]), ("喻屯镇", 2, [TOWNS])]
    assert D.unlisted_groups(ledger, plan) == [DEPTS]  # nobody listed under it: no workbook of its own


def test_a_group_without_members_gets_no_workbook(ledger: Ledger, plan: int) -> None:
    assert [r.name for r in D.plan_recipients(ledger, plan)] == ["区发改局", "区财政局"]
    assert D.unlisted_groups(ledger, plan) == [TOWNS, DEPTS]
    assert D.group_without_members_text(TOWNS) == "“各镇(街道)”是群组,请在 单位名录 中添加其成员单位后再下发"
    # A group listed inside a group with members, but with none of its own, is still unlisted.
    D.add_member(ledger, "全区各单位", DEPTS)
    D.add_member(ledger, TOWNS, "全区各单位")
    assert D.unlisted_groups(ledger, plan) == [DEPTS]
    D.add_member(ledger, DEPTS, "区应急局")
    assert D.unlisted_groups(ledger, plan) == []
    assert [r.name for r in D.plan_recipients(ledger, plan)] == ["区发改局", "区财政局", "区应急局"]


def test_a_unit_with_a_plain_name_and_no_members_keeps_its_workbook(ledger: Ledger) -> None:
    plan = make_plan(ledger, [("甲任务", "区直机关工委"), ("乙任务", "各级档案馆")], sha="b" * 64)
    assert [r.name for r in D.plan_recipients(ledger, plan)] == ["区直机关工委"]
    assert D.unlisted_groups(ledger, plan) == ["各级档案馆"]


def test_remove_member(ledger: Ledger, plan: int) -> None:
    D.add_member(ledger, TOWNS, "唐口街道")
    D.add_member(ledger, TOWNS, "喻屯镇")
    assert D.remove_member(ledger, TOWNS, "唐口街道") is True
    assert D.members_of(ledger, TOWNS) == ["喻屯镇"]
    assert "唐口街道" in [u.name for u in D.directory(ledger)]  # the unit itself stays
    with pytest.raises(NotFoundError, match="不是“各镇\\(街道\\)”的成员"):
        D.remove_member(ledger, TOWNS, "唐口街道")
    with pytest.raises(NotFoundError):
        D.remove_member(ledger, "没有的群组", "喻屯镇")


def test_rename_keeps_the_tasks(ledger: Ledger, plan: int) -> None:
    D.rename_unit(ledger, "区发改局", "区发展和改革局")
    assert [u.name for u in ledger.tasks(plan)[0].units] == ["区发展和改革局", "区财政局"]
    assert ledger.db.execute("SELECT units_text FROM tasks WHERE seq = 1").fetchone()[0] == "区发改局、区财政局"
    assert len(D.unit_tasks(ledger, plan, "区 发展和改革局")) == 1
    with pytest.raises(UserError, match="已有“区财政局”"):
        D.rename_unit(ledger, "区发展和改革局", "区财政局")
    with pytest.raises(NotFoundError):
        D.rename_unit(ledger, "区发改局", "x")
    entry = ledger.audit_log(1)[0]
    assert (entry.action, entry.before, entry.after) == ("修改单位名称", {"name": "区发改局"},
                                                         {"name": "区发展和改革局"})


def test_contact(ledger: Ledger, plan: int) -> None:
    D.set_contact(ledger, "区财政局", "张三 0537-1234567")
    assert next(u.contact for u in D.directory(ledger) if u.name == "区财政局") == "张三 0537-1234567"


def test_add_unit(ledger: Ledger, plan: int) -> None:
    assert D.add_unit(ledger, "各社区") is True
    assert D.add_unit(ledger, "各社区") is False
    assert [u.name for u in D.directory(ledger) if u.is_group][-1] == "各社区"
    with pytest.raises(UserError, match="空的"):
        D.add_unit(ledger, "  ")


def test_import_pairs_in_one_change(ledger: Ledger, plan: int) -> None:
    D.add_member(ledger, TOWNS, "唐口街道")
    before = audit_count(ledger)
    result = D.import_pairs(ledger, [(TOWNS, "唐口街道"), (TOWNS, "喻屯镇"), (DEPTS, "区发改局"), ("", "x"),
                                     (TOWNS, TOWNS)], "名录.xlsx")
    assert (result.pairs, result.added, result.already, result.new_units) == (5, 2, 1, ["喻屯镇"])
    assert result.skipped == ["(空) | x", f"{TOWNS} | {TOWNS}"]
    assert audit_count(ledger) == before + 1
    assert D.members_of(ledger, DEPTS) == ["区发改局"]


def _sheet(path: Path, rows: list[list[str | None]], merge: str | None = None) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if merge:
        book.active.merge_cells(merge)
    book.save(path)
    return path


def test_directory_list_group_then_member(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "名录.xlsx", [["群组/单位", "成员"], [TOWNS, "唐口街道"], [None, "喻屯镇"],
                                           [DEPTS, "区发改局、区财政局"]], merge="A2:A3")
    assert read_directory_pairs(path) == [(TOWNS, "唐口街道"), (TOWNS, "喻屯镇"), (DEPTS, "区发改局"),
                                          (DEPTS, "区财政局")]


def test_directory_list_member_then_groups(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "名录.xlsx", [["单位名称", "所属群组"], ["唐口街道", TOWNS],
                                           ["区发改局", f"{DEPTS}、全区各单位"], ["", TOWNS]])
    assert read_directory_pairs(path) == [(TOWNS, "唐口街道"), (DEPTS, "区发改局"), ("全区各单位", "区发改局")]


def test_directory_list_without_a_header(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "名录.xlsx", [["唐口街道", TOWNS]])
    with pytest.raises(FileReadError, match="找不到单位名录的表头"):
        read_directory_pairs(path)
