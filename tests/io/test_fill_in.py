"""下发填报表 and 汇总: the workbook a unit gets, and the round trip back — edited as
a department would (rows sorted, a row deleted, a column added, cells merged),
saved by another program, keys gone — into the ledger and the JSON export."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from zwgk_desktop.core import exchange as X
from zwgk_desktop.core import unit_directory as D
from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io import fill_in_format as F
from zwgk_desktop.io.fill_in import issue_fill_in, write_fill_ins
from zwgk_desktop.io.json_export import plan_to_json
from zwgk_desktop.io.plan_file import read_plan_file
from zwgk_desktop.io.reply_reader import read_replies, read_reply

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "sample" / "sample_plan.xlsx"
Q3 = Quarter(2023, 3)
UNIT = "区发改局"
SEQS = [3, 5, 12, 16, 17, 18, 23, 27]  # 区发改局's tasks in the sample, as lead or cooperating
# (18: "区发改局等区政府有关部门单位" names 区发改局, then the group of the others)
FORMULA = "=SUM(A1:A3) 深化国资国企改革。"
COLUMNS = ["序号", "所属章节", "任务内容", "责任单位", "本单位职责", "完成时限", "进展情况", "完成状态", "完成时间",
           "佐证材料说明", "系统编码(请勿修改)"]


@pytest.fixture
def plan(ledger: Ledger) -> int:
    parsed, digest = read_plan_file(SAMPLE)
    plan_id = write_plan(ledger, parsed, digest).plan_id
    # A requirement that looks like a formula (seq 3): it must travel as text.
    ledger.db.execute("UPDATE tasks SET requirement = ? WHERE plan_id = ? AND seq = 3", [FORMULA, plan_id])
    return plan_id


def by_seq(ledger: Ledger, plan: int) -> dict[int, int]:
    return {t.seq: t.id for t in ledger.tasks(plan)}


def make_fill_in(ledger: Ledger, plan: int, folder: Path, unit: str = UNIT) -> Path:
    return issue_fill_in(ledger, X.fill_in_for(ledger, plan, unit, Q3, sender="任城区政府办公室"),
                         folder / X.fill_in_file_name(unit, Q3))


def columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[3] if cell.value}


def data_rows(sheet) -> list[int]:
    return [r for r in range(4, sheet.max_row + 1) if sheet.cell(row=r, column=1).value is not None]


def test_the_fill_in_workbook(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    ids = by_seq(ledger, plan)
    ledger.set_status(ids[5], Status.DONE, date(2023, 9, 20))
    # Task 5 is shared with 区财政局: each unit is shown its own part of the note.
    ledger.set_progress(ids[5], Q3, "已部署。\n【区发改局】已完成政策包解读。\n【区财政局】财政局的。")
    path = make_fill_in(ledger, plan, tmp_path)
    assert path.name == "区发改局-2023年第三季度填报表.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填报说明", "任务填报", "zwgk_keys"]
    assert [book[n].sheet_state for n in book.sheetnames] == ["visible", "visible", "veryHidden"]
    assert book.active.title == "填报说明"
    guide = [c.value for c in book["填报说明"]["B"] if c.value]
    assert guide[0] == "填 报 说 明" and guide[1] == "区发改局:"
    assert "任城区政府办公室" in guide[2] and "任务共 8 项" in guide[2] and "2023年第三季度" in guide[2]
    sheet = book["任务填报"]
    assert [c.value for c in sheet[3]] == COLUMNS
    assert sheet["A2"].value == "填报单位:区发改局    填报季度:2023年第三季度"
    rows = data_rows(sheet)
    assert [sheet.cell(row=r, column=1).value for r in rows] == [str(s) for s in SEQS]
    first, second = rows[0], rows[1]
    assert (sheet.cell(row=first, column=3).value, sheet.cell(row=first, column=3).data_type) == (FORMULA, "s")
    assert [sheet.cell(row=second, column=c).value for c in (5, 7, 8)] == ["牵头", "已完成政策包解读。", "已完成"]
    assert sheet.cell(row=second, column=9).value.date() == date(2023, 9, 20)
    assert sheet.cell(row=first, column=11).value == X.task_key(ledger.plan(plan).source_sha256, ids[3])
    # Locked task text, unlocked fill-in columns, protection on (sorting and filtering allowed).
    assert [sheet.cell(row=first, column=c).protection.locked for c in range(1, 12)] == \
        [True] * 6 + [False] * 4 + [True]
    assert sheet.protection.sheet is True and sheet.protection.password is None
    assert (sheet.protection.autoFilter, sheet.protection.sort, sheet.protection.formatRows) == (False, False, False)
    assert sheet.column_dimensions["K"].hidden is True
    assert sheet.auto_filter.ref == f"A3:J{rows[-1]}"
    [status_list, dates] = sheet.data_validations.dataValidation
    assert (status_list.type, status_list.formula1) == ("list", '"未启动,推进中,已完成,不适用"')
    assert str(status_list.sqref) == f"H4:H{rows[-1] + 200}"
    assert (dates.type, dates.errorStyle) == ("date", "warning")
    assert (sheet.page_setup.orientation, sheet.print_title_rows, sheet.freeze_panes) == ("landscape", "$3:$3", "A4")
    props = book.properties
    assert (props.title, props.keywords, props.subject) == (
        "区发改局 2023年第三季度 政务公开任务填报表", "zwgk-fill-in", "2023年济宁市任城区政务公开重点工作任务分解表")
    custom = {p.name: p.value for p in book.custom_doc_props.props}
    assert custom["zwgk_unit"] == UNIT and custom["zwgk_quarter"] == "2023Q3"
    keys = [[c.value for c in row if c.value is not None] for row in book["zwgk_keys"].iter_rows(max_col=7)]
    assert keys[0] == ["zwgk-fill-in", "2"] and keys[4] == ["填报单位", UNIT] and keys[5] == ["季度", "2023Q3"]
    assert keys[7][0] == "下发编号" and keys[7][1] == custom["zwgk_issue"]
    [record] = X.issue_records(ledger, [custom["zwgk_issue"]]).values()  # the ledger knows what it sent
    assert (record.unit, record.quarter, sorted(record.tasks)) == (UNIT, Q3, sorted(ids[s] for s in SEQS))
    assert record.tasks[ids[5]].progress_full.startswith("已部署。")
    assert keys[9] == F.KEY_TABLE_HEADER
    assert keys[11][:6] == [X.task_key(ledger.plan(plan).source_sha256, ids[5]), str(ids[5]), "5",
                        X.text_checksum(ledger.task(ids[5]).requirement), "已完成", "2023-09-20"]
    assert keys[11][6] == X.text_checksum("已完成政策包解读。")


def edit_as_a_department(path: Path, out: Path, fill: dict[int, dict[str, object]], *, delete_seq: int | None,
                         merge_evidence: tuple[int, int] | None = None, drop_key: bool = False,
                         drop_key_sheet: bool = False) -> Path:
    """Fill cells by 序号, then sort the rows (descending), delete a row, add a column
    at the front, merge two 佐证材料说明 cells, and save. Text is written as text, the
    way Excel keeps a cell's type when it sorts (and as '=… typed with an apostrophe)."""

    def put(cell, value) -> None:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
    book = openpyxl.load_workbook(path)
    sheet = book["任务填报"]
    cols = columns(sheet)
    rows = data_rows(sheet)
    values = []
    for r in rows:
        seq = int(sheet.cell(row=r, column=1).value)
        for name, value in fill.get(seq, {}).items():
            put(sheet.cell(row=r, column=cols[name]), value)
        values.append([sheet.cell(row=r, column=c).value for c in range(1, len(COLUMNS) + 1)])
    values.sort(key=lambda v: -int(v[0]))  # 降序排序
    for r, row_values in zip(rows, values):
        for c, value in enumerate(row_values, start=1):
            put(sheet.cell(row=r, column=c), value)
    if delete_seq is not None:
        doomed = next(r for r in rows if sheet.cell(row=r, column=1).value == str(delete_seq))
        sheet.delete_rows(doomed)
    if drop_key:
        sheet.delete_cols(cols["系统编码(请勿修改)"])
    sheet.insert_cols(1)
    sheet.cell(row=3, column=1).value = "备注"
    sheet.cell(row=4, column=1).value = "同事加的备注列"
    if merge_evidence is not None:
        seqs = [sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)]
        top = 4 + seqs.index(str(merge_evidence[0]))
        assert seqs[top - 4 + 1] == str(merge_evidence[1])
        evidence_col = cols["佐证材料说明"] + 1
        sheet.merge_cells(start_row=top, start_column=evidence_col, end_row=top + 1, end_column=evidence_col)
    if drop_key_sheet:
        del book["zwgk_keys"]
    book.save(out)
    return out


def test_round_trip_sorted_deleted_added_merged(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    ids = by_seq(ledger, plan)
    path = make_fill_in(ledger, plan, tmp_path)
    reply_path = edit_as_a_department(path, tmp_path / "报送-区发改局.xlsx", {
        3: {"进展情况": "国企改革信息已全部公开。", "完成状态": "已完成", "完成时间": "2023年9月28日"},
        12: {"进展情况": "=公开专栏已更新", "完成状态": "推进中"},
        17: {"佐证材料说明": "区政府网站专栏 9 月发布 3 篇"},  # its cell merged with 16's below
        23: {"完成状态": "已完成"},  # deleted below: never arrives
    }, delete_seq=23, merge_evidence=(17, 16))
    reply = read_reply(reply_path)
    assert (reply.unit, reply.quarter, reply.sheet, len(reply.rows), len(reply.sent)) == (UNIT, Q3, "任务填报", 7, 8)
    assert [r.seq for r in reply.rows] == ["27", "18", "17", "16", "12", "5", "3"]  # sorted, 23 deleted
    assert reply.notes == ["第 6 行等处的填报单元格被合并,合并内容已计入其中每一行。"]  # 17 is the third row
    preview = X.preview_merge(ledger, [reply])
    assert [(c.seq, c.field.value, c.old, c.new, c.conflict, c.matched_by) for c in preview.changes] == [
        (3, "status", "未启动", "已完成(2023-09-28)", None, "key"),
        (3, "progress", "", "国企改革信息已全部公开。", None, "key"),
        (12, "status", "未启动", "推进中", None, "key"),
        (12, "progress", "", "=公开专栏已更新", None, "key"),
        (16, "evidence", "", "区政府网站专栏 9 月发布 3 篇", None, "key"),
        (17, "evidence", "", "区政府网站专栏 9 月发布 3 篇", None, "key")]  # the merged cell counts for both
    assert preview.unmatched == []
    result = X.apply_merge(ledger, preview.changes)
    assert len(result.applied) == 6
    data = plan_to_json(ledger, plan)
    tasks = {t["seq"]: t for t in data["tasks"]}
    assert tasks[3]["requirement"] == FORMULA
    assert (tasks[3]["status"], tasks[3]["status_date"]) == ("已完成", "2023-09-28")
    # tasks 3 and 12 are shared with other units: the note keeps each unit's part, labelled
    assert [(p["quarter"], p["text"]) for p in tasks[3]["progress"]] == [("2023Q3", "【区发改局】国企改革信息已全部公开。")]
    assert [(p["quarter"], p["text"]) for p in tasks[12]["progress"]] == [("2023Q3", "【区发改局】=公开专栏已更新")]
    assert tasks[12]["status"] == "推进中"
    assert [(e["kind"], e["name"]) for e in tasks[16]["evidence"]] == [("note", "区政府网站专栏 9 月发布 3 篇")]
    assert tasks[23]["status"] == "未启动"
    # Merging the same reply again changes nothing.
    assert X.preview_merge(ledger, [read_reply(reply_path)]).changes == []
    assert ids[3] in result.task_ids


@pytest.mark.parametrize("drop_key", [False, True], ids=["keys", "no-keys"])
def test_task_cells_merged_by_a_colleague(ledger: Ledger, plan: int, tmp_path: Path, drop_key: bool) -> None:
    """Two rows' 任务内容 merged (after unprotecting the sheet): the lower row's text is
    the upper row's, so it is matched by its key only, never by that text."""
    path = make_fill_in(ledger, plan, tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["任务填报"]
    cols = columns(sheet)
    rows = data_rows(sheet)
    sheet.cell(row=rows[1], column=cols["进展情况"]).value = "五号任务的进展。"
    sheet.cell(row=rows[2], column=cols["进展情况"]).value = "十二号任务的进展。"
    sheet.merge_cells(start_row=rows[1], start_column=cols["任务内容"], end_row=rows[2], end_column=cols["任务内容"])
    if drop_key:
        sheet.delete_cols(cols["系统编码(请勿修改)"])
    book.save(tmp_path / "merged.xlsx")
    preview = X.preview_merge(ledger, [read_reply(tmp_path / "merged.xlsx")])
    if drop_key:
        assert [(c.seq, c.new) for c in preview.changes] == [(5, "五号任务的进展。")]
        assert [(u.row, u.reason) for u in preview.unmatched] == [
            (rows[2], "没有编码,任务内容单元格与上一行合并了,无法确定是哪一项任务")]
    else:
        assert [(c.seq, c.new, c.matched_by) for c in preview.changes] == [
            (5, "五号任务的进展。", "key"), (12, "十二号任务的进展。", "key")]
        assert preview.unmatched == []


def test_a_reply_to_an_outdated_issue_shows_a_conflict(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    """The clerk wrote after the fill-in was issued: a conflict, although the reply
    file was saved later still (it is based on what was issued, not on its save time)."""
    ids = by_seq(ledger, plan)
    path = make_fill_in(ledger, plan, tmp_path)
    ledger.set_progress(ids[5], Q3, "【区发改局】台账中后来写的进展。")
    reply_path = edit_as_a_department(path, tmp_path / "reply.xlsx", {
        5: {"进展情况": "报送表中的进展。"}, 12: {"进展情况": "另一项。"}}, delete_seq=None)
    preview = X.preview_merge(ledger, [read_reply(reply_path)])
    assert [(c.seq, bool(c.conflict)) for c in preview.changes] == [(5, True), (12, False)]
    assert preview.conflicts[0].conflict.startswith("下发后台账中2023年第三季度的进展已修改")
    assert (preview.conflicts[0].issued, preview.conflicts[0].old) == ("", "台账中后来写的进展。")
    result = X.apply_merge(ledger, preview.changes)
    assert [c.seq for c in result.applied] == [12] and [c.seq for c in result.skipped_conflicts] == [5]
    assert ledger.task(ids[5]).progress[0].text == "【区发改局】台账中后来写的进展。"


def test_two_units_disagreeing(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    # 区发改局 and 区财政局 both have task 5.
    a = edit_as_a_department(make_fill_in(ledger, plan, tmp_path), tmp_path / "a.xlsx",
                             {5: {"完成状态": "已完成", "完成时间": "2023-09-01"}}, delete_seq=None)
    b = edit_as_a_department(make_fill_in(ledger, plan, tmp_path, "区财政局"), tmp_path / "b.xlsx",
                             {5: {"完成状态": "推进中"}}, delete_seq=None)
    replies, problems = read_replies([a, b, tmp_path / "没有的文件.xlsx"])
    assert len(replies) == 2 and problems == [("无法读取文件“没有的文件.xlsx”:文件不存在\n"
                                               "处理办法:文件可能已被移动、改名或删除,请重新选择文件")]
    preview = X.preview_merge(ledger, replies)
    assert [(c.unit, c.new, c.conflict) for c in preview.changes] == [
        (UNIT, "已完成(2023-09-01)", f"与其他报送表不一致:区财政局(配合) 第 {preview.changes[1].row} 行填"
                                     f"“推进中(日期 2023-09-30)”,只能选其一(牵头单位:{UNIT})"),
        ("区财政局", "推进中", f"与其他报送表不一致:{UNIT}(牵头) 第 {preview.changes[0].row} 行填"
                              f"“已完成(2023-09-01)”,只能选其一(牵头单位:{UNIT})")]


def test_key_column_gone_falls_back_to_the_text(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    path = make_fill_in(ledger, plan, tmp_path)
    reply_path = edit_as_a_department(path, tmp_path / "nokey.xlsx", {
        3: {"进展情况": "公式样的任务也能对应。"}, 27: {"完成状态": "推进中"}}, delete_seq=None,
        drop_key=True, drop_key_sheet=True)
    reply = read_reply(reply_path)
    assert reply.notes == [
        "隐藏的编码工作表已不在文件中,无法判断哪些内容是对方新填的;与台账不同的内容都列为修改,请逐项核对。",
        "隐藏的“系统编码”列已被删除,将按任务内容对应各行。"]
    assert (reply.unit, reply.quarter) == (UNIT, Q3)  # from the workbook properties
    preview = X.preview_merge(ledger, [reply])
    assert [(c.seq, c.new, c.matched_by) for c in preview.changes] == [
        (3, "公式样的任务也能对应。", "text"), (27, "推进中", "text")]
    assert preview.unmatched == []


def test_a_reply_saved_as_csv(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    """WPS 另存为 CSV (GBK): one sheet, no properties, no hidden sheet; the key column stays."""
    path = make_fill_in(ledger, plan, tmp_path)
    sheet = openpyxl.load_workbook(path)["任务填报"]
    out = tmp_path / "区发改局报送.csv"
    with out.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        for row in sheet.iter_rows(values_only=True):
            values = ["" if v is None else str(v) for v in row]
            if values[0] == "5":
                values[6] = "CSV 中填写的进展。"
            writer.writerow(values)
    reply = read_reply(out)
    assert (reply.unit, reply.quarter, reply.sent) == (UNIT, Q3, {})
    preview = X.preview_merge(ledger, [reply])
    assert [(c.seq, c.new, c.matched_by) for c in preview.changes] == [(5, "CSV 中填写的进展。", "key")]


def test_a_file_that_is_not_a_reply(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["随便", "一张表"])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(FileReadError, match="不是本程序下发的填报表"):
        read_reply(tmp_path / "x.xlsx")


def test_batch_for_every_unit_and_for_a_group(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    D.add_member(ledger, "各镇(街道)", "唐口街道")
    D.add_member(ledger, "各镇(街道)", "喻屯镇")
    D.add_member(ledger, "区政府各部门单位", "区发改局")
    calls: list[tuple[int, int, str]] = []
    result = write_fill_ins(ledger, plan, Q3, tmp_path / "全部", progress=lambda d, t, n: calls.append((d, t, n)))
    names = sorted(p.name for p in (tmp_path / "全部").iterdir())
    assert len(names) == len(result.written) == len(D.plan_recipients(ledger, plan))
    assert "唐口街道-2023年第三季度填报表.xlsx" in names and "各镇(街道)-2023年第三季度填报表.xlsx" not in names
    town = next(w for w in result.written if w.unit == "唐口街道")
    assert town.tasks == len(D.unit_tasks(ledger, plan, "唐口街道")) == 37
    assert calls[0] == (0, len(result.written), result.written[0].unit) and calls[-1][0] == calls[-1][1]
    dept = next(w for w in result.written if w.unit == UNIT)
    assert dept.tasks == len(SEQS) + 23  # its own 8 and the 23 of 区政府各部门单位
    group = write_fill_ins(ledger, plan, Q3, tmp_path / "镇街", units=["各镇(街道)"])
    assert [(w.unit, w.path.name) for w in group.written] == [
        ("唐口街道", "唐口街道-2023年第三季度填报表.xlsx"), ("喻屯镇", "喻屯镇-2023年第三季度填报表.xlsx")]
    assert group.skipped == []
    D.add_unit(ledger, "区某新单位")
    none = write_fill_ins(ledger, plan, Q3, tmp_path / "空", units=["区某新单位"])
    assert (none.written, none.skipped) == ([], ["区某新单位:在这个分解表中没有任务,未生成填报表。"])


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_a_reply_saved_by_libreoffice(ledger: Ledger, plan: int, tmp_path: Path, fmt: str) -> None:
    path = make_fill_in(ledger, plan, tmp_path)
    edited = edit_as_a_department(path, tmp_path / "edited.xlsx", {
        12: {"进展情况": "LibreOffice 保存的进展。", "完成状态": "推进中"}}, delete_seq=3)
    outdir = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    fmt, "--outdir", str(outdir), str(edited)], check=True, capture_output=True, timeout=180)
    reply = read_reply(outdir / f"edited.{fmt}")
    assert (reply.unit, reply.quarter) == (UNIT, Q3)
    preview = X.preview_merge(ledger, [reply])
    assert [(c.seq, c.field.value, c.new) for c in preview.changes] == [
        (12, "status", "推进中"), (12, "progress", "LibreOffice 保存的进展。")]
    assert os.path.getsize(outdir / f"edited.{fmt}") > 0


def test_a_read_only_ledger_still_issues_fill_ins_and_says_they_are_not_recorded(
        ledger: Ledger, plan: int, tmp_path: Path) -> None:
    from zwgk_desktop.io.fill_in import NOT_RECORDED

    with Ledger.open(ledger.folder, read_only=True) as viewing:
        result = write_fill_ins(viewing, plan, Q3, tmp_path / "只读", units=[UNIT])
    assert [w.unit for w in result.written] == [UNIT] and result.notes == [NOT_RECORDED]
    assert (tmp_path / "只读" / X.fill_in_file_name(UNIT, Q3)).exists()
    assert ledger.db.execute("SELECT COUNT(*) FROM fill_in_issues").fetchone()[0] == 0


def test_one_units_failure_does_not_stop_the_others(ledger: Ledger, plan: int, tmp_path: Path) -> None:
    D.add_member(ledger, "各镇(街道)", "城关\x1b镇")
    D.add_member(ledger, "各镇(街道)", "喻屯镇")
    (tmp_path / "下发").mkdir()
    (tmp_path / "下发" / "城关镇-2023年第三季度填报表.xlsx").mkdir()  # in the way
    result = write_fill_ins(ledger, plan, Q3, tmp_path / "下发", units=["各镇(街道)", UNIT])
    assert [w.unit for w in result.written] == ["喻屯镇", UNIT]
    [skipped] = result.skipped
    assert skipped.startswith("城关镇:无法写入“")
    issued = ledger.db.execute("SELECT unit FROM fill_in_issues ORDER BY id").fetchall()
    assert [u for (u,) in issued] == ["喻屯镇", UNIT]  # recorded only what was written
