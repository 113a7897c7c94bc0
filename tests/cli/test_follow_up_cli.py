"""`zwgk overdue` and `zwgk remind` as a clerk and scripts use them: counts per unit, the
催办单 written and recorded (shown in `zwgk tasks` and the JSON export), bad input exit 2
with the ledger unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import dump
from tests.core.test_follow_up import make_plan
from zwgk_desktop.cli import build_parser
from zwgk_desktop.core.ledger import Ledger
from tests.builders import run_cli

ON = ["--on", "2023-09-20"]


run = run_cli


@pytest.fixture
def led(tmp_path: Path) -> Path:
    folder = tmp_path / "台账"
    with Ledger.open(folder) as ledger:
        make_plan(ledger)
    return folder


def test_overdue_counts_per_unit(capsys, led) -> None:
    code, out, err = run(capsys, "--ledger", str(led), "overdue", *ON)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split("\t") == ["单位", "颜色", "已逾期", "即将到期", "本季度无进展", "本季度无佐证材料", "任务数"]
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in lines[1:]}
    assert rows["县政府办"] == ["红色(有逾期)", "1", "1", "3", "3", "3"]
    assert rows["县融媒体中心"] == ["黄色(缺进展或材料)", "0", "0", "1", "1", "1"]
    assert lines[1].startswith(("县政府办", "县司法局"))
    assert "个单位有需要催办的任务" in err


def test_overdue_one_unit_lists_its_tasks(capsys, led) -> None:
    code, out, _ = run(capsys, "--ledger", str(led), "overdue", "--unit", "县政府办", "--days", "5", *ON)
    assert code == 0
    assert "已逾期 82 天、本季度无进展、本季度无佐证材料" in out
    assert "9月30日到期" not in out  # not within 5 days
    assert "公开重大行政决策事项目录" in out


@pytest.mark.parametrize("argv,message", [
    (["overdue", "--unit", "县统计局"], "台账中没有单位“县统计局”"),
    (["overdue", "--days", "-3"], "命令参数有误"),
    (["remind", "--unit", "县统计局", "-o", "x.pdf"], "台账中没有单位“县统计局”"),
    (["remind", "-o", "x.pdf"], "命令参数有误"),
    (["remind", "--unit", "县政府办", "--all", "-o", "x.pdf"], "命令参数有误"),
    (["remind", "--unit", "县政府办", "-o", "x.pdf", "--reply-by", "2023-09-01", *ON], "回复期限"),
])
def test_bad_input_exit_2_ledger_unchanged(capsys, led, tmp_path, monkeypatch, argv, message) -> None:
    monkeypatch.chdir(tmp_path)
    before = dump(led)
    code, _, err = run(capsys, "--ledger", str(led), *argv)
    assert code == 2 and message in err
    assert dump(led) == before
    assert not (tmp_path / "x.pdf").exists()


def test_remind_one_unit_writes_records_and_shows_on_tasks(capsys, led, tmp_path) -> None:
    out_pdf = tmp_path / "催办单.pdf"
    code, out, err = run(capsys, "--ledger", str(led), "remind", "--unit", "县政府办", "-o", str(out_pdf),
                         "--office", "县政府办公室", "--reply-by", "2023-09-27", *ON)
    assert code == 0, err
    assert out_pdf.read_bytes().startswith(b"%PDF")
    assert "已记入台账" in err
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out_pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert "督办通知" in text and "县政府办公室" in text
    code, out, _ = run(capsys, "--ledger", str(led), "export", "--format", "json")
    tasks = json.loads(out)["tasks"]
    urged = [t for t in tasks if t["follow_ups"]]
    assert [t["seq"] for t in urged] == [1, 2, 4]
    assert urged[0]["follow_ups"][0]["unit"] == "县政府办"
    assert urged[0]["follow_ups"][0]["reply_by"] == "2023-09-27"
    assert all(t["follow_ups"] == [] for t in tasks if t["seq"] not in (1, 2, 4))
    code, out, _ = run(capsys, "--ledger", str(led), "tasks")
    lines = out.strip().splitlines()
    assert lines[0].endswith("\t催办")
    assert lines[1].split("\t")[-1].startswith("1 次,最近 ")
    assert lines[3].split("\t")[-1] == ""
    code, out, _ = run(capsys, "--ledger", str(led), "log")
    assert "发出催办单" in out


def test_remind_all_into_a_folder_and_one_file(capsys, led, tmp_path) -> None:
    folder = tmp_path / "催办"
    code, _, err = run(capsys, "--ledger", str(led), "remind", "--all", "-o", str(folder), *ON)
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert "催办单-县政府办.pdf" in names and "催办单-县融媒体中心.pdf" in names
    assert not any(n.endswith(".part") for n in names)
    with Ledger.open(led) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM follow_ups").fetchone()[0] == len(names)
        assert ledger.db.execute("SELECT COUNT(*) FROM audit WHERE action = '发出催办单'").fetchone()[0] == 1
    one = tmp_path / "全部.pdf"
    code, _, err = run(capsys, "--ledger", str(led), "remind", "--all", "-o", str(one), "--no-record", *ON)
    assert code == 0 and one.exists() and "已记入台账" not in err
    with Ledger.open(led) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM follow_ups").fetchone()[0] == len(names)


def test_remind_moves_a_weekend_reply_day_to_monday(capsys, led, tmp_path) -> None:
    """From Tuesday 2023-09-19, five days later is Sunday: the default is the Monday, as
    in the window (core.follow_up_summary.default_reply_by)."""
    out_pdf = tmp_path / "催办单.pdf"
    code, _, err = run(capsys, "--ledger", str(led), "remind", "--unit", "县政府办", "-o", str(out_pdf),
                       "--no-record", "--on", "2023-09-19")
    assert code == 0, err
    assert "回复期限 2023-09-25" in err  # not Sunday 2023-09-24


def test_remind_nothing_to_do_writes_nothing(capsys, led, tmp_path) -> None:
    with Ledger.open(led) as ledger:
        ids = ledger.task_ids(ledger.plans()[0].id)
        from zwgk_desktop.core.model import Status
        ledger.set_statuses(ids, Status.DONE)
    before = dump(led)
    code, _, err = run(capsys, "--ledger", str(led), "remind", "--unit", "县政府办", "-o", str(tmp_path / "x.pdf"), *ON)
    assert code == 0 and "没有需要催办的任务" in err
    assert not (tmp_path / "x.pdf").exists() and dump(led) == before


def test_commands_have_chinese_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("overdue", "remind"):
        assert name in sub.choices
        assert "督办" in sub.choices[name].description or "催办" in sub.choices[name].description


@pytest.fixture
def rec(tmp_path: Path) -> tuple[Path, list[int]]:
    from tests.core.test_recurrence import ROWS
    from zwgk_desktop.core.deadlines import parse_deadline
    from zwgk_desktop.core.model import ParsedPlan, ParsedTask
    from zwgk_desktop.core.plan_import import write_plan
    from zwgk_desktop.core.units import assign_roles

    folder = tmp_path / "定期"
    with Ledger.open(folder) as ledger:
        tasks = [ParsedTask(seq=i + 1, section=[], title=None, requirement=req, units_text=units,
                            units=assign_roles(units), deadline=parse_deadline(dl, 2023), source_row=i + 2)
                 for i, (req, units, dl) in enumerate(ROWS)]
        pid = write_plan(ledger, ParsedPlan(title="2023年测试表", year=2023, columns=[], mapping={}, tasks=tasks,
                                            sheet="Sheet1", source_name="t.xlsx"), "c" * 64).plan_id
        ids = ledger.task_ids(pid)
    return folder, ids


def test_status_for_a_period(capsys, rec) -> None:
    led, ids = rec
    code, out, err = run(capsys, "--ledger", str(led), "status", str(ids[0]), "已完成", "--period", "2023Q2",
                         "--on", "2023-06-28")
    assert code == 0, err
    assert "2023年第二季度" in out and "已完成" in out
    code, out, _ = run(capsys, "--ledger", str(led), "recurring", str(ids[0]), "--on", "2023-09-20")
    assert code == 0
    assert "每季度" in out
    lines = [line.split("\t") for line in out.strip().splitlines() if line.startswith("2023Q")]
    assert [line[0] for line in lines] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert lines[1][2] == "已完成" and lines[0][2] == "未登记(已过期)" and lines[2][2] == "未登记"
    # the task's own status did not change
    code, out, _ = run(capsys, "--ledger", str(led), "export", "--format", "json")
    task = json.loads(out)["tasks"][0]
    assert task["status"] == "未启动"
    assert task["recurrence"] == {"frequency": "quarterly", "label": "每季度", "source": "deadline", "phrase": "每季度"}
    assert task["periods"] == [{"period": "2023Q2", "status": "已完成", "status_date": "2023-06-28"}]


@pytest.mark.parametrize("args,message", [
    (["status", "{0}", "已完成", "--period", "2023-05"], "每季度"),
    (["status", "{2}", "已完成", "--period", "2023Q1"], "不是定期任务"),
    (["status", "{0}", "已完成", "--period", "2023Q9"], "无法识别的期次"),
    (["status", "{0}", "做完了", "--period", "2023Q1"], ""),
    (["recurring", "{0}", "每周二"], "无法识别的周期"),
])
def test_period_errors_exit_2_unchanged(capsys, rec, args, message) -> None:
    led, ids = rec
    before = dump(led)
    code, _, err = run(capsys, "--ledger", str(led), *[a.format(*ids) for a in args])
    assert code == 2 and message in err
    assert dump(led) == before


def test_mark_recurring_by_hand(capsys, rec) -> None:
    led, ids = rec
    code, out, err = run(capsys, "--ledger", str(led), "recurring", str(ids[2]), "每年")
    assert code == 0, err
    assert "已标记为每年" in out
    assert run(capsys, "--ledger", str(led), "status", str(ids[2]), "已完成", "--period", "2023")[0] == 0
    assert run(capsys, "--ledger", str(led), "recurring", str(ids[0]), "否")[0] == 0
    code, _, err = run(capsys, "--ledger", str(led), "status", str(ids[0]), "已完成", "--period", "2023Q1")
    assert code == 2 and "不是定期任务" in err
    assert run(capsys, "--ledger", str(led), "recurring", str(ids[0]), "自动")[0] == 0
    assert run(capsys, "--ledger", str(led), "status", str(ids[0]), "已完成", "--period", "2023Q1")[0] == 0
    code, out, _ = run(capsys, "--ledger", str(led), "log")
    assert out.count("设置定期任务") == 2 and "设置本期状态" in out


def test_overview_pdf(capsys, led, tmp_path) -> None:
    out_pdf = tmp_path / "一页纸概况.pdf"
    before = dump(led)
    code, _, err = run(capsys, "--ledger", str(led), "overview", "-o", str(out_pdf), *ON)
    assert code == 0, err
    assert out_pdf.read_bytes().startswith(b"%PDF") and "完成率" in err
    assert dump(led) == before  # reading only
    code, _, err = run(capsys, "--ledger", str(led), "overview", "-o", str(tmp_path / "无" / "x.pdf"), *ON)
    assert code == 2 and "不存在" in err


def test_remind_as_word(capsys, led, tmp_path) -> None:
    one = tmp_path / "催办单.docx"
    code, _, err = run(capsys, "--ledger", str(led), "remind", "--unit", "县政府办", "-o", str(one), *ON)
    assert code == 0, err
    assert one.read_bytes().startswith(b"PK")
    folder = tmp_path / "word"
    code, _, err = run(capsys, "--ledger", str(led), "remind", "--all", "-o", str(folder), "--format", "docx",
                       "--no-record", *ON)
    assert code == 0, err
    assert "催办单-县政府办.docx" in [p.name for p in folder.iterdir()]
    with Ledger.open(led) as ledger:
        assert ledger.db.execute("SELECT file_name FROM follow_ups").fetchall() == [("催办单.docx",)]


def test_remind_with_fill_in_beside(capsys, led, tmp_path) -> None:
    folder = tmp_path / "催办"
    folder.mkdir()
    code, _, err = run(capsys, "--ledger", str(led), "remind", "--unit", "县政府办", "-o",
                         str(folder / "催办单.pdf"), "--with-fill-in", *ON)
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["催办单.pdf", "县政府办-2023年第三季度填报表.xlsx"]
    with Ledger.open(led) as ledger:
        assert ledger.db.execute("SELECT unit, quarter FROM fill_in_issues").fetchall() == [("县政府办", "2023Q3")]


def test_remind_on_a_read_only_ledger_writes_the_file_and_says_it_was_not_recorded(capsys, led, tmp_path) -> None:
    from zwgk_desktop.core.ledger import LEDGER_FILE

    (led / LEDGER_FILE).chmod(0o444)
    try:
        out_pdf = tmp_path / "只读.pdf"
        code, _, err = run(capsys, "--ledger", str(led), "remind", "--unit", "县政府办", "-o", str(out_pdf), *ON)
        assert code == 0, err
        assert out_pdf.exists() and "没有记入台账" in err and "已记入台账" not in err
    finally:
        (led / LEDGER_FILE).chmod(0o644)


def test_overdue_names_the_period_of_a_recurring_task(capsys, rec) -> None:
    led, ids = rec
    assert run(capsys, "--ledger", str(led), "status", str(ids[0]), "已完成", "--period", "2023Q1")[0] == 0
    code, out, _ = run(capsys, "--ledger", str(led), "overdue", "--unit", "区财政局", *ON)
    assert code == 0
    assert "每季度(本期 2023Q2)\t2023-06-30\t已逾期 82 天" in out
