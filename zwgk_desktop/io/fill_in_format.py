"""The fill-in workbook's vocabulary: what its sheets, columns and key sheet are called,
and the status choices its drop-down offers. The writer (io/fill_in.py) and the reader
(io/reply_reader.py) share it, so a reply is read by the words the workbook was
written with. Kept apart from the writer so reading replies does not load openpyxl.
"""

from __future__ import annotations

from ..core.exchange.send_down import REPORTABLE_STATUSES

FORMAT_NAME = "zwgk-fill-in"
FORMAT_VERSION = "2"  # 2: the key sheet carries the issue id (下发编号)
KEY_SHEET = "zwgk_keys"  # very hidden: the key list and what was sent
DATA_SHEET = "任务填报"
GUIDE_SHEET = "填报说明"
KEY_HEADER = "系统编码(请勿修改)"
META_PLAN_SHA = "分解表校验码"
META_PLAN_ID = "分解表编号"
META_PLAN_TITLE = "分解表"
META_UNIT = "填报单位"
META_QUARTER = "季度"
META_GENERATED = "下发时间"
META_ISSUE = "下发编号"
KEY_TABLE_HEADER = ["编码", "任务编号", "序号", "内容校验", "下发状态", "下发完成时间", "下发进展校验"]

#: Column labels of the fill-in sheet; the reader finds columns by these (and a few
#: synonyms a colleague might type), never by position.
COL_SEQ = "序号"
COL_SECTION = "所属章节"
COL_TITLE = "任务名称"
COL_TASK = "任务内容"
COL_UNITS = "责任单位"
COL_ROLE = "本单位职责"
COL_DEADLINE = "完成时限"
COL_PROGRESS = "进展情况"
COL_STATUS = "完成状态"
COL_DONE_ON = "完成时间"
COL_EVIDENCE = "佐证材料说明"
EDITABLE_COLUMNS = (COL_PROGRESS, COL_STATUS, COL_DONE_ON, COL_EVIDENCE)

#: The 完成状态 drop-down: every status but 已取消 (a unit cannot withdraw a task).
STATUS_CHOICES = [s.value for s in REPORTABLE_STATUSES]
