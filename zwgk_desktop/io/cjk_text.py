"""Chinese line breaking, for reportlab's Paragraphs and for the project's own tables.

reportlab's CJK wrapping keeps the characters of ``ALL_CANNOT_START`` off the start of a
line (it lets one hang into the margin), but its list lacks the full-width ,;:?! and
closing quotes, and it starts the next line with a second closer ("（牵头）、" breaks
before "、"): :func:`patch_line_breaking` adds the characters in both modules that read
the list and replaces its two splitters with versions that move the break back instead.

:class:`TextLayout` breaks text into lines of a given width with the same rules (no
,;:?!、。）》” at a line start, no （《“ at a line end, one closer may hang), using the fonts'
width tables directly: the long tables (io/long_table.py) and the Word report's column
widths are measured with it.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from itertools import accumulate

from reportlab.pdfbase import pdfmetrics

from .pdf_fonts import FontSet

__all__ = ["CANNOT_END_EXTRA", "CANNOT_START_EXTRA", "Line", "Prepared", "Segment", "TextLayout", "patch_line_breaking",
           "running_widths"]

# Full-width punctuation that must not start a line (written as escapes on purpose:
# tools turn the literal characters into ASCII). reportlab already has 、。）」』】〕.
CANNOT_START_EXTRA = (
    "\uff0c"  # ，
    "\uff1b"  # ；
    "\uff1a"  # ：
    "\uff1f"  # ？
    "\uff01"  # ！
    "\uff0e"  # ．
    "\u300b"  # 》
    "\u3009"  # 〉
    "\u201d"  # ”
    "\u2019"  # ’
    "\u2026"  # …
    "\uff5d"  # ｝
    "\uff3d"  # ］
    "\u3017"  # 〗
    "\u3011"  # 】
)
# Opening brackets and quotes that must not end a line (reportlab's own list has most).
CANNOT_END_EXTRA = "\uff08\u300a\u201c\u2018\u3008\u3010\u3014\u3016\u300c\u300e"
_patch_lock = threading.Lock()


def patch_line_breaking() -> None:
    """Teach reportlab's CJK wrapping the Chinese line-start rules (idempotent).

    * The full-width closers join ``ALL_CANNOT_START``, in both modules that read it
      (``reportlab.platypus.paragraph`` imported the string by name).
    * reportlab lets one closer hang into the margin but then starts the next line with
      a second one ("（牵头）、" breaks before "、"); and it ends lines with an opening
      bracket. Its splitter is replaced by :func:`_cjk_frag_split`, which moves the break
      back instead. Only when that reportlab's helpers are where we expect them.
    """
    import reportlab.lib.textsplit as textsplit
    import reportlab.platypus.paragraph as paragraph

    with _patch_lock:
        current = textsplit.ALL_CANNOT_START
        extra = "".join(ch for ch in CANNOT_START_EXTRA if ch not in current)
        if extra:
            textsplit.ALL_CANNOT_START = current + extra
        if paragraph.ALL_CANNOT_START != textsplit.ALL_CANNOT_START:
            paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START
        if paragraph.cjkFragSplit is not _cjk_frag_split and all(
                hasattr(paragraph, name) for name in ("cjkU", "makeCJKParaLine", "ParaLines", "_FUZZ")):
            paragraph.cjkFragSplit = _cjk_frag_split
        # A paragraph of one run of text takes another road: wordSplit -> dumbSplit.
        if textsplit.dumbSplit is not _dumb_split and hasattr(textsplit, "_FUZZ"):
            textsplit.dumbSplit = _dumb_split


def _kinsoku(chars, i: int, line_start: int, cannot_start: str, cannot_end: str) -> int:
    """Move a line break at ``i`` (the next line's first character) back so the next
    line starts with no closer and this one ends with no opener, keeping at least one
    character on this line."""
    j = i
    n = len(chars)
    while line_start + 1 < j < n and chars[j] and chars[j] in cannot_start:
        j -= 1
    while line_start + 1 < j and chars[j - 1] and chars[j - 1] in cannot_end:
        j -= 1
    return j


def _dumb_split(word, widths, maxWidths):
    """reportlab's ``textsplit.dumbSplit`` (BSD licence, ReportLab Inc.) with the same
    line-start rules as :func:`_cjk_frag_split`."""
    import reportlab.lib.textsplit as T
    from unicodedata import category

    cannot_start = T.ALL_CANNOT_START
    cannot_end = T.ALL_CANNOT_END + CANNOT_END_EXTRA
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    lines = []
    i = widthUsed = lineStartPos = 0
    maxWidth = maxWidths[0]
    nW = len(word)
    while i < nW:
        w = widths[i]
        c = word[i]
        widthUsed += w
        i += 1
        if widthUsed > maxWidth + T._FUZZ and widthUsed > 0:
            extraSpace = maxWidth - widthUsed
            if ord(c) < 0x3000:
                limitCheck = (lineStartPos + i) >> 1
                for j in range(i - 1, limitCheck, -1):
                    cj = word[j]
                    if category(cj) == "Zs" or ord(cj) >= 0x3000:
                        k = j + 1
                        if k < i:
                            j = k + 1
                            extraSpace += sum(widths[j:i])
                            w = widths[k]
                            c = word[k]
                            i = j
                            break
            if c not in cannot_start and i > lineStartPos + 1:
                i -= 1
                extraSpace += w
            j = _kinsoku(word, i, lineStartPos, cannot_start, cannot_end)
            if lineStartPos < j < i:
                extraSpace += sum(widths[j:i])
                i = j
            lines.append([extraSpace, word[lineStartPos:i].strip()])
            try:
                maxWidth = maxWidths[len(lines)]
            except IndexError:
                maxWidth = maxWidths[-1]
            lineStartPos = i
            widthUsed = 0
    if widthUsed > 0:
        lines.append([maxWidth - widthUsed, word[lineStartPos:]])
    return lines


def _cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
    """reportlab's ``cjkFragSplit`` (BSD licence, ReportLab Inc.) with the break
    moved back so that no line starts with a closer or ends with an opener."""
    import reportlab.platypus.paragraph as P
    from unicodedata import category

    cannot_start = P.ALL_CANNOT_START
    cannot_end = P.ALL_CANNOT_END if hasattr(P, "ALL_CANNOT_END") else ""
    cannot_end = cannot_end + CANNOT_END_EXTRA
    U = []
    for f in frags:
        text = f.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            U.extend([P.cjkU(t, f, encoding) for t in text])
        else:
            U.append(P.cjkU(text, f, encoding))
    lines = []
    i = widthUsed = lineStartPos = 0
    maxWidth = maxWidths[0]
    nU = len(U)
    while i < nU:
        u = U[i]
        i += 1
        w = u.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = maxWidth
            w = w.normalizedValue(maxWidth)
        widthUsed += w
        lineBreak = hasattr(u.frag, "lineBreak")
        endLine = (widthUsed > maxWidth + P._FUZZ and widthUsed > 0) or lineBreak
        if endLine:
            extraSpace = maxWidth - widthUsed
            if not lineBreak:
                if ord(u) < 0x3000 if u else False:
                    # inside a run of Latin text: go back to a space or a CJK character
                    limitCheck = (lineStartPos + i) >> 1
                    for j in range(i - 1, limitCheck, -1):
                        uj = U[j]
                        if uj and category(uj) == "Zs" or (uj and ord(uj) >= 0x3000):
                            k = j + 1
                            if k < i:
                                j = k + 1
                                extraSpace += sum(U[ii].width for ii in range(j, i))
                                w = U[k].width
                                u = U[k]
                                i = j
                                break
                if not (u and u in cannot_start) and i > lineStartPos + 1:
                    i -= 1  # push the character to the next line
                    extraSpace += w
                # i is where the next line starts: never with a closer (one closer may
                # hang, as above), never after an opener.
                j = _kinsoku(U, i, lineStartPos, cannot_start, cannot_end)
                if lineStartPos < j < i:
                    moved = sum(U[k].width for k in range(j, i))
                    extraSpace += moved
                    widthUsed -= moved
                    i = j
                if i < nU and hasattr(U[i].frag, "lineBreak"):
                    i += 1  # the line was full anyway: its <br/> must not make an empty line
                    lineBreak = True
            lines.append(P.makeCJKParaLine(U[lineStartPos:i], maxWidth, widthUsed, extraSpace, lineBreak,
                                           calcBounds))
            try:
                maxWidth = maxWidths[len(lines)]
            except IndexError:
                maxWidth = maxWidths[-1]
            lineStartPos = i
            widthUsed = 0
    if widthUsed > 0:
        lines.append(P.makeCJKParaLine(U[lineStartPos:], maxWidth, widthUsed, maxWidth - widthUsed, False,
                                       calcBounds))
    return P.ParaLines(kind=1, lines=lines)


Segment = tuple[str, str]  # (text, font role)
Line = tuple[float, list[tuple[str, str]]]  # (width, [(font name, text)])
Prepared = tuple[list[str], list[str], list[float]]  # characters, their fonts, their widths


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def running_widths(prepared: Prepared) -> list[float]:
    """``[0, w0, w0 + w1, …]``: the width of the first k characters at index k."""
    return [0.0, *accumulate(prepared[2])]


class _Widths(dict):
    def __init__(self, default: float) -> None:
        super().__init__()
        self.default = default

    def __missing__(self, ch: str) -> float:
        return self.default


class TextLayout:
    """Breaks text into lines of a given width, Chinese rules included."""

    def __init__(self, fonts: FontSet, size: float) -> None:
        self.fonts = fonts
        self.size = size
        self._metrics: dict[str, _Widths] = {}
        import reportlab.lib.textsplit as textsplit

        patch_line_breaking()
        self.cannot_start = frozenset(textsplit.ALL_CANNOT_START)
        self.cannot_end = frozenset(textsplit.ALL_CANNOT_END + CANNOT_END_EXTRA)

    def _widths(self, font: str) -> "_Widths":
        """Character -> width at this size (a dict: ``map`` over a string stays in C)."""
        table = self._metrics.get(font)
        if table is None:
            face = pdfmetrics.getFont(font).face
            scale = self.size / 1000.0
            table = self._metrics[font] = _Widths(face.defaultWidth * scale)
            table.update((chr(code), w * scale) for code, w in face.charWidths.items())
        return table

    def prepare(self, segments: list[Segment], where: str = "", inline: bool = False) -> Prepared:
        """The characters of ``segments`` (one per line, in order; ``inline``: run on in
        one paragraph) with the font and width of each: measured once, broken at any
        width with :meth:`break_prepared`."""
        chars: list[str] = []
        fonts: list[str] = []
        widths: list[float] = []
        for number, (text, role) in enumerate(segments):
            if number and chars and not inline:
                chars.append("\n")
                fonts.append("")
                widths.append(0.0)
            for font, piece in self.fonts.runs(text.replace("\r\n", "\n").replace("\r", "\n")
                                               .replace("\t", " "), role, where):
                chars.extend(piece)
                fonts.extend([font] * len(piece))
                widths.extend(map(self._widths(font).__getitem__, piece))
        return chars, fonts, widths

    @staticmethod
    def paragraph_widths(prepared: Prepared) -> list[float]:
        """The width of each hard line (between line breaks) laid end to end: how wide
        the text would be on one line; for estimating line counts at any width."""
        chars, _, widths = prepared
        result: list[float] = []
        used = 0.0
        for ch, w in zip(chars, widths):
            if ch == "\n":
                result.append(used)
                used = 0.0
            else:
                used += w
        if chars:
            result.append(used)
        return result

    def break_prepared(self, prepared: Prepared, width: float) -> list[Line]:
        return self._break(*prepared, width)

    def lines(self, segments: list[Segment], width: float, where: str = "") -> list[Line]:
        return self._break(*self.prepare(segments, where), width)

    def count_lines(self, prepared: Prepared, width: float, cum: list[float] | None = None) -> int:
        """How many lines :meth:`break_prepared` makes, without building them: the
        column fit (long_table.fit_widths) counts lines at many trial widths, and passes
        each text's running widths (:func:`running_widths`) so they are summed once."""
        chars, _, widths = prepared
        if not chars:
            return 0
        return len(self._spans(chars, widths, cum or running_widths(prepared), width))

    def _break(self, chars: list[str], fonts: list[str], widths: list[float], width: float) -> list[Line]:
        """Lines of at most ``width`` (:meth:`_spans`), each with its width and font runs."""
        cum = [0.0, *accumulate(widths)]  # cum[k]: the width of chars[:k]
        spans = self._spans(chars, widths, cum, width)
        one_font = len(set(fonts) - {""}) <= 1
        result: list[Line] = []
        for a, b in spans:
            while b > a and chars[b - 1] == " ":
                b -= 1
            if one_font:
                result.append((cum[b] - cum[a], [(fonts[a], "".join(chars[a:b]))] if b > a else []))
                continue
            runs: list[tuple[str, str]] = []
            j = a
            while j < b:
                font = fonts[j]
                k = j + 1
                while k < b and fonts[k] == font:
                    k += 1
                runs.append((font, "".join(chars[j:k])))
                j = k
            result.append((cum[b] - cum[a], runs))
        return result

    def _spans(self, chars: list[str], widths: list[float], cum: list[float], width: float) -> list[tuple[int, int]]:
        """Where the lines of at most ``width`` start and end: each line's end is found by
        bisecting the running widths ``cum`` (not character by character), then moved by
        the rules: one closer may hang, a Latin word goes whole to the next line (unless
        it is longer than half the line), no line starts with a closer or ends with an
        opener."""
        n = len(chars)
        spans: list[tuple[int, int]] = []
        cannot_start, cannot_end = self.cannot_start, self.cannot_end
        newlines: list[int] = []
        if "\n" in chars:
            k = -1
            try:
                while True:
                    k = chars.index("\n", k + 1)
                    newlines.append(k)
            except ValueError:
                pass
        limit = width + 0.01
        start = 0
        while start < n:
            nl_index = bisect_left(newlines, start)
            nl = newlines[nl_index] if nl_index < len(newlines) else n
            i = bisect_right(cum, cum[start] + limit, start + 1, nl + 1) - 1  # chars[start:i] fit
            if i >= nl:  # the rest of this hard line fits
                spans.append((start, nl))
                start = nl + 1
                continue
            if i <= start:
                i = start + 1  # one character at least
                if i >= nl:
                    spans.append((start, nl))
                    start = nl + 1
                    continue
            ch = chars[i]
            brk = i
            if ch in cannot_start:
                brk = i + 1  # one closer hangs into the padding
            elif _is_word_char(ch) and _is_word_char(chars[i - 1]):
                k, half = i - 1, (start + i) // 2  # inside a Latin word: go back to its start
                while k > half and _is_word_char(chars[k - 1]):
                    k -= 1
                if k > half:
                    brk = k
            while start + 1 < brk < n and chars[brk] in cannot_start:
                brk -= 1
            while start + 1 < brk and chars[brk - 1] in cannot_end:
                brk -= 1
            spans.append((start, brk))
            start = brk
            while start < n and chars[start] == " ":
                start += 1
            if start < n and chars[start] == "\n":  # the line was full anyway: no empty line
                start += 1
        if not spans:
            spans.append((0, n))
        return spans

