"""A corrected table from the same office, applied to the plan it corrects.

Mid-year the superior office sends a revised 任务分解表. Importing it as a new plan
would split the clerk's year in two, and ``--replace`` only fits the identical file.
A revision instead compares the new reading with the plan, shows every difference
(old → new) and, once the clerk agrees, applies it: matched tasks keep their id, so
their statuses, notes, evidence and fill-in keys stay attached; tasks the new table
no longer has are marked 已取消 (kept with their history, out of every count).

Matching, in this order:

1. the same requirement text (spaces ignored), anywhere in the plan;
2. similar text (:data:`REWORD_THRESHOLD`) within the same section path;
3. similar text at the same position (the same 序号, or the same place in the
   same-numbered section), for sections that were renamed.

Below the threshold a pair is not taken for granted: it is shown as 取消 + 新增 with
a suggestion (:class:`Suggestion`) the clerk may accept, because pairing the wrong
tasks would carry one task's work over to another.

One module per job:

- ``matching``: :func:`preview_revision`, which pairs the file's tasks with the plan's
  and lists every change (nothing written); the thresholds; which plans a file may revise.
- ``applying``: :func:`apply_revision`, the one transaction that writes a preview.
- ``changes``: what the preview and the result hold (:class:`RevisionChange`, …).
- ``old_tasks``: the plan's tasks as both read them, and the stale-preview fingerprint.
- ``wording``: a task's words, units and deadline as one line each; :func:`similarity`.
"""

from __future__ import annotations

from .applying import apply_revision
from .changes import (
    KIND_ORDER,
    ChangeKind,
    RevisionChange,
    RevisionPreview,
    RevisionResult,
    Suggestion,
)
from .matching import (
    MIN_SHARED,
    MOVED_PAIRS_LIMIT,
    REWORD_THRESHOLD,
    SUGGEST_FLOOR,
    plans_matching,
    preview_revision,
    revision_candidates,
)
from .wording import deadline_display, similarity, task_text, units_display

__all__ = [
    "KIND_ORDER",
    "MIN_SHARED",
    "MOVED_PAIRS_LIMIT",
    "REWORD_THRESHOLD",
    "SUGGEST_FLOOR",
    "ChangeKind",
    "RevisionChange",
    "RevisionPreview",
    "RevisionResult",
    "Suggestion",
    "apply_revision",
    "deadline_display",
    "plans_matching",
    "preview_revision",
    "revision_candidates",
    "similarity",
    "task_text",
    "units_display",
]
