"""The ledger's tables, as an ordered list of migrations applied when a ledger opens.

A migration is never edited once released: a ledger carried to another office may
have been written by any earlier version, so each change to the schema is a new
function appended below. A ledger that has a migration this program does not know
was written by a newer version and is refused (see ledger.py).

sqlite-utils' ``Migrations`` applies them. It is built the first time a ledger needs
a migration (a new ledger, or one saved by an older version): a ledger that is up to
date opens without loading sqlite-utils (see core/connection.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "zwgk_ledger"


class _Migrations:
    """sqlite-utils' ``Migrations(MIGRATION_SET)``, registered in the same order, but
    made on first use: ``@migrations()`` only notes the function."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Callable[..., None]] = []
        self._real: Any = None

    def __call__(self) -> Callable[[Callable[..., None]], Callable[..., None]]:
        def note(function: Callable[..., None]) -> Callable[..., None]:
            self._functions.append(function)
            return function

        return note

    @property
    def names(self) -> list[str]:
        return [function.__name__ for function in self._functions]

    def _migrations(self) -> Any:
        if self._real is None:
            from sqlite_utils.migrations import Migrations

            real = Migrations(self.name)
            for function in self._functions:
                real()(function)
            self._real = real
        return self._real

    def __getattr__(self, name: str) -> Any:  # apply, pending, applied, …
        if name.startswith("__") or name in ("name", "_functions", "_real"):
            raise AttributeError(name)
        return getattr(self._migrations(), name)


migrations = _Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            title TEXT NOT NULL,
            issuer TEXT,
            doc_number TEXT,
            source_name TEXT NOT NULL,
            source_sha256 TEXT NOT NULL,
            sheet TEXT,
            columns TEXT NOT NULL DEFAULT '[]',   -- header labels as printed (JSON)
            mapping TEXT NOT NULL DEFAULT '{}',   -- meaning -> column indexes (JSON)
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL
        );
        CREATE INDEX plans_sha ON plans(source_sha256);

        CREATE TABLE sections (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES sections(id) ON DELETE CASCADE,
            depth INTEGER NOT NULL,
            label TEXT NOT NULL,
            position INTEGER NOT NULL
        );
        CREATE INDEX sections_plan ON sections(plan_id, position);

        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            section_id INTEGER REFERENCES sections(id) ON DELETE SET NULL,
            title TEXT,
            requirement TEXT NOT NULL,
            units_text TEXT NOT NULL DEFAULT '',
            deadline_text TEXT NOT NULL DEFAULT '',
            due_date TEXT,
            deadline_kind TEXT NOT NULL,
            needs_review INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT '未启动',
            status_date TEXT,
            source_row INTEGER,
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX tasks_plan ON tasks(plan_id, seq);

        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            key TEXT NOT NULL UNIQUE
        );

        CREATE TABLE task_units (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            role TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (task_id, unit_id)
        );
        CREATE INDEX task_units_unit ON task_units(unit_id);

        CREATE TABLE progress (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            quarter TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            UNIQUE (task_id, quarter)
        );

        CREATE TABLE status_history (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            effective_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            by TEXT NOT NULL
        );
        CREATE INDEX status_history_task ON status_history(task_id, effective_on);

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            before TEXT,
            after TEXT
        );
        """
    )


@migrations()
def m002_evidence(db: Database) -> None:
    """佐证材料: files live in evidence/ named by SHA-256; a row per attachment.
    Removing sets removed_at (the 回收站); only emptying the bin deletes rows."""
    db.executescript(
        """
        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            quarter TEXT NOT NULL,
            kind TEXT NOT NULL,              -- file | url | note
            name TEXT NOT NULL,              -- original file name, page title or note text
            sha256 TEXT,                     -- files only
            size INTEGER,
            mime TEXT,
            url TEXT,                        -- page address (kind url)
            published_on TEXT,               -- the page's publication date, if known
            note TEXT,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL,
            removed_at TEXT,
            removed_by TEXT
        );
        CREATE INDEX evidence_task ON evidence(task_id, quarter);
        CREATE INDEX evidence_sha ON evidence(sha256);
        """
    )


@migrations()
def m003_unit_directory(db: Database) -> None:
    """单位名录: a collective name printed in tables (各镇(街道)) stands for its members."""
    db.executescript(
        """
        CREATE TABLE unit_members (
            group_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            PRIMARY KEY (group_id, member_id)
        );
        ALTER TABLE units ADD COLUMN contact TEXT;
        """
    )


@migrations()
def m004_exchange_records(db: Database) -> None:
    """What each fill-in workbook was issued with, and each applied merge.

    ``fill_in_issues`` + ``fill_in_issue_tasks``: a reply is judged against the values its
    workbook was *issued* with (not against the workbook's own, editable key sheet):
    which unit, plan and quarter, and per task the status, date and note as they stood
    (``progress_sent`` is the part of the note the unit was shown, ``progress_full`` the
    whole note). ``merges`` + ``merge_changes``: every value an applied merge changed,
    before and after, so the merge can be undone."""
    db.executescript(
        """
        CREATE TABLE fill_in_issues (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,        -- the issue id written into the workbook
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            unit TEXT NOT NULL,
            quarter TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL,
            file_name TEXT
        );
        CREATE INDEX fill_in_issues_plan ON fill_in_issues(plan_id, unit, quarter);

        CREATE TABLE fill_in_issue_tasks (
            issue_id INTEGER NOT NULL REFERENCES fill_in_issues(id) ON DELETE CASCADE,
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            status_date TEXT,
            progress_sent TEXT NOT NULL DEFAULT '',
            progress_full TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (issue_id, task_id)
        );

        CREATE TABLE merges (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            files TEXT NOT NULL DEFAULT '[]',  -- JSON list of reply file names
            undone_at TEXT,
            undone_by TEXT
        );

        CREATE TABLE merge_changes (
            id INTEGER PRIMARY KEY,
            merge_id INTEGER NOT NULL REFERENCES merges(id) ON DELETE CASCADE,
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            field TEXT NOT NULL,               -- status | progress | evidence
            quarter TEXT,
            before TEXT,                       -- JSON
            after TEXT,                        -- JSON
            source TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            row INTEGER,
            undone_at TEXT                     -- set when 撤销汇总 restored this value
        );
        CREATE INDEX merge_changes_merge ON merge_changes(merge_id);
        """
    )


@migrations()
def m005_follow_ups_and_periods(db: Database) -> None:
    """督办 and recurring tasks.

    ``follow_ups`` + ``follow_up_tasks``: each 催办单 sent (when, by whom, to which unit,
    the reply deadline) and the tasks it named with what was missing then.
    ``task_recurrence``: a task marked recurring (or not) by hand, overriding what the
    deadline text and requirement say (``frequency`` 'none' = marked not recurring).
    ``task_periods``: a recurring task's status per period (2023Q2, 2023-05, 2023H1, 2023)."""
    db.executescript(
        """
        CREATE TABLE follow_ups (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            unit TEXT NOT NULL,
            quarter TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            sent_by TEXT NOT NULL,
            reply_by TEXT,
            office TEXT,
            file_name TEXT
        );
        CREATE INDEX follow_ups_plan ON follow_ups(plan_id, unit);

        CREATE TABLE follow_up_tasks (
            follow_up_id INTEGER NOT NULL REFERENCES follow_ups(id) ON DELETE CASCADE,
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            missing TEXT NOT NULL DEFAULT '[]',   -- JSON list: 已逾期, 即将到期, 本季度无进展, ...
            due_date TEXT,
            PRIMARY KEY (follow_up_id, task_id)
        );
        CREATE INDEX follow_up_tasks_task ON follow_up_tasks(task_id);

        CREATE TABLE task_recurrence (
            task_id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
            frequency TEXT NOT NULL,              -- monthly | quarterly | half_yearly | yearly | none
            set_at TEXT NOT NULL,
            set_by TEXT NOT NULL
        );

        CREATE TABLE task_periods (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            period TEXT NOT NULL,                 -- 2023Q2 | 2023-05 | 2023H1 | 2023
            status TEXT NOT NULL,
            status_date TEXT,
            recorded_at TEXT NOT NULL,
            by TEXT NOT NULL,
            PRIMARY KEY (task_id, period)
        );
        """
    )


@migrations()
def m006_linked_plans(db: Database) -> None:
    """The clerk in the middle: a county plan derived from the superior's.

    ``plans.derived_from_plan`` / ``tasks.derived_from``: the superior plan and task a
    derived plan or task comes from (NULL for an ordinary import, and for the county's
    own added tasks). ``unit_mapping``: 上级单位 -> 本级单位, one row per pair (several
    本级 units for one 上级 unit allowed), ledger-wide, carried to a new year.
    ``ledger_settings``: small facts about the office that owns the ledger (本级名称,
    its lead office), read by derive and the 催办单."""
    db.executescript(
        """
        ALTER TABLE plans ADD COLUMN derived_from_plan INTEGER REFERENCES plans(id) ON DELETE SET NULL;
        ALTER TABLE tasks ADD COLUMN derived_from INTEGER REFERENCES tasks(id) ON DELETE SET NULL;
        CREATE INDEX tasks_derived_from ON tasks(derived_from);

        CREATE TABLE unit_mapping (
            superior TEXT NOT NULL,
            local TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            set_at TEXT NOT NULL,
            set_by TEXT NOT NULL,
            PRIMARY KEY (superior, local)
        );

        CREATE TABLE ledger_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


@migrations()
def m007_carryover(db: Database) -> None:
    """A new year: last year's unfinished long-term tasks offered for
    matching against the new plan. The task's words are copied, because the list may
    live in a new ledger folder where ``from_task_id`` means nothing (then NULL)."""
    db.executescript(
        """
        CREATE TABLE carryover (
            id INTEGER PRIMARY KEY,
            from_task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
            from_plan_title TEXT NOT NULL,
            from_year INTEGER NOT NULL,
            to_year INTEGER NOT NULL,
            seq INTEGER,
            section TEXT NOT NULL DEFAULT '',
            requirement TEXT NOT NULL,
            units_text TEXT NOT NULL DEFAULT '',
            deadline_text TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            last_progress TEXT NOT NULL DEFAULT '',
            matched_task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        );
        CREATE INDEX carryover_year ON carryover(to_year);
        """
    )


KNOWN_MIGRATIONS = [m001_initial.__name__, m002_evidence.__name__, m003_unit_directory.__name__,
                    m004_exchange_records.__name__, m005_follow_ups_and_periods.__name__,
                    m006_linked_plans.__name__, m007_carryover.__name__]
