"""CLI commands for keeping a ledger safe: init, backup, restore, backups."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .support import open_ledger


def register(command: Callable) -> None:
    """Add this area's subcommands (see cli.build_parser)."""
    p = command("init", "新建一个空台账(台账文件夹不存在或为空时)", cmd_init)
    p.add_argument("folder", metavar="DIR", help="新台账的文件夹")

    p = command("backup", "完整备份台账:数据库和全部佐证材料写入一个 .zip,附 SHA-256 清单", cmd_backup)
    p.description = ("完整备份台账:数据库(程序窗口开着时也一致)、全部佐证材料文件和每个文件的 SHA-256 清单,"
                     "写入一个 .zip 文件。请把备份存到另一块磁盘或 U 盘上。")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="备份文件,例如 台账备份-2024-06-30.zip")

    p = command("restore", "从完整备份恢复台账到一个新的(或空的)文件夹", cmd_restore)
    p.description = ("从 zwgk backup 做的备份恢复台账。先核对备份中每个文件的 SHA-256,全部无误才写入;"
                     "只写入新的或空的文件夹,不会覆盖已有的台账。也用于把台账搬到新电脑。")
    p.add_argument("zip", metavar="BACKUP.zip", help="备份文件")
    p.add_argument("--to", required=True, metavar="DIR", dest="target", help="恢复到的文件夹(新的或空的)")

    p = command("backups", "列出自动备份(每次导入、重新导入、汇总和恢复之前自动保存);可恢复到其中之一", cmd_backups)
    p.description = ("列出台账文件夹 backups/ 中的自动备份(只含数据库;佐证材料文件从不改写,不需要备份)。"
                     "加 --restore 编号 --yes 把台账恢复到那时的状态,当前状态会先自动备份,可以再恢复回来。")
    p.add_argument("--restore", type=int, metavar="N", help="恢复到第 N 个自动备份(见列表中的编号)")
    p.add_argument("--yes", action="store_true", help="确认恢复(与 --restore 一起使用)")


def cmd_init(args: argparse.Namespace) -> int:
    from ..core.errors import UserError
    from ..core.ledger import LEDGER_FILE, Ledger
    from ..core.locations import remember_ledger
    folder = Path(args.folder).expanduser()
    if (folder / LEDGER_FILE).exists():
        raise UserError(f"“{folder}”中已经有台账,不需要新建。直接使用:zwgk --ledger “{folder}” plans")
    if folder.exists() and folder.is_dir() and any(folder.iterdir()):
        raise UserError(f"文件夹“{folder}”不是空的。为免和其他文件混在一起,请为新台账指定一个新的或空的文件夹。")
    try:
        folder.mkdir(parents=True, exist_ok=True)  # asked for explicitly: the whole path
    except OSError as exc:
        raise UserError(f"无法建立文件夹“{folder}”:{exc.strerror or exc}。请选择一个有写入权限的位置。") from exc
    with Ledger.open(folder, create=True) as ledger:
        if ledger.read_only:
            raise UserError(f"无法在“{folder}”中新建台账:这个位置不允许写入。")
    remember_ledger(folder)
    print(f"已新建空台账:{folder}")
    print(f"导入任务分解表:zwgk --ledger “{folder}” import 文件.xlsx")
    return 0


def _progress_printer(label: str) -> Callable[[int, int, str], None]:
    shown = [-1]

    def report(done: int, total: int, _name: str) -> None:
        if not sys.stderr.isatty() or total <= 0:
            return
        percent = done * 100 // total
        if percent != shown[0]:
            shown[0] = percent
            print(f"\r{label} {percent}%", end="", file=sys.stderr, flush=True)

    return report


def cmd_backup(args: argparse.Namespace) -> int:
    from ..core import backup as bk
    from ..core.evidence import format_size
    with open_ledger(args) as ledger:
        result = bk.write_backup(ledger, args.output, _progress_printer("正在备份"))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"已备份台账到 {result.path}")
    print(f"  数据库 {format_size(result.database_bytes)};佐证材料文件 {result.files} 个({format_size(result.bytes)})")
    if result.missing:
        print(f"  注意:有 {len(result.missing)} 个佐证材料文件在台账中找不到,未能备份。"
              "请运行 zwgk check 查看详情。", file=sys.stderr)
    print("  请把备份文件存到另一块磁盘或 U 盘上。恢复:zwgk restore 备份.zip --to 新文件夹")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..core import backup as bk
    from ..core.evidence import format_size
    from ..core.ledger import Ledger
    result = bk.restore_backup(args.zip, Path(args.target).expanduser(), _progress_printer("正在核对"))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    # The restored ledger must open (and is upgraded here if the backup is older).
    with Ledger.open(result.folder, create=False) as ledger:
        plans = ledger.plans()
    print(f"已从 {Path(args.zip).name}(备份于 {result.created_at[:16].replace('T', ' ')})恢复台账到 {result.folder}")
    print(f"  分解表 {len(plans)} 个;佐证材料文件 {result.files} 个({format_size(result.bytes)}),"
          "SHA-256 全部核对无误。")
    print(f"  使用:zwgk --ledger “{result.folder}” plans;检查:zwgk --ledger “{result.folder}” check")
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from ..core import backup as bk
    from ..core.errors import LedgerDamagedError, UserError
    from ..core.evidence import format_size
    from ..core.ledger import LEDGER_FILE
    from ..core.locations import resolve_ledger_dir
    if args.yes and args.restore is None:
        raise UserError("--yes 需要与 --restore 一起使用:zwgk backups --restore 编号 --yes")
    folder = resolve_ledger_dir(getattr(args, "ledger", None))
    if not (folder / LEDGER_FILE).exists():
        open_ledger(args).close()  # the plain "no ledger here" message
    backups = bk.list_backups(folder)
    if args.restore is None:
        if not backups:
            print("还没有自动备份。每次导入、重新导入、汇总和恢复之前,程序会自动备份台账数据库。")
            return 0
        print("编号\t时间\t备份于\t大小")
        for i, item in enumerate(backups, 1):
            print(f"{i}\t{item.at:%Y-%m-%d %H:%M:%S}\t{item.action}之前\t{format_size(item.size)}")
        print(f"共 {len(backups)} 个(保留最近 {bk.KEEP_AUTOMATIC} 个)。恢复:zwgk backups --restore 编号 --yes")
        return 0
    if not 1 <= args.restore <= len(backups):
        raise UserError(f"没有编号为 {args.restore} 的自动备份。用 zwgk backups 查看列表。")
    chosen = backups[args.restore - 1]
    if not args.yes:
        raise UserError(f"恢复到 {chosen.label}的状态后,之后所做的修改将不在台账中"
                        "(当前状态会先自动备份,可以再恢复回来)。确认恢复,请执行:"
                        f"zwgk backups --restore {args.restore} --yes")
    try:
        ledger = open_ledger(args)
    except LedgerDamagedError:
        saved = bk.replace_damaged_database(folder, chosen)
        print(f"台账数据库已损坏,已换成 {chosen.label}的自动备份。损坏的文件已移到 {saved}。")
        return 0
    with ledger:
        saved = bk.restore_auto_backup(ledger, chosen)
    print(f"已把台账恢复到 {chosen.label}的状态。")
    if saved is not None:
        print("  恢复前的状态已自动备份(编号 1),需要时可用 zwgk backups --restore 1 --yes 恢复回来。")
    return 0
