"""Large plans for benchmarks, written straight into a ledger (no file to read).

The task texts, units and deadlines vary like real tables do, so searches and
filters do realistic work; the random generator is seeded, so runs compare.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask, Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import assign_roles

PHRASES = ("推进政务公开标准化规范化建设", "加强政策解读", "回应社会关切", "优化营商环境信息公开",
           "做好依申请公开答复工作", "规范政府网站和政务新媒体管理", "深化基层政务公开", "落实重大行政决策目录管理",
           "强化公共企事业单位信息公开", "及时发布权威信息", "完善政务公开专区", "开展政策评价")
UNITS = ("县发改局", "县财政局", "县教体局", "县卫健局", "县民政局", "县住建局", "县人社局", "县自然资源局",
         "县生态环境分局", "县农业农村局", "县商务局", "县文旅局", "县应急局", "县市场监管局", "县医保局",
         "县政府办公室", "县大数据中心", "县行政审批服务局", "各乡镇(街道)", "县政府各部门单位")
DEADLINES = ("12月底前", "6月底前", "三季度前", "全年", "长期坚持", "9月30日前", "上半年", "每季度")
CN = "一二三四五六七八九十"


def synthetic_plan(tasks: int, year: int = 2026, seed: int = 7, top_every: int = 400,
                   sub_every: int = 40) -> ParsedPlan:
    """A top-level section every ``top_every`` tasks, a sub-section every ``sub_every``."""
    rnd = random.Random(seed)
    parsed = []
    for i in range(tasks):
        top, sub = i // top_every, i // sub_every
        section = [f"{CN[top % 10]}、第{top + 1}部分重点工作", f"({sub + 1})第{sub + 1}组任务"]
        requirement = "".join(rnd.choice(PHRASES) + "," for _ in range(rnd.randint(2, 8))) + "确保取得实效。"
        units = "、".join(rnd.sample(UNITS, rnd.randint(1, 5)))
        parsed.append(ParsedTask(seq=i + 1, section=section, title=None, requirement=requirement,
                                 units_text=units, units=assign_roles(units),
                                 deadline=parse_deadline(rnd.choice(DEADLINES), year), source_row=i + 4))
    return ParsedPlan(title=f"{year}年某县政务公开重点工作任务分解表({tasks}项)", year=year,
                      columns=["工作任务", "具体要求", "责任单位", "完成时限"], mapping={}, tasks=parsed,
                      sheet="Sheet1", source_name=f"synthetic-{tasks}.xlsx")


def make_ledger(folder: Path, tasks: int, year: int = 2026, top_every: int = 400, sub_every: int = 40) -> Path:
    """A ledger with one plan of ``tasks`` tasks, a third done, a fifth in progress,
    and a progress note on every tenth task."""
    with Ledger.open(folder) as ledger:
        write_plan(ledger, synthetic_plan(tasks, year, top_every=top_every, sub_every=sub_every), f"{tasks:064d}")
        ids = ledger.task_ids(ledger.plans()[0].id)
        ledger.set_statuses(ids[: len(ids) // 3], Status.DONE, date(year, 9, 1))
        ledger.set_statuses(ids[len(ids) // 3: len(ids) // 3 + len(ids) // 5], Status.IN_PROGRESS, date(year, 6, 1))
        for tid in ids[::10]:
            ledger.set_progress(tid, Quarter(year, 3), "已在政府网站专栏发布解读材料,并通过政务新媒体转发。")
    return folder
