"""A text longer than Excel's 32,767 characters (a note written before the limit existed,
a requirement read from a table) is never cut silently: the xlsx cell, the 目录.xlsx of a
material package and the report say that the rest is left out and where to find it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

from tests.core.test_evidence import evidence_plan
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.limits import MAX_CELL_CHARS
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.evidence_package import INDEX_NAME, write_evidence_package
from zwgk_desktop.io.pdf_fonts import load_font_set
from zwgk_desktop.io.pdf_report import _GridBuilder
from zwgk_desktop.io.xlsx_export import export_plan_xlsx

Q3 = Quarter(2023, 3)
LONG = ("进展情况逐项说明。" * 5000)[:45_000]


def _store_note(ledger: Ledger, task_id: int, text: str) -> None:
    """A note as a ledger from before the limit may hold it (set_progress now refuses it)."""
    ledger.db.execute("INSERT INTO progress (task_id, quarter, text, status, at, by) VALUES (?, ?, ?, ?, ?, ?)",
                      [task_id, str(Q3), text, "推进中", "2023-09-01T10:00:00", "tester"])


def _marked(value: str) -> None:
    assert len(value) <= MAX_CELL_CHARS
    kept = value.index("……【")
    assert value[:kept] == LONG[:kept]
    assert f"其余 {len(LONG) - kept:,} 字" in value and "完整内容请在台账中查看" in value


def test_xlsx_export_marks_a_cut_note(ledger: Ledger, tmp_path: Path) -> None:
    tasks = evidence_plan(ledger)
    _store_note(ledger, tasks[0], LONG)
    out = export_plan_xlsx(ledger, ledger.plans()[0].id, Q3, tmp_path / "导出.xlsx").path
    sheet = openpyxl.load_workbook(out).active
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and len(c.value) > 1000]
    assert len(cells) == 1
    _marked(cells[0])


def test_package_index_marks_a_cut_requirement(ledger: Ledger, tmp_path: Path) -> None:
    tasks = evidence_plan(ledger)
    ledger.db.execute("UPDATE tasks SET requirement = ?, title = NULL WHERE id = ?", [LONG, tasks[0]])
    ev.attach_note(ledger, tasks[0], "见纸质档案。", Q3)
    out = write_evidence_package(ledger, tmp_path / "材料.zip").path
    with zipfile.ZipFile(out) as zf:
        book = openpyxl.load_workbook(io.BytesIO(zf.read(INDEX_NAME)))
    cells = [c.value for row in book["目录"].iter_rows() for c in row if isinstance(c.value, str) and len(c.value) > 1000]
    assert len(cells) == 1
    _marked(cells[0])


def test_report_cell_is_cut_with_the_marker() -> None:
    """The 10 MB note that took 380 s to lay out: at most one cell's worth is laid out."""
    grid = _GridBuilder(load_font_set(), [120.0])
    grid.add([([("进展情况。" * 2_000_000, "body")], "left")])
    lines = grid.rows[0].cells[0][0]
    text = "".join(chars for _width, runs in lines for _font, chars in runs)
    assert len(text) <= MAX_CELL_CHARS
    assert text.endswith("完整内容请在台账中查看】")
