"""Read 工作要点 written as prose into a draft task table.

Many offices receive no table: only the notice, the year's 政务公开工作要点 in
paragraphs, with each task's duty written after it in brackets. This module reads
such text (a list of paragraphs, from ``io/prose_reader.py``) as a clerk would:

* Headings ``一、…`` and ``(一)…`` are sections. A subsection's lead sentence stays
  with its heading (``(一)围绕……做好信息公开。制定发布……`` -> section
  ``(一)围绕……做好信息公开``, the rest is text of the section). A marker that lost its
  numeral on a web page (``()深入解读……``) is still a subsection; its number is
  restored from the one before it and the task says so.
* Numbered items ``1.…`` ``(1)…`` ``①…`` are one task each; the item's lead sentence
  is the task's title (任务简称) when more sentences follow. An item that holds
  several duty brackets is a section of its own with one task per bracket.
* A duty bracket closes a task: ``(责任单位:市政府办、各镇(街区))``,
  ``(市发展改革委负责落实)``, ``(A、B、C分别负责落实)`` (each leads),
  ``(牵头单位:A,责任单位:B,完成时限:长期坚持)``; several tasks may share one
  paragraph, each closed by its own bracket. Lines ``牵头单位:…`` / ``责任单位:…`` /
  ``完成时限:…`` under a task belong to it. Brackets nest and may be half- or
  full-width; a duty bracket never closed ends at the end of its sentence.
* Text with no duty bracket becomes a task with no unit, flagged for the clerk.
* The preamble (主送单位, 总体要求, the notice around the work points), parts named
  指导思想/基本原则/主要目标, the closing 保障措施 when it names no unit, page
  furniture copied from web sites (navigation crumbs, 扫一扫, 关闭窗口), signatures and
  dates, and attachments (after ``附件``) are not tasks: they are listed in
  :attr:`Draft.skipped` with the reason, so the clerk can take one back.
* A cover letter whose own 一、二、三 name no unit and number no item, with its 分解表
  attached as text copied from a web page (one cell a line: the header words, then
  一、/(一) rows, each row closed by its 完成时限 cell), reads that table: in a row
  the sentence is the requirement, the other lines its units. Work points of their
  own (duties or numbered items) win over an attached table, which is then only
  mentioned in the warnings.

Pure text in, plain data out: no Qt, no file I/O. :func:`draft_to_plan` turns the
(possibly edited) draft into the same :class:`ParsedPlan` the table readers give, so
the import and the ledger do not know the difference.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .deadlines import Deadline, DeadlineKind, parse_deadline
from .model import ParsedPlan, ParsedTask
from .patterns import lazy_compile
from .units import Role, UnitRef, assign_roles

__all__ = [
    "COLUMNS",
    "Draft",
    "DraftTask",
    "SkippedLine",
    "draft_to_plan",
    "read_work_points",
    "task_units",
]

#: The printed columns of a draft, as the county's 分解表 prints them.
COLUMNS = ["序号", "工作任务", "具体要求", "责任单位", "完成时限"]
_MAPPING = {"seq": [0], "heading": [1], "requirement": [2], "units": [3], "deadline": [4]}
SHEET_NAME = "正文"

FLAG_NO_UNIT = "原文没有写明责任单位,请补充"
SOURCE_KEY = "原文"
FLAG_KEY = "需核对"

_CN = "一二三四五六七八九十百零〇"
_OPEN = "((【〔[［"
_CLOSE = "))】〕]］"
_SENTENCE_END = "。!?!?"

_L1_RE = lazy_compile(rf"^\s*(第[{_CN}\d]+(?:部分|篇|章)|[{_CN}]+\s*[、.．])\s*")
_L2_RE = lazy_compile(rf"^\s*[((]\s*([{_CN}]*)\s*[))]\s*")
_ITEM_RE = lazy_compile(r"^\s*(\d{1,2}\s*[.．、](?!\d)|[((]\s*\d{1,2}\s*[))]|[①-⑳])\s*")

_LABELS = (
    ("牵头单位", "lead"), ("牵头部门", "lead"), ("牵头", "lead"),
    ("责任单位", "units"), ("责任部门", "units"), ("责任主体", "units"), ("主责单位", "units"),
    ("落实单位", "units"), ("承办单位", "units"), ("实施单位", "units"),
    ("配合单位", "coop"), ("配合部门", "coop"), ("协办单位", "coop"),
    ("完成时限", "deadline"), ("完成时间", "deadline"), ("时间要求", "deadline"),
    ("时限要求", "deadline"), ("完成期限", "deadline"), ("时间节点", "deadline"), ("时限", "deadline"),
)
_LABEL_WORDS = "|".join(word for word, _ in sorted(_LABELS, key=lambda item: -len(item[0])))
_LABEL_KIND = dict(_LABELS)
_LABEL_RE = lazy_compile(rf"({_LABEL_WORDS})\s*[::]\s*")
_LABEL_START_RE = lazy_compile(rf"^\s*({_LABEL_WORDS})\s*[::]")
# "(市发改委负责落实)", "(A、B分别牵头落实)", "(市政府办牵头,各县区配合)".
_DUTY_END_RE = lazy_compile(r"(落实|负责|牵头|配合|承办|实施|参照执行)$")
_EACH_LEADS_RE = lazy_compile(r"分别(?:牵头|负责)?(?:落实|负责|牵头|承办|实施)?")
_DEADLINE_WORD_RE = lazy_compile(r"\d+月|[一二三四上下]季度|上半年|下半年|年底|年末|年内|全年|长期|持续|常态|每季度|每月|每年")

_PREAMBLE_HEADS = ("总体要求", "指导思想", "基本原则", "工作原则", "主要目标", "工作目标", "总体目标",
                   "适用范围", "编制依据")
_CLOSING_HEADS = ("保障措施", "工作保障", "组织保障", "工作要求", "有关要求", "其他要求", "其他事项",
                  "工作措施")
_ANNEX_RE = lazy_compile(r"^附\s*件\s*\d*\s*(?:[::].*)?$")
_DATE_LINE_RE = lazy_compile(r"^\s*(?:\d{4}|[二〇一三四五六七八九零]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*"
                             r"[\d一二三四五六七八九十]{1,3}\s*日\s*$")
_TABLE_WORDS = ("工作任务", "要点任务", "重点任务", "责任单位", "牵头单位", "具体要求", "工作要求",
                "完成时限", "序号")
_TITLE_RE = lazy_compile(r"(工作要点|实施方案|工作方案|任务分解表|任务清单|重点工作任务|要点)$")
_NOTICE_RE = lazy_compile(r"关于印发(.+?)的通知")
_META_PREFIX_RE = lazy_compile(r"^\s*标\s*题\s*[::]\s*")
_DOC_NUMBER_RE = lazy_compile(r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d+\s*号")
_YEAR_RE = lazy_compile(r"(20\d{2})\s*年")
_INVISIBLE_RE = lazy_compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = lazy_compile(r"[ \t\u3000\u00a0]+")
_EDGE_PUNCT = " ,,;;、::"


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
    if all_lead or _EACH_LEADS_RE.search(units_text or ""):
        refs = [UnitRef(ref.name, Role.LEAD) for ref in refs]
    return refs


# -- tidying --------------------------------------------------------------------------


def _tidy(text: str) -> str:
    text = _INVISIBLE_RE.sub("", text or "")
    text = text.replace("\r", "")
    return _SPACES_RE.sub(" ", text).strip(" \t\u3000")


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", "".join(text.split()))


def _strip_edges(text: str) -> str:
    return text.strip(_EDGE_PUNCT + "\u3000")


# -- brackets -------------------------------------------------------------------------


def _closers(text: str) -> dict[int, int]:
    """Opening bracket position -> the position of the bracket closing it (either
    width, any kind: web text mixes them), in one pass; unclosed ones are absent."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE and stack:
            pairs[stack.pop()] = i
    return pairs


@dataclass(slots=True)
class _Duty:
    start: int
    end: int  # exclusive
    units_text: str
    deadline_text: str
    all_lead: bool


def _read_duty(inner: str) -> tuple[str, str, bool] | None:
    """(units text, deadline text, each leads) if the bracket's content is a duty."""
    content = _tidy(inner)
    stripped = _strip_edges(content)
    if not stripped or len(stripped) > 400:
        return None
    if _LABEL_START_RE.match(stripped):
        return _labelled_duty(stripped)
    if "。" in stripped:
        return None
    units, deadline = [], ""
    for piece in re.split(r"[,,;;]", stripped):
        piece = piece.strip()
        if piece and not deadline and _looks_like_deadline(piece):
            deadline = piece
        elif piece:
            units.append(piece)
    units_text = ",".join(units)
    # "(市发改委负责落实)", "(市应急局负责,2024年6月底前完成)": the duty words end the units.
    if not _DUTY_END_RE.search(units_text) or not assign_roles(units_text):
        return None
    return units_text, deadline, bool(_EACH_LEADS_RE.search(units_text))


def _looks_like_deadline(piece: str) -> bool:
    if not _DEADLINE_WORD_RE.search(piece) or len(piece) > 20:
        return False
    return parse_deadline(piece, 2000).kind is not DeadlineKind.UNKNOWN


def _labelled_duty(text: str) -> tuple[str, str, bool]:
    """``牵头单位:A、B,责任单位:C,完成时限:长期坚持`` -> units with labels, deadline."""
    parts: list[str] = []
    deadline = ""
    matches = list(_LABEL_RE.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = _strip_edges(text[match.end():end])
        if not value:
            continue
        kind = _LABEL_KIND[match.group(1)]
        if kind == "deadline":
            deadline = deadline or value
        else:
            label = {"lead": "牵头单位", "units": "责任单位", "coop": "配合单位"}[kind]
            parts.append(f"{label}:{value}")
    if len(parts) == 1 and parts[0].startswith("责任单位:"):
        units_text = parts[0][len("责任单位:"):]  # the common case prints as a plain list
    else:
        units_text = ";".join(parts)
    return units_text, deadline, bool(_EACH_LEADS_RE.search(units_text))


def _find_duties(text: str) -> list[_Duty]:
    """Every duty bracket in one paragraph, in order."""
    found: list[_Duty] = []
    if not any(ch in _OPEN for ch in text):
        return found
    pairs = _closers(text)
    i = 0
    while i < len(text):
        if text[i] not in _OPEN:
            i += 1
            continue
        close = pairs.get(i)
        inner = text[i + 1:close] if close is not None else text[i + 1:]
        end = close + 1 if close is not None else len(text)
        if "。" in inner:
            # Never closed (or closed only far away): a duty ends with its sentence.
            stop = inner.index("。")
            if _LABEL_START_RE.match(inner) or _read_duty(inner[:stop]) is not None:
                inner, end = inner[:stop], i + 1 + stop
        reading = _read_duty(inner)
        if reading is not None:
            found.append(_Duty(i, end, *reading))
            i = end
        elif close is not None and "。" not in inner:
            i = close + 1
        else:
            i += 1
    return found


def _segments(text: str) -> list[tuple[str, _Duty | None]]:
    """The paragraph cut after each duty: [(requirement, duty or None)]."""
    result: list[tuple[str, _Duty | None]] = []
    position = 0
    for duty in _find_duties(text):
        before = text[position:duty.start]
        after = duty.end
        # "做好信息公开(责任单位:X)。": the full stop after the bracket ends the sentence.
        while after < len(text) and text[after] in _SENTENCE_END + ";;,, ":
            after += 1
        requirement = _finish_sentence(before, text[duty.end:after])
        result.append((requirement, duty))
        position = after
    rest = _strip_edges(text[position:])
    if rest and rest.strip("。!?!? "):
        result.append((_finish_sentence(rest, ""), None))
    return result


def _finish_sentence(text: str, punct_after: str) -> str:
    text = _strip_edges(text.strip())
    if not text:
        return ""
    if text[-1] not in _SENTENCE_END and text[-1] not in _CLOSE + "”\"》":
        text += "。" if any(p in punct_after for p in "。;;") or punct_after.strip() == "" else ""
    return text


def _first_sentence(text: str) -> tuple[str, str]:
    """(lead sentence without its full stop, the rest) cut at the first 。 outside brackets."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch in _SENTENCE_END and depth == 0:
            return text[:i].strip(), text[i + 1:].strip()
    return text.strip(), ""


# -- paragraphs -----------------------------------------------------------------------


def _is_noise(text: str) -> bool:
    """Page furniture and signatures: short lines that end no sentence."""
    if _DATE_LINE_RE.match(text):
        return True
    squashed = "".join(text.split())
    if len(squashed) > 40:
        return False
    if squashed[-1:] in "。;;!?!?:" or _LABEL_START_RE.match(text) or _find_duties(text):
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
    words = _key(re.sub(r"[。.:：:]$", "", label))
    if any(words == w or words.endswith(w) and len(words) <= len(w) + 2 for w in _PREAMBLE_HEADS):
        return "preamble"
    if any(words == w or words.endswith(w) and len(words) <= len(w) + 2 for w in _CLOSING_HEADS):
        return "closing"
    return "tasks"


@dataclass(slots=True)
class _Body:
    tasks: list[DraftTask] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    headings: int = 0
    duties: int = 0
    items: int = 0  # tasks from numbered items (1. / (1) / ①)


def _read_body(lines: list[tuple[int, str]]) -> _Body:
    body = _Body()
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

    def add(requirement: str, duty: _Duty | None, section: list[str], line: int, source: str,
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
        m1 = _L1_RE.match(text)
        m2 = None if m1 else _L2_RE.match(text)
        mi = None if (m1 or m2) else _ITEM_RE.match(text)
        if m1 or m2:
            body.headings += 1
            numbering = (m1 or m2).group(0).strip()
            rest_all = text[(m1 or m2).end():]
            lead, rest = _first_sentence(rest_all)
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
            if _find_duties(lead):
                # A heading that is itself a task: the whole paragraph is read as text.
                lead_label, _ = _first_sentence(_strip_duty_text(lead))
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
            segments = _segments(rest)
            for requirement, duty in segments:
                add(requirement, duty, path(), line, text, flags=flags)
            continue
        if _ANNEX_RE.match(text):
            break
        if _LABEL_START_RE.match(text) and not _find_duties(text):
            units_text, deadline, each = _labelled_duty(_tidy(text))
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
            segments = _segments(item_text)
            duties = [d for _, d in segments if d is not None]
            if len(duties) > 1:
                lead, _ = _first_sentence(_strip_duty_text(item_text))
                section = path(re.sub(r"\s+", "", mi.group(0)) + lead)
                first, first_duty = segments[0]
                own_lead, own_rest = _first_sentence(first)
                if own_lead == lead and own_rest:
                    segments[0] = (own_rest, first_duty)  # the lead sentence is the section's name
                for requirement, duty in segments:
                    add(requirement, duty, section, line, text)
                continue
            requirement = "".join(req for req, _ in segments)
            duty = duties[0] if duties else None
            lead, rest = _first_sentence(requirement)
            title = None
            if rest and len(lead) <= 40:
                title, requirement = lead, rest
            add(requirement, duty, path(), line, text, title=title)
            body.items += 1
            continue
        if _is_noise(text):
            body.skipped.append(SkippedLine(line, text, "网页内容或落款"))
            continue
        for requirement, duty in _segments(text):
            add(requirement, duty, path(), line, text)
    # A closing heading whose part has tasks after all (保障措施 with duties) is a section.
    used = {label for task in body.tasks for label in task.section}
    body.skipped = [s for s in body.skipped if heading_lines.get(s.line) not in used]
    return body


def _strip_duty_text(text: str) -> str:
    out, position = [], 0
    for duty in _find_duties(text):
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


# -- the document ---------------------------------------------------------------------


def _paragraphs(paragraphs: list[str]) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    number = 0
    for paragraph in paragraphs:
        for raw in (paragraph or "").split("\n"):
            number += 1
            text = _tidy(raw)
            if text:
                lines.append((number, text))
    return _unwrap(lines)


def _unwrap(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Text converted from a PDF breaks every paragraph at the page width: most full
    lines then have (nearly) the same length. Such a text has its lines joined again
    where a full line ends no sentence and the next starts no heading; text written a
    paragraph a line (web pages, Word) has lines of every length and is left alone."""
    distinct = {text for _, text in lines if len(text) >= 12}  # (a table's repeated cells are no width)
    if len(distinct) < 6:
        return lines
    counts = Counter(len(text) for text in distinct)

    def near(width: int) -> int:
        return sum(counts[w] for w in range(width - 2, width + 5))

    width = max(counts, key=lambda w: (near(w), w))
    full = [text for text in distinct if width - 2 <= len(text) <= width + 4]
    cut = sum(1 for text in full if text[-1] not in "。;;!?!?::")
    if len(full) < max(4, len(distinct) * 0.3) or cut < len(full) * 0.6:
        return lines
    out: list[tuple[int, str]] = []
    for line, text in lines:
        if out:
            previous = out[-1][1]
            if (len(previous) >= width - 2 and previous[-1] not in "。;;!?!?::"
                    and not (_is_heading(text) or _LABEL_START_RE.match(text) or _ANNEX_RE.match(text)
                             or _DATE_LINE_RE.match(text))):
                out[-1] = (out[-1][0], previous + text)
                continue
        out.append((line, text))
    return out


def _is_heading(text: str) -> bool:
    return bool(_L1_RE.match(text) or _L2_RE.match(text) or _ITEM_RE.match(text))


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """The text cut at dates (a notice's end) and 附件 lines (an attachment's start)."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for line, text in lines:
        if _ANNEX_RE.match(text) or _DATE_LINE_RE.match(text):
            blocks.append([(line, text)])
        else:
            blocks[-1].append((line, text))
    return [b for b in blocks if b]


def _flattened_table(block: list[tuple[int, str]]) -> bool:
    """A table copied from a web page: its header words stand on lines of their own."""
    words = {_key(text) for _, text in block[:60]}
    return sum(1 for w in _TABLE_WORDS if w in words) >= 2


_HEADER_MEANINGS = {
    "工作任务": "heading", "要点任务": "heading", "重点任务": "heading", "任务名称": "heading",
    "责任单位": "units", "牵头单位": "units", "责任部门": "units",
    "具体要求": "requirement", "工作要求": "requirement", "工作内容": "requirement", "具体任务": "requirement",
    "完成时限": "deadline", "完成时间": "deadline", "时间要求": "deadline",
}


def _is_deadline_cell(text: str) -> bool:
    squashed = "".join(text.split())
    if not squashed or len(squashed) > 16 or squashed[-1] in "。;;":
        return False
    if squashed in ("全年", "长期坚持", "持续推进", "长期", "常态化"):
        return True
    return bool(_DEADLINE_WORD_RE.search(squashed) or re.fullmatch(r"20\d{2}年", squashed)) and \
        parse_deadline(squashed, 2000).kind is not DeadlineKind.UNKNOWN


def _read_flattened(block: list[tuple[int, str]]) -> tuple[_Body, int] | None:
    """A 分解表 copied from a web page as text, one cell a line: the header words
    name the columns, 一、/(一) lines are sections, a 完成时限 cell ends each row;
    in a row, the sentence is the requirement and the other lines are its units."""
    start = None
    for i, (_, text) in enumerate(block[:60]):
        if _HEADER_MEANINGS.get(_key(text)) is not None:
            start = i
            while start + 1 < len(block) and _HEADER_MEANINGS.get(_key(block[start + 1][1])):
                start += 1
            break
    if start is None:
        return None
    body = _Body()
    l1: str | None = None
    l2: str | None = None
    row: list[tuple[int, str]] = []
    just_closed = False  # the line before was the 完成时限 cell that closed a row
    for line, text in block[start + 1:]:
        m1, m2 = _L1_RE.match(text), _L2_RE.match(text)
        if (m1 or m2) and not row:
            just_closed = False
            label = text.strip()  # a table's section cell, as printed
            body.headings += 1
            if m1:
                l1, l2 = label, None
            else:
                l2 = label
            continue
        if _is_deadline_cell(text):
            if not row and body.tasks and just_closed:
                body.tasks[-1].deadline_text += text.strip()  # "2023年" / "6月底前": one cell, wrapped
                continue
            sentences = [(n, t) for n, t in row if t.rstrip()[-1:] in "。;;"]
            if not sentences and row:
                sentences = [max(row, key=lambda item: len(item[1]))]
            units = [t for n, t in row if (n, t) not in sentences]
            if sentences:
                requirement = "".join(t for _, t in sentences)
                task = DraftTask(section=[p for p in (l1, l2) if p], requirement=requirement,
                                 units_text="、".join(units), deadline_text=text.strip(),
                                 line=sentences[0][0], source="\n".join(t for _, t in row))
                if not task.units:
                    task.flags.append(FLAG_NO_UNIT)
                else:
                    body.duties += 1
                body.tasks.append(task)
            row = []
            just_closed = True
            continue
        just_closed = False
        row.append((line, text))
    body.skipped.extend(SkippedLine(line, text, "网页内容或落款") for line, text in row)
    return (body, start + 1) if body.tasks else None


def read_work_points(paragraphs: list[str], source_name: str = "") -> Draft:
    """Read the paragraphs of a notice; ``Draft.recognised`` says whether it held work points."""
    lines = _paragraphs(paragraphs)
    best: tuple[tuple[int, int, int], int, _Body, int] | None = None
    blocks = _blocks(lines)
    warnings: list[str] = []
    tables: list[int] = []
    for index, block in enumerate(blocks):
        if _flattened_table(block):
            tables.append(index)
            continue
        start = next((i for i, (_, text) in enumerate(block)
                      if _is_heading(text) or _find_duties(text)), None)
        if start is None:
            continue
        body = _read_body(block[start:])
        score = (body.duties, len(body.tasks), body.headings)
        if body.tasks and (best is None or score > best[0]):
            best = (score, index, body, start)
    if tables and (best is None or (best[2].duties == 0 and best[2].items == 0)):
        # A cover letter (its 一、二、三 name no unit and number no item) whose tasks are
        # in the attached table: read the table.
        for index in tables:
            found = _read_flattened(blocks[index])
            if found is not None:
                body, start = found
                best = ((body.duties, len(body.tasks), body.headings), index, body, start)
                warnings.append("通知正文中没有逐项任务,已按所附任务分解表(网页复制的文字)读取,请逐项核对;"
                                "如有分解表原件(.xlsx/.docx),导入原件更可靠。")
                break
    elif tables:
        warnings.append("正文后附有任务分解表(从网页复制的文字,表格已散开),这里按正文的工作要点读取;"
                        "如要按分解表导入,请导入分解表原件(.xlsx/.docx)。")
    title, doc_number = _title(lines, blocks, best)
    year_match = _YEAR_RE.search(title) or _YEAR_RE.search(source_name)
    if best is None:
        return Draft(title=title, tasks=[], doc_number=doc_number,
                     year=int(year_match.group(1)) if year_match else None,
                     skipped=[SkippedLine(line, text, "前言") for line, text in lines])
    _, index, body, start = best
    skipped: list[SkippedLine] = []
    for i, block in enumerate(blocks):
        if i < index:
            skipped.extend(SkippedLine(line, text, "前言") for line, text in block)
        elif i == index:
            skipped.extend(SkippedLine(line, text, "前言") for line, text in block[:start])
            skipped.extend(body.skipped)
            used = {t.line for t in body.tasks} | {s.line for s in body.skipped}
            after = [(line, text) for line, text in block[start:] if line not in used
                     and not _is_heading(text) and not _LABEL_START_RE.match(text)]
            cut = next((k for k, (_, text) in enumerate(block[start:]) if _ANNEX_RE.match(text)), None)
            if cut is not None:
                annex_lines = {line for line, _ in block[start + cut:]}
                skipped.extend(SkippedLine(line, text, "附件") for line, text in after if line in annex_lines)
        else:
            reason = "附件" if _ANNEX_RE.match(block[0][1]) or any(
                s.reason == "附件" for s in skipped) else "落款"
            skipped.extend(SkippedLine(line, text, reason) for line, text in block)
    skipped.sort(key=lambda s: s.line)
    return Draft(title=title, tasks=body.tasks, skipped=skipped, doc_number=doc_number,
                 year=int(year_match.group(1)) if year_match else None,
                 heading_count=body.headings, duty_count=body.duties, warnings=warnings[:1],
                 item_count=body.items)


def _title(lines: list[tuple[int, str]], blocks, best) -> tuple[str, str | None]:
    doc_number = None
    for _, text in lines[:80]:
        match = _DOC_NUMBER_RE.search(text)
        # The notice's own number stands on a line of its own (or after 发文字号:);
        # numbers cited in a sentence are other documents'.
        if match and (len("".join(text.split())) <= 40 or text.lstrip().startswith("发文字号")):
            doc_number = "".join(match.group(0).split())
            break
    body_first = None
    if best is not None:
        _, index, _, start = best
        block = blocks[index]
        body_first = block[start][0] if start < len(block) else None
    candidates: list[tuple[int, int, str]] = []  # (preference, -distance, title)
    for line, text in lines:
        if body_first is not None and line >= body_first:
            break
        text = _META_PREFIX_RE.sub("", text)
        squashed = "".join(text.split())
        if len(squashed) > 80 or squashed.endswith(("。", ":", ":")):
            continue
        notice = _NOTICE_RE.search(squashed)
        if notice:
            inner = notice.group(1).strip("《》")
            candidates.append((1, line, inner))
        elif _TITLE_RE.search(squashed) and not _DOC_NUMBER_RE.search(squashed):
            candidates.append((2, line, squashed.strip("《》")))
    if not candidates:
        return "", doc_number
    candidates.sort(key=lambda c: (c[0], c[1]))
    return candidates[-1][2], doc_number


# -- the plan -------------------------------------------------------------------------

_NO_DEADLINE = Deadline("", None, DeadlineKind.UNKNOWN, False)


def draft_to_plan(draft: Draft, *, year: int | None, source_name: str,
                  default_deadline: str | None = None, today: date | None = None) -> ParsedPlan:
    """The draft as the plan a table reader would give (序号 1..N in order)."""
    warnings: list[str] = list(draft.warnings)
    year_found = True
    plan_year = year or draft.year
    if plan_year is None:
        years = Counter(int(m.group(1)) for t in draft.tasks for m in [_YEAR_RE.search(t.deadline_text)] if m)
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
