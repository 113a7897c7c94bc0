"""The content store (core/evidence/store.py): files named by their SHA-256 and kept once,
a damaged copy healed by the next attach, the clerk's files untouched, stored files and
viewer copies read-only, odd names kept, stale temporary files cleared. How files get
in (all or nothing, durably, several at once) is pinned in test_evidence_copying.py."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from tests.core.test_evidence import (
    PNG_BYTES,
    evidence_plan,
    rows,
    sha,
    store_files,
    write,
)
from zwgk_desktop.core import evidence as ev


@pytest.fixture
def tasks(ledger) -> list[int]:
    return evidence_plan(ledger)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "我的文件"
    folder.mkdir()
    return folder


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


def test_viewer_copy_is_read_only_with_the_original_name(ledger, tasks, src, tmp_path):
    item = ev.attach_files(ledger, tasks[0], [write(src / "a<b>.pdf", b"pdf")], "2023Q3").added[0]
    copy = ev.viewer_copy(ledger, item, tmp_path / "view")
    assert copy.name == "a_b_.pdf"
    assert copy.read_bytes() == b"pdf"
    assert stat.S_IMODE(copy.stat().st_mode) & 0o222 == 0
    assert copy.parent.parent == tmp_path / "view"
