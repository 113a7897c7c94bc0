"""Duty brackets in a sentence: ``(责任单位:…)``, ``(市发展改革委负责落实)``,
``(A、B、C分别负责落实)``, ``(牵头单位:A,责任单位:B,完成时限:长期坚持)``; where each
closes its task, what units and deadline it names, and the sentences around it. Also
the text tidying every reader step uses (invisible characters, spaces, edge punctuation)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..deadlines import DeadlineKind, parse_deadline
from ..patterns import lazy_compile
from ..units import assign_roles

_OPEN = "((【〔[［"
_CLOSE = "))】〕]］"
_SENTENCE_END = "。!?!?"

_LABELS = (
    ("牵头单位", "lead"), ("牵头部门", "lead"), ("牵头", "lead"),
    ("责任单位", "units"), ("责任部门", "units"), ("责任主体", "units"), ("主责单位", "units"),
    ("落实单位", "units"), ("承办单位", "units"), ("实施单位", "units"),
    ("配合单位", "coop"), ("配合部门", "coop"), ("协办单位", "coop"),
    ("完成时限", "deadline"), ("完成时间", "deadline"), ("时间要求", "deadline"),
    ("时限要求", "deadline"), ("完成期限", "deadline"), ("时间节点", "deadline"), ("时限", "deadline"),
)
_LABEL_WORDS = "|".join(word for word, _ in sorted(_LABELS, key=lambda item: -len(item[0])))
_LABEL_KIND = dict(_LABELS)
_LABEL_RE = lazy_compile(rf"({_LABEL_WORDS})\s*[::]\s*")
LABEL_START_RE = lazy_compile(rf"^\s*({_LABEL_WORDS})\s*[::]")
# "(市发改委负责落实)", "(A、B分别牵头落实)", "(市政府办牵头,各县区配合)".
_DUTY_END_RE = lazy_compile(r"(落实|负责|牵头|配合|承办|实施|参照执行)$")
EACH_LEADS_RE = lazy_compile(r"分别(?:牵头|负责)?(?:落实|负责|牵头|承办|实施)?")
DEADLINE_WORD_RE = lazy_compile(r"\d+月|[一二三四上下]季度|上半年|下半年|年底|年末|年内|全年|长期|持续|常态|每季度|每月|每年")

_INVISIBLE_RE = lazy_compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = lazy_compile(r"[ \t\u3000\u00a0]+")
_EDGE_PUNCT = " ,,;;、::"


def tidy(text: str) -> str:
    text = _INVISIBLE_RE.sub("", text or "")
    text = text.replace("\r", "")
    return _SPACES_RE.sub(" ", text).strip(" \t\u3000")


def text_key(text: str) -> str:
    return unicodedata.normalize("NFKC", "".join(text.split()))


def _strip_edges(text: str) -> str:
    return text.strip(_EDGE_PUNCT + "\u3000")


def _closers(text: str) -> dict[int, int]:
    """Opening bracket position -> the position of the bracket closing it (either
    width, any kind: web text mixes them), in one pass; unclosed ones are absent."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE and stack:
            pairs[stack.pop()] = i
    return pairs


@dataclass(slots=True)
class Duty:
    start: int
    end: int  # exclusive
    units_text: str
    deadline_text: str
    all_lead: bool


def _read_duty(inner: str) -> tuple[str, str, bool] | None:
    """(units text, deadline text, each leads) if the bracket's content is a duty."""
    content = tidy(inner)
    stripped = _strip_edges(content)
    if not stripped or len(stripped) > 400:
        return None
    if LABEL_START_RE.match(stripped):
        return labelled_duty(stripped)
    if "。" in stripped:
        return None
    units, deadline = [], ""
    for piece in re.split(r"[,,;;]", stripped):
        piece = piece.strip()
        if piece and not deadline and _looks_like_deadline(piece):
            deadline = piece
        elif piece:
            units.append(piece)
    units_text = ",".join(units)
    # "(市发改委负责落实)", "(市应急局负责,2024年6月底前完成)": the duty words end the units.
    if not _DUTY_END_RE.search(units_text) or not assign_roles(units_text):
        return None
    return units_text, deadline, bool(EACH_LEADS_RE.search(units_text))


def _looks_like_deadline(piece: str) -> bool:
    if not DEADLINE_WORD_RE.search(piece) or len(piece) > 20:
        return False
    return parse_deadline(piece, 2000).kind is not DeadlineKind.UNKNOWN


def labelled_duty(text: str) -> tuple[str, str, bool]:
    """``牵头单位:A、B,责任单位:C,完成时限:长期坚持`` -> units with labels, deadline."""
    parts: list[str] = []
    deadline = ""
    matches = list(_LABEL_RE.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = _strip_edges(text[match.end():end])
        if not value:
            continue
        kind = _LABEL_KIND[match.group(1)]
        if kind == "deadline":
            deadline = deadline or value
        else:
            label = {"lead": "牵头单位", "units": "责任单位", "coop": "配合单位"}[kind]
            parts.append(f"{label}:{value}")
    if len(parts) == 1 and parts[0].startswith("责任单位:"):
        units_text = parts[0][len("责任单位:"):]  # the common case prints as a plain list
    else:
        units_text = ";".join(parts)
    return units_text, deadline, bool(EACH_LEADS_RE.search(units_text))


def find_duties(text: str) -> list[Duty]:
    """Every duty bracket in one paragraph, in order."""
    found: list[Duty] = []
    if not any(ch in _OPEN for ch in text):
        return found
    pairs = _closers(text)
    i = 0
    while i < len(text):
        if text[i] not in _OPEN:
            i += 1
            continue
        close = pairs.get(i)
        inner = text[i + 1:close] if close is not None else text[i + 1:]
        end = close + 1 if close is not None else len(text)
        if "。" in inner:
            # Never closed (or closed only far away): a duty ends with its sentence.
            stop = inner.index("。")
            if LABEL_START_RE.match(inner) or _read_duty(inner[:stop]) is not None:
                inner, end = inner[:stop], i + 1 + stop
        reading = _read_duty(inner)
        if reading is not None:
            found.append(Duty(i, end, *reading))
            i = end
        elif close is not None and "。" not in inner:
            i = close + 1
        else:
            i += 1
    return found


def duty_segments(text: str) -> list[tuple[str, Duty | None]]:
    """The paragraph cut after each duty: [(requirement, duty or None)]."""
    result: list[tuple[str, Duty | None]] = []
    position = 0
    for duty in find_duties(text):
        before = text[position:duty.start]
        after = duty.end
        # "做好信息公开(责任单位:X)。": the full stop after the bracket ends the sentence.
        while after < len(text) and text[after] in _SENTENCE_END + ";;,, ":
            after += 1
        requirement = _finish_sentence(before, text[duty.end:after])
        result.append((requirement, duty))
        position = after
    rest = _strip_edges(text[position:])
    if rest and rest.strip("。!?!? "):
        result.append((_finish_sentence(rest, ""), None))
    return result


def _finish_sentence(text: str, punct_after: str) -> str:
    text = _strip_edges(text.strip())
    if not text:
        return ""
    if text[-1] not in _SENTENCE_END and text[-1] not in _CLOSE + "”\"》":
        text += "。" if any(p in punct_after for p in "。;;") or punct_after.strip() == "" else ""
    return text


def first_sentence(text: str) -> tuple[str, str]:
    """(lead sentence without its full stop, the rest) cut at the first 。 outside brackets."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch in _SENTENCE_END and depth == 0:
            return text[:i].strip(), text[i + 1:].strip()
    return text.strip(), ""
