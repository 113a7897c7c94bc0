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

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "sample" / "sample_plan.xlsx"
FILL_IN = "区发改局-2023年第三季度填报表.xlsx"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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
    assert (code, stdout) == (0, f"已生成“区发改局”2023年第三季度填报表(7 项任务):{out}\n")
    assert openpyxl.load_workbook(out).sheetnames == ["填报说明", "任务填报", "zwgk_keys"]


def test_fill_in_all_and_group(led: Path, tmp_path: Path, capsys) -> None:
    code, stdout, _ = zwgk(capsys, led, "fill-in", "--all", "--quarter", "2023Q3", "-o", str(tmp_path / "全部"))
    assert code == 0
    lines = stdout.splitlines()
    assert lines[-1] == f"已生成 41 份2023年第三季度填报表,保存在 {tmp_path / '全部'}"
    assert len(list((tmp_path / "全部").glob("*.xlsx"))) == 41
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
    assert lines[1].startswith("  报送.xlsx(区发改局,2023年第三季度,保存于 ") and lines[1].endswith(",8 行)")
    assert lines[2] == "修改 3 处:"
    assert lines[3].startswith("  序号 3“") and lines[3].endswith("完成状态:未启动 → 已完成(2023-09-28)〔区发改局 第 4 行〕")
    assert lines[4].endswith("2023年第三季度进展:(空) → 三号任务进展。〔区发改局 第 4 行〕")
    assert lines[5].endswith("2023年第三季度进展:(空) → 五号任务进展。〔区发改局 第 5 行〕")
    assert lines[6:] == [
        "无法对应的行 1 行:",
        "  报送.xlsx 第 11 行“自己加的一行任务”:没有编码,任务内容在台账中找不到(可能被修改过)",
        "提示:",
        "  报送.xlsx 第 6 行:无法识别的完成状态“完成了”(应为未启动、推进中、已完成、不适用之一),该行的状态未汇总。",
        "以上为预览,台账未修改。确认无误后加 --apply 写入台账。"]
    assert dump(led) == before

    code, out, _ = zwgk(capsys, led, "merge", str(reply), "--apply", "--only", "5")
    assert out.splitlines()[-1] == "已写入 1 处修改(涉及 1 项任务),可用 zwgk log 查看操作记录。"
    now = tasks(led, capsys)
    assert [p["text"] for p in now[5]["progress"]] == ["五号任务进展。"] and now[3]["progress"] == []
    code, out, _ = zwgk(capsys, led, "merge", str(reply), "--apply")
    assert out.splitlines()[-1] == "已写入 2 处修改(涉及 1 项任务),可用 zwgk log 查看操作记录。"
    now = tasks(led, capsys)
    assert (now[3]["status"], now[3]["status_date"]) == ("已完成", "2023-09-28")
    code, out, _ = zwgk(capsys, led, "log", "--limit", "4")
    assert [line.split("\t")[2] for line in out.splitlines()] == ["汇总报送表", "填写进展", "设置状态", "汇总报送表"]


def test_merge_conflicts_need_force(led: Path, tmp_path: Path, capsys) -> None:
    zwgk(capsys, led, "fill-in", "--unit", "区发改局", "--quarter", "2023Q3", "-o", str(tmp_path / "a.xlsx"))
    zwgk(capsys, led, "fill-in", "--unit", "区财政局", "--quarter", "2023Q3", "-o", str(tmp_path / "b.xlsx"))
    a = fill_reply(tmp_path / "a.xlsx", tmp_path / "ra.xlsx", {"5": {"进展情况": "发改局说的。"}})
    b = fill_reply(tmp_path / "b.xlsx", tmp_path / "rb.xlsx", {"5": {"进展情况": "财政局说的。"}})
    code, out, _ = zwgk(capsys, led, "merge", str(a), str(b), "--apply")
    assert code == 0 and "冲突 2 处(加 --apply --force 才会写入):" in out
    assert out.splitlines()[-2:] == ["没有写入任何修改。", "未写入有冲突的修改 2 处;核对后可加 --force 写入。"]
    assert tasks(led, capsys)[5]["progress"] == []
    _, out, _ = zwgk(capsys, led, "merge", str(a), str(b), "--apply", "--force")
    assert "已写入 1 处修改(涉及 1 项任务)" in out and "有 1 处被更晚保存的报送表取代。" in out
    assert [p["text"] for p in tasks(led, capsys)[5]["progress"]] == ["财政局说的。"]  # saved last


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
    assert "区发改局\t7\t区政府各部门单位\t" in out.splitlines()
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
