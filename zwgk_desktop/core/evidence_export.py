"""One task's evidence handed out as ordinary files: the store keeps files under their
content hash (not for browsing), so a clerk who wants "the materials of 序号 12" gets
copies under their own names, plus the page addresses and notes in a text file."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import evidence as ev
from .errors import UserError
from .ledger import Ledger

LINKS_FILE = "网页地址和说明.txt"


def _unique(folder: Path, name: str, taken: set[str]) -> Path:
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 2
    while candidate.lower() in taken or (folder / candidate).exists():
        candidate = f"{stem}({n}){suffix}"
        n += 1
    taken.add(candidate.lower())
    return folder / candidate


def export_task_evidence(ledger: Ledger, task_id: int, folder: Path) -> list[Path]:
    """Copy the task's files (not those in the 回收站) into ``folder`` under their own
    names, made safe and unique; addresses and notes go into one text file. Returns
    what was written. A missing stored file is reported, after the others are copied."""
    items = ev.evidence_for_task(ledger, task_id)
    if not items:
        raise UserError("这项任务还没有佐证材料,没有可导出的内容。")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建文件夹“{folder}”:{exc.strerror or exc}。请换一个位置。") from exc
    written: list[Path] = []
    taken: set[str] = set()
    missing: list[str] = []
    lines: list[str] = []
    for item in items:
        quarter = item.quarter.label
        if item.kind == ev.KIND_FILE:
            source = ev.stored_path(ledger, item.sha256)
            if source is None:
                missing.append(item.name)
                continue
            target = _unique(folder, ev.safe_filename(item.name), taken)
            try:
                shutil.copyfile(source, target)
            except OSError as exc:
                raise UserError(f"无法写入“{target}”:{exc.strerror or exc}。请检查磁盘空间和写入权限。") from exc
            written.append(target)
        elif item.kind == ev.KIND_URL:
            lines.append(f"{quarter}  {item.name}  {item.url}")
        else:
            lines.append(f"{quarter}  说明:{item.name}")
    if lines:
        links = _unique(folder, LINKS_FILE, taken)
        links.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
        written.append(links)
    if missing:
        raise UserError(f"已导出 {len(written)} 个文件;以下材料的文件在台账中找不到了:{'、'.join(missing)}。"
                        "请运行“检查佐证材料”,并从备份中找回。")
    return written
