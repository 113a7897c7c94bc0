"""QA findings on the 2023Q3 report of the 任城 sample (issue 14): the detail table's
columns give room to what clerks write (进展 and 佐证材料 had seven characters while
责任单位 had eighteen; one 3,000-character note starved 佐证材料 and 完成时限), a
single huge cell cannot take a column's width, "100%" keeps a gap from its bar, and
the summary's words say what its numbers count (59 tasks listed, 58 counted, none due
by 9月30日)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from tests.conftest import squash
from tests.core.test_report_data import crafted_plan
from tests.io.report_sample import FILES, LONG_NOTE, PRINTED, Q3, rencheng_ledger
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.report_data import ReportData, build_report, count_summary, summary_sentences, zh
from zwgk_desktop.io.cjk_text import TextLayout
from zwgk_desktop.io.column_fit import DETAIL_FLOORS, fit_widths
from zwgk_desktop.io.long_table import GridBuilder
from zwgk_desktop.io.pdf_document import DETAIL_SIZE
from zwgk_desktop.io.pdf_fonts import FontSet, load_font_set
from zwgk_desktop.io.pdf_report import _Writer, render_report

PAD = 2.5 + 0.4 * DETAIL_SIZE  # a detail cell's padding (long_table: left pad and the room a closer hangs in)
HEAD = ["序号", "工作任务/具体要求", "责任单位", "完成时限", "完成状态", "本季度进展", "佐证材料"]


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return load_font_set()


def _report(ledger: Ledger, long_note: bool = False) -> ReportData:
    plan_id, _ = rencheng_ledger(ledger, long_note)
    return build_report(ledger, plan_id, Q3, printed_on=PRINTED)


def _columns(data: ReportData, fonts: FontSet) -> dict[str, float]:
    """The detail table's column widths, in characters of its 9 pt text."""
    grid = _Writer(data, fonts).detail_table()
    return {label: (width - PAD) / DETAIL_SIZE for label, width in zip(HEAD, grid.widths)}


def _one_line(fonts: FontSet, text: str, chars: float) -> bool:
    """Whether ``text`` is laid out on one line in a column ``chars`` characters wide."""
    return len(TextLayout(fonts, DETAIL_SIZE).lines([(text, "body")], chars * DETAIL_SIZE)) == 1


def _widest(fonts: FontSet, texts: list[str]) -> float:
    """The widest line of these texts, in characters of 9 pt, as the table measures it."""
    layout = TextLayout(fonts, DETAIL_SIZE)
    return max(max(TextLayout.paragraph_widths(layout.prepare([(t, "body")])) or [0.0]) for t in texts) / DETAIL_SIZE


def test_notes_and_evidence_get_a_readable_width(ledger: Ledger, fonts: FontSet) -> None:
    """The QA screenshot: 进展 7 characters wide (a two-line note in eight lines),
    佐证材料 7.5 (an address broken a character at a time), 责任单位 18.5."""
    data = _report(ledger)
    width = _columns(data, fonts)
    assert width["本季度进展"] >= DETAIL_FLOORS["本季度进展"] - 0.01 >= 12 - 0.01
    assert width["佐证材料"] >= DETAIL_FLOORS["佐证材料"] - 0.01 >= 10 - 0.01
    assert width["责任单位"] <= _widest(fonts, [row.units for row in data.rows] + ["责任单位"]) + 0.01
    # "12月底前" and "(9月20日)" each on a line of their own.
    assert _one_line(fonts, "12月底前", width["完成时限"])
    assert _one_line(fonts, zh("(9月20日)"), width["完成状态"])
    # The main text keeps most of the page.
    assert width["工作任务/具体要求"] >= max(v for k, v in width.items() if k != "工作任务/具体要求")


def test_one_huge_note_takes_no_width_from_the_other_columns(ledger: Ledger, fonts: FontSet,
                                                              tmp_path: Path) -> None:
    """A 3,000-character note took 25 characters for 进展 and left 佐证材料 three (file
    names a character a line) and 完成时限 two and a half ("12月" / "底前"). It counts
    as a page of lines at most, so the columns are those of the same plan without it."""
    data = _report(ledger, long_note=True)
    width = _columns(data, fonts)
    assert width["佐证材料"] >= 10 - 0.01 and width["本季度进展"] >= 12 - 0.01
    assert _one_line(fonts, "12月底前", width["完成时限"]) and _one_line(fonts, zh("(9月20日)"), width["完成状态"])
    with Ledger.open(tmp_path / "plain") as plain:
        assert width == pytest.approx(_columns(_report(plain), fonts), abs=0.01)
    if shutil.which("pdftotext"):  # and nothing of it is lost over the pages it runs to
        out = tmp_path / "long.pdf"
        render_report(data, out, fonts)
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                              text=True, encoding="utf-8", check=True).stdout
        assert squash(text).count(squash(LONG_NOTE[:40])) >= 1
        assert len(re.sub(r"\s", "", text)) >= len(squash(LONG_NOTE))
        for name in FILES[:4]:
            assert name in squash(text)


def test_a_huge_requirement_leaves_notes_their_floor(ledger: Ledger, fonts: FontSet) -> None:
    """The QA's 超长单元格 plan: a 30,000-character requirement and a 3,000-character note
    in one row left 进展 five characters (the row ran over 16 pages)."""
    rows = [(["一、推进决策公开"], "公开" * 15000 if i == 0 else "做好政策解读,及时回应关切。" * (1 + i % 3),
             "县政府办、县司法局" if i % 2 else "县政府办", "12月底前") for i in range(20)]
    write_plan(ledger, crafted_plan(rows), "e" * 64)
    plan_id = ledger.plans()[0].id
    first = ledger.task_ids(plan_id)[0]
    ledger.set_progress(first, Q3, LONG_NOTE)
    data = build_report(ledger, plan_id, Q3, printed_on=PRINTED)
    width = _columns(data, fonts)
    assert width["本季度进展"] >= 12 - 0.01
    assert _one_line(fonts, "12月底前", width["完成时限"])
    assert width["责任单位"] <= _widest(fonts, [row.units for row in data.rows] + ["责任单位"]) + 0.01


def test_no_column_is_wider_than_its_widest_line_but_the_stretching_one(fonts: FontSet) -> None:
    """Width that saves no line goes to the main text, not to the column with the most
    text: 责任单位 written a unit a line (as the 任城 table writes them) used to take it."""
    layout = TextLayout(fonts, 9)
    pad = 2.5 + 0.4 * 9
    units = "区生态环境分局\n区商务局\n区发改局\n区工信局\n区国金局"
    rows = [[layout.prepare([(str(i + 1), "body")]), layout.prepare([("做好政策解读。", "body")]),
             layout.prepare([(units, "body")])] for i in range(10)]
    head = [layout.prepare([(label, "heading")]) for label in ("序号", "工作任务", "责任单位")]
    total = 9 * 60 + 3 * pad
    widths = fit_widths(head, rows, total, 9, pad, (0,), count_lines=layout.count_lines, stretch=1)
    widest_unit = max(TextLayout.paragraph_widths(rows[0][2]))
    assert widths[2] <= widest_unit + pad + 0.01
    assert sum(widths) == pytest.approx(total) and widths[1] > 40 * 9


def test_floors_never_exceed_the_widest_line(fonts: FontSet) -> None:
    """An empty or short column is as narrow as its text (or header) allows, floor or not."""
    layout = TextLayout(fonts, 9)
    pad = 2.5 + 0.4 * 9
    rows = [[layout.prepare([("推进政务公开标准化规范化建设," * 4, "body")]), layout.prepare([("已报", "body")])]
            for _ in range(10)]
    head = [layout.prepare([(label, "heading")]) for label in ("工作任务", "进展")]
    widths = fit_widths(head, rows, 9 * 40 + 2 * pad, 9, pad, count_lines=layout.count_lines,
                        floors={1: 12}, stretch=0)
    assert widths[1] == pytest.approx(max(TextLayout.paragraph_widths(head[1])) + pad, abs=0.01)


def _page_ops(pdf: bytes) -> str:
    """The content streams of a one-page PDF, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return "\n".join(zlib.decompress(s).decode("latin-1") if s[:1] == b"x" else s.decode("latin-1")
                     for s in streams)


def test_a_full_bar_keeps_a_gap_before_its_label(fonts: FontSet) -> None:
    """表1/表2's 完成率: "100%" touched the end of its bar (the bar ended where the
    widest label began)."""
    grid = GridBuilder(fonts, [200.0, 82.0])
    for label, share in (("区生态环境分局", 1.0), ("区商务局", 0.5), ("区人社局", 0.0)):
        grid.add([([(label, "body")], "left"), ([(f"{round(share * 100)}%", "body")], "right")], label, bar=share)
    table = grid.build(["牵头单位", "完成率"], 500, bar_column=1)
    buffer = BytesIO()
    canvas = Canvas(buffer, pageCompression=0)
    table.wrapOn(canvas, 282, 500)
    table.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    ops = _page_ops(buffer.getvalue())
    fills = [tuple(map(float, m)) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f", ops)]
    bars = [(x, x + w) for x, y, w, h in fills if x > 200]  # the tracks and the filled bars
    assert bars, ops
    bar_end = max(end for _, end in bars)
    placed = [(float(x), float(y)) for x, y in re.findall(r"1 0 0 1 ([\d.]+) ([\d.]+) Tm", ops) if float(x) > 200]
    header = max(y for _, y in placed)
    label_start = min(x for x, y in placed if y < header - 1)  # the widest label, "100%", starts leftmost
    assert label_start - bar_end >= 0.4 * 10.5 - 0.01, (bar_end, label_start)


def test_the_summary_of_the_sample_says_what_it_counts(ledger: Ledger, fonts: FontSet, tmp_path: Path) -> None:
    """QA: "共 59 项任务,其中定期任务 1 项按本季度到期的期次统计……本季度应完成 58 项(其中定期
    任务 0 项次)" although none of the 58 is due by 9月30日, and the status line said 58."""
    data = _report(ledger)
    assert (len(data.rows), data.totals.total, data.due_counts.total, len(data.uncounted_rows)) == (59, 58, 0, 1)
    text = "".join(summary_sentences(data))
    assert zh("共 59 项任务,其中定期任务 1 项本季度没有到期的期次,不计入统计。") in text
    assert zh("计入统计的 58 项中,已完成 5 项,推进中 1 项,未启动 52 项;完成率 8.6%。") in text
    assert zh("其中没有本季度应完成的任务,58 项的完成时限都在本季度以后。") in text
    assert "本季度应完成 58" not in text and "0 项次" not in text
    assert count_summary(data) == ("全部任务 59 项,计入统计 58 项(定期任务 1 项本季度没有到期的期次,不计入),"
                                   "其中本季度应完成 0 项")
    if shutil.which("pdftotext"):
        out = tmp_path / "q3.pdf"
        render_report(data, out, fonts)
        printed = squash(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-l", "1", str(out), "-"],
                                        capture_output=True, text=True, encoding="utf-8", check=True).stdout)
        assert squash(zh("其中定期任务 1 项本季度没有到期的期次")) in printed
        assert squash(zh("计入统计的 58 项中")) in printed
    # The fourth quarter: everything counted is due by 12月31日, and is said to be.
    q4 = build_report(ledger, ledger.plans()[0].id, Q3.next(), printed_on=date(2024, 1, 5))
    assert "".join(summary_sentences(q4)).count("本季度应完成 59 项") == 1


def test_the_word_report_keeps_the_same_readable_widths_with_one_huge_note(ledger: Ledger) -> None:
    """The Word report's detail table takes the PDF's floors: one 3,000-character note does
    not squeeze 进展 and 佐证材料 to a few characters a line there either."""
    from zwgk_desktop.io.docx_report import DETAIL_PT
    from zwgk_desktop.io.docx_xml import fit_detail_widths

    data = _report(ledger, long_note=True)
    head = HEAD
    texts = [[str(row.seq), row.requirement, row.units, row.deadline_text, row.status_text, row.progress,
              "\n".join(row.evidence)] for row in data.rows]
    twips = fit_detail_widths(head, texts, 267 * 1440 * 10 // 254, DETAIL_PT, (0,))
    chars = {label: width / 20 / DETAIL_PT for label, width in zip(head, twips)}
    assert chars["本季度进展"] >= DETAIL_FLOORS["本季度进展"] * 0.95, chars
    assert chars["佐证材料"] >= DETAIL_FLOORS["佐证材料"] * 0.95, chars
    assert chars["完成时限"] >= DETAIL_FLOORS["完成时限"] * 0.95, chars
