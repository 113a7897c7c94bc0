"""佐证材料 store: content-addressed copies, all-or-nothing attach (a failure mid-copy
leaves no file under a real name and no row), the clerk's files untouched, odd names,
the 回收站 (remove, restore, empty) and `check` finding corrupted and missing files."""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import os
import stat
import threading
from datetime import date
from pathlib import Path

import pytest

from zwgk_desktop.core import evidence as ev
from zwgk_desktop.core.deadlines import parse_deadline
from zwgk_desktop.core.errors import NotFoundError, UserError
from zwgk_desktop.core.ledger import Ledger
from zwgk_desktop.core.model import ParsedPlan, ParsedTask
from zwgk_desktop.core.plan_import import write_plan
from zwgk_desktop.core.quarters import Quarter
from zwgk_desktop.core.units import assign_roles

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f80f0000010101005b1a8c7e0000000049454e44ae426082")

TASKS = [
    # (section, title, requirement, units, deadline)
    (["一、推进决策公开"], "决策目录", "编制并公开重大行政决策事项目录,按要求动态调整。", "县司法局、县政府办", "6月底前"),
    (["一、推进决策公开"], None, "=SUM(A1)规范政府网站和政务新媒体的内容发布审核流程。", "县大数据中心、县司法局", "长期坚持"),
    (["二、夯实基础"], None, "做好财政预决算公开。", "县财政局", "三季度前"),
]


def evidence_plan(ledger: Ledger, year: int = 2023, *, task_count: int = 3, replace: bool = False) -> list[int]:
    """A small plan with three tasks; returns their ids in table order."""
    tasks = [ParsedTask(seq=i + 1, section=list(section), title=title, requirement=req, units_text=units,
                        units=assign_roles(units), deadline=parse_deadline(deadline, year), source_row=i + 3)
             for i, (section, title, req, units, deadline) in enumerate(TASKS[:task_count])]
    parsed = ParsedPlan(title=f"{year}年某县政务公开工作任务分解表", year=year,
                        columns=["工作任务", "任务简称", "具体要求", "责任单位", "完成时限"],
                        mapping={"heading": [0], "title": [1], "requirement": [2], "units": [3], "deadline": [4]},
                        tasks=tasks, sheet="Sheet1", source_name="任务表.xlsx")
    outcome = write_plan(ledger, parsed, hashlib.sha256(f"plan{year}".encode()).hexdigest(), replace=replace)
    return ledger.task_ids(outcome.plan_id)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_files(ledger: Ledger) -> list[str]:
    """Every file under evidence/, relative, sorted."""
    root = ledger.evidence_dir
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(ledger: Ledger) -> list[tuple]:
    return ledger.db.execute("SELECT id, task_id, quarter, kind, name, sha256, size, mime, url, published_on,"
                             " note, removed_at IS NOT NULL FROM evidence ORDER BY id").fetchall()


def dump(ledger: Ledger) -> str:
    return "\n".join(ledger.db.conn.iterdump())


@pytest.fixture
def tasks(ledger: Ledger) -> list[int]:
    return evidence_plan(ledger)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "我的文件"
    folder.mkdir()
    return folder


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- attaching files ------------------------------------------------------------------


def test_attach_copies_into_store_named_by_hash_keeping_extension(ledger, tasks, src):
    data = PNG_BYTES
    path = write(src / "网站截图.PNG", data)
    result = ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    digest = sha(data)
    assert store_files(ledger) == [f"{digest[:2]}/{digest}.png"]
    assert (ledger.evidence_dir / digest[:2] / f"{digest}.png").read_bytes() == data
    assert [(e.kind, e.name, e.sha256, e.size, e.mime, e.quarter, e.task_id) for e in result.added] == [
        ("file", "网站截图.PNG", digest, len(data), "image/png", "2023Q3", tasks[0])]
    assert result.already == []
    assert result.added[0].added_by == ledger.user
    assert result.added[0].added_at[:10] == date.today().isoformat()


def test_identical_content_is_stored_once(ledger, tasks, src):
    a = write(src / "a.pdf", b"%PDF-1.4 same")
    b = write(src / "通知 副本.pdf", b"%PDF-1.4 same")
    ev.attach_files(ledger, tasks[0], [a], "2023Q3")
    ev.attach_files(ledger, tasks[1], [b], "2023Q3")
    digest = sha(b"%PDF-1.4 same")
    assert store_files(ledger) == [f"{digest[:2]}/{digest}.pdf"]
    assert [(r[1], r[4], r[5]) for r in rows(ledger)] == [(tasks[0], "a.pdf", digest), (tasks[1], "通知 副本.pdf", digest)]


def test_attaching_again_heals_a_truncated_stored_copy(ledger, tasks, src):
    data = os.urandom(5000)
    first = ev.attach_files(ledger, tasks[0], [write(src / "a.pdf", data)], "2023Q3").added[0]
    stored = ev.stored_path(ledger, first.sha256)
    stored.chmod(0o644)
    stored.write_bytes(data[:100])  # damaged (e.g. a disk error)
    assert not ev.check_store(ledger).ok
    ev.attach_files(ledger, tasks[1], [src / "a.pdf"], "2023Q3")
    assert stored.read_bytes() == data
    assert ev.check_store(ledger).ok
    assert store_files(ledger) == [f"{first.sha256[:2]}/{first.sha256}.pdf"]


def test_same_content_again_for_the_same_task_and_quarter_is_not_added_twice(ledger, tasks, src):
    a = write(src / "a.pdf", b"one")
    ev.attach_files(ledger, tasks[0], [a], "2023Q3")
    again = ev.attach_files(ledger, tasks[0], [a, a, write(src / "b.pdf", b"two")], "2023Q3")
    assert [e.name for e in again.added] == ["b.pdf"]
    assert sorted(again.already) == ["a.pdf", "a.pdf"]
    other_quarter = ev.attach_files(ledger, tasks[0], [a], "2023Q4")
    assert [e.quarter for e in other_quarter.added] == ["2023Q4"]
    assert len(rows(ledger)) == 3


def test_several_files_one_transaction_one_audit_row(ledger, tasks, src):
    before = ledger.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    paths = [write(src / f"{i}.txt", f"file {i}".encode()) for i in range(3)]
    result = ev.attach_files(ledger, tasks[2], paths, Quarter(2023, 2), note="  报送材料  ")
    assert [e.name for e in result.added] == ["0.txt", "1.txt", "2.txt"]
    assert [e.note for e in result.added] == ["报送材料"] * 3
    audit = ledger.db.execute("SELECT action, entity, entity_id, after FROM audit ORDER BY id").fetchall()
    assert len(audit) == before + 1
    action, entity, entity_id, after = audit[-1]
    assert (action, entity, entity_id) == ("添加佐证材料", "evidence", tasks[2])
    assert [(a["id"], a["name"], a["sha256"], a["quarter"]) for a in json.loads(after)] == [
        (e.id, e.name, e.sha256, "2023Q2") for e in result.added]


def test_default_quarter_is_the_current_one(ledger, tasks, src):
    result = ev.attach_files(ledger, tasks[0], [write(src / "a.txt", b"a")])
    assert result.added[0].quarter == str(Quarter.current())


def test_progress_reports_bytes_in_chunks(ledger, tasks, src):
    big = write(src / "big.bin", os.urandom(ev.CHUNK * 2 + 10))
    small = write(src / "small.bin", b"xyz")
    seen: list[tuple[int, int, str]] = []
    ev.attach_files(ledger, tasks[0], [big, small], "2023Q1", progress=lambda *a: seen.append(a))
    total = ev.CHUNK * 2 + 13
    assert seen == [(ev.CHUNK, total, "big.bin"), (ev.CHUNK * 2, total, "big.bin"),
                    (ev.CHUNK * 2 + 10, total, "big.bin"), (total, total, "small.bin"), (total, total, "")]


def test_originals_are_never_touched(ledger, tasks, src):
    paths = [write(src / "通知.pdf", b"%PDF original"), write(src / "照片.jpg", b"\xff\xd8jpeg")]
    old = 1_600_000_000
    for p in paths:
        os.utime(p, (old, old))
    before = {p: (p.read_bytes(), p.stat().st_mtime, stat.S_IMODE(p.stat().st_mode)) for p in paths}
    ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    for p in paths:
        assert p.exists()
        assert (p.read_bytes(), p.stat().st_mtime, stat.S_IMODE(p.stat().st_mode)) == before[p]
    assert sorted(x.name for x in src.iterdir()) == ["照片.jpg", "通知.pdf"]


def test_stored_files_are_read_only(ledger, tasks, src):
    ev.attach_files(ledger, tasks[0], [write(src / "a.txt", b"a")], "2023Q3")
    stored = ledger.evidence_dir / sha(b"a")[:2] / f"{sha(b'a')}.txt"
    assert stat.S_IMODE(stored.stat().st_mode) & 0o222 == 0


# -- all or nothing -------------------------------------------------------------------


class _FailingReader(io.RawIOBase):
    """A source file whose read fails after some bytes (a USB stick pulled out)."""

    def __init__(self, path: Path, fail_after: int) -> None:
        self._handle = open(path, "rb", buffering=0)
        self._left = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            raise OSError(5, "Input/output error")
        view = memoryview(buffer)[:min(len(buffer), self._left)]
        n = self._handle.readinto(view)
        self._left -= n
        return n

    def close(self) -> None:
        self._handle.close()
        super().close()


def test_crash_mid_copy_leaves_no_file_under_a_real_name_and_no_row(ledger, tasks, src, monkeypatch):
    good = write(src / "good.pdf", b"fine content")
    bad = write(src / "bad.pdf", os.urandom(3 * ev.CHUNK))
    real_open, real_replace = ev._open_source, os.replace
    renamed: list[str] = []
    parts_seen: list[str] = []

    def opener(path: Path):
        if path.name == "bad.pdf":
            return _FailingReader(path, ev.CHUNK + 100)
        return real_open(path)

    def progress(done: int, total: int, name: str) -> None:
        if name == "bad.pdf" and not parts_seen:  # bad.pdf has begun: what is on disk now?
            parts_seen.extend(store_files(ledger))

    def replace(a, b):
        renamed.append(str(b))
        return real_replace(a, b)

    monkeypatch.setattr(ev, "_open_source", opener)
    monkeypatch.setattr(ev.os, "replace", replace)
    snapshot = dump(ledger)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [good, bad], "2023Q3", progress=progress)
    assert caught.value.message.startswith("读取文件“bad.pdf”时出错")
    assert "Input/output error" in caught.value.message
    assert "没有添加任何材料" in caught.value.message
    assert len(parts_seen) == 2  # good.pdf and bad.pdf, each under a temporary name
    assert all(name.startswith(ev.TEMP_PREFIX) and name.endswith(ev.TEMP_SUFFIX) for name in parts_seen)
    assert renamed == []  # nothing ever got a real name
    assert store_files(ledger) == []  # and the temporary files are gone
    assert rows(ledger) == []
    assert dump(ledger) == snapshot
    assert good.read_bytes() == b"fine content"


def _pipeline_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("zwgk-evidence-")]


class _FullDisk(io.BufferedWriter):
    def write(self, data) -> int:
        raise OSError(28, "No space left on device")


def test_disk_full_while_writing_adds_nothing(ledger, tasks, src, monkeypatch):
    paths = [write(src / f"{i}.bin", os.urandom(ev.CHUNK + i)) for i in range(3)]

    def fake_open(path, mode="r", *args, **kwargs):
        if mode == "xb":  # the store's temporary files
            return _FullDisk(io.FileIO(path, "xb"))
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(ev, "open", fake_open, raising=False)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert caught.value.message.startswith("写入台账文件夹时出错:No space left on device。")
    assert store_files(ledger) == [] and rows(ledger) == []
    assert _pipeline_threads() == []


def test_fsync_failure_adds_nothing(ledger, tasks, src, monkeypatch):
    paths = [write(src / "a.bin", b"a" * 10), write(src / "b.bin", b"b" * 10)]

    def broken(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(ev.os, "fsync", broken)
    with pytest.raises(UserError, match="写入台账文件夹时出错"):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    monkeypatch.undo()
    assert store_files(ledger) == [] and rows(ledger) == []
    assert _pipeline_threads() == []


def test_empty_file_and_many_files(ledger, tasks, src):
    paths = [write(src / "空.txt", b"")] + [write(src / f"{i:02d}.txt", bytes([i]) * i * 1000) for i in range(1, 40)]
    result = ev.attach_files(ledger, tasks[0], paths, "2023Q3")
    assert [(e.name, e.sha256, e.size) for e in result.added] == [
        (p.name, sha(p.read_bytes()), p.stat().st_size) for p in paths]
    assert len(store_files(ledger)) == 40
    for item in result.added:
        assert ev.stored_path(ledger, item.sha256).read_bytes() == (src / item.name).read_bytes()
    assert _pipeline_threads() == []


def test_cancel_from_progress_adds_nothing(ledger, tasks, src):
    paths = [write(src / "a.bin", os.urandom(ev.CHUNK + 1)), write(src / "b.bin", b"b")]

    def cancel(done: int, total: int, name: str) -> None:
        if name == "b.bin":
            raise ev.AttachCancelled()

    with pytest.raises(ev.AttachCancelled):
        ev.attach_files(ledger, tasks[0], paths, "2023Q3", progress=cancel)
    assert store_files(ledger) == []
    assert rows(ledger) == []


def test_failed_transaction_removes_files_it_created(ledger, tasks, src, monkeypatch):
    kept = write(src / "kept.txt", b"kept")
    ev.attach_files(ledger, tasks[0], [kept], "2023Q3")
    new = write(src / "new.txt", b"new")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ev, "_record_files", broken)
    with pytest.raises(RuntimeError):
        ev.attach_files(ledger, tasks[0], [kept, new], "2023Q4")
    assert store_files(ledger) == [f"{sha(b'kept')[:2]}/{sha(b'kept')}.txt"]


def test_missing_source_gives_plain_message_and_adds_nothing(ledger, tasks, src):
    good = write(src / "good.pdf", b"x")
    snapshot = dump(ledger)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [good, src / "不见了.docx"], "2023Q3")
    assert caught.value.message.startswith("找不到文件“不见了.docx”")
    assert str(src / "不见了.docx") in caught.value.message
    assert "重新添加" in caught.value.message
    assert dump(ledger) == snapshot
    assert store_files(ledger) == []


def test_folder_instead_of_file_is_refused(ledger, tasks, src):
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [src], "2023Q3")
    assert "是一个文件夹" in caught.value.message
    assert rows(ledger) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_source_is_refused(ledger, tasks, src):
    path = write(src / "secret.pdf", b"x")
    path.chmod(0)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert "没有权限读取" in caught.value.message


def test_source_locked_by_another_program(ledger, tasks, src, monkeypatch):
    path = write(src / "正在编辑.docx", b"x")

    def locked(p: Path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ev, "_open_source", locked)
    with pytest.raises(UserError) as caught:
        ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert caught.value.message.startswith("无法打开文件“正在编辑.docx”")
    assert "请关闭正在使用该文件的程序" in caught.value.message
    assert store_files(ledger) == [] and rows(ledger) == []


def test_unknown_task_is_refused_before_copying(ledger, tasks, src):
    with pytest.raises(NotFoundError):
        ev.attach_files(ledger, 999, [write(src / "a.txt", b"a")], "2023Q3")
    assert store_files(ledger) == []


def test_stale_temp_files_are_cleaned_fresh_ones_kept(ledger, tasks, src):
    ledger.evidence_dir.mkdir()
    stale = ledger.evidence_dir / f"{ev.TEMP_PREFIX}old{ev.TEMP_SUFFIX}"
    fresh = ledger.evidence_dir / f"{ev.TEMP_PREFIX}new{ev.TEMP_SUFFIX}"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(stale, (1_600_000_000, 1_600_000_000))
    ev.attach_files(ledger, tasks[0], [write(src / "a.txt", b"a")], "2023Q3")
    assert not stale.exists()
    assert fresh.exists()


# -- odd names ------------------------------------------------------------------------


ODD_NAMES = [
    "有 空格 的 文件名.docx",
    "a<b>c:d\"e|f?g*h.png" if os.name != "nt" else "a_b_c_d_e_f_g_h.png",
    "很长的文件名" * 13 + ".pdf"  # 238 UTF-8 bytes: as long as ext4 allows,
    "CON.txt",
    "没有扩展名",
    "点结尾.",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_are_kept_as_given(ledger, tasks, src, name):
    try:
        path = write(src / name, name.encode())
    except OSError:
        pytest.skip("this file system refuses the name itself")
    result = ev.attach_files(ledger, tasks[0], [path], "2023Q3")
    assert result.added[0].name == name
    stored = ev.stored_path(ledger, sha(name.encode()))
    assert stored is not None and stored.read_bytes() == name.encode()
    assert stored.name.startswith(sha(name.encode()))


def test_same_name_twice_from_different_folders(ledger, tasks, src):
    (src / "一").mkdir()
    (src / "二").mkdir()
    a = write(src / "一" / "通知.pdf", b"first")
    b = write(src / "二" / "通知.pdf", b"second")
    result = ev.attach_files(ledger, tasks[0], [a, b], "2023Q3")
    assert [(e.name, e.sha256) for e in result.added] == [("通知.pdf", sha(b"first")), ("通知.pdf", sha(b"second"))]


@pytest.mark.parametrize("name, expected", [
    ('a<b>c:d"e/f\\g|h?i*j.png', "a_b_c_d_e_f_g_h_i_j.png"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    ("com1.tar.gz", "_com1.tar.gz"),
    ("  结尾有点和空格. . ", "结尾有点和空格"),
    ("", "未命名"),
    ("???", "未命名"),
    ("制\t表\n符.doc", "制_表_符.doc"),
    ("x" * 100 + ".pdf", "x" * 76 + ".pdf"),
    ("通" * 100 + ".pdf", "通" * 65 + ".pdf"),  # 200 UTF-8 bytes at most
])
def test_safe_filename(name, expected):
    assert ev.safe_filename(name) == expected


def test_unique_name_adds_numbers_ignoring_case():
    taken: set[str] = set()
    assert [ev.unique_name(n, taken) for n in ["通知.pdf", "通知.PDF", "通知.pdf", "说明", "说明"]] == [
        "通知.pdf", "通知(2).PDF", "通知(3).pdf", "说明", "说明(2)"]


# -- page addresses and notes ---------------------------------------------------------


def test_attach_url_with_title_and_date(ledger, tasks):
    item = ev.attach_url(ledger, tasks[0], " https://www.example.gov.cn/art/2023/9/1/art_1.html ",
                         title=" 关于 公开 决策目录的通知 ", published="2023-09-01", quarter="2023Q3")
    assert (item.kind, item.name, item.url, item.published_on, item.quarter, item.sha256) == (
        "url", "关于 公开 决策目录的通知", "https://www.example.gov.cn/art/2023/9/1/art_1.html",
        "2023-09-01", "2023Q3", None)
    plain = ev.attach_url(ledger, tasks[0], "http://x.gov.cn/a", quarter="2023Q3")
    assert (plain.name, plain.published_on) == ("http://x.gov.cn/a", None)


def test_an_address_without_http_gets_it(ledger, tasks):
    item = ev.attach_url(ledger, tasks[0], " www.gov.cn/zhengce/2023.htm ", quarter="2023Q3")
    assert item.url == "http://www.gov.cn/zhengce/2023.htm"


@pytest.mark.parametrize("url", ["gov", "ftp://x.cn/a", "https://", "javascript:alert(1)", "https://a b.cn",
                                 "政府网站", "www.gov.cn 通知"])
def test_bad_url_is_refused(ledger, tasks, url):
    with pytest.raises(UserError) as caught:
        ev.attach_url(ledger, tasks[0], url)
    assert "不是有效的网页地址" in caught.value.message
    assert rows(ledger) == []


def test_bad_publication_date_is_refused(ledger, tasks):
    with pytest.raises(UserError) as caught:
        ev.attach_url(ledger, tasks[0], "https://x.cn", published="2023/9/1")
    assert caught.value.message == "发布日期“2023/9/1”格式不对,请写成 2023-09-30 这样的格式。"


def test_attach_note(ledger, tasks):
    item = ev.attach_note(ledger, tasks[1], "  已在村(社区)公开栏张贴,照片见纸质档案。 ", "2023Q2")
    assert (item.kind, item.name, item.quarter) == ("note", "已在村(社区)公开栏张贴,照片见纸质档案。", "2023Q2")
    with pytest.raises(UserError):
        ev.attach_note(ledger, tasks[1], "   ")


# -- 回收站 -----------------------------------------------------------------------------


def test_remove_moves_to_bin_and_restore_brings_back(ledger, tasks, src):
    added = ev.attach_files(ledger, tasks[0], [write(src / "a.png", PNG_BYTES)], "2023Q3").added[0]
    note = ev.attach_note(ledger, tasks[0], "说明", "2023Q3")
    removed = ev.remove(ledger, added.id)
    assert removed.removed_at is not None
    assert [e.id for e in ev.evidence_for_task(ledger, tasks[0])] == [note.id]
    assert [e.id for e in ev.evidence_for_task(ledger, tasks[0], include_removed=True)] == [added.id, note.id]
    assert [e.id for e in ledger.task(tasks[0]).evidence] == [note.id]
    assert ev.stored_path(ledger, added.sha256) is not None  # the file stays
    bin_ = ev.recycle_bin(ledger)
    assert [(b.evidence.id, b.removed_by, b.task_seq, b.task_label) for b in bin_] == [
        (added.id, ledger.user, 1, "决策目录")]
    with pytest.raises(UserError, match="已经在回收站中"):
        ev.remove(ledger, added.id)
    restored = ev.restore(ledger, added.id)
    assert restored.removed_at is None
    assert ev.recycle_bin(ledger) == []
    assert [e.id for e in ev.evidence_for_task(ledger, tasks[0])] == [added.id, note.id]
    with pytest.raises(UserError, match="不在回收站中"):
        ev.restore(ledger, added.id)
    actions = [r[0] for r in ledger.db.execute("SELECT action FROM audit ORDER BY id DESC LIMIT 2")]
    assert actions == ["从回收站恢复", "移到回收站"]


def test_remove_unknown_id(ledger, tasks):
    with pytest.raises(NotFoundError, match="没有编号为 42 的佐证材料"):
        ev.remove(ledger, 42)


def test_empty_bin_deletes_rows_and_unreferenced_files_only(ledger, tasks, src):
    shared = write(src / "shared.pdf", b"shared")
    only = write(src / "only.pdf", b"only")
    a = ev.attach_files(ledger, tasks[0], [shared, only], "2023Q3").added
    b = ev.attach_files(ledger, tasks[1], [shared], "2023Q3").added
    url = ev.attach_url(ledger, tasks[0], "https://x.cn/a", quarter="2023Q3")
    for item in (*a, url):
        ev.remove(ledger, item.id)
    result = ev.empty_recycle_bin(ledger)
    assert (result.rows, result.files, result.bytes) == (3, 1, len(b"only"))
    assert store_files(ledger) == [f"{sha(b'shared')[:2]}/{sha(b'shared')}.pdf"]
    assert [r[0] for r in rows(ledger)] == [b[0].id]
    assert ev.recycle_bin(ledger) == []
    audit = ledger.db.execute("SELECT action, before FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert audit[0] == "清空回收站"
    assert sorted(x["id"] for x in json.loads(audit[1])) == sorted([a[0].id, a[1].id, url.id])
    assert ev.empty_recycle_bin(ledger) == ev.EmptyResult(0, 0, 0)


def test_empty_bin_keeps_file_still_used_by_a_restored_row(ledger, tasks, src):
    item = ev.attach_files(ledger, tasks[0], [write(src / "a.pdf", b"a")], "2023Q3").added[0]
    again = ev.attach_files(ledger, tasks[0], [write(src / "a2.pdf", b"a")], "2023Q4").added[0]
    ev.remove(ledger, item.id)
    ev.remove(ledger, again.id)
    ev.restore(ledger, again.id)
    assert ev.empty_recycle_bin(ledger).files == 0
    assert ev.stored_path(ledger, item.sha256) is not None


def test_empty_only_some(ledger, tasks, src):
    one, two = ev.attach_files(ledger, tasks[0], [write(src / "1", b"1"), write(src / "2", b"2")], "2023Q3").added
    ev.remove(ledger, one.id)
    ev.remove(ledger, two.id)
    assert ev.empty_recycle_bin(ledger, [two.id]).rows == 1
    assert [b.evidence.id for b in ev.recycle_bin(ledger)] == [one.id]


# -- check ----------------------------------------------------------------------------


def test_check_finds_altered_and_missing_files_by_task_and_changes_nothing(ledger, tasks, src):
    ok = ev.attach_files(ledger, tasks[0], [write(src / "ok.pdf", b"fine")], "2023Q3").added[0]
    bad = ev.attach_files(ledger, tasks[1], [write(src / "bad.png", b"original")], "2023Q3").added[0]
    gone = ev.attach_files(ledger, tasks[2], [write(src / "gone.docx", b"gone")], "2023Q2").added[0]
    ev.remove(ledger, gone.id)  # in the bin: still checked, it can be restored
    ev.attach_note(ledger, tasks[0], "说明")
    assert ev.check_store(ledger).ok

    bad_path = ev.stored_path(ledger, bad.sha256)
    bad_path.chmod(0o644)
    bad_path.write_bytes(b"tampered")
    gone_path = ev.stored_path(ledger, gone.sha256)
    gone_path.chmod(0o644)
    gone_path.unlink()
    snapshot, files = dump(ledger), store_files(ledger)

    report = ev.check_store(ledger)
    assert not report.ok
    assert (report.files_total, report.files_checked, report.rows_checked) == (3, 2, 3)
    assert report.bytes_checked == len(b"fine") + len(b"tampered")
    assert [(p.problem, p.evidence.id, p.task_seq, p.in_bin) for p in report.problems] == [
        ("altered", bad.id, 2, False), ("missing", gone.id, 3, True)]
    assert list(report.by_task()) == [(1, 2, tasks[1]), (1, 3, tasks[2])]
    text = ev.format_check_report(report)
    assert "发现问题:1 条材料的文件缺失,1 条材料的文件已被改动。" in text
    assert "序号 2:=SUM(A1)规范政府网站和政务新媒体\n" in text
    assert "· “bad.png”(2023年第三季度):文件内容已改变" in text
    assert "· “gone.docx”(2023年第二季度)(在回收站中):文件缺失" in text
    assert ok.id not in [p.evidence.id for p in report.problems]
    gone_only = ev.CheckReport(problems=[p for p in report.problems if p.problem == "missing"])
    assert "发现问题:1 条材料的文件缺失。" in ev.format_check_report(gone_only)
    assert dump(ledger) == snapshot
    assert store_files(ledger) == files
    assert bad_path.read_bytes() == b"tampered"


def test_check_on_empty_ledger(ledger):
    report = ev.check_store(ledger)
    assert report.ok and report.files_total == 0
    assert ev.format_check_report(report).endswith("全部文件完好,与添加时一致。")


def test_check_reports_progress(ledger, tasks, src):
    ev.attach_files(ledger, tasks[0], [write(src / "a", b"a" * 10), write(src / "b", b"b" * 5)], "2023Q3")
    seen: list[tuple[int, int]] = []
    ev.check_store(ledger, progress=lambda done, total, name: seen.append((done, total)))
    assert seen[-1] == (15, 15)


# -- reading --------------------------------------------------------------------------


def test_tasks_without_evidence_for_a_quarter(ledger, tasks, src):
    ev.attach_note(ledger, tasks[0], "说明", "2023Q3")
    removed = ev.attach_note(ledger, tasks[1], "说明", "2023Q3")
    ev.remove(ledger, removed.id)
    ev.attach_note(ledger, tasks[2], "说明", "2023Q2")
    plan_id = ledger.plans()[0].id
    assert ev.task_ids_without_evidence(ledger, plan_id, Quarter(2023, 3)) == [tasks[1], tasks[2]]
    assert ev.task_ids_without_evidence(ledger, plan_id, "2023Q2") == [tasks[0], tasks[1]]


def test_evidence_appears_in_json_export(ledger, tasks, src):
    from zwgk_desktop.io.json_export import plan_to_json

    ev.attach_files(ledger, tasks[0], [write(src / "a.pdf", b"a")], "2023Q3")
    ev.attach_url(ledger, tasks[0], "https://x.cn/p", title="页面", quarter="2023Q3")
    data = plan_to_json(ledger, ledger.plans()[0].id)
    assert data["tasks"][0]["evidence"] == [
        {"kind": "file", "name": "a.pdf", "sha256": sha(b"a"), "url": None, "quarter": "2023Q3"},
        {"kind": "url", "name": "页面", "sha256": None, "url": "https://x.cn/p", "quarter": "2023Q3"}]


def test_viewer_copy_is_read_only_with_the_original_name(ledger, tasks, src, tmp_path):
    item = ev.attach_files(ledger, tasks[0], [write(src / "a<b>.pdf", b"pdf")], "2023Q3").added[0]
    copy = ev.viewer_copy(ledger, item, tmp_path / "view")
    assert copy.name == "a_b_.pdf"
    assert copy.read_bytes() == b"pdf"
    assert stat.S_IMODE(copy.stat().st_mode) & 0o222 == 0
    assert copy.parent.parent == tmp_path / "view"


def test_reimport_keeps_a_dropped_task_that_has_evidence_even_in_the_bin(ledger, tasks, src):
    item = ev.attach_files(ledger, tasks[2], [write(src / "a.pdf", b"a")], "2023Q3").added[0]
    ev.remove(ledger, item.id)
    evidence_plan(ledger, task_count=2, replace=True)
    assert tasks[2] in ledger.task_ids(ledger.plans()[0].id)
    assert [b.evidence.id for b in ev.recycle_bin(ledger)] == [item.id]


def test_format_size():
    assert [ev.format_size(n) for n in (None, 0, 1023, 1024, 1536, 5 * 1024 ** 2, 3 * 1024 ** 3)] == [
        "", "0 字节", "1023 字节", "1.0 KB", "1.5 KB", "5.0 MB", "3.0 GB"]


def test_several_items_go_to_the_bin_and_back_in_one_step(ledger, tasks, tmp_path):
    src = tmp_path / "多个"
    src.mkdir()
    files = [src / f"{n}.pdf" for n in ("甲", "乙", "丙")]
    for n, f in enumerate(files):
        f.write_bytes(b"%PDF-" + bytes([n]))
    added = ev.attach_files(ledger, tasks[0], files, "2023Q3").added
    before = ledger.audit_log(1)[0].id
    ev.remove_many(ledger, [a.id for a in added[:2]])
    entries = [e for e in ledger.audit_log(10) if e.id > before]
    assert [e.action for e in entries] == ["移到回收站"]
    assert [e["name"] for e in entries[0].after] == ["甲.pdf", "乙.pdf"]
    assert [i.name for i in ev.evidence_for_task(ledger, tasks[0])] == ["丙.pdf"]
    with pytest.raises(UserError):  # one of them is already there: nothing moves
        ev.remove_many(ledger, [added[1].id, added[2].id])
    assert [i.name for i in ev.evidence_for_task(ledger, tasks[0])] == ["丙.pdf"]
    ev.restore_many(ledger, [a.id for a in added[:2]])
    assert len(ev.evidence_for_task(ledger, tasks[0])) == 3
