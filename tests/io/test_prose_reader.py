"""Notices as files: a .docx without a task table and a .txt (UTF-8 or
GB18030) are read as work points; the notices in tests/data/reading (copies of the
real, public notices) read as a clerk reads them; the draft writes the official 分解表."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.work_points import FLAG_NO_UNIT, Draft, draft_to_plan, read_work_points
from zwgk_desktop.io.draft_writer import write_draft
from zwgk_desktop.io.table_reader import ReadOptions
from zwgk_desktop.io.plan_file import read_plan_file
from zwgk_desktop.io.prose_reader import (
    NOT_WORK_POINTS,
    read_plan_or_prose,
    read_prose_draft,
    workbook_or_draft,
)

READING = Path(__file__).resolve().parents[1] / "data" / "reading"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

NOTICE = [
    "2024年某某县政务公开工作要点",
    "一、聚焦发展强化公开",
    "(一)围绕项目建设做好信息公开。公开重点项目批准和实施信息(责任单位:县发展改革局、各镇(街道))。"
    "公开征地补偿标准(县自然资源局负责落实)。",
    "二、聚焦民生强化公开",
    "(二)做好救助信息公开。动态公开救助标准(县民政局、县医保局分别负责落实)。",
    "某某县人民政府办公室",
    "2024年2月1日",
]


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(path)
    return path


def reading_rows(plan):
    return [(t.seq, t.section, t.requirement, [(u.name, u.role.value) for u in t.units]) for t in plan.tasks]


EXPECTED = [
    (1, ["一、聚焦发展强化公开", "(一)围绕项目建设做好信息公开"], "公开重点项目批准和实施信息。",
     [("县发展改革局", "lead"), ("各镇(街道)", "cooperate")]),
    (2, ["一、聚焦发展强化公开", "(一)围绕项目建设做好信息公开"], "公开征地补偿标准。", [("县自然资源局", "lead")]),
    (3, ["二、聚焦民生强化公开", "(二)做好救助信息公开"], "动态公开救助标准。",
     [("县民政局", "lead"), ("县医保局", "lead")]),
]


def test_docx_without_a_table_reads_as_prose(tmp_path: Path) -> None:
    reading = read_plan_or_prose(make_docx(tmp_path / "通知.docx", NOTICE))
    assert reading.is_prose
    plan = reading.plan
    assert (plan.title, plan.year, plan.year_found) == ("2024年某某县政务公开工作要点", 2024, True)
    assert reading_rows(plan) == EXPECTED
    assert len(reading.digest) == 64


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_text_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "要点.txt"
    path.write_bytes("\r\n".join(NOTICE).encode(encoding))
    assert reading_rows(read_plan_or_prose(path).plan) == EXPECTED


def test_docx_with_a_task_table_reads_as_a_table(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "表.docx", ["2024年某某县政务公开任务分解表"], [
        ["序号", "具体要求", "责任单位", "完成时限"],
        ["1", "公开财政预算信息", "县财政局", "12月底前"],
    ])
    reading = read_plan_or_prose(path)
    assert not reading.is_prose and [t.requirement for t in reading.plan.tasks] == ["公开财政预算信息"]


def test_prose_forced_on_a_docx_that_also_has_a_table(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "两者.docx", NOTICE, [["序号", "具体要求", "责任单位", "完成时限"],
                                                      ["1", "公开财政预算信息", "县财政局", "12月底前"]])
    assert reading_rows(read_plan_or_prose(path, prose=True).plan) == EXPECTED


def test_neither_table_nor_work_points(tmp_path: Path) -> None:
    path = tmp_path / "纪要.txt"
    path.write_text("会议纪要\n大家发言踊跃。\n", encoding="utf-8")
    with pytest.raises(FileReadError) as info:
        read_plan_or_prose(path)
    assert info.value.problem == NOT_WORK_POINTS[0]
    with pytest.raises(FileReadError):
        read_plan_or_prose(make_docx(tmp_path / "空.docx", ["只是一句话"]))


def test_damaged_docx_is_said_to_be_damaged(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "通知.docx", NOTICE)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(FileReadError) as info:
        read_plan_or_prose(path, prose=True)
    assert "损坏" in info.value.problem


# -- the real notices ---------------------------------------------------------------


def test_linyi_work_points_one_task_per_numbered_item() -> None:
    reading = read_plan_or_prose(READING / "linyi_2023_work_points_and_table.txt")
    plan = reading.plan
    assert plan.title == "2023年临沂市政务公开工作要点" and plan.year == 2023
    assert plan.doc_number == "临政办字〔2023〕45号"
    assert len(plan.tasks) == 17
    by_section: dict[str, list[str]] = {}
    for task in plan.tasks:
        by_section.setdefault(task.section[0], []).append(task.title)
    assert by_section == {
        "一、聚焦绿色低碳高质量发展深化公开": ["加强高质量发展信息公开", "加强优化营商环境信息公开", "加强民生领域信息公开"],
        "二、聚焦更高水平决策深化公开": ["深入落实重大行政决策事项公开", "深入推动决策公众参与", "深入开展政策评价"],
        "三、聚焦政策发布解读回应深化公开": ["持续推进政策规范化公开", "持续抓好政策高质量解读", "持续深化社会关切回应"],
        "四、聚焦政务公开规范化建设深化公开": ["规范做好政府信息依申请公开答复工作", "持续深化公共企事业单位信息公开",
                                         "扎实推进基层政务公开"],
        "五、聚焦巩固工作基础深化公开": ["完善工作保障", "提升公开平台建管水平", "加强工作培训", "开展调查研究", "强化工作落实"],
    }
    assert all(t.units == [] and t.extra["需核对"] == FLAG_NO_UNIT for t in plan.tasks)
    assert plan.tasks[0].requirement.startswith("聚焦市委、市政府重点工作任务")
    assert plan.tasks[-1].requirement.endswith("打造具有临沂特色的政务公开品牌。")
    # The notice around the points, the 总体要求 and the attached (flattened) table are not tasks.
    reasons = {s.text[:12]: s.reason for s in reading.draft.skipped}
    assert reasons["2023年,临沂市政务公"] == "前言"
    assert reasons["附件:2023年临沂市政"] == "附件"
    assert any("这里按正文的工作要点读取" in w for w in plan.warnings)


def test_county_plan_tasks_are_the_numbered_items_of_组织实施() -> None:
    draft = read_prose_draft(READING / "county_standardization_plan.txt")
    assert [(t.section[-1], t.title) for t in draft.tasks] == [
        ("(一)推动政务公开事项标准化", "编制重点领域政务公开事项标准目录"),
        ("(一)推动政务公开事项标准化", "全面推进基层政务公开事项标准化规范化工作"),
        ("(二)推动政务公开工作制度化", "政府信息依法公开机制"),
        ("(二)推动政务公开工作制度化", "行政决策公众参与机制"),
        ("(二)推动政务公开工作制度化", "解读回应工作机制"),
        ("(二)推动政务公开工作制度化", "依申请公开工作机制"),
        ("(二)推动政务公开工作制度化", "政民互动工作机制"),
        ("(二)推动政务公开工作制度化", "社会关切回应工作机制"),
        ("(三)推动政务公开平台规范化", "充分发挥县政府网站“第一公开平台”作用"),
        ("(三)推动政务公开平台规范化", "因地制宜拓宽公开渠道"),
        ("(三)推动政务公开平台规范化", "严格做好政务新媒体备案和运维"),
    ]
    assert {t.section[0] for t in draft.tasks} == {"四、组织实施"}
    skipped = {s.text[:6]: s.reason for s in draft.skipped}
    assert skipped["一、指导思想"] == "前言" and skipped["三、主要目标"] == "前言"
    assert skipped["五、保障措施"] == "结尾" and skipped["(一)加强组"] == "结尾"
    assert skipped["扫一扫在手机"] == "网页内容或落款"
    assert draft.year is None  # the plan prints no year of its own: import asks for --year


def _as_in_sample(plan, sample: str):
    """The plan's tasks and the sample table's reading, white space ignored."""
    import json

    def sq(text):
        return "".join((text or "").split())

    expected = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))["tasks"]
    got = [([sq(x) for x in t.section], sq(t.requirement), [sq(u.name) for u in t.units], sq(t.deadline.text),
            t.deadline.due_date.isoformat() if t.deadline.due_date else None) for t in plan.tasks]
    want = [([sq(x) for x in e["section"]], sq(e["requirement"]),
             [sq(u if isinstance(u, str) else u["name"]) for u in e["units"]], sq(e["deadline_text"]), e["due_date"])
            for e in expected]
    return got, want


def test_rencheng_cover_letter_reads_its_attached_table() -> None:
    """The 任城 notice is a cover letter (一、提高思想认识 …: no unit, no numbered item);
    its tasks are in the attached 分解表, which the web page gives as text, one cell a
    line. That text reads exactly as the table itself (samples/rencheng_2023.json)."""
    reading = read_plan_or_prose(READING / "rencheng_2023_decomposition_notice.txt")
    plan = reading.plan
    assert plan.title == "2023年济宁市任城区政务公开重点工作任务分解表"
    assert plan.doc_number == "济任政办字〔2023〕24号"
    got, want = _as_in_sample(plan, "rencheng_2023.json")
    assert len(got) == 59 and got == want
    assert any("已按所附任务分解表" in w for w in plan.warnings)
    skipped = {s.text[:8]: s.reason for s in reading.draft.skipped}
    assert skipped["一、提高思想认识"] == "前言"


def test_linyi_attachment_alone_reads_as_its_table() -> None:
    """The 临沂 attachment without the work points before it: the table as text reads as
    samples/linyi_2023.json (a deadline cell wrapped as 2023年 / 6月底前 included)."""
    text = (READING / "linyi_2023_work_points_and_table.txt").read_text(encoding="utf-8")
    attachment = text[text.index("\n附件\n"):]
    draft = read_work_points(attachment.split("\n"), "附件.txt")
    plan = draft_to_plan(draft, year=2023, source_name="附件.txt")
    got, want = _as_in_sample(plan, "linyi_2023.json")
    assert len(got) == 65 and got == want


# -- the draft as the county's own table ------------------------------------------------


def test_draft_workbook_layout_and_read_back(tmp_path: Path) -> None:
    plan = read_plan_or_prose(make_docx(tmp_path / "通知.docx", NOTICE)).plan
    written = write_draft(plan, tmp_path / "分解表")
    assert written.name == "分解表.xlsx"
    sheet = openpyxl.load_workbook(written).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values == [
        ["2024年某某县政务公开工作要点任务分解表", None, None, None, None],
        ["序号", "工作任务", "具体要求", "责任单位", "完成时限"],
        ["一、聚焦发展强化公开", None, None, None, None],
        [1, "(一)围绕项目建设做好信息公开", "公开重点项目批准和实施信息。", "县发展改革局、各镇(街道)", None],
        [2, None, "公开征地补偿标准。", "县自然资源局", None],
        ["二、聚焦民生强化公开", None, None, None, None],
        [3, "(二)做好救助信息公开", "动态公开救助标准。", "县民政局、县医保局分别负责落实", None],
    ]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["A1:E1", "A3:E3", "A6:E6", "B4:B5"]
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    # The table reader reads the county's table back as the same tasks.
    back, _ = read_plan_file(written, ReadOptions(year=2024))
    assert [(t.section, t.requirement) for t in back.tasks] == [(t.section, t.requirement) for t in plan.tasks]
    assert [u.name for u in back.tasks[0].units] == ["县发展改革局", "各镇(街道)"]


def test_docx_with_a_table_that_is_no_task_table(tmp_path: Path) -> None:
    contacts = [["序号", "单位", "联系电话"], ["1", "县财政局", "1234"]]
    reading = read_plan_or_prose(make_docx(tmp_path / "通知.docx", NOTICE, contacts))
    assert reading.is_prose and reading_rows(reading.plan) == EXPECTED
    with pytest.raises(FileReadError) as info:  # no work points either: name the columns
        read_plan_or_prose(make_docx(tmp_path / "名单.docx", ["联系人名单"], contacts))
    assert "--map" not in info.value.advice and "每列下方选择" in info.value.advice  # the window's words
    assert "--map requirement=" in info.value.hint_cli  # the command line's own hint


def test_word_automatic_numbering_is_read_as_typed(tmp_path: Path) -> None:
    """一、 / (一) / 1. made by Word's numbering (not typed) still make the headings."""
    from docx.oxml import parse_xml

    document = docx.Document()
    numbering = document.part.numbering_part.element
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, level: int) -> None:
        p = document.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    document.add_paragraph("2024年某某县政务公开工作要点")
    numbered("聚焦发展强化公开", 0)
    numbered("加强产业信息公开。公开产业政策。", 1)
    numbered("加强民生信息公开。公开救助标准。", 1)
    numbered("夯实工作基础", 0)
    numbered("加强培训。每年培训一次。", 1)
    path = tmp_path / "自动编号.docx"
    document.save(path)
    draft = read_prose_draft(path)
    assert [(t.section, t.title) for t in draft.tasks] == [
        (["一、聚焦发展强化公开"], "加强产业信息公开"),
        (["一、聚焦发展强化公开"], "加强民生信息公开"),
        (["二、夯实工作基础"], "加强培训"),
    ]


def test_a_big_table_with_an_odd_header_is_not_taken_for_a_cover_letter(tmp_path: Path) -> None:
    """A Word table whose header the reader cannot place (the clerk names its columns)
    beats a few task-like paragraphs of the letter around it."""
    letter = ["2024年某某县政务公开任务分解表", "一、提高认识。各单位要高度重视。", "二、抓好落实。各单位要认真落实。"]
    odd = [["甲", "乙", "丙"]] + [[str(i), f"第{i}项工作的内容写在这里。", "县财政局"] for i in range(1, 8)]
    path = make_docx(tmp_path / "怪表头.docx", letter, odd)
    with pytest.raises(FileReadError) as info:
        read_plan_or_prose(path)
    assert "表头" in info.value.problem or "具体要求" in info.value.problem
    assert not isinstance(workbook_or_draft(path), Draft)
    assert read_plan_or_prose(path, prose=True).is_prose  # asked for: the letter's paragraphs


def test_web_page_saved_as_a_file(tmp_path: Path) -> None:
    page = ("<html><head><title>政策文件</title><style>p{color:red}</style></head><body>"
            "<div class='nav'>首页 &gt; 政务公开</div>"
            + "".join(f"<p>{text}</p>" for text in NOTICE)
            + "<script>var x = '一、不是标题';</script></body></html>")
    path = tmp_path / "要点.html"
    path.write_text(page, encoding="utf-8")
    reading = read_plan_or_prose(path)
    assert reading.is_prose and reading_rows(reading.plan) == EXPECTED
    assert "首页 > 政务公开" in {s.text for s in reading.draft.skipped}
