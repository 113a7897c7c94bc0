"""Plans imported or deleted from the window."""

from __future__ import annotations

from ...core.backup import auto_backup
from ...core.ledger import Ledger
from ...core.model import ParsedPlan, Plan
from ...core.plan_import import ImportOutcome, write_plan
from .events import announce


def import_plan(own: Ledger, parsed: ParsedPlan, digest: str, *, replace: bool = False) -> ImportOutcome:
    """In a worker, on its own connection (run_on_ledger announces the change)."""
    return write_plan(own, parsed, digest, replace=replace)


def delete_plan(ledger: Ledger, plan: Plan) -> None:
    """An automatic backup first (恢复到之前的状态 is the way back), then the plan goes."""
    auto_backup(ledger, "删除分解表")
    ledger.delete_plan(plan.id)
    announce(None)
