"""Zip packages (.xlsx/.xlsm/.docx and reply workbooks) are checked part by part before
calamine or python-docx reads them: a bit flipped in transit is refused as damaged, a
part that under-declares its size is refused before it is inflated."""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest

from zwgk_desktop.core.errors import FileReadError
from zwgk_desktop.io import readers, spreadsheet_reader
from zwgk_desktop.io.readers import check_zip_parts, read_workbook
from zwgk_desktop.io.reply_reader import read_reply

from ..conftest import SAMPLES

TEXT = "落实政务公开工作意见,做好意见征集"


def _rezip(data: bytes, method: int) -> bytes:
    """The package with every part packed with ``method``; the character references
    openpyxl writes (&#24847;) become UTF-8, as Excel and WPS write them."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            part = re.sub(rb"&#(\d+);", lambda m: chr(int(m.group(1))).encode(), src.read(info))
            dst.writestr(info.filename, part, compress_type=method)
    return out.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _xlsx_bytes(method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A workbook whose text is in xl/sharedStrings.xml, as Excel and WPS write it:
    calamine reads that part only up to </sst>, so it never meets the part's CRC."""
    strings = ["序号", "具体要求", "责任单位"] + [f"{TEXT}第{i}条" for i in range(1, 30)]
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
    rows = ['<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABC")) + "</row>"]
    rows += [f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c><c r="B{r}" t="s"><v>{r + 1}</v></c>'
             f'<c r="C{r}" t="s"><v>2</v></c></row>' for r in range(2, 31)]
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship '
                        f'Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                            '<sheets><sheet name="任务表" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                                     f'<dimension ref="A1:C30"/><sheetData>{"".join(rows)}</sheetData></worksheet>'),
        "xl/sharedStrings.xml": sst,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def _docx_bytes(method: int = zipfile.ZIP_DEFLATED) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "具体要求", "责任单位"], ["1", TEXT, "区发改局"], ["2", TEXT, "区工信局"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return _rezip(buffer.getvalue(), method)


def _part_span(data: bytes, name: str) -> tuple[int, int]:
    """(start, end) of a part's packed bytes in the file."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    n, m = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + n + m
    return start, start + info.compress_size


def _flip_in_text(data: bytes, part: str) -> bytes:
    """Flip one bit inside the UTF-8 of 意 in a stored part: still valid UTF-8, so a
    reader that does not check the CRC reads another character (意 -> 愇)."""
    start, end = _part_span(data, part)
    at = data.index("意".encode(), start, end) + 2
    flipped = bytearray(data)
    flipped[at] ^= 0x08
    assert bytes(flipped[at - 2:at + 1]).decode() != "意"
    return bytes(flipped)


def _refused(path: Path) -> FileReadError:
    with pytest.raises(FileReadError) as info:
        read_workbook(path)
    assert path.name in str(info.value)
    return info.value


@pytest.mark.parametrize(("name", "make", "part"), [
    ("要点.xlsx", _xlsx_bytes, "xl/sharedStrings.xml"),
    ("要点.xlsm", _xlsx_bytes, "xl/sharedStrings.xml"),
    ("附件.docx", _docx_bytes, "word/document.xml"),
])
def test_a_flipped_bit_in_a_stored_part_is_refused_as_damaged(tmp_path: Path, name, make, part) -> None:
    sound = tmp_path / f"完好{Path(name).suffix}"
    sound.write_bytes(make(zipfile.ZIP_STORED))
    assert any(TEXT in cell for grid in read_workbook(sound).grids for row in grid.rows for cell in row)
    path = tmp_path / name
    path.write_bytes(_flip_in_text(sound.read_bytes(), part))
    err = _refused(path)
    assert "损坏" in err.problem and "重新下载" in err.advice


def test_random_bit_flips_in_deflated_shared_strings_never_import(tmp_path: Path) -> None:
    """Measured before the check: 5 of 60 such files imported with altered text."""
    data = _xlsx_bytes()
    start, end = _part_span(data, "xl/sharedStrings.xml")
    rng = random.Random(7)
    for i in range(60):
        flipped = bytearray(data)
        flipped[rng.randrange(start, end)] ^= 1 << rng.randrange(8)
        path = tmp_path / f"传输{i}.xlsx"
        path.write_bytes(bytes(flipped))
        assert "损坏" in _refused(path).problem


def test_flipped_bit_in_a_reply_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "区发改局报送表.xlsx"
    path.write_bytes(_flip_in_text(_xlsx_bytes(zipfile.ZIP_STORED), "xl/sharedStrings.xml"))
    with pytest.raises(FileReadError) as info:
        read_reply(path)
    assert "损坏" in info.value.problem


def test_the_real_samples_pass_the_check() -> None:
    for name in ("rencheng_2023.xlsx", "linyi_2023.xlsx", "rencheng_2023.docx"):
        check_zip_parts(SAMPLES / name)


def _padded_sheet(pad: int) -> tuple[bytes, int]:
    """The sample xlsx with ``pad`` spaces inside its sheet XML (still valid XML); and
    the sheet part's original size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(SAMPLES / "rencheng_2023.xlsx") as src, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                original = len(part)
                at = part.index(b"<sheetData>") + len(b"<sheetData>")
                part = part[:at] + b" " * pad + part[at:]
            dst.writestr(info.filename, part)
    return buffer.getvalue(), original


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite a part's uncompressed size in its local header and central directory."""
    patched = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    patched[info.header_offset + 22:info.header_offset + 26] = struct.pack("<I", size)
    pos = 0
    while True:
        pos = data.index(b"PK\x01\x02", pos)
        n = struct.unpack("<H", data[pos + 28:pos + 30])[0]
        if data[pos + 46:pos + 46 + n] == name.encode():
            patched[pos + 24:pos + 28] = struct.pack("<I", size)
            return bytes(patched)
        pos += 4


_decompressobj = zlib.decompressobj


class _CountingInflater:
    """Stands in for zlib.decompressobj: counts all the output it produced."""

    produced = 0

    def __init__(self, wbits: int) -> None:
        self._inner = _decompressobj(wbits)

    def decompress(self, data, max_length: int = 0) -> bytes:
        out = self._inner.decompress(data, max_length)
        type(self).produced += len(out)
        return out

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


def _no_calamine(*args, **kwargs):
    raise AssertionError("calamine must not see this file")


def test_part_under_declaring_its_size_is_refused_before_inflating(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pad = 64 * 1024 * 1024
    data, original = _padded_sheet(pad)
    path = tmp_path / "小文件.xlsx"
    path.write_bytes(_declare_size(data, "xl/worksheets/sheet1.xml", original))
    assert path.stat().st_size < pad // 200
    monkeypatch.setattr(spreadsheet_reader.CalamineWorkbook, "from_filelike", _no_calamine)
    monkeypatch.setattr(readers.zlib, "decompressobj", _CountingInflater)
    _CountingInflater.produced = 0
    err = _refused(path)
    assert "不安全" in err.problem
    # The bounded inflater stopped a little past the declared size of the sheet (having
    # unpacked the small parts before it), not after 64 MB.
    budget = (sum(i.file_size for i in zipfile.ZipFile(path).infolist())
              + max(original, readers._OVERRUN_BYTES) + readers._INFLATE_STEP)
    assert 0 < _CountingInflater.produced <= budget


def test_honest_but_implausible_ratio_is_refused_without_inflating(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = _padded_sheet(64 * 1024 * 1024)
    path = tmp_path / "压缩比.xlsx"
    path.write_bytes(data)
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > readers.MAX_RATIO * info.compress_size

    def no_inflating(*args, **kwargs):
        raise AssertionError("nothing may be inflated")

    monkeypatch.setattr(readers.zlib, "decompressobj", no_inflating)
    monkeypatch.setattr(spreadsheet_reader.CalamineWorkbook, "from_filelike", _no_calamine)
    assert "不安全" in _refused(path).problem


def test_part_over_declaring_its_size_is_damaged(tmp_path: Path) -> None:
    data = _xlsx_bytes()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    path = tmp_path / "多报.xlsx"
    path.write_bytes(_declare_size(data, "xl/worksheets/sheet1.xml", info.file_size + 100))
    assert "损坏" in _refused(path).problem


def test_part_cut_off_inside_its_packed_bytes_is_damaged(tmp_path: Path) -> None:
    data = _xlsx_bytes()
    start, end = _part_span(data, "xl/worksheets/sheet1.xml")
    # zero the second half of the sheet's packed bytes: the directory still says it is all there
    broken = data[:(start + end) // 2] + bytes(end - (start + end) // 2) + data[end:]
    path = tmp_path / "半截.xlsx"
    path.write_bytes(broken)
    assert "损坏" in _refused(path).problem


# -- the quick look at each part's prolog -------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_PROLOG_PIECES = [
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"<?xml version='1.0'?>",
    b'<?xml version="1.0" encoding="GBK"?>', b"\r\n", b" ", b"<!-- note -->", b"<!-- a -- b -->", b"<!---->",
    b"<?mso-application progid?>", b"<?XML x?>", b"<!DOCTYPE r>", b'<!DOCTYPE r [<!ENTITY e "x">]>',
    b"<!DOCTYPE", b"\xef\xbb\xbf", b"<!-- <!DOCTYPE r> -->", b"<?pi <!DOCTYPE r> ?>", b"x", b"<",
]


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.sampled_from(_PROLOG_PIECES), max_size=6), st.sampled_from([b"<r/>", b"<_r>", b"<\xe8\xa1\xa8/>", b""]))
def test_a_part_the_quick_look_passes_has_no_dtd_for_defusedxml(pieces: list[bytes], root: bytes) -> None:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    head = b"".join(pieces) + root
    if not readers._plain_prolog(head):
        return  # defusedxml decides, as before
    try:
        for _event, _elem in iterparse(io.BytesIO(head), events=("start",), forbid_dtd=True):
            break
    except DefusedXmlException:  # pragma: no cover - the failure this test is for
        pytest.fail(f"the quick look passed a DTD: {head!r}")
    except Exception:  # noqa: BLE001 - a broken prolog: no DTD reached either
        pass


def test_the_quick_look_leaves_doctypes_and_other_encodings_to_defusedxml() -> None:
    for head in (b'<?xml version="1.0"?><!DOCTYPE r><r/>', b'<?xml version="1.0" encoding="GBK"?><r/>',
                 b" <?xml version='1.0'?><r/>", b"\xff\xfe<\x00r\x00/\x00>\x00", b"<!-- " + b"x" * 20000):
        assert not readers._plain_prolog(head)
    assert readers._plain_prolog(b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- c --><r/>')


def test_a_dtd_after_a_long_comment_is_still_refused(tmp_path: Path) -> None:
    """The part's root lies beyond iterparse's first read: defusedxml parses it as before."""
    source = SAMPLES / "rencheng_2023.xlsx"
    with zipfile.ZipFile(source) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    body = parts["xl/workbook.xml"]
    body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
    parts["xl/workbook.xml"] = (b'<?xml version="1.0"?><!--' + b" " * 40000 + b'--><!DOCTYPE r [<!ENTITY e "x">]>'
                                + body)
    target = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    with pytest.raises(FileReadError) as caught:
        read_workbook(target)
    assert caught.value.message == readers.fail(target, readers.MSG_UNSAFE).message
