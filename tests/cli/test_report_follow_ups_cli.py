"""`zwgk report … --follow-ups`: the quarter's 催办单 in the report, and the counts of
recurring tasks by period in what the command prints."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.builders import run_cli
from tests.conftest import squash
from tests.core.test_report_periods import Q2, make_periodic_ledger, record
from zwgk_desktop.core.ledger import Ledger


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    with Ledger.open(folder) as ledger:
        plan_id, _ = make_periodic_ledger(ledger)
        record(ledger, plan_id, "县政府办", date(2023, 6, 25), Q2, date(2023, 7, 5))
    return folder


def test_follow_ups_option(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "q2.docx"
    code, printed, err = run_cli(capsys, "--ledger", str(folder), "report", "--quarter", "2023Q2", "-o", str(out),
                                 "--follow-ups")
    assert code == 0, err
    assert "本季度催办单:1 份" in printed
    assert "定期任务按本季度到期的期次计 6 项次" in printed and "计入统计 7 项" in printed
    assert out.is_file()
    code, printed, _ = run_cli(capsys, "--ledger", str(folder), "report", "--quarter", "2023Q4", "-o",
                               str(tmp_path / "q4.docx"), "--follow-ups")
    assert code == 0 and "本季度没有发出催办单" in printed
    code, printed, _ = run_cli(capsys, "--ledger", str(folder), "report", "--quarter", "2023Q2", "-o",
                               str(tmp_path / "plain.docx"))
    assert code == 0 and "催办" not in printed


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_follow_ups_section_in_the_pdf(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "q2.pdf"
    code, _, err = run_cli(capsys, "--ledger", str(folder), "report", "--quarter", "2023Q2", "-o", str(out),
                           "--follow-ups")
    assert code == 0, err
    text = squash(subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True,
                                 encoding="utf-8", check=True).stdout)
    assert "三、本季度催办情况" in text and "县政府办" in text and "7月5日" in text
