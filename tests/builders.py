"""Shared builders for tests, as sqlite-utils' fresh_db fixtures are: a plan as the
table reader hands it over, and the ledger's whole content as text to compare.
Import from here (not from another test module)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.ledger import LEDGER_FILE, Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask
from zwgk_desktop.core.units import assign_roles

SUB = "\uff08\u4e00\uff09\u76ee\u5f55\u7ba1\u7406"  # （一）目录管理, full-width brackets
TABLES = ["plans", "sections", "tasks", "units", "task_units", "progress", "status_history", "audit"]


def parsed_plan(rows=None, *, year: int = 2023, title: str = "2023年某县政务公开工作任务分解表",
                source: str = "任务表.xlsx") -> ParsedPlan:
    """A plan as the table reader would hand it over: (section, requirement, units, deadline)."""
    rows = rows if rows is not None else [
        (["一、推进决策公开", SUB], "公开决策事项目录。", "县司法局、县政府办", "6月底前"),
        (["一、推进决策公开", SUB], "动态调整目录。", "县司法局", "按上级要求"),
        (["二、夯实基础"], "规范政府网站。", "县大数据中心", "长期坚持"),
    ]
    tasks = [
        ParsedTask(seq=i + 1, section=list(section), title=None, requirement=req, units_text=units,
                   units=assign_roles(units), deadline=parse_deadline(deadline, year), source_row=i + 3)
        for i, (section, req, units, deadline) in enumerate(rows)
    ]
    return ParsedPlan(title=title, year=year, columns=["工作任务", "具体要求", "责任单位", "完成时限"],
                      mapping={"heading": [0], "requirement": [1], "units": [2], "deadline": [3]},
                      tasks=tasks, sheet="Sheet1", source_name=source)


def dump(ledger: Ledger) -> str:
    return "\n".join(ledger.db.conn.iterdump())


def dump_from_disk(folder: Path) -> str:
    """What another program (or the next start) would read: committed content only."""
    conn = sqlite3.connect(str(folder / LEDGER_FILE))
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def audit_count(ledger: Ledger) -> int:
    return ledger.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """`zwgk ARGV` in process: exit code, standard output, standard error."""
    from zwgk_desktop.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
