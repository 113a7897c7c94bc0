"""The 任城 sample as a QA engineer left it for the 2023Q3 report: five tasks done in
September, one in progress with six pieces of evidence (files, an address), a few
notes of a line or two; optionally one 3,000-character note. Shared by the report
tests that look at the detail table's columns and the summary sentences."""

from __future__ import annotations

from datetime import date

from tests.conftest import SAMPLES
from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import Status
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.io.plan_file import read_plan_file

Q3 = Quarter(2023, 3)
PRINTED = date(2023, 12, 20)
LONG_NOTE = ("三季度召开专题会议部署政务公开工作,发布政策解读材料并在政府网站专栏集中公开。" * 80)[:3000]
URL = "http://www.rencheng.gov.cn/art/2023/9/12/art_123.html"
FILES = ["会议录像.mp4", "现场照片.jpg", "解读.pdf", "通知.docx", "6-针对就业困难人员、高校毕-20261130-042327.png"]


def rencheng_ledger(ledger: Ledger, long_note: bool = False) -> tuple[int, dict[int, int]]:
    """The plan id and seq -> task id."""
    plan, digest = read_plan_file(SAMPLES / "rencheng_2023.xlsx")
    write_plan(ledger, plan, digest)
    plan_id = ledger.plans()[0].id
    t = dict(enumerate(ledger.task_ids(plan_id), start=1))
    for seq, day in ((1, 20), (2, 20), (3, 18), (4, 20), (5, 28)):
        ledger.set_status(t[seq], Status.DONE, date(2023, 9, day))
    ledger.set_status(t[6], Status.IN_PROGRESS, date(2023, 8, 1))
    ledger.set_progress(t[3], Q3, "【区国金局】国金局牵头完成国企改革信息公开,发布文件5件\n【区发改局】发改局配合转发民营经济政策解读2篇")
    ledger.set_progress(t[5], Q3, "【区发改局】发改局牵头发布政策包解读")
    ledger.set_progress(t[6], Q3, LONG_NOTE if long_note else "已在政府网站发布就业政策解读3篇,")
    ledger.set_progress(t[7], Q3, "教体局已召开双减政策解读会")
    ledger.set_progress(t[8], Q3, "三季度:民办学校收费公示已完成80%")
    ev.attach_note(ledger, t[3], "见政府网站专栏", Q3)
    ev.attach_note(ledger, t[5], "见政府网站专栏", Q3)
    for name in FILES[:4]:
        ev.attach_note(ledger, t[6], name, Q3)  # printed by name, as a file is
    ev.attach_url(ledger, t[6], URL, "任城区就业政策解读", None, Q3)
    ev.attach_note(ledger, t[6], FILES[4], Q3)
    ev.attach_note(ledger, t[7], FILES[0], Q3)
    ev.attach_note(ledger, t[7], FILES[3], Q3)
    return plan_id, t
