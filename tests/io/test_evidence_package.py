"""导出佐证材料包: the exact tree inside the zip (and the folder), the 目录.xlsx rows,
unit and quarter filters, duplicate and odd names, formula-looking text kept as text,
UTF-8 names, and that a missing or altered stored file is marked, not passed on."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.core.test_evidence import PNG_BYTES, evidence_plan
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.evidence_package import INDEX_COLUMNS, INDEX_NAME, wants_folder, write_evidence_package

REQ2 = "=SUM(A1)规范政府网站和政务新媒体"  # the first 20 characters of task 2's requirement


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def filled(ledger: Ledger, tmp_path: Path) -> dict:
    """Task 1 (title 决策目录): two files named 通知.pdf, a screenshot, a page (Q3), a
    note (Q2); task 2 (requirement starts with '='): one file with an odd name (Q3) and
    one in the 回收站; task 3: nothing."""
    tasks = evidence_plan(ledger)
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    (src / "a" / "通知.pdf").write_bytes(b"%PDF first")
    (src / "b" / "通知.pdf").write_bytes(b"%PDF second")
    (src / "截图.png").write_bytes(PNG_BYTES)
    odd = 'a<b>c?.docx' if os.name != "nt" else "a_b_c_.docx"
    (src / odd).write_bytes(b"docx bytes")
    (src / "old.txt").write_bytes(b"removed")
    first = ev.attach_files(ledger, tasks[0], [src / "a" / "通知.pdf", src / "b" / "通知.pdf", src / "截图.png"],
                            "2023Q3").added
    page = ev.attach_url(ledger, tasks[0], "https://www.example.gov.cn/zwgk/决策目录.html",
                         title="关于公布2023年重大行政决策事项目录的公告", published="2023-07-03", quarter="2023Q3",
                         note="=HYPERLINK(\"x\")")
    note = ev.attach_note(ledger, tasks[0], "已在公开栏张贴,见纸质档案第3卷。", "2023Q2")
    second = ev.attach_files(ledger, tasks[1], [src / odd], "2023Q3").added
    gone = ev.attach_files(ledger, tasks[1], [src / "old.txt"], "2023Q3").added[0]
    ev.remove(ledger, gone.id)
    return {"tasks": tasks, "first": first, "page": page, "note": note, "second": second, "odd": odd}


def tree(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as zf:
        return [info.filename for info in zf.infolist()]


def index_of(book_bytes_or_path) -> list[list]:
    book = openpyxl.load_workbook(book_bytes_or_path)
    return [[c.value for c in row] for row in book["目录"].iter_rows()]


def test_zip_tree_and_index(ledger, filled, tmp_path):
    out = tmp_path / "材料包.zip"
    result = write_evidence_package(ledger, out)
    assert result.path == out and not result.as_folder
    assert (result.tasks, result.files, result.links, result.notes, result.problems) == (2, 4, 1, 1, [])
    assert result.bytes == len(b"%PDF first") + len(b"%PDF second") + len(PNG_BYTES) + len(b"docx bytes")
    assert tree(out) == [
        "01-决策目录/",
        "01-决策目录/说明-已在公开栏张贴,见纸质档案第3卷。.txt",
        "01-决策目录/通知.pdf",
        "01-决策目录/通知(2).pdf",
        "01-决策目录/截图.png",
        "01-决策目录/关于公布2023年重大行政决策事项目录的公告.url",
        f"02-{REQ2}/",
        f"02-{REQ2}/a_b_c_.docx",
        INDEX_NAME,
    ]
    with zipfile.ZipFile(out) as zf:
        assert zf.read("01-决策目录/通知.pdf") == b"%PDF first"
        assert zf.read("01-决策目录/通知(2).pdf") == b"%PDF second"
        assert zf.read("01-决策目录/截图.png") == PNG_BYTES
        assert zf.read("01-决策目录/关于公布2023年重大行政决策事项目录的公告.url") == (
            b"[InternetShortcut]\r\nURL=https://www.example.gov.cn/zwgk/"
            b"%E5%86%B3%E7%AD%96%E7%9B%AE%E5%BD%95.html\r\n")
        note = zf.read("01-决策目录/说明-已在公开栏张贴,见纸质档案第3卷。.txt").decode("utf-8")
        assert note.startswith("\ufeff已在公开栏张贴,见纸质档案第3卷。\r\n\r\n(2023年第二季度;")
        infos = {i.filename: i for i in zf.infolist()}
        for name, info in infos.items():
            assert info.flag_bits & 0x800, name  # UTF-8 names
        assert infos["01-决策目录/通知.pdf"].compress_type == zipfile.ZIP_DEFLATED
        assert infos["01-决策目录/截图.png"].compress_type == zipfile.ZIP_STORED
        assert zf.testzip() is None
        rows = index_of(zf.open(INDEX_NAME))
    first, page, note_item, second = filled["first"], filled["page"], filled["note"], filled["second"]
    assert rows[0] == INDEX_COLUMNS
    user = ledger.user

    def when(e):
        return e.added_at[:16].replace("T", " ")

    task1 = ["决策目录", "县司法局(牵头)、县政府办"]
    assert rows[1:] == [
        [1, *task1, "2023年第二季度", "说明", "已在公开栏张贴,见纸质档案第3卷。",
         "01-决策目录/说明-已在公开栏张贴,见纸质档案第3卷。.txt", None, when(note_item), user, None, None, None, None, None],
        [1, *task1, "2023年第三季度", "文件", "通知.pdf", "01-决策目录/通知.pdf", 10, when(first[0]), user,
         sha(b"%PDF first"), None, None, None, None],
        [1, *task1, "2023年第三季度", "文件", "通知.pdf", "01-决策目录/通知(2).pdf", 11, when(first[1]), user,
         sha(b"%PDF second"), None, None, None, None],
        [1, *task1, "2023年第三季度", "文件", "截图.png", "01-决策目录/截图.png", len(PNG_BYTES), when(first[2]),
         user, sha(PNG_BYTES), None, None, None, None],
        [1, *task1, "2023年第三季度", "网页", "关于公布2023年重大行政决策事项目录的公告",
         "01-决策目录/关于公布2023年重大行政决策事项目录的公告.url", None, when(page), user, None,
         "https://www.example.gov.cn/zwgk/决策目录.html", "2023-07-03", '=HYPERLINK("x")', None],
        [2, "=SUM(A1)规范政府网站和政务新媒体的内容发布审核流程。", "县大数据中心(牵头)、县司法局", "2023年第三季度",
         "文件", filled["odd"], f"02-{REQ2}/a_b_c_.docx", 10, when(second[0]), user, sha(b"docx bytes"),
         None, None, None, None],
    ]


def test_formula_looking_text_stays_text(ledger, filled, tmp_path):
    out = write_evidence_package(ledger, tmp_path / "p.zip").path
    with zipfile.ZipFile(out) as zf:
        book = openpyxl.load_workbook(zf.open(INDEX_NAME))
        raw = zf.read(INDEX_NAME)
    sheet = book["目录"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert [c.value for c in cells] == ['=HYPERLINK("x")', "=SUM(A1)规范政府网站和政务新媒体的内容发布审核流程。"]
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(__import__("io").BytesIO(raw)) as inner:
        sheet_xml = inner.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_index_links_point_at_files_in_the_package(ledger, filled, tmp_path):
    out = write_evidence_package(ledger, tmp_path / "p.zip").path
    with zipfile.ZipFile(out) as zf:
        sheet = openpyxl.load_workbook(zf.open(INDEX_NAME))["目录"]
    assert sheet["G3"].hyperlink.target == "01-决策目录/通知.pdf"
    assert sheet["L6"].hyperlink.target == "https://www.example.gov.cn/zwgk/决策目录.html"


def test_sheet_of_tasks_without_evidence(ledger, filled, tmp_path):
    out = write_evidence_package(ledger, tmp_path / "p.zip", quarter="2023Q2").path
    with zipfile.ZipFile(out) as zf:
        book = openpyxl.load_workbook(zf.open(INDEX_NAME))
    rows = [[c.value for c in row] for row in book["无佐证材料的任务"].iter_rows()]
    assert rows[0][0] == "2023年某县政务公开工作任务分解表  2023年第二季度没有佐证材料的任务(共 2 项)"
    assert rows[1] == ["序号", "任务", "责任单位"]
    assert rows[2:] == [[2, "=SUM(A1)规范政府网站和政务新媒体的内容发布审核流程。", "县大数据中心、县司法局"],
                        [3, "做好财政预决算公开。", "县财政局"]]


def test_quarter_filter(ledger, filled, tmp_path):
    out = write_evidence_package(ledger, tmp_path / "q2.zip", quarter=Quarter(2023, 2)).path
    assert tree(out) == ["01-决策目录/", "01-决策目录/说明-已在公开栏张贴,见纸质档案第3卷。.txt", INDEX_NAME]


def test_unit_filter_matches_lead_and_cooperating_units(ledger, filled, tmp_path):
    out = write_evidence_package(ledger, tmp_path / "u.zip", unit="县大数据中心").path
    assert tree(out) == [f"02-{REQ2}/", f"02-{REQ2}/a_b_c_.docx", INDEX_NAME]
    both = write_evidence_package(ledger, tmp_path / "s.zip", unit="县司法局", quarter="2023Q3").path
    assert [n for n in tree(both) if n.endswith("/")] == ["01-决策目录/", f"02-{REQ2}/"]
    with pytest.raises(UserError, match="没有责任单位为“县教体局”的任务"):
        write_evidence_package(ledger, tmp_path / "x.zip", unit="县教体局")
    assert not (tmp_path / "x.zip").exists()


def test_nothing_to_package(ledger, filled, tmp_path):
    with pytest.raises(UserError) as caught:
        write_evidence_package(ledger, tmp_path / "x.zip", unit="县财政局")
    assert caught.value.message == "分解表 1“2023年某县政务公开工作任务分解表”中责任单位“县财政局”还没有佐证材料,没有生成材料包。"
    assert list(tmp_path.glob("*.zip")) == []


def test_without_link_files(ledger, filled, tmp_path):
    result = write_evidence_package(ledger, tmp_path / "p.zip", link_files=False)
    assert [n for n in tree(result.path) if n.endswith((".url", ".txt"))] == []
    assert (result.links, result.notes) == (1, 1)
    with zipfile.ZipFile(result.path) as zf:
        rows = index_of(zf.open(INDEX_NAME))
    assert [r[6] for r in rows[1:]] == [None, "01-决策目录/通知.pdf", "01-决策目录/通知(2).pdf",
                                        "01-决策目录/截图.png", None, f"02-{REQ2}/a_b_c_.docx"]


def test_folder_output(ledger, filled, tmp_path):
    target = tmp_path / "材料包"
    result = write_evidence_package(ledger, str(target) + "/", quarter="2023Q3")
    assert result.as_folder and result.path == target
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert files == sorted([
        "01-决策目录", "01-决策目录/通知.pdf", "01-决策目录/通知(2).pdf", "01-决策目录/截图.png",
        "01-决策目录/关于公布2023年重大行政决策事项目录的公告.url",
        f"02-{REQ2}", f"02-{REQ2}/a_b_c_.docx", INDEX_NAME])
    assert (target / "01-决策目录" / "通知(2).pdf").read_bytes() == b"%PDF second"
    assert len(index_of(target / INDEX_NAME)) == 6
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_existing_non_empty_folder_gets_a_subfolder(ledger, filled, tmp_path):
    target = tmp_path / "桌面"
    target.mkdir()
    (target / "别的文件.txt").write_text("keep")
    first = write_evidence_package(ledger, target, quarter="2023Q3", unit="县司法局")
    second = write_evidence_package(ledger, target, quarter="2023Q3", unit="县司法局")
    assert first.path == target / "佐证材料包-2023-县司法局-2023Q3"
    assert second.path == target / "佐证材料包-2023-县司法局-2023Q3(2)"
    assert (target / "别的文件.txt").read_text() == "keep"


def test_zip_name_without_suffix_gets_zip(ledger, filled, tmp_path):
    assert write_evidence_package(ledger, tmp_path / "材料包").path == tmp_path / "材料包.zip"


def test_existing_zip_is_replaced_whole(ledger, filled, tmp_path):
    out = tmp_path / "p.zip"
    out.write_bytes(b"old")
    write_evidence_package(ledger, out, quarter="2023Q2")
    assert tree(out)[-1] == INDEX_NAME
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger", "p.zip", "src"]  # no .part left


def test_missing_and_altered_stored_files_are_marked(ledger, filled, tmp_path):
    first = filled["first"]
    missing = ev.stored_path(ledger, first[0].sha256)
    missing.chmod(0o644)
    missing.unlink()
    altered = ev.stored_path(ledger, first[2].sha256)
    altered.chmod(0o644)
    altered.write_bytes(b"not the screenshot")
    result = write_evidence_package(ledger, tmp_path / "p.zip", quarter="2023Q3")
    assert result.problems == ["序号 1“通知.pdf”:文件缺失,未能放入材料包",
                               "序号 1“截图.png”:文件内容与添加时不符"]
    assert "01-决策目录/通知.pdf" not in tree(result.path)
    assert "01-决策目录/截图.png" in tree(result.path)
    with zipfile.ZipFile(result.path) as zf:
        rows = index_of(zf.open(INDEX_NAME))
    assert [(r[5], r[6], r[14]) for r in rows[1:4]] == [
        ("通知.pdf", None, "文件缺失,未能放入材料包"),
        ("通知.pdf", "01-决策目录/通知(2).pdf", None),  # names are planned before copying
        ("截图.png", "01-决策目录/截图.png", "文件内容与添加时不符(SHA-256 不同)")]


def test_failure_leaves_no_half_package(ledger, filled, tmp_path, monkeypatch):
    from zwgk_desktop.io import evidence_package as pkg

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pkg, "index_workbook", broken)
    with pytest.raises(UserError) as caught:
        write_evidence_package(ledger, tmp_path / "out" / "p.zip")
    assert "磁盘已满" in caught.value.message and str(tmp_path / "out") in caught.value.message
    assert list((tmp_path / "out").iterdir()) == []


def test_long_names_stay_short_enough_for_windows(ledger, tmp_path):
    tasks = evidence_plan(ledger)
    src = tmp_path / "src"
    src.mkdir()
    long_name = "关于进一步做好政务公开工作的通知" * 7 + ".pdf"  # 113 characters: fine on Windows
    (src / "long.pdf").write_bytes(b"x")  # (too long in bytes for ext4, so recorded by name)
    ev.attach_files(ledger, tasks[1], [src / "long.pdf"], "2023Q3", names=[long_name])
    out = write_evidence_package(ledger, tmp_path / "p.zip").path
    names = tree(out)
    assert names[1] == f"02-{REQ2}/" + ("关于进一步做好政务公开工作的通知" * 7)[:65] + ".pdf"  # 200 UTF-8 bytes
    assert max(len(n) for n in names) <= 110


def test_wants_folder(tmp_path):
    assert wants_folder(str(tmp_path / "x") + "/")
    assert wants_folder(tmp_path)
    assert not wants_folder(tmp_path / "x.zip")


def test_plan_must_be_named_when_there_are_several(ledger, filled, tmp_path):
    evidence_plan(ledger, year=2024)
    with pytest.raises(UserError, match="请用 --plan 指定"):
        write_evidence_package(ledger, tmp_path / "p.zip")
    assert write_evidence_package(ledger, tmp_path / "p.zip", plan_id=1).files == 4


def test_index_prints_like_the_export(ledger, filled, tmp_path):
    """目录.xlsx on paper: A4 landscape, one page wide, the header on every page, 宋体,
    wrapped text in rows tall enough for it (LibreOffice printed lines over each other)."""
    out = write_evidence_package(ledger, tmp_path / "p.zip").path
    with zipfile.ZipFile(out) as zf:
        book = openpyxl.load_workbook(zf.open(INDEX_NAME))
    for sheet, header_row in ((book["目录"], 1), (book["无佐证材料的任务"], 2)):
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
            "landscape", int(sheet.PAPERSIZE_A4), 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows.replace("$", "") == f"{header_row}:{header_row}"
        header = sheet.cell(row=header_row, column=2)
        assert header.font.b and header.border.bottom.style == "thin"
        body = sheet.cell(row=header_row + 1, column=2)
        assert body.font.name == "宋体" and body.alignment.wrap_text and body.alignment.vertical == "top"
    index = book["目录"]
    widths = [index.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, 16)]
    assert max(widths) <= 30 and sum(widths) <= 240  # nothing as wide as a 64-character hash
    sha_row = next(r for r in range(2, index.max_row + 1) if index.cell(row=r, column=11).value)
    assert index.row_dimensions[sha_row].height >= 3 * 14  # the hash wraps onto four lines: the row is as tall
    assert index.cell(row=sha_row, column=11).alignment.wrap_text
    assert index["G3"].font.u == "single"  # a link looks like one
