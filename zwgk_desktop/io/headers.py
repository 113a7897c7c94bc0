"""What a column header means, whatever words a given office chose for it.

Tables from different cities name the same column differently (具体要求 / 工作要求 /
工作内容, 责任单位 / 牵头单位 ...) and put stray spaces or line breaks in them. This
module only answers "which meaning does this header carry"; choosing the header row
and reading rows is table_reader.py's job.
"""

from __future__ import annotations

from ..core.patterns import lazy_compile

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

SEQ = "seq"
HEADING = "heading"
REQUIREMENT = "requirement"
UNITS = "units"
COOPERATE = "cooperate"
DEADLINE = "deadline"
TITLE = "title"

# Meaning -> header words, most specific first. Matching is on the header with all
# white space removed; an exact match beats a header that merely contains the word.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    SEQ: ("序号", "编号", "序列", "序"),
    COOPERATE: ("配合单位", "配合部门", "协办单位", "协同单位", "参与单位"),
    UNITS: ("责任单位", "牵头单位", "责任部门", "牵头部门", "责任主体", "承办单位",
            "主责单位", "落实单位", "实施单位", "责任科室", "单位"),
    DEADLINE: ("完成时限", "时间节点", "完成时间", "完成期限", "时限要求", "进度安排",
               "时间安排", "截止时间", "时限"),
    REQUIREMENT: ("具体要求", "工作要求", "工作内容", "任务内容", "具体措施", "具体任务",
                  "任务要求", "工作措施", "主要内容", "目标要求", "工作目标", "具体内容",
                  "任务举措", "工作举措", "主要措施", "内容"),
    HEADING: ("工作任务", "要点任务", "重点任务", "任务名称", "主要任务", "重点工作",
              "工作事项", "任务事项", "工作项目", "任务类别", "类别", "项目", "任务"),
}

# Short sub-headers under a merged 责任单位 group label ("牵头" / "配合"): meaningful
# only as the whole header, never as a word inside another cell.
EXACT_WORDS: dict[str, str] = {"牵头": UNITS, "主责": UNITS, "配合": COOPERATE, "协办": COOPERATE}

# 一级任务 / 二级指标 / 三级标题 / 二级要点: a hierarchy of heading columns, level from the digit.
_HIERARCHY_RE = lazy_compile(r"^([一二三四五1-5])级(任务|指标|标题|目录|分类|事项|要点|工作)?$")
_LEVELS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}

_SPACE_RE = lazy_compile(r"[\s\u3000\u00a0]+")


def squash(text: str) -> str:
    """Header text with every kind of white space removed, for matching."""
    return _SPACE_RE.sub("", text or "")


def hierarchy_level(header: str) -> int | None:
    """1 for 一级任务, 2 for 二级任务 ... None when the header is not such a column."""
    match = _HIERARCHY_RE.match(squash(header))
    if not match:
        return None
    digit = match.group(1)
    return _LEVELS.get(digit) or int(digit)


def header_meaning(header: str) -> str | None:
    """The meaning this header carries, or None when it is not one we know.

    Long texts are never headers (a requirement cell mentioning 责任单位 is data).
    """
    text = squash(header)
    if not text or len(text) > 12:
        return None
    if hierarchy_level(text) is not None:
        return HEADING
    if text in EXACT_WORDS:
        return EXACT_WORDS[text]
    for meaning, words in HEADER_WORDS.items():
        if text in words:
            return meaning
    for meaning, words in HEADER_WORDS.items():
        for word in words:
            if len(word) >= 2 and word in text:
                return meaning
    return None


# Columns the clerk keeps beside the table (备注 ...): never given a meaning from their
# content, however much it looks like a deadline or a unit.
ASIDE_WORDS = ("备注", "说明", "附注", "备考", "完成情况", "进展情况", "落实情况", "填报说明")


def is_aside(header: str) -> bool:
    text = squash(header)
    return any(word in text for word in ASIDE_WORDS)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the way Excel and the clerk name columns."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = _LETTERS[rem] + letters
    return letters


def column_index(ref: str, headers: list[str]) -> int | None:
    """Column named by letter (C), 1-based number (3) or header text (具体要求)."""
    ref = ref.strip()
    if not ref:
        return None
    if ref.isdigit():
        index = int(ref) - 1
        return index if 0 <= index < len(headers) else None
    if ref.isascii() and ref.isalpha():
        index = 0
        for char in ref.upper():
            index = index * 26 + (ord(char) - ord("A") + 1)
        index -= 1
        return index if 0 <= index < len(headers) else None
    wanted = squash(ref)
    for i, header in enumerate(headers):
        if squash(header) == wanted:
            return i
    return None
