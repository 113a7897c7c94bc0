"""An adversary at the command line of the clerk in the middle: every refusal of
`zwgk import --revises`, `derive`, `rollup`, `unit-map`, `rollover` and `carryover`
exits 2 with plain Chinese that says what to do, and leaves the ledger exactly as it
was; revised tables with another sheet name and an extra column; a revision after
replies were merged; a revision while the window writes beside it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.builders import dump, run_cli
from zwgk_desktop.cli import main
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.quarters import Quarter

CITY_TITLE = "2023年某市政务公开工作任务分解表"
HEADER = ["工作任务", "具体要求", "责任单位", "完成时限"]
CITY = [
    ["一、推进决策公开", "公开决策事项目录。", "各县区政府、市发改委", "6月底前"],
    ["一、推进决策公开", "规范政府网站。", "各县区政府", "12月底前"],
    ["二、夯实基础", "市级自办。", "市财政局", "12月底前"],
    ["二、夯实基础", "加强政务新媒体管理。", "各县区政府、市委网信办", "长期坚持"],
]
#: The city withdraws 规范政府网站 (its county task stays) and rewords 市级自办.
REVISED = [CITY[0], ["二、夯实基础", "市级部门自办事项。", "市财政局", "12月底前"], CITY[3]]
FACTS = ["--local-name", "某某县", "--lead-office", "县政府办公室"]


def write_table(path: Path, rows, title: str = CITY_TITLE, header=HEADER, sheet: str = "任务") -> Path:
    book = openpyxl.Workbook()
    book.active.title = sheet
    book.active.append([title])
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def write_rows(path: Path, rows) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def ok(*argv: str) -> None:
    assert main(list(argv)) == 0, argv


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A city plan (1) with its county plan (2), rolled over to 2024, and the 2024
    plan (3); beside it the files the refusals are tried with."""
    root = tmp_path_factory.mktemp("base")
    files = root / "files"
    files.mkdir()
    led = str(root / "台账")
    write_table(files / "city.xlsx", CITY)
    write_table(files / "revised.xlsx", REVISED)
    write_table(files / "year2022.xlsx", CITY, title="2022年某市政务公开工作任务分解表")
    write_table(files / "unrelated.xlsx", [["一、其他", f"完全不同的第{n}项工作内容安排。", "市统计局", "9月底前"]
                                           for n in range(1, 6)])
    write_table(files / "plan2024.xlsx", [["一、推进决策公开", "持续加强政务新媒体管理。", "县委网信办", "长期坚持"]],
                title="2024年某县政务公开工作任务分解表")
    (files / "garbage.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook" * 20)
    write_rows(files / "nomap.xlsx", [["单位", "名称"], ["市发改委", "县发改局"]])
    write_rows(files / "emptymap.xlsx", [["上级单位", "本级单位"], ["市发改委", ""]])
    write_table(files / "empty_add.xlsx", [])
    (files / "a_file.txt").write_text("x", encoding="utf-8")
    (files / "full").mkdir()
    (files / "full" / "something.txt").write_text("x", encoding="utf-8")
    ok("init", led)
    ok("--ledger", led, "import", str(files / "city.xlsx"))
    ok("--ledger", led, "derive", "1", *FACTS)
    ok("--ledger", led, "rollover", "1", "--to", "2024")
    ok("--ledger", led, "import", str(files / "plan2024.xlsx"))
    with Ledger.open(led) as ledger:
        assert [p.id for p in ledger.plans()] and ledger.plan(2).title.startswith("2023年某某县")
        assert ledger.db.execute("SELECT COUNT(*) FROM carryover").fetchone()[0] == 1
    return root


@pytest.fixture
def copy(base: Path, tmp_path: Path) -> Path:
    shutil.copytree(base, tmp_path / "c")
    return tmp_path / "c"


def ledger_dump(folder: Path) -> str:
    with Ledger.open(folder, create=False) as ledger:
        return dump(ledger)


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if not p.name.endswith(("-wal", "-shm")))


REFUSALS = [
    # revised tables
    (["import", "{F}/revised.xlsx", "--revises", "9"], "分解表"),
    (["import", "{F}/revised.xlsx", "--apply"], "--revises"),
    (["import", "{F}/revised.xlsx", "--revises", "1", "--replace"], "不能同时使用"),
    (["import", "{F}/revised.xlsx", "--revises", "1", "--dry-run", "--apply"], "不能同时使用"),
    (["import", "{F}/revised.xlsx", "--revises", "1", "--apply", "--pair", "abc"], "原序号=新序号"),
    (["import", "{F}/revised.xlsx", "--revises", "1", "--apply", "--pair", "9=2"], "没有序号为 9 的任务"),
    (["import", "{F}/revised.xlsx", "--revises", "1", "--apply", "--pair", "3=9"], "没有序号为 9 的任务"),
    (["import", "{F}/revised.xlsx", "--revises", "1", "--apply", "--pair", "1=2"], "已与新表中的任务对应上了"),
    (["import", "{F}/revised.xlsx", "--revises", "1", "--apply", "--pair", "2=2", "--pair", "2=1"],
     "对应上了"),
    (["import", "{F}/year2022.xlsx", "--revises", "1", "--apply"], "2022 年"),
    (["import", "{F}/unrelated.xlsx", "--revises", "1", "--apply", "--force"], "几乎没有相同的任务"),
    (["import", "{F}/city.xlsx", "--revises", "1", "--apply"], "不需要再修订"),
    (["import", "{F}/garbage.xlsx", "--revises", "1", "--apply"], "garbage.xlsx"),
    (["import", "{F}/plan2024.xlsx", "--revises", "1"], "是分解表 3"),
    # derive
    (["derive", "9", *FACTS], "分解表"),
    (["derive", "1", *FACTS], "本级分解表是分解表 2"),
    (["derive", "1", "--map", "{F}/nomap.xlsx", *FACTS], "上级单位"),
    (["derive", "1", "--map", "{F}/emptymap.xlsx", *FACTS], "没有任何一对单位"),
    (["derive", "1", "--tasks", "9", *FACTS], "没有序号 9"),
    (["derive", "1", "--tasks", "x", *FACTS], "3,5,8-10"),
    (["derive", "1", "-o", "{F}/本级.pdf", *FACTS], ".xlsx"),
    (["derive", "1", "--add", "{F}/empty_add.xlsx", *FACTS], "empty_add.xlsx"),
    # rollup
    (["rollup", "1", "--quarter", "2023Q5"], "季度"),
    (["rollup", "1", "--quarter", "2023Q3", "--keep-own", "1"], "--apply"),
    (["rollup", "2", "--quarter", "2023Q3"], "zwgk rollup 1 --quarter"),
    (["rollup", "3", "--quarter", "2024Q3"], "还没有生成本级分解表"),
    (["rollup", "1", "--quarter", "2024Q1"], "2023"),
    (["rollup", "1", "--quarter", "2023Q3", "--apply", "--keep-own", "3"], "序号 3 不是本次汇总"),
    (["rollup", "1", "--quarter", "2023Q3", "--apply", "--keep-own", "1", "--use-rollup", "1"], "只选一种"),
    (["rollup", "9", "--quarter", "2023Q3"], "分解表"),
    # unit-map
    (["unit-map", "--remove", "市不存在局"], "没有“市不存在局”的单位对应"),
    (["unit-map", "--import", "{F}/nomap.xlsx"], "上级单位"),
    (["unit-map", "--import", "{F}/garbage.xlsx"], "garbage.xlsx"),
    # rollover
    (["rollover", "9", "--to", "2024"], "分解表"),
    (["rollover", "1", "--to", "2023"], "之后的年份"),
    (["rollover", "1", "--to", "2099"], "写错了"),
    (["rollover", "1", "--to", "二〇二四"], "年"),
    (["rollover", "1", "--to", "2024"], "--again"),
    (["rollover", "1", "--to", "2025", "--into", "{L}"], "就是现在的台账"),
    (["rollover", "1", "--to", "2025", "--into", "{L}/2025"], "在现在的台账文件夹里面"),
    (["rollover", "1", "--to", "2025", "--into", "{L}/2025", "--dry-run"], "在现在的台账文件夹里面"),
    (["rollover", "1", "--to", "2025", "--into", "{F}/a_file.txt"], "是一个文件"),
    (["rollover", "1", "--to", "2025", "--into", "{F}/full"], "其他文件"),
    (["rollover", "1", "--to", "2025", "--into", "{F}/no/such/folder"], "找不到文件夹"),
    # carryover
    (["carryover", "--apply"], "--match"),
    (["carryover", "--match", "3", "--year", "2024"], "去掉其中一个"),
    (["carryover", "--pair", "x=1"], "结转事项编号=任务编号"),
    (["carryover", "--pair", "1=4", "--pair", "1=5"], "写了两次"),
    (["carryover", "--pair", "9=4"], "没有编号为 9 的结转事项"),
    (["carryover", "--pair", "1=1"], "2023 年"),
    (["carryover", "--pair", "1=999"], "没有编号为 999 的任务"),
    (["carryover", "--match", "1", "--apply"], "没有结转到 2023 年的事项"),
]


@pytest.mark.parametrize("argv,words", REFUSALS, ids=[" ".join(a[:2]) + f"#{n}" for n, (a, _) in
                                                      enumerate(REFUSALS)])
def test_every_refusal_exits_2_says_what_to_do_and_leaves_the_ledger_as_it_was(
        copy: Path, capsys, argv: list[str], words: str | None) -> None:
    led = copy / "台账"
    args = [a.replace("{F}", str(copy / "files")).replace("{L}", str(led)) for a in argv]
    before, files = ledger_dump(led), _listing(led)
    code, out, err = run_cli(capsys, "--ledger", str(led), *args)
    assert code == 2, (out, err)
    if words is not None:
        assert words in err, err
    first = err.strip().splitlines()[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in first), err
    assert "Traceback" not in err and "Error" not in err.replace("UserError", "")
    assert any(word in err for word in ("请", "处理办法", "加 ", "可用", "去掉", "选择", "不能", "例如", "不需要")), err
    assert ledger_dump(led) == before
    assert _listing(led) == files, "a refusal left files behind in the ledger folder"


# -- revised tables -------------------------------------------------------------------------------


def test_a_revised_table_with_another_sheet_and_an_extra_column(copy: Path, capsys, tmp_path: Path) -> None:
    led = copy / "台账"
    rows = [r + [f"备注{n}"] for n, r in enumerate(REVISED, start=1)]
    path = write_table(tmp_path / "修订版.xlsx", rows, header=HEADER + ["备注"], sheet="修订后任务表")
    code, out, err = run_cli(capsys, "--ledger", str(led), "import", str(path), "--revises", "1", "--apply")
    assert code == 0, err
    assert "工作表“修订后任务表”" in out
    out_file = tmp_path / "落实情况.xlsx"
    code, _, err = run_cli(capsys, "--ledger", str(led), "export", "--plan", "1", "--format", "xlsx",
                           "--quarter", "2023Q3", "-o", str(out_file))
    assert code == 0, err
    sheet = openpyxl.load_workbook(out_file).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in values if "具体要求" in r)
    assert "备注" in header
    body = [r for r in values if r[header.index("具体要求")] in ("公开决策事项目录。", "市级部门自办事项。")]
    assert [r[header.index("备注")] for r in body] == ["备注1", "备注2"]
    # The revision was applied today, long after 2023Q3 ended: the Q3 export says what Q3's
    # report says, so the task withdrawn since (规范政府网站) is still listed, as it stood then.
    withdrawn = [r for r in values if r[header.index("具体要求")] == "规范政府网站。"]
    assert len(withdrawn) == 1 and "已取消" not in withdrawn[0]
    from zwgk_desktop.core.ledger import Ledger
    from zwgk_desktop.core.quarters import Quarter
    from zwgk_desktop.core.report_data import build_report

    with Ledger.open(led, create=False) as ledger:
        report = build_report(ledger, 1, Quarter(2023, 3))
    assert "规范政府网站。" in {row.requirement for row in report.rows}


def _fill_reply(fill_in: Path, reply: Path, note: str) -> Path:
    book = openpyxl.load_workbook(fill_in)
    sheet = book["任务填报"]
    cols = {c.value: c.column for c in sheet[3]}
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row=row, column=cols["进展情况"]).value in (None, ""):
            sheet.cell(row=row, column=cols["进展情况"]).value = note
    book.save(reply)
    return reply


def test_a_revision_after_replies_were_merged_keeps_the_merged_notes(copy: Path, capsys, tmp_path: Path) -> None:
    led = copy / "台账"
    z = lambda *a: run_cli(capsys, "--ledger", str(led), *a)  # noqa: E731
    code, _, err = z("fill-in", "--plan", "1", "--unit", "市发改委", "--quarter", "2023Q3",
                     "-o", str(tmp_path / "填报.xlsx"))
    assert code == 0, err
    reply = _fill_reply(tmp_path / "填报.xlsx", tmp_path / "报送.xlsx", "市发改委已公开目录。")
    code, out, err = z("merge", str(reply), "--plan", "1", "--apply")
    assert code == 0, err
    code, _, err = z("import", str(copy / "files" / "revised.xlsx"), "--revises", "1", "--apply")
    assert code == 0, err
    with Ledger.open(led) as ledger:
        first = next(t for t in ledger.tasks(1) if t.requirement == "公开决策事项目录。")
        assert [p.text for p in first.progress] == ["【市发改委】市发改委已公开目录。"]
    # The merge can still be undone after the revision: the note goes, the revision stays.
    code, out, err = z("merge", "--undo")
    assert code == 0, err
    with Ledger.open(led) as ledger:
        first = next(t for t in ledger.tasks(1) if t.requirement == "公开决策事项目录。")
        assert first.progress == [] or [p.text for p in first.progress] == [""]
        assert ledger.task(next(t.id for t in ledger.tasks(1) if t.seq == 2)).requirement == "市级部门自办事项。"


def test_a_fill_in_issued_before_the_revision_merges_after_it(copy: Path, capsys, tmp_path: Path) -> None:
    led = copy / "台账"
    z = lambda *a: run_cli(capsys, "--ledger", str(led), *a)  # noqa: E731
    code, _, err = z("fill-in", "--plan", "1", "--unit", "市发改委", "--quarter", "2023Q3",
                     "-o", str(tmp_path / "填报.xlsx"))
    assert code == 0, err
    reply = _fill_reply(tmp_path / "填报.xlsx", tmp_path / "报送.xlsx", "市发改委已公开目录。")
    code, _, err = z("import", str(copy / "files" / "revised.xlsx"), "--revises", "1", "--apply")
    assert code == 0, err
    code, out, err = z("merge", str(reply), "--plan", "1", "--apply")
    assert code == 0, (out, err)
    with Ledger.open(led) as ledger:
        first = next(t for t in ledger.tasks(1) if t.requirement == "公开决策事项目录。")
        assert [p.text for p in first.progress] == ["【市发改委】市发改委已公开目录。"]


def test_a_revision_from_zwgk_while_the_window_writes_beside_it(copy: Path, tmp_path: Path) -> None:
    """The window holds the ledger open and keeps writing notes; zwgk applies a
    revision in another process. Both land, neither loses the other's work."""
    led = copy / "台账"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    window = Ledger.open(led)
    try:
        task = next(t for t in window.tasks(1) if t.seq == 1)
        window.set_progress(task.id, Quarter(2023, 3), "窗口写的第一句。")
        done = subprocess.run([sys.executable, "-m", "zwgk_desktop.cli", "--ledger", str(led), "import",
                               str(copy / "files" / "revised.xlsx"), "--revises", "1", "--apply"],
                              capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        window.set_progress(task.id, Quarter(2023, 3), "窗口写的第二句。", expected="窗口写的第一句。")
        tasks = {t.seq: t for t in window.tasks(1)}
        assert tasks[2].requirement == "市级部门自办事项。"
        assert next(t for t in tasks.values() if t.requirement == "规范政府网站。").status == Status.CANCELLED
        done = subprocess.run([sys.executable, "-m", "zwgk_desktop.cli", "--ledger", str(led), "export",
                               "--plan", "1", "--format", "json"],
                              capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
        data = json.loads(done.stdout)
        first = next(t for t in data["tasks"] if t["id"] == task.id)
        assert [p["text"] for p in first["progress"]] == ["窗口写的第二句。"]
    finally:
        window.close()


# -- derive, roll-up and rollover at the command line ---------------------------------------------------


def test_a_rollup_after_the_city_withdrew_a_task_says_nothing_about_it(copy: Path, capsys) -> None:
    led = copy / "台账"
    with Ledger.open(led) as ledger:
        county = {t.seq: t.id for t in ledger.tasks(2)}
        for tid in county.values():
            ledger.set_status(tid, Status.IN_PROGRESS, None)
    code, _, err = run_cli(capsys, "--ledger", str(led), "import", str(copy / "files" / "revised.xlsx"),
                           "--revises", "1", "--apply")
    assert code == 0, err
    code, out, err = run_cli(capsys, "--ledger", str(led), "rollup", "1", "--quarter", "2023Q3", "--apply")
    assert code == 0, err
    with Ledger.open(led) as ledger:
        withdrawn = [t for t in ledger.tasks(1) if t.status == Status.CANCELLED]
        assert [t.requirement for t in withdrawn] == ["规范政府网站。"]


def test_the_revision_preview_names_county_tasks_of_withdrawn_city_tasks(copy: Path, capsys) -> None:
    led = copy / "台账"
    code, out, err = run_cli(capsys, "--ledger", str(led), "import", str(copy / "files" / "revised.xlsx"),
                             "--revises", "1")
    assert code == 0, err
    assert "提示:本级分解表《2023年某某县政务公开工作任务分解表》中序号 2 的任务由将取消的原序号 2 生成" in out


def test_rollover_into_a_link_to_the_ledger_is_refused(copy: Path, capsys) -> None:
    led = copy / "台账"
    os.symlink(led, copy / "link")
    before = ledger_dump(led)
    code, _, err = run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2025",
                           "--into", str(copy / "link" / "2025"))
    assert code == 2 and "在现在的台账文件夹里面" in err
    assert ledger_dump(led) == before and not (led / "2025").exists()
