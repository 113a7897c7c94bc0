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

One module per job: ``reading`` (the document: blocks, title, the best reading),
``body`` (headings and numbered items into tasks), ``duties`` (duty brackets and
sentences), ``flattened_table`` (a 分解表 copied from a web page as text), ``draft``
(what the clerk edits, and :func:`draft_to_plan`).
"""

from __future__ import annotations

from .draft import (
    COLUMNS,
    FLAG_KEY,
    FLAG_NO_UNIT,
    SHEET_NAME,
    SOURCE_KEY,
    Draft,
    DraftTask,
    SkippedLine,
    draft_to_plan,
    task_units,
)
from .reading import read_work_points

__all__ = [
    "COLUMNS",
    "FLAG_KEY",
    "FLAG_NO_UNIT",
    "SHEET_NAME",
    "SOURCE_KEY",
    "Draft",
    "DraftTask",
    "SkippedLine",
    "draft_to_plan",
    "read_work_points",
    "task_units",
]
