"""The 催办单 as Word (.docx): the same content as the PDF, one section per unit, read
back with python-docx; opened by LibreOffice when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest

from tests.core.test_follow_up import TODAY, make_plan
from zwgk_desktop.core import follow_up as fu
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.io.remind_docx import render_reminders_docx
from zwgk_desktop.io.remind_pdf import notices_for


@pytest.fixture
def notices(ledger: Ledger):
    pid, _ = make_plan(ledger)
    return notices_for(ledger, pid, fu.lagging_units(ledger, pid, today=TODAY), reply_by=date(2023, 9, 27),
                       office="县政府办公室", issued_on=TODAY)


def all_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "".join("".join(parts).split())


def test_docx_content(tmp_path: Path, notices) -> None:
    office = [n for n in notices if n.unit == "县政府办"]
    out = tmp_path / "催办单.docx"
    render_reminders_docx(office, out)
    text = all_text(out)
    for expected in ("督办通知", "县政府办:", "公开重大行政决策事项目录", "6月底前", "已逾期82天", "9月30日到期",
                     "本季度无进展", "本季度无佐证材料", "2023年9月27日前", "县政府办公室", "2023年9月20日"):
        assert expected in text, expected
    document = docx.Document(str(out))
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 4
    assert round(document.sections[0].page_width.mm) == 210  # A4 (stored in twips)


def test_docx_all_units_each_on_its_own_page(tmp_path: Path, notices) -> None:
    out = tmp_path / "全部.docx"
    render_reminders_docx(notices, out)
    assert all_text(out).count("督办通知") == len(notices)
    assert len(docx.Document(str(out)).tables) == len(notices)


def test_docx_failed_write_leaves_nothing(tmp_path: Path, notices) -> None:
    with pytest.raises(UserError, match="不存在"):
        render_reminders_docx(notices[:1], tmp_path / "没有" / "x.docx")
    assert [p.name for p in tmp_path.iterdir()] == ["ledger"]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_it(tmp_path: Path, notices) -> None:
    out = tmp_path / "催办单.docx"
    render_reminders_docx([n for n in notices if n.unit == "县政府办"], out)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=180, check=True)
    assert (tmp_path / "催办单.pdf").stat().st_size > 1000


def many_tasks(notices, times: int):
    """One unit's notice with its tasks repeated and worded as long as real ones (the 任城
    plan's are 80–200 characters): a unit with many lagging tasks."""
    from dataclasses import replace

    office = next(n for n in notices if n.unit == "县政府办")
    long = "加强政策解读和回应关切,围绕优化营商环境、稳就业保民生等重点领域,及时发布政策文件并同步开展多种形式的解读," * 2
    return replace(office, tasks=[replace(t, title=None, requirement=t.requirement + long) for t in office.tasks * times])


def test_docx_takes_the_pdf_fit_and_keeps_the_closing_with_the_signature(tmp_path: Path, notices) -> None:
    from zwgk_desktop.io.remind_pdf import FITS, fit_for

    notice = many_tasks(notices, 3)  # 9 tasks: the PDF needs a smaller table to keep one page
    fit = fit_for(notice)
    assert fit != FITS[0]
    out = tmp_path / "催办单.docx"
    render_reminders_docx([notice], out)
    document = docx.Document(str(out))
    table = document.tables[0]
    sizes = {run.font.size.pt for cell in table.rows[1].cells for p in cell.paragraphs for run in p.runs}
    assert sizes == {fit[0]}
    assert all(len(row.cells[1].text) <= fit[2] for row in table.rows[1:])
    assert all(row._tr.trPr is not None and row._tr.trPr.find(docx.oxml.ns.qn("w:cantSplit")) is not None
               for row in table.rows)
    assert table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    texts = [p.text for p in document.paragraphs]
    closing = texts.index(next(t for t in texts if t.startswith("请于")))
    keep = [p.paragraph_format.keep_with_next for p in document.paragraphs[closing:]]
    assert texts[-2:] == ["县政府办公室", "2023年9月20日"]
    assert keep[:-1] == [True] * (len(keep) - 1) and not keep[-1]  # all but the date keep with the next


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdfinfo"),
                    reason="LibreOffice or poppler is not installed")
def test_libreoffice_keeps_a_six_task_notice_on_one_page(tmp_path: Path, notices) -> None:
    out = tmp_path / "六项.docx"
    render_reminders_docx([many_tasks(notices, 2)], out)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=180, check=True)
    info = subprocess.run(["pdfinfo", str(tmp_path / "六项.pdf")], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info.splitlines()
