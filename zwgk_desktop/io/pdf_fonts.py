"""Chinese fonts for the PDF report: find them, register them with reportlab, and make
sure no character is printed as an empty box (tofu).

Where fonts come from, in order (the first that has a face for a role wins):

1. Windows' own fonts (``%WINDIR%\\Fonts`` and the per-user font folder): simfang.ttf
   (仿宋), simsun.ttc (宋体), simhei.ttf (黑体), simkai.ttf (楷体), and 方正小标宋 if the
   office installed it. They are used at run time, never shipped.
2. Fonts fontconfig knows (``fc-list``), as on UOS, Kylin and other Linux desktops;
   only TrueType (glyf) outlines: reportlab refuses CFF/OpenType fonts such as Noto CJK.
3. The free font shipped in ``resources/fonts/`` (文泉驿微米黑), with its licence.

Roles: ``title`` 小标宋/宋体, ``body`` 仿宋, ``heading`` 黑体, ``kai`` 楷体. A role with
no face of its own borrows the nearest one (body falls back to 宋体, then any font).

Every text goes through :meth:`FontSet.markup`: characters the role's font lacks are
set in another loaded font that has them (per character); a character no font has is
recorded in :attr:`FontSet.missing` (so the caller can tell the clerk) and printed as
its code (``〔U+20BB7〕``), never as a blank box. reportlab embeds each TrueType font
as a subset, so ``pdffonts`` shows ``emb yes`` and text extraction gives the Chinese back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from ..core.errors import UserError
from ..resources import resources_dir

__all__ = ["FontFile", "FontSet", "ROLES", "bundled_font", "discover_fonts", "load_font_set"]

ROLES = ("title", "body", "heading", "kai")
ROLE_NAMES = {"title": "标题(小标宋/宋体)", "body": "正文(仿宋)", "heading": "标题(黑体)", "kai": "楷体"}

# Windows file names per role, best first (all TrueType; .ttc collections use face 0).
WINDOWS_FILES: dict[str, tuple[str, ...]] = {
    "title": ("FZXBSJW.TTF", "方正小标宋简体.ttf", "simsun.ttc", "simsun.ttf", "STSONG.TTF"),
    "body": ("simfang.ttf", "FZFSJW.TTF", "STFANGSO.TTF", "simsun.ttc", "simsun.ttf"),
    "heading": ("simhei.ttf", "FZHTJW.TTF", "STHeiti.ttf", "msyh.ttc", "msyh.ttf"),
    "kai": ("simkai.ttf", "STKAITI.TTF", "FZKTJW.TTF"),
}
# Extra Windows fonts kept as per-character fallbacks (SimSun-ExtB has CJK Ext. B).
WINDOWS_FALLBACKS = ("simsunb.ttf", "msyh.ttc", "msyh.ttf", "mingliub.ttc", "simsun.ttc", "simhei.ttf")

# Words in a fontconfig family name that say which role a face can take, best first.
FAMILY_WORDS: dict[str, tuple[str, ...]] = {
    "title": ("小标宋", "xiaobiaosong", "宋体", "simsun", "songti", "song", "明体", "uming", "ming"),
    "body": ("仿宋", "fangsong", "fang song", "fangsong_gb2312", "宋体", "simsun", "song", "uming", "ming"),
    "heading": ("黑体", "simhei", "heiti", "zen hei", "micro hei", "yahei", "雅黑", "hei", "sans"),
    "kai": ("楷体", "kaiti", "wenkai", "ukai", "kai"),
}

BUNDLED_FILE = "wqy-microhei.ttc"
MISSING_MARK = "\u3014U+{:04X}\u3015"  # 〔U+20BB7〕 stands where a character has no glyph

_lock = threading.Lock()  # reportlab's font registry is a global dict


@dataclass(frozen=True, slots=True)
class FontFile:
    """One face in a font file: ``index`` selects the face inside a .ttc collection."""

    path: Path
    index: int = 0
    family: str = ""
    source: str = ""  # windows | fontconfig | bundled | given

    @property
    def key(self) -> tuple[str, int]:
        return (str(self.path), self.index)


def bundled_font() -> FontFile:
    return FontFile(resources_dir() / "fonts" / BUNDLED_FILE, 0, "WenQuanYi Micro Hei", "bundled")


def _windows_font_dirs() -> list[Path]:
    dirs = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    elif sys.platform == "win32":
        dirs.append(Path("C:/Windows/Fonts"))
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return [d for d in dirs if d.is_dir()]


def _find_in(dirs: Sequence[Path], name: str) -> Path | None:
    for folder in dirs:
        candidate = folder / name
        if candidate.is_file():
            return candidate
        lowered = name.lower()
        try:  # file names on a case-sensitive disk (a Windows font folder copied to Linux)
            for entry in folder.iterdir():
                if entry.name.lower() == lowered and entry.is_file():
                    return entry
        except OSError:
            continue
    return None


def _fontconfig_faces(query: str = ":lang=zh") -> list[FontFile]:
    """TrueType faces fontconfig lists for a query; [] when there is no fc-list."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        out = subprocess.run([fc_list, "-f", "%{file}\t%{index}\t%{family}\t%{fontformat}\n", query],
                             capture_output=True, text=True, encoding="utf-8", errors="replace",
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or parts[3].strip() != "TrueType":
            continue
        path, index, family = parts[0], parts[1], parts[2]
        if not path.lower().endswith((".ttf", ".ttc")):
            continue
        try:
            faces.append(FontFile(Path(path), int(index or 0), family, "fontconfig"))
        except ValueError:
            continue
    faces.sort(key=lambda f: (str(f.path), f.index))
    return faces


def _rank(face: FontFile, words: tuple[str, ...]) -> int | None:
    names = face.family.lower()
    for rank, word in enumerate(words):
        if word in names:
            return rank
    return None


def discover_fonts(*, windows_dirs: Sequence[Path] | None = None, use_fontconfig: bool = True,
                   bundled: bool = True) -> tuple[dict[str, list[FontFile]], list[FontFile]]:
    """Candidate faces per role, best first, and extra faces for per-character fallback.
    Nothing is loaded here (loading a 20 MB simsun.ttc costs time): see load_font_set."""
    dirs = list(_windows_font_dirs() if windows_dirs is None else windows_dirs)
    by_role: dict[str, list[FontFile]] = {role: [] for role in ROLES}
    extras: list[FontFile] = []
    for role in ROLES:
        for name in WINDOWS_FILES[role]:
            found = _find_in(dirs, name)
            if found:
                by_role[role].append(FontFile(found, 0, name, "windows"))
    for name in WINDOWS_FALLBACKS:
        found = _find_in(dirs, name)
        if found:
            extras.append(FontFile(found, 0, name, "windows"))
    if use_fontconfig:
        faces = _fontconfig_faces()
        for role in ROLES:
            ranked = sorted(((r, f) for f in faces if (r := _rank(f, FAMILY_WORDS[role])) is not None),
                            key=lambda item: (item[0], str(item[1].path), item[1].index))
            by_role[role].extend(f for _, f in ranked)
        extras.extend(faces)
    if bundled:
        extras.append(bundled_font())
    return by_role, extras


def _registered_name(face: FontFile) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in face.path.stem)[:40]
    return f"zwgk-{stem}-{face.index}"


@dataclass(slots=True)
class _Loaded:
    name: str
    face: FontFile
    chars: frozenset[str]


_cache: dict[tuple[str, int], _Loaded | None] = {}


def _load(face: FontFile) -> _Loaded | None:
    """Register a face with reportlab (once per process); None if it cannot be used
    (CFF outlines, a damaged file, a face index that is not there)."""
    with _lock:
        if face.key in _cache:
            return _cache[face.key]
        loaded = None
        try:
            if face.path.is_file():
                name = _registered_name(face)
                font = TTFont(name, str(face.path), subfontIndex=face.index)
                pdfmetrics.registerFont(font)
                chars = frozenset(chr(code) for code in font.face.charToGlyph if code > 0x1F)
                loaded = _Loaded(name, face, chars)
        except (TTFError, OSError, ValueError, KeyError, IndexError, AssertionError):
            loaded = None
        _cache[face.key] = loaded
        return loaded


@dataclass(slots=True)
class FontSet:
    """The faces a report is set in, and what could not be printed."""

    roles: dict[str, str]  # role -> registered font name
    faces: dict[str, FontFile]  # registered name -> face
    order: list[str]  # every loaded font, role fonts first: the fallback chain
    chars: dict[str, frozenset[str]]
    pool: list[FontFile] = field(default_factory=list)  # not loaded yet: tried when a char is missing
    fontconfig_fallback: bool = True
    missing: dict[str, set[str]] = field(default_factory=dict)  # char -> where it occurred
    _extra_tried: set[str] = field(default_factory=set)

    def font(self, role: str) -> str:
        return self.roles[role]

    def describe(self) -> dict[str, str]:
        """role -> "family (file)", for messages and the benchmark notes."""
        return {ROLE_NAMES[role]: f"{self.faces[name].family} ({self.faces[name].path.name})"
                for role, name in self.roles.items()}

    def has(self, font: str, ch: str) -> bool:
        return ch in self.chars[font]

    def missing_chars(self, text: str, role: str = "body") -> list[str]:
        """Characters of ``text`` the role's font lacks (before any fallback)."""
        own = self.chars[self.roles[role]]
        return sorted(ch for ch in set(text) if ch not in own and not ch.isspace())

    def _adopt(self, face: FontFile) -> str | None:
        loaded = _load(face)
        if loaded is None:
            return None
        if loaded.name not in self.chars:
            self.chars[loaded.name] = loaded.chars
            self.faces[loaded.name] = loaded.face
            self.order.append(loaded.name)
        return loaded.name

    def _fallback_for(self, ch: str) -> str | None:
        for name in self.order:
            if ch in self.chars[name]:
                return name
        while self.pool:  # load the other faces only when a character needs them
            name = self._adopt(self.pool.pop(0))
            if name and ch in self.chars[name]:
                return name
        if self.fontconfig_fallback and ch not in self._extra_tried:
            self._extra_tried.add(ch)
            for face in _fontconfig_faces(f":charset={ord(ch):x}")[:5]:
                name = self._adopt(face)
                if name and ch in self.chars[name]:
                    return name
        return None

    def runs(self, text: str, role: str = "body", where: str = "") -> list[tuple[str, str]]:
        """``text`` cut into (font name, piece) runs: the role's font where it has the
        characters, a fallback font per character where it does not; a character no
        font has is recorded in ``missing`` and replaced by its code (in the role's font)."""
        if not text:
            return []
        font = self.roles[role]
        own = self.chars[font]
        lacking = set(text).difference(own, "\n\r\t")  # set operations: no Python loop per character
        if not lacking:
            return [(font, text)]
        runs: list[tuple[str, str]] = []
        run: list[str] = []
        run_font = font
        for ch in text:
            target = font
            if ch in lacking:
                target = self._fallback_for(ch) or ""
                if not target:
                    self.missing.setdefault(ch, set()).add(where)
                    if run_font != font and run:
                        runs.append((run_font, "".join(run)))
                        run.clear()
                    run_font = font
                    run.append(MISSING_MARK.format(ord(ch)))
                    continue
            if target != run_font:
                if run:
                    runs.append((run_font, "".join(run)))
                    run.clear()
                run_font = target
            run.append(ch)
        if run:
            runs.append((run_font, "".join(run)))
        return runs

    def markup(self, text: str, role: str = "body", where: str = "") -> str:
        """``text`` as reportlab Paragraph markup in the role's font: XML-escaped, line
        breaks kept, characters the font lacks set in a fallback font, characters no
        font has recorded in ``missing`` and printed as their code."""
        font = self.roles[role]
        return "".join(_escape(piece) if name == font else f'<font face="{name}">{_escape(piece)}</font>'
                       for name, piece in self.runs(text, role, where))

    def plain(self, text: str, font: str, where: str = "") -> str:
        """For drawing with one font only (chart labels): characters that font lacks
        become their code and are recorded as missing."""
        chars = self.chars[font]
        if all(ch in chars or ch.isspace() for ch in text):
            return text
        pieces = []
        for ch in text:
            if ch in chars or ch.isspace():
                pieces.append(ch)
            else:
                self.missing.setdefault(ch, set()).add(where)
                pieces.append(MISSING_MARK.format(ord(ch)))
        return "".join(pieces)

    def missing_report(self, limit: int = 20) -> str:
        """A sentence for the clerk, or "" when every character could be printed."""
        if not self.missing:
            return ""
        items = []
        for ch in sorted(self.missing)[:limit]:
            places = sorted(p for p in self.missing[ch] if p)
            shown = "、".join(places[:5]) + ("等" if len(places) > 5 else "")
            items.append(f"“{ch}”(U+{ord(ch):04X}{',' + shown if shown else ''})")
        more = f"等 {len(self.missing)} 个字符" if len(self.missing) > limit else ""
        return ("以下字符在本机所有可用字体中都没有字形,报告中以〔U+编码〕代替:" + ";".join(items) + more
                + "。可安装含这些字的字体(如 Windows 的 SimSun-ExtB)后重新生成,或修改任务文字。")


def _escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return escape(text).replace("\n", "<br/>")


def load_font_set(*, windows_dirs: Sequence[Path] | None = None, use_fontconfig: bool = True,
                  bundled: bool = True, extra: Iterable[FontFile] = ()) -> FontSet:
    """Pick and register the report's faces. Raises UserError only if not even the
    bundled font can be loaded (a broken installation)."""
    by_role, extras = discover_fonts(windows_dirs=windows_dirs, use_fontconfig=use_fontconfig,
                                     bundled=bundled)
    extra = list(extra)
    roles: dict[str, str] = {}
    faces: dict[str, FontFile] = {}
    chars: dict[str, frozenset[str]] = {}

    def take(face: FontFile) -> str | None:
        loaded = _load(face)
        # A role's face must have Chinese and the digits (Droid Sans Fallback, which comes
        # with LibreOffice on Linux, has no digits: page numbers and the chart lost theirs).
        if loaded is None or not {"\u4e2d", "0", "9", "%"} <= loaded.chars:
            return None
        faces[loaded.name] = loaded.face
        chars[loaded.name] = loaded.chars
        return loaded.name

    for role in ROLES:
        for face in [*extra, *by_role[role]]:
            name = take(face)
            if name:
                roles[role] = name
                break
    pool = [*extra, *extras]
    any_font = next((n for n in (roles.get(r) for r in ("heading", "title", "body", "kai")) if n), None)
    if any_font is None:
        for face in pool:
            any_font = take(face)
            if any_font:
                break
    if any_font is None:
        raise UserError("找不到可用于生成 PDF 的中文字体(程序自带的字体文件也缺失或已损坏)。"
                        "请重新安装本程序,或安装中文 TrueType 字体(如文泉驿微米黑)。")
    fallback_chain = {"title": ("title", "body"), "body": ("body", "title"), "heading": ("heading",),
                      "kai": ("kai", "body", "title")}
    for role in ROLES:
        if role not in roles:
            roles[role] = next((roles[r] for r in fallback_chain[role] if r in roles), any_font)
    order = list(dict.fromkeys(roles.values()))
    loaded_keys = {faces[name].key for name in order}
    rest = [face for face in dict.fromkeys(pool) if face.key not in loaded_keys]
    return FontSet(roles=roles, faces=faces, order=order, chars=chars, pool=rest,
                   fontconfig_fallback=use_fontconfig)
