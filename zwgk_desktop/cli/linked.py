"""The clerk in the middle: `zwgk derive` (下发本级分解表 from the superior's), `zwgk
rollup` (the county's answer composed into the superior's tasks) and `zwgk unit-map`
(the 上级单位 -> 本级单位 pairs kept in the ledger). See core/derive.py, core/rollup.py
and core/unit_mapping.py."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import UserError
from .support import open_ledger

if TYPE_CHECKING:  # for annotations only; imported where used, so commands start fast
    from ..core import derive as V
    from ..core import rollup as R


ALL = "all"


def _seqs(text: str) -> set[int] | str:
    """3,5,8-10 -> {3, 5, 8, 9, 10}; "all" -> ALL (every task)."""
    if text.strip().lower() in ("all", "全部"):
        return ALL
    result: set[int] = set()
    for part in text.replace("\uff0c", ",").replace("\u3001", ",").split(","):
        part = part.strip()
        if not part:
            continue
        lo, dash, hi = part.partition("-")
        if dash and lo.strip().isdigit() and hi.strip().isdigit():
            result.update(range(int(lo), int(hi) + 1))
        elif part.isdigit():
            result.add(int(part))
        else:
            raise argparse.ArgumentTypeError(f"序号“{part}”不对,请写成 3,5,8-10 或 all 这样的格式")
    return result


def _seq_or_all(text: str) -> int | None:
    if text.strip().lower() in ("all", "全部"):
        return None
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"序号“{text}”不对,请写一个序号(如 12)或 all")
    return int(text)


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command("derive", "由上级分解表生成本级分解表(任务与上级任务关联),并写成 .xlsx 下发", cmd_derive)
    p.description = (
        "从上级印发的分解表中选出涉及本级的任务(默认:点名各县区、本级或本级所属群组的任务),"
        "把上级单位换成本级单位(已保存的对应、--map 对应表、名称相近的本级单位;各县区等换成本级牵头单位),"
        "在台账中生成与上级分解表关联的本级分解表;-o 同时写成公文格式的 .xlsx。"
        "有上级单位还没有对应的本级单位时不生成,并列出这些单位。先加 --dry-run 查看。")
    p.add_argument("plan", type=int, metavar="PLAN", help="上级分解表编号(zwgk plans 可查)")
    p.add_argument("--map", metavar="FILE", help="单位对应表(.xlsx/.xls/.csv):两列 上级单位 | 本级单位,每行一对")
    p.add_argument("--tasks", type=_seqs, metavar="SEQS", help="要下发的上级任务序号,如 3,5,8-10;all 为全部(默认:涉及本级的任务)")
    p.add_argument("--add", metavar="FILE", help="本级自己增加的任务(分解表格式的 .xlsx/.docx/.csv),排在后面")
    p.add_argument("-o", "--output", metavar="OUT", help="写成本级分解表 .xlsx(不写时只在台账中生成)")
    p.add_argument("--local-name", metavar="NAME", help="本级名称,如 任城区、某某县(写过一次后台账会记住)")
    p.add_argument("--lead-office", metavar="UNIT", help="本级牵头单位,如 区政府办公室(各县区等群组的任务交由它牵头)")
    p.add_argument("--title", metavar="TEXT", help="本级分解表的标题(默认由上级标题换成本级名称)")
    p.add_argument("--dry-run", action="store_true", help="只显示将要生成的内容和单位对应,不写入台账")
    p.add_argument("--update", action="store_true",
                   help="上级分解表修订后更新已生成的本级分解表:加入上级新增的涉及本级的任务,上级已取消的本级任务标为已取消,"
                        "上级改写的内容和完成时限带入本级(本级改过的保留不动)。默认只预览,加 --apply 写入;"
                        "--tasks 只处理这些上级序号(all 为全部,包括没有点名本级的新增任务)")
    p.add_argument("--apply", action="store_true", help="与 --update 一起用:写入更新(一次完成,有操作记录,先自动备份)")

    p = command("rollup", "把本级任务的完成情况汇总到上级分解表的任务(默认只预览,加 --apply 写入)", cmd_rollup)
    p.description = (
        "按本级分解表中各任务的状态和本季度进展,汇总出上级任务的状态和进展:全部已完成为已完成(日期取最后完成的),"
        "有推进中或已完成为推进中,全部不适用为不适用,其余为未启动;已取消的不计。进展按“【单位】内容”逐行合并。"
        "不加 --apply 时只显示;上级任务已有不同的状态或进展时两者都列出,须用 --keep-own 或 --use-rollup 逐项选择。"
        "写入后用 zwgk export --format xlsx 导出上级分解表即带有本级的汇总结果。")
    p.add_argument("plan", type=int, metavar="PLAN", help="上级分解表编号")
    p.add_argument("--quarter", required=True, metavar="Q", help="季度,例如 2023Q3")
    p.add_argument("--apply", action="store_true", help="把汇总结果写入上级任务(一次完成,有操作记录,先自动备份)")
    p.add_argument("--keep-own", type=int, action="append", default=[], metavar="SEQ",
                   help="该序号的上级任务保留现有的状态和进展(可写多次)")
    p.add_argument("--use-rollup", type=_seq_or_all, action="append", default=[], metavar="SEQ",
                   help="该序号的上级任务改用汇总结果,替换现有的不同内容(可写多次;all 为全部)")

    p = command("unit-map", "单位对应(上级单位 → 本级单位):列出、从表格导入、导出、删除", cmd_unit_map)
    p.description = ("台账中保存的单位对应:生成本级分解表时把上级单位换成哪些本级单位。"
                     "不带选项时列出;--import 从两列表格(上级单位 | 本级单位)导入,表中写到的上级单位以表为准;"
                     "-o 导出为同样格式的 .xlsx;--remove 删除一个上级单位的对应。每次修改都有操作记录。")
    p.add_argument("--import", dest="import_file", metavar="FILE", help="单位对应表(.xlsx/.xls/.csv)")
    p.add_argument("-o", "--output", metavar="OUT", help="导出单位对应表(.xlsx)")
    p.add_argument("--remove", metavar="UNIT", help="删除这个上级单位的对应")
    p.add_argument("--local-name", metavar="NAME", help="记下本级名称,如 任城区")
    p.add_argument("--lead-office", metavar="UNIT", help="记下本级牵头单位,如 区政府办公室")


# -- derive -----------------------------------------------------------------------------------------


def cmd_derive(args: argparse.Namespace) -> int:
    if args.update:
        return cmd_derive_update(args)
    if args.apply:
        raise UserError("--apply 只用于更新本级分解表(--update);生成本级分解表时不需要它,不加 --dry-run 就会写入。")
    from ..core import derive as V
    from ..core.model import Status
    from ..io.plan_file import read_plan_file
    from ..io.plan_writer import read_unit_mapping, write_plan_xlsx

    given = read_unit_mapping(args.map) if args.map else None  # a bad file is refused before anything
    own = None
    if args.add:
        own = read_plan_file(args.add)[0].tasks
        if not own:
            raise UserError(f"“{Path(args.add).name}”中没有读到任务,没有可增加的本级任务。")
    if args.output and Path(args.output).suffix.lower() not in ("", ".xlsx"):
        raise UserError(f"本级分解表写成 .xlsx 文件,-o 请写以 .xlsx 结尾的文件名(而不是“{Path(args.output).name}”)。")
    with open_ledger(args) as ledger:
        plan = ledger.plan(args.plan)
        task_ids = None
        if args.tasks == ALL:
            task_ids = [t.id for t in ledger.tasks(plan.id) if t.status != Status.CANCELLED]
        elif args.tasks is not None:
            by_seq = {t.seq: t.id for t in ledger.tasks(plan.id)}
            missing = sorted(args.tasks - set(by_seq))
            if missing:
                raise UserError(f"分解表 {plan.id} 中没有序号 {'、'.join(map(str, missing))}"
                                f"(序号为 1~{max(by_seq) if by_seq else 0})。请核对 --tasks 中的序号(zwgk tasks --plan {plan.id} 可查)。")
            task_ids = [by_seq[s] for s in sorted(args.tasks)]
        preview = V.prepare_derive(ledger, plan.id, local_name=args.local_name, lead_office=args.lead_office,
                                   task_ids=task_ids, mapping=given, own_tasks=own, title=args.title)
        _print_preview(preview)
        if args.dry_run:
            print("(--dry-run:只显示,没有写入台账。)")
            return 0
        written: list[Path] = []

        def write_file(own_ledger, plan_id: int) -> None:
            written.append(write_plan_xlsx(own_ledger, plan_id, args.output))

        outcome = V.create_derived_plan(ledger, preview, also=write_file if args.output else None)
    print(f"已生成本级分解表 {outcome.plan_id}:{outcome.title}({outcome.task_count} 项任务,"
          f"其中上级任务 {outcome.derived} 项、本级增加 {outcome.own} 项),与上级分解表 {plan.id} 关联;"
          f"单位对应已保存 {outcome.mapping_saved} 条。")
    if written:
        print(f"已写成本级分解表文件:{written[0]}")
    print(f"下发填报表:zwgk fill-in --plan {outcome.plan_id} --all -o 填报表/")
    return 0


def _print_preview(preview: V.DerivePreview) -> None:
    from ..core import derive as V
    from ..core import unit_mapping as M
    print(f"本级分解表:{preview.title}(本级名称 {preview.local_name},牵头单位 {preview.lead_office})")
    print(f"由上级分解表 {preview.plan.id}({preview.plan.title})选出 {preview.derived_count} 项任务"
          + (f",本级增加 {preview.own_count} 项" if preview.own_count else "") + "。")
    seqs = [str(t.source_seq) for t in preview.tasks if t.source_seq is not None]
    if seqs:
        print(f"上级任务序号:{'、'.join(seqs)}")
    print("单位对应(上级单位 → 本级单位):")
    for s in preview.mapping:
        target = "、".join(s.locals) if s.locals else "(未对应)"
        print(f"  {s.superior} → {target}\t[{s.how.value}]")
    guesses = [s.superior for s in preview.mapping if s.how == M.How.GUESS]
    if guesses:
        print(f"  其中 {len(guesses)} 个是按级别推测的本级单位名称,请核对;不对时用 --map 对应表改正。")
    if preview.unmapped:
        print(f"还没有对应的上级单位 {len(preview.unmapped)} 个:{'、'.join(preview.unmapped)}"
              f"(涉及上级序号 {V.seq_list(preview.blocked_seqs)})。请在 --map 对应表中补上。")


def cmd_derive_update(args: argparse.Namespace) -> int:
    from ..core import derive as V
    from ..io.plan_writer import read_unit_mapping, write_plan_xlsx

    wrong = [name for name, given in (("--add", args.add), ("--title", args.title), ("--dry-run", args.dry_run))
             if given]
    if wrong:
        raise UserError(f"{'、'.join(wrong)} 只用于生成本级分解表,不能与 --update 一起使用"
                        "(更新时不加 --apply 就只是预览)。")
    if args.output and not args.apply:
        raise UserError("-o 要与 --apply 一起使用:预览时不写文件。确认更新内容后加 --apply -o 本级分解表.xlsx。")
    if args.output and Path(args.output).suffix.lower() not in ("", ".xlsx"):
        raise UserError(f"本级分解表写成 .xlsx 文件,-o 请写以 .xlsx 结尾的文件名(而不是“{Path(args.output).name}”)。")
    given = read_unit_mapping(args.map) if args.map else None
    with open_ledger(args) as ledger:
        plan = ledger.plan(args.plan)
        include: list[int] = []
        seqs: set[int] | None = None
        if args.tasks == ALL:
            seqs = {t.seq for t in ledger.tasks(plan.id)}
        elif args.tasks is not None:
            by_seq = {t.seq: t.id for t in ledger.tasks(plan.id)}
            missing = sorted(args.tasks - set(by_seq))
            if missing:
                raise UserError(f"分解表 {plan.id} 中没有序号 {'、'.join(map(str, missing))}"
                                f"(序号为 1~{max(by_seq) if by_seq else 0})。请核对 --tasks 中的序号(zwgk tasks --plan {plan.id} 可查)。")
            seqs = set(args.tasks)
            include = [by_seq[s] for s in sorted(seqs)]
        preview = V.prepare_update(ledger, plan.id, local_name=args.local_name, lead_office=args.lead_office,
                                   mapping=given, include=include)
        keys = V.keys_for_seqs(preview, seqs)
        _print_update(preview, keys, seqs)
        if not args.apply:
            if keys:
                print("(只是预览,没有写入台账。确认后加 --apply 写入。)")
            return 0
        written: list[Path] = []

        def write_file(own_ledger, plan_id: int) -> None:
            written.append(write_plan_xlsx(own_ledger, plan_id, args.output))

        outcome = V.apply_update(ledger, preview, keys, also=write_file if args.output else None)
        if not outcome.changed_anything and args.output:
            written.append(write_plan_xlsx(ledger, preview.county.id, args.output))
    if outcome.changed_anything:
        print(f"已更新本级分解表 {outcome.plan_id}:加入上级新增的任务 {len(outcome.added)} 项,"
              f"标为已取消 {len(outcome.cancelled)} 项,随上级修改 {len(outcome.followed)} 项。")
    else:
        print("没有需要写入的内容,台账没有改变。")
    if written:
        print(f"已写成本级分解表文件:{written[0]}")
    return 0


def _print_update(preview: V.UpdatePreview, keys: list[str], seqs: set[int] | None) -> None:
    from ..core import derive as V
    chosen = set(keys)
    print(f"本级分解表 {preview.county.id}({preview.county.title})由上级分解表 {preview.plan.id}"
          f"({preview.plan.title})生成;对照上级分解表现在的内容:")
    if preview.is_empty:
        print("本级分解表与上级分解表一致,没有需要更新的内容。")
        return
    added = [i for i in preview.of(V.UpdateKind.ADDED) if i.key in chosen]
    if added:
        print(f"上级新增的任务 {len(added)} 项(将加入本级分解表):")
        for item in added:
            print(f"  上级序号 {item.source.seq}:{item.text}")
            units = item.derived.units_text or "(无)"
            missing = f";还没有对应的本级单位:{'、'.join(item.unmapped)}" if item.unmapped else ""
            print(f"    责任单位:{_units_of(item.source)} → {units}{missing}")
            print(f"    完成时限:{item.source.deadline_text or '(无)'}")
    withdrawn = [i for i in preview.of(V.UpdateKind.WITHDRAWN) if i.key in chosen]
    if withdrawn:
        print(f"上级已取消的任务 {len(withdrawn)} 项(本级任务将标为“已取消”,记录保留):")
        for item in withdrawn:
            print(f"  上级序号 {item.source.seq} → 本级序号 {item.county.seq}:{item.text}")
    # Changes the county task does not follow are shown too (the county's own words kept, units).
    changed = [i for i in preview.of(V.UpdateKind.CHANGED)
               if i.key in chosen or (not i.writes and (seqs is None or i.source.seq in seqs))]
    if changed:
        print(f"上级改动的任务 {len(changed)} 项:")
        for item in changed:
            print(f"  上级序号 {item.source.seq} → 本级序号 {item.county.seq}:")
            for change in item.aspects:
                print(f"    {change.aspect.value}:{change.old} → {change.new}")
                if change.aspect == V.Aspect.UNITS:
                    print(f"      本级责任单位不变(现为 {change.county};按单位对应应为 {change.proposed}),"
                          "需要调整的,请改好本级分解表后按修订导入"
                          f"(zwgk import 文件 --revises {preview.county.id})。")
                elif change.edited:
                    print(f"      本级已改为:{change.county}(保留本级的,不修改)")
                else:
                    print("      本级任务将随之修改。")
    left = [i for i in preview.items if i.writes and i.key not in chosen]
    if left:
        extra = [i for i in left if i.kind == V.UpdateKind.ADDED and not i.concerns]
        others = [i for i in left if i not in extra]
        if extra:
            print(f"另有上级新增的任务 {len(extra)} 项没有点名本级,不加入:上级序号 "
                  f"{V.seq_list([i.source.seq for i in extra])}(需要时用 --tasks 指定)。")
        if others:
            print(f"未选的 {len(others)} 项(--tasks 之外):上级序号 {V.seq_list([i.source.seq for i in others])}。")
    blocked = preview.blocked(keys)
    if blocked:
        units = "、".join(dict.fromkeys(n for i in blocked for n in i.unmapped))
        print(f"还没有对应的上级单位:{units}(涉及上级序号 {V.seq_list([i.source.seq for i in blocked])})。"
              "请在 --map 对应表中补上,或用 --tasks 不选这些任务。")
    if not keys:
        print("没有可写入的更新。")


def _units_of(task) -> str:
    return "、".join(u.name for u in task.units) or "(无)"


# -- rollup -----------------------------------------------------------------------------------------


def cmd_rollup(args: argparse.Namespace) -> int:
    from ..core import rollup as R
    from ..core.quarters import Quarter
    quarter = Quarter.parse(args.quarter)  # a typo is reported before the ledger is opened
    if (args.keep_own or args.use_rollup) and not args.apply:
        raise UserError("--keep-own 和 --use-rollup 要与 --apply 一起使用(不加 --apply 时只预览)。")
    use_rollup: list[int] | None = None if None in args.use_rollup else list(args.use_rollup)
    with open_ledger(args) as ledger:
        preview = R.preview_rollup(ledger, args.plan, quarter)
        _print_rollup(preview)
        if not args.apply:
            if preview.changing:
                print("(只是预览,没有写入台账。确认后加 --apply 写入。)")
            return 0
        decisions = R.decide(preview, keep_own=args.keep_own, use_rollup=use_rollup)
        outcome = R.apply_rollup(ledger, preview, decisions)
    if not outcome.tasks:
        print("没有需要写入的内容,台账没有改变。")
        return 0
    print(f"已汇总到上级分解表 {preview.plan.id}:{len(outcome.tasks)} 项任务(状态 {outcome.statuses} 项,"
          f"{preview.quarter.label}进展 {outcome.notes} 项)。"
          f"导出上级格式:zwgk export --plan {preview.plan.id} --format xlsx --quarter {preview.quarter} -o 落实情况.xlsx")
    return 0


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in (text or "").splitlines()) or "      (无)"


def _print_rollup(preview: R.RollupPreview) -> None:
    plans = "、".join(f"{p.id}" for p in preview.derived_plans)
    print(f"上级分解表 {preview.plan.id}({preview.plan.title}),{preview.quarter.label};本级分解表 {plans}。")
    changing = preview.changing
    if not preview.rows:
        print("上级任务都没有可汇总的本级任务(本级任务均已取消)。")
        return
    for row in changing:
        mark = "  【需选择】" if row.competes else ""
        print(f"序号 {row.seq}:{row.summary}{mark}")
        if row.changes_status:
            print(f"  状态:{row.current_status_text} → {row.status_text}"
                  + ("(上级任务现有状态不同,须选择)" if row.status_competes else ""))
        if row.changes_note:
            if row.note_competes:
                print("  现有进展(不同,须选择):")
                print(_indent(row.current_note))
            print("  汇总后的进展:" if row.note else "  汇总后的进展:(本级本季度没有进展,将清空现有进展)")
            if row.note:
                print(_indent(row.note))
    same = len(preview.rows) - len(changing)
    print(f"共 {len(preview.rows)} 项上级任务有本级任务:{len(changing)} 项将修改,{same} 项与汇总结果相同"
          + (f",{len(preview.competing)} 项需要选择(--keep-own 或 --use-rollup)" if preview.competing else "") + "。")


# -- unit-map ---------------------------------------------------------------------------------------


def cmd_unit_map(args: argparse.Namespace) -> int:
    from ..core import unit_mapping as M
    from ..io.plan_writer import read_unit_mapping, write_unit_mapping

    given = read_unit_mapping(args.import_file) if args.import_file else None
    with open_ledger(args) as ledger:
        if args.local_name or args.lead_office:
            values = {M.LOCAL_NAME: args.local_name or "", M.LEAD_OFFICE: args.lead_office or ""}
            changed = M.set_settings(ledger, values)
            print("已记下本级设置。" if changed else "本级设置没有变化。")
        if given is not None:
            result = M.replace_mapping(ledger, given, Path(args.import_file).name)
            print(f"已从“{Path(args.import_file).name}”读到 {result.superiors} 个上级单位的 {result.pairs} 条对应,"
                  f"其中 {len(result.changed)} 个上级单位的对应有变化。")
        if args.remove:
            old = M.remove_mapping(ledger, args.remove)
            print(f"已删除“{args.remove}”的对应(原为 {'、'.join(old)})。")
        mapping = M.stored_mapping(ledger)
        settings = M.get_settings(ledger)
    if args.output:
        if not mapping:
            raise UserError("台账中还没有保存任何单位对应,没有可导出的内容。")
        path = write_unit_mapping(mapping, args.output)
        print(f"已导出 {len(mapping)} 个上级单位的对应到 {path}")
        return 0
    if args.import_file or args.remove or args.local_name or args.lead_office:
        return 0
    print(f"本级名称:{settings.get(M.LOCAL_NAME, '(未设置)')}\t本级牵头单位:{settings.get(M.LEAD_OFFICE, '(未设置)')}")
    if not mapping:
        print("台账中还没有保存单位对应。生成本级分解表(zwgk derive)时会保存所用的对应;也可用 --import 导入。")
        return 0
    print("上级单位\t本级单位")
    for superior, locals_ in mapping.items():
        print(f"{superior}\t{'、'.join(locals_)}")
    return 0
