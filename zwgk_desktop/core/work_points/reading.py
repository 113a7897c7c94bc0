"""The whole document: paragraphs tidied and unwrapped, split into blocks (the notice,
the work points, attachments), the title and 文号 found, and the best reading chosen:
the work points' own body, or the table attached as text (:func:`read_work_points`)."""

from __future__ import annotations

from collections import Counter

from ..patterns import lazy_compile
from .body import ANNEX_RE, DATE_LINE_RE, ITEM_RE, L1_RE, L2_RE, Body, read_body
from .draft import YEAR_RE, Draft, SkippedLine
from .duties import LABEL_START_RE, find_duties, tidy
from .flattened_table import looks_like_flattened_table, read_flattened

_TITLE_RE = lazy_compile(r"(工作要点|实施方案|工作方案|任务分解表|任务清单|重点工作任务|要点)$")
_NOTICE_RE = lazy_compile(r"关于印发(.+?)的通知")
_META_PREFIX_RE = lazy_compile(r"^\s*标\s*题\s*[::]\s*")
_DOC_NUMBER_RE = lazy_compile(r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d+\s*号")


def _paragraphs(paragraphs: list[str]) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    number = 0
    for paragraph in paragraphs:
        for raw in (paragraph or "").split("\n"):
            number += 1
            text = tidy(raw)
            if text:
                lines.append((number, text))
    return _unwrap(lines)


def _unwrap(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Text converted from a PDF breaks every paragraph at the page width: most full
    lines then have (nearly) the same length. Such a text has its lines joined again
    where a full line ends no sentence and the next starts no heading; text written a
    paragraph a line (web pages, Word) has lines of every length and is left alone."""
    distinct = {text for _, text in lines if len(text) >= 12}  # (a table's repeated cells are no width)
    if len(distinct) < 6:
        return lines
    counts = Counter(len(text) for text in distinct)

    def near(width: int) -> int:
        return sum(counts[w] for w in range(width - 2, width + 5))

    width = max(counts, key=lambda w: (near(w), w))
    full = [text for text in distinct if width - 2 <= len(text) <= width + 4]
    cut = sum(1 for text in full if text[-1] not in "。;;!?!?::")
    if len(full) < max(4, len(distinct) * 0.3) or cut < len(full) * 0.6:
        return lines
    out: list[tuple[int, str]] = []
    for line, text in lines:
        if out:
            previous = out[-1][1]
            if (len(previous) >= width - 2 and previous[-1] not in "。;;!?!?::"
                    and not (_is_heading(text) or LABEL_START_RE.match(text) or ANNEX_RE.match(text)
                             or DATE_LINE_RE.match(text))):
                out[-1] = (out[-1][0], previous + text)
                continue
        out.append((line, text))
    return out


def _is_heading(text: str) -> bool:
    return bool(L1_RE.match(text) or L2_RE.match(text) or ITEM_RE.match(text))


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """The text cut at dates (a notice's end) and 附件 lines (an attachment's start)."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for line, text in lines:
        if ANNEX_RE.match(text) or DATE_LINE_RE.match(text):
            blocks.append([(line, text)])
        else:
            blocks[-1].append((line, text))
    return [b for b in blocks if b]


def read_work_points(paragraphs: list[str], source_name: str = "") -> Draft:
    """Read the paragraphs of a notice; ``Draft.recognised`` says whether it held work points."""
    lines = _paragraphs(paragraphs)
    best: tuple[tuple[int, int, int], int, Body, int] | None = None
    blocks = _blocks(lines)
    warnings: list[str] = []
    tables: list[int] = []
    for index, block in enumerate(blocks):
        if looks_like_flattened_table(block):
            tables.append(index)
            continue
        start = next((i for i, (_, text) in enumerate(block)
                      if _is_heading(text) or find_duties(text)), None)
        if start is None:
            continue
        body = read_body(block[start:])
        score = (body.duties, len(body.tasks), body.headings)
        if body.tasks and (best is None or score > best[0]):
            best = (score, index, body, start)
    if tables and (best is None or (best[2].duties == 0 and best[2].items == 0)):
        # A cover letter (its 一、二、三 name no unit and number no item) whose tasks are
        # in the attached table: read the table.
        for index in tables:
            found = read_flattened(blocks[index])
            if found is not None:
                body, start = found
                best = ((body.duties, len(body.tasks), body.headings), index, body, start)
                warnings.append("通知正文中没有逐项任务,已按所附任务分解表(网页复制的文字)读取,请逐项核对;"
                                "如有分解表原件(.xlsx/.docx),导入原件更可靠。")
                break
    elif tables:
        warnings.append("正文后附有任务分解表(从网页复制的文字,表格已散开),这里按正文的工作要点读取;"
                        "如要按分解表导入,请导入分解表原件(.xlsx/.docx)。")
    title, doc_number = _title(lines, blocks, best)
    year_match = YEAR_RE.search(title) or YEAR_RE.search(source_name)
    if best is None:
        return Draft(title=title, tasks=[], doc_number=doc_number,
                     year=int(year_match.group(1)) if year_match else None,
                     skipped=[SkippedLine(line, text, "前言") for line, text in lines])
    _, index, body, start = best
    skipped: list[SkippedLine] = []
    for i, block in enumerate(blocks):
        if i < index:
            skipped.extend(SkippedLine(line, text, "前言") for line, text in block)
        elif i == index:
            skipped.extend(SkippedLine(line, text, "前言") for line, text in block[:start])
            skipped.extend(body.skipped)
            used = {t.line for t in body.tasks} | {s.line for s in body.skipped}
            after = [(line, text) for line, text in block[start:] if line not in used
                     and not _is_heading(text) and not LABEL_START_RE.match(text)]
            cut = next((k for k, (_, text) in enumerate(block[start:]) if ANNEX_RE.match(text)), None)
            if cut is not None:
                annex_lines = {line for line, _ in block[start + cut:]}
                skipped.extend(SkippedLine(line, text, "附件") for line, text in after if line in annex_lines)
        else:
            reason = "附件" if ANNEX_RE.match(block[0][1]) or any(
                s.reason == "附件" for s in skipped) else "落款"
            skipped.extend(SkippedLine(line, text, reason) for line, text in block)
    skipped.sort(key=lambda s: s.line)
    return Draft(title=title, tasks=body.tasks, skipped=skipped, doc_number=doc_number,
                 year=int(year_match.group(1)) if year_match else None,
                 heading_count=body.headings, duty_count=body.duties, warnings=warnings[:1],
                 item_count=body.items)


def _title(lines: list[tuple[int, str]], blocks, best) -> tuple[str, str | None]:
    doc_number = None
    for _, text in lines[:80]:
        match = _DOC_NUMBER_RE.search(text)
        # The notice's own number stands on a line of its own (or after 发文字号:);
        # numbers cited in a sentence are other documents'.
        if match and (len("".join(text.split())) <= 40 or text.lstrip().startswith("发文字号")):
            doc_number = "".join(match.group(0).split())
            break
    body_first = None
    if best is not None:
        _, index, _, start = best
        block = blocks[index]
        body_first = block[start][0] if start < len(block) else None
    candidates: list[tuple[int, int, str]] = []  # (preference, -distance, title)
    for line, text in lines:
        if body_first is not None and line >= body_first:
            break
        text = _META_PREFIX_RE.sub("", text)
        squashed = "".join(text.split())
        if len(squashed) > 80 or squashed.endswith(("。", ":", ":")):
            continue
        notice = _NOTICE_RE.search(squashed)
        if notice:
            inner = notice.group(1).strip("《》")
            candidates.append((1, line, inner))
        elif _TITLE_RE.search(squashed) and not _DOC_NUMBER_RE.search(squashed):
            candidates.append((2, line, squashed.strip("《》")))
    if not candidates:
        return "", doc_number
    candidates.sort(key=lambda c: (c[0], c[1]))
    return candidates[-1][2], doc_number
