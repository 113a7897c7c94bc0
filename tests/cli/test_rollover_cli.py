"""`zwgk rollover` and `zwgk carryover` as a clerk uses them at the turn of the year:
last year untouched, one audited change per command, bad input exit 2 with the ledger
unchanged."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.builders import audit_count, dump, parsed_plan, run_cli
from tests.conftest import SAMPLES
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter

OLD_ROWS = [
    (["一、决策公开"], "公开重大行政决策事项目录。", "县司法局", "6月底前"),
    (["一、决策公开"], "持续推进政策解读工作,做好解读材料同步发布。", "县政府办", "12月底前"),
    (["二、平台建设"], "规范政府网站和政务新媒体管理。", "县大数据中心", "长期坚持"),
    (["二、平台建设"], "常态化开展政务公开培训。", "县政府办", "长期坚持"),
]
NEW_ROWS = [
    (["一、决策公开"], "公开2024年度重大行政决策事项目录。", "县司法局", "6月底前"),
    (["一、决策公开"], "持续推进政策解读,做好解读材料与文件同步发布。", "县政府办", "12月底前"),
    (["二、平台建设"], "规范政府网站、政务新媒体管理。", "县大数据中心", "长期坚持"),
]


def _rest(ledger: Ledger) -> str:
    """The ledger without the tables a same-ledger rollover or a match writes."""
    return "\n".join(statement for statement in ledger.db.conn.iterdump()
                     if not re.match(r'^INSERT INTO "(carryover|audit)"', statement))


@pytest.fixture
def led(tmp_path: Path) -> Path:
    folder = tmp_path / "台账"
    with Ledger.open(folder) as ledger:
        plan_id = write_plan(ledger, parsed_plan(OLD_ROWS), "sha-old").plan_id
        ids = ledger.task_ids(plan_id)
        ledger.set_status(ids[3], Status.DONE, date(2023, 11, 1))
        ledger.set_status(ids[2], Status.IN_PROGRESS, date(2023, 5, 1))
        ledger.set_progress(ids[2], Quarter(2023, 4), "新媒体账号已清理。")
    return folder


def _snapshot(folder: Path) -> tuple[str, int]:
    with Ledger.open(folder, create=False) as ledger:
        return dump(ledger), audit_count(ledger)


def _everything_else(folder: Path) -> str:
    with Ledger.open(folder, create=False) as ledger:
        return _rest(ledger)


def test_rollover_in_the_same_ledger(capsys, led: Path) -> None:
    before, audits = _snapshot(led)
    rest = _everything_else(led)
    code, out, err = run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024")
    assert code == 0, err
    rows = [line.split("\t") for line in out.strip().splitlines()[1:]]
    assert [(r[1], r[2]) for r in rows] == [("2", "未启动"), ("3", "推进中")]
    assert rows[1][5] == "新媒体账号已清理。"
    assert "2 项" in err and "2024" in err and "没有改动" in err
    after, audits_after = _snapshot(led)
    assert _everything_else(led) == rest and after != before and audits_after == audits + 1
    code, out, _ = run_cli(capsys, "--ledger", str(led), "carryover", "--year", "2024")
    assert code == 0 and "规范政府网站和政务新媒体管理" in out and "县大数据中心" in out


def test_a_second_rollover_needs_again(capsys, led: Path) -> None:
    assert run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024")[0] == 0
    before = _snapshot(led)
    code, _, err = run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024")
    assert code == 2 and "已经结转" in err and "--again" in err
    assert _snapshot(led) == before
    code, _, err = run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024", "--again")
    assert code == 0 and "替换了原来的 2 项" in err
    assert _snapshot(led)[1] == before[1] + 1


def test_dry_run_lists_and_writes_nothing(capsys, led: Path, tmp_path: Path) -> None:
    before = _snapshot(led)
    code, out, err = run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024", "--dry-run",
                             "--into", str(tmp_path / "新台账"))
    assert code == 0 and "预览" in err
    assert [line.split("\t")[1] for line in out.strip().splitlines()[1:]] == ["2", "3"]
    assert _snapshot(led) == before and not (tmp_path / "新台账").exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["rollover", "1", "--to", "2023"], "只能结转到之后的年份"),
    (["rollover", "1", "--to", "2022"], "只能结转到之后的年份"),
    (["rollover", "1", "--to", "二〇二四"], "命令参数有误"),
    (["rollover", "1"], "命令参数有误"),
    (["rollover", "9", "--to", "2024"], "没有编号为 9 的分解表"),
    (["rollover", "1", "--to", "2024", "--into", "{busy}"], "已经有其他文件"),
    (["rollover", "1", "--to", "2024", "--into", "{led}"], "就是现在的台账"),
    (["carryover", "--apply"], "--apply 要与 --match"),
    (["carryover", "--pair", "1-3"], "命令参数有误"),
    (["carryover", "--pair", "99=1"], "没有编号为 99 的结转事项"),
    (["carryover", "--match", "9"], "没有编号为 9 的分解表"),
])
def test_bad_input_is_refused_with_exit_2(capsys, led: Path, tmp_path: Path, argv: list[str], message: str) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "照片.jpg").write_bytes(b"x")
    argv = [a.format(busy=busy, led=led) for a in argv]
    before = _snapshot(led)
    code, _, err = run_cli(capsys, "--ledger", str(led), *argv)
    assert code == 2 and message in err, err
    assert _snapshot(led) == before
    assert [p.name for p in busy.iterdir()] == ["照片.jpg"]


def test_rollover_into_a_new_ledger_leaves_the_old_one_as_it_was(capsys, led: Path, tmp_path: Path) -> None:
    new = tmp_path / "2024年台账"
    before = _snapshot(led)
    code, out, err = run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024", "--into", str(new))
    assert code == 0, err
    assert _snapshot(led) == before
    assert "原台账没有改动" in err and str(new) in err
    assert "规范政府网站和政务新媒体管理" in out
    code, out, _ = run_cli(capsys, "--ledger", str(new), "carryover")
    rows = [line.split("\t") for line in out.strip().splitlines()[1:]]
    assert [(r[1], r[3], r[6]) for r in rows] == [("2024", "2", "未启动"), ("2024", "3", "推进中")]
    code, out, _ = run_cli(capsys, "--ledger", str(new), "units")
    assert code == 0 and "县大数据中心" in out


def _with_new_plan(led: Path) -> dict[int, int]:
    with Ledger.open(led, create=False) as ledger:
        plan_id = write_plan(ledger, parsed_plan(NEW_ROWS, year=2024, title="2024年某县政务公开工作任务分解表"),
                             "sha-new").plan_id
        assert plan_id == 2
        return {t.seq: t.id for t in ledger.tasks(plan_id)}


def test_matching_the_new_plan(capsys, led: Path) -> None:
    assert run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024")[0] == 0
    tasks = _with_new_plan(led)
    before, rest = _snapshot(led), _everything_else(led)
    code, out, err = run_cli(capsys, "--ledger", str(led), "carryover", "--match", "2")
    assert code == 0 and "预览" in err
    assert _snapshot(led) == before
    suggested = {line.split("\t")[1]: line.split("\t") for line in out.strip().splitlines()[1:]}
    assert suggested["2"][4] == "建议" and f"编号 {tasks[2]}" in suggested["2"][6]
    assert suggested["3"][4] == "建议" and f"编号 {tasks[3]}" in suggested["3"][6]
    code, _, err = run_cli(capsys, "--ledger", str(led), "carryover", "--match", "2", "--apply")
    assert code == 0 and "已记下 2 项对应" in err
    assert _everything_else(led) == rest and _snapshot(led)[1] == before[1] + 1
    code, out, _ = run_cli(capsys, "--ledger", str(led), "carryover")
    assert f"序号 2(编号 {tasks[2]})" in out and f"序号 3(编号 {tasks[3]})" in out
    # By hand: unlink one, link it elsewhere; a task of last year is refused.
    items = [line.split("\t")[0] for line in out.strip().splitlines()[1:]]
    code, _, err = run_cli(capsys, "--ledger", str(led), "carryover", "--pair", f"{items[0]}={tasks[1]}")
    assert code == 0 and "已记下 1 项" in err
    code, _, err = run_cli(capsys, "--ledger", str(led), "carryover", "--pair", f"{items[1]}=3")
    assert code == 2 and "2023" in err
    code, out, _ = run_cli(capsys, "--ledger", str(led), "carryover")
    assert f"序号 1(编号 {tasks[1]})" in out


def test_a_real_table_rolls_over(capsys, tmp_path: Path) -> None:
    led = tmp_path / "台账"
    assert run_cli(capsys, "init", str(led))[0] == 0
    assert run_cli(capsys, "--ledger", str(led), "import", str(SAMPLES / "rencheng_2023.xlsx"))[0] == 0
    before = _everything_else(led)
    code, out, err = run_cli(capsys, "--ledger", str(led), "rollover", "1", "--to", "2024")
    assert code == 0, err
    listed = out.strip().splitlines()[1:]
    assert listed and all(line.split("\t")[2] not in ("已完成", "不适用", "已取消") for line in listed)
    assert _everything_else(led) == before
