"""Work points written as prose, read into a draft task table.

Every notice here is written for the test (not copied); each pins the exact reading.
"""

from __future__ import annotations

from datetime import date

from zwgk_desktop.core.deadlines import DeadlineKind
from zwgk_desktop.core.units import Role
from zwgk_desktop.core.work_points import FLAG_NO_UNIT, draft_to_plan, read_work_points


def read(text: str):
    return read_work_points(text.strip("\n").split("\n"), "要点.txt")


def units(task):
    return [(u.name, u.role.value) for u in task.units]


def rows(draft):
    return [(t.section, t.title, t.requirement, t.units_text, t.deadline_text) for t in draft.tasks]


BRACKETS = """
某某县人民政府办公室关于印发2024年某某县政务公开工作要点的通知
各镇人民政府、街道办事处,县政府各部门:
现将《2024年某某县政务公开工作要点》印发给你们,请认真贯彻落实。
某某县人民政府办公室
2024年3月1日
2024年某某县政务公开工作要点
2024年全县政务公开工作的总体要求是:坚持以人民为中心,提升公开质效。
一、围绕稳增长做好信息公开
(一)围绕优化营商环境做好信息公开。按月发布涉企政策清单,做好政策兑现情况公开。(责任单位:县发展改革局、各镇(街区))
集中公开惠企政策申报指南。(县工信局负责落实)
(二)做好就业信息公开。按季度公开重点群体就业帮扶政策。(县人社局、县民政局、县残联分别负责落实)
二、围绕决策公开深化公众参与
(三)深化决策公开。年初公开重大行政决策事项目录(县司法局负责落实)。决策草案公开征求意见不少于30日(牵头单位:县司法局,责任单位:县政府各部门,完成时限:长期坚持)。
三、保障措施
各单位要加强组织领导,保障工作经费。
"""


def test_duty_brackets_in_each_form():
    draft = read(BRACKETS)
    assert draft.title == "2024年某某县政务公开工作要点"
    assert draft.year == 2024
    assert rows(draft) == [
        (["一、围绕稳增长做好信息公开", "(一)围绕优化营商环境做好信息公开"], None,
         "按月发布涉企政策清单,做好政策兑现情况公开。", "县发展改革局、各镇(街区)", ""),
        (["一、围绕稳增长做好信息公开", "(一)围绕优化营商环境做好信息公开"], None,
         "集中公开惠企政策申报指南。", "县工信局负责落实", ""),
        (["一、围绕稳增长做好信息公开", "(二)做好就业信息公开"], None,
         "按季度公开重点群体就业帮扶政策。", "县人社局、县民政局、县残联分别负责落实", ""),
        (["二、围绕决策公开深化公众参与", "(三)深化决策公开"], None,
         "年初公开重大行政决策事项目录。", "县司法局负责落实", ""),
        (["二、围绕决策公开深化公众参与", "(三)深化决策公开"], None,
         "决策草案公开征求意见不少于30日。", "牵头单位:县司法局;责任单位:县政府各部门", "长期坚持"),
    ]
    t = draft.tasks
    assert units(t[0]) == [("县发展改革局", "lead"), ("各镇(街区)", "cooperate")]
    assert units(t[1]) == [("县工信局", "lead")]
    assert units(t[2]) == [("县人社局", "lead"), ("县民政局", "lead"), ("县残联", "lead")]  # each leads
    assert units(t[4]) == [("县司法局", "lead"), ("县政府各部门", "cooperate")]
    assert all(not task.flags for task in t)
    # The preamble, the notice around the points and the closing part (no duty) are not tasks.
    reasons = {s.text: s.reason for s in draft.skipped}
    assert reasons["2024年全县政务公开工作的总体要求是:坚持以人民为中心,提升公开质效。"] == "前言"
    assert reasons["各单位要加强组织领导,保障工作经费。"] == "结尾"
    assert reasons["2024年3月1日"] == "前言"


def test_plan_is_what_a_table_reader_gives():
    plan = draft_to_plan(read(BRACKETS), year=None, source_name="要点.txt")
    assert plan.year == 2024 and plan.year_found
    assert [t.seq for t in plan.tasks] == [1, 2, 3, 4, 5]
    assert plan.sections[:2] == [("一、围绕稳增长做好信息公开",),
                                 ("一、围绕稳增长做好信息公开", "(一)围绕优化营商环境做好信息公开")]
    last = plan.tasks[4]
    assert last.deadline.kind is DeadlineKind.ONGOING
    assert last.units[0].role is Role.LEAD
    # The paragraph the task comes from travels with it.
    assert last.extra["原文"].startswith("(三)深化决策公开。")
    assert last.source_row == 13
    # A task whose bracket names no deadline has none (nothing guessed, nothing to check).
    assert plan.tasks[0].deadline.text == "" and not plan.tasks[0].deadline.needs_review
    with_default = draft_to_plan(read(BRACKETS), year=None, source_name="要点.txt", default_deadline="12月底前")
    assert [t.deadline.text for t in with_default.tasks] == ["12月底前"] * 4 + ["长期坚持"]
    assert plan.has_deadline_column


def test_several_tasks_in_one_paragraph_and_text_without_duty():
    draft = read("""
一、公开重点领域信息
做好财政预决算公开(县财政局负责落实);做好教育收费公开(责任单位:县教体局)。按时更新专栏内容。
""")
    assert [(t.requirement, t.units_text, t.flags) for t in draft.tasks] == [
        ("做好财政预决算公开。", "县财政局负责落实", []),
        ("做好教育收费公开。", "县教体局", []),
        ("按时更新专栏内容。", "", [FLAG_NO_UNIT]),
    ]
    plan = draft_to_plan(draft, year=2024, source_name="x.txt")
    assert plan.tasks[2].units == [] and plan.tasks[2].extra["需核对"] == FLAG_NO_UNIT
    assert any("1 项任务原文没有写明责任单位" in w for w in plan.warnings)


def test_labelled_lines_under_a_numbered_item():
    draft = read("""
一、规范政务新媒体
1.建立政务新媒体清单管理制度。对本系统账号逐一登记。
牵头单位:县委网信办
责任单位:县政府各部门、各镇(街道)
完成时限:2018年底前
2.开展账号检查。
责任单位:县政府办公室
""")
    assert [(t.section, t.title, t.requirement, t.units_text, t.deadline_text) for t in draft.tasks] == [
        (["一、规范政务新媒体"], "建立政务新媒体清单管理制度", "对本系统账号逐一登记。",
         "牵头单位:县委网信办;责任单位:县政府各部门、各镇(街道)", "2018年底前"),
        (["一、规范政务新媒体"], None, "开展账号检查。", "县政府办公室", ""),
    ]
    assert units(draft.tasks[0])[:2] == [("县委网信办", "lead"), ("县政府各部门", "cooperate")]
    plan = draft_to_plan(draft, year=2018, source_name="x.txt")
    assert plan.tasks[0].deadline.due_date == date(2018, 12, 31)


def test_brackets_inside_names_nested_and_mixed_width():
    draft = read("""
一、推进公共企事业单位信息公开
公开供电服务信息(责任单位:国网某某供电公司(县电力公司)、各镇(街区))。
公开供水价格(责任单位:县水务集团(县供水公司)。
公开燃气安全信息(责任单位:县住建局【牵头】、县市场监管局)
""")
    assert [(t.requirement, [u.name for u in t.units]) for t in draft.tasks] == [
        ("公开供电服务信息。", ["国网某某供电公司(县电力公司)", "各镇(街区)"]),
        ("公开供水价格。", ["县水务集团(县供水公司)"]),
        ("公开燃气安全信息。", ["县住建局", "县市场监管局"]),
    ]


def test_damaged_web_text():
    draft = read("""
首页 > 政务公开 > 政策文件
2024年某某区政务公开工作要点
一、深化政策解读
()深入解读重要政策措施。对新出台的政策同步发布解读材料(责任单位:各区直部门
(二)回应社会关切。及时回应网民留言(区政府办公室负责落实)。
()做好政策问答。编写政策问答库(责任单位:区司法局)
打印本页 关闭窗口
""")
    assert [(t.section, t.requirement, t.units_text, t.flags) for t in draft.tasks] == [
        (["一、深化政策解读", "(一)深入解读重要政策措施"], "对新出台的政策同步发布解读材料。", "各区直部门",
         ["原文的序号缺了数字,已按顺序补为“(一)”"]),
        (["一、深化政策解读", "(二)回应社会关切"], "及时回应网民留言。", "区政府办公室负责落实", []),
        (["一、深化政策解读", "(三)做好政策问答"], "编写政策问答库。", "区司法局",
         ["原文的序号缺了数字,已按顺序补为“(三)”"]),
    ]
    assert draft.title == "2024年某某区政务公开工作要点"
    assert {s.text for s in draft.skipped} >= {"首页 > 政务公开 > 政策文件", "打印本页 关闭窗口"}


def test_unclosed_bracket_stops_at_its_sentence():
    draft = read("""
一、加强平台建设
整合政务新媒体账号(责任单位:县融媒体中心。规范网站栏目设置(责任单位:县政府办公室)。
""")
    assert [(t.requirement, t.units_text) for t in draft.tasks] == [
        ("整合政务新媒体账号。", "县融媒体中心"),
        ("规范网站栏目设置。", "县政府办公室"),
    ]


def test_duty_on_its_own_line_belongs_to_the_task_before():
    draft = read("""
一、做好依申请公开
规范依申请公开答复文书。
(责任单位:县司法局、县政府办公室,完成时限:2024年6月底前)
""")
    assert [(t.requirement, t.units_text, t.deadline_text, t.flags) for t in draft.tasks] == [
        ("规范依申请公开答复文书。", "县司法局、县政府办公室", "2024年6月底前", []),
    ]


def test_brackets_that_are_not_duties_stay_in_the_text():
    draft = read("""
一、推进决策公开
邀请公众代表列席政府常务会议(含专题会议)不少于2次(县政府办公室负责落实)。
""")
    assert [(t.requirement, t.units_text) for t in draft.tasks] == [
        ("邀请公众代表列席政府常务会议(含专题会议)不少于2次。", "县政府办公室负责落实"),
    ]


def test_numbered_items_without_duties_are_one_task_each():
    draft = read("""
2024年某某市政务公开工作要点
一、聚焦发展深化公开
1.加强产业信息公开。公开产业政策。做好解读。
2.加强民生信息公开。
二、聚焦决策深化公开
3.推进决策公开。公开决策目录。
""")
    assert [(t.section, t.title, t.requirement, t.flags) for t in draft.tasks] == [
        (["一、聚焦发展深化公开"], "加强产业信息公开", "公开产业政策。做好解读。", [FLAG_NO_UNIT]),
        (["一、聚焦发展深化公开"], None, "加强民生信息公开。", [FLAG_NO_UNIT]),
        (["二、聚焦决策深化公开"], "推进决策公开", "公开决策目录。", [FLAG_NO_UNIT]),
    ]
    plan = draft_to_plan(draft, year=None, source_name="x.txt")
    assert not plan.has_deadline_column
    assert all(t.deadline.kind is DeadlineKind.UNKNOWN and not t.deadline.needs_review for t in plan.tasks)


def test_numbered_item_with_several_duties_is_a_section():
    draft = read("""
一、优化政务服务
1.推进一网通办。扩大网上办事范围(县行政审批局负责落实)。推广电子证照(县大数据中心负责落实)。
""")
    assert [(t.section, t.requirement) for t in draft.tasks] == [
        (["一、优化政务服务", "1.推进一网通办"], "扩大网上办事范围。"),
        (["一、优化政务服务", "1.推进一网通办"], "推广电子证照。"),
    ]


def test_text_that_is_not_work_points():
    draft = read("会议纪要\n今天开会讨论了三件事情,大家发言踊跃。\n散会。")
    assert not draft.recognised and draft.tasks == []


def test_year_not_printed():
    draft = read("一、做好公开\n公开财政信息(县财政局负责落实)。")
    plan = draft_to_plan(draft, year=None, source_name="x.txt", today=date(2025, 5, 1))
    assert plan.year == 2025 and not plan.year_found
    assert draft_to_plan(draft, year=2023, source_name="x.txt").year_found


def test_never_crashes_on_odd_text():
    odd = ["(", ")", "((((", "一、", "()", "(责任单位:", "1.", "附件", "(一)(二)(三)", "))))((((", "责任单位:",
           "一、(责任单位:甲)", "1.(甲负责落实)(乙负责落实)", "\u3000\u3000", "【】【", "(一)。。。"]
    for text in odd:
        draft = read_work_points([text, "做好公开(甲负责落实)。" + text], "x.txt")
        draft_to_plan(draft, year=2024, source_name="x.txt")


def test_more_duty_words_and_bracket_kinds():
    draft = read("""
一、其他写法
做好统计信息公开(市统计局牵头,各县区政府配合)。
做好审计结果公开【责任单位:市审计局】
做好价格信息公开(责任单位: 市发展改革委 ;完成时限:每季度)。
做好安全生产信息公开(市应急局负责,2024年6月底前完成)。
""")
    assert [(t.requirement, [(u.name, u.role.value) for u in t.units], t.deadline_text) for t in draft.tasks] == [
        ("做好统计信息公开。", [("市统计局", "lead"), ("各县区政府", "cooperate")], ""),
        ("做好审计结果公开。", [("市审计局", "lead")], ""),
        ("做好价格信息公开。", [("市发展改革委", "lead")], "每季度"),
        ("做好安全生产信息公开。", [("市应急局", "lead")], "2024年6月底前完成"),
    ]


def test_sentences_before_a_bracket_are_one_task():
    """A duty bracket covers every sentence since the previous one, as notices are written."""
    draft = read("一、做好公开\n公开预算。公开决算。(县财政局负责落实)公开审计结果(县审计局负责落实)。")
    assert [(t.requirement, t.units_text) for t in draft.tasks] == [
        ("公开预算。公开决算。", "县财政局负责落实"),
        ("公开审计结果。", "县审计局负责落实"),
    ]


def test_one_long_line_of_unbalanced_brackets_reads():
    text = "一、做好公开\n" + "(做好公开" * 5000 + "(县财政局负责落实)。"
    draft = read_work_points(text.split("\n"), "x.txt")
    assert draft.tasks[-1].units_text == "县财政局负责落实"


def test_never_crashes_on_any_text():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    alphabet = st.sampled_from(list("一二(())【】〔〕。;,:、1.①责任单位牵头负责落实分别配合完成时限月底前附件年日 \n某局"))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.text(alphabet, max_size=60), max_size=8))
    def check(paragraphs):
        draft = read_work_points(paragraphs, "x.txt")
        plan = draft_to_plan(draft, year=2024, source_name="x.txt")
        assert [t.seq for t in plan.tasks] == list(range(1, len(plan.tasks) + 1))
        assert all(t.requirement for t in plan.tasks)

    check()


def test_closing_part_with_duties_gives_tasks():
    draft = read("""
一、做好公开
公开财政信息(县财政局负责落实)。
四、保障措施
(一)加强组织领导。每年至少召开1次领导小组会议(县政府办公室负责落实)。
(二)强化考核。各单位要认真落实。
""")
    assert [(t.section, t.requirement) for t in draft.tasks] == [
        (["一、做好公开"], "公开财政信息。"),
        (["四、保障措施", "(一)加强组织领导"], "每年至少召开1次领导小组会议。"),
    ]
    assert [(s.text, s.reason) for s in draft.skipped] == [("(二)强化考核。各单位要认真落实。", "结尾")]


def test_cover_letter_with_its_table_as_web_text():
    draft = read("""
某某区人民政府办公室关于印发2024年某某区政务公开任务分解表的通知
一、提高认识。政务公开很重要。
二、抓好落实。请各单位认真落实。
附件
2024年某某区政务公开任务分解表
工作任务
责任单位
具体要求
完成时限
一、深化重点领域公开
(一)财政信息公开。
区财政局
区审计局
公开预算和决算信息。
12月底前
区政府各部门,各街道
公开专项资金分配结果。
2024年
6月底前
扫一扫在手机打开当前页
""")
    assert [(t.section, t.requirement, [u.name for u in t.units], t.deadline_text) for t in draft.tasks] == [
        (["一、深化重点领域公开", "(一)财政信息公开。"], "公开预算和决算信息。", ["区财政局", "区审计局"], "12月底前"),
        (["一、深化重点领域公开", "(一)财政信息公开。"], "公开专项资金分配结果。", ["区政府各部门", "各街道"],
         "2024年6月底前"),
    ]
    assert draft.title == "2024年某某区政务公开任务分解表"
    assert any("已按所附任务分解表" in w for w in draft.warnings)


def _wrap(text: str, width: int) -> list[str]:
    """Each paragraph broken every ``width`` characters, as a PDF converter does."""
    lines: list[str] = []
    for paragraph in text.strip("\n").split("\n"):
        lines += [paragraph[i:i + width] for i in range(0, len(paragraph), width)] or [""]
    return lines


def test_text_converted_from_pdf_has_its_lines_joined():
    text = """
2024年某某县政务公开工作要点
一、围绕稳增长做好信息公开
(一)围绕优化营商环境做好信息公开。按月发布涉企政策清单,做好政策兑现情况的公开和解读工作(责任单位:县发展改革局、各镇(街区))。
集中公开惠企政策申报指南,及时更新政策申报入口和办理流程说明(县工信局负责落实)。
二、围绕决策公开深化公众参与
(二)深化决策公开。年初公开重大行政决策事项目录并动态调整(县司法局负责落实)。决策草案公开征求意见不少于30日,意见采纳情况及时公开(牵头单位:县司法局,责任单位:县政府各部门,完成时限:长期坚持)。
"""
    wrapped = _wrap(text, 18)
    assert len(wrapped) > 15
    draft = read_work_points(wrapped, "要点.txt")
    assert [(t.section[-1], t.requirement, t.units_text) for t in draft.tasks] == [
        ("(一)围绕优化营商环境做好信息公开", "按月发布涉企政策清单,做好政策兑现情况的公开和解读工作。", "县发展改革局、各镇(街区)"),
        ("(一)围绕优化营商环境做好信息公开", "集中公开惠企政策申报指南,及时更新政策申报入口和办理流程说明。", "县工信局负责落实"),
        ("(二)深化决策公开", "年初公开重大行政决策事项目录并动态调整。", "县司法局负责落实"),
        ("(二)深化决策公开", "决策草案公开征求意见不少于30日,意见采纳情况及时公开。",
         "牵头单位:县司法局;责任单位:县政府各部门"),
    ]
    assert draft.title == "2024年某某县政务公开工作要点"


def test_lost_numeral_restored_where_numbering_restarts_per_part():
    draft = read("""
一、甲部分
(一)第一项。公开甲(甲局负责落实)。
二、乙部分
(一)第二项。公开乙(乙局负责落实)。
()第三项。公开丙(丙局负责落实)。
三、丙部分
()第四项。公开丁(丁局负责落实)。
""")
    assert [t.section[-1] for t in draft.tasks] == ["(一)第一项", "(一)第二项", "(二)第三项", "(一)第四项"]


def test_numbered_items_alone_are_work_points():
    draft = read("1.公开财政预算信息。按时公开。\n2.公开政府债务信息。\n")
    assert draft.recognised and [t.title for t in draft.tasks] == ["公开财政预算信息", None]
    assert not read("1.只有一项。\n").recognised
