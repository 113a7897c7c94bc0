"""The 催办单 PDF read back with poppler: the unit, its tasks with deadline and what is
missing, the reply deadline, the office and date; fonts embedded; one page per unit."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import squash
from tests.core.test_follow_up import TODAY, make_plan
from zwgk_desktop.core import follow_up as fu
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.io.remind_pdf import RemindNotice, notices_for, render_reminders

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"),
                                reason="poppler-utils (pdftotext, pdffonts) is not installed")


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def notices(ledger: Ledger) -> list[RemindNotice]:
    pid, _ = make_plan(ledger)
    lags = fu.lagging_units(ledger, pid, today=TODAY)
    return notices_for(ledger, pid, lags, reply_by=date(2023, 9, 27), office="县政府办公室",
                       issued_on=TODAY)


def test_one_unit_notice_reads_back(tmp_path: Path, notices) -> None:
    office = next(n for n in notices if n.unit == "县政府办")
    out = tmp_path / "催办单.pdf"
    result = render_reminders([office], out)
    assert result.pages == 1 and not result.missing
    text = squash(text_of(out))
    for expected in ("督办通知", "县政府办:", "公开重大行政决策事项目录", "6月底前", "已逾期82天",
                     "9月30日到期", "本季度无进展", "本季度无佐证材料", "2023年9月27日前",
                     "县政府办公室", "2023年9月20日", "2023年测试表"):
        assert expected in text, expected
    # only this unit's tasks
    assert "常态化回应社会关切" not in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, check=True).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)


def test_all_units_one_page_each(tmp_path: Path, notices) -> None:
    out = tmp_path / "全部.pdf"
    render_reminders(notices, out)
    assert pages(out) == len(notices)
    text = text_of(out)
    assert text.count("督办通知") == len(notices)


def test_many_tasks_still_printable(tmp_path: Path, notices) -> None:
    notice = next(n for n in notices if n.unit == "县政府办")
    notice.tasks = notice.tasks * 30  # 90 rows: the table goes on, the header repeats
    out = tmp_path / "长.pdf"
    result = render_reminders([notice], out)
    assert result.pages >= 2
    text = squash(text_of(out))
    assert text.count("序号") >= result.pages - 1  # the header on every page of the table
    assert text.count("督办通知") == 1 and text.endswith("2023年9月20日")


def test_failed_write_leaves_nothing(tmp_path: Path, notices) -> None:
    from zwgk_desktop.core.errors import UserError

    with pytest.raises(UserError, match="不存在"):
        render_reminders(notices[:1], tmp_path / "没有的文件夹" / "x.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["ledger"]  # the ledger only: no half PDF


def test_a_dozen_tasks_condensed_onto_one_page(tmp_path: Path, notices) -> None:
    notice = next(n for n in notices if n.unit == "县政府办")
    notice.tasks = notice.tasks * 4  # 12 rows: smaller table type and short words, still one page
    out = tmp_path / "一页.pdf"
    assert render_reminders([notice], out).pages == 1
    text = squash(text_of(out))
    assert "无进展、无佐证材料" in text and text.count("督办通知") == 1
