"""下发本级分解表: the county's own plan derived from the superior's, linked task by task.

The clerk in the middle chooses the superior tasks that concern her county (by default
those naming the lower level as a whole, 各县区; the county itself; or a group it
belongs to), maps each superior unit to her own units (core/unit_mapping.py), may add
tasks of her own, and gets a new plan in the ledger: ``plans.derived_from_plan`` names
the superior plan and each task's ``tasks.derived_from`` the superior task it came
from (NULL for her own). That link is what core/rollup.py reads to answer upward.

:func:`prepare_derive` builds the preview (nothing written); :func:`create_derived_plan`
writes it in one ``ledger.change``: plan, sections, tasks, units, the mapping used and
the county's name and lead office. A task whose superior units are not all mapped is
never trimmed silently: the write is refused and names them.

The derived plan is an ordinary plan afterwards: fill-in workbooks, merge, reports and
exports run on it as on any imported one (its columns are the official layout's,
序号 / 工作任务 / 具体要求 / 责任单位 / 完成时限).

When the superior later revises its plan (core/revision.py), the county plan is brought
up to date without deriving again (which would lose the county's work):
:func:`prepare_update` lists the superior's new tasks that concern the county, its
withdrawn tasks whose county tasks are still live, and its tasks reworded or given
other units or deadlines since the derive; :func:`apply_update` writes what the clerk
ticks, in one change. What the county wrote itself is never overwritten: a county task
follows the superior's new wording or deadline only while it still has the words it
was derived with.

One module per job (callers write ``from ..core import derive as V`` and use the
names below):

- ``selection``: which plan is whose county plan, the county's name and lead office,
  the tasks that concern the county by default, the refusals.
- ``mapped_units``: the unit mapping as a derive uses it (superior units to 本级单位).
- ``county_plan``: :func:`prepare_derive` and :func:`create_derived_plan`.
- ``update_preview``: :func:`prepare_update`, its lines and what each would write.
- ``update_apply``: :func:`apply_update`.
- ``audit_trail``: the audit rows both write, and the words a county task was derived with.
"""

from __future__ import annotations

from .audit_trail import (
    ADDED_ACTION,
    DERIVE_ACTION,
    UPDATE_ACTION,
    UPDATE_ORIGIN,
    Aspect,
)
from .county_plan import (
    DERIVED_COLUMNS,
    DERIVED_MAPPING,
    DerivedTask,
    DeriveOutcome,
    DerivePreview,
    create_derived_plan,
    derived_title,
    prepare_derive,
)
from .mapped_units import derived_units, local_candidates, suggest_mapping
from .selection import (
    default_selection,
    derived_plans,
    refusal,
    require_local_facts,
    seq_list,
    superior_of,
)
from .update_apply import UpdateOutcome, apply_update
from .update_preview import (
    AspectChange,
    UpdateItem,
    UpdateKind,
    UpdatePreview,
    keys_for_seqs,
    prepare_update,
)

__all__ = [
    "ADDED_ACTION",
    "DERIVED_COLUMNS",
    "DERIVED_MAPPING",
    "DERIVE_ACTION",
    "UPDATE_ACTION",
    "UPDATE_ORIGIN",
    "Aspect",
    "AspectChange",
    "DeriveOutcome",
    "DerivePreview",
    "DerivedTask",
    "UpdateItem",
    "UpdateKind",
    "UpdateOutcome",
    "UpdatePreview",
    "apply_update",
    "create_derived_plan",
    "default_selection",
    "derived_plans",
    "derived_title",
    "derived_units",
    "keys_for_seqs",
    "local_candidates",
    "prepare_derive",
    "prepare_update",
    "refusal",
    "require_local_facts",
    "seq_list",
    "suggest_mapping",
    "superior_of",
]
