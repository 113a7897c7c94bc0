"""Reading what comes back: filled-in replies (报送表) and unit directory lists.

A reply is read with ``read_workbook`` (xlsx, xls, csv, WPS, LibreOffice; merged
cells filled with their value), so a reply saved by WPS as .xls or by LibreOffice,
with rows re-sorted, rows deleted, columns added or cells merged by a colleague,
still reads. Columns are found by their header text, never by position; each row's
key comes from the hidden 系统编码 column, and the very hidden ``zwgk_keys`` sheet
says which plan, unit and quarter the workbook was sent for, its issue id (下发编号:
the merge checks the reply against the ledger's own record of that issue) and what
it said then.
Where those are gone, the sheet's own 填报单位/季度 line and the workbook properties
stand in, and the merge falls back to matching by task text.

When a reply was saved: the workbook's own "last modified" property (Excel, WPS and
LibreOffice set it on every save), else the file's modification time.
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from ..core import exchange as X
from ..core.errors import FileReadError, UserError
from ..core.quarters import Quarter
from . import fill_in_format as F
from .grid import Grid
from .headers import squash
from .readers import read_workbook

# Header words a colleague might use instead of ours (white space ignored).
_HEADERS: dict[str, tuple[str, ...]] = {
    "key": (F.KEY_HEADER, "系统编码", "编码"),
    "seq": (F.COL_SEQ,),
    "task": (F.COL_TASK, "具体要求", "工作要求", "工作内容", "任务要求"),
    "progress": (F.COL_PROGRESS, "进展情况", "工作进展", "本季度进展", "落实情况", "进展"),
    "status": (F.COL_STATUS, "状态"),
    "done_on": (F.COL_DONE_ON, "完成日期"),
    "evidence": (F.COL_EVIDENCE, "佐证材料", "佐证材料说明", "佐证"),
}
_NEEDED_FOR_REPLY = ("progress", "status", "done_on", "evidence")
_HEADER_SCAN_ROWS = 30
_UNIT_RE = re.compile(r"(?:填报单位|报送单位)\s*[:\uff1a]\s*(.+?)(?:\s{2,}|\s*填报季度|\s*$)")
_QUARTER_RE = re.compile(r"(?:填报季度|季度)\s*[:\uff1a]\s*(\S+)")
_FILLER_RE = re.compile(r"^填报人\s*[:\uff1a]?\s*(.*)$")


def _column_map(row: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        text = squash(cell)
        if not text:
            continue
        for name, words in _HEADERS.items():
            if name not in found and text in {squash(w) for w in words}:
                found[name] = index
                break
    return found


def _find_table(grids: list[Grid]) -> tuple[Grid, int, dict[str, int]] | None:
    """The sheet and header row holding the fill-in table: the row naming the most of
    进展情况/完成状态/完成时间/佐证材料说明 (our sheet name wins a tie)."""
    best: tuple[int, int, Grid, int, dict[str, int]] | None = None
    for grid in grids:
        if grid.name == F.KEY_SHEET:
            continue
        for r, row in enumerate(grid.rows[:_HEADER_SCAN_ROWS]):
            cols = _column_map(row)
            score = sum(1 for name in _NEEDED_FOR_REPLY if name in cols)
            if score >= 2:
                rank = (score, 1 if grid.name == F.DATA_SHEET else 0)
                if best is None or rank > (best[0], best[1]):
                    best = (rank[0], rank[1], grid, r, cols)
                break
    if best is None:
        return None
    return best[2], best[3], best[4]


def _read_keys(grid: Grid, reply: X.Reply) -> None:
    meta: dict[str, str] = {}
    in_table = False
    for row in grid.rows:
        first = row[0].strip() if row else ""
        if not first:
            continue
        if first == F.KEY_TABLE_HEADER[0]:
            in_table = True
            continue
        if in_table and X.parse_key(first):
            cells = (row + [""] * 7)[:7]
            try:
                task_id = int(float(cells[1])) if cells[1] else X.parse_key(first)[1]  # type: ignore[index]
            except ValueError:
                continue
            reply.sent[first] = X.SentState(task_id=task_id, checksum=cells[3], status=cells[4],
                                            status_date=cells[5], progress_checksum=cells[6])
        elif len(row) > 1:
            meta[first] = row[1].strip()
    if meta.get(F.META_PLAN_SHA):
        reply.plan_sha = meta[F.META_PLAN_SHA][:12].lower()
    reply.plan_title = meta.get(F.META_PLAN_TITLE) or reply.plan_title
    reply.unit = meta.get(F.META_UNIT) or reply.unit
    if meta.get(F.META_QUARTER):
        try:
            reply.quarter = Quarter.parse(meta[F.META_QUARTER])
        except UserError:
            pass
    if meta.get(F.META_ISSUE):
        reply.issue_id = meta[F.META_ISSUE]
    generated = meta.get(F.META_GENERATED)
    if generated:
        try:
            moment = datetime.fromisoformat(generated)
            reply.generated_at = moment if moment.tzinfo else moment.astimezone()
        except ValueError:
            pass


def _properties(path: Path) -> tuple[datetime | None, dict[str, str]]:
    """(last modified, our custom properties) of an xlsx; (None, {}) for other files."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            core = archive.read("docProps/core.xml") if "docProps/core.xml" in names else b""
            custom = archive.read("docProps/custom.xml") if "docProps/custom.xml" in names else b""
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return None, {}
    from defusedxml import ElementTree

    modified: datetime | None = None
    props: dict[str, str] = {}
    try:
        if core:
            root = ElementTree.fromstring(core)
            for elem in root:
                if elem.tag.endswith("}modified") and elem.text:
                    text = elem.text.strip().replace("Z", "+00:00")
                    value = datetime.fromisoformat(text)
                    modified = value if value.tzinfo else value.replace(tzinfo=UTC)
        if custom:
            root = ElementTree.fromstring(custom)
            for prop in root:
                name = prop.get("name") or ""
                if name.startswith("zwgk_"):
                    props[name] = "".join(child.text or "" for child in prop)
    except Exception:  # noqa: BLE001 - properties are a hint; a broken part is not fatal
        return modified, props
    return modified, props


def read_reply(path: str | Path) -> X.Reply:
    """Read one reply. Raises FileReadError (plain Chinese) if it is not readable or
    is not a fill-in table at all."""
    path = Path(path)
    workbook = read_workbook(path)
    found = _find_table(workbook.grids)
    if found is None:
        raise FileReadError(path, "不是本程序下发的填报表:找不到“进展情况”“完成状态”“完成时间”等列",
                            "请确认选择的是各单位报送回来的填报表;如果对方另做了表格,请把内容抄回原填报表后再汇总。")
    grid, header_row, cols = found
    modified, props = _properties(path)
    try:
        mtime = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError:
        mtime = datetime.now().astimezone()
    reply = X.Reply(path=path, saved_at=modified or mtime, rows=[], sheet=grid.name)
    if modified is None:
        reply.notes.append("文件中没有保存时间记录,按文件的修改时间判断新旧。")

    # Workbook properties first, then the key sheet, which says more.
    if props.get("zwgk_unit"):
        reply.unit = props["zwgk_unit"]
    if props.get("zwgk_plan"):
        reply.plan_sha = props["zwgk_plan"].lower()
    if props.get("zwgk_quarter"):
        try:
            reply.quarter = Quarter.parse(props["zwgk_quarter"])
        except UserError:
            pass
    if props.get("zwgk_issue"):
        reply.issue_id = props["zwgk_issue"].strip()
    key_grid = next((g for g in workbook.grids if g.name == F.KEY_SHEET), None)
    if key_grid is not None:
        _read_keys(key_grid, reply)
    else:
        reply.notes.append("隐藏的编码工作表已不在文件中,无法判断哪些内容是对方新填的;"
                           "与台账不同的内容都列为修改,请逐项核对。")
    _read_preamble(grid, header_row, reply)
    if "key" not in cols:
        reply.notes.append("隐藏的“系统编码”列已被删除,将按任务内容对应各行。")

    def cell(row: list[str], name: str) -> str:
        index = cols.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    header_signature = [squash(c) for c in grid.rows[header_row]]
    seen_merged_rows = _merged_editable(grid, cols)
    merged_below = _merged_below(grid, cols.get("task"))
    for r in range(header_row + 1, grid.height):
        row = grid.rows[r]
        if not any(c.strip() for c in row):
            continue
        if [squash(c) for c in row] == header_signature:
            continue  # a header pasted again
        entry = X.ReplyRow(row=r + 1, key=cell(row, "key") or None, requirement=cell(row, "task"),
                           status=cell(row, "status"), done_on=cell(row, "done_on"),
                           progress=cell(row, "progress"), evidence=cell(row, "evidence"), seq=cell(row, "seq"),
                           merged_text=r in merged_below)
        if entry.key and X.parse_key(entry.key) is None and not entry.requirement and not entry.filled:
            continue
        reply.rows.append(entry)
    if seen_merged_rows:
        reply.notes.append(f"第 {seen_merged_rows} 行等处的填报单元格被合并,合并内容已计入其中每一行。")
    return reply


def _merged_editable(grid: Grid, cols: dict[str, int]) -> int | None:
    """First row (1-based) where a colleague merged cells of a column to fill in."""
    editable = {cols[n] for n in _NEEDED_FOR_REPLY if n in cols}
    for r0, c0, r1, c1 in grid.merged:
        if r1 > r0 and any(c0 <= c <= c1 for c in editable):
            return r0 + 1
    return None


def _merged_below(grid: Grid, column: int | None) -> set[int]:
    """Rows (0-based) whose cell in ``column`` is merged down from a row above."""
    if column is None:
        return set()
    return {r for r0, c0, r1, c1 in grid.merged if c0 <= column <= c1 and r1 > r0 for r in range(r0 + 1, r1 + 1)}


def _read_preamble(grid: Grid, header_row: int, reply: X.Reply) -> None:
    """填报单位/季度/填报人 printed above the table (the fallback when the hidden sheet
    and the properties are gone; 填报人 is only here)."""
    for row in grid.rows[:header_row]:
        cells = list(dict.fromkeys(c.strip() for c in row if c.strip()))
        for n, text in enumerate(cells):
            if reply.unit is None:
                match = _UNIT_RE.search(text)
                if match:
                    reply.unit = match.group(1).strip()
            if reply.quarter is None:
                match = _QUARTER_RE.search(text)
                if match:
                    try:
                        reply.quarter = Quarter.parse(match.group(1))
                    except UserError:
                        pass
            filler = _FILLER_RE.match(text)
            if filler:
                value = filler.group(1).strip() or (cells[n + 1] if n + 1 < len(cells) else "")
                if value and not value.startswith("联系电话"):
                    reply.filled_by = value


def read_replies(paths: list[str | Path]) -> tuple[list[X.Reply], list[str]]:
    """Read many replies; a file that cannot be read becomes a problem message, not an
    error, so one bad attachment does not stop the others."""
    replies: list[X.Reply] = []
    problems: list[str] = []
    for path in paths:
        try:
            replies.append(read_reply(path))
        except UserError as exc:
            problems.append(exc.message)
    return replies, problems


# -- 单位名录 lists --------------------------------------------------------------------------

_MEMBER_WORDS = ("成员", "成员单位", "单位名称", "单位", "名称", "部门")


def _directory_columns(row: list[str]) -> tuple[int, int] | None:
    """(group column, member column) from a header row, or None."""
    group = member = None
    for index, cell in enumerate(row):
        text = squash(cell)
        if not text:
            continue
        if group is None and any(w in text for w in ("群组", "分组", "组别", "归口", "类别")):
            group = index
        elif member is None and any(text == w or text.endswith(w) for w in _MEMBER_WORDS):
            member = index
    if group is not None and member is not None:
        return group, member
    return None


_SPLIT_GROUPS = re.compile(r"[\u3001,\uff0c;\uff1b\n]")


def read_directory_pairs(path: str | Path) -> list[tuple[str, str]]:
    """(group, member) pairs from a simple two-column list: 群组/单位 | 成员, or
    单位名称 | 所属群组 (either order, told apart by the header). A member cell may
    list several units, and a 所属群组 cell several groups, separated by 、 , ; or
    line breaks. A merged group cell counts for every row it covers."""
    path = Path(path)
    workbook = read_workbook(path)
    for grid in workbook.grids:
        for r, row in enumerate(grid.rows[:_HEADER_SCAN_ROWS]):
            found = _directory_columns(row)
            if found is None:
                continue
            group_col, member_col = found
            member_is_list = group_col < member_col  # 群组 | 成员: the member cell may list units
            pairs: list[tuple[str, str]] = []
            for data in grid.rows[r + 1:]:
                group_text, member_text = data[group_col].strip(), data[member_col].strip()
                if not group_text or not member_text:
                    continue
                groups = [g.strip() for g in _SPLIT_GROUPS.split(group_text) if g.strip()] \
                    if not member_is_list else [group_text]
                members = [m.strip() for m in _SPLIT_GROUPS.split(member_text) if m.strip()] \
                    if member_is_list else [member_text]
                pairs.extend((g, m) for g in groups for m in members)
            return pairs
    raise FileReadError(path, "找不到单位名录的表头",
                        "名录应有两列:“群组”和“成员”(或“单位名称”和“所属群组”),第一行写表头。")
