"""Names (core/evidence/names.py): direction controls (bidi overrides, which make
报告\u202excod.exe read as 报告exe.docx) are removed, control characters never reach a
name, a file name in a package, or the terminal; every name written out is one Windows
accepts, and a unit's name as part of a file name goes through the same function."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.core.test_evidence import evidence_plan
from zwgk_desktop.cli import main
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.evidence.names import safe_file_part
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.io.evidence_package import write_evidence_package

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("char", list(BIDI))
def test_direction_controls_are_removed(char: str) -> None:
    assert ev.clean_name(f"报告{char}xcod.exe") == "报告xcod.exe"
    assert ev.safe_filename(f"报告{char}xcod.exe") == "报告xcod.exe"


def test_control_characters_in_names() -> None:
    assert ev.clean_name("通知\x1b[31m.pdf") == "通知[31m.pdf"
    assert ev.clean_name("第一行\n第二行\t.pdf") == "第一行 第二行 .pdf"
    assert ev.clean_name(" \x07\x85\x9f ") == ""
    assert ev.clean_name("通知\u3000附件.pdf") == "通知\u3000附件.pdf"  # a full-width space is a character
    assert ev.safe_filename("a\x9bb.pdf") == "a_b.pdf"  # C1 controls too


def test_attached_names_are_recorded_clean(ledger: Ledger, tmp_path: Path) -> None:
    tasks = evidence_plan(ledger)
    spoof = tmp_path / "截图\u202egnp.exe"
    spoof.write_bytes(b"MZ not a picture")
    added = ev.attach_files(ledger, tasks[0], [spoof], "2023Q3").added
    assert added[0].name == "截图gnp.exe"
    pasted = tmp_path / "clip.png"
    pasted.write_bytes(b"\x89PNG pasted")
    added = ev.attach_files(ledger, tasks[0], [pasted], "2023Q3", names=["粘贴\x1b]0;title\x07.png"]).added
    assert added[0].name == "粘贴]0;title.png"


def test_package_and_listing_show_no_controls(ledger: Ledger, ledger_dir: Path, tmp_path: Path, capsys) -> None:
    tasks = evidence_plan(ledger)
    source = tmp_path / "a.pdf"
    source.write_bytes(b"%PDF")
    item = ev.attach_files(ledger, tasks[0], [source], "2023Q3").added[0]
    # a name recorded by an older version, before names were cleaned
    ledger.db.execute("UPDATE evidence SET name = ?, note = ? WHERE id = ?",
                      ["报告\u202excod\x1b[2J.exe", "备注\x1b[31m红", item.id])
    out = write_evidence_package(ledger, tmp_path / "包.zip").path
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert not any(ch in name for name in names for ch in BIDI + "\x1b")
    assert main(["--ledger", str(ledger_dir), "evidence", str(tasks[0])]) == 0
    printed = capsys.readouterr().out
    assert "报告xcod[2J.exe" in printed and "备注[31m红" in printed
    assert not any(ch in printed for ch in BIDI + "\x1b")


@pytest.mark.parametrize("name, expected", [
    ('a<b>c:d"e/f\\g|h?i*j.png', "a_b_c_d_e_f_g_h_i_j.png"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    ("com1.tar.gz", "_com1.tar.gz"),
    ("  结尾有点和空格. . ", "结尾有点和空格"),
    ("", "未命名"),
    ("???", "未命名"),
    ("制\t表\n符.doc", "制_表_符.doc"),
    ("x" * 100 + ".pdf", "x" * 76 + ".pdf"),
    ("通" * 100 + ".pdf", "通" * 65 + ".pdf"),  # 200 UTF-8 bytes at most
])
def test_safe_filename(name, expected):
    assert ev.safe_filename(name) == expected


def test_unique_name_adds_numbers_ignoring_case():
    taken: set[str] = set()
    assert [ev.unique_name(n, taken) for n in ["通知.pdf", "通知.PDF", "通知.pdf", "说明", "说明"]] == [
        "通知.pdf", "通知(2).PDF", "通知(3).pdf", "说明", "说明(2)"]


def test_format_size():
    assert [ev.format_size(n) for n in (None, 0, 1023, 1024, 1536, 5 * 1024 ** 2, 3 * 1024 ** 3)] == [
        "", "0 字节", "1023 字节", "1.0 KB", "1.5 KB", "5.0 MB", "3.0 GB"]


@pytest.mark.parametrize("name, expected", [
    ("区发改局", "区发改局"),
    ('a<b>c:d"e/f', "a_b_c_d_e_f"),
    ("县财政局\n(会计核算中心)", "县财政局 (会计核算中心)"),  # a cell written over two lines
    ("县政府办.", "县政府办"),
    ("某某. 街道", "某某. 街道"),  # dots inside a unit's name are no extension
    ("CON", "_CON"),
    ("\u202e局政财", "局政财"),
    ("通知\u200b附件", "通知附件"),  # zero-width space: invisible, so gone
    ("", "未命名单位"),
    ("局" * 70, "局" * 60),
])
def test_safe_file_part(name, expected):
    assert safe_file_part(name) == expected


def test_safe_file_part_keeps_its_limit_and_adds_no_extension():
    assert safe_file_part("某县人民政府办公室.xlsx", 5) == "某县人民政"
    assert safe_file_part("a.verylongextension") == "a.verylongextension"
