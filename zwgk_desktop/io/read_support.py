"""What every table reader shares: limits, the plain Chinese messages, cell and grid
helpers, and reading a file's bytes.

The format readers (spreadsheet_reader, csv_reader, docx_reader) and the door that
chooses between them (readers.read_workbook) all import from here and never from
each other, so the readers have no import cycle: ``readers`` imports the format
readers (lazily, to keep python-docx/lxml out of start-up), and they import this.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.io.grid import Grid, MergedRange


class DebugLog:
    """``logging.getLogger(name)`` for the readers' debug notes, loaded at the first
    note: the readers log only when a file is damaged or odd, and ``logging`` (with
    traceback, textwrap and string) is ~3 ms of every ``zwgk import`` otherwise."""

    def __init__(self, name: str) -> None:
        self.name = name

    def debug(self, message: str, *args: Any, **kwargs: Any) -> None:
        import logging

        logging.getLogger(self.name).debug(message, *args, **kwargs)


log = DebugLog(__name__)

SUPPORTED_TYPES = ".xlsx .xlsm .xls .csv .docx"

#: Refuse anything bigger: a task table is a few hundred KB; 256 MB is a wrong pick.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Largest grid any reader builds (rows × columns). calamine keeps a sheet as a dense
#: array of 32-byte cells from A1 to the last value, so one stray value at XFD1048576
#: would ask for 550 GB and abort the process (measured: Rust OOM abort, not an
#: exception). 20 M cells is ~640 MB there; real task tables are far below 1 M.
MAX_CELLS = 20_000_000

# ---------------------------------------------------------------------------
# Messages (problem, advice). Kept together so the wording stays consistent.

MSG_MISSING = ("文件不存在", "文件可能已被移动、改名或删除,请重新选择文件")
MSG_DIRECTORY = ("选择的是文件夹,不是文件", "请打开文件夹,选择其中的表格文件")
MSG_LOCKED = ("文件正被其他程序占用", "请先在 Excel/WPS 中关闭该文件,再重新导入")
MSG_NO_PERMISSION = (
    "没有读取该文件的权限",
    "如果文件正在 Excel/WPS 中打开,请先关闭该文件;否则请把文件复制到桌面等有权限的位置后再导入",
)
MSG_TOO_LARGE = (
    "文件过大(超过 256 MB),不像是任务表",
    "请确认选择的文件是否正确",
)
MSG_EMPTY_FILE = ("文件是空的(0 字节)", "文件可能没有下载或拷贝完整,请重新获取后再导入")
MSG_NO_CONTENT = ("文件中没有任何内容", "请确认选择的是已填好内容的任务表")
MSG_ENCRYPTED_EXCEL = (
    "文件已加密(设有打开密码)",
    "请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入",
)
MSG_ENCRYPTED_WORD = (
    "文件已加密(设有打开密码)",
    "请在 Word/WPS 中取消密码后另存为 .docx 再导入",
)
MSG_DAMAGED = (
    "文件已损坏或不完整,无法读取",
    "请重新下载或向发文单位索取原件;如果能在 Excel/WPS 中打开,请另存为 .xlsx 后再导入",
)
MSG_DAMAGED_WORD = (
    "文件已损坏或不完整,无法读取",
    "请重新下载或向发文单位索取原件;如果能在 Word/WPS 中打开,请另存为 .docx 后再导入",
)
MSG_UNSAFE = (
    "文件包含不安全的内容(可疑的 XML 实体定义或异常巨大的压缩内容),已拒绝读取",
    "请向发文单位核实文件来源;确认无误后,可在 Excel/WPS 中打开并另存为新文件再导入",
)
MSG_OLD_WORD = (
    "这是旧版 Word 文档(.doc/.wps),不能直接读取",
    "请用 Word/WPS 打开后另存为 .docx 再导入",
)
MSG_MACRO_WORD = (
    "这是启用宏的 Word 文档(.docm),不能直接读取",
    "请用 Word/WPS 打开后另存为 .docx 再导入",
)
MSG_RTF = (
    "这是 RTF 格式的文档,不能直接读取",
    "请用 Word/WPS 打开后另存为 .docx 再导入",
)
MSG_NO_TABLE_DOCX = (
    "Word 文档中没有表格",
    "任务分解表需要以表格形式放在文档中;如果表格是图片或附件,请向发文单位索取 Excel 或 Word 表格原件",
)
MSG_UNSUPPORTED = (
    f"不是可以读取的表格文件(支持的类型:{SUPPORTED_TYPES})",
    "请选择 Excel 表格(.xlsx/.xls)、CSV 文件或含有表格的 Word 文档(.docx)",
)
MSG_PDF = (
    "这是 PDF 文件,无法直接读取其中的表格",
    "请向发文单位索取 Excel 或 Word 原件;也可以在 WPS 中把 PDF 转换为 Excel 后再导入",
)
MSG_IMAGE = (
    "这是图片文件,无法读取其中的表格",
    "请向发文单位索取 Excel 或 Word 原件",
)
MSG_ARCHIVE = (
    "这是压缩包,不是表格文件",
    "请先解压,再选择其中的 .xlsx/.xls/.docx 文件",
)
MSG_OFFICE_LOCK_FILE = (
    "这是 Excel/WPS/Word 打开文件时生成的临时文件(文件名以 ~$ 开头),不是表格本身",
    "请选择同一文件夹中不带 ~$ 的原文件",
)
MSG_ENCODING = (
    "无法识别文件的文字编码",
    "请用 Excel/WPS 打开后另存为 .xlsx 再导入",
)
MSG_PRESENTATION = (
    "这是演示文稿(PPT),不是表格文件",
    "请向发文单位索取 Excel 或 Word 原件",
)
MSG_MHT = (
    "这是网页存档格式(.mht)的文件,不能直接读取",
    "请用 Word/WPS 打开后另存为 .docx 再导入",
)

WORD_EXTS = frozenset({".doc", ".docx", ".docm", ".dot", ".dotx", ".wps", ".wpt", ".rtf"})
SHEET_EXTS = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".xltx", ".xltm", ".et", ".ods"})
TEXT_EXTS = frozenset({".csv", ".tsv", ".txt", ".htm", ".html"})


class GridTooLarge(Exception):
    """Raised by a reader before it builds a grid of more than ``MAX_CELLS`` cells;
    ``read_workbook`` turns it into a FileReadError."""

    def __init__(self, rows: int, columns: int) -> None:
        super().__init__(f"{rows} rows x {columns} columns")
        self.rows = rows
        self.columns = columns


def check_size(rows: int, columns: int) -> None:
    if rows * columns > MAX_CELLS:
        raise GridTooLarge(rows, columns)


def too_large(path: str | Path, exc: GridTooLarge) -> FileReadError:
    return FileReadError(
        path,
        f"表格范围过大(约 {exc.rows} 行 × {exc.columns} 列),不像是任务表",
        "请在 Excel/WPS 中删除表格右侧和下方多余的行列(或把任务表复制到新的工作簿),另存后再导入",
    )


def fail(path: str | Path, msg: tuple[str, str]) -> FileReadError:
    """Build the error for one of the messages above (``raise fail(path, MSG_X)``)."""
    return FileReadError(path, msg[0], msg[1])


def damaged(path: str | Path) -> FileReadError:
    ext = Path(path).suffix.lower()
    return fail(path, MSG_DAMAGED_WORD if ext in WORD_EXTS else MSG_DAMAGED)


def encrypted(path: str | Path) -> FileReadError:
    ext = Path(path).suffix.lower()
    return fail(path, MSG_ENCRYPTED_WORD if ext in WORD_EXTS else MSG_ENCRYPTED_EXCEL)


# ---------------------------------------------------------------------------
# Shared cell and grid helpers


def clean_text(text: str) -> str:
    """Cell text as the clerk sees it: line breaks as '\\n', no NUL, no outer spaces.

    Inner spaces and line breaks are kept: '区发改局\\n区工信局' is two units.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.strip()


def finish_grid(
    name: str,
    rows: list[list[str]],
    *,
    merged: Iterable[MergedRange] = (),
    hidden_columns: Iterable[int] = (),
    hidden: bool = False,
    preamble: list[str] | None = None,
) -> Grid:
    """Make a ``Grid`` from cleaned (possibly ragged) rows of text.

    Trailing empty rows and columns are removed, rows padded to one width, merged
    ranges clipped to what is left and filled with their top-left value; ranges that
    fall outside, are inverted or cover one cell are dropped.
    """
    height = len(rows)
    while height and not any(rows[height - 1]):
        height -= 1
    last = -1
    for i in range(height):
        row = rows[i]
        j = len(row) - 1
        if j <= last:
            continue
        while j > last and not row[j]:
            j -= 1
        last = j
    width = last + 1
    check_size(height, width)
    out: list[list[str]] = []
    for i in range(height):
        row = rows[i]
        n = len(row)
        if n == width:
            out.append(row)
        elif n > width:
            out.append(row[:width])
        else:
            out.append(row + [""] * (width - n))
    return Grid(
        name=name,
        rows=out,
        merged=fill_merged(out, merged),
        hidden_columns=frozenset(c for c in hidden_columns if 0 <= c < width),
        hidden=hidden,
        preamble=list(preamble or []),
    )


def fill_merged(rows: list[list[str]], merged: Iterable[MergedRange]) -> list[MergedRange]:
    """Copy each range's top-left value into all its cells (in place); return the
    ranges clipped to the grid."""
    height = len(rows)
    width = len(rows[0]) if rows else 0
    kept: list[MergedRange] = []
    seen: set[MergedRange] = set()
    # Real merged ranges never overlap, so together they cover at most the grid once;
    # a crafted file with thousands of overlapping ranges stops here.
    budget = 2 * height * width
    for r0, c0, r1, c1 in merged:
        if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0 or r0 >= height or c0 >= width:
            continue
        r1 = min(r1, height - 1)
        c1 = min(c1, width - 1)
        if r0 == r1 and c0 == c1:
            continue
        rng = (r0, c0, r1, c1)
        if rng in seen:
            continue
        seen.add(rng)
        budget -= (r1 - r0 + 1) * (c1 - c0 + 1)
        if budget < 0:
            log.debug("overlapping merged ranges: ignoring the rest")
            break
        kept.append(rng)
        fill = [rows[r0][c0]] * (c1 - c0 + 1)
        for r in range(r0, r1 + 1):
            rows[r][c0:c1 + 1] = fill
    kept.sort()
    return kept


# ---------------------------------------------------------------------------
# Reading the bytes


def read_file_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(path, MSG_TOO_LARGE)
        with path.open("rb") as fh:
            data = fh.read()  # not read(limit): that allocates the whole limit up front
        if len(data) > MAX_FILE_BYTES:
            raise fail(path, MSG_TOO_LARGE)
        return data
    except FileReadError:
        raise
    except FileNotFoundError as exc:
        raise fail(path, MSG_MISSING) from exc
    except IsADirectoryError as exc:
        raise fail(path, MSG_DIRECTORY) from exc
    except PermissionError as exc:
        # Windows: Excel/WPS opens workbooks with a sharing lock; reading then fails
        # with ERROR_SHARING_VIOLATION (32) or ERROR_LOCK_VIOLATION (33).
        if getattr(exc, "winerror", None) in (32, 33):
            raise fail(path, MSG_LOCKED) from exc
        if sys.platform == "win32" and path.is_dir():
            raise fail(path, MSG_DIRECTORY) from exc
        raise fail(path, MSG_NO_PERMISSION) from exc
    except OSError as exc:
        if getattr(exc, "winerror", None) in (32, 33):
            raise fail(path, MSG_LOCKED) from exc
        reason = exc.strerror or exc.__class__.__name__
        raise FileReadError(path, f"读取文件时出错({reason})", "请确认文件所在的磁盘或网络位置可以访问,再重试") from exc
