"""`zwgk draft`: the county's own 任务分解表 (.xlsx) from 工作要点 written as prose,
without importing anything (io/prose_reader.py reads, io/draft_writer.py writes)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only; imported where used, so commands start fast
    from ..core.work_points import Draft


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command("draft", "从工作要点正文(.docx/.txt)生成任务分解表(.xlsx),不导入台账", cmd_draft)
    p.add_argument("file", metavar="FILE", help="印发工作要点的通知原文(.docx 或 .txt)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="要写入的分解表(.xlsx)")
    p.add_argument("--year", type=_year, help="年份(标题中没有年份时可写明,用于计算到期日)")
    p.add_argument("--deadline", metavar="TEXT", help="正文没有写完成时限的任务统一使用的完成时限,例如 12月底前")


def _year(text: str) -> int:
    from .arguments import parse_year as _parse_year

    return _parse_year(text)


def cmd_draft(args: argparse.Namespace) -> int:
    from ..io.draft_writer import write_draft
    from ..io.table_reader import ReadOptions
    from ..io.prose_reader import read_plan_or_prose

    options = ReadOptions(year=args.year, default_deadline=args.deadline)
    reading = read_plan_or_prose(args.file, options, prose=True)
    plan = reading.plan
    written = write_draft(plan, args.output)
    no_unit = sum(1 for t in plan.tasks if not t.units)
    print(f"已从“{Path(args.file).name}”生成分解表 {written}:{len(plan.tasks)} 项任务,"
          f"{len(plan.sections)} 个章节。")
    if no_unit:
        print(f"  其中 {no_unit} 项原文没有写明责任单位,表中该格留空,请补充后再下发。")
    if reading.draft is not None:
        print_skipped(reading.draft, stream=sys.stdout)
    return 0


def print_skipped(draft: Draft, stream=None) -> None:
    """What was read as not a task (前言、结尾、网页内容、落款、附件), counted by reason."""
    stream = stream or sys.stdout
    counts: dict[str, int] = {}
    for line in draft.skipped:
        counts[line.reason] = counts.get(line.reason, 0) + 1
    if counts:
        shown = "、".join(f"{reason} {n} 段" for reason, n in counts.items())
        print(f"  未作为任务的文字:{shown}(导入窗口中可查看并恢复)。", file=stream)
