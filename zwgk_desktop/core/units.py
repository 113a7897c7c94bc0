"""Split and normalise the 责任单位 (responsible units) cell of a task table.

A cell such as ``"各县区政府(管委会)\\n市民政局、市商务局等部门(单位)"`` becomes
``["各县区政府(管委会)", "市民政局", "市商务局等部门(单位)"]``; :func:`assign_roles`
then marks the first unit 牵头 (lead) and the rest 配合 (cooperate), unless the cell
labels roles itself ("牵头单位:…;配合单位:…", "区发改局(牵头)", "区发改局牵头,…配合").

Choices worth knowing (the tests pin each of them):

* Separators are 、 , ; / (half- or full-width), every line break, and runs of two or
  more spaces (a single space is typing noise inside a name: "区 发改局" is one unit).
  A separator inside brackets — () 【】 [] 〔〕 《》 “”, half- or full-width, nested or
  not — never splits: "各县(市、区)政府办公室" is one unit.
* An opening bracket that is never closed does not swallow the rest of the cell: the
  cell is cut again with that bracket treated as an ordinary character, so one typo
  cannot merge a whole list into one "unit". A stray closing bracket is ignored.
* "和" and "及" never split: "市文化和旅游局" is one unit, kept exactly as printed.
  "等" splits only "A等B" where B names a group (:func:`is_group_name`): the notice
  names one unit and then "the others" as a group, so "区发改局等区政府有关部门单位" is
  区发改局 (leading if it comes first) and the group 区政府有关部门单位, which the unit
  directory gives members. "市商务局等部门(单位)" stays whole: "部门(单位)" on its own
  names nobody, and the cell is printed that way across a whole table.
* A bracket group — () [] 【】 〔〕, not quotes or 《》, which start names — that
  starts a piece ("(管委会)" on a line of its own, the cell having wrapped) belongs to
  the unit before it; with no unit before it, a piece that is only such a group is
  unwrapped. Numbering such as "(1)" and role markers such as "【牵头】区发改局" are
  not moved.
* Pieces that say nothing are dropped: empty ones, "无"/"暂无", bare punctuation such
  as "—" or "/", bare numbers (the "一" of "一、区发改局"), and notes such as
  "(排名第一的为牵头单位)".
* Roles: an explicit marker on a unit wins ("(牵头)", "区发改局牵头"); a bare trailing
  "牵头"/"配合" also covers the units listed before it with 、 or / in the same clause
  ("区工信局、区财政局配合"); a label ("配合单位:") covers every unit after it until the
  next label. Of the units left over, the first leads if no unit is marked lead, and
  the rest cooperate — so an unmarked cell reads "first listed leads".
* Duplicates are dropped by :func:`unit_key`, first occurrence (and its role) wins.

Stdlib only and no Qt: this runs for every row of a 20,000-row import, so the regexes
are compiled once and cells are cut in one regex-driven pass, with results cached
(per cell, per piece of a plain cell, and the refs of a cell, which are frozen and
shared by every task that prints the same cell).

Why one module of ~600 lines: it is one grammar, the 责任单位 cell's. The cutter, the
role reader, the name normaliser and the group names share the bracket and separator
tables and the caches above, and every entry point (``assign_roles``,
``split_units``, ``unit_key``, ``is_group_name``, ``split_with_directory``) runs
through most of them; split by job, each part would import all the others and the
rules above would be spread over files that must change together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .patterns import lazy_compile

__all__ = [
    "Role", "UnitRef", "assign_roles", "is_group_name", "normalise_unit_name", "known_keys", "split_units",
    "split_with_directory", "unit_key",
]


class Role(StrEnum):
    """How a unit takes part in a task."""

    LEAD = "lead"  # 牵头
    COOPERATE = "cooperate"  # 配合


@dataclass(frozen=True, slots=True)
class UnitRef:
    """One responsible unit of a task, as printed (normalised) plus its role."""

    name: str
    role: Role


# --- brackets -------------------------------------------------------------------------
# Full-width forms are written as escapes: they look like ASCII in most editors.

_OPEN_TO_CLOSE = {
    "(": ")",
    "\uff08": "\uff09",  # full-width ( )
    "\u3010": "\u3011",  # 【 】
    "[": "]",
    "\uff3b": "\uff3d",  # full-width [ ]
    "\u3014": "\u3015",  # 〔 〕
    "\u300a": "\u300b",  # 《 》
    "\u201c": "\u201d",  # “ ”
}
_CLOSERS = frozenset(_OPEN_TO_CLOSE.values())
_CLOSE_TO_OPEN = {close: open_ for open_, close in _OPEN_TO_CLOSE.items()}
# Groups that may trail a unit name and so move back onto it when a line wraps.
# Quotes and 《》 start names ("《临沂日报》社"), so they never move.
_ATTACHABLE_OPENERS = frozenset("(\uff08[\uff3b\u3010\u3014")

# --- cutting a cell --------------------------------------------------------------------

_SEPARATORS = (
    "\u3001,\uff0c;\uff1b/\uff0f"  # 、 , , ; ; / /
    "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # every line break str.splitlines knows
)
_SPACES = " \t\xa0\u3000"
_BRACKETS = "".join(_OPEN_TO_CLOSE) + "".join(_CLOSERS)
# Everything the cutter has to look at: separators, runs of spaces and brackets.
_TOKEN_RE = lazy_compile(
    f"[{re.escape(_SEPARATORS)}]|[{_SPACES}]{{2,}}|[{re.escape(_BRACKETS)}]"
)
# Separators that list units inside one clause; the others end the clause, which
# bounds how far back a bare "…配合" reaches.
_SOFT_SEPARATORS = frozenset("\u3001/\uff0f")

# --- normalising a name ----------------------------------------------------------------

_FULLWIDTH_PARENS = str.maketrans({"\uff08": "(", "\uff09": ")"})
_INVISIBLE_RE = lazy_compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
# 。 . . , , 、 ; ; : : ! ! ? ? · • ・ - - — – ― ~ ~ * # … / / \
_PUNCT = re.escape(
    "\u3002.\uff0e,\uff0c\u3001;\uff1b:\uff1a!\uff01?\uff1f\u00b7\u2022\u30fb"
    "-\uff0d\u2014\u2013\u2015~\uff5e*#\u2026/\uff0f\\"
)
_OPENERS = re.escape("".join(_OPEN_TO_CLOSE))
_CLOSERS_CLASS = re.escape("".join(_CLOSERS))
_DIGITS = r"0-9\uff10-\uff19"
_NUMERALS = "一二三四五六七八九十"
_NUMBERING = (
    rf"[{_DIGITS}]+[.\uff0e\u3001,\uff0c)\uff09:\uff1a]"  # 1.  1、  1)
    rf"|\([{_DIGITS}{_NUMERALS}]+\)"  # (1)  (一)
    r"|[\u2460-\u2473\u2474-\u2487\u2488-\u249b\u3220-\u3229]"  # ① ⑴ ⒈ ㈠
    rf"|[{_NUMERALS}]+[.\uff0e\u3001]"  # 一.
)
# Leading punctuation, stray closers and numbering; trailing punctuation and openers.
_EDGE_RE = lazy_compile(rf"^(?:[{_PUNCT}{_CLOSERS_CLASS}]|{_NUMBERING})+|[{_PUNCT}{_OPENERS}]+$")
_NUMBERING_RE = lazy_compile(_NUMBERING)
_NUMBERING_GROUP_RE = lazy_compile(rf"\([{_DIGITS}{_NUMERALS}]+\)")
_NUMBER_ONLY_RE = lazy_compile(rf"[{_DIGITS}{_NUMERALS}]+")

# --- roles ------------------------------------------------------------------------------

_LEAD_WORDS = ("牵头", "主责", "主办")
_COOPERATE_WORDS = ("配合", "协办", "协助", "参与")
_ROLE_WORDS = "|".join((*_LEAD_WORDS, *_COOPERATE_WORDS))
_ROLE_OF_WORD = {
    **dict.fromkeys(_LEAD_WORDS, Role.LEAD),
    **dict.fromkeys(_COOPERATE_WORDS, Role.COOPERATE),
}
# Role words sit in () 【】 [] [] once full-width parentheses are half-width.
_MARK_OPEN = r"(\[\uff3b\u3010"
_MARK_CLOSE = r")\]\uff3d\u3011"

# "牵头单位:" / "配合部门:" / "责任单位:" (neutral) anywhere in a piece: a label.
_LABEL_RE = lazy_compile(rf"({_ROLE_WORDS}|责任)(?:单位|部门)?[:\uff1a]")
# A piece that is only a label word, its colon lost or on the next line.
_LABEL_ONLY_RE = lazy_compile(rf"({_ROLE_WORDS}|责任)(?:单位|部门)")
# "(牵头)" / "【配合单位】" on one unit.
_MARKER_RE = lazy_compile(rf"[{_MARK_OPEN}]({_ROLE_WORDS})(?:单位|部门)?[{_MARK_CLOSE}]")
# "(排名第一的为牵头单位)": a note about the list, not part of a name.
_NOTE_RE = lazy_compile(
    rf"[{_MARK_OPEN}][^{_MARK_OPEN}{_MARK_CLOSE}]*牵头[^{_MARK_OPEN}{_MARK_CLOSE}]*[{_MARK_CLOSE}]"
)
# "区发改局牵头" / "由区发改局牵头" / "区财政局配合", and the duty words around them:
# "市发改委牵头落实", "A、B分别牵头落实", "功能区管委会负责落实", "各镇(街)参照落实",
# "各有关单位按职能分工落实". Only at the end of a piece, so a name that contains such a
# word ("区督查落实办公室") keeps it. "分别" gives the role to every unit of the clause,
# which the reach-back below does anyway; the duty words alone name no role.
_SUFFIX_RE = lazy_compile(
    r"由?(?P<name>.*?)(?:分别|共同)?(?P<role>牵头|配合)?"
    r"(?P<duty>(?:负责|参照|按职能分工|按职责分工|按照职责分工|按职责|具体|组织|抓好)?落实|负责)?"
)

_PLACEHOLDERS = frozenset({"无", "暂无"})


@lru_cache(maxsize=8192)
def normalise_unit_name(name: str) -> str:
    """Return ``name`` the way the ledger stores it.

    Full-width parentheses become half-width (the form the samples print), every kind
    of white space goes (cells wrap and clerks pad with U+3000), and what splitting
    leaves at the edges — numbering, punctuation, a bracket with no partner — is
    trimmed. Everything else — 【】, "等部门(单位)", "有关部门单位" — stays as printed,
    because it is what the notice says. Idempotent: trimming repeats until nothing
    changes.
    """
    text = _INVISIBLE_RE.sub("", name.translate(_FULLWIDTH_PARENS))
    while True:
        trimmed = _trim_unpaired(_EDGE_RE.sub("", text))
        if trimmed == text:
            return text
        text = trimmed


def _trim_unpaired(text: str) -> str:
    """Drop a closing bracket at the end (or an opening one at the start) that has no
    partner: "区发改局)" is a typo, "各镇(街道)" is not."""
    if text and text[-1] in _CLOSE_TO_OPEN:
        if text.count(_CLOSE_TO_OPEN[text[-1]]) < text.count(text[-1]):
            text = text[:-1]
    if text and text[0] in _OPEN_TO_CLOSE:
        if text.count(_OPEN_TO_CLOSE[text[0]]) < text.count(text[0]):
            text = text[1:]
    return text


@lru_cache(maxsize=8192)
def unit_key(name: str) -> str:
    """Key for matching unit names: what a clerk types should find what was imported.

    On top of :func:`normalise_unit_name` it folds compatibility forms (full-width
    letters and digits) and case, which the stored name keeps as printed.
    """
    folded = unicodedata.normalize("NFKC", normalise_unit_name(name)).casefold()
    return _INVISIBLE_RE.sub("", folded)


def split_units(text: str | None) -> list[str]:
    """Unit names of a 责任单位 cell, in printed order, without duplicates or labels.

    ``None``, an empty cell and placeholders ("无", "—", "/") give ``[]``.
    """
    if not text:
        return []
    return [name for name, _ in _parse_cell(text)]


def assign_roles(lead_text: str | None, cooperate_text: str | None = None) -> list[UnitRef]:
    """Units of a task with their roles.

    ``lead_text`` is the 责任单位 / 牵头单位 cell: its first unit leads and the rest
    cooperate, unless the cell labels roles itself. ``cooperate_text`` is a separate
    配合单位 column, if the table has one: its units always cooperate, whatever they
    are labelled. A unit named in both cells is kept once, with the role it has in
    ``lead_text``, because the lead cell is where the notice names who is responsible.
    """
    if not cooperate_text:  # the common case: one 责任单位 column
        return list(_lead_refs(lead_text)) if lead_text else []
    refs: list[UnitRef] = []
    seen: set[str] = set()
    lead_units = _parse_cell(lead_text) if lead_text else ()
    cooperate_units = _parse_cell(cooperate_text) if cooperate_text else ()
    for name, role in (*lead_units, *((n, Role.COOPERATE) for n, _ in cooperate_units)):
        key = unit_key(name)
        if key not in seen:
            seen.add(key)
            refs.append(UnitRef(name, role))
    return refs


@lru_cache(maxsize=32768)
def _lead_refs(text: str) -> tuple[UnitRef, ...]:
    """:func:`assign_roles` of a cell alone (``_read_cell`` has dropped duplicates);
    the refs are frozen, so one tuple serves every task that prints the same cell.
    The cell's names are not cached as well: this cache answers for the cell."""
    refs = _plain_refs(text)
    if refs is not None:
        return refs
    return tuple(_unit_ref(name, role) for name, role in _parse_structured(text))


@lru_cache(maxsize=8192)
def _unit_ref(name: str, role: Role) -> UnitRef:
    return UnitRef(name, role)


# --- the parser -------------------------------------------------------------------------


@dataclass(slots=True)
class _Piece:
    """One stretch of a cell between separators, while its role is being worked out."""

    text: str
    clause: int  # pieces in the same clause share a number (see _SOFT_SEPARATORS)
    label: Role | None  # from a preceding "牵头单位:" / "配合单位:" label
    role: Role | None = None  # marked on this piece, or reached back from a later one
    name: str = ""


# A cell needs the full parser only if it has role words or labels, numbering or
# runs of spaces; most cells are a plain list of names. Brackets alone do not send a
# cell there: a piece whose brackets close within it ("各镇(街道)") reads the same in
# both (see _plain_piece), which is most bracketed cells of a real table.
_NEEDS_PARSER_RE = lazy_compile(
    f"{_ROLE_WORDS}|责任|落实|负责|[:\uff1a]|[{_SPACES}]{{2,}}"
    rf"|[{_DIGITS}]|[\u2460-\u249b\u3220-\u3229]|[{_NUMERALS}]+[.\uff0e\u3001]"
)
# Every character a match of _NEEDS_PARSER_RE starts with: a cell with none of them
# (most cells) is plain without running that regex, which tries each word at each place.
_MAY_NEED_PARSER_RE = lazy_compile(
    f"[{''.join(sorted({w[0] for w in (*_LEAD_WORDS, *_COOPERATE_WORDS)}))}"
    f"责落负:\uff1a{_SPACES}{_DIGITS}\u2460-\u249b\u3220-\u3229{_NUMERALS}]"
)
_SPLIT_PLAIN_RE = lazy_compile(f"[{re.escape(_SEPARATORS)}]")
_BRACKET_CHARS = frozenset(_BRACKETS)
_NUMERAL_SET = frozenset(_NUMERALS)


def _plain_cell(text: str) -> tuple[tuple[str, Role], ...] | None:
    """The answer for a plain list ("区发改局、区财政局\n各镇(街道)" without roles or
    numbers, each bracket closed in its own piece), or None when the cell needs the
    full parser. An import of 20,000 tasks spends most of its unit time here, so it
    skips the tokenizer."""
    if _MAY_NEED_PARSER_RE.search(text) and _NEEDS_PARSER_RE.search(text):
        return None
    result: list[tuple[str, Role]] = []
    seen: set[str] = set()
    for raw in _SPLIT_PLAIN_RE.split(text):
        parts = _plain_piece(raw)
        if parts is None:
            return None
        for part, key in parts:
            if key not in seen:
                seen.add(key)
                result.append((part, Role.COOPERATE if result else Role.LEAD))
    return tuple(result)


def _plain_refs(text: str) -> tuple[UnitRef, ...] | None:
    """:func:`_plain_cell` as refs, built from each piece's cached refs (most cells of
    a table are distinct, their pieces are not)."""
    if _MAY_NEED_PARSER_RE.search(text) and _NEEDS_PARSER_RE.search(text):
        return None
    result: list[UnitRef] = []
    seen: set[str] = set()
    for raw in _SPLIT_PLAIN_RE.split(text):
        parts = _plain_piece_refs(raw)
        if parts is None:
            return None
        for key, lead, cooperate in parts:
            if key not in seen:
                seen.add(key)
                result.append(cooperate if result else lead)
    return tuple(result)


@lru_cache(maxsize=8192)
def _plain_piece_refs(raw: str) -> tuple[tuple[str, UnitRef, UnitRef], ...] | None:
    """:func:`_plain_piece` with each name's refs: (key, as lead, as cooperating)."""
    parts = _plain_piece(raw)
    if parts is None:
        return None
    return tuple((key, _unit_ref(part, Role.LEAD), _unit_ref(part, Role.COOPERATE)) for part, key in parts)


@lru_cache(maxsize=8192)
def _plain_piece(raw: str) -> tuple[tuple[str, str], ...] | None:
    """The names one piece of a plain cell gives (the unit, or the unit and the group
    after 等) with their keys; () for a piece that names nobody. Pieces repeat across
    a table far more than whole cells do.

    None when the full parser would read the piece otherwise: a bracket that does not
    close within the piece (a separator inside brackets does not cut, "各县(市、区)"),
    a piece that starts with a bracket group (it moves onto the unit before it, or is
    unwrapped) or with numbering such as "(一)"."""
    if not _BRACKET_CHARS.isdisjoint(raw):
        if not _closes_within(raw):
            return None
        compact = _INVISIBLE_RE.sub("", raw.translate(_FULLWIDTH_PARENS))
        first = compact[:1]
        # (The cell has no digits or circled numbers here: numbering starts with a
        # bracket, taken as a group above, or a numeral.)
        if first in _ATTACHABLE_OPENERS or (first in _NUMERAL_SET and _NUMBERING_RE.match(compact)):
            return None
    name = normalise_unit_name(raw)
    if not name or name in _PLACEHOLDERS or _NUMBER_ONLY_RE.fullmatch(name):
        return ()
    return tuple((part, unit_key(part)) for part in _and_the_others(name))


def _closes_within(text: str) -> bool:
    """Every bracket of ``text`` closes, in order, within it (as the cutter pairs them)."""
    expected: list[str] = []
    for char in text:
        if char in _OPEN_TO_CLOSE:
            expected.append(_OPEN_TO_CLOSE[char])
        elif char in _CLOSERS:
            if not expected or expected.pop() != char:
                return False
    return not expected


_OPENERS_SET = frozenset(_OPEN_TO_CLOSE)


@lru_cache(maxsize=8192)
def _and_the_others(name: str) -> tuple[str, ...]:
    """"区发改局等区政府有关部门单位" -> ("区发改局", "区政府有关部门单位"): a unit and
    then the group of the others, at the first 等 outside brackets whose rest names a
    group. Anything else is one name, as printed ("市商务局等部门(单位)")."""
    start = 0
    while (at := name.find("等", start)) != -1:
        start = at + 1
        head, rest = name[:at], name[at + 1:]
        depth = sum(1 for c in head if c in _OPENERS_SET) - sum(1 for c in head if c in _CLOSERS)
        if depth > 0 or len(head) < 2:
            continue
        head, rest = normalise_unit_name(head), normalise_unit_name(rest)
        if head and rest and is_group_name(rest):
            return (head, rest)
    return (name,)


def _read_cell(text: str) -> tuple[tuple[str, Role], ...]:
    """Names and roles of one cell."""
    plain = _plain_cell(text)
    return plain if plain is not None else _parse_structured(text)


#: :func:`_read_cell`, cached because cells repeat a lot within a plan.
_parse_cell = lru_cache(maxsize=32768)(_read_cell)


def _parse_structured(text: str) -> tuple[tuple[str, Role], ...]:
    """The full parser: brackets, role labels and markers, numbering."""
    pieces = _label_pieces(_cut(text))
    _attach_leading_groups(pieces)
    _read_roles(pieces)
    named = [p for p in pieces if p.name]
    # With no unit marked lead, the first unmarked one leads: "区工信局(配合)、区发改局".
    lead_missing = all((p.role or p.label) is not Role.LEAD for p in named)
    result: list[tuple[str, Role]] = []
    seen: set[str] = set()
    for piece in named:
        marked = piece.role or piece.label
        role = marked
        if role is None:
            role = Role.LEAD if lead_missing else Role.COOPERATE
            lead_missing = False
        for index, name in enumerate(_and_the_others(piece.name)):
            # The group after 等 shares a role written on the clause; else it cooperates.
            key = unit_key(name)
            if key not in seen:
                seen.add(key)
                result.append((name, role if index == 0 else marked or Role.COOPERATE))
    return tuple(result)


def _cut(text: str) -> list[tuple[str, int]]:
    """Cut a cell at separators outside brackets: ``[(piece, clause number)]``.

    Opening brackets still open at the end are ignored on a second pass, so an
    unbalanced cell is cut as if the stray bracket were a plain character.
    """
    pieces, unclosed = _cut_once(text, frozenset())
    if unclosed:
        pieces, _ = _cut_once(text, frozenset(unclosed))
    return pieces


def _cut_once(text: str, ignored: frozenset[int]) -> tuple[list[tuple[str, int]], list[int]]:
    """One pass of :func:`_cut`; also returns the positions of openers never closed."""
    pieces: list[tuple[str, int]] = []
    stack: list[tuple[str, int]] = []  # (expected closer, position of opener)
    start = 0
    clause = 0
    for match in _TOKEN_RE.finditer(text):
        token = match.group()
        if token in _OPEN_TO_CLOSE:
            if match.start() not in ignored:
                stack.append((_OPEN_TO_CLOSE[token], match.start()))
        elif token in _CLOSERS:
            # Close the nearest matching opener; mis-nested ones inside it close too.
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == token:
                    del stack[depth:]
                    break
        elif not stack:
            pieces.append((text[start : match.start()], clause))
            if token not in _SOFT_SEPARATORS:
                clause += 1
            start = match.end()
    pieces.append((text[start:], clause))
    return pieces, [position for _, position in stack]


def _label_pieces(cut: list[tuple[str, int]]) -> list[_Piece]:
    """Compact each piece and split off "牵头单位:"-style labels, which carry over.

    A piece that starts with numbering is also split before each later number, for
    cells typed as "(1)区发改局(2)区工信局" with no separator between the items.
    """
    pieces: list[_Piece] = []
    label: Role | None = None
    clause_offset = 0  # labels and numbers start a new clause
    for raw, clause in cut:
        text = _INVISIBLE_RE.sub("", raw.translate(_FULLWIDTH_PARENS))
        for index, item in enumerate(_split_numbered(text)):
            if index:
                clause_offset += 1
            if _LABEL_ONLY_RE.fullmatch(item):
                label = _ROLE_OF_WORD.get(item[:2])
                clause_offset += 1
                continue
            position = 0
            for match in _LABEL_RE.finditer(item):
                if match.start() > position:
                    part = item[position : match.start()]
                    pieces.append(_Piece(part, clause + clause_offset, label))
                label = _ROLE_OF_WORD.get(match.group(1))
                clause_offset += 1
                position = match.end()
            if position < len(item):
                pieces.append(_Piece(item[position:], clause + clause_offset, label))
    return pieces


def _split_numbered(text: str) -> list[str]:
    """``["(1)区发改局", "(2)区工信局"]`` from ``"(1)区发改局(2)区工信局"``.

    Only a piece that itself starts with numbering is split, so a number inside a
    name ("第2中学") is left alone.
    """
    if not _NUMBERING_RE.match(text):
        return [text] if text else []
    starts = [m.start() for m in _NUMBERING_RE.finditer(text)]
    return [text[i:j] for i, j in zip(starts, [*starts[1:], len(text)], strict=True)]


def _attach_leading_groups(pieces: list[_Piece]) -> None:
    """Move a "(管委会)" that starts a piece onto the unit before it.

    Such a piece is the tail of the previous unit, wrapped onto a new line. Numbering
    ("(1)") stays for the normaliser to drop, and a role marker that precedes a name
    ("【牵头】区发改局") stays with that name. With no unit before it, a piece that is
    only a bracket group is unwrapped: "(区发改局)" -> "区发改局".
    """
    for index, piece in enumerate(pieces):
        text = piece.text
        if not text or text[0] not in _ATTACHABLE_OPENERS:
            continue
        end = _group_end(text)
        if end is None:
            continue
        group, rest = text[: end + 1], text[end + 1 :]
        if _NUMBERING_GROUP_RE.fullmatch(group) or (rest and _MARKER_RE.fullmatch(group)):
            continue
        previous = next((p for p in reversed(pieces[:index]) if p.text), None)
        if previous is not None:
            previous.text += group
            piece.text = rest
        elif not rest and not _MARKER_RE.fullmatch(group):
            piece.text = group[1:-1]


def _group_end(text: str) -> int | None:
    """Index of the bracket closing the group that opens ``text``, if it closes."""
    stack: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        token = match.group()
        if token in _OPEN_TO_CLOSE:
            stack.append(_OPEN_TO_CLOSE[token])
        elif token in _CLOSERS and token in stack:
            while stack.pop() != token:  # mis-nested openers inside it close too
                pass
            if not stack:
                return match.start()
    return None


def _read_roles(pieces: list[_Piece]) -> None:
    """Take role markers out of the pieces, set explicit roles and the clean names."""
    for index, piece in enumerate(pieces):
        text = piece.text
        marker = _MARKER_RE.search(text)
        if marker:
            piece.role = _ROLE_OF_WORD[marker.group(1)]
            text = _MARKER_RE.sub("", text)
        text = normalise_unit_name(_NOTE_RE.sub("", text))
        suffix = _SUFFIX_RE.fullmatch(text)
        if suffix and (suffix.group("role") or suffix.group("duty")):
            text = normalise_unit_name(suffix.group("name"))
        if suffix and suffix.group("role"):
            role = _ROLE_OF_WORD[suffix.group("role")]
            if piece.role is None:
                piece.role = role
            # "区工信局、区财政局配合": the role covers the clause listed before it.
            for earlier in reversed(pieces[:index]):
                if earlier.clause != piece.clause or earlier.role is not None:
                    break
                earlier.role = role
        # "无" says there is no unit; a bare "一" is the number of "一、区发改局".
        keep = text not in _PLACEHOLDERS and not _NUMBER_ONLY_RE.fullmatch(text)
        piece.name = text if keep else ""


# --- names of groups --------------------------------------------------------------------

# A 责任单位 cell often names a whole group in one go. These names are groups:
#   各镇(街道) 各乡镇 各县区政府 各有关单位 各级档案馆   - starts with 各 ("each …")
#   区政府各部门单位 全区各级行政机关 区直各部门         - 各 before a kind of unit
#   市直有关部门 相关单位 领导小组成员单位             - 有关/相关/成员 before a kind of unit
#   区直部门 县直单位 市直机关                          - 区直/县直/市直 and only a kind of unit
#   市商务局等部门(单位)                              - "… and other departments"
#   镇(街道) 乡镇 镇街                                 - the level alone
# and these are not: 区直机关工委 (one office whose name starts like a group),
# 区政务公开领导小组办公室 (the group's one office), 唐口街道, 县人民政府.
_GROUP_NAME_RE = lazy_compile(
    r"^各"
    r"|各(?:级|类|有关|相关|成员|部门|单位|机关|镇|乡|街道|县|区|市|社区|村)"
    r"|(?:有关|相关|成员)(?:部门|单位|机关|镇|乡|街道|县|区|市)"
    r"|^[区县市]直(?:部门|单位|机关)(?:单位|部门)?$"
    r"|等(?:有关|相关)?(?:部门|单位)"
    r"|^(?:镇|乡|乡镇|镇街|街道|镇\(街道\)|乡\(镇\)|乡镇\(街道\))$"
)


@lru_cache(maxsize=4096)
def is_group_name(name: str) -> bool:
    """True for a 责任单位 that names several units at once (各镇(街道), 区直各部门).

    No single office can fill in or answer for such a name, so a fill-in workbook goes
    to its members (单位名录), never to the name itself. "各级档案馆" counts as a group:
    it means the archives of every level, and the clerk lists which ones (区档案馆, …).
    Judged on the name alone; the directory may still give any unit members."""
    return bool(_GROUP_NAME_RE.search(normalise_unit_name(name or "")))


# --- the unit directory -----------------------------------------------------------------


def split_with_directory(refs: list[UnitRef], known: Iterable[str]) -> list[UnitRef]:
    """Units typed together without a separator ("区发改局区财政局"), split where the
    whole name is a run of names the unit directory knows.

    A name the directory knows, or one that cannot be cut entirely into known names,
    stays as it is: the directory only ever confirms a split, it never guesses one.
    The first part keeps the unit's role; the parts after it cooperate. ``known``
    may be the :func:`known_keys` of the names, computed once for many calls.
    """
    keys = known if isinstance(known, frozenset) else known_keys(known)
    if not keys or not refs:
        return refs
    ref_keys = [unit_key(ref.name) for ref in refs]
    if all(key in keys for key in ref_keys) and len(set(ref_keys)) == len(ref_keys):
        return refs  # each name known as printed, and named once: nothing to split (most tasks)
    result: list[UnitRef] = []
    seen: set[str] = set()
    for ref in refs:
        parts = _cut_known(ref.name, keys) if unit_key(ref.name) not in keys else None
        parts = list(parts) if parts else [ref.name]
        for position, name in enumerate(parts):
            key = unit_key(name)
            if key not in seen:
                seen.add(key)
                result.append(UnitRef(name, ref.role if position == 0 else Role.COOPERATE))
    return result


def known_keys(names: Iterable[str]) -> frozenset[str]:
    """The matching keys of a directory's names, for :func:`split_with_directory`
    (compute once per import, not once per task)."""
    return frozenset(unit_key(name) for name in names)


_MIN_CUT = 4  # the shortest part a run-together name is cut into


@lru_cache(maxsize=4096)
def _cut_known(name: str, keys: frozenset[str]) -> list[str] | None:
    """``name`` as two or more known names end to end, or None. Shortest cut list wins
    (longest names first), found by dynamic programming over the positions. Every part
    has at least four characters: "县政府办公室" is one office even when "县政府" and
    "办公室" are both known, while "区发改局区财政局" is two units."""
    n = len(name)
    if n < 2 * _MIN_CUT:
        return None
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for start in range(n):
        done = best[start]
        if done is None:
            continue
        for end in range(n, start + _MIN_CUT - 1, -1):
            if unit_key(name[start:end]) in keys:
                candidate = [*done, name[start:end]]
                if best[end] is None or len(candidate) < len(best[end]):  # type: ignore[arg-type]
                    best[end] = candidate
    found = best[n]
    return found if found is not None and len(found) >= 2 else None
