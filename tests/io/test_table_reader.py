"""The table reader (io/table_reader.py) on every table shape the field sends, built here as grids.

Each test states one layout a clerk receives; file formats are covered separately
(test_readers.py, test_odd_files.py), so these stay fast and exact.
"""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core.errors import FileReadError, UserError
from zwgk_desktop.io.grid import Grid, Workbook
from zwgk_desktop.io.table_reader import NO_YEAR_WARNING, ReadOptions, parse_column_map, read_plan

HEADER = ["工作任务", "具体要求", "责任单位", "完成时限"]


def plan_of(rows, *, merged=(), hidden=frozenset(), name="Sheet1", extra_grids=(), options=None,
            source="2023年某县任务分解表.xlsx", kind="spreadsheet"):
    width = max(len(r) for r in rows)
    rows = [list(r) + [""] * (width - len(r)) for r in rows]
    grid = Grid(name=name, rows=rows, merged=list(merged), hidden_columns=frozenset(hidden))
    return read_plan(Workbook(source, [*extra_grids, grid], kind=kind), options)


def test_section_rows_and_subsections_repeated_on_every_row() -> None:
    plan = plan_of([
        ["附件"],
        ["2023年某县政务公开重点工作任务分解表"],
        HEADER,
        ["一、推进决策公开", "一、推进决策公开", "一、推进决策公开", "一、推进决策公开"],
        ["(一)目录管理", "公开决策事项目录。", "县司法局", "6月底前"],
        ["(一)目录管理", "动态调整目录。", "县司法局、县政府办", "12月底前"],
        ["(二)公众参与", "开展意见征集。", "县发改局", "全年"],
        ["二、夯实基础", "", "", ""],
        ["(三)平台建设", "规范政府网站。", "县大数据中心", "长期坚持"],
    ])
    assert plan.title == "2023年某县政务公开重点工作任务分解表"
    assert plan.year == 2023
    assert [t.section for t in plan.tasks] == [
        ["一、推进决策公开", "(一)目录管理"],
        ["一、推进决策公开", "(一)目录管理"],
        ["一、推进决策公开", "(二)公众参与"],
        ["二、夯实基础", "(三)平台建设"],
    ]
    assert [t.title for t in plan.tasks] == [None] * 4
    assert [u.name for u in plan.tasks[1].units] == ["县司法局", "县政府办"]
    assert plan.tasks[0].deadline.due_date == date(2023, 6, 30)
    assert plan.tasks[3].deadline.due_date is None


def test_columns_in_any_order_with_stray_spaces_and_line_breaks() -> None:
    plan = plan_of([
        ["完成\n时限", "责 任\u3000单 位", " 具体要求 ", "序号"],
        ["9月底前", "县教体局", "公开招生政策。", "1"],
        ["三季度前", "县卫健局", "公开医疗服务价格。", "2"],
    ])
    assert [t.requirement for t in plan.tasks] == ["公开招生政策。", "公开医疗服务价格。"]
    assert [t.units[0].name for t in plan.tasks] == ["县教体局", "县卫健局"]
    assert [t.deadline.due_date for t in plan.tasks] == [date(2023, 9, 30), date(2023, 9, 30)]
    assert all(t.section == [] for t in plan.tasks)
    assert plan.tasks[0].extra == {"序号": "1"}


def test_table_without_sections_gives_empty_section_path() -> None:
    plan = plan_of([["具体要求", "责任单位", "完成时限"], ["做好A。", "甲局", "全年"], ["做好B。", "乙局", "全年"]])
    assert [t.section for t in plan.tasks] == [[], []]
    assert [t.seq for t in plan.tasks] == [1, 2]


def test_cover_sheet_first_is_skipped_for_the_table_sheet() -> None:
    cover = Grid(name="填报说明", rows=[["填报说明"], ["1. 请各单位按时填报。"], ["2. 责任单位请勿修改。"]])
    plan = plan_of([HEADER, ["(一)公开", "公开A。", "甲局", "全年"]], name="任务表", extra_grids=[cover])
    assert plan.sheet == "任务表"
    assert len(plan.tasks) == 1


def test_named_sheet_is_used_and_a_missing_one_is_explained() -> None:
    other = Grid(name="2022年", rows=[HEADER, ["(一)旧", "旧任务。", "甲局", "全年"]])
    plan = plan_of([HEADER, ["(一)新", "新任务。", "乙局", "全年"]], name="2023年", extra_grids=[other],
                   options=ReadOptions(sheet="2022年"))
    assert [t.requirement for t in plan.tasks] == ["旧任务。"]
    with pytest.raises(FileReadError) as err:
        plan_of([HEADER, ["(一)新", "新任务。", "乙局", "全年"]], options=ReadOptions(sheet="不存在"))
    assert "不存在" in err.value.message and "Sheet1" in err.value.message


def test_two_row_header_group_label_over_lead_and_cooperate() -> None:
    rows = [
        ["序号", "重点任务", "具体措施", "责任单位", "", "完成时限"],
        ["", "", "", "牵头单位", "配合单位", ""],
        ["1", "政策解读", "做好政策解读。", "县政府办", "县发改局、县财政局", "6月底前"],
    ]
    rows[0][4] = "责任单位"  # a merged group label, filled across as readers do
    plan = plan_of(rows, merged=[(0, 3, 0, 4)])
    task = plan.tasks[0]
    assert [(u.name, u.role.value) for u in task.units] == [
        ("县政府办", "lead"), ("县发改局", "cooperate"), ("县财政局", "cooperate")]
    assert task.requirement == "做好政策解读。"


def test_hidden_helper_column_is_ignored() -> None:
    plan = plan_of([
        ["具体要求", "辅助列", "责任单位", "完成时限"],
        ["公开A。", "=VLOOKUP(...)", "甲局", "全年"],
    ], hidden={1})
    assert plan.columns == ["具体要求", "责任单位", "完成时限"]
    assert plan.tasks[0].extra == {}


def test_header_repeated_mid_table_is_dropped() -> None:
    plan = plan_of([
        HEADER,
        ["(一)公开", "公开A。", "甲局", "全年"],
        HEADER,
        ["工作 任务", "具体\n要求", "责任单位", "完成时限"],
        ["(一)公开", "公开B。", "乙局", "全年"],
    ])
    assert [t.requirement for t in plan.tasks] == ["公开A。", "公开B。"]


def test_hierarchy_columns_give_the_section_path() -> None:
    plan = plan_of([
        ["一级任务", "二级任务", "具体内容", "责任部门", "时间节点"],
        ["深化公开", "决策公开", "公开目录。", "甲局", "12月底前"],
        ["深化公开", "政策解读", "解读政策。", "乙局", "12月底前"],
        ["夯实基础", "平台建设", "建好网站。", "丙局", "12月底前"],
    ])
    assert [t.section for t in plan.tasks] == [
        ["深化公开", "决策公开"], ["深化公开", "政策解读"], ["夯实基础", "平台建设"]]


def test_key_task_list_keeps_the_heading_cell_as_title() -> None:
    plan = plan_of([
        ["序号", "重点任务", "工作内容", "牵头单位", "完成时间"],
        ["1", "政策解读", "做好政策解读。", "县政府办", "6月底前"],
        ["2", "公开平台", "规范政府网站。", "县大数据中心", "12月底前"],
    ])
    assert [t.title for t in plan.tasks] == ["政策解读", "公开平台"]
    assert [t.section for t in plan.tasks] == [[], []]


def test_subsection_printed_on_its_first_row_only_carries_down() -> None:
    plan = plan_of([
        HEADER,
        ["一、决策公开", "", "", ""],
        ["(一)目录", "公开A。", "甲局", "全年"],
        ["", "公开B。", "乙局", "全年"],
        ["二、基础", "", "", ""],
        ["", "公开C。", "丙局", "全年"],
    ])
    assert [t.section for t in plan.tasks] == [
        ["一、决策公开", "(一)目录"], ["一、决策公开", "(一)目录"], ["二、基础"]]


def test_subsection_merged_down_uses_merge_ranges() -> None:
    plan = plan_of([
        HEADER,
        ["加强公开", "公开A。", "甲局", "全年"],
        ["加强公开", "公开B。", "乙局", "全年"],
    ], merged=[(1, 0, 2, 0)])
    # an unnumbered heading spanning rows is a section, not each task's title
    assert [t.section for t in plan.tasks] == [["加强公开"], ["加强公开"]]
    assert [t.title for t in plan.tasks] == [None, None]


def test_notes_and_sign_off_lines_under_the_table_are_not_tasks() -> None:
    plan = plan_of([
        HEADER,
        ["(一)公开", "公开A。", "甲局", "全年"],
        ["注:责任单位排在第一位的为牵头单位。", "注:责任单位排在第一位的为牵头单位。",
         "注:责任单位排在第一位的为牵头单位。", "注:责任单位排在第一位的为牵头单位。"],
        ["填报人:", "", "", ""],
    ])
    assert len(plan.tasks) == 1


def test_blank_rows_inside_the_table_are_skipped() -> None:
    plan = plan_of([HEADER, ["", "", "", ""], ["(一)公开", "公开A。", "甲局", "全年"], ["", "", "", ""],
                    ["(一)公开", "公开B。", "乙局", "全年"]])
    assert len(plan.tasks) == 2


def test_task_without_units_or_deadline_is_kept_and_flagged() -> None:
    plan = plan_of([["序号", "具体要求", "责任单位", "完成时限"], ["1", "公开A。", "", ""]])
    task = plan.tasks[0]
    assert task.units == [] and task.deadline.due_date is None and task.deadline.needs_review


def test_unreadable_deadline_is_flagged_not_guessed() -> None:
    plan = plan_of([HEADER, ["(一)公开", "公开A。", "甲局", "按上级要求"]])
    assert plan.tasks[0].deadline.due_date is None
    assert plan.review_count == 1


def test_year_from_option_overrides_title() -> None:
    plan = plan_of([["2022年任务表"], HEADER, ["(一)公开", "公开A。", "甲局", "6月底前"]],
                   options=ReadOptions(year=2024))
    assert plan.year == 2024
    assert plan.tasks[0].deadline.due_date == date(2024, 6, 30)


def test_no_year_anywhere_uses_this_year_and_says_so() -> None:
    plan = plan_of([HEADER, ["(一)公开", "公开A。", "甲局", "6月底前"]], source="任务表.xlsx",
                   options=ReadOptions(today=date(2026, 3, 1)))
    assert plan.year == 2026
    [warning] = [w for w in plan.warnings if w.startswith(NO_YEAR_WARNING)]
    assert "请指定这份分解表的年份" in warning and "--" not in warning  # read in the window too: no option names


def test_unknown_headers_say_which_columns_were_found() -> None:
    rows = [["名称", "内容", "部门", "时间"], ["A", "公开A。", "甲局", "全年"]]
    with pytest.raises(FileReadError) as err:
        plan_of(rows)
    message = err.value.message
    assert "表头" in message and "为各列指定含义" in message and "B列" in message
    assert "--" not in message and "--map requirement=" in err.value.hint_cli  # the CLI prints the hint under it


def test_column_map_reads_a_table_with_unknown_headers() -> None:
    rows = [["名称", "内容", "部门", "时间"], ["政策解读", "公开A。", "甲局", "6月底前"]]
    plan = plan_of(rows, options=ReadOptions(column_map=parse_column_map("title=A,requirement=B,units=C,deadline=D")))
    task = plan.tasks[0]
    assert (task.title, task.requirement, task.units[0].name) == ("政策解读", "公开A。", "甲局")
    assert task.deadline.due_date == date(2023, 6, 30)


def test_column_map_overrides_a_wrong_guess() -> None:
    rows = [["工作任务", "具体要求", "责任单位", "备注"], ["(一)公开", "公开A。", "甲局", "6月底前完成"]]
    plan = plan_of(rows, options=ReadOptions(column_map=parse_column_map("deadline=备注")))
    assert plan.tasks[0].deadline.due_date == date(2023, 6, 30)


@pytest.mark.parametrize("text", ["requirement", "requirement=", "foo=C", "requirement=C,units"])
def test_bad_column_map_is_a_plain_message(text: str) -> None:
    with pytest.raises(UserError):
        parse_column_map(text)


def test_column_map_naming_a_missing_column_is_explained() -> None:
    with pytest.raises(FileReadError) as err:
        plan_of([HEADER, ["(一)公开", "公开A。", "甲局", "全年"]],
                options=ReadOptions(column_map={"requirement": "Z"}))
    assert "Z" in err.value.message


def test_header_without_tasks_is_an_error() -> None:
    with pytest.raises(FileReadError) as err:
        plan_of([HEADER, ["", "", "", ""]])
    assert "没有任何任务" in err.value.message
    assert "选择那个工作表" in err.value.message and "--" not in err.value.message
    assert "--sheet" in err.value.hint_cli


def test_empty_workbook_is_an_error() -> None:
    with pytest.raises(FileReadError):
        read_plan(Workbook("空.xlsx", [Grid("Sheet1", [])]))


def test_word_tables_split_at_page_breaks_are_joined() -> None:
    first = Grid("表格1", [HEADER, ["(一)公开", "公开A。", "甲局", "全年"]], preamble=["2023年任务分解表"])
    second = Grid("表格2", [HEADER, ["(一)公开", "公开B。", "乙局", "全年"]])
    plan = read_plan(Workbook("附件.docx", [first, second], kind="document"))
    assert [t.requirement for t in plan.tasks] == ["公开A。", "公开B。"]
    assert plan.title == "2023年任务分解表"


def test_document_number_is_picked_up_from_the_title_lines() -> None:
    plan = plan_of([["临政办字〔2023〕45号"], ["2023年临沂市任务分解表"], HEADER,
                    ["(一)公开", "公开A。", "甲局", "全年"]])
    assert plan.doc_number == "临政办字〔2023〕45号"
    assert plan.title == "2023年临沂市任务分解表"


FW_OPEN, FW_CLOSE = "\uff08", "\uff09"  # （ ）: real tables mostly use full-width brackets


def test_full_width_numbering_is_recognised() -> None:
    sub = f"{FW_OPEN}一{FW_CLOSE}目录管理"
    plan = plan_of([
        HEADER,
        ["一、推进决策公开", "", "", ""],
        [sub, "公开A。", "甲局", "全年"],
        ["", "公开B。", "乙局", "全年"],
    ])
    assert [t.section for t in plan.tasks] == [["一、推进决策公开", sub]] * 2


def test_full_width_punctuation_in_column_map_and_notes() -> None:
    rows = [["名称", "内容", "部门", "时间"], ["A", "公开A。", "甲局", "全年"], ["注\uff1a以上为示例", "", "", ""]]
    plan = plan_of(rows, options=ReadOptions(column_map=parse_column_map("requirement=B\uff0cunits=C")))
    assert [t.requirement for t in plan.tasks] == ["公开A。"]
    assert plan.tasks[0].units[0].name == "甲局"
