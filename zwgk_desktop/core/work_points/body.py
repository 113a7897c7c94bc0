"""The body of work points, paragraph by paragraph: headings ``一、``/``(一)`` as
sections, numbered items ``1.``/``(1)``/``①`` as tasks, each task closed by its duty
bracket (or flagged without one), and what is not a task (preamble, closing parts,
web-page furniture, signatures, attachments) listed as skipped with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..patterns import lazy_compile
from .draft import FLAG_NO_UNIT, DraftTask, SkippedLine
from .duties import (
    LABEL_START_RE,
    Duty,
    duty_segments,
    find_duties,
    first_sentence,
    labelled_duty,
    text_key,
    tidy,
)

_CN = "一二三四五六七八九十百零〇"

L1_RE = lazy_compile(rf"^\s*(第[{_CN}\d]+(?:部分|篇|章)|[{_CN}]+\s*[、.．])\s*")
L2_RE = lazy_compile(rf"^\s*[((]\s*([{_CN}]*)\s*[))]\s*")
ITEM_RE = lazy_compile(r"^\s*(\d{1,2}\s*[.．、](?!\d)|[((]\s*\d{1,2}\s*[))]|[①-⑳])\s*")

_PREAMBLE_HEADS = ("总体要求", "指导思想", "基本原则", "工作原则", "主要目标", "工作目标", "总体目标",
                   "适用范围", "编制依据")
_CLOSING_HEADS = ("保障措施", "工作保障", "组织保障", "工作要求", "有关要求", "其他要求", "其他事项",
                  "工作措施")
ANNEX_RE = lazy_compile(r"^附\s*件\s*\d*\s*(?:[::].*)?$")
DATE_LINE_RE = lazy_compile(r"^\s*(?:\d{4}|[二〇一三四五六七八九零]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*"
                             r"[\d一二三四五六七八九十]{1,3}\s*日\s*$")


def _is_noise(text: str) -> bool:
    """Page furniture and signatures: short lines that end no sentence."""
    if DATE_LINE_RE.match(text):
        return True
    squashed = "".join(text.split())
    if len(squashed) > 40:
        return False
    if squashed[-1:] in "。;;!?!?:" or LABEL_START_RE.match(text) or find_duties(text):
        return False
    return True


def _cn_number(text: str) -> int | None:
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _cn_numeral(n: int) -> str:
    units = "零一二三四五六七八九"
    if n < 10:
        return units[n]
    if n < 20:
        return "十" + (units[n - 10] if n > 10 else "")
    if n < 100:
        return units[n // 10] + "十" + (units[n % 10] if n % 10 else "")
    return str(n)


def _head_kind(label: str) -> str:
    words = text_key(re.sub(r"[。.:：:]$", "", label))
    if any(words == w or words.endswith(w) and len(words) <= len(w) + 2 for w in _PREAMBLE_HEADS):
        return "preamble"
    if any(words == w or words.endswith(w) and len(words) <= len(w) + 2 for w in _CLOSING_HEADS):
        return "closing"
    return "tasks"


@dataclass(slots=True)
class Body:
    tasks: list[DraftTask] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    headings: int = 0
    duties: int = 0
    items: int = 0  # tasks from numbered items (1. / (1) / ①)


def read_body(lines: list[tuple[int, str]]) -> Body:
    body = Body()
    l1: str | None = None
    l2: str | None = None
    mode = "tasks"
    last_l2 = 0  # the last (一) number: a marker that lost its numeral is the next one
    l1_count = l2_in_l1 = 0
    restarts = False
    last_task: DraftTask | None = None
    heading_lines: dict[int, str] = {}  # skipped heading line -> its label

    def path(extra: str | None = None) -> list[str]:
        return [p for p in (l1, l2, extra) if p]

    def add(requirement: str, duty: Duty | None, section: list[str], line: int, source: str,
            title: str | None = None, flags: list[str] | None = None) -> None:
        nonlocal last_task
        if not requirement and duty is not None:
            # A duty on its own ("(责任单位:X)" on the next line): the task before it.
            if last_task is not None and not last_task.units_text:
                _give_duty(last_task, duty.units_text, duty.deadline_text, duty.all_lead)
                body.duties += 1
            return
        if not requirement:
            return
        if duty is None and mode != "tasks":
            if not any(s.line == line for s in body.skipped):
                body.skipped.append(SkippedLine(line, source, "结尾" if mode == "closing" else "前言"))
            return
        task = DraftTask(section=section, requirement=requirement, title=title, line=line, source=source,
                         flags=list(flags or []))
        if duty is not None:
            _give_duty(task, duty.units_text, duty.deadline_text, duty.all_lead)
            body.duties += 1
        else:
            task.flags.append(FLAG_NO_UNIT)
        body.tasks.append(task)
        last_task = task

    for line, text in lines:
        m1 = L1_RE.match(text)
        m2 = None if m1 else L2_RE.match(text)
        mi = None if (m1 or m2) else ITEM_RE.match(text)
        if m1 or m2:
            body.headings += 1
            numbering = (m1 or m2).group(0).strip()
            rest_all = text[(m1 or m2).end():]
            lead, rest = first_sentence(rest_all)
            flags: list[str] = []
            if m1 is not None:
                l1_count += 1
                l2_in_l1 = 0
                if restarts:
                    last_l2 = 0
            if m2 is not None:
                number = _cn_number(m2.group(1))
                if number == 1 and l1_count > 1:
                    restarts = True  # (一) again under each 一、: numbering restarts per part
                if number is None:
                    number = 1 if restarts and l2_in_l1 == 0 else last_l2 + 1
                    numbering = f"({_cn_numeral(number)})"
                    flags.append(f"原文的序号缺了数字,已按顺序补为“{numbering}”")
                last_l2 = number
                l2_in_l1 += 1
            else:
                numbering = re.sub(r"\s+", "", numbering)
            if find_duties(lead):
                # A heading that is itself a task: the whole paragraph is read as text.
                lead_label, _ = first_sentence(_strip_duty_text(lead))
                label = numbering + lead_label
                rest = rest_all
            else:
                label = numbering + lead
            if m1 is not None:
                l1, l2 = label, None
                mode = _head_kind(lead)
            else:
                l2 = label
            if mode != "tasks" and not rest:
                body.skipped.append(SkippedLine(line, text, "结尾" if mode == "closing" else "前言"))
                heading_lines[line] = label
            if not rest:
                continue
            segments = duty_segments(rest)
            for requirement, duty in segments:
                add(requirement, duty, path(), line, text, flags=flags)
            continue
        if ANNEX_RE.match(text):
            break
        if LABEL_START_RE.match(text) and not find_duties(text):
            units_text, deadline, each = labelled_duty(tidy(text))
            if last_task is not None and last_task.units_text and units_text and ":" not in units_text:
                units_text = "责任单位:" + units_text  # keep the label beside a 牵头单位 line
            if last_task is not None and (units_text or deadline):
                _give_duty(last_task, units_text, deadline, each, append=True)
                body.duties += 1
            else:
                body.skipped.append(SkippedLine(line, text, "网页内容"))
            continue
        if mi is not None:
            item_text = text[mi.end():]
            segments = duty_segments(item_text)
            duties = [d for _, d in segments if d is not None]
            if len(duties) > 1:
                lead, _ = first_sentence(_strip_duty_text(item_text))
                section = path(re.sub(r"\s+", "", mi.group(0)) + lead)
                first, first_duty = segments[0]
                own_lead, own_rest = first_sentence(first)
                if own_lead == lead and own_rest:
                    segments[0] = (own_rest, first_duty)  # the lead sentence is the section's name
                for requirement, duty in segments:
                    add(requirement, duty, section, line, text)
                continue
            requirement = "".join(req for req, _ in segments)
            duty = duties[0] if duties else None
            lead, rest = first_sentence(requirement)
            title = None
            if rest and len(lead) <= 40:
                title, requirement = lead, rest
            add(requirement, duty, path(), line, text, title=title)
            body.items += 1
            continue
        if _is_noise(text):
            body.skipped.append(SkippedLine(line, text, "网页内容或落款"))
            continue
        for requirement, duty in duty_segments(text):
            add(requirement, duty, path(), line, text)
    # A closing heading whose part has tasks after all (保障措施 with duties) is a section.
    used = {label for task in body.tasks for label in task.section}
    body.skipped = [s for s in body.skipped if heading_lines.get(s.line) not in used]
    return body


def _strip_duty_text(text: str) -> str:
    out, position = [], 0
    for duty in find_duties(text):
        out.append(text[position:duty.start])
        position = duty.end
    out.append(text[position:])
    return "".join(out)


def _give_duty(task: DraftTask, units_text: str, deadline: str, each: bool, append: bool = False) -> None:
    if units_text:
        task.units_text = f"{task.units_text};{units_text}" if append and task.units_text else units_text
    if deadline and not task.deadline_text:
        task.deadline_text = deadline
    task.all_lead = task.all_lead or each
    if task.units_text and FLAG_NO_UNIT in task.flags:
        task.flags.remove(FLAG_NO_UNIT)
