"""Which plans and which tasks a derive concerns: the superior plan's county plan (and
the other way round), the county's name and lead office, the superior tasks that name
the county by default, and the refusals the window and zwgk share."""

from __future__ import annotations

from ..errors import UserError
from ..ledger import Ledger
from ..model import Plan, Status, Task
from ..unit_directory import groups_of
from ..unit_mapping import LEAD_OFFICE, LOCAL_NAME, get_settings, names_lower_level
from ..units import normalise_unit_name


def require_local_facts(ledger: Ledger, local_name: str | None, lead_office: str | None) -> tuple[str, str]:
    """The county's name and lead office: as given, else as the ledger remembers them.
    Asked for (a plain refusal naming the options) when neither has them."""
    settings = get_settings(ledger)
    name = normalise_unit_name(local_name or settings.get(LOCAL_NAME, ""))
    lead = normalise_unit_name(lead_office or settings.get(LEAD_OFFICE, ""))
    missing, options = [], []
    if not name:
        missing.append("本级名称(如 任城区、某某县)")
        options.append("--local-name 任城区")
    if not lead:
        missing.append("本级牵头单位(如 区政府办公室)")
        options.append("--lead-office 区政府办公室")
    if missing:
        raise refusal("台账中还没有记下" + "和".join(missing) + "。请填写后再生成本级分解表;"
                      "填写过一次后台账会记住。", "命令行:加 " + " ".join(options) + "。")
    return name, lead


def refusal(message: str, hint_cli: str) -> UserError:
    """A refusal the window and zwgk share: the message names no command-line option;
    ``hint_cli`` (printed by zwgk under it) says which option to add."""
    error = UserError(message)
    error.hint_cli = hint_cli  # type: ignore[attr-defined]
    return error


def derived_plans(ledger: Ledger, plan_id: int) -> list[Plan]:
    """Plans derived from ``plan_id`` (the county's tables issued from it)."""
    ids = [r[0] for r in ledger.db.execute(
        "SELECT id FROM plans WHERE derived_from_plan = ? ORDER BY id", [plan_id])]
    return [ledger.plan(i) for i in ids]


def superior_of(ledger: Ledger, plan_id: int) -> int | None:
    """The plan ``plan_id`` was derived from, or None for an ordinary plan."""
    row = ledger.db.execute("SELECT derived_from_plan FROM plans WHERE id = ?", [plan_id]).fetchone()
    if row is None:
        ledger.plan(plan_id)  # the usual NotFoundError
    return row[0]


def default_selection(ledger: Ledger, plan_id: int, local_name: str, tasks: list[Task] | None = None) -> list[int]:
    """Tasks that concern the county: naming the lower level as a whole (各县区…), the
    county itself, or a group the county belongs to. Withdrawn (已取消) ones never."""
    groups = groups_of(ledger, local_name) if local_name else []
    tasks = tasks if tasks is not None else ledger.tasks(plan_id)
    return [t.id for t in tasks if t.status != Status.CANCELLED
            and any(names_lower_level(u.name, local_name, groups) for u in t.units)]


def seq_list(seqs: list[int], limit: int = 12) -> str:
    shown = "、".join(str(s) for s in seqs[:limit])
    return shown + (f" 等 {len(seqs)} 项" if len(seqs) > limit else "")
