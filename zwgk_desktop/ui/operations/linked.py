"""The clerk in the middle: a revised table, the county's own plan derived from the
superior's, the roll-up back, and a new year's carry-over. One small function per
change, each run in a worker on its own connection (run_on_ledger announces it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ...core import derive, revision, rollover, rollup
from ...core.ledger import Ledger


def revise_plan(own: Ledger, preview: revision.RevisionPreview,
                pairs: Iterable[tuple[int, int]] = ()) -> revision.RevisionResult:
    return revision.apply_revision(own, preview, accepted_pairs=tuple(pairs))


def derive_plan(own: Ledger, preview: derive.DerivePreview,
                also: Callable[[Ledger, int], object] | None = None) -> derive.DeriveOutcome:
    return derive.create_derived_plan(own, preview, also=also)


def update_derived(own: Ledger, preview: derive.UpdatePreview, chosen: Iterable[str],
                   also: Callable[[Ledger, int], object] | None = None) -> derive.UpdateOutcome:
    return derive.apply_update(own, preview, list(chosen), also=also)


def roll_up(own: Ledger, preview: rollup.RollupPreview,
            decisions: list[rollup.Decision]) -> rollup.RollupOutcome:
    return rollup.apply_rollup(own, preview, decisions)


def roll_over(own: Ledger, plan_id: int, to_year: int, *, into: Path | None = None,
              task_ids: list[int] | None = None, again: bool = False) -> rollover.RolloverResult:
    return rollover.rollover(own, plan_id, to_year, into=into, task_ids=task_ids, again=again)


def match_carryover(own: Ledger, pairs: dict[int, int | None]) -> int:
    return rollover.set_matches(own, pairs)
