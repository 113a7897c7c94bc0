"""The county's 分解表 in the official layout (from the derived 任城 plan), and the
单位对应 sheet read and written."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.core.test_derive import LEAD, LOCAL, by_hand, import_city_plan
from zwgk_desktop.core import derive as V
from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.io.plan_writer import read_unit_mapping, write_plan_xlsx, write_unit_mapping


@pytest.fixture
def county_plan(ledger: Ledger) -> int:
    city, _ = import_city_plan(ledger)
    first = V.prepare_derive(ledger, city, local_name=LOCAL, lead_office=LEAD)
    preview = V.prepare_derive(ledger, city, local_name=LOCAL, lead_office=LEAD, mapping=by_hand(first))
    return V.create_derived_plan(ledger, preview).plan_id


def test_the_derived_plan_is_written_in_the_official_layout(ledger: Ledger, county_plan: int, tmp_path: Path) -> None:
    path = write_plan_xlsx(ledger, county_plan, tmp_path / "本级分解表")
    assert path.name == "本级分解表.xlsx"
    sheet = openpyxl.load_workbook(path).active
    tasks = ledger.tasks(county_plan)
    assert sheet["A1"].value == ledger.plan(county_plan).title
    assert "A1:E1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [sheet.cell(2, c).value for c in range(1, 6)] == ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    sections = [r[0] for r in rows if isinstance(r[0], str) and r[0].startswith(("一、", "二、", "三、", "四、"))]
    assert sections == list(dict.fromkeys(t.section[0] for t in tasks))
    for section_row in (n for n, r in enumerate(rows, start=3) if r[0] in sections):
        assert f"A{section_row}:E{section_row}" in {str(r) for r in sheet.merged_cells.ranges}
    task_rows = [r for r in rows if isinstance(r[0], int)]
    assert [r[0] for r in task_rows] == [t.seq for t in tasks]
    assert [r[2] for r in task_rows] == [t.requirement for t in tasks]
    assert [r[3] for r in task_rows] == ["、".join(u.name for u in t.units) for t in tasks]
    assert [r[4] for r in task_rows] == [t.deadline_text for t in tasks]
    # Ready to print on A4: landscape, one page wide, the header on every page, 宋体/黑体.
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows.replace("$", "") == "2:2"
    assert sheet["A1"].font.name == "黑体" and sheet.cell(3 + 1, 3).font.name == "宋体"


def test_withdrawn_tasks_are_not_sent_down(ledger: Ledger, county_plan: int, tmp_path: Path) -> None:
    first = ledger.tasks(county_plan)[0]
    ledger.set_status(first.id, Status.CANCELLED)
    sheet = openpyxl.load_workbook(write_plan_xlsx(ledger, county_plan, tmp_path / "x.xlsx")).active
    requirements = [r[2] for r in sheet.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    assert first.requirement not in requirements
    assert len(requirements) == len(ledger.tasks(county_plan)) - 1


def _sheet(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_mapping_sheet_pairs_and_several_locals(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "对应.xlsx", [["单位对应表"], ["上级单位", "本级单位"], ["市发改委", "县发改局"],
                                           ["市教育局", "县教体局、县体育中心"], ["市教育局", "县教体局"],
                                           ["", ""], ["市财政局", ""]])
    assert read_unit_mapping(path) == {"市发改委": ["县发改局"], "市教育局": ["县教体局", "县体育中心"]}


def test_mapping_csv(tmp_path: Path) -> None:
    path = tmp_path / "对应.csv"
    path.write_text("上级单位,本级单位\n市发改委,县发改局\n", encoding="gbk")
    assert read_unit_mapping(path) == {"市发改委": ["县发改局"]}


def test_a_mapping_file_with_wrong_columns_gets_a_plain_message(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "名录.xlsx", [["群组", "成员"], ["各镇(街道)", "城关镇"]])
    with pytest.raises(FileReadError) as caught:
        read_unit_mapping(path)
    assert "名录.xlsx" in caught.value.message and "上级单位" in caught.value.message


def test_a_mapping_file_without_pairs_is_refused(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "空.xlsx", [["上级单位", "本级单位"], ["市发改委", ""]])
    with pytest.raises(FileReadError, match="没有任何一对"):
        read_unit_mapping(path)


def test_a_file_that_is_no_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "对应.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot a table")
    with pytest.raises(FileReadError):
        read_unit_mapping(path)


def test_written_mapping_reads_back(tmp_path: Path) -> None:
    mapping = {"市发改委": ["县发改局"], "各县区政府": ["县政府办公室", "县大数据中心"]}
    path = write_unit_mapping(mapping, tmp_path / "导出.xlsx")
    assert read_unit_mapping(path) == mapping
