"""Tables as clerks really receive them, each built here in our own words
with its exact expected reading: section rows that contain header words, number
columns under someone else's header, header names that disagree with the content,
duty words in unit cells, no deadline column, no year. Then properties: the order of
the columns, a blank column, merged or repeated heading cells and numbers stored as
numbers or as text never change the reading.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.core.plan_import import apply_unit_directory, reading_doubts
from zwgk_desktop.io import headers as H
from zwgk_desktop.io.grid import Grid, Workbook
from zwgk_desktop.io.table_reader import ReadOptions, parse_column_map, read_plan

LEAD, COOP = "lead", "cooperate"


def grid_of(rows, merged=()) -> Grid:
    width = max(len(r) for r in rows)
    return Grid(name="Sheet1", rows=[[str(c) for c in r] + [""] * (width - len(r)) for r in rows],
                merged=list(merged))


def read(grid: Grid, source: str = "任务分解表.xlsx", **options):
    return read_plan(Workbook(source, [grid]), ReadOptions(**options))


def reading(plan) -> list[tuple]:
    """Everything a task is, as the ledger will store it (independent of column order)."""
    return [
        (tuple(t.section), t.title, t.requirement, tuple((u.name, u.role.value) for u in t.units),
         t.deadline.text, t.deadline.due_date.isoformat() if t.deadline.due_date else None,
         t.deadline.needs_review)
        for t in plan.tasks
    ]


def meaning_of(plan, col: int) -> str | None:
    return next((m for m, cols in plan.mapping.items() if col in cols), None)


def across(text: str, width: int) -> list[str]:
    return [text] * width


# -- 1. section rows that contain header words ----------------------------------------

LAYOUT_SECTION_WORDS = grid_of([
    ["附件"],
    across("2024年某镇政务公开工作任务清单", 4),
    ["序号", "工作内容", "责任单位", "完成时限"],
    across("一、重点任务", 4),
    ["1", "在镇政府网站开设惠农补贴专栏,按月更新发放名单。", "党政办", "6月底前"],
    ["2", "公开村级财务收支情况,每季度在公开栏张贴一次。", "经管站", "每季度"],
    across("二、主要任务", 4),
    ["3", "梳理镇级权责清单并在公开栏公布。", "综合执法办", "9月底前"],
    across("三、保障措施", 4),
    ["4", "组织开展政务公开业务培训不少于两次。", "党政办", "12月底前"],
], merged=[(1, 0, 1, 3), (3, 0, 3, 3), (6, 0, 6, 3), (8, 0, 8, 3)])


def test_section_rows_with_header_words_are_sections_not_the_header() -> None:
    plan = read(LAYOUT_SECTION_WORDS)
    assert plan.year == 2024 and plan.year_found
    assert plan.columns == ["序号", "工作内容", "责任单位", "完成时限"]
    assert reading(plan) == [
        (("一、重点任务",), None, "在镇政府网站开设惠农补贴专栏,按月更新发放名单。", (("党政办", LEAD),),
         "6月底前", "2024-06-30", False),
        (("一、重点任务",), None, "公开村级财务收支情况,每季度在公开栏张贴一次。", (("经管站", LEAD),),
         "每季度", "2024-12-31", False),
        (("二、主要任务",), None, "梳理镇级权责清单并在公开栏公布。", (("综合执法办", LEAD),),
         "9月底前", "2024-09-30", False),
        (("三、保障措施",), None, "组织开展政务公开业务培训不少于两次。", (("党政办", LEAD),),
         "12月底前", "2024-12-31", False),
    ]
    assert reading_doubts(plan) == []


def test_a_merged_section_row_is_never_taken_for_the_header() -> None:
    # The only row with header words is a merged section row: no header at all.
    grid = grid_of([
        across("一、重点任务和工作要求", 3),
        ["(一)公开目录", "编制公开目录", "甲局"],
    ], merged=[(0, 0, 0, 2)])
    from zwgk_desktop.core.errors import FileReadError

    with pytest.raises(FileReadError) as err:
        read(grid, source="2023年表.xlsx")
    assert "没有找到表头" in err.value.message


# -- 2. 工作任务 merged over the heading column and a number column --------------------

LAYOUT_TASK_OVER_NUMBERS = grid_of([
    across("2023年某区政务公开任务分解表", 5),
    ["工作任务", "工作任务", "具体要求", "责任单位", "完成时限"],
    ["(一)决策公开", "1", "每年一季度公布本级重大行政决策事项目录。", "区司法局", "3月底前"],
    ["(一)决策公开", "2", "对涉及群众切身利益的决策草案公开征求意见不少于30日。", "区政府办", "全年"],
    ["(二)政策解读", "3", "出台政策同步发布图解或视频解读材料。", "区发改局、区财政局", "长期坚持"],
], merged=[(0, 0, 0, 4), (1, 0, 1, 1), (2, 0, 3, 0)])

EXPECTED_TASK_OVER_NUMBERS = [
    (("(一)决策公开",), None, "每年一季度公布本级重大行政决策事项目录。", (("区司法局", LEAD),),
     "3月底前", "2023-03-31", False),
    (("(一)决策公开",), None, "对涉及群众切身利益的决策草案公开征求意见不少于30日。", (("区政府办", LEAD),),
     "全年", "2023-12-31", False),
    (("(二)政策解读",), None, "出台政策同步发布图解或视频解读材料。", (("区发改局", LEAD), ("区财政局", COOP)),
     "长期坚持", None, False),
]


def test_a_number_column_under_the_task_header_is_the_sequence() -> None:
    plan = read(LAYOUT_TASK_OVER_NUMBERS)
    assert reading(plan) == EXPECTED_TASK_OVER_NUMBERS
    assert meaning_of(plan, 1) == H.SEQ
    assert "序号" in plan.column_reasons[1]
    assert plan.tasks[0].extra == {"序号": "1"}


# -- 3. 具体要求 spanning the number column and the text column -------------------------

LAYOUT_REQUIREMENT_OVER_NUMBERS = grid_of([
    ["工作任务", "具体要求", "具体要求", "责任单位", "完成时限"],
    across("一、公开平台", 5),
    ["(一)网站建设", "1", "完成政府网站集约化迁移,关停长期不更新的栏目。", "区大数据中心", "10月底前"],
    ["(一)网站建设", "2.0", "政务新媒体账号全部纳入统一管理。", "区委网信办牵头,各部门配合", "全年"],
], merged=[(0, 1, 0, 2), (1, 0, 1, 4), (2, 0, 3, 0)])


def test_a_number_column_under_the_requirement_header_is_the_sequence() -> None:
    plan = read(LAYOUT_REQUIREMENT_OVER_NUMBERS, source="2023年表.xlsx")
    assert reading(plan) == [
        (("一、公开平台", "(一)网站建设"), None, "完成政府网站集约化迁移,关停长期不更新的栏目。",
         (("区大数据中心", LEAD),), "10月底前", "2023-10-31", False),
        (("一、公开平台", "(一)网站建设"), None, "政务新媒体账号全部纳入统一管理。",
         (("区委网信办", LEAD), ("各部门", COOP)), "全年", "2023-12-31", False),
    ]
    assert meaning_of(plan, 1) == H.SEQ and meaning_of(plan, 2) == H.REQUIREMENT


# -- 4. 工作要求 | 一级要点 | 二级要点 | 责任单位, no deadline column ------------------------

LAYOUT_POINTS = grid_of([
    across("2023年某市政务公开工作要点任务分工", 4),
    ["工作要求", "一级要点", "二级要点", "责任单位"],
    ["一、围绕稳增长做好公开", "(一)财政信息", "按时公开本级政府预决算和部门预决算,细化到功能分类项级科目。", "市财政局"],
    ["一、围绕稳增长做好公开", "(一)财政信息", "公开政府债务限额、余额和使用安排情况。", "市财政局牵头落实"],
    ["一、围绕稳增长做好公开", "(二)项目信息", "集中公开重大建设项目批准、实施和竣工信息。", "市发改委等相关市直部门"],
    ["二、围绕惠民生做好公开", "(三)社保信息", "公开社会保险待遇标准调整情况,做好政策问答。",
     "市人社局、市医保局分别牵头落实"],
], merged=[(0, 0, 0, 3), (2, 0, 4, 0), (2, 1, 3, 1)])

EXPECTED_POINTS = [
    (("一、围绕稳增长做好公开", "(一)财政信息"), None, "按时公开本级政府预决算和部门预决算,细化到功能分类项级科目。",
     (("市财政局", LEAD),), "", None, False),
    (("一、围绕稳增长做好公开", "(一)财政信息"), None, "公开政府债务限额、余额和使用安排情况。",
     (("市财政局", LEAD),), "", None, False),
    (("一、围绕稳增长做好公开", "(二)项目信息"), None, "集中公开重大建设项目批准、实施和竣工信息。",
     (("市发改委", LEAD), ("相关市直部门", COOP)), "", None, False),  # A等B: B the group of the others
    (("二、围绕惠民生做好公开", "(三)社保信息"), None, "公开社会保险待遇标准调整情况,做好政策问答。",
     (("市人社局", LEAD), ("市医保局", LEAD)), "", None, False),
]


def test_headers_that_disagree_with_the_content_levels_and_requirement() -> None:
    plan = read(LAYOUT_POINTS)
    assert reading(plan) == EXPECTED_POINTS
    assert plan.mapping[H.HEADING] == [0, 1]
    assert plan.mapping[H.REQUIREMENT] == [2]
    assert "一、" in plan.column_reasons[0]
    # no deadline column: said once for the plan, no task flagged
    assert not plan.has_deadline_column
    assert plan.review_count == 0
    assert sum("完成时限" in w for w in plan.warnings) == 1
    assert reading_doubts(plan) == []


def test_one_deadline_for_a_table_without_a_deadline_column() -> None:
    plan = read(LAYOUT_POINTS, default_deadline="12月底前")
    assert {(t.deadline.text, t.deadline.due_date) for t in plan.tasks} == {("12月底前", date(2023, 12, 31))}
    assert plan.review_count == 0
    assert any("12月底前" in w for w in plan.warnings)


# -- 5. 工作要求 | 工作任务 | 具体要求 | 责任单位 | 完成时限 -----------------------------------

LAYOUT_REQUIREMENT_HOLDS_HEADINGS = grid_of([
    ["工作要求", "工作任务", "具体要求", "责任单位", "完成时限"],
    ["一、深化重点领域公开", "(一)就业信息", "定期发布招聘岗位和技能培训信息,覆盖全部乡镇。", "县人社局", "每月"],
    ["一、深化重点领域公开", "(一)就业信息", "公开就业补贴申领条件和办理流程。", "县人社局、县财政局", "6月底前"],
    ["一、深化重点领域公开", "(二)教育信息", "公布义务教育招生范围和入学办法。", "县教体局", "7月底前"],
    ["二、加强平台建设", "(三)政府网站", "开展政府网站常态化检查并通报结果。", "县政府办", "每季度"],
], merged=[(1, 0, 3, 0)])


def test_a_requirement_header_over_merged_headings_is_a_heading_level() -> None:
    plan = read(LAYOUT_REQUIREMENT_HOLDS_HEADINGS, year=2023)
    assert reading(plan) == [
        (("一、深化重点领域公开", "(一)就业信息"), None, "定期发布招聘岗位和技能培训信息,覆盖全部乡镇。",
         (("县人社局", LEAD),), "每月", "2023-12-31", False),
        (("一、深化重点领域公开", "(一)就业信息"), None, "公开就业补贴申领条件和办理流程。",
         (("县人社局", LEAD), ("县财政局", COOP)), "6月底前", "2023-06-30", False),
        (("一、深化重点领域公开", "(二)教育信息"), None, "公布义务教育招生范围和入学办法。",
         (("县教体局", LEAD),), "7月底前", "2023-07-31", False),
        (("二、加强平台建设", "(三)政府网站"), None, "开展政府网站常态化检查并通报结果。",
         (("县政府办", LEAD),), "每季度", "2023-12-31", False),
    ]
    assert plan.mapping[H.HEADING] == [0, 1]


# -- 6. 目标 | 任务 | 主要内容 | 责任单位 | 时间安排: unnumbered levels --------------------

LAYOUT_GOALS = grid_of([
    across("2025年某街道政务公开工作方案任务表", 5),
    ["目标", "任务", "主要内容", "责任单位", "时间安排"],
    ["公开更透明", "财务公开", "社区居委会每季度公开财务收支明细。", "各社区", "每季度"],
    ["公开更透明", "财务公开", "街道部门预算在批复后二十日内公开。", "财政所", "二十日内"],
    ["公开更透明", "事务公开", "公布社区办事指南和服务承诺。", "便民服务中心", "5月底前"],
    ["公开更透明", "事务公开", "公开低保和临时救助对象名单。", "民政办", "每月"],
    ["服务更便民", "咨询服务", "设立政务公开专区,安排专人接待咨询。", "便民服务中心", "6月底前"],
], merged=[(0, 0, 0, 4), (2, 0, 5, 0), (2, 1, 3, 1), (4, 1, 5, 1)])


def test_unnumbered_goal_and_task_columns_are_two_levels() -> None:
    plan = read(LAYOUT_GOALS)
    assert [t.section for t in plan.tasks] == [
        ["公开更透明", "财务公开"], ["公开更透明", "财务公开"], ["公开更透明", "事务公开"],
        ["公开更透明", "事务公开"], ["服务更便民", "咨询服务"]]
    assert [t.requirement for t in plan.tasks][0] == "社区居委会每季度公开财务收支明细。"
    assert plan.tasks[1].deadline.text == "二十日内" and plan.tasks[1].deadline.needs_review
    assert plan.year == 2025


# -- 7. duty words in the unit cells ---------------------------------------------------

LAYOUT_DUTIES = grid_of([
    ["序号", "任务名称", "工作措施", "牵头单位", "完成时间"],
    ["1", "预决算公开", "细化部门预决算公开内容,公开三公经费说明。", "市财政局牵头落实", "2024年5月底前"],
    ["2", "教育医疗", "公开学校和医院收费项目及标准。", "市教育局、市卫健委、市民政局分别牵头落实", "2024年9月底前"],
    ["3", "执法公示", "全面落实行政执法公示制度。", "市直有关部门落实", "2024年12月底前"],
    ["4", "园区公开", "园区企业服务事项清单向社会公布。", "功能区管委会负责落实", "2024年6月底前"],
    ["5", "基层公开", "参照市级目录编制基层公开事项目录。", "各镇(街)参照落实", "2024年10月底前"],
    ["6", "信访公开", "公开信访事项办理程序和时限。",
     "市信访局、市司法局牵头,市政务服务中心配合;各县区参照落实", "2024年8月底前"],
    ["7", "法治宣传", "做好新出台法规规章的宣传解读。",
     "司法所牵头,党政综合办配合,各有关单位按职能分工落实", "2024年11月底前"],
])


def test_duty_words_in_unit_cells_become_roles() -> None:
    plan = read(LAYOUT_DUTIES)
    assert plan.year == 2024  # only the deadlines print it
    assert [t.title for t in plan.tasks] == ["预决算公开", "教育医疗", "执法公示", "园区公开", "基层公开",
                                             "信访公开", "法治宣传"]
    assert [[(u.name, u.role.value) for u in t.units] for t in plan.tasks] == [
        [("市财政局", LEAD)],
        [("市教育局", LEAD), ("市卫健委", LEAD), ("市民政局", LEAD)],
        [("市直有关部门", LEAD)],
        [("功能区管委会", LEAD)],
        [("各镇(街)", LEAD)],
        [("市信访局", LEAD), ("市司法局", LEAD), ("市政务服务中心", COOP), ("各县区", COOP)],
        [("司法所", LEAD), ("党政综合办", COOP), ("各有关单位", COOP)],
    ]
    assert [t.deadline.due_date for t in plan.tasks][:2] == [date(2024, 5, 31), date(2024, 9, 30)]


# -- 8. the requirement under a header nobody listed: the content decides ---------------

LAYOUT_UNKNOWN_REQUIREMENT_HEADER = grid_of([
    ["2023年度某局政务公开任务台账"],
    ["序号", "事项", "责任单位", "完成时限"],
    ["1", "在门户网站公开本局权责清单和随机抽查事项清单。", "法规科", "3月底前"],
    ["2", "按季度公开行政许可和行政处罚结果信息。", "审批科、执法大队", "每季度"],
    ["3", "编制并发布年度政府信息公开工作报告。", "办公室", "1月31日前"],
])


def test_a_requirement_column_is_found_by_its_long_sentences() -> None:
    plan = read(LAYOUT_UNKNOWN_REQUIREMENT_HEADER)
    assert reading(plan) == [
        ((), None, "在门户网站公开本局权责清单和随机抽查事项清单。", (("法规科", LEAD),), "3月底前", "2023-03-31", False),
        ((), None, "按季度公开行政许可和行政处罚结果信息。", (("审批科", LEAD), ("执法大队", COOP)),
         "每季度", "2023-12-31", False),
        ((), None, "编制并发布年度政府信息公开工作报告。", (("办公室", LEAD),), "1月31日前", "2023-01-31", False),
    ]
    assert "长句" in plan.column_reasons[1]


# -- 9. a running number column under a heading header ---------------------------------

LAYOUT_NUMBERS_UNDER_CATEGORY = grid_of([
    ["类别", "工作内容", "责任单位", "完成时限"],
    ["1", "公开城乡低保标准和特困供养标准。", "县民政局", "3月底前"],
    ["2", "公开城镇老旧小区改造计划和进展。", "县住建局", "12月底前"],
    ["3", "公开耕地地力保护补贴发放情况。", "县农业农村局、各乡镇", "11月底前"],
    ["4", "公开重点排污单位名录。", "县生态环境分局", "2月底前"],
])


def test_a_running_sequence_is_the_sequence_whatever_its_header() -> None:
    plan = read(LAYOUT_NUMBERS_UNDER_CATEGORY, year=2023)
    assert [t.section for t in plan.tasks] == [[], [], [], []]
    assert [t.title for t in plan.tasks] == [None] * 4
    assert meaning_of(plan, 0) == H.SEQ
    assert [u.name for u in plan.tasks[2].units] == ["县农业农村局", "各乡镇"]


# -- 10. no year printed anywhere --------------------------------------------------------

LAYOUT_NO_YEAR = grid_of([
    ["某县政务公开重点工作任务分解表"],
    ["工作任务", "具体要求", "责任单位", "完成时限"],
    ["(一)预算公开", "公开本级部门预算和三公经费预算。", "县财政局", "6月底前"],
    ["(一)预算公开", "公开部门决算并做好说明。", "县财政局", "9月底前"],
])


def test_no_year_is_said_and_the_year_option_settles_it() -> None:
    plan = read(LAYOUT_NO_YEAR, today=date(2026, 3, 1))
    assert not plan.year_found and plan.year == 2026
    given_year = read(LAYOUT_NO_YEAR, year=2023)
    assert given_year.year_found and given_year.tasks[0].deadline.due_date == date(2023, 6, 30)


# -- 11. two-row header: 牵头单位 / 配合单位, the cooperate cell with duty words ------------

LAYOUT_TWO_ROW_HEADER = grid_of([
    ["序号", "主要任务", "具体措施", "责任单位", "责任单位", "完成时限"],
    ["", "", "", "牵头单位", "配合单位", ""],
    ["1", "数据开放", "分批开放交通、气象等公共数据集不少于20个。", "市大数据局", "各县区参照落实", "2024年6月底前"],
    ["2", "数据开放", "建立公共数据开放需求受理机制。", "市大数据局", "市直有关部门配合", "2024年12月底前"],
], merged=[(0, 3, 0, 4), (0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 5, 1, 5), (2, 1, 3, 1)])


def test_two_row_header_with_duty_words_in_the_cooperate_column() -> None:
    plan = read(LAYOUT_TWO_ROW_HEADER)
    assert reading(plan) == [
        (("数据开放",), None, "分批开放交通、气象等公共数据集不少于20个。", (("市大数据局", LEAD), ("各县区", COOP)),
         "2024年6月底前", "2024-06-30", False),
        (("数据开放",), None, "建立公共数据开放需求受理机制。", (("市大数据局", LEAD), ("市直有关部门", COOP)),
         "2024年12月底前", "2024-12-31", False),
    ]


# -- 12. semicolons: city units; town units -------------------------------------------

LAYOUT_SEMICOLONS = grid_of([
    ["2023年某县政务公开工作要点分工"],
    ["工作任务", "具体要求", "责任单位", "完成时限"],
    across("一、推进基层公开", 4),
    ["", "更新基层政务公开事项标准目录,在各村公开栏张贴。", "县司法局、县政务服务中心;各乡镇人民政府", "全年"],
    ["", "开展基层政务公开专区评比。", "县政府办;各乡镇人民政府", "11月底前"],
], merged=[(2, 0, 2, 3)])


def test_semicolon_separated_unit_groups() -> None:
    plan = read(LAYOUT_SEMICOLONS)
    assert reading(plan) == [
        (("一、推进基层公开",), None, "更新基层政务公开事项标准目录,在各村公开栏张贴。",
         (("县司法局", LEAD), ("县政务服务中心", COOP), ("各乡镇人民政府", COOP)), "全年", "2023-12-31", False),
        (("一、推进基层公开",), None, "开展基层政务公开专区评比。",
         (("县政府办", LEAD), ("各乡镇人民政府", COOP)), "11月底前", "2023-11-30", False),
    ]


# -- 13. 序号 numbers sections 一/二 and tasks 1/2; the task column holds the text --------

LAYOUT_SEQ_NUMBERS_SECTIONS = grid_of([
    ["2023年某区重点工作任务分解"],
    ["序号", "工作任务", "责任单位", "完成时限"],
    ["一", "推进决策公开", "", ""],
    ["1", "建立重大决策预公开制度,公开决策草案和起草说明。", "区司法局", "6月底前"],
    ["二", "深化执行公开", "", ""],
    ["2", "公开重点项目建设进度,接受社会监督。", "区发改局", "每半年"],
])


def test_section_numbers_in_the_sequence_column() -> None:
    plan = read(LAYOUT_SEQ_NUMBERS_SECTIONS)
    assert reading(plan) == [
        (("推进决策公开",), None, "建立重大决策预公开制度,公开决策草案和起草说明。", (("区司法局", LEAD),),
         "6月底前", "2023-06-30", False),
        (("深化执行公开",), None, "公开重点项目建设进度,接受社会监督。", (("区发改局", LEAD),),
         "每半年", "2023-12-31", False),
    ]


# -- 14. units typed together, split by the unit directory ------------------------------

LAYOUT_RUN_TOGETHER = grid_of([
    ["2023年某区任务表"],
    ["具体要求", "责任单位", "完成时限"],
    ["公开涉企收费目录清单。", "区发改局区财政局", "6月底前"],
    ["公开招商引资优惠政策。", "区商务局", "6月底前"],
])


def test_the_unit_directory_splits_names_typed_together() -> None:
    plan = read(LAYOUT_RUN_TOGETHER)
    assert [u.name for u in plan.tasks[0].units] == ["区发改局区财政局"]
    assert apply_unit_directory(plan, ["区发改局", "区财政局", "区商务局"]) == 1
    assert [(u.name, u.role.value) for u in plan.tasks[0].units] == [("区发改局", LEAD), ("区财政局", COOP)]
    assert "区发改局区财政局" not in plan.unit_names


# -- 15. the guard: a reading that looks wrong -------------------------------------------

def test_a_garbage_reading_is_doubted_in_plain_words() -> None:
    grid = grid_of([
        ["2023年某县任务表"],
        ["序号", "具体要求", "责任单位", "完成时限"],
        *[[str(i), f"做好第{i}项公开工作,按要求公开相关信息。", "", "按要求"] for i in range(1, 7)],
    ])
    plan = read(grid)
    doubts = reading_doubts(plan)
    assert any("责任单位" in d for d in doubts)
    assert any("完成时限" in d for d in doubts)
    numeric = read(grid, column_map=parse_column_map("requirement=A"))
    assert any("具体要求" in d and "数字" in d for d in reading_doubts(numeric))


# -- 16. group numbers merged down beside their merged task name, units under an unknown header

LAYOUT_GROUP_NUMBERS = grid_of([
    ["2024年某县政务公开重点任务清单"],
    ["工作任务", "工作任务", "推进措施", "落实主体", "完成时限"],
    ["1", "优化营商环境", "公开涉企行政检查事项清单。", "县市场监管局", "6月底前"],
    ["1", "优化营商环境", "公开惠企政策兑现情况。", "县发改局、县财政局", "12月底前"],
    ["2", "保障民生", "公开城乡居民医保缴费标准。", "县医保局", "3月底前"],
    ["2", "保障民生", "公开困难群众救助资金发放情况。", "县民政局", "每季度"],
], merged=[(1, 0, 1, 1), (2, 0, 3, 0), (2, 1, 3, 1), (4, 0, 5, 0), (4, 1, 5, 1)])


def test_group_numbers_merged_down_and_units_under_an_unknown_header() -> None:
    plan = read(LAYOUT_GROUP_NUMBERS)
    assert meaning_of(plan, 0) == H.SEQ
    assert meaning_of(plan, 3) == H.UNITS
    assert reading(plan) == [
        (("优化营商环境",), None, "公开涉企行政检查事项清单。", (("县市场监管局", LEAD),), "6月底前", "2024-06-30", False),
        (("优化营商环境",), None, "公开惠企政策兑现情况。", (("县发改局", LEAD), ("县财政局", COOP)),
         "12月底前", "2024-12-31", False),
        (("保障民生",), None, "公开城乡居民医保缴费标准。", (("县医保局", LEAD),), "3月底前", "2024-03-31", False),
        (("保障民生",), None, "公开困难群众救助资金发放情况。", (("县民政局", LEAD),), "每季度", "2024-12-31", False),
    ]
    assert "单位名称" in plan.column_reasons[3]


# -- 17. a key-task list whose task names are longer than their short requirements ------

LAYOUT_LONG_TITLES = grid_of([
    ["2023年某区重点任务清单"],
    ["序号", "重点任务", "工作内容", "牵头单位", "完成时间"],
    ["1", "深化重大行政决策事项目录管理", "公布决策目录。", "区司法局", "3月底前"],
    ["2", "推进政府信息主动公开基本目录建设", "完善公开目录。", "区政府办", "9月底前"],
])


def test_a_requirement_header_wins_over_longer_task_names() -> None:
    plan = read(LAYOUT_LONG_TITLES)
    assert [(t.title, t.requirement) for t in plan.tasks] == [
        ("深化重大行政决策事项目录管理", "公布决策目录。"), ("推进政府信息主动公开基本目录建设", "完善公开目录。")]


# -- properties ---------------------------------------------------------------------------

BASES = {
    "task-over-numbers": LAYOUT_TASK_OVER_NUMBERS,
    "requirement-over-numbers": LAYOUT_REQUIREMENT_OVER_NUMBERS,
    "points": LAYOUT_POINTS,
    "requirement-holds-headings": LAYOUT_REQUIREMENT_HOLDS_HEADINGS,
    "section-words": LAYOUT_SECTION_WORDS,
    "duties": LAYOUT_DUTIES,
    "unknown-requirement-header": LAYOUT_UNKNOWN_REQUIREMENT_HEADER,
    "numbers-under-category": LAYOUT_NUMBERS_UNDER_CATEGORY,
    "goals": LAYOUT_GOALS,
    "semicolons": LAYOUT_SEMICOLONS,
    "group-numbers": LAYOUT_GROUP_NUMBERS,
    "long-titles": LAYOUT_LONG_TITLES,
    "seq-numbers-sections": LAYOUT_SEQ_NUMBERS_SECTIONS,
    "two-row-header": LAYOUT_TWO_ROW_HEADER,
}


def permuted(grid: Grid, order: list[int], blank_at: int | None, keep_merges: bool) -> Grid:
    """Columns in ``order`` (a permutation), optionally a blank column inserted, and the
    merge ranges either kept (vertical ones follow their column) or dropped, leaving
    the repeated text as a reader that does not know merges would give it."""
    cols: list[int | None] = list(order)
    if blank_at is not None:
        cols.insert(blank_at, None)
    rows = [[row[c] if c is not None else "" for c in cols] for row in grid.rows]
    merged = []
    if keep_merges:
        where = {c: i for i, c in enumerate(cols) if c is not None}
        for r0, c0, r1, c1 in grid.merged:
            if c0 == c1:
                merged.append((r0, where[c0], r1, where[c0]))
            else:  # a horizontal merge stays one only where its columns stay together
                new = sorted(where[c] for c in range(c0, c1 + 1))
                if new == list(range(new[0], new[-1] + 1)):
                    merged.append((r0, new[0], r1, new[-1]))
    return Grid(name=grid.name, rows=rows, merged=merged)


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BASES)), st.randoms(use_true_random=False), st.booleans(), st.booleans(),
       st.booleans())
def test_column_order_blank_columns_and_merges_never_change_the_reading(
        name: str, rnd: random.Random, shuffle: bool, blank: bool, keep_merges: bool) -> None:
    base = BASES[name]
    expected = reading(read(base, year=2023))
    order = list(range(base.width))
    if shuffle:
        rnd.shuffle(order)
    blank_at = rnd.randrange(base.width + 1) if blank else None
    plan = read(permuted(base, order, blank_at, keep_merges), year=2023)
    assert reading(plan) == expected


def _as_number(text: str):
    return int(text) if text.isdigit() else (float(text) if text.replace(".", "", 1).isdigit() else text)


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["task-over-numbers", "requirement-over-numbers", "numbers-under-category", "duties"]),
       st.sampled_from(["text", "int", "float"]), st.booleans())
def test_numbers_as_numbers_or_text_and_merged_or_repeated_cells_in_a_real_file(
        tmp_path_factory, name: str, numbers: str, merge: bool) -> None:
    """Through an xlsx file and the real reader: numbers stored as text, int or float;
    heading cells merged (value only in the first cell) or printed on every row."""
    import openpyxl

    from zwgk_desktop.io.readers import read_workbook

    base = BASES[name]
    book = openpyxl.Workbook()
    sheet = book.active
    covered = {(r, c) for r0, c0, r1, c1 in base.merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
               if (r, c) != (r0, c0)} if merge else set()
    for r, row in enumerate(base.rows):
        for c, value in enumerate(row):
            if not value or (r, c) in covered:
                continue
            stripped = value.strip()
            if numbers != "text" and stripped.replace(".", "", 1).isdigit():
                number = float(stripped) if numbers == "float" else int(float(stripped))
                sheet.cell(r + 1, c + 1, number)
            else:
                sheet.cell(r + 1, c + 1, value)
    if merge:
        for r0, c0, r1, c1 in base.merged:
            sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    path = Path(tmp_path_factory.mktemp("x")) / "2023年表.xlsx"
    book.save(path)
    plan = read_plan(read_workbook(path), ReadOptions(year=2023))
    assert reading(plan) == reading(read(base, year=2023))



@pytest.mark.parametrize(("row", "score"), [
    (["一、重点任务"] * 4, 0),  # one merged value repeated
    (["一、重点任务", "责任单位", "完成时限"], 0),  # starts with section numbering: a section row
    (["序号", "具体要求", "序号", "完成时限"], 0),  # 序号 twice: not a header
    (["完成时限", "具体要求", "责任单位", "完成时间"], 0),  # two deadline columns: not a header
    (["工作任务", "工作任务", "责任单位"], 2),  # merged over two columns counts once
    (["工作要求", "工作任务", "具体要求", "责任单位", "完成时限"], 4),  # task-text words may repeat
    (["序号", "事项", "责任单位", "备注"], 2),
])
def test_header_rows_are_scored_by_distinct_meanings(row: list[str], score: int) -> None:
    from zwgk_desktop.io.header_detection import row_score

    assert row_score(row) == score
