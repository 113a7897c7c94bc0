"""The draft a prose reading gives the clerk (tasks, skipped lines, warnings), and
:func:`draft_to_plan`, which turns the (possibly edited) draft into the same
:class:`ParsedPlan` the table readers give: the import and the ledger do not know the
difference."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ..deadlines import Deadline, DeadlineKind, parse_deadline
from ..model import ParsedPlan, ParsedTask
from ..patterns import lazy_compile
from ..units import Role, UnitRef, assign_roles
from .duties import EACH_LEADS_RE

#: The printed columns of a draft, as the county's 分解表 prints them.
COLUMNS = ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
_MAPPING = {"seq": [0], "heading": [1], "requirement": [2], "units": [3], "deadline": [4]}
SHEET_NAME = "正文"

FLAG_NO_UNIT = "原文没有写明责任单位,请补充"
SOURCE_KEY = "原文"
FLAG_KEY = "需核对"

YEAR_RE = lazy_compile(r"(20\d{2})\s*年")


@dataclass(slots=True)
class DraftTask:
    """One task of the draft as the clerk will see and edit it."""

    section: list[str]
    requirement: str
    units_text: str = ""
    deadline_text: str = ""
    title: str | None = None
    all_lead: bool = False  # "分别负责落实": every unit named leads
    line: int = 0  # 1-based paragraph the task comes from
    source: str = ""  # that paragraph as printed
    flags: list[str] = field(default_factory=list)

    @property
    def units(self) -> list[UnitRef]:
        return task_units(self.units_text, self.all_lead)


@dataclass(slots=True)
class SkippedLine:
    line: int
    text: str
    reason: str  # 前言 / 结尾 / 网页内容 / 落款 / 附件 / 标题


@dataclass(slots=True)
class Draft:
    """What the text says, before the clerk's corrections and before any year."""

    title: str
    tasks: list[DraftTask]
    skipped: list[SkippedLine] = field(default_factory=list)
    doc_number: str | None = None
    year: int | None = None  # the year the title prints, if any
    heading_count: int = 0
    duty_count: int = 0  # tasks whose duty the text names
    warnings: list[str] = field(default_factory=list)
    item_count: int = 0  # tasks from numbered items

    @property
    def recognised(self) -> bool:
        """True when this looks like work points: headings, numbered items or duties."""
        return bool(self.tasks) and (self.heading_count > 0 or self.duty_count > 0 or self.item_count >= 2)


def task_units(units_text: str, all_lead: bool = False) -> list[UnitRef]:
    """The units of a duty as the table readers give them (first leads, labels read by
    :func:`units.assign_roles`); ``all_lead`` for 分别负责落实, where each one leads."""
    refs = assign_roles(units_text)
    if all_lead or EACH_LEADS_RE.search(units_text or ""):
        refs = [UnitRef(ref.name, Role.LEAD) for ref in refs]
    return refs


_NO_DEADLINE = Deadline("", None, DeadlineKind.UNKNOWN, False)


def draft_to_plan(draft: Draft, *, year: int | None, source_name: str,
                  default_deadline: str | None = None, today: date | None = None) -> ParsedPlan:
    """The draft as the plan a table reader would give (序号 1..N in order)."""
    warnings: list[str] = list(draft.warnings)
    year_found = True
    plan_year = year or draft.year
    if plan_year is None:
        years = Counter(int(m.group(1)) for t in draft.tasks for m in [YEAR_RE.search(t.deadline_text)] if m)
        plan_year = years.most_common(1)[0][0] if years else None
    if plan_year is None:
        plan_year = (today or date.today()).year
        year_found = False
        warnings.append(f"标题和文件名中都没有年份,按 {plan_year} 年计算完成时限;"
                        "如不对,请指定这份分解表的年份后重新导入。")
    default = (default_deadline or "").strip()
    default_parsed = parse_deadline(default, plan_year) if default else None
    has_deadlines = any(t.deadline_text.strip() for t in draft.tasks)
    if not has_deadlines:
        if default_parsed is not None:
            warnings.append(f"正文中没有写完成时限,各项任务统一按“{default}”计算到期日。")
        else:
            warnings.append("正文中没有写完成时限,各项任务都没有到期日。如需统一设置,可填写统一的完成时限"
                            "(导入窗口“统一完成时限”,或命令行 --deadline),例如 12月底前。")
    no_unit = sum(1 for t in draft.tasks if not t.units)
    if no_unit:
        warnings.append(f"有 {no_unit} 项任务原文没有写明责任单位,导入后请补充(导出分解表时该格留空)。")
    tasks: list[ParsedTask] = []
    for task in draft.tasks:
        text = task.deadline_text.strip()
        if text:
            deadline = parse_deadline(text, plan_year)
        elif default_parsed is not None:
            deadline = default_parsed
        else:
            deadline = _NO_DEADLINE  # the text names none: nothing to check, nothing guessed
        extra = {SOURCE_KEY: task.source} if task.source else {}
        flags = [f for f in task.flags if f != FLAG_NO_UNIT] + ([FLAG_NO_UNIT] if not task.units else [])
        if flags:
            extra[FLAG_KEY] = ";".join(flags)
        tasks.append(ParsedTask(
            seq=len(tasks) + 1,
            section=list(task.section),
            title=task.title or None,
            requirement=task.requirement,
            units_text=task.units_text,
            units=task.units,
            deadline=deadline,
            source_row=task.line,
            extra=extra,
        ))
    return ParsedPlan(
        title=draft.title or source_name.rsplit(".", 1)[0],
        year=plan_year,
        columns=list(COLUMNS),
        mapping={k: list(v) for k, v in _MAPPING.items()},
        tasks=tasks,
        sheet=SHEET_NAME,
        source_name=source_name,
        doc_number=draft.doc_number,
        warnings=warnings,
        column_reasons=["按任务顺序编号", "正文中的“一、”“(一)”标题", "正文中每项任务自己的句子",
                        "任务后括号中的责任单位", "括号中的完成时限"],
        year_found=year_found,
        has_deadline_column=has_deadlines,
        default_deadline=default or None,
    )
