"""The 季度报告 PDF, read back with poppler (pdftotext, pdffonts, pdfinfo) as a reader's
tools would: every task in scope is there, the fonts are embedded, long rows run over
pages without losing text, Chinese line-breaking rules hold, and 5,000 tasks work."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

from tests.conftest import squash
from tests.core.test_report_data import PRINTED, Q2, Q3, crafted_plan, make_report_ledger
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.report_data import ReportScope, SignOff, build_report
from zwgk_desktop.io import pdf_fonts
from zwgk_desktop.io.pdf_fonts import FontFile, FontSet, bundled_font, load_font_set
from zwgk_desktop.io.pdf_report import CANNOT_START_EXTRA, _TextLayout, patch_line_breaking, render_report, report_bytes

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"),
                                reason="poppler-utils (pdftotext, pdffonts) is not installed")

# No line may start with these (half- and full-width), nor end with the openers.
CLOSERS = ",.;:?!" + "\uff0c\uff1b\uff1a\uff1f\uff01\u3001\u3002\uff09\u300b\u201d\u3011\u300d"
OPENERS = "\uff08\u300a\u201c"
PT_PER_MM = 72 / 25.4


def text_of(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", *pages, str(pdf), "-"], capture_output=True,
                          text=True, encoding="utf-8", check=True).stdout


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def page_sizes(pdf: Path, pages: int) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def fonts_of(pdf: Path) -> list[list[str]]:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split() for line in lines[2:] if line.strip()]


@pytest.fixture
def crafted(ledger: Ledger):
    plan_id, ids = make_report_ledger(ledger)
    return ledger, plan_id, ids


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return load_font_set()


def test_every_task_in_scope_is_in_the_text(crafted, tmp_path: Path, fonts: FontSet) -> None:
    ledger, plan_id, _ = crafted
    out = tmp_path / "q3.pdf"
    data = build_report(ledger, plan_id, Q3, title_unit="某县人民政府办公室", printed_on=PRINTED,
                        sign_off=SignOff("张三", "李四", "0537-1234567"))
    result = render_report(data, out, fonts)
    assert result.path == out and result.missing == "" and result.pages == page_count(out)
    text = squash(text_of(out))
    for row in data.rows:
        assert printed(text, squash(row.requirement)), row.seq
    for expected in ["某县人民政府办公室", "2023年第三季度", "政务公开重点工作任务落实情况",
                     "共7项", "完成率33.3%", "序号2、6", "填报人：张三", "审核人：李四", "联系电话：0537-1234567",
                     "填报日期：2023年12月20日", "决策事项目录https://www.example.gov.cn/zwgk/ml.html"]:
        assert expected in text, expected

    one_unit = tmp_path / "unit.pdf"
    render_report(build_report(ledger, plan_id, Q3, ReportScope(unit="县档案馆")), one_unit, fonts)
    text = squash(text_of(one_unit))
    assert "整理历史文件。" in text
    assert "规范政府网站。" not in text and "公开决策事项目录。" not in text


def test_sample_plan_report_has_every_task(tmp_path: Path, fonts: FontSet, capsys) -> None:
    from zwgk_desktop.cli import main

    folder = tmp_path / "ledger"
    assert main(["init", str(folder)]) == 0
    assert main(["--ledger", str(folder), "import", str(REPO / "resources" / "sample" / "sample_plan.xlsx")]) == 0
    with Ledger.open(folder) as ledger:
        plan_id = ledger.plans()[0].id
        tasks = ledger.tasks(plan_id)
        ledger.set_status(tasks[3].id, Status.IN_PROGRESS, date(2023, 8, 1))
        ledger.set_progress(tasks[3].id, Q3, "已在政府网站专栏发布解读 3 篇,正在整理第三季度数据。")
        data = build_report(ledger, plan_id, Q3)
    out = tmp_path / "sample.pdf"
    render_report(data, out, fonts)
    text = squash(text_of(out))
    assert len(data.rows) == 59
    for task in tasks:
        assert printed(text, squash(task.requirement)), task.seq
    assert "已在政府网站专栏发布解读3篇,正在整理第三季度数据。" in text


def test_fonts_are_embedded_subsets(crafted, tmp_path: Path, fonts: FontSet) -> None:
    ledger, plan_id, _ = crafted
    out = tmp_path / "r.pdf"
    render_report(build_report(ledger, plan_id, Q3), out, fonts)
    rows = fonts_of(out)
    assert rows, "no fonts listed"
    for row in rows:  # name type encoding emb sub uni object-id
        assert row[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, with ToUnicode
    assert not any("Helvetica" in row[0] for row in rows)


def test_page_geometry_and_numbers(crafted, tmp_path: Path, fonts: FontSet) -> None:
    ledger, plan_id, _ = crafted
    out = tmp_path / "r.pdf"
    pages = render_report(build_report(ledger, plan_id, Q3, title_unit="某县人民政府办公室"), out, fonts).pages
    sizes = page_sizes(out, pages)
    assert sizes[0] == pytest.approx((595.28, 841.89), abs=0.1)  # A4 portrait
    assert sizes[-1] == pytest.approx((841.89, 595.28), abs=0.1)  # the detail table: landscape
    for number in range(1, pages + 1):
        assert f"\u2014 {number} \u2014" in text_of(out, number, number)
    # Everything but the page number stays inside the 156 x 225 mm text block.
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    boxes = [tuple(map(float, m)) + (word,) for *m, word in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)]
    body = [b for b in boxes if b[4] not in ("\u2014", "1")]
    assert min(b[1] for b in body) >= 37 * PT_PER_MM - 1
    assert min(b[0] for b in body) >= 28 * PT_PER_MM - 1
    # A closer may hang 6 pt: of a full-width one at a line end only its ink counts (the left
    # quarter of its 16 pt em; pdftotext's box is the whole em).
    ink = [b[2] - (0.75 * 16 if b[4] and b[4][-1] in CLOSERS and ord(b[4][-1]) > 0x3000 else 0) for b in body]
    assert max(ink) <= (28 + 156) * PT_PER_MM + 6
    number = [b for b in boxes if b[4] == "1"]
    assert number and number[-1][1] > (37 + 225) * PT_PER_MM  # below the text block


def test_a_past_quarter_prints_the_same_pdf_later(crafted) -> None:
    ledger, plan_id, ids = crafted
    fonts = load_font_set()
    before, _ = report_bytes(build_report(ledger, plan_id, Q2, printed_on=PRINTED), fonts)
    ledger.set_status(ids[1], Status.DONE, date(2023, 10, 15))
    ledger.set_progress(ids[1], Q3, "目录已报审。")
    after, _ = report_bytes(build_report(ledger, plan_id, Q2, printed_on=PRINTED), fonts)
    assert after == before
    changed, _ = report_bytes(build_report(ledger, plan_id, Q3, printed_on=PRINTED), fonts)
    assert changed != before


def printed(text: str, needle: str) -> bool:
    """``needle`` is in ``text`` whole, or split by a page break: its characters in order
    from where its first few start, with no more between them than a page break brings
    (the page number, the repeated header, the row's other cells)."""
    if needle in text:
        return True
    start = text.find(needle[:6])
    while start >= 0:
        try:
            if matched_in_order(text, needle, start) - start < len(needle) + 400:
                return True
        except ValueError:
            return False
        start = text.find(needle[:6], start + 1)
    return False


def matched_in_order(haystack: str, needle: str, start: int) -> int:
    """Where ``needle`` ends when its characters are found in order from ``start``."""
    at = start
    for ch in needle:
        at = haystack.index(ch, at) + 1
    return at


def long_plan(sentences: int) -> ParsedPlan:
    """Task 2's requirement is far taller than a page: numbered sentences, to find each."""
    text = "".join(f"第{i:03d}句\uff1a推进政务公开标准化规范化建设\uff0c做好“谁起草、谁解读”\uff1b"
                   "是否完成\uff1f是\uff01" for i in range(1, sentences + 1))
    rows = [(["一、重点工作"], "短任务一。", "县政府办", "6月底前"),
            (["一、重点工作"], text, "县政府办、县发改局、各乡镇(街道)", "9月30日前"),
            (["二、基础工作"], "短任务三。", "县财政局", "12月底前")]
    plan = crafted_plan(rows)
    return plan


def test_a_requirement_longer_than_a_page_runs_over_pages_without_loss(ledger: Ledger, tmp_path: Path,
                                                                      fonts: FontSet) -> None:
    write_plan(ledger, long_plan(400), "b" * 64)
    plan_id = ledger.plans()[0].id
    data = build_report(ledger, plan_id, Q3)
    out = tmp_path / "long.pdf"
    pages = render_report(data, out, fonts).pages
    requirement = squash(data.rows[1].requirement)
    whole = squash(text_of(out))
    # Printed twice (the overdue list, the detail table), each time across several pages:
    # every character in order, interrupted only by what a page break brings (the
    # repeated header, the page number, the row's other cells).
    end = 0
    for _ in range(2):
        start = whole.index("第001句", end)
        end = matched_in_order(whole, requirement, start)
        assert end - start < len(requirement) + 400 * 8, "text missing or out of order"
    assert whole.count("第400句") == 2
    detail_pages = sorted({page for page in range(1, pages + 1) if "工作任务/具体要求" in text_of(out, page, page)})
    assert len(detail_pages) >= 4
    for page in detail_pages:  # the header row is repeated on every page of the table
        assert text_of(out, page, page).count("工作任务/具体要求") == 1
    assert "短任务三。" in squash(text_of(out, detail_pages[-1], detail_pages[-1]))


def test_layout_never_starts_a_line_with_a_closer(fonts: FontSet) -> None:
    layout = _TextLayout(fonts, 10.5)
    text = ("区国金局（牵头）、区发改局、区工信局，加强“政策解读”：是否按期？是！《条例》》。"
            "A,B;C:D?E! 见 https://www.example.gov.cn/a/b/c.html,并报送。") * 3
    for width in range(40, 330, 3):
        lines = ["".join(piece for _, piece in runs) for _, runs in layout.lines([(text, "body")], width)]
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for number, line in enumerate(lines):
            assert line, (width, lines)
            if number:
                assert line[0] not in CLOSERS, (width, line)
            if number < len(lines) - 1:
                assert line[-1] not in OPENERS, (width, line)


@pytest.mark.parametrize("markup", ["{}", "{}<br/>末行"])  # one run of text, and several
def test_paragraphs_never_start_a_line_with_a_closer(markup: str, fonts: FontSet) -> None:
    patch_line_breaking()
    import reportlab.lib.textsplit as textsplit
    import reportlab.platypus.paragraph as paragraph

    for ch in CANNOT_START_EXTRA:
        assert ch in textsplit.ALL_CANNOT_START and ch in paragraph.ALL_CANNOT_START, ascii(ch)
    style = ParagraphStyle("t", fontName=fonts.font("body"), fontSize=10.5, leading=14, wordWrap="CJK")
    text = "区国金局（牵头）、区发改局，加强“政策解读”：是否？是！《条例》。" * 3
    for width in range(40, 300, 7):
        para = Paragraph(markup.format(text), style)
        para.wrap(width, 10_000)
        lines = para.blPara.lines
        texts = ["".join(line[1]) if para.blPara.kind == 0 else "".join(w.text for w in line.words)
                 for line in lines]
        for line in texts[1:]:
            assert line[:1] not in CLOSERS, (width, texts)


def test_no_pdf_line_starts_with_a_closer(ledger: Ledger, tmp_path: Path, fonts: FontSet) -> None:
    write_plan(ledger, long_plan(30), "c" * 64)
    out = tmp_path / "r.pdf"
    render_report(build_report(ledger, ledger.plans()[0].id, Q3), out, fonts)
    lines = [line.strip() for line in text_of(out).splitlines() if line.strip()]
    assert len(lines) > 50
    assert [line for line in lines if line[0] in CLOSERS] == []


def test_missing_character_is_reported_not_printed_as_a_box(ledger: Ledger, tmp_path: Path) -> None:
    rows = [(["一、重点工作"], "请𠮷野家\ue000配合公开。", "县政府办", "6月底前")]
    write_plan(ledger, crafted_plan(rows), "d" * 64)
    only_bundled = load_font_set(windows_dirs=[], use_fontconfig=False)
    assert only_bundled.missing_chars("请𠮷野家") == ["𠮷"]
    out = tmp_path / "r.pdf"
    result = render_report(build_report(ledger, ledger.plans()[0].id, Q3), out, only_bundled)
    assert result.missing_chars == ["\ue000", "𠮷"]
    assert "U+20BB7" in result.missing and "序号 1" in result.missing and "U+E000" in result.missing
    text = squash(text_of(out))
    assert "请\u3014U+20BB7\u3015野家\u3014U+E000\u3015配合公开。" in text


def test_a_character_the_main_font_lacks_comes_from_another(fonts: FontSet) -> None:
    face = bundled_font()
    for name in ("zwgk-test-a", "zwgk-test-b"):
        pdfmetrics.registerFont(TTFont(name, str(face.path), subfontIndex=0))
    full = frozenset(chr(c) for c in pdfmetrics.getFont("zwgk-test-a").face.charToGlyph)
    fake = FontSet(roles={r: "zwgk-test-a" for r in ("title", "body", "heading", "kai")},
                   faces={"zwgk-test-a": face, "zwgk-test-b": face}, order=["zwgk-test-a", "zwgk-test-b"],
                   chars={"zwgk-test-a": full - {"政"}, "zwgk-test-b": full}, fontconfig_fallback=False)
    assert fake.markup("政务<公开>") == '<font face="zwgk-test-b">政</font>务&lt;公开&gt;'
    assert fake.runs("公开政务") == [("zwgk-test-a", "公开"), ("zwgk-test-b", "政"), ("zwgk-test-a", "务")]
    assert fake.missing == {}


def test_windows_fonts_are_used_when_present(tmp_path: Path) -> None:
    folder = tmp_path / "Fonts"
    folder.mkdir()
    for name in ("simfang.ttf", "SIMSUN.TTC", "simhei.ttf", "simkai.ttf"):
        shutil.copyfile(bundled_font().path, folder / name)
    found = load_font_set(windows_dirs=[folder], use_fontconfig=False)
    files = {role: found.faces[found.font(role)].path.name for role in ("title", "body", "heading", "kai")}
    assert files == {"title": "SIMSUN.TTC", "body": "simfang.ttf", "heading": "simhei.ttf", "kai": "simkai.ttf"}
    assert {found.faces[found.font(role)].source for role in files} == {"windows"}


def test_cff_fonts_are_skipped(tmp_path: Path) -> None:
    """reportlab refuses PostScript-outline (CFF) fonts such as Noto CJK: such a face
    must be passed over, not break the report."""
    bogus = tmp_path / "NotoSansCJK-Regular.ttc"
    bogus.write_bytes(b"OTTO" + b"\0" * 64)
    found = load_font_set(windows_dirs=[], use_fontconfig=False, extra=[FontFile(bogus, 0, "Noto", "given")])
    assert all(found.faces[found.font(role)].path != bogus for role in ("title", "body", "heading"))


def test_an_unwritable_target_is_a_clear_error(crafted, tmp_path: Path, fonts: FontSet) -> None:
    from zwgk_desktop.core.errors import UserError

    ledger, plan_id, _ = crafted
    with pytest.raises(UserError, match="无法写入"):
        render_report(build_report(ledger, plan_id, Q3), tmp_path / "missing" / "r.pdf", fonts)
    assert not (tmp_path / "missing").exists()


def test_five_thousand_tasks(tmp_path: Path, fonts: FontSet) -> None:
    from benchmarks.synthetic import make_ledger
    folder = make_ledger(tmp_path / "big", 5000, 2023)
    out = tmp_path / "big.pdf"
    started = time.perf_counter()
    with Ledger.open(folder) as ledger:
        data = build_report(ledger, ledger.plans()[0].id, Quarter(2023, 3))
    result = render_report(data, out, fonts)
    elapsed = time.perf_counter() - started
    print(f"5,000 tasks: {result.pages} pages in {elapsed:.1f} s")
    assert len(data.rows) == 5000
    assert result.pages == page_count(out)
    # The detail table holds about 18 such rows on a landscape page (1,176 pages before its
    # columns were set from the text and rows split at page ends, ~400 before the 附件
    # margins); the page target itself is the benchmark's (docs/benchmarks.md).
    assert 250 <= result.pages <= 600
    last = squash(text_of(out, result.pages, result.pages))
    assert "5000" in last and f"\u2014{result.pages}\u2014" in last


def test_font_discovery_reads_fontconfig_output(monkeypatch: pytest.MonkeyPatch) -> None:
    listing = ("/usr/share/fonts/a/NotoSansCJK.ttc\t0\tNoto Sans CJK SC\tCFF\n"
               "/usr/share/fonts/b/uming.ttc\t0\tAR PL UMing CN,文鼎PL细上海宋\tTrueType\n"
               "/usr/share/fonts/c/wqy-microhei.ttc\t0\tWenQuanYi Micro Hei,文泉驿微米黑\tTrueType\n")
    monkeypatch.setattr(pdf_fonts.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(pdf_fonts.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=listing, stderr=""))
    by_role, extras = pdf_fonts.discover_fonts(windows_dirs=[], bundled=False)
    assert [f.path.name for f in by_role["title"]] == ["uming.ttc"]
    assert [f.path.name for f in by_role["heading"]] == ["wqy-microhei.ttc"]
    assert [f.path.name for f in extras] == ["uming.ttc", "wqy-microhei.ttc"]  # CFF left out


def test_recurring_tasks_by_period_and_the_quarters_follow_ups(ledger: Ledger, tmp_path: Path,
                                                               fonts: FontSet) -> None:
    from tests.core.test_report_periods import Q2 as SECOND
    from tests.core.test_report_periods import make_periodic_ledger, record

    plan_id, _ = make_periodic_ledger(ledger)
    record(ledger, plan_id, "县政府办", date(2023, 6, 25), SECOND, date(2023, 7, 5))
    record(ledger, plan_id, "县政府办", date(2023, 8, 25), Quarter(2023, 3), date(2023, 9, 5))
    out = tmp_path / "q2.pdf"
    data = build_report(ledger, plan_id, SECOND, ReportScope(with_follow_ups=True), printed_on=PRINTED)
    result = render_report(data, out, fonts)
    assert result.missing == "" and result.pages == page_count(out)
    text = squash(text_of(out))
    for expected in ["本季度应完成7项（其中定期任务6项次），已完成4项", "含定期任务未报2项次", "完成率57.1%",
                     "定期任务按本季度应完成的期次计", "4月已完成；5月已完成；6月未报",  # the detail row
                     "本季度已完成", "上半年推进中", "三、本季度催办情况", "2023年第二季度共发出催办单1份",
                     "日期单位任务（序号）催办事项回复期限", "7月5日"]:
        assert expected in text, expected
    assert "9月5日" not in text  # the third quarter's follow-up is not this report's
    # Part 三 comes after 二 and before the 附件 line.
    assert text.index("二、逾期未完成任务") < text.index("三、本季度催办情况") < text.index("附件：")

    plain = tmp_path / "plain.pdf"
    render_report(build_report(ledger, plan_id, SECOND, printed_on=PRINTED), plain, fonts)
    assert "本季度催办情况" not in squash(text_of(plain))


def _page_streams(pdf: bytes) -> list[tuple[bool, bytes]]:
    """Each page's content stream, decompressed, with whether the page is landscape."""
    import zlib

    objects = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\r?\n(.*?)endobj", pdf, re.S)}
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", body):
            continue
        box = [float(v) for v in re.search(rb"/MediaBox \[ ([\d. ]+) \]", body).group(1).split()]
        content = objects[int(re.search(rb"/Contents (\d+) 0 R", body).group(1))]
        raw = re.search(rb"stream\r?\n(.*)endstream", content, re.S).group(1)
        pages.append((box[2] > box[3], zlib.decompress(raw)))
    return pages


def test_detail_table_text_is_at_least_9_pt(tmp_path: Path, fonts: FontSet) -> None:
    """The 附件 pages are denser than the 正文 (narrower margins, tighter rows), never
    smaller: every piece of text on them is set at 9 pt or more, on lines at least 1.15
    times the type size apart."""
    from benchmarks.synthetic import make_ledger
    from zwgk_desktop.io.pdf_document import DETAIL_LEADING, DETAIL_SIZE
    with Ledger.open(make_ledger(tmp_path / "l", 120, 2023, 40, 8)) as ledger:
        data = build_report(ledger, ledger.plans()[0].id, Q3)
    pdf, result = report_bytes(data, fonts)
    landscape = [stream for wide, stream in _page_streams(pdf) if wide]
    assert len(landscape) >= 3 and len(_page_streams(pdf)) == result.pages
    sizes = {float(v) for stream in landscape for v in re.findall(rb"([\d.]+) Tf", stream)}
    assert min(sizes) >= 9 and DETAIL_SIZE in sizes, sizes
    assert DETAIL_LEADING >= 1.15 * DETAIL_SIZE
    # The lines of a cell: the table places each line (Tm) one leading below the last, never closer.
    steps = set()
    for stream in landscape:
        places = [tuple(map(float, m)) for m in re.findall(rb"1 0 0 1 ([\d.]+) ([\d.]+) Tm", stream)]
        steps |= {round(y1 - y2, 2) for (x1, y1), (x2, y2) in zip(places, places[1:])
                  if x1 == x2 > 0 and 0 < y1 - y2 < 20}
    assert steps and min(steps) >= round(1.15 * DETAIL_SIZE, 2) - 0.02, steps


def test_attachment_pages_have_narrower_margins_than_the_main_part(crafted, tmp_path: Path,
                                                                    fonts: FontSet) -> None:
    """The 正文 keeps the GB/T 9704 text block (test_page_geometry_and_numbers); the 附件
    table uses the landscape page to 15 mm of each edge, its page number in the foot
    margin, below the table and clear of the paper's edge."""
    ledger, plan_id, _ = crafted
    out = tmp_path / "r.pdf"
    pages = render_report(build_report(ledger, plan_id, Q3, title_unit="某县人民政府办公室"), out, fonts).pages
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(pages), "-l", str(pages), str(out), "-"],
                          capture_output=True, text=True, check=True).stdout
    boxes = [(*map(float, m), word) for *m, word in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)]
    number = [b for b in boxes if b[4] == str(pages)][-1]
    body = [b for b in boxes if b[1] < number[1] - 1]
    assert "序号" in [b[4] for b in body]
    assert min(b[0] for b in body) >= 15 * PT_PER_MM - 1
    assert min(b[1] for b in body) >= 15 * PT_PER_MM - 1
    assert max(b[2] for b in body) <= (297 - 15) * PT_PER_MM + 6
    assert max(b[3] for b in body) <= (210 - 15) * PT_PER_MM + 1 < number[1]
    assert number[3] <= (210 - 4) * PT_PER_MM  # its box (with the face's descent) 4 mm clear of the edge
    # Wider than the portrait block turned (225 mm): the table runs past it.
    assert max(b[2] for b in body) > (35 + 225) * PT_PER_MM
