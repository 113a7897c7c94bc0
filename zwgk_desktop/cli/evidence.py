"""CLI commands for 佐证材料: attach, evidence, evidence-remove,
evidence-restore, recycle-bin, check, evidence-package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .support import open_ledger, parse_date

if TYPE_CHECKING:  # for annotations only; imported where used, so commands start fast
    from ..core.quarters import Quarter

EXIT_CHECK_PROBLEMS = 1



def register(command: Callable) -> None:
    """Add this area's subcommands: `command(name, help, handler)` returns the
    subparser to add options to (see cli.build_parser)."""
    p = command("attach", "给任务添加佐证材料:文件(可多个)、网页地址或一段说明", cmd_attach)
    p.description = ("给任务添加佐证材料。文件会复制到台账的 evidence 文件夹中保存,原文件不会被移动或修改;"
                     "多个文件要么全部添加,要么(出错时)一个也不添加。以 http:// 或 https:// 开头的参数是网页地址;"
                     "只写 --note 不写路径则添加一段说明。")
    p.add_argument("task_id", type=int, metavar="TASK_ID", help="任务编号")
    p.add_argument("paths", nargs="*", metavar="PATH_OR_URL", help="要添加的文件(可多个),或一个网页地址")
    p.add_argument("--quarter", metavar="Q", help="季度,例如 2023Q3(默认当前季度)")
    p.add_argument("--note", metavar="TEXT", help="说明文字;与文件或网页地址一起时作为其备注")
    p.add_argument("--title", metavar="TEXT", help="网页标题(仅用于网页地址)")
    p.add_argument("--published", type=parse_date, metavar="YYYY-MM-DD", help="网页发布日期(仅用于网页地址)")

    p = command("evidence", "列出任务的佐证材料(含编号,供移到回收站时使用)", cmd_evidence)
    p.add_argument("task_id", type=int, metavar="TASK_ID", help="任务编号")
    p.add_argument("--all", action="store_true", dest="include_removed", help="同时列出回收站中的材料")

    p = command("evidence-remove", "把佐证材料移到回收站(可恢复)", cmd_remove)
    p.add_argument("evidence_id", type=int, metavar="EVIDENCE_ID", help="材料编号(见 zwgk evidence)")

    p = command("evidence-restore", "从回收站恢复佐证材料", cmd_restore)
    p.add_argument("evidence_id", type=int, metavar="EVIDENCE_ID", help="材料编号(见 zwgk recycle-bin)")

    p = command("recycle-bin", "查看回收站;加 --empty --yes 清空(永久删除,不能撤销)", cmd_recycle_bin)
    p.add_argument("--empty", action="store_true", help="清空回收站:删除其中的材料及不再被使用的文件")
    p.add_argument("--yes", action="store_true", help="确认清空(与 --empty 一起使用)")

    p = command("check", "检查台账数据库和佐证材料文件是否完好(损坏、缺失或被改动);不修改台账。"
                         "退出码:0 全部完好,1 发现问题,2 输入有误", cmd_check)
    p.epilog = ("退出码:0 全部完好;1 数据库损坏,或发现缺失、被改动的文件;2 台账无法打开等输入错误。"
                "中断的操作留下的临时文件(.part、.tmp)会列出大小,加 --remove-temp 删除。")
    p.add_argument("--remove-temp", action="store_true",
                   help="删除中断的操作留下的临时文件(.part、.tmp;10 分钟内的不删,可能正在写入)")

    p = command("evidence-package", "导出佐证材料包(.zip 或文件夹,含 目录.xlsx)", cmd_package)
    p.description = ("导出佐证材料包:按“序号-任务简称/文件名”整理,附 目录.xlsx。"
                     "-o 写 .zip 文件名导出压缩包;写以 / 结尾的路径或已有文件夹则导出为文件夹。")
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    p.add_argument("--unit", metavar="NAME", help="只导出该责任单位(牵头或配合)的任务")
    p.add_argument("--quarter", metavar="Q", help="只导出该季度的材料,例如 2023Q3")
    p.add_argument("--no-link-files", action="store_true",
                   help="网页地址和说明只写入目录,不另存为 .url/.txt 文件")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="输出的 .zip 文件或文件夹")


def _quarter(text: str | None) -> Quarter:
    from ..core.quarters import Quarter
    return Quarter.parse(text) if text else Quarter.current()


def cmd_attach(args: argparse.Namespace) -> int:
    from ..core import evidence as ev
    from ..core.errors import UserError
    quarter = _quarter(args.quarter)
    urls = [p for p in args.paths if p.lower().startswith(("http://", "https://"))]
    files = [p for p in args.paths if p not in urls]
    if (args.title or args.published) and not urls:
        raise UserError("--title 和 --published 只用于网页地址。请同时写上以 http:// 或 https:// 开头的网页地址。")
    if urls and (files or len(urls) > 1):
        raise UserError("一次只能添加一个网页地址,且不能与文件一起添加。请分开执行 zwgk attach。")
    with open_ledger(args) as ledger:
        if urls:
            item = ev.attach_url(ledger, args.task_id, urls[0], args.title, args.published, quarter, args.note)
            print(f"已为任务 {args.task_id} 添加{quarter.label}的网页地址(材料 {item.id}):{item.name}")
            return 0
        if not files:
            if args.note is None:
                raise UserError("请写出要添加的文件或网页地址,或用 --note 添加一段说明。"
                                "例如:zwgk attach 17 通知.pdf 截图.png --quarter 2023Q3")
            item = ev.attach_note(ledger, args.task_id, args.note, quarter)
            print(f"已为任务 {args.task_id} 添加{quarter.label}的说明(材料 {item.id})。")
            return 0
        result = ev.attach_files(ledger, args.task_id, [Path(f) for f in files], quarter, args.note)
    for item in result.added:
        print(f"已添加 材料 {item.id}:{item.name}({ev.format_size(item.size)})")
    for name in result.already:
        print(f"未重复添加:{name}(该任务{quarter.label}已有内容相同的文件)")
    print(f"任务 {args.task_id} {quarter.label}:新增 {len(result.added)} 个文件。")
    return 0


def _describe(item) -> str:
    """One line about an item; names recorded before they were cleaned lose their control
    and direction characters here (ESC would drive the terminal)."""
    from ..core import evidence as ev
    name = ev.clean_name(item.name)
    if item.kind == ev.KIND_FILE:
        return f"{name}({ev.format_size(item.size)})"
    if item.kind == ev.KIND_URL:
        extra = f",发布于 {item.published_on}" if item.published_on else ""
        title = "" if item.name == item.url else f"{name} "
        return f"{title}{ev.clean_name(item.url or '')}{extra}"
    return name


def cmd_evidence(args: argparse.Namespace) -> int:
    from ..core import evidence as ev
    with open_ledger(args) as ledger:
        task = ledger.task(args.task_id)
        items = ev.evidence_for_task(ledger, task.id, include_removed=args.include_removed)
    print(f"任务 {task.id}(序号 {task.seq}):{ev.task_label(task.title, task.requirement, 40)}")
    if not items:
        print("还没有佐证材料。用 zwgk attach 任务编号 文件 添加。")
        return 0
    print("编号\t季度\t类型\t材料\t添加时间\t添加人")
    for item in items:
        flag = "\t(在回收站中)" if item.removed_at else ""
        note = f"\t备注:{ev.clean_name(item.note)}" if item.note else ""
        print(f"{item.id}\t{item.quarter}\t{ev.KIND_NAMES.get(item.kind, item.kind)}\t{_describe(item)}\t"
              f"{item.added_at[:16].replace('T', ' ')}\t{item.added_by}{note}{flag}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from ..core import evidence as ev
    with open_ledger(args) as ledger:
        item = ev.remove(ledger, args.evidence_id)
    print(f"已把材料 {item.id}“{item.name}”移到回收站。需要时可用 zwgk evidence-restore {item.id} 恢复。")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..core import evidence as ev
    with open_ledger(args) as ledger:
        item = ev.restore(ledger, args.evidence_id)
    print(f"已恢复材料 {item.id}“{item.name}”(任务 {item.task_id},{item.quarter.label})。")
    return 0


def cmd_recycle_bin(args: argparse.Namespace) -> int:
    from ..core import evidence as ev
    from ..core.errors import UserError
    if args.yes and not args.empty:
        raise UserError("--yes 需要与 --empty 一起使用:zwgk recycle-bin --empty --yes")
    with open_ledger(args) as ledger:
        entries = ev.recycle_bin(ledger)
        if args.empty:
            if not entries:
                print("回收站是空的。")
                return 0
            if not args.yes:
                raise UserError(f"清空回收站会永久删除其中的 {len(entries)} 项材料,不能撤销。"
                                "确认要清空,请执行:zwgk recycle-bin --empty --yes")
            result = ev.empty_recycle_bin(ledger, [e.evidence.id for e in entries])
            print(f"已清空回收站:删除 {result.rows} 项材料,{result.files} 个不再使用的文件"
                  f"({ev.format_size(result.bytes)})。")
            return 0
    if not entries:
        print("回收站是空的。")
        return 0
    print("编号\t任务\t季度\t类型\t材料\t移入时间\t操作人")
    for entry in entries:
        item = entry.evidence
        print(f"{item.id}\t{entry.task_seq}-{entry.task_label}\t{item.quarter}\t"
              f"{ev.KIND_NAMES.get(item.kind, item.kind)}\t{_describe(item)}\t"
              f"{(item.removed_at or '')[:16].replace('T', ' ')}\t{entry.removed_by}")
    print(f"共 {len(entries)} 项。恢复:zwgk evidence-restore 编号;清空:zwgk recycle-bin --empty --yes")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import sqlite3

    from ..core import evidence as ev
    from ..core import integrity
    from ..core.errors import LedgerDamagedError
    from ..core.locations import resolve_ledger_dir

    folder = resolve_ledger_dir(getattr(args, "ledger", None))
    try:
        ledger = open_ledger(args)
    except LedgerDamagedError as exc:  # what SQLite can still tell, and where the backups are
        db = integrity.check_database_file(folder, exc.__cause__)
        print(integrity.format_database_check(db, folder))
        _remove_temps(args, db.temps)
        return EXIT_CHECK_PROBLEMS
    with ledger:
        db = integrity.check_database(ledger)
        try:
            report = ev.check_store(ledger)
        except sqlite3.DatabaseError as exc:
            report = None
            db.problems.append(str(exc))
    print(integrity.format_database_check(db, folder))
    if report is not None:
        print(ev.format_check_report(report))
    _remove_temps(args, db.temps)
    return 0 if db.ok and report is not None and report.ok else EXIT_CHECK_PROBLEMS


def _remove_temps(args: argparse.Namespace, temps: list) -> None:
    from ..core import integrity

    if not args.remove_temp or not temps:
        return
    removed = integrity.remove_temps([path for path, _ in temps])
    print(f"已删除 {removed} 个临时文件。" + (f"另有 {len(temps) - removed} 个未删除(可能正在写入,或没有权限)。"
                                              if removed < len(temps) else ""))


def cmd_package(args: argparse.Namespace) -> int:
    from ..core import evidence as ev
    from ..core.quarters import Quarter
    from ..io.evidence_package import write_evidence_package

    quarter = Quarter.parse(args.quarter) if args.quarter else None
    with open_ledger(args) as ledger:
        result = write_evidence_package(ledger, args.output, plan_id=args.plan, unit=args.unit, quarter=quarter,
                                        link_files=not args.no_link_files)
    kind = "文件夹" if result.as_folder else "压缩包"
    print(f"已导出佐证材料包({kind}):{result.path}")
    print(f"  任务 {result.tasks} 项;文件 {result.files} 个({ev.format_size(result.bytes)});"
          f"网页地址 {result.links} 个;说明 {result.notes} 条;目录见 目录.xlsx")
    for problem in result.problems:
        print(f"  注意:{problem}", file=sys.stderr)
    if result.problems:
        print("  有材料文件缺失或被改动,已在 目录.xlsx 的“检查结果”列注明。可运行 zwgk check 查看详情。",
              file=sys.stderr)
    return 0
