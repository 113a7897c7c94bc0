"""No plan may stop the 季度报告: hundreds of sections, one, none, 80 units, a
2,000-character requirement, a 300-character unit cell, an empty quarter. Generated
plans go through the ledger into both the PDF and the Word document; and the detail
table's page breaks keep section rows with their first task without ever breaking a
page for a section."""

from __future__ import annotations

import tempfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.core.test_report_data import crafted_plan
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import build_report
from zwgk_desktop.io.docx_report import render_docx
from zwgk_desktop.io.long_table import MIN_SPLIT_LINES, GridBuilder, page_break
from zwgk_desktop.io.pdf_document import L_HEIGHT
from zwgk_desktop.io.pdf_fonts import FontSet, load_font_set
from zwgk_desktop.io.pdf_report import render_report

UNITS = [f"县第{i}局" for i in range(1, 81)]  # 80 units
TEXT = st.text(alphabet=st.sampled_from(list("政务公开推进解读目录信息网站,。;:“”()《》、ABCxyz0123 <>&\n\t𠮷")),
               min_size=1, max_size=60)
DEADLINES = ["12月底前", "6月底前", "全年", "长期坚持", "9月30日前", "", "每季度"]


@st.composite
def plans(draw):
    sections = draw(st.sampled_from([0, 1, 3, 120, 300]))
    tasks = max(sections, draw(st.integers(0, 30)))
    rows = []
    for i in range(tasks):
        if sections == 0:
            section: list[str] = []
        else:
            top = i * sections // max(tasks, 1)
            section = [f"第{top + 1}部分" + draw(st.sampled_from(["", "重点工作", "推进" * 30]))]
            if draw(st.booleans()):
                section.append(f"({i % 7 + 1})" + draw(TEXT).replace("\n", ""))
        requirement = draw(TEXT) + ("较长的具体要求," * draw(st.sampled_from([0, 0, 1, 250])))
        units = "、".join(draw(st.lists(st.sampled_from(UNITS), min_size=0, max_size=8, unique=True)))
        if draw(st.integers(0, 9)) == 0:
            units = "、".join(UNITS[:45])[:300]  # a 300-character unit cell
        rows.append((section, requirement or "无", units or "县政府办", draw(st.sampled_from(DEADLINES))))
    return rows, draw(st.booleans()), draw(st.booleans())


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return load_font_set()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                   HealthCheck.function_scoped_fixture])
@given(plans())
@example(([([f"第{i + 1}部分重点工作"], "推进政务公开。" * (300 if i == 7 else 1),
            "、".join(UNITS[:45])[:300] if i == 9 else "、".join(UNITS[i % 80:i % 80 + 3]), "6月底前")
           for i in range(300)], False, True))  # 300 sections, a 2,100-character requirement, a 300-character unit cell
@example(([], True, False))  # no tasks in scope, an empty quarter
def test_any_plan_renders_as_pdf_and_word(fonts: FontSet, plan) -> None:
    rows, empty_quarter, with_evidence = plan
    with tempfile.TemporaryDirectory() as folder:
        with Ledger.open(Path(folder) / "ledger") as ledger:
            if rows:
                write_plan(ledger, crafted_plan(rows), "e" * 64)
            else:  # a plan with no tasks at all
                write_plan(ledger, crafted_plan([([], "唯一任务。", "县政府办", "全年")]), "e" * 64)
            plan_id = ledger.plans()[0].id
            ids = ledger.task_ids(plan_id)
            if not rows:
                ledger.set_status(ids[0], Status.NOT_APPLICABLE, date(2023, 1, 2))
            if not empty_quarter:
                for n, tid in enumerate(ids):
                    if n % 3 == 0:
                        ledger.set_status(tid, Status.DONE, date(2023, 8, 1))
                    if n % 4 == 0:
                        ledger.set_progress(tid, Quarter(2023, 3), "已完成。" * (1 + n % 50))
            data = build_report(ledger, plan_id, Quarter(2023, 3), with_evidence=with_evidence)
        pdf = BytesIO()
        result = render_report(data, pdf, fonts)
        assert result.pages >= 2 and pdf.getvalue().startswith(b"%PDF-")
        word = BytesIO()
        assert render_docx(data, word).rows == len(data.rows)
        assert word.getvalue()[:2] == b"PK"


def _rows(fonts: FontSet, sections: int, per_section: list[int]) -> GridBuilder:
    grid = GridBuilder(fonts, [40.0, 300.0, 200.0], 9, 10.5)
    for s in range(sections):
        grid.add_section(f"第{s + 1}部分", 0)
        for t in range(per_section[s % len(per_section)]):
            grid.add([([(str(t), "body")], "center"), ([("推进政务公开。" * (3 + 11 * (t % 5)), "body")], "left"),
                      ([("县政府办", "body")], "left")])
    return grid


@pytest.mark.parametrize("per_section", [[1], [2, 5], [1, 9, 3], [4]])
def test_no_section_change_starts_a_page_by_itself(fonts: FontSet, per_section: list[int]) -> None:
    grid = _rows(fonts, 60, per_section).build(["序号", "具体要求", "责任单位"], L_HEIGHT)
    page_space = L_HEIGHT - grid.header.height
    pages = []
    part, space = grid, page_space * 0.4  # the table starts below a title on its first page
    while True:
        pieces = part.split(0, space + grid.header.height)
        if not pieces:  # nothing fits below the title: the table starts on the next page
            assert space < page_space
            space = page_space
            continue
        pages.append((pieces[0], space))
        if len(pieces) == 1:
            break
        part, space = pieces[1], page_space
    assert len(pages) > 3
    for (before, room), (after, _) in zip(pages, pages[1:]):
        assert before.rows[-1].section < 0, "a section row ends a page"
        if after.rows[0].section >= 0:  # a page starts with a section change: it could not go before
            used = sum(r.height for r in before.rows)
            heads = [r for r in after.rows if r.section >= 0]
            first_task = next(r for r in after.rows if r.section < 0)
            need = sum(r.height for r in heads) + min(first_task.height,
                                                                    MIN_SPLIT_LINES * 10.5 + 3.5)
            assert used + need > room - 0.01, "a page was broken for a section change"


def test_page_break_places_something_on_a_fresh_page(fonts: FontSet) -> None:
    grid = GridBuilder(fonts, [100.0], 9, 10.5)
    grid.add_section("第一部分" * 400, 0)  # a section row taller than a page
    grid.add([([("任务。", "body")], "left")])
    built = grid.build(["具体要求"], 200)
    k, keep = page_break(built.rows, 200 - built.header.height, 10.5, 200 - built.header.height)
    assert (k, keep) != (0, 0)


def test_a_row_continued_on_the_next_page_shows_its_number_again(fonts: FontSet) -> None:
    grid = GridBuilder(fonts, [40.0, 120.0], 9, 10.5)
    grid.add([([("17", "body")], "center"), ([("推进政务公开。" * 40, "body")], "left")])
    row = grid.rows[0]
    first, rest = row.split_at(3, 10.5)
    texts = ["".join(piece for _, piece in runs) for _, runs in rest.cells[0][0]]
    assert texts == ["17"] and len(first.cells[1][0]) == 3
    assert len(rest.cells[1][0]) == row.lines - 3


def test_sections_that_start_together_share_one_row(fonts: FontSet) -> None:
    """"一、…" and its first "(一)…" are one section row (a row each cost a line of paper
    per sub-section: 250 rows at 5,000 tasks); a sub-section that starts alone runs in
    with its first task (the next test)."""
    from tests.core.test_report_data import crafted_plan as plan_of

    rows = [(["一、重点工作", "(一)政策解读"], "任务一。", "县政府办", "6月底前"),
            (["一、重点工作", "(一)政策解读"], "任务二。", "县政府办", "6月底前"),
            (["一、重点工作", "(二)平台建设"], "任务三。", "县政府办", "6月底前")]
    with tempfile.TemporaryDirectory() as folder:
        with Ledger.open(Path(folder) / "ledger") as ledger:
            write_plan(ledger, plan_of(rows), "f" * 64)
            data = build_report(ledger, ledger.plans()[0].id, Quarter(2023, 3))
    from zwgk_desktop.io.pdf_report import _Writer

    grid = _Writer(data, fonts).detail_table()
    sections = [r for r in grid.rows if r.section >= 0]
    texts = ["".join(piece for _, runs in r.cells[0][0] for _, piece in runs) for r in sections]
    assert texts == ["一、重点工作\u3000(一)政策解读"]
    assert [r.section for r in sections] == [0]
    fonts_used = [font for _, runs in sections[0].cells[0][0] for font, _ in runs]
    assert fonts_used[0] == fonts.font("heading") and fonts_used[-1] == fonts.font("kai")
    assert sections[0].lines == 1


def test_completion_by_section_is_a_bar_in_table_1(fonts: FontSet) -> None:
    """The chart by section repeated 表1's 完成率 (a page of bars at 15 sections, five at
    250): each row of 表1 now draws its rate as a bar in that column, 合计 too; a row
    with nothing to complete has none. The bars travel with their rows over pages."""
    from reportlab.pdfgen.canvas import Canvas

    from zwgk_desktop.core.report_data import Counts, GroupRow
    from zwgk_desktop.io.pdf_report import _Writer

    rows = [GroupRow(f"第{i}部分", Counts(total=4, done=i % 5, in_progress=0, not_started=4 - i % 5,
                                        not_applicable=0, overdue=1)) for i in range(250)]
    rows.append(GroupRow("第251部分", Counts(total=2, done=0, in_progress=0, not_started=0, not_applicable=2,
                                           overdue=0)))

    class Data:  # only what the table reads
        by_section = rows
        totals = Counts(total=1002, done=500, in_progress=0, not_started=500, not_applicable=2, overdue=250)

    writer = _Writer.__new__(_Writer)
    writer.data, writer.fonts = Data(), fonts
    grid = writer.group_table(rows, "章节")
    assert [r.bar for r in grid.rows] == [r.counts.completion for r in rows[:-1]] + [None, 500 / 1000]
    column, room = grid.bars
    assert column == 7 and 0 < room < grid.widths[7] / 2  # the text keeps less than half the cell
    first, rest = grid.split(grid.width, 400)
    assert [r.bar for r in first.rows + rest.rows] == [r.bar for r in grid.rows] and rest.bars == grid.bars
    drawn = []
    canvas = Canvas("unused.pdf")
    canvas.rect = lambda x, y, w, h, **kw: drawn.append((x, w))
    first.canv = canvas
    first.draw()
    tracks = [(x, w) for x, w in drawn if x > sum(grid.widths[:7])]
    left = sum(grid.widths[:7])
    assert tracks and all(left < x < left + 4 for x, _ in tracks)
    shares = [w for x, w in drawn if x > left]  # track, then the share of it filled
    track = max(shares)
    filled = sorted({round(w / track, 3) for w in shares if w < track})
    assert filled == sorted({round(r.bar, 3) for r in first.rows if r.bar and r.bar < 1})


def test_a_sub_section_runs_in_before_its_first_task(fonts: FontSet) -> None:
    """A sub-section that starts alone has no row of its own: its name, in 【】 and its
    face, starts its first task's 工作任务 cell; a part still has its row (with the
    sub-section that starts with it)."""
    from tests.core.test_report_data import crafted_plan as plan_of
    from zwgk_desktop.io.pdf_report import _Writer

    rows = [(["一、重点工作", "(一)政策解读"], "任务一。", "县政府办", "6月底前"),
            (["一、重点工作", "(二)平台建设"], "任务二。", "县政府办", "6月底前"),
            (["一、重点工作", "(二)平台建设"], "任务三。", "县政府办", "6月底前"),
            (["二、保障措施", "(一)组织领导"], "任务四。", "县政府办", "6月底前")]
    with tempfile.TemporaryDirectory() as folder:
        with Ledger.open(Path(folder) / "ledger") as ledger:
            write_plan(ledger, plan_of(rows), "f" * 64)
            data = build_report(ledger, ledger.plans()[0].id, Quarter(2023, 3))
    grid = _Writer(data, fonts).detail_table()

    def text(cell) -> str:
        return "".join(piece for _, runs in cell[0] for _, piece in runs)

    assert [text(r.cells[0]) for r in grid.rows if r.section >= 0] == ["一、重点工作\u3000(一)政策解读",
                                                                       "二、保障措施\u3000(一)组织领导"]
    tasks = [r for r in grid.rows if r.section < 0]
    assert [text(r.cells[1]) for r in tasks] == ["任务一。", "\u3010(二)平台建设\u3011任务二。", "任务三。", "任务四。"]
    runs = tasks[1].cells[1][0][0][1]
    assert runs[0][0] == fonts.font("kai") or fonts.font("kai") == fonts.font("body")


def build_counts():
    from zwgk_desktop.core.report_data import Counts

    return Counts(total=4, done=1, in_progress=1, not_started=2, not_applicable=0, overdue=1)


def test_a_part_starts_on_the_page_when_its_start_fits(fonts: FontSet) -> None:
    """Part 二 (heading, sentence, table) moves to the next page only when the heading,
    the sentence and the table's first lines do not fit; a tall first row counts with
    the lines it may leave on this page."""
    from reportlab.platypus import Paragraph

    from zwgk_desktop.io.pdf_document import P_WIDTH, Styles
    from zwgk_desktop.io.pdf_report import _with_first_rows

    styles = Styles(fonts)
    grid = GridBuilder(fonts, [100.0, 300.0])
    grid.add([([("县政府办", "body")], "left"), ([("1、2、3、" * 200, "body")], "left")])  # a tall row
    table = grid.build(["牵头单位", "任务序号"], 600)
    heading = Paragraph("二、逾期未完成任务", styles.heading)
    brk, *_ = _with_first_rows([heading, Paragraph("说明。", styles.body), table])
    lead = heading.wrap(P_WIDTH, 600)[1] + heading.getSpaceBefore() + Paragraph("说明。", styles.body).wrap(P_WIDTH, 600)[1]
    row = table.rows[0]
    need = lead + table.header.height + MIN_SPLIT_LINES * table.leading + (row.height - row.lines * table.leading)
    assert row.height > 300 and need < 150
    assert brk.wrap(P_WIDTH, need + 1) == (0, 0)  # fits: no break
    assert brk.wrap(P_WIDTH, need - 1) != (0, 0)  # does not: a page break


def test_seq_ranges() -> None:
    from zwgk_desktop.io.long_table import seq_ranges

    assert seq_ranges([]) == ""
    assert seq_ranges([7]) == "7"
    assert seq_ranges([1, 2, 4, 5, 6, 9, 10, 11, 12, 20]) == "1\u30012\u30014\u20146\u30019\u201412\u300120"


def test_fit_widths_finds_the_shortest_split(fonts: FontSet) -> None:
    """Against every split of the width, a character at a time: the fitted widths give
    the fewest lines (as laid out), or within 2% of them. Status cells of two hard lines
    and deadlines that fit on one line only at five characters are where taking one
    character at a time got stuck."""
    from zwgk_desktop.io.cjk_text import TextLayout
    from zwgk_desktop.io.long_table import fit_widths

    layout = TextLayout(fonts, 9)
    pad = 2.5 + 0.4 * 9
    texts = []
    for i in range(60):
        texts.append(["推进政务公开标准化规范化建设，" * (1 + i % 4), ("县发改局（牵头）、县财政局、" * (1 + i % 3))[:-1],
                      ["12月底前", "9月30日前", "全年"][i % 3], ["已完成\n（9月1日）", "未启动", "推进中\n（逾期）"][i % 3]])
    rows = [[layout.prepare([(t, "body")]) for t in row] for row in texts]
    head = [layout.prepare([(t, "heading")]) for t in ["工作任务", "责任单位", "完成时限", "完成状态"]]
    total = 9 * 60 + 4 * pad

    def lines(widths: list[float]) -> int:
        body = sum(max(len(layout.break_prepared(cell, w - pad)) for cell, w in zip(row, widths)) for row in rows)
        return body + max(len(layout.break_prepared(cell, w - pad)) for cell, w in zip(head, widths)) * 4

    fitted = lines(fit_widths(head, rows, total, 9, pad, rows_per_page=15))
    best = min(lines([9 * a + pad, 9 * b + pad, 9 * c + pad, total - 9 * (a + b + c) - 3 * pad])
               for a in range(20, 45) for b in range(4, 20) for c in range(2, 8) if 60 - a - b - c >= 2)
    assert fitted <= best * 1.02, (fitted, best)
