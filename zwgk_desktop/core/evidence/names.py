"""Names for files: as a clerk's file name is recorded, as a file is written out
(exports, viewer copies, pasted screenshots, fill-in workbooks), and as sizes and
tasks are shown next to them.

Every name written to disk goes through :func:`safe_filename`, so a name that works
on the clerk's Linux desktop also opens on a colleague's Windows PC, and no invisible
direction control can make 报告.exe read as 报告.docx.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

__all__ = ["clean_name", "format_size", "safe_file_part", "safe_filename", "stored_ext", "task_label",
           "unique_name"]

_EXT_RE = re.compile(r"^\.[a-z0-9]{1,10}$")
_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
#: Direction controls: embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069 and
#: the marks U+200E, U+200F, U+061C. Invisible, and in a name they reorder what is shown:
#: "报告\u202excod.exe" reads as "报告exe.docx".
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_MAX_BYTES = 200  # well under the 255 bytes ext4 allows, leaving room for "(2)" and a folder


def clean_name(name: str) -> str:
    """A file name as it is recorded and shown: NFC, no direction controls (bidi
    overrides), line breaks and tabs as one space, no other control characters
    (ESC would drive a terminal), no outer white space. May return ""."""
    text = unicodedata.normalize("NFC", name or "")
    text = _BIDI_CONTROLS.sub("", text)
    text = _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text).strip()


def _without_format_characters(text: str) -> str:
    """Direction controls and the other invisible format characters (zero-width space,
    soft hyphen…): in a file name they only hide what the name really says."""
    text = _BIDI_CONTROLS.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def safe_filename(name: str, max_chars: int = 80, fallback: str = "未命名", *,
                  keep_extension: bool = True) -> str:
    """A name every system accepts, Windows Explorer included: invisible format
    characters go, characters Windows refuses (tabs and line breaks too) become ``_``,
    runs of white space become one space, trailing dots and spaces go, reserved device names (CON, NUL, COM1…) get
    a ``_`` in front, and long names are shortened to ``max_chars`` characters (and 200
    UTF-8 bytes), keeping the extension unless ``keep_extension`` is False (a part of a
    name, such as a unit's, whose dots are not an extension)."""
    text = unicodedata.normalize("NFC", name or "")
    text = _without_format_characters(text)
    text = _WINDOWS_BAD.sub("_", text).strip().rstrip(". ")
    text = " ".join(text.split())
    if not text or set(text) <= {"_", "."}:
        text = fallback
    stem, dot, ext = text.rpartition(".")
    if not keep_extension or not dot or not stem or len(ext) > 10 or " " in ext:
        stem, ext = text, ""
    else:
        ext = "." + ext
    if stem.split(".")[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    stem = stem[:max(1, max_chars - len(ext))]
    while len((stem + ext).encode("utf-8")) > _MAX_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(". ") or fallback
    return stem + ext


def safe_file_part(name: str, limit: int = 60) -> str:
    """A unit's or a plan's name as part of a file name (区发改局-2023年第三季度填报表.xlsx):
    :func:`safe_filename` with no extension of its own, a name written over two lines
    of a cell read as one line."""
    return safe_filename(" ".join((name or "").split()), limit, "未命名单位", keep_extension=False)


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name(2).ext``, ``name(3).ext``… if a name equal to it ignoring case
    (Windows compares that way) is taken. Adds the result to ``taken`` (case-folded)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    else:
        ext = "." + ext
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}({n}){ext}"
    taken.add(candidate.casefold())
    return candidate


def stored_ext(name: str) -> str:
    """The extension a stored file keeps (lower-cased; none if it looks odd), so a
    system viewer handed the store's file still knows what it is."""
    ext = Path(name).suffix.lower()
    return ext if _EXT_RE.match(ext) else ""


def format_size(size: int | None) -> str:
    """A size as the clerk reads it: 512 字节, 1.5 MB."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} 字节"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


def task_label(title: str | None, requirement: str, limit: int = 20) -> str:
    """任务简称: the title, else the start of the requirement."""
    text = " ".join((title or "").split()) or " ".join(requirement.split())
    return text if len(text) <= limit else text[:limit]
