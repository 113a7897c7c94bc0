"""The one door for reading a table file: ``read_workbook(path) -> Workbook``.

A clerk receives whatever the sending office produced: real .xlsx/.xls, "Excel" files
that are really HTML tables or CSV text (old government systems export those), Word
attachments with the table inside, files still open in Excel, encrypted files, half
downloads. ``read_workbook`` looks at the content first (the extension is only a hint)
and either returns every table as a ``Grid`` or raises ``FileReadError`` with a plain
Chinese problem and advice. No other exception escapes for bad input.

This module also holds the small helpers every reader shares (cell text cleaning,
trimming, filling merged ranges); the format readers import them from here, so this
module imports the readers lazily, inside ``read_workbook`` (which also keeps
python-docx/lxml out of program start-up).
"""

from __future__ import annotations

import io
import logging
import sys
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.io.grid import Grid, MergedRange, Workbook

log = logging.getLogger(__name__)

SUPPORTED_TYPES = ".xlsx .xlsm .xls .csv .docx"

#: Refuse anything bigger: a task table is a few hundred KB; 256 MB is a wrong pick.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Refuse zip members claiming more than this when unpacked (zip bombs).
MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
#: A part bigger than ``RATIO_FLOOR`` unpacked may be at most ``MAX_RATIO`` times its
#: packed size. Excel/WPS sheet XML packs 5-30 times; deflate cannot pack better than
#: ~1030 times, which only long runs of one byte reach (zip bombs).
MAX_RATIO = 200
RATIO_FLOOR = 8 * 1024 * 1024
#: The bounded inflater's step: it never holds more than this much unpacked output.
_INFLATE_STEP = 256 * 1024
#: Unpacking past the declared size by more than this (or the size itself) is a bomb.
_OVERRUN_BYTES = 1024 * 1024

# Workbook.kind values
SPREADSHEET = "spreadsheet"
DOCUMENT = "document"  # docx or HTML: several tables may continue one another
TEXT = "text"

#: Largest grid any reader builds (rows × columns). calamine keeps a sheet as a dense
#: array of 32-byte cells from A1 to the last value, so one stray value at XFD1048576
#: would ask for 550 GB and abort the process (measured: Rust OOM abort, not an
#: exception). 20 M cells is ~640 MB there; real task tables are far below 1 M.
MAX_CELLS = 20_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

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
        value = rows[r0][c0]
        for r in range(r0, r1 + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                row[c] = value
    kept.sort()
    return kept


# ---------------------------------------------------------------------------
# Opening the file


def _read_bytes(path: Path) -> bytes:
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


def _check_zip(path: Path, zf: zipfile.ZipFile) -> None:
    """Refuse zip bombs and XML with entity declarations (billion laughs).

    Office Open XML forbids DTDs, so any ``<!DOCTYPE``/``<!ENTITY`` in a part is
    hostile or broken. Each XML part is parsed with defusedxml only up to its root
    element (a few KB at most): cheap even for big workbooks.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
            raise fail(path, MSG_UNSAFE)
    for info in zf.infolist():
        name = info.filename.lower()
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        try:
            with zf.open(info) as fh:
                for _event, _elem in iterparse(fh, events=("start",), forbid_dtd=True):
                    break
        except DefusedXmlException as exc:
            raise fail(path, MSG_UNSAFE) from exc
        except Exception:  # noqa: BLE001 - a broken part is the real reader's business
            log.debug("pre-scan of %s in %s failed", info.filename, path, exc_info=True)


def check_zip_parts(path: str | Path, data: bytes | None = None) -> None:
    """Refuse a damaged or lying zip package (xlsx/xlsm/docx) before any reader inflates it.

    Every part is unpacked once, in ``_INFLATE_STEP`` pieces that are checked and
    dropped, so this costs time (~1 ms per unpacked MB: 14 ms for a 20,000-row sheet
    of 15 MB) but no memory:

    * a part that fails its CRC (a bit flipped in transit or on a worn USB stick) is
      refused as damaged: calamine and python-docx stop reading a part at its closing
      tag and never see the CRC, so such a file imported with altered characters;
    * a part that unpacks to more than it declares (a zip bomb that under-declares
      its size to get past the size limits) is refused as soon as the output passes the
      declared size, before calamine would have inflated all of it;
    * a part that declares a size far beyond what its packed bytes could hold, or an
      implausible packing ratio, is refused before inflating anything.

    Also refuses XML with entity declarations (see ``_check_zip``). Raises
    ``FileReadError``; returns quietly for a sound package. ``read_workbook`` runs
    this on every zip it reads; call it directly for a package read another way.
    """
    path = Path(path)
    if data is None:
        data = _read_bytes(path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - BadZipFile, ValueError, struct errors…
        raise damaged(path) from exc
    with zf:
        _check_zip(path, zf)
        _verify_parts(path, data, zf)


def _verify_parts(path: Path, data: bytes, zf: zipfile.ZipFile) -> None:
    """The ratio limit for every part, then every part through the bounded inflater
    (``_check_zip`` has already applied the declared-size limits)."""
    infos = zf.infolist()
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise fail(path, MSG_UNSAFE)
    for info in infos:
        _verify_part(path, data, zf, info)


def _verify_part(path: Path, data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    if info.flag_bits & 0x1:
        raise encrypted(path)  # zip-level password: no Office program writes these
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        _verify_part_with_zipfile(path, zf, info)
        return
    offset = info.header_offset
    header = data[offset:offset + 30]
    if len(header) < 30 or header[:4] != _ZIP_MAGIC:
        raise damaged(path)
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise damaged(path)  # cut off: the part's bytes are not all there
    packed = memoryview(data)[start:end]
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size or zlib.crc32(packed) != info.CRC:
            raise damaged(path)
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    crc = size = taken = 0
    # A little more than declared is a flipped bit (damaged); much more is a bomb. The
    # output is counted and dropped, so going on a little costs time, not memory.
    overrun = info.file_size + max(info.file_size, _OVERRUN_BYTES)
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                piece: bytes | memoryview = inflater.unconsumed_tail
            elif taken < len(packed):
                piece = packed[taken:taken + _INFLATE_STEP]
                taken += len(piece)
            else:
                break
            out = inflater.decompress(piece, _INFLATE_STEP)
            size += len(out)
            if size > overrun:
                # Far more than the part declares: a zip bomb under-declaring its size.
                # Stop here, long before the rest is inflated.
                log.debug("%s: part %s unpacks beyond its declared %d bytes", path, info.filename, info.file_size)
                raise fail(path, MSG_UNSAFE)
            crc = zlib.crc32(out, crc)
    except zlib.error as exc:
        raise damaged(path) from exc
    if not inflater.eof or size != info.file_size or crc != info.CRC:
        log.debug("%s: part %s fails its check (size %d of %d, crc %08x of %08x)",
                  path, info.filename, size, info.file_size, crc, info.CRC)
        raise damaged(path)


def _verify_part_with_zipfile(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Methods no Office program writes (bzip2, lzma): zipfile reads at most the
    declared size and checks the CRC at the end."""
    try:
        with zf.open(info) as fh:
            while fh.read(_INFLATE_STEP):
                pass
    except Exception as exc:  # noqa: BLE001 - BadZipFile, NotImplementedError, EOFError, lzma errors…
        raise damaged(path) from exc


def _ole_has_stream(data: bytes, name: str) -> bool:
    # Directory entry names are UTF-16LE, NUL-terminated; searching for the encoded
    # name with its terminator is enough to tell an encrypted OOXML package or a Word
    # document from an .xls without a full compound-file parser.
    return (name + "\x00").encode("utf-16-le") in data


def read_workbook(path: str | Path) -> Workbook:
    """Read every table in ``path``; raise ``FileReadError`` if it cannot be read."""
    path = Path(path)
    if path.name.startswith("~$"):
        raise fail(path, MSG_OFFICE_LOCK_FILE)
    data = _read_bytes(path)
    if not data:
        raise fail(path, MSG_EMPTY_FILE)
    try:
        grids, kind = _dispatch(path, data)
    except GridTooLarge as exc:
        raise too_large(path, exc) from exc
    if not any(g.rows for g in grids):
        raise fail(path, MSG_NO_CONTENT)
    return Workbook(source_name=path.name, grids=grids, kind=kind)


def _dispatch(path: Path, data: bytes) -> tuple[list[Grid], str]:
    """The grids and the Workbook.kind: spreadsheet, document (docx/HTML) or text."""
    ext = path.suffix.lower()
    head = data[:8]
    if head.startswith(_ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return _read_zip(path, data, ext)
    if head == _OLE_MAGIC:
        return _read_ole(path, data, ext)
    if head.startswith(b"%PDF"):
        raise fail(path, MSG_PDF)
    if (
        head.startswith(b"\x89PNG")
        or head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"GIF8")
        or (head.startswith(b"BM") and ext in {".bmp", ""})
    ):
        raise fail(path, MSG_IMAGE)
    if head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf\x27\x1c") or head.startswith(b"\x1f\x8b"):
        raise fail(path, MSG_ARCHIVE)
    if head.startswith(b"{\\rtf"):
        raise fail(path, MSG_RTF)
    return _read_text(path, data, ext)


def _read_zip(path: Path, data: bytes, ext: str) -> tuple[list[Grid], str]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except Exception as exc:  # noqa: BLE001 - BadZipFile, ValueError, struct/zlib errors…
        # A truncated download keeps the PK header but loses the central directory.
        raise damaged(path) from exc
    with zf:
        _check_zip(path, zf)
        _verify_parts(path, data, zf)
        mimetype = b""
        if "mimetype" in names:
            try:
                mimetype = zf.read("mimetype")[:100]
            except Exception:  # noqa: BLE001
                mimetype = b""
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names or (
        mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet")
    ):
        from zwgk_desktop.io.spreadsheet_reader import read_spreadsheet

        return read_spreadsheet(path, data), SPREADSHEET
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        from zwgk_desktop.io.docx_reader import read_docx

        return read_docx(path, data), DOCUMENT
    if "ppt/presentation.xml" in names:
        raise fail(path, MSG_PRESENTATION)
    if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        raise FileReadError(path, "这是 ODT 格式的文档,不能直接读取", MSG_OLD_WORD[1])
    if "[Content_Types].xml" in names:
        # An Office package whose main part is somewhere unusual: let calamine try.
        if ext in SHEET_EXTS:
            from zwgk_desktop.io.spreadsheet_reader import read_spreadsheet

            return read_spreadsheet(path, data), SPREADSHEET
        if ext in WORD_EXTS:
            from zwgk_desktop.io.docx_reader import read_docx

            return read_docx(path, data), DOCUMENT
        raise fail(path, MSG_UNSUPPORTED)
    if ext in SHEET_EXTS or ext in WORD_EXTS:
        # A .xlsx/.docx that is a zip without Office parts: damaged or renamed.
        raise damaged(path)
    raise fail(path, MSG_ARCHIVE)


def _read_ole(path: Path, data: bytes, ext: str) -> tuple[list[Grid], str]:
    """Compound files: .xls (and WPS .et), encrypted .xlsx/.docx, .doc/.wps, .ppt."""
    if _ole_has_stream(data, "EncryptedPackage") or _ole_has_stream(data, "EncryptionInfo"):
        raise encrypted(path)
    if _ole_has_stream(data, "Workbook") or _ole_has_stream(data, "Book"):
        from zwgk_desktop.io.spreadsheet_reader import read_spreadsheet

        return read_spreadsheet(path, data), SPREADSHEET
    if _ole_has_stream(data, "WordDocument"):
        raise fail(path, MSG_OLD_WORD)
    if _ole_has_stream(data, "PowerPoint Document"):
        raise fail(path, MSG_PRESENTATION)
    if ext in WORD_EXTS:
        raise fail(path, MSG_DAMAGED_WORD)
    if ext in SHEET_EXTS:
        # Let calamine have a go; it says what is wrong (or reads it after all).
        from zwgk_desktop.io.spreadsheet_reader import read_spreadsheet

        return read_spreadsheet(path, data), SPREADSHEET
    raise fail(path, MSG_UNSUPPORTED)


def _read_text(path: Path, data: bytes, ext: str) -> tuple[list[Grid], str]:
    from zwgk_desktop.io import csv_reader

    text = csv_reader.decode_text(data)
    if text is None or csv_reader.looks_binary(text):
        if ext in SHEET_EXTS:
            raise damaged(path)
        if ext in WORD_EXTS:
            raise fail(path, MSG_DAMAGED_WORD)
        if ext in TEXT_EXTS:
            raise fail(path, MSG_ENCODING if text is None else MSG_UNSUPPORTED)
        raise fail(path, MSG_UNSUPPORTED)
    head = text[:4096].lstrip("\ufeff \t\r\n").lower()
    if head.startswith("mime-version") or "content-type: multipart/related" in head:
        raise fail(path, MSG_MHT)
    if csv_reader.looks_like_spreadsheetml(head):
        from zwgk_desktop.io.spreadsheet_reader import read_spreadsheetml_2003

        return read_spreadsheetml_2003(path, text), SPREADSHEET
    if csv_reader.looks_like_html(text):
        grids = csv_reader.read_html_text(path, text)
        if not grids:
            raise fail(path, MSG_NO_TABLE_DOCX if ext in WORD_EXTS else MSG_NO_CONTENT)
        return grids, DOCUMENT
    if ext in WORD_EXTS:
        # Plain text named .doc/.docx: not a Word file at all.
        raise fail(path, MSG_DAMAGED_WORD)
    if ext not in TEXT_EXTS and ext not in SHEET_EXTS and ext != "":
        raise fail(path, MSG_UNSUPPORTED)
    return [csv_reader.read_csv_text(path, text)], TEXT


__all__ = [
    "MAX_CELLS",
    "SUPPORTED_TYPES",
    "GridTooLarge",
    "check_zip_parts",
    "clean_text",
    "fill_merged",
    "finish_grid",
    "read_workbook",
]

