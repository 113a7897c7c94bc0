"""`zwgk export --format xlsx`, `zwgk fill-in`, `zwgk merge`, `zwgk units`: what they
print, what they write, and that bad input exits 2 in Chinese without a change."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from zwgk_desktop.cli import main
from zwgk_desktop.core.ledger import LEDGER_FILE
from tests.builders import run_cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "sample" / "sample_plan.xlsx"
FILL_IN = "区发改局-2023年第三季度填报表.xlsx"


run = run_cli


def dump(folder: Path) -> str:
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def led(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "台账"
    assert main(["init", str(folder)]) == 0
    assert main(["--ledger", str(folder), "import", str(SAMPLE)]) == 0
    capsys.readouterr()
    return folder


def zwgk(capsys, led: Path, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "--ledger", str(led), *argv)


def tasks(led: Path, capsys) -> dict[int, dict]:
    code, out, _ = zwgk(capsys, led, "export", "--format", "json")
    assert code == 0
    return {t["seq"]: t for t in json.loads(out)["tasks"]}


def test_export_xlsx(led: Path, tmp_path: Path, capsys) -> None:
    tid = tasks(led, capsys)[1]["id"]
    assert zwgk(capsys, led, "progress", str(tid), "--quarter", "2023Q3", "=1+2 已发布。")[0] == 0
    assert zwgk(capsys, led, "status", str(tid), "已完成", "--on", "2023-09-20")[0] == 0
    out = tmp_path / "落实情况.xlsx"
    code, stdout, err = zwgk(capsys, led, "export", "--format", "xlsx", "--quarter", "2023Q3", "-o", str(out))
    assert (code, stdout) == (0, "")
    assert err == f"已导出分解表 1(59 项任务,2023年第三季度进展)到 {out}\n"
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[3]] == ["工作任务", "责任单位", "具体要求", "完成时限", "完成状态", "完成时间",
                                           "本季度进展", "佐证材料"]
    assert [sheet["E5"].value, sheet["G5"].value, sheet["G5"].data_type] == ["已完成", "=1+2 已发布。", "s"]


def test_export_xlsx_default_quarter_and_errors(led: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.xlsx"
    code, _, err = zwgk(capsys, led, "export", "--format", "xlsx", "-o", str(out))
    assert code == 0 and "2023年第四季度进展" in err  # a past plan's last quarter
    before = dump(led)
    code, _, err = zwgk(capsys, led, "export", "--format", "xlsx")
    assert (code, err) == (2, "导出 Excel 需要用 -o 指定文件名,例如 -o 落实情况.xlsx。\n")
    code, _, err = zwgk(capsys, led, "export", "--format", "xlsx", "--quarter", "三季度", "-o", str(out))
    assert code == 2 and err.startswith("无法识别的季度“三季度”")
    code, _, err = zwgk(capsys, led, "export", "--format", "xlsx", "-o", str(tmp_path / "无" / "x.xlsx"))
    assert code == 2 and err.startswith("无法写入")
    assert dump(led) == before


def test_fill_in_one_unit(led: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / FILL_IN
    code, stdout, _ = zwgk(capsys, led, "fill-in", "--unit", "区发改局", "--quarter", "2023Q3", "-o", str(out))
    assert (code, stdout) == (0, f"已生成“区发改局”2023年第三季度填报表(8 项任务):{out}\n")
    assert openpyxl.load_workbook(out).sheetnames == ["填报说明", "任务填报", "zwgk_keys"]


def test_fill_in_all_and_group(led: Path, tmp_path: Path, capsys) -> None:
    code, stdout, _ = zwgk(capsys, led, "fill-in", "--all", "--quarter", "2023Q3", "-o", str(tmp_path / "全部"))
    assert code == 0
    lines = stdout.splitlines()
    # 37 units; the four groups nobody listed members for (各镇(街道), 区政府各部门单位, 区政府有关部门单位,
    # 各涉农镇(街道)) get none. («区公共资源交易服务中心等区政府有关部门单位» is that unit and a group.)
    assert lines[-1] == f"已生成 37 份2023年第三季度填报表,保存在 {tmp_path / '全部'}"
    assert len(list((tmp_path / "全部").glob("*.xlsx"))) == 37
    assert not list((tmp_path / "全部").glob("各镇*"))
    assert zwgk(capsys, led, "units", "add-member", "各镇(街道)", "唐口街道")[0] == 0
    assert zwgk(capsys, led, "units", "add-member", "各镇(街道)", "喻屯镇")[0] == 0
    code, stdout, _ = zwgk(capsys, led, "fill-in", "--unit", "各镇(街道)", "--quarter", "2023Q3", "-o",
                           str(tmp_path / "镇街"))
    assert code == 0
    assert stdout.splitlines()[:2] == [
        f"唐口街道\t37 项\t{tmp_path / '镇街' / '唐口街道-2023年第三季度填报表.xlsx'}",
        f"喻屯镇\t37 项\t{tmp_path / '镇街' / '喻屯镇-2023年第三季度填报表.xlsx'}"]
    code, _, err = zwgk(capsys, led, "fill-in", "--unit", "各镇(街道)", "-o", str(tmp_path / "a.xlsx"))
    assert code == 2 and "每个单位各生成一份填报表,-o 请写一个文件夹" in err
    code, _, err = zwgk(capsys, led, "fill-in", "--unit", "区某局", "-o", str(tmp_path / "b.xlsx"))
    assert (code, err) == (2, "单位名录中没有“区某局”。可用 zwgk units 查看名录中的单位和群组。\n")
    code, _, err = zwgk(capsys, led, "fill-in", "--all", "-o", str(tmp_path / "c.xlsx"))
    assert code == 2 and "-o 请写一个文件夹" in err
    code, _, err = zwgk(capsys, led, "fill-in", "-o", str(tmp_path / "d"))
    assert code == 2 and "命令参数有误" in err


def fill_reply(path: Path, out: Path, values: dict[str, dict[str, str]]) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book["任务填报"]
    cols = {c.value: c.column for c in sheet[3]}
    for row in range(4, sheet.max_row + 1):
        for name, value in values.get(sheet.cell(row=row, column=1).value, {}).items():
            sheet.cell(row=row, column=cols[name]).value = value
    sheet.append(["", "", "自己加的一行任务", "", "", "", "写了点什么"])
    book.save(out)
    return out


def test_merge_preview_apply_only_and_force(led: Path, tmp_path: Path, capsys) -> None:
    zwgk(capsys, led, "fill-in", "--unit", "区发改局", "--quarter", "2023Q3", "-o", str(tmp_path / FILL_IN))
    reply = fill_reply(tmp_path / FILL_IN, tmp_path / "报送.xlsx", {
        "3": {"进展情况": "三号任务进展。", "完成状态": "已完成", "完成时间": "2023-09-28"},
        "5": {"进展情况": "五号任务进展。"},
        "12": {"完成状态": "完成了"}})
    before = dump(led)
    code, out, _ = zwgk(capsys, led, "merge", str(reply))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "报送表 1 份:"
    assert lines[1].startswith("  报送.xlsx(区发改局,2023年第三季度,保存于 ") and lines[1].endswith(",9 行)")  # 区发改局's 8 tasks and the row it added
    assert lines[2] == "修改 3 处:"
    assert lines[3].startswith("  序号 3“") and lines[3].endswith("完成状态:未启动 → 已完成(2023-09-28)〔区发改局(配合) 第 4 行〕")
    # tasks 3 and 5 are shared with other units: the unit writes its own labelled part
    assert lines[4].endswith("2023年第三季度进展(【区发改局】部分):(空) → 三号任务进展。〔区发改局(配合) 第 4 行〕")
    assert lines[5].endswith("2023年第三季度进展(【区发改局】部分):(空) → 五号任务进展。〔区发改局(牵头) 第 5 行〕")
    assert lines[6:] == [
        "无法对应的行 1 行:",
        "  报送.xlsx 第 12 行“自己加的一行任务”:没有编码,任务内容在台账中找不到(可能被修改过)",
        "提示:",
        "  报送.xlsx 第 6 行:无法识别的完成状态“完成了”(应为未启动、推进中、已完成、不适用之一),该行的状态未汇总。",
        "以上为预览,台账未修改。确认无误后加 --apply 写入台账。"]
    assert dump(led) == before

    code, out, _ = zwgk(capsys, led, "merge", str(reply), "--apply", "--only", "5")
    assert out.splitlines()[-2:] == ["已写入 1 处修改(涉及 1 项任务),可用 zwgk log 查看操作记录。",
                                     "汇总编号 1;如需撤销:zwgk merge --undo 1"]
    now = tasks(led, capsys)
    assert [p["text"] for p in now[5]["progress"]] == ["【区发改局】五号任务进展。"] and now[3]["progress"] == []
    code, out, _ = zwgk(capsys, led, "merge", str(reply), "--apply")
    assert out.splitlines()[-2] == "已写入 2 处修改(涉及 1 项任务),可用 zwgk log 查看操作记录。"
    now = tasks(led, capsys)
    assert (now[3]["status"], now[3]["status_date"]) == ("已完成", "2023-09-28")
    code, out, _ = zwgk(capsys, led, "log", "--limit", "4")
    assert [line.split("\t")[2] for line in out.splitlines()] == [
        "汇总报送表", "填写进展(汇总:区发改局)", "设置状态(汇总:区发改局)", "汇总报送表"]


def test_merge_conflicts_need_force(led: Path, tmp_path: Path, capsys) -> None:
    zwgk(capsys, led, "fill-in", "--unit", "区发改局", "--quarter", "2023Q3", "-o", str(tmp_path / "a.xlsx"))
    zwgk(capsys, led, "fill-in", "--unit", "区财政局", "--quarter", "2023Q3", "-o", str(tmp_path / "b.xlsx"))
    a = fill_reply(tmp_path / "a.xlsx", tmp_path / "ra.xlsx",
                   {"5": {"进展情况": "发改局说的。", "完成状态": "已完成", "完成时间": "2023-09-28"}})
    b = fill_reply(tmp_path / "b.xlsx", tmp_path / "rb.xlsx", {"5": {"进展情况": "财政局说的。", "完成状态": "推进中"}})
    code, out, _ = zwgk(capsys, led, "merge", str(a), str(b), "--apply")
    assert code == 0 and "冲突 2 处(加 --apply --force 才会写入):" in out  # one status, two values
    assert "已写入 2 处修改(涉及 1 项任务)" in out and "未写入有冲突的修改 2 处;核对后可加 --force 写入(其中各报送表填得不一样的 1 项还需用 --prefer 选定以哪份为准)。" in out
    now = tasks(led, capsys)[5]
    assert now["status"] == "未启动"
    # Both units' notes are kept, each labelled: neither replaces the other.
    assert [p["text"] for p in now["progress"]] == ["【区发改局】发改局说的。\n【区财政局】财政局说的。"]
    # --force does not let the later file win: the two values are one choice, said plainly.
    before = dump(led)
    code, out, err = zwgk(capsys, led, "merge", str(a), str(b), "--apply", "--force")
    assert code == 2 and dump(led) == before
    assert "各报送表填得不一样的 1 项(只能选其一,用 --prefer 单位名称或文件名选定):" in out
    lines = err.splitlines()
    assert lines[0] == "有 1 项各报送表填得不一样,同一项只能写入其中一个,没有写入任何修改:"
    assert lines[1].startswith("  序号 5“") and lines[1].endswith(
        " 完成状态:区发改局(牵头) 第 5 行填“已完成(2023-09-28)”〔ra.xlsx〕;"
        "区财政局(配合) 第 4 行填“推进中(日期 2023-09-30)”〔rb.xlsx〕(牵头单位:区发改局)")
    assert lines[2] == ("请选定以哪份为准:加 --prefer 单位名称或报送表文件名(例如 --prefer 区发改局);"
                        "或用 --only 只写入其他序号;也可以一次只汇总一份报送表。")
    # The clerk names the lead's answer: only it is written (no --force needed for the choice).
    code, out, _ = zwgk(capsys, led, "merge", str(a), str(b), "--apply", "--prefer", "区发改局")
    assert code == 0 and "已写入 1 处修改(涉及 1 项任务)" in out
    assert "说明:按所选以此为准(未采用:区财政局(配合) 第 4 行填“推进中(日期 2023-09-30)”)" in out
    now = tasks(led, capsys)[5]
    assert (now["status"], now["status_date"]) == ("已完成", "2023-09-28")
    code, _, err = zwgk(capsys, led, "merge", str(a), "--prefer", "区政府办公室")
    assert code == 2 and err.startswith("“区政府办公室”不是这次汇总的任何一份报送表的单位或文件名。")


def test_merge_an_undated_status_is_dated_in_its_quarter(led: Path, tmp_path: Path, capsys) -> None:
    """A Q3 reply merged in any later month says 推进中 without a date: written with
    the quarter's last day, never the day of the merge, and the preview says so."""
    zwgk(capsys, led, "fill-in", "--unit", "区财政局", "--quarter", "2023Q3", "-o", str(tmp_path / "b.xlsx"))
    b = fill_reply(tmp_path / "b.xlsx", tmp_path / "rb.xlsx", {"5": {"完成状态": "推进中"}})
    code, out, _ = zwgk(capsys, led, "merge", str(b))
    assert "完成状态:未启动 → 推进中(日期 2023-09-30)〔区财政局(配合) 第 4 行〕" in out
    assert "      日期:报送表未填日期,按2023年第三季度最后一天记为 2023-09-30" in out
    assert zwgk(capsys, led, "merge", str(b), "--apply")[0] == 0
    now = tasks(led, capsys)[5]
    assert (now["status"], now["status_date"]) == ("推进中", "2023-09-30")
    code, out, _ = zwgk(capsys, led, "merge", "--undo")
    assert code == 0 and tasks(led, capsys)[5]["status"] == "未启动"


def test_merge_bad_files(led: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    before = dump(led)
    code, _, err = zwgk(capsys, led, "merge", str(tmp_path / "x.xlsx"), "--apply")
    assert code == 2 and err.startswith("没有可以汇总的报送表:\n无法读取文件“x.xlsx”")
    code, _, err = zwgk(capsys, led, "merge", str(tmp_path / "x.xlsx"), "--only", "a,b")
    assert code == 2 and "序号“a”不对" in err
    assert dump(led) == before


def test_units_commands(led: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = zwgk(capsys, led, "units")
    lines = out.splitlines()
    assert lines[0] == "群组\t成员数\t任务数\t成员"
    assert lines[1] == "各镇(街道)\t0\t37\t(尚未登记成员)"
    assert "单位\t任务数\t所属群组\t联系人" in lines
    listing = tmp_path / "名录.xlsx"
    book = openpyxl.Workbook()
    for row in (["单位名称", "所属群组"], ["唐口街道", "各镇(街道)"], ["喻屯镇", "各镇(街道)"],
                ["区发改局", "区政府各部门单位"]):
        book.active.append(row)
    book.save(listing)
    code, out, _ = zwgk(capsys, led, "units", "import", str(listing))
    assert out == "已从“名录.xlsx”读到 3 条:新增成员关系 3 条,已有 0 条,新建单位 2 个。\n"
    code, out, _ = zwgk(capsys, led, "units", "add-member", "各镇(街道)", "唐口街道")
    assert out == "“唐口街道”已是“各镇(街道)”的成员。\n"
    code, out, _ = zwgk(capsys, led, "units", "remove-member", "各镇(街道)", "喻屯镇")
    assert out == "已把“喻屯镇”移出“各镇(街道)”。\n"
    code, out, _ = zwgk(capsys, led, "units", "rename", "唐口街道", "唐口街道办事处")
    assert out == "已把“唐口街道”改名为“唐口街道办事处”。\n"
    code, out, _ = zwgk(capsys, led, "units")
    assert "各镇(街道)\t1\t37\t唐口街道办事处" in out.splitlines()
    assert "区发改局\t8\t区政府各部门单位\t" in out.splitlines()
    before = dump(led)
    code, _, err = zwgk(capsys, led, "units", "remove-member", "各镇(街道)", "喻屯镇")
    assert (code, err) == (2, "“喻屯镇”不是“各镇(街道)”的成员。\n")
    code, _, err = zwgk(capsys, led, "units", "import", str(tmp_path / "没有.xlsx"))
    assert code == 2 and err.startswith("无法读取文件“没有.xlsx”:文件不存在")
    assert dump(led) == before


def test_units_on_an_empty_ledger(tmp_path: Path, capsys) -> None:
    assert main(["init", str(tmp_path / "空")]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--ledger", str(tmp_path / "空"), "units")
    assert (code, out) == (0, "单位名录是空的。导入分解表后,表中的责任单位会自动加入名录。\n")


def test_units_ledger_option_after_the_action(led: Path, capsys) -> None:
    code, out, _ = run(capsys, "units", "add-member", "各镇(街道)", "唐口街道", "--ledger", str(led))
    assert (code, out) == (0, "已把“唐口街道”加入“各镇(街道)”。\n")


# -- a reply is judged against the fill-in as issued; merges can be undone ---------------------


def test_merge_a_ledger_edit_after_the_fill_in_was_issued_is_a_conflict(led: Path, tmp_path: Path, capsys) -> None:
    zwgk(capsys, led, "fill-in", "--unit", "区发改局", "--quarter", "2023Q3", "-o", str(tmp_path / FILL_IN))
    tid = tasks(led, capsys)[3]["id"]
    assert zwgk(capsys, led, "status", str(tid), "推进中", "--on", "2023-09-01")[0] == 0  # the clerk, after issuing
    assert zwgk(capsys, led, "progress", str(tid), "--quarter", "2023Q3", "【区发改局】办公室写的。")[0] == 0
    # The reply file is saved after the clerk's edit: its save time must not matter.
    reply = fill_reply(tmp_path / FILL_IN, tmp_path / "报送.xlsx", {
        "3": {"进展情况": "三号任务进展。", "完成状态": "已完成", "完成时间": "2023-09-28"}})
    code, out, _ = zwgk(capsys, led, "merge", str(reply), "--apply")
    lines = out.splitlines()
    assert code == 0 and "冲突 2 处(加 --apply --force 才会写入):" in lines
    at = lines.index("冲突 2 处(加 --apply --force 才会写入):")
    assert lines[at + 2:at + 6] == [
        "      冲突:下发后台账中的完成状态已改变(下发时“未启动”,现在“推进中”)",
        "        下发时:未启动", "        台账现在:推进中", "        报送表:已完成(2023-09-28)"]
    assert lines[at + 8:at + 11] == ["        下发时:(空)", "        台账现在:办公室写的。", "        报送表:三号任务进展。"]
    assert "没有写入任何修改。" in lines
    assert tasks(led, capsys)[3]["status"] == "推进中"
    code, out, _ = zwgk(capsys, led, "merge", str(reply), "--apply", "--force")  # the clerk's choice
    assert "已写入 2 处修改(涉及 1 项任务),可用 zwgk log 查看操作记录。" in out
    assert tasks(led, capsys)[3]["status"] == "已完成"


def edit_keys(path: Path, out: Path, **meta: str) -> Path:
    book = openpyxl.load_workbook(path)
    keys = book["zwgk_keys"]
    for row in keys.iter_rows():
        if row[0].value in meta:
            row[1].value = meta[row[0].value]
    book.save(out)
    return out


def test_merge_refuses_what_a_reply_has_no_business_changing(led: Path, tmp_path: Path, capsys) -> None:
    zwgk(capsys, led, "fill-in", "--unit", "区发改局", "--quarter", "2023Q3", "-o", str(tmp_path / FILL_IN))
    before = tasks(led, capsys)
    other = next(t for t in before.values() if not any(u["name"] == "区发改局" for u in t["units"]))
    # A key changed to point at another unit's task.
    book = openpyxl.load_workbook(tmp_path / FILL_IN)
    sheet = book["任务填报"]
    cols = {c.value: c.column for c in sheet[3]}
    key_cell = sheet.cell(row=4, column=cols["系统编码(请勿修改)"])
    key_cell.value = f"zwgk:{key_cell.value.split(':')[1]}:{other['id']}"
    sheet.cell(row=4, column=cols["任务内容"]).value = other["requirement"]
    sheet.cell(row=4, column=cols["进展情况"]).value = "写到别人的任务上。"
    book.save(tmp_path / "改编码.xlsx")
    # The key sheet edited to another quarter.
    moved = fill_reply(edit_keys(tmp_path / FILL_IN, tmp_path / "k.xlsx", 季度="2030Q4"), tmp_path / "改季度.xlsx",
                       {"5": {"进展情况": "2030 年的进展。"}})
    code, out, _ = zwgk(capsys, led, "merge", str(tmp_path / "改编码.xlsx"), str(moved), "--apply", "--force")
    assert code == 0
    lines = out.splitlines()
    refused = lines[lines.index("拒绝汇总 2 处(不会写入台账):") + 1:][:2]
    assert refused[0].startswith("  改编码.xlsx 第 4 行“") and refused[0].endswith(
        f"”:序号 {other['seq']} 不是“区发改局”的任务(下发给该单位的填报表中没有这一项),未汇总")
    assert refused[1].startswith("  改季度.xlsx“全部 9 行”:表中注明的季度“2030年第四季度”与下发记录不符")
    assert tasks(led, capsys) == before


def test_merge_undo(led: Path, tmp_path: Path, capsys) -> None:
    zwgk(capsys, led, "fill-in", "--unit", "区发改局", "--quarter", "2023Q3", "-o", str(tmp_path / FILL_IN))
    before = tasks(led, capsys)
    reply = fill_reply(tmp_path / FILL_IN, tmp_path / "报送.xlsx", {
        "3": {"进展情况": "三号任务进展。", "完成状态": "已完成", "完成时间": "2023-09-28", "佐证材料说明": "见网站"},
        "12": {"进展情况": "十二号。"}})
    code, out, _ = zwgk(capsys, led, "merge", str(reply), "--apply")
    assert out.splitlines()[-1] == "汇总编号 1;如需撤销:zwgk merge --undo 1"
    assert tasks(led, capsys) != before
    code, out, _ = zwgk(capsys, led, "merge", "--undo")
    lines = out.splitlines()
    assert (code, lines[0]) == (0, "已撤销汇总 1(报送.xlsx):恢复 4 处。")
    assert tasks(led, capsys) == before
    code, _, err = zwgk(capsys, led, "merge", "--undo")
    assert (code, err) == (2, "没有可以撤销的汇总:台账中没有写入过报送表,或都已撤销。\n")
    code, _, err = zwgk(capsys, led, "merge", "--undo", "1")
    assert code == 2 and err == "汇总 1(报送.xlsx)已经撤销过了。\n"

    # Edited since the merge: listed and kept, unless --force.
    zwgk(capsys, led, "merge", str(reply), "--apply")
    tid = before[12]["id"]
    zwgk(capsys, led, "progress", str(tid), "--quarter", "2023Q3", "办公室改过的。")
    code, out, _ = zwgk(capsys, led, "merge", "--undo")
    lines = out.splitlines()
    assert lines[0] == "已撤销汇总 2(报送.xlsx):恢复 3 处。"
    assert lines[-3:] == ["有 1 处在汇总后又被修改过,保持现状未恢复:",
                          f"  序号 12“{before[12]['requirement'][:19]}…” 2023年第三季度进展:汇总后又被修改,现在是“办公室改过的。”",
                          "核对后如确需恢复为汇总前的内容,请执行:zwgk merge --undo 2 --force"]
    assert [p["text"] for p in tasks(led, capsys)[12]["progress"]] == ["办公室改过的。"]
    code, out, _ = zwgk(capsys, led, "merge", "--undo", "2", "--force")
    assert out.splitlines()[0] == "已撤销汇总 2(报送.xlsx):恢复 1 处。"
    # Task 12 is shared: what the merge wrote was 区发改局's part, and that part is taken
    # out; the clerk's own later words are not the merge's to take back.
    after = tasks(led, capsys)
    assert [p["text"] for p in after[12]["progress"]] == ["办公室改过的。"]
    after[12]["progress"] = before[12]["progress"]
    assert after == before
    code, _, err = zwgk(capsys, led, "merge")
    assert code == 2 and err.startswith("请写出要汇总的报送表文件")


def test_fill_in_with_control_characters_in_unit_names(led: Path, tmp_path: Path, capsys) -> None:
    """A unit name with \\x1b neither crashes `fill-in` nor stops `--all` half way."""
    assert zwgk(capsys, led, "units", "add-member", "各镇(街道)", "城关\x1b镇")[0] == 0
    assert zwgk(capsys, led, "units", "add-member", "各镇(街道)", "喻屯镇\u202e")[0] == 0
    out = tmp_path / "下发"
    out.mkdir()
    (out / "区财政局-2023年第三季度填报表.xlsx").mkdir()  # cannot be written: one unit fails
    code, stdout, err = zwgk(capsys, led, "fill-in", "--all", "--quarter", "2023Q3", "-o", str(out))
    lines = stdout.splitlines()
    assert (code, err) == (0, "")
    assert "提示:城关镇:单位名称中有看不见的控制字符,文件名和表中已去掉这些字符;建议在单位名录中改正名称。" in lines
    at = lines.index("未生成 1 份:")
    assert lines[at + 1].startswith("  区财政局:无法写入“")
    assert lines[-1] == f"已生成 38 份2023年第三季度填报表,保存在 {out}"  # 37 + 2 members - 区财政局
    names = {p.name for p in out.glob("*.xlsx") if p.is_file()}
    assert {"城关镇-2023年第三季度填报表.xlsx", "喻屯镇-2023年第三季度填报表.xlsx"} <= names
    book = openpyxl.load_workbook(out / "城关镇-2023年第三季度填报表.xlsx")
    assert book["任务填报"]["A2"].value == "填报单位:城关镇    填报季度:2023年第三季度"
    code, stdout, _ = zwgk(capsys, led, "fill-in", "--unit", "城关\x1b镇", "--quarter", "2023Q3", "-o",
                           str(tmp_path / "一份.xlsx"))
    assert code == 0 and stdout.startswith(f"已生成“城关镇”2023年第三季度填报表(37 项任务):{tmp_path / '一份.xlsx'}")
    # Its reply merges like any other: the record knows the unit by its stored name.
    reply = fill_reply(tmp_path / "一份.xlsx", tmp_path / "城关镇报送.xlsx", {"13": {"完成状态": "推进中"}})
    code, stdout, _ = zwgk(capsys, led, "merge", str(reply))
    assert code == 0 and "修改 1 处:" in stdout and "拒绝汇总" not in stdout


def test_fill_in_names_groups_without_members_and_writes_none_for_them(capsys, tmp_path) -> None:
    """各镇(街道) with no towns listed gets no workbook: --all says which groups and what
    to add; asking for the group alone is refused with the same words (exit 2)."""
    from tests.builders import parsed_plan, run_cli
    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.plan_import import write_plan

    folder = tmp_path / "ledger"
    with Ledger.open(folder) as ledger:
        write_plan(ledger, parsed_plan([
            (["一、公开"], "公开预算。", "县财政局", "6月底前"),
            (["一、公开"], "更新公开栏。", "各镇(街道)", "12月底前"),
        ]), "sha-groups")
    code, out, err = run_cli(capsys, "--ledger", str(folder), "fill-in", "--all", "-o", str(tmp_path / "下发"))
    assert code == 0
    written = [p.name for p in (tmp_path / "下发").iterdir()]
    assert len(written) == 1 and written[0].startswith("县财政局")  # none for the group
    assert "县财政局" in out and "“各镇(街道)”是群组,请在 单位名录 中添加其成员单位后再下发" in out
    code, out, err = run_cli(capsys, "--ledger", str(folder), "fill-in", "--unit", "各镇(街道)",
                             "-o", str(tmp_path / "镇.xlsx"))
    assert code == 2 and "是群组,请在 单位名录 中添加其成员单位" in err
    assert not (tmp_path / "镇.xlsx").exists()


def test_merge_preview_names_a_value_not_listed_when_issued_once(capsys) -> None:
    """The issue record had no such column: the line says so instead of «下发时:(下发时未列)»."""
    from datetime import datetime

    from zwgk_desktop.cli.exchange import _print_change
    from zwgk_desktop.core.exchange.changes import Change, ChangeField
    from zwgk_desktop.core.exchange.merge import NOT_LISTED_WHEN_ISSUED
    from zwgk_desktop.core.quarters import Quarter

    change = Change(task_id=1, seq=4, task_text="公开规划", field=ChangeField.EVIDENCE, old="旧说明", new="新说明",
                    quarter=Quarter(2023, 3), source="报送.xlsx", unit="区发改局", row=4,
                    saved_at=datetime(2023, 9, 28), conflict="下发后台账中的说明已改变", issued=NOT_LISTED_WHEN_ISSUED)
    _print_change(change)
    lines = capsys.readouterr().out.splitlines()
    assert "        下发时:(未列在下发的填报表中)" in lines
    assert not any("下发时未列" in line for line in lines)
