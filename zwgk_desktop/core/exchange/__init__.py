"""Excel 交换 without Excel: fill-in workbooks sent down to units, their replies merged back.

One module per job, each importable on its own:

- ``keys``: the task key in each row (``zwgk:<plan sha prefix>:<task id>``), checksums,
  and the text forms replies are compared by (squashed text, status with its day).
- ``send_down``: what one unit's fill-in carries (:func:`fill_in_for`) and the ledger's
  record of what each workbook was issued with (:func:`record_issues`).
- ``unit_notes``: a shared task's quarterly note, one labelled part per unit.
- ``replies``: what a reply says, as io/reply_reader reads it.
- ``changes``: what a merge would write, and the preview the clerk chooses from.
- ``merge``: :func:`preview_merge`, the matching and the rules of what counts as a
  change or a conflict.
- ``merge_apply``: :func:`apply_merge` through the ledger's own writers, and
  :func:`undo_merge`.

The workbook itself (sheet names, column labels, status choices, the guide) belongs to
io/fill_in_format.py, io/fill_in.py (writer) and io/reply_reader.py (reader).

Callers usually write ``from ..core import exchange as X`` and use the names below;
they are the public surface of all seven.
"""

from __future__ import annotations

from .changes import (
    NO_RECORD,
    Change,
    ChangeField,
    MergePreview,
    Unmatched,
    summary_counts,
)
from .keys import parse_key, printable_text, squash_text, task_key, text_checksum
from .merge import preview_merge
from .merge_apply import (
    ApplyResult,
    MergeRecord,
    UndoResult,
    apply_merge,
    merge_history,
    undo_merge,
)
from .replies import Reply, ReplyRow, SentState, describe_reply, parse_reply_date
from .send_down import (
    REPORTABLE_STATUSES,
    FillIn,
    FillInRow,
    IssueRecord,
    default_quarter,
    fill_in_file_name,
    fill_in_for,
    issue_records,
    plan_quarters,
    record_issues,
    units_text_by_task,
)
from .unit_notes import join_note, split_note

__all__ = [
    "NO_RECORD",
    "REPORTABLE_STATUSES",
    "ApplyResult",
    "Change",
    "ChangeField",
    "FillIn",
    "FillInRow",
    "IssueRecord",
    "MergePreview",
    "MergeRecord",
    "Reply",
    "ReplyRow",
    "SentState",
    "UndoResult",
    "Unmatched",
    "apply_merge",
    "default_quarter",
    "describe_reply",
    "fill_in_file_name",
    "fill_in_for",
    "issue_records",
    "join_note",
    "merge_history",
    "parse_key",
    "parse_reply_date",
    "plan_quarters",
    "preview_merge",
    "printable_text",
    "record_issues",
    "split_note",
    "squash_text",
    "summary_counts",
    "task_key",
    "text_checksum",
    "undo_merge",
    "units_text_by_task",
]
