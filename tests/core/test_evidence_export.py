"""A task's evidence handed out under the files' own names."""

from __future__ import annotations

import pytest

from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.errors import UserError
from zwgk_desktop.core.evidence_export import LINKS_FILE, export_task_evidence
from zwgk_desktop.core.plan_import import write_plan

from tests.builders import parsed_plan


@pytest.fixture
def task(ledger):
    plan_id = write_plan(ledger, parsed_plan(), "9" * 64).plan_id
    return ledger.task_ids(plan_id)[0]


def test_files_come_out_under_their_names_links_in_a_text_file(ledger, task, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "通知.pdf").write_bytes(b"%PDF-1.4 a")
    (src / "sub").mkdir()
    (src / "sub" / "通知.pdf").write_bytes(b"%PDF-1.4 b")
    ev.attach_files(ledger, task, [src / "通知.pdf", src / "sub" / "通知.pdf"], "2023Q3")
    ev.attach_url(ledger, task, "https://www.example.gov.cn/a.html", title="解读", quarter="2023Q3")
    ev.attach_note(ledger, task, "已在公开栏张贴", "2023Q3")
    out = tmp_path / "导出"
    written = export_task_evidence(ledger, task, out)
    assert sorted(p.name for p in written) == sorted(["通知.pdf", "通知(2).pdf", LINKS_FILE])
    assert {(out / "通知.pdf").read_bytes(), (out / "通知(2).pdf").read_bytes()} == {b"%PDF-1.4 a", b"%PDF-1.4 b"}
    links = (out / LINKS_FILE).read_text(encoding="utf-8-sig")
    assert "https://www.example.gov.cn/a.html" in links and "已在公开栏张贴" in links


def test_a_task_without_evidence_says_so(ledger, task, tmp_path):
    with pytest.raises(UserError) as caught:
        export_task_evidence(ledger, task, tmp_path / "x")
    assert "还没有佐证材料" in caught.value.message
