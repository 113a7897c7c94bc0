"""The one door for reading a table file: ``read_workbook(path) -> Workbook``.

A clerk receives whatever the sending office produced: real .xlsx/.xls, "Excel" files
that are really HTML tables or CSV text (old government systems export those), Word
attachments with the table inside, files still open in Excel, encrypted files, half
downloads. ``read_workbook`` looks at the content first (the extension is only a hint)
and either returns every table as a ``Grid`` or raises ``FileReadError`` with a plain
Chinese problem and advice. No other exception escapes for bad input.

The format readers are imported inside ``read_workbook`` (python-docx/lxml stay out of
program start-up); what they share with this module (messages, limits, cell and grid
helpers) lives in ``read_support``, so nothing here is imported back by them.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.core.patterns import lazy_compile
from zwgk_desktop.core.perf import paused_gc
from zwgk_desktop.io.grid import Grid, Workbook
from zwgk_desktop.io.read_support import (
    MSG_ARCHIVE,
    MSG_DAMAGED_WORD,
    MSG_EMPTY_FILE,
    MSG_ENCODING,
    MSG_IMAGE,
    MSG_MHT,
    MSG_NO_CONTENT,
    MSG_NO_TABLE_DOCX,
    MSG_OFFICE_LOCK_FILE,
    MSG_OLD_WORD,
    MSG_PDF,
    MSG_PRESENTATION,
    MSG_RTF,
    MSG_UNSAFE,
    MSG_UNSUPPORTED,
    SHEET_EXTS,
    TEXT_EXTS,
    WORD_EXTS,
    DebugLog,
    GridTooLarge,
    damaged,
    encrypted,
    fail,
    read_file_bytes,
    too_large,
)

log = DebugLog(__name__)

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

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

# ---------------------------------------------------------------------------
# Opening the file


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
                # iterparse's own first read: a part whose root element starts in it
                # after a plain prolog (every part Excel, WPS or openpyxl writes) has no
                # DTD, and needs no parser; anything else is parsed as before.
                if _plain_prolog(fh.read(_ITERPARSE_READ)):
                    continue
            with zf.open(info) as fh:
                for _event, _elem in iterparse(fh, events=("start",), forbid_dtd=True):
                    break
        except DefusedXmlException as exc:
            raise fail(path, MSG_UNSAFE) from exc
        except Exception:  # noqa: BLE001 - a broken part is the real reader's business
            log.debug("pre-scan of %s in %s failed", info.filename, path, exc_info=True)


#: How much ElementTree.iterparse reads at a time (its first read is what we look at).
_ITERPARSE_READ = 16 * 1024
_XML_SPACE = frozenset(b" \t\r\n")
# The XML declarations Excel, WPS, openpyxl and python-docx write, and the one form the
# quick look accepts for any other (UTF-8 or no encoding named).
_COMMON_DECLARATIONS = frozenset({
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>",
    b'<?xml version="1.0" encoding="UTF-8"?>', b"<?xml version='1.0' encoding='UTF-8'?>", b'<?xml version="1.0"?>',
})
_XML_DECLARATION_RE = lazy_compile(
    rb"<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:\"1\.[0-9]\"|'1\.[0-9]')"
    rb"(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:\"(?:UTF|utf)-8\"|'(?:UTF|utf)-8'))?"
    rb"(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:\"(?:yes|no)\"|'(?:yes|no)'))?[ \t\r\n]*\?>")
_PROCESSING_INSTRUCTION_RE = lazy_compile(rb"<\?([A-Za-z_:][A-Za-z0-9._:-]*)(?:[ \t\r\n][^?]*(?:\?(?!>)[^?]*)*)?\?>")


def _plain_prolog(head: bytes) -> bool:
    """True when ``head`` (a part's first bytes) reaches its root element through
    nothing but a UTF-8 XML declaration, comments, processing instructions and white
    space: no DTD can come before the root then, so defusedxml would find none. False
    for anything else (a DOCTYPE, another encoding, an odd prolog, a root beyond
    ``head``), which the caller then gives to defusedxml as before."""
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if head.startswith(b"<?xml", pos):
        close = head.find(b"?>", pos)
        if close >= 0 and head[pos:close + 2] in _COMMON_DECLARATIONS:
            pos = close + 2
        else:
            declaration = _XML_DECLARATION_RE.match(head, pos)
            if declaration is None:
                return False
            pos = declaration.end()
    end = len(head)
    while True:
        while pos < end and head[pos] in _XML_SPACE:
            pos += 1
        if head.startswith(b"<!--", pos):
            close = head.find(b"-->", pos + 4)
            if close < 0 or b"--" in head[pos + 4:close] or (close > pos + 4 and head[close - 1] == 0x2D):  # "-"
                return False
            pos = close + 3
        elif head.startswith(b"<?", pos):
            instruction = _PROCESSING_INSTRUCTION_RE.match(head, pos)
            if instruction is None or instruction.group(1).lower() == b"xml":
                return False
            pos = instruction.end()
        else:
            # The root element: "<" and a name's first character (ASCII here).
            first = head[pos + 1:pos + 2]
            return head[pos:pos + 1] == b"<" and (first.isalpha() or first in (b"_", b":"))


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
        data = read_file_bytes(path)
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
    data = read_file_bytes(path)
    if not data:
        raise fail(path, MSG_EMPTY_FILE)
    try:
        with paused_gc():  # rows of thousands of cells, all still alive: nothing to collect
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
        from zwgk_desktop.io.spreadsheetml import read_spreadsheetml_2003

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


__all__ = ["DOCUMENT", "SPREADSHEET", "TEXT", "check_zip_parts", "read_workbook"]
