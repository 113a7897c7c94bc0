"""一页纸概况: the numbers (core/overview) and the PDF, one page whatever the plan's size."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import squash
from tests.core.test_follow_up import TODAY, make_plan
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.overview import MAX_GROUPS, MAX_OVERDUE, build_overview
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import assign_roles
from zwgk_desktop.io.overview_pdf import render_overview

poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdfinfo"),
                             reason="poppler-utils is not installed")


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")


def test_numbers(ledger: Ledger) -> None:
    pid, ids = make_plan(ledger)
    ledger.set_progress(ids[3], Quarter(2023, 3), "已发布图解 3 篇。")
    ledger.set_status(ids[1], Status.DONE, date(2023, 8, 1))
    ledger.set_progress(ids[1], Quarter(2023, 3), "目录已调整并公开。")
    o = build_overview(ledger, pid, TODAY)
    assert (o.totals.total, o.totals.done, o.totals.overdue) == (6, 2, 1)
    assert [i.seq for i in o.overdue] == [1] and o.overdue[0].days == 82 and o.overdue[0].unit == "县司法局"
    assert [h.seq for h in o.highlights] == [2, 4] and o.highlights[0].done  # done this quarter first
    assert o.by_section[0].label == "一、决策公开" and o.by_section[0].counts.total == 6
    assert sum(o.lagging.values()) >= 3


@pytest.fixture
def big(ledger: Ledger) -> int:
    tasks = []
    for i in range(1200):
        units = f"县单位{i % 90:02d}局、县配合{i % 7}办"
        tasks.append(ParsedTask(seq=i + 1, section=[f"{'一二三四五六七八九十'[i % 10]}、第{i % 25}部分很长的章节名称用于测试换行"],
                                title=None, requirement=f"第 {i} 项任务:做好政务公开相关工作并及时公开。" * 3,
                                units_text=units, units=assign_roles(units),
                                deadline=parse_deadline("6月底前" if i % 3 else "12月底前", 2023), source_row=i + 2))
    parsed = ParsedPlan(title="2023年某县政务公开重点工作任务分解表(标题很长很长的一份文件用于测试)", year=2023,
                        columns=[], mapping={}, tasks=tasks, sheet="Sheet1", source_name="big.xlsx")
    return write_plan(ledger, parsed, "e" * 64).plan_id


def test_big_plan_condensed(ledger: Ledger, big: int) -> None:
    o = build_overview(ledger, big, TODAY)
    assert len(o.by_unit) == MAX_GROUPS and o.units_left_out == 90 - MAX_GROUPS + 1
    assert len(o.overdue) == MAX_OVERDUE and o.overdue_left_out == 800 - MAX_OVERDUE


@poppler
def test_pdf_one_page_reads_back(tmp_path: Path, ledger: Ledger) -> None:
    pid, _ = make_plan(ledger)
    out = tmp_path / "概况.pdf"
    result = render_overview(build_overview(ledger, pid, TODAY), out)
    assert result.pages == 1 and not result.missing
    text = squash(text_of(out))
    for expected in ("2023年政务公开重点工作落实情况概况", "截至2023年9月20日", "任务总数", "按章节",
                     "按牵头单位", "逾期任务(1项)", "公开重大行政决策事项目录", "县司法局", "82天", "督办"):
        assert expected in text, expected


@poppler
def test_pdf_big_plan_still_one_page(tmp_path: Path, ledger: Ledger, big: int) -> None:
    out = tmp_path / "概况.pdf"
    result = render_overview(build_overview(ledger, big, TODAY), out)
    assert result.pages == 1
    text = squash(text_of(out))
    assert "另有792项逾期任务未列出" in text and "合为一条" in text
