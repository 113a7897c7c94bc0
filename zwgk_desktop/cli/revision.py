"""`zwgk import 修订版.xlsx --revises PLAN [--apply] [--pair OLD=NEW]`: a corrected table
from the same office, compared with the plan it corrects.

Without ``--apply`` it only prints the changes (old → new), grouped and counted, so
the clerk reads them before anything is written. ``cmd_import`` hands over here
(cli/plans.py); there is no command of its own, because to the clerk it is an import.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ..core.errors import UserError
from ..core.revision import ChangeKind, RevisionChange, RevisionPreview, apply_revision, preview_revision
from .support import open_ledger

_HEADINGS = {
    ChangeKind.TITLE: "分解表标题({n} 项):",
    ChangeKind.REWORDED: "改写的任务({n} 项):",
    ChangeKind.ADDED: "新增的任务({n} 项):",
    ChangeKind.REMOVED: "取消的任务({n} 项,将标为“已取消”:保留已填写的内容,不再计入统计):",
    ChangeKind.UNITS: "责任单位有变化({n} 项):",
    ChangeKind.DEADLINE: "完成时限有变化({n} 项):",
    ChangeKind.SECTION: "章节有变化({n} 项):",
}
_COUNT_WORDS = {
    ChangeKind.TITLE: "标题改动",
    ChangeKind.REWORDED: "改写",
    ChangeKind.ADDED: "新增",
    ChangeKind.REMOVED: "取消",
    ChangeKind.UNITS: "责任单位变化",
    ChangeKind.DEADLINE: "完成时限变化",
    ChangeKind.SECTION: "章节变化",
}


def parse_pairs(texts: list[str]) -> list[tuple[int, int]]:
    """``["2=3"]`` -> ``[(2, 3)]``, with the complaint in Chinese."""
    pairs = []
    for text in texts:
        old, sep, new = text.replace("=", "=").partition("=")
        try:
            if not sep:
                raise ValueError
            pairs.append((int(old.strip()), int(new.strip())))
        except ValueError:
            raise UserError(f"--pair {text} 的写法不对,台账没有改动。请写成 原序号=新序号,例如 --pair 2=2。") from None
    return pairs


def cmd_revise(args: argparse.Namespace) -> int:
    from ..core.plan_import import apply_unit_directory, known_unit_names, reading_doubts
    from ..io.table_reader import ReadOptions, parse_column_map
    from ..io.prose_reader import prose_doubts, read_plan_or_prose

    name = Path(args.file).name
    if args.revises is None:
        raise UserError("--apply 和 --pair 只能与 --revises 一起使用(例如 zwgk import 修订版.xlsx --revises 1 --apply),"
                        "台账没有改动。")
    if getattr(args, "replace", False):
        raise UserError("--revises 与 --replace 不能同时使用,台账没有改动。修订版用 --revises;"
                        "同一文件按新的设置重新读取用 --replace。")
    if getattr(args, "as_new", False):
        raise UserError("--revises 与 --as-new 不能同时使用,台账没有改动。修订版用 --revises;"
                        "作为另一个分解表导入用 --as-new。")
    if getattr(args, "dry_run", False) and args.apply:
        raise UserError("--dry-run 与 --apply 不能同时使用,台账没有改动。只看修订内容时去掉 --apply 即可。")
    pairs = parse_pairs(args.pair or [])
    with open_ledger(args) as ledger:
        plan = ledger.plan(args.revises)
        options = ReadOptions(year=args.year, sheet=args.sheet,
                              column_map=parse_column_map(args.column_map) if args.column_map else {},
                              default_deadline=args.deadline)
        prose = True if getattr(args, "prose", False) else None
        reading = read_plan_or_prose(args.file, options, prose=prose)
        if not reading.plan.year_found and args.year is None:
            # A revision belongs to its plan's year: read the deadlines in that year.
            options = dataclasses.replace(options, year=plan.year)
            reading = read_plan_or_prose(args.file, options, prose=prose)
        parsed = reading.plan
        apply_unit_directory(parsed, known_unit_names(ledger))
        doubts = (prose_doubts if reading.is_prose else reading_doubts)(parsed)
        if doubts and not args.force:
            raise UserError(
                f"文件“{name}”的读取结果看起来不对,没有比对,台账没有改动:\n"
                + "".join(f"  · {d}\n" for d in doubts)
                + f"处理办法:用 zwgk import {name} --dry-run 查看每一列是怎样认出的;列认错了可用 --map 指定;"
                "确认无误时加 --force。")
        preview = preview_revision(ledger, plan.id, parsed, reading.digest, pairs=pairs)
        print_preview(preview, name, applying=args.apply)
        if not args.apply:
            print("加 --apply 写入台账")
            return 0
        result = apply_revision(ledger, preview)
    counts = ";".join(f"{_COUNT_WORDS[k]} {n} 项" for k, n in result.counts.items()) or "内容没有变化"
    print(f"已按“{name}”修订分解表 {result.plan_id}:{counts}。操作记录 {result.audit_rows} 条;"
          "修订前已自动备份(zwgk backups 可查看)。")
    return 0


def _seq(change: RevisionChange) -> str:
    if change.old_seq is None:
        return f"新序号 {change.new_seq}"
    if change.new_seq is None:
        return f"原序号 {change.old_seq}"
    if change.old_seq == change.new_seq:
        return f"序号 {change.old_seq}"
    return f"序号 {change.old_seq}→{change.new_seq}"


def print_preview(preview: RevisionPreview, name: str, *, applying: bool = False) -> None:
    """Every change, old → new, grouped by kind with its count."""
    parsed = preview.parsed
    tail = "" if applying else ",没有写入台账"
    print(f"修订预览:“{name}”(工作表“{parsed.sheet}”)→ 分解表 {preview.plan_id}《{preview.plan_title}》"
          f"({preview.year} 年){tail}")
    matched = len(preview.matches)
    print(f"  新表 {len(parsed.tasks)} 项任务:与原有任务对应上 {matched} 项(其中 {preview.unchanged} 项没有变化),"
          f"新增 {len(preview.added)} 项;原有任务取消 {len(preview.removed)} 项。")
    counts = preview.counts()
    if not counts:
        print("  新表与分解表的内容相同,没有需要修订的地方(写入时只记下新的来源文件)。")
    else:
        print("  共 " + "、".join(f"{_COUNT_WORDS[k]} {n} 项" for k, n in counts.items()) + "。")
    for kind, count in counts.items():
        print(_HEADINGS[kind].format(n=count))
        for change in (c for c in preview.changes if c.kind == kind):
            if kind == ChangeKind.TITLE:
                print(f"  {change.old} → {change.new}")
            elif kind == ChangeKind.ADDED:
                late = "(完成时限已过)" if change.new_seq in preview.past_due else ""
                print(f"  {_seq(change)}:{change.new}{late}")
            elif kind == ChangeKind.REMOVED:
                print(f"  {_seq(change)}:{change.old}")
            else:
                print(f"  {_seq(change)}:{change.old} → {change.new}")
    if preview.suggestions:
        print("可能是同一项任务(文字改动较大,暂按“取消 + 新增”处理;如确是同一项,加 --pair 原序号=新序号):")
        for s in preview.suggestions:
            print(f"  原序号 {s.old_seq}“{s.old}” ↔ 新序号 {s.new_seq}“{s.new}”(相似度 {s.similarity:.0%})"
                  f"  --pair {s.old_seq}={s.new_seq}")
    if preview.pairs:
        print("按要求视为同一项:" + "、".join(f"原序号 {o} = 新序号 {n}" for o, n in preview.pairs))
    for note in preview.notes + parsed.warnings:
        print(f"提示:{note}")
