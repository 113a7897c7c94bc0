"""`zwgk derive`, `zwgk rollup`, `zwgk unit-map`: the 任城 plan as a city's, derived back
to the district's units and written as its own 分解表; the district's answers rolled up
through the preview into the city's own layout (`zwgk export --format xlsx`). Bad
files and mismatched plans exit 2 in plain Chinese with the ledger unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.builders import dump_from_disk, run_cli
from tests.core.test_derive import LEAD, LOCAL, import_city_plan
from zwgk_desktop.cli import main
from zwgk_desktop.core import derive as V
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.quarters import Quarter

#: The district's own units the city's table names (no 市 counterpart), and the
#: one name that only looks like a city unit.
BY_HAND = ["运河经济开发区", "济宁市土地储备和规划事务中心任城事务部", "运河新城建管中心", "国网任城供电公司",
           "经开区税务局", "任城公安分局", "市中公安分局"]
FACTS = ["--local-name", LOCAL, "--lead-office", LEAD]


@pytest.fixture
def led(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "台账"
    assert main(["init", str(folder)]) == 0
    with Ledger.open(folder) as ledger:
        import_city_plan(ledger)
    capsys.readouterr()
    return folder


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "单位对应.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["上级单位", "本级单位"])
    for name in BY_HAND:
        book.active.append([name, name])
    book.save(path)
    return path


def z(capsys, folder: Path, *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--ledger", str(folder), *argv)


def _derive(capsys, led: Path, mapping_file: Path, out: Path) -> int:
    code, stdout, err = z(capsys, led, "derive", "1", "--map", str(mapping_file), "-o", str(out), *FACTS)
    assert code == 0, err
    with Ledger.open(led) as ledger:
        return V.derived_plans(ledger, 1)[0].id


def test_dry_run_shows_the_mapping_and_writes_nothing(capsys, led: Path) -> None:
    before = dump_from_disk(led)
    code, out, err = z(capsys, led, "derive", "1", "--dry-run", *FACTS)
    assert code == 0, err
    assert "市发改局 → 区发改局\t[名称相近]" in out
    assert "各县区 → 区政府办公室\t[本级牵头]" in out
    assert "还没有对应的上级单位" in out and "国网任城供电公司" in out
    assert "没有写入台账" in out
    assert dump_from_disk(led) == before


def test_unmapped_units_exit_2_and_nothing_is_written(capsys, led: Path, tmp_path: Path) -> None:
    before = dump_from_disk(led)
    code, out, err = z(capsys, led, "derive", "1", "-o", str(tmp_path / "本级.xlsx"), *FACTS)
    assert code == 2
    assert "国网任城供电公司" in err and "没有生成" in err and "--map" in err
    assert dump_from_disk(led) == before
    assert not (tmp_path / "本级.xlsx").exists()


def test_derive_with_a_mapping_file_writes_the_linked_plan_and_its_table(capsys, led: Path, mapping_file: Path,
                                                                         tmp_path: Path) -> None:
    out = tmp_path / "本级分解表.xlsx"
    code, stdout, err = z(capsys, led, "derive", "1", "--map", str(mapping_file), "-o", str(out), *FACTS)
    assert code == 0, err
    assert "已生成本级分解表 2" in stdout and "与上级分解表 1 关联" in stdout
    assert out.exists()
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "2023年任城区政务公开重点工作任务分解表"
    with Ledger.open(led) as ledger:
        assert V.superior_of(ledger, 2) == 1
        units = {u.name for t in ledger.tasks(2) for u in t.units}
        assert LEAD in units and "国网任城供电公司" in units and "区发改局" in units
        assert ledger.audit_log(1)[0].action == "生成本级分解表"
    # The facts are remembered: a later command needs neither --local-name nor --lead-office.
    code, stdout, _ = z(capsys, led, "unit-map")
    assert f"本级名称:{LOCAL}" in stdout and "各县区\t区政府办公室" in stdout
    # Its fill-ins work as for any plan.
    code, stdout, err = z(capsys, led, "fill-in", "--plan", "2", "--unit", "区发改局", "--quarter", "2023Q3",
                          "-o", str(tmp_path / "区发改局.xlsx"))
    assert code == 0, err


def test_a_second_derive_is_refused(capsys, led: Path, mapping_file: Path, tmp_path: Path) -> None:
    _derive(capsys, led, mapping_file, tmp_path / "a.xlsx")
    before = dump_from_disk(led)
    code, _, err = z(capsys, led, "derive", "1", "--map", str(mapping_file))
    assert code == 2 and "已经生成过本级分解表《" in err and "本级分解表是分解表 2" in err
    assert dump_from_disk(led) == before


@pytest.mark.parametrize("argv,message", [
    (["derive", "9"], "没有编号为 9 的分解表"),
    (["derive", "1", "--tasks", "1,99"], "没有序号 99"),
    (["derive", "1", "-o", "本级.pdf"], ".xlsx"),
    (["rollup", "1", "--quarter", "2023Q3"], "还没有生成本级分解表"),
    (["rollup", "1", "--quarter", "2023Q9"], "无法识别的季度"),
    (["rollup", "1", "--quarter", "2023Q3", "--keep-own", "3"], "--apply"),
    (["unit-map", "--remove", "市发改局"], "没有“市发改局”的单位对应"),
])
def test_bad_input_exits_2_in_chinese_with_nothing_written(capsys, led: Path, argv, message) -> None:
    before = dump_from_disk(led)
    code, _, err = z(capsys, led, *argv, *(FACTS if argv[0] == "derive" else []))
    assert code == 2, err
    assert message in err
    assert dump_from_disk(led) == before


def test_a_mapping_file_with_wrong_columns_exits_2(capsys, led: Path, tmp_path: Path) -> None:
    path = tmp_path / "名录.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["群组", "成员"])
    book.active.append(["各镇(街道)", "城关镇"])
    book.save(path)
    before = dump_from_disk(led)
    for argv in (["derive", "1", "--map", str(path), *FACTS], ["unit-map", "--import", str(path)]):
        code, _, err = z(capsys, led, *argv)
        assert code == 2 and "名录.xlsx" in err and "上级单位" in err
    assert dump_from_disk(led) == before


def test_unit_map_import_export_and_remove_are_audited(capsys, led: Path, mapping_file: Path, tmp_path: Path) -> None:
    with Ledger.open(led) as ledger:
        audits = len(ledger.audit_log(10_000))
    code, out, err = z(capsys, led, "unit-map", "--import", str(mapping_file))
    assert code == 0, err
    assert f"{len(BY_HAND)} 个上级单位" in out
    code, out, _ = z(capsys, led, "unit-map", "--remove", "市中公安分局")
    assert code == 0 and "已删除" in out
    exported = tmp_path / "导出.xlsx"
    code, out, err = z(capsys, led, "unit-map", "-o", str(exported))
    assert code == 0, err
    rows = list(openpyxl.load_workbook(exported).active.iter_rows(values_only=True))
    assert rows[0] == ("上级单位", "本级单位")
    assert {r[0] for r in rows[1:]} == set(BY_HAND) - {"市中公安分局"}
    with Ledger.open(led) as ledger:
        log = ledger.audit_log(10_000)
        assert len(log) == audits + 2
        assert [e.action for e in log[:2]] == ["删除单位对应", "修改单位对应(单位对应.xlsx)"]


def _county_task(ledger: Ledger, county: int, superior_seq: int) -> int:
    superior = next(t for t in ledger.tasks(1) if t.seq == superior_seq)
    return next(t.id for t in ledger.tasks(county)
                if ledger.db.execute("SELECT derived_from FROM tasks WHERE id = ?", [t.id]).fetchone()[0] == superior.id)


def test_rollup_through_the_preview_into_the_citys_layout(capsys, led: Path, mapping_file: Path,
                                                           tmp_path: Path) -> None:
    county = _derive(capsys, led, mapping_file, tmp_path / "本级.xlsx")
    with Ledger.open(led) as ledger:
        done, moving = _county_task(ledger, county, 13), _county_task(ledger, county, 14)
        city_seq_done = 13
        own = next(t.id for t in ledger.tasks(1) if t.seq == 14)
    for argv in (["status", str(done), "已完成", "--on", "2023-08-20"],
                 ["progress", str(done), "--quarter", "2023Q3", "已发布解读 3 篇。"],
                 ["status", str(moving), "推进中", "--on", "2023-07-10"],
                 ["progress", str(moving), "--quarter", "2023Q3", "正在推进。"],
                 ["progress", str(own), "--quarter", "2023Q3", "市里自己写的。"]):
        assert z(capsys, led, *argv)[0] == 0

    before = dump_from_disk(led)
    code, out, err = z(capsys, led, "rollup", "1", "--quarter", "2023Q3")
    assert code == 0, err
    assert "序号 13:区级 1 项中 1 项已完成" in out and "未启动 → 已完成 2023-08-20" in out
    assert "序号 14:区级 1 项中 0 项已完成,1 项推进中  【需选择】" in out and "市里自己写的。" in out
    assert dump_from_disk(led) == before  # the preview wrote nothing

    code, _, err = z(capsys, led, "rollup", "1", "--quarter", "2023Q3", "--apply")
    assert code == 2 and "序号 14" in err and "--keep-own" in err
    assert dump_from_disk(led) == before

    code, out, err = z(capsys, led, "rollup", "1", "--quarter", "2023Q3", "--apply", "--keep-own", "14")
    assert code == 0, err
    assert "已汇总到上级分解表 1" in out

    export = tmp_path / "落实情况.xlsx"
    code, _, err = z(capsys, led, "export", "--plan", "1", "--format", "xlsx", "--quarter", "2023Q3", "-o", str(export))
    assert code == 0, err
    sheet = openpyxl.load_workbook(export).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "本季度进展" in r)
    status_col, date_col, note_col = (header.index(c) for c in ("完成状态", "完成时间", "本季度进展"))
    with Ledger.open(led) as ledger:
        city = {t.seq: t for t in ledger.tasks(1)}
        lead = next(t for t in ledger.tasks(county) if t.id == done).lead_unit
    row13 = next(r for r in rows if r and city[city_seq_done].requirement in r)
    assert row13[status_col] == "已完成"
    assert str(row13[date_col])[:10] == "2023-08-20"
    assert row13[note_col] == f"【{lead}】已发布解读 3 篇。"
    row14 = next(r for r in rows if r and city[14].requirement in r)
    assert row14[status_col] == "推进中" and row14[note_col] == "市里自己写的。"  # kept, as chosen
    with Ledger.open(led) as ledger:
        assert city[13].status == Status.DONE and city[13].status_date == date(2023, 8, 20)
        assert any(e.action == "汇总本级" for e in ledger.audit_log(20))


def test_rollup_of_the_county_plan_points_at_the_superior(capsys, led: Path, mapping_file: Path,
                                                          tmp_path: Path) -> None:
    county = _derive(capsys, led, mapping_file, tmp_path / "本级.xlsx")
    code, _, err = z(capsys, led, "rollup", str(county), "--quarter", "2023Q3")
    assert code == 2 and "zwgk rollup 1 --quarter 2023Q3" in err


def test_use_rollup_all_replaces_every_competing_value(capsys, led: Path, mapping_file: Path, tmp_path: Path) -> None:
    county = _derive(capsys, led, mapping_file, tmp_path / "本级.xlsx")
    with Ledger.open(led) as ledger:
        task = _county_task(ledger, county, 14)
        own = next(t.id for t in ledger.tasks(1) if t.seq == 14)
        ledger.set_progress(task, Quarter(2023, 3), "区里的进展。")
        ledger.set_progress(own, Quarter(2023, 3), "市里自己写的。")
    code, _, err = z(capsys, led, "rollup", "1", "--quarter", "2023Q3", "--apply", "--use-rollup", "all")
    assert code == 0, err
    with Ledger.open(led) as ledger:
        assert ledger.task(own).progress[0].text.endswith("】区里的进展。")


def test_own_tasks_from_a_file_are_added_after(capsys, led: Path, mapping_file: Path, tmp_path: Path) -> None:
    own = tmp_path / "本级任务.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["2023年任城区自定任务"])
    book.active.append(["工作任务", "具体要求", "责任单位", "完成时限"])
    book.active.append(["本级任务", "开展政务公开培训。", "区政府办公室", "10月底前"])
    book.save(own)
    code, out, err = z(capsys, led, "derive", "1", "--map", str(mapping_file), "--add", str(own), *FACTS)
    assert code == 0, err
    assert "本级增加 1 项" in out
    with Ledger.open(led) as ledger:
        last = ledger.tasks(2)[-1]
        assert last.requirement == "开展政务公开培训。" and last.deadline_text == "10月底前"
        assert ledger.db.execute("SELECT derived_from FROM tasks WHERE id = ?", [last.id]).fetchone()[0] is None


# -- derive --update: the city revises its plan after the county's was derived ----------------------


@pytest.fixture
def revised_city(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A ledger with the small city plan of tests/core/test_derive_update.py derived
    (plan 2), edited by the county, and then revised by the city."""
    from tests.core.test_derive_update import build_linked

    folder = tmp_path / "台账"
    assert main(["init", str(folder)]) == 0
    with Ledger.open(folder) as ledger:
        build_linked(ledger)
    capsys.readouterr()
    return folder


def test_update_preview_lists_each_kind_and_writes_nothing(capsys, revised_city: Path) -> None:
    from tests.core.test_derive_update import COUNTY_WORDS, REVISED
    before = dump_from_disk(revised_city)
    code, out, err = z(capsys, revised_city, "derive", "1", "--update")
    assert code == 0, err
    assert "上级新增的任务 1 项" in out and "做好政策解读与回应关切工作。" in out
    assert "上级已取消的任务 1 项" in out and "动态调整决策事项目录。" in out
    assert f"本级已改为:{COUNTY_WORDS}(保留本级的,不修改)" in out and REVISED[2][1] in out
    assert "责任单位:各县区政府 → 各县区政府(牵头)、市财政局" in out
    assert "另有上级新增的任务 1 项没有点名本级" in out
    assert "没有写入台账" in out
    assert dump_from_disk(revised_city) == before


def test_update_apply_writes_the_county_plan_and_its_table(capsys, revised_city: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "本级分解表.xlsx"
    code, out, err = z(capsys, revised_city, "derive", "1", "--update", "--apply", "-o", str(out_file))
    assert code == 0, err
    assert "已更新本级分解表 2:加入上级新增的任务 1 项,标为已取消 1 项,随上级修改 2 项" in out
    cells = [c.value for row in openpyxl.load_workbook(out_file).active.iter_rows() for c in row]
    assert "做好政策解读与回应关切工作。" in cells and "动态调整决策事项目录。" not in cells
    with Ledger.open(revised_city) as ledger:
        actions = [e.action for e in ledger.audit_log(4)]
        assert actions[0] == "更新本级分解表" and "设置状态(上级修订)" in actions
    # Run again: nothing is left to write.
    before = dump_from_disk(revised_city)
    code, out, err = z(capsys, revised_city, "derive", "1", "--update", "--apply")
    assert code == 0 and "没有需要写入的内容" in out
    assert dump_from_disk(revised_city) == before


def test_update_tasks_chooses_superior_seqs(capsys, revised_city: Path) -> None:
    code, out, err = z(capsys, revised_city, "derive", "1", "--update", "--apply", "--tasks", "2")
    assert code == 0, err
    assert "加入上级新增的任务 1 项,标为已取消 0 项,随上级修改 0 项" in out
    with Ledger.open(revised_city) as ledger:
        assert len(ledger.tasks(2)) == 6


@pytest.mark.parametrize("argv,message", [
    (["derive", "2", "--update"], "zwgk derive 1 --update"),
    (["derive", "1", "--update", "--tasks", "99"], "没有序号 99"),
    (["derive", "1", "--update", "--tasks", "all", "--apply"], "国网某市供电公司"),
    (["derive", "1", "--update", "-o", "本级.xlsx"], "-o 要与 --apply 一起使用"),
    (["derive", "1", "--update", "--title", "新标题"], "--title 只用于生成本级分解表"),
    (["derive", "1", "--apply"], "--apply 只用于更新本级分解表"),
])
def test_update_refusals_exit_2_with_the_ledger_unchanged(capsys, revised_city: Path, argv, message) -> None:
    before = dump_from_disk(revised_city)
    code, _, err = z(capsys, revised_city, *argv)
    assert code == 2, err
    assert message in err
    assert dump_from_disk(revised_city) == before


def test_update_of_a_plan_never_derived_exits_2(capsys, led: Path) -> None:
    before = dump_from_disk(led)
    code, _, err = z(capsys, led, "derive", "1", "--update", *FACTS)
    assert code == 2 and "还没有生成过本级分解表" in err and "zwgk derive 1 --map" in err
    assert dump_from_disk(led) == before
