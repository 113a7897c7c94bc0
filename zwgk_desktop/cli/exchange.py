"""CLI commands for Excel 交换: export --format xlsx, fill-in, merge (and --undo), units."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .support import open_ledger

if TYPE_CHECKING:  # for annotations only; imported where used, so commands start fast
    from ..core import exchange as X
    from ..core.quarters import Quarter


def _named_quarter(args: argparse.Namespace) -> Quarter | None:
    """``--quarter`` read once, before the ledger is opened: a typo is said first."""
    from ..core.quarters import Quarter
    text = getattr(args, "quarter", None)
    return Quarter.parse(text) if text else None


def _quarter(named: Quarter | None, plan_year: int) -> Quarter:
    """The quarter named, else the current one during the plan's year (else its 四季度)."""
    from ..core.quarters import default_quarter
    return named if named is not None else default_quarter(plan_year)


def _seqs(text: str) -> set[int]:
    result: set[int] = set()
    for part in text.replace("\uff0c", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, _, hi = part.partition("-")
            if lo.strip().isdigit() and hi.strip().isdigit():
                result.update(range(int(lo), int(hi) + 1))
                continue
        if not part.isdigit():
            raise argparse.ArgumentTypeError(f"序号“{part}”不对,请写成 3,5,7 或 3-7 这样的格式")
        result.add(int(part))
    return result


def register(command: Callable) -> None:
    """Add this area's subcommands: `command(name, help, handler)` returns the
    subparser to add options to (see cli.build_parser)."""
    p = command("fill-in", "生成下发给各单位的填报表(.xlsx)", cmd_fill_in)
    p.description = ("生成下发给责任单位的填报表:只含该单位牵头或配合的任务(及其所属群组的任务),"
                     "任务原文锁定,可填写进展情况、完成状态、完成时间、佐证材料说明。"
                     "--unit 写群组名称(如 各镇(街道))时为每个成员各生成一份,-o 为文件夹;"
                     "--all 为分解表中的所有单位各生成一份,-o 为文件夹。")
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", metavar="NAME", action="append", help="单位或群组名称(可写多次)")
    who.add_argument("--all", action="store_true", help="分解表中的所有单位(群组按成员展开)")
    p.add_argument("--quarter", metavar="Q", help="填报季度,例如 2023Q3(默认:分解表当年的当前季度,往年分解表为其第四季度)")
    p.add_argument("--sender", metavar="NAME", help="下发单位名称,写在填报说明中(可选)")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="输出的 .xlsx 文件(一个单位时),或文件夹(多个单位、群组或 --all)")

    p = command("merge", "汇总各单位报送的填报表(默认只预览,加 --apply 写入台账)", cmd_merge)
    p.description = ("读取各单位报送回来的填报表,列出将要修改的内容(原值 → 新值)、冲突、拒绝汇总和无法对应的行。"
                     "不加 --apply 时只显示,不修改台账;加 --apply 后一次写入所有无冲突的修改(有操作记录),"
                     "有冲突的修改需再加 --force 才会写入。报送表只能修改下发给该单位的任务。"
                     "几份报送表对同一项填得不一样时只能选其一:用 --prefer 指定以哪个单位(或哪份文件)为准,"
                     "否则 --force 也不写入。"
                     "--undo 撤销最近一次写入的汇总(或 --undo 编号 指定的那次)。")
    p.add_argument("files", nargs="*", metavar="FILE", help="报送回来的填报表(可多个)")
    p.add_argument("--plan", type=int, metavar="ID", help="只汇总到这个分解表(默认按报送表自动判断)")
    p.add_argument("--quarter", metavar="Q", help="报送表中没有注明季度时使用的季度(默认当前季度)")
    p.add_argument("--only", type=_seqs, metavar="SEQ,...", help="只处理这些序号的任务,例如 3,5,8-10")
    p.add_argument("--apply", action="store_true", help="把修改写入台账(一次完成)")
    p.add_argument("--prefer", action="append", metavar="UNIT",
                   help="几份报送表对同一项填得不一样时,以这个单位(或这份报送表文件名)填的为准;"
                        "可写多次,先写的优先,例如 --prefer 区国金局")
    p.add_argument("--force", action="store_true",
                   help="与 --apply 一起:有冲突的修改也写入(几份报送表填得不一样的,需用 --prefer 选定);"
                        "与 --undo 一起:汇总后又被修改过的内容也恢复")
    p.add_argument("--undo", nargs="?", const=0, type=int, metavar="ID",
                   help="撤销最近一次写入的汇总,或编号为 ID 的那次(汇总后又被修改过的内容不恢复,除非加 --force)")

    p = command("units", "单位名录:列出单位和群组;import / add-member / remove-member / rename 修改", cmd_units)
    p.description = ("单位名录:台账中的责任单位,以及表中统称的群组(如 各镇(街道)、区政府各部门单位)及其成员。"
                     "不带子命令时列出名录。")
    actions = p.add_subparsers(dest="units_action", metavar="操作", parser_class=type(p),
                               help="import:从表格导入;add-member / remove-member:增减群组成员;rename:改名")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--ledger", metavar="DIR", default=argparse.SUPPRESS, help="台账文件夹")
        return sub

    sub = action("import", "从两列的表格导入单位名录(群组 | 成员,或 单位名称 | 所属群组)")
    sub.add_argument("file", metavar="FILE", help="名录表格(.xlsx/.xls/.csv)")
    sub = action("add-member", "把单位加入群组(名录中没有的单位会新建)")
    sub.add_argument("group", metavar="GROUP", help="群组名称,例如 各镇(街道)")
    sub.add_argument("member", metavar="MEMBER", help="成员单位名称")
    sub = action("remove-member", "把单位移出群组")
    sub.add_argument("group", metavar="GROUP", help="群组名称")
    sub.add_argument("member", metavar="MEMBER", help="成员单位名称")
    sub = action("rename", "修改单位名称(任务仍属于该单位;分解表原文不变)")
    sub.add_argument("old", metavar="OLD", help="原名称")
    sub.add_argument("new", metavar="NEW", help="新名称")


# -- export --format xlsx ----------------------------------------------------------------------


def export_xlsx(args: argparse.Namespace) -> int:
    """`zwgk export --format xlsx -o OUT.xlsx [--quarter Q]` (called from cli.cmd_export)."""
    from ..core.errors import UserError
    from ..io.xlsx_export import export_plan_xlsx

    if not args.output:
        raise UserError("导出 Excel 需要用 -o 指定文件名,例如 -o 落实情况.xlsx。")
    named = _named_quarter(args)
    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        quarter = _quarter(named, plan.year)
        summary = export_plan_xlsx(ledger, plan.id, quarter, args.output)
    print(f"已导出分解表 {plan.id}({summary.tasks} 项任务,{quarter.label}进展)到 {summary.path}", file=sys.stderr)
    return 0


# -- fill-in -----------------------------------------------------------------------------------


def cmd_fill_in(args: argparse.Namespace) -> int:
    from ..core import exchange as X
    from ..core import unit_directory as D
    from ..core.errors import UserError
    from ..core.units import is_group_name
    from ..io.fill_in import NOT_RECORDED, issue_fill_in, write_fill_ins

    named = _named_quarter(args)
    output = Path(args.output)
    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        quarter = _quarter(named, plan.year)
        if args.all:
            if output.suffix.lower() == ".xlsx":
                raise UserError("--all 为每个单位各生成一份填报表,-o 请写一个文件夹,例如 -o 填报表。")
            result = write_fill_ins(ledger, plan.id, quarter, output, sender=args.sender or "")
        else:
            recipients = D.expand_recipients(ledger, args.unit)
            groups = [name for name in recipients if is_group_name(name)]
            if groups and len(groups) == len(recipients):
                raise UserError("、".join(D.group_without_members_text(g) for g in groups) + ",没有生成填报表。")
            if len(recipients) == 1 and output.suffix.lower() == ".xlsx":
                fill = X.fill_in_for(ledger, plan.id, recipients[0], quarter, sender=args.sender or "")
                shown = X.printable_text(fill.unit)
                if not fill.rows:
                    raise UserError(f"“{shown}”在分解表 {plan.id} 中没有任务,没有生成填报表。"
                                    "请检查单位名称,或在单位名录中把它加入相应的群组。")
                path = issue_fill_in(ledger, fill, output)
                print(f"已生成“{shown}”{quarter.label}填报表({len(fill.rows)} 项任务):{path}")
                if shown != fill.unit:
                    print("提示:单位名称中有看不见的控制字符,表中已去掉这些字符;建议在单位名录中改正名称。")
                if ledger.read_only:
                    print(f"提示:{NOT_RECORDED}")
                return 0
            if output.suffix.lower() == ".xlsx":
                names = "、".join(recipients[:5]) + ("等" if len(recipients) > 5 else "")
                raise UserError(f"{'、'.join(args.unit)}共有 {len(recipients)} 个单位({names}),每个单位各生成一份"
                                "填报表,-o 请写一个文件夹,例如 -o 填报表。")
            result = write_fill_ins(ledger, plan.id, quarter, output, units=args.unit, sender=args.sender or "")
    for item in result.written:
        print(f"{X.printable_text(item.unit)}\t{item.tasks} 项\t{item.path}")
    for note in result.notes:
        print(f"提示:{note}")
    for group in result.groups_without_members:
        print(f"提示:{D.group_without_members_text(group)}(没有为它生成填报表)。")
    if result.skipped:
        print(f"未生成 {len(result.skipped)} 份:")
        for note in result.skipped:
            print(f"  {note}")
    print(f"已生成 {len(result.written)} 份{quarter.label}填报表,保存在 {output}")
    return 1 if result.skipped and not result.written else 0


# -- merge -------------------------------------------------------------------------------------


def _print_change(change: X.Change) -> None:
    from ..core.exchange.merge import NOT_LISTED_WHEN_ISSUED

    old = change.old or "(空)"
    print(f"  序号 {change.seq}“{change.task_text}” {change.field_name}:{_one_line(old)} → "
          f"{_one_line(change.shown_new)}〔{change.who} 第 {change.row} 行〕")
    if change.note:
        print(f"      说明:{change.note}")
    if change.day_note:
        print(f"      日期:{change.day_note}")
    if change.conflict:
        print(f"      冲突:{change.conflict}")
        if change.issued is not None:
            issued = "(未列在下发的填报表中)" if change.issued == NOT_LISTED_WHEN_ISSUED else change.issued
            print(f"        下发时:{_one_line(issued or '(空)')}")
            print(f"        台账现在:{_one_line(old)}")
            print(f"        报送表:{_one_line(change.shown_new)}")


def _one_line(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cmd_merge(args: argparse.Namespace) -> int:
    from ..core import exchange as X
    from ..core.errors import UserError
    from ..core.exchange.changes import competition_lines
    from ..core.quarters import Quarter
    from ..io.reply_reader import read_replies

    if args.undo is not None:
        if args.files or args.apply or args.only or args.prefer:
            raise UserError("--undo 单独使用:zwgk merge --undo(撤销最近一次汇总)或 zwgk merge --undo 编号。")
        return _undo(args)
    if not args.files:
        raise UserError("请写出要汇总的报送表文件,例如:zwgk merge 报送/*.xlsx;撤销上次汇总:zwgk merge --undo。")
    replies, problems = read_replies(args.files)
    with open_ledger(args) as ledger:
        if not replies:
            raise UserError("没有可以汇总的报送表:\n" + "\n".join(problems))
        preview = X.preview_merge(ledger, replies, plan_id=args.plan, problems=problems,
                                  default_quarter=Quarter.parse(args.quarter) if args.quarter else None)
        if args.only:
            preview = preview.only(args.only)
        if args.prefer:
            preview = preview.preferring(args.prefer)
        groups = preview.competing()
        print(f"报送表 {len(replies)} 份:")
        for reply in replies:
            print(f"  {X.describe_reply(reply)}")
        clean, conflicts = preview.clean, preview.conflicts
        print(f"修改 {len(clean)} 处:" if clean else "修改:无")
        for change in clean:
            _print_change(change)
        if conflicts:
            print(f"冲突 {len(conflicts)} 处(加 --apply --force 才会写入):")
            for change in conflicts:
                _print_change(change)
        if preview.refused:
            print(f"拒绝汇总 {len(preview.refused)} 处(不会写入台账):")
            for item in preview.refused:
                print(f"  {item.where}“{item.text}”:{item.reason}")
        if preview.unmatched:
            print(f"无法对应的行 {len(preview.unmatched)} 行:")
            for item in preview.unmatched:
                print(f"  {item.source} 第 {item.row} 行“{item.text}”:{item.reason}")
        if groups:
            print(f"各报送表填得不一样的 {len(groups)} 项(只能选其一,用 --prefer 单位名称或文件名选定):")
            for line in competition_lines(groups):
                print(f"  {line}")
        if preview.problems:
            print("提示:")
            for text in preview.problems:
                print(f"  {text}")
        if args.apply and args.force and groups:
            example = next((c.unit for c in groups[0] if c.role == "牵头"), None) or groups[0][0].source
            raise UserError(
                f"有 {len(groups)} 项各报送表填得不一样,同一项只能写入其中一个,没有写入任何修改:\n"
                + "\n".join(f"  {line}" for line in competition_lines(groups))
                + f"\n请选定以哪份为准:加 --prefer 单位名称或报送表文件名(例如 --prefer {example});"
                  "或用 --only 只写入其他序号;也可以一次只汇总一份报送表。")
        if not args.apply:
            if preview.changes:
                print("以上为预览,台账未修改。确认无误后加 --apply 写入台账。")
            return 0
        result = X.apply_merge(ledger, preview.changes, force=args.force)
    if result.applied:
        print(f"已写入 {len(result.applied)} 处修改(涉及 {len(result.task_ids)} 项任务),可用 zwgk log 查看操作记录。")
        print(f"汇总编号 {result.merge_id};如需撤销:zwgk merge --undo {result.merge_id}")
    else:
        print("没有写入任何修改。")
    if result.skipped_conflicts:
        print(f"未写入有冲突的修改 {len(result.skipped_conflicts)} 处;核对后可加 --force 写入"
              + (f"(其中各报送表填得不一样的 {len(groups)} 项还需用 --prefer 选定以哪份为准)。" if groups else "。"))
    if result.outdated:
        print(f"有 {len(result.outdated)} 处在预览后台账又有变化,未写入,请重新汇总。")
    if result.superseded:
        print(f"有 {len(result.superseded)} 处与另一份报送表填得相同,只写入一次。")
    return 0


_LIST_LIMIT = 50


def _undo(args: argparse.Namespace) -> int:
    from ..core import exchange as X
    with open_ledger(args) as ledger:
        result = X.undo_merge(ledger, args.undo or None, force=args.force)
    print(f"已撤销汇总 {result.merge_id}({'、'.join(result.files)}):恢复 {len(result.restored)} 处。")
    for line in result.restored[:_LIST_LIMIT]:
        print(f"  {line}")
    if len(result.restored) > _LIST_LIMIT:
        print(f"  ……其余 {len(result.restored) - _LIST_LIMIT} 处见 zwgk log")
    if result.edited:
        print(f"有 {len(result.edited)} 处在汇总后又被修改过,保持现状未恢复:")
        for line in result.edited:
            print(f"  {line}")
        print(f"核对后如确需恢复为汇总前的内容,请执行:zwgk merge --undo {result.merge_id} --force")
    return 0


# -- units -------------------------------------------------------------------------------------


def cmd_units(args: argparse.Namespace) -> int:
    from ..core import unit_directory as D
    action = getattr(args, "units_action", None)
    with open_ledger(args) as ledger:
        if action == "import":
            from ..io.reply_reader import read_directory_pairs

            pairs = read_directory_pairs(args.file)
            result = D.import_pairs(ledger, pairs, Path(args.file).name)
            print(f"已从“{Path(args.file).name}”读到 {result.pairs} 条:新增成员关系 {result.added} 条,"
                  f"已有 {result.already} 条,新建单位 {len(result.new_units)} 个。")
            for text in result.skipped:
                print(f"  跳过:{text}")
            return 0
        if action == "add-member":
            added = D.add_member(ledger, args.group, args.member)
            print(f"已把“{args.member}”加入“{args.group}”。" if added else f"“{args.member}”已是“{args.group}”的成员。")
            return 0
        if action == "remove-member":
            D.remove_member(ledger, args.group, args.member)
            print(f"已把“{args.member}”移出“{args.group}”。")
            return 0
        if action == "rename":
            D.rename_unit(ledger, args.old, args.new)
            print(f"已把“{args.old}”改名为“{args.new}”。")
            return 0
        units = D.directory(ledger)
    if not units:
        print("单位名录是空的。导入分解表后,表中的责任单位会自动加入名录。")
        return 0
    groups = [u for u in units if u.is_group]
    plain = [u for u in units if not u.is_group]
    if groups:
        print("群组\t成员数\t任务数\t成员")
        for unit in groups:
            members = "、".join(unit.members) if unit.members else "(尚未登记成员)"
            print(f"{unit.name}\t{len(unit.members)}\t{unit.task_count}\t{members}")
        print()
    print("单位\t任务数\t所属群组\t联系人")
    for unit in plain:
        print(f"{unit.name}\t{unit.task_count}\t{'、'.join(unit.groups)}\t{unit.contact or ''}")
    return 0
