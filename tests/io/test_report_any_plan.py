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
