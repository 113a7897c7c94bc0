"""CLI commands for 督办: overdue (who is behind, with what), remind (the
催办单 PDF or Word for one unit or all, recorded in the ledger as sent), overview (一页纸概况),
and recurring tasks:
recurring (periods of a task; mark it recurring or not by hand) and the period branch of
``zwgk status ID 已完成 --period 2023Q2`` (cli.cmd_status hands it here)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..core.follow_up_summary import DEFAULT_OFFICE, DEFAULT_REPLY_DAYS, default_office, default_reply_by
from .support import open_ledger, parse_date

_SORT_NAMES = {"level": "颜色(默认)", "overdue": "逾期数", "due_soon": "临期数", "no_progress": "无进展数",
               "no_evidence": "无材料数", "tasks": "任务数"}


def _days(text: str) -> int:
    if text.isdigit() and int(text) <= 366:
        return int(text)
    raise argparse.ArgumentTypeError(f"天数“{text}”不对,请写 0 到 366 之间的整数,例如 15")


def register(command: Callable) -> None:
    """Add this area's subcommands (see cli.build_parser)."""
    from ..core.deadlines import DUE_SOON_DAYS
    p = command("overdue", "督办:按单位列出已逾期、即将到期、本季度无进展、本季度无佐证材料的任务及数量", cmd_overdue)
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    p.add_argument("--unit", metavar="NAME", help="只看这个单位(列出每项任务及存在的问题)")
    p.add_argument("--days", type=_days, default=DUE_SOON_DAYS, metavar="N",
                   help=f"多少天内到期算“即将到期”(默认 {DUE_SOON_DAYS})")
    p.add_argument("--sort", choices=list(_SORT_NAMES), default="level",
                   help="排序:" + ";".join(f"{k} {v}" for k, v in _SORT_NAMES.items()))
    p.add_argument("--on", type=parse_date, metavar="YYYY-MM-DD", help="按哪一天计算(默认今天)")
    p.add_argument("--detail", action="store_true", help="列出每个单位的每项任务(只看一个单位时总是列出)")

    p = command("remind", "生成催办单(PDF 或 Word):一个单位(--unit)或全部落后单位(--all),并记入台账", cmd_remind)
    p.description = ("生成催办单(督办通知,A4 PDF 或 Word):单位、其逾期/即将到期/缺进展/缺佐证材料的任务、回复期限、"
                     "办公室名称和日期。--unit 单位 -o 催办单.pdf;--all -o 文件夹 每个单位一份,"
                     "--all -o 全部.pdf 合成一个文件(每个单位一页起)。发出的催办记入台账,显示在任务上。")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", metavar="NAME", help="催办这个单位")
    who.add_argument("--all", action="store_true", help="催办所有有落后任务的单位")
    p.add_argument("-o", "--output", required=True, metavar="FILE_OR_DIR",
                   help="输出:.pdf 或 .docx 文件;--all 时也可写文件夹(每个单位一份)")
    p.add_argument("--format", choices=["pdf", "docx"], default=None,
                   help="文件格式(默认按 -o 的扩展名,文件夹时为 pdf);docx 可在 Word/WPS 中修改后打印")
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    p.add_argument("--days", type=_days, default=DUE_SOON_DAYS, metavar="N",
                   help=f"多少天内到期算“即将到期”(默认 {DUE_SOON_DAYS})")
    p.add_argument("--reply-by", type=parse_date, metavar="YYYY-MM-DD",
                   help=f"回复期限(默认 {DEFAULT_REPLY_DAYS} 天后,逢周六、周日顺延到下周一)")
    p.add_argument("--office", metavar="NAME",
                   help=f"落款的办公室名称(默认分解表的印发单位,没有时为“{DEFAULT_OFFICE}”)")
    p.add_argument("--contact", metavar="TEXT", default="", help="联系人及电话,例如 “张三 0537-1234567”")
    p.add_argument("--on", type=parse_date, metavar="YYYY-MM-DD", help="落款日期,也按这一天计算逾期(默认今天)")
    p.add_argument("--no-record", action="store_true", help="只生成文件,不记入台账(例如先打印看看)")
    p.add_argument("--with-fill-in", action="store_true",
                   help="同时在催办单旁边生成该单位本季度的填报表(.xlsx,与 zwgk fill-in 相同,记下发记录)")

    p = command("overview", "一页纸概况(PDF,A4 一页):按章节、按牵头单位的完成情况,逾期任务,本季度进展摘要,督办情况",
                cmd_overview)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="输出的 PDF 文件,例如 一页纸概况.pdf")
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    p.add_argument("--on", type=parse_date, metavar="YYYY-MM-DD", help="截至哪一天(默认今天)")

    register_recurring(command)


def cmd_overdue(args: argparse.Namespace) -> int:
    from ..core.follow_up import lagging_units

    today = args.on or date.today()
    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        lags = lagging_units(ledger, plan.id, today=today, days=args.days, unit=args.unit, sort=args.sort,
                             include_clean=bool(args.unit))
    print("单位\t颜色\t已逾期\t即将到期\t本季度无进展\t本季度无佐证材料\t任务数")
    for lag in lags:
        colour = lag.level.label if lag.tasks else "—"
        print(f"{lag.unit}\t{colour}\t{lag.overdue}\t{lag.due_soon}\t{lag.no_progress}\t{lag.no_evidence}"
              f"\t{len(lag.tasks)}")
    if args.unit or args.detail:
        for lag in lags:
            if not lag.tasks:
                print(f"\n{lag.unit}:截至 {today.isoformat()} 没有需要催办的任务。")
                continue
            print(f"\n{lag.unit}:")
            print("编号\t序号\t完成时限\t到期日\t存在问题\t任务")
            for task in lag.tasks:
                text = task.label
                due = task.due_date.isoformat() if task.due_date else "—"
                deadline = (task.deadline_text or "—") + (f"(本期 {task.period})" if task.period else "")
                print(f"{task.task_id}\t{task.seq}\t{deadline}\t{due}\t{task.missing_text}\t"
                      f"{text[:40]}{'…' if len(text) > 40 else ''}")
    behind = [lag for lag in lags if lag.tasks]
    print(f"截至 {today.isoformat()}:{len(behind)} 个单位有需要催办的任务"
          f"(已逾期 {sum(u.overdue for u in behind)} 项次,{args.days} 天内到期 {sum(u.due_soon for u in behind)} 项次)。"
          + ("用 zwgk remind --unit 单位 -o 催办单.pdf 生成催办单。" if behind else ""), file=sys.stderr)
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    from ..core.errors import UserError
    from ..core.evidence.names import safe_file_part
    from ..core.follow_up import lagging_units, record_follow_ups
    from ..core.quarters import default_quarter
    from ..io.output_files import write_error
    from ..io.remind_docx import render_reminders_docx
    from ..io.remind_pdf import notices_for, render_reminders

    today = args.on or date.today()
    reply_by = args.reply_by or default_reply_by(today)
    if reply_by < today:
        raise UserError(f"回复期限 {reply_by.isoformat()} 早于落款日期 {today.isoformat()},没有生成催办单。"
                        "请改写 --reply-by。")
    output = Path(args.output)
    suffix = output.suffix.lower()
    kind = args.format or ("docx" if suffix == ".docx" else "pdf")
    one_file = not args.all or suffix in (".pdf", ".docx")
    if args.unit and output.is_dir():
        raise UserError(f"“{output}”是一个文件夹。催办一个单位时请写文件名,例如 -o 催办单.pdf。")
    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        office = default_office(plan, args.office or "")
        lags = [lag for lag in lagging_units(ledger, plan.id, today=today, days=args.days, unit=args.unit)
                if lag.tasks]
        if not lags:
            who = f"“{args.unit}”" if args.unit else "各单位"
            print(f"截至 {today.isoformat()},{who}没有需要催办的任务(没有逾期、即将到期、缺进展或缺佐证材料的任务),"
                  "没有生成催办单,台账没有改动。", file=sys.stderr)
            return 0
        notices = notices_for(ledger, plan.id, lags, reply_by=reply_by, office=office, issued_on=today,
                              contact=args.contact.strip())
        written: list[tuple[object, str]] = []
        missing_note = ""
        if one_file:
            if kind == "docx":
                render_reminders_docx(notices, output)
            else:
                missing_note = render_reminders(notices, output).missing
            written = [(lag, output.name) for lag in lags]
        else:
            try:
                output.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise write_error(output / "催办单.pdf", exc) from exc
            for lag, notice in zip(lags, notices):
                name = f"催办单-{safe_file_part(lag.unit)}.{kind}"
                if kind == "docx":
                    render_reminders_docx([notice], output / name)
                else:
                    missing_note = missing_note or render_reminders([notice], output / name).missing
                written.append((lag, name))
        not_recorded = bool(ledger.read_only) and not args.no_record
        if not args.no_record and not ledger.read_only:
            record_follow_ups(ledger, plan.id, written, reply_by=reply_by, office=office,
                              quarter=default_quarter(plan.year, today))
        fill_ins = _fill_ins_beside(ledger, plan, [lag.unit for lag in lags], output if not one_file else
                                    (output.parent if str(output.parent) else Path(".")), today) \
            if args.with_fill_in else []
    where = str(output)
    for lag, name in written:
        print(f"{lag.unit}\t{len(lag.tasks)} 项\t已逾期 {lag.overdue}\t{name}")
    for path in fill_ins:
        print(f"填报表\t{path}")
    recorded = "" if args.no_record or not_recorded else ",已记入台账"
    print(f"已生成催办单:{len(written)} 个单位,写入 {where}(回复期限 {reply_by.isoformat()}{recorded})。",
          file=sys.stderr)
    if missing_note:
        print(missing_note, file=sys.stderr)
    if not_recorded:
        print("提示:台账是只读打开的(写保护的 U 盘或只读的共享文件夹),这次催办没有记入台账。", file=sys.stderr)
    return 0


# -- recurring tasks ------------------------------------------------------------------------------

_MARKS = {"否": None, "不是": None, "非定期": None}
_AUTO = ("自动", "按原文", "取消")


def register_recurring(command: Callable) -> None:
    p = command("recurring", "定期任务:查看各期状态,或手工标记为定期任务(每月/每季度/每半年/每年/定期)、"
                              "“否”(不是定期任务)、“自动”(按完成时限和具体要求判断)", cmd_recurring)
    p.add_argument("task_id", type=int, metavar="TASK_ID", help="任务编号")
    p.add_argument("frequency", nargs="?", metavar="周期",
                   help="每月 | 每季度 | 每半年 | 每年 | 定期 | 否 | 自动;不写则列出各期状态")
    p.add_argument("--on", type=parse_date, metavar="YYYY-MM-DD", help="按哪一天判断是否过期(默认今天)")


def set_period_status(args: argparse.Namespace, status) -> int:
    """`zwgk status ID 已完成 --period 2023Q2`: one period of a recurring task."""
    from ..core import task_periods as tp
    from ..core.recurrence import Period

    period = Period.parse(args.period)  # a typo is the clerk's, before the ledger opens
    with open_ledger(args) as ledger:
        tp.set_period_status(ledger, args.task_id, period, status, args.on)
        task = ledger.task(args.task_id)
    on = (args.on or date.today()).isoformat()
    print(f"任务 {task.id}(序号 {task.seq}){period.label}的状态已设为“{status.value}”({on})。"
          f"任务本身的状态仍为“{task.status.value}”。")
    return 0


def cmd_recurring(args: argparse.Namespace) -> int:
    from ..core import task_periods as tp
    from ..core.recurrence import Frequency

    today = args.on or date.today()
    with open_ledger(args) as ledger:
        if args.frequency is not None:
            word = "".join(args.frequency.split())
            if word in _AUTO:
                tp.clear_recurrence(ledger, args.task_id)
                found = tp.recurrence_of(ledger, args.task_id)
                print(f"任务 {args.task_id} 按完成时限和具体要求判断:"
                      + (f"{found.label}(“{found.phrase}”)。" if found else "不是定期任务。"))
                return 0
            frequency = None if word in _MARKS else Frequency.parse(word)
            tp.set_recurrence(ledger, args.task_id, frequency)
            print(f"任务 {args.task_id} 已标记为{frequency.label}的定期任务。" if frequency
                  else f"任务 {args.task_id} 已标记为不是定期任务。")
            return 0
        found = tp.recurrence_of(ledger, args.task_id)
        if found is None:
            print(f"任务 {args.task_id} 不是定期任务。确是定期任务时用 zwgk recurring {args.task_id} 每季度 标记。")
            return 0
        where = {"deadline": "完成时限", "requirement": "具体要求", "manual": "手工标记"}[found.source]
        print(f"任务 {args.task_id}:{found.label}(来自{where}“{found.phrase}”)")
        print("期次\t到期日\t状态\t登记日期")
        for row in tp.period_rows(ledger, args.task_id, today):
            state = row.status.value if row.status else ("未登记(已过期)" if row.overdue else "未登记")
            print(f"{row.period}\t{row.due.isoformat()}\t{state}\t"
                  f"{row.status_date.isoformat() if row.status_date else ''}")
    return 0


def cmd_overview(args: argparse.Namespace) -> int:
    from ..core.overview import build_overview
    from ..io.overview_pdf import render_overview

    today = args.on or date.today()
    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        overview = build_overview(ledger, plan.id, today)
    result = render_overview(overview, args.output)
    t = overview.totals
    print(f"已生成一页纸概况:{args.output}(截至 {today.isoformat()}:任务 {t.total} 项,已完成 {t.done},"
          f"逾期 {t.overdue},完成率 {t.completion_text})。", file=sys.stderr)
    if result.missing:
        print(result.missing, file=sys.stderr)
    return 0


def _fill_ins_beside(ledger, plan, units: list[str], folder: Path, today: date) -> list[Path]:
    """The units' fill-in workbooks for the current quarter, into ``folder`` (recorded
    as issued, as ``zwgk fill-in`` does, so their replies can be merged)."""
    from ..core.exchange.send_down import default_quarter
    from ..io.fill_in import write_fill_ins

    result = write_fill_ins(ledger, plan.id, default_quarter(plan.year, today), folder, units=units)
    for note in result.skipped:
        print(f"提示:{note}", file=sys.stderr)
    return [Path(item.path) for item in result.written]
