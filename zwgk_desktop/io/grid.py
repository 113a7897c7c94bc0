"""The one shape every file reader produces: a rectangle of text cells per table.

Readers for xlsx/xls/csv/docx differ in how they store merged cells, numbers and
hidden columns; the layout reader should not care. So every reader hands over a
``Grid`` where a merged range's value is copied into each cell of the range (the
way a clerk reads the printed table), with the original ranges kept for the few
decisions that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# (first_row, first_col, last_row, last_col), 0-based and inclusive, like calamine.
MergedRange = tuple[int, int, int, int]


@dataclass(slots=True)
class Grid:
    """One table as text.

    ``rows`` is rectangular (every row has ``width`` cells), trailing empty rows and
    columns removed, every value a ``str`` ('' for empty). Numbers that are whole are
    written without '.0'; dates as ISO 'YYYY-MM-DD'.
    """

    name: str
    rows: list[list[str]]
    merged: list[MergedRange] = field(default_factory=list)
    hidden_columns: frozenset[int] = frozenset()
    hidden: bool = False
    # Text that stood before the table in its document (docx paragraphs such as
    # 附件 / the title); empty for spreadsheets, whose titles live in the rows.
    preamble: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    @property
    def height(self) -> int:
        return len(self.rows)


@dataclass(slots=True)
class Workbook:
    """Everything readable in one file: its tables in document order."""

    source_name: str
    grids: list[Grid]
    # "spreadsheet", "document" (docx: several tables may continue one another) or "text"
    kind: str = "spreadsheet"
