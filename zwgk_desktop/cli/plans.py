"""The ledger's own commands: import a table, list plans and tasks, set a status or a
quarter's progress, export, and read the audit log."""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from ..core.errors import UserError
from ..core.limits import check_note
from ..core.model import Status
from ..core.quarters import Quarter
from .arguments import parse_year
from .support import open_ledger, parse_date

Command = Callable[[str, str, Callable[[argparse.Namespace], int]], argparse.ArgumentParser]


def register(command: Command) -> None:
    p = command("import", "导入任务分解表(.xlsx/.xls/.docx/.csv)", cmd_import)
    p.add_argument("file", metavar="FILE", help="任务分解表文件")
    p.add_argument("--year", type=parse_year, help="分解表的年份(标题中没有年份时需要)")
    p.add_argument("--sheet", metavar="NAME", help="要导入的工作表名称(默认自动选择)")
    p.add_argument("--map", metavar="MAP", dest="column_map",
                   help="指定各列,例如 requirement=C,units=B,deadline=D(可用列字母、列号或表头文字)")
    p.add_argument("--replace", action="store_true",
                   help="同一文件再次导入时替换原分解表(已填写的状态、进展会保留)")
    p.add_argument("--issuer", metavar="NAME", help="印发单位(可选)")
    p.add_argument("--deadline", metavar="TEXT",
                   help="统一的完成时限,用于没有“完成时限”一列的表(及该列为空的任务),例如 12月底前")
    p.add_argument("--dry-run", action="store_true",
                   help="只显示读取结果(各列含义及理由、任务、责任单位、到期日),不写入台账")
    p.add_argument("--force", action="store_true",
                   help="读取结果看起来不对(大多数任务没有责任单位、完成时限读不懂等)时仍然导入")
    p.add_argument("--prose", action="store_true",
                   help="按正文读取工作要点(通知原文 .docx/.txt,任务后括号中写明责任单位);"
                        "文件中没有任务表时会自动这样读取")
    p.add_argument("--revises", type=int, metavar="PLAN",
                   help="这是分解表 PLAN 的修订版:列出新增、取消、改写的任务及责任单位、完成时限的变化(已填写的内容保留)")
    p.add_argument("--as-new", action="store_true", dest="as_new",
                   help="台账中已有同标题、同年份的分解表时,仍作为另一个分解表导入(不是它的修订版)")
    p.add_argument("--apply", action="store_true", help="与 --revises 一起:把列出的修订写入台账")
    p.add_argument("--pair", action="append", default=[], metavar="OLD_SEQ=NEW_SEQ",
                   help="与 --revises 一起:把原序号 OLD_SEQ 的任务与新表序号 NEW_SEQ 的任务视为同一项(可多次使用)")

    command("plans", "列出台账中的分解表", cmd_plans)

    p = command("status", "设置任务状态", cmd_status)
    p.add_argument("task_id", type=int, metavar="TASK_ID", help="任务编号(导出 JSON 中的 id)")
    p.add_argument("status", metavar="STATUS", help="未启动 | 推进中 | 已完成 | 不适用 | 已取消")
    p.add_argument("--on", type=parse_date, metavar="YYYY-MM-DD", help="状态生效日期(默认今天)")
    p.add_argument("--period", metavar="PERIOD",
                   help="定期任务的某一期,例如 2023Q2、2023-05、2023H1、2023(只登记这一期,任务本身的状态不变)")

    p = command("progress", "填写任务某季度的进展", cmd_progress)
    p.add_argument("task_id", type=int, metavar="TASK_ID", help="任务编号")
    p.add_argument("--quarter", required=True, metavar="Q", help="季度,例如 2023Q3")
    p.add_argument("text", metavar="TEXT", help="进展情况(写 - 则从标准输入读取;空文本删除该季度进展)")

    p = command("export", "导出分解表", cmd_export)
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    p.add_argument("--format", required=True, choices=["json", "xlsx"], help="导出格式")
    p.add_argument("-o", "--output", metavar="FILE", help="输出文件(默认输出到屏幕)")
    p.add_argument("--quarter", metavar="Q", help="xlsx:“本季度进展”一列的季度,例如 2023Q3(默认:分解表当年的当前季度,往年分解表为其第四季度)")

    p = command("tasks", "列出任务及其编号(可按单位、状态、时限、关键词筛选)", cmd_tasks)
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    p.add_argument("--unit", metavar="NAME", help="责任单位(含其所属群组的任务)")
    p.add_argument("--status", metavar="STATUS", help="未启动 | 推进中 | 已完成 | 不适用 | 已取消")
    p.add_argument("--overdue", action="store_true", help="只列已逾期的任务")
    p.add_argument("--review", action="store_true", help="只列到期日需核对的任务")
    p.add_argument("--search", metavar="TEXT", default="", help="关键词(任务内容、责任单位、进展)")

    p = command("log", "查看操作记录", cmd_log)
    p.add_argument("--limit", type=int, default=50, help="显示最近多少条(默认 50)")


def cmd_import(args: argparse.Namespace) -> int:
    if getattr(args, "revises", None) is not None or getattr(args, "apply", False) or getattr(args, "pair", None):
        from .revision import cmd_revise

        return cmd_revise(args)
    from ..core.plan_import import apply_unit_directory, known_unit_names, reading_doubts, write_plan
    from ..io.headers import column_letter
    from ..io.table_reader import MEANING_NAMES, ReadOptions, parse_column_map

    options = ReadOptions(year=args.year, sheet=args.sheet,
                          column_map=parse_column_map(args.column_map) if args.column_map else {},
                          default_deadline=args.deadline)
    prose = True if getattr(args, "prose", False) else None
    table = _read_table(args.file, options) if prose is None else None
    if table is not None:
        (parsed, digest), draft, doubts_of = table, None, reading_doubts
    else:  # no table that reads (or --prose): the prose reader decides, as in the window
        from ..io.prose_reader import prose_doubts, read_plan_or_prose

        reading = read_plan_or_prose(args.file, options, prose=prose)
        parsed, digest, draft = reading.plan, reading.digest, reading.draft
        doubts_of = prose_doubts if reading.is_prose else reading_doubts
    name = Path(args.file).name
    if args.dry_run:
        with _existing_ledger(args) as ledger:  # known unit names help split cells; never created here
            if ledger is not None:
                apply_unit_directory(parsed, known_unit_names(ledger))
        _print_preview(parsed, name, doubts_of(parsed))
        if draft is not None:
            from .draft import print_skipped

            print_skipped(draft)
        return 0
    if not parsed.year_found:
        raise UserError(f"文件“{name}”中没有写明分解表的年份(标题、文件名、工作表名和完成时限中都没有),"
                        f"无法算出到期日,台账没有改动。\n处理办法:加 --year 写明年份,例如 zwgk import {name} --year 2023。")
    doubts = doubts_of(parsed)  # (splitting names by the directory changes none of these)
    if doubts and not args.force:
        raise UserError(
            f"文件“{name}”的读取结果看起来不对,没有导入,台账没有改动:\n"
            + "".join(f"  · {d}\n" for d in doubts)
            + f"处理办法:用 zwgk import {name} --dry-run 查看每一列是怎样认出的;列认错了可用 --map 指定"
            "(例如 --map requirement=C,units=D,deadline=E);确认无误时加 --force 导入。")
    with open_ledger(args, create_default=True) as ledger:
        if not getattr(args, "as_new", False):
            _refuse_a_second_plan_of_the_same_name(ledger, parsed, digest, args.file)
        apply_unit_directory(parsed, known_unit_names(ledger))
        outcome = write_plan(ledger, parsed, digest, replace=args.replace, issuer=args.issuer)
    verb = "重新导入" if outcome.replaced else "已导入"
    print(f"{verb}“{name}”(工作表“{parsed.sheet}”)为分解表 {outcome.plan_id}:{parsed.title}")
    print(f"  年份 {parsed.year};任务 {outcome.task_count} 项;章节 {outcome.section_count} 个;"
          f"责任单位 {outcome.unit_count} 个")
    mapping = ";".join(
        f"{column_letter(col)}列“{parsed.columns[col]}”→{MEANING_NAMES.get(meaning, meaning)}"
        for col, meaning in sorted((col, meaning) for meaning, cols in parsed.mapping.items() for col in cols))
    print(f"  列对应:{mapping}")
    if outcome.review_seqs:
        shown = "、".join(map(str, outcome.review_seqs[:30])) + ("……" if len(outcome.review_seqs) > 30 else "")
        print(f"  需要核对完成时限的任务:{len(outcome.review_seqs)} 项(序号 {shown})")
    else:
        print("  需要核对完成时限的任务:无")
    for warning in parsed.warnings:
        print(f"  提示:{warning}")
    for text in outcome.kept_old:
        print(f"  保留:原有任务“{text[:30]}”在新文件中找不到,因已有填写内容而保留。")
    return 0


def _read_table(file: str, options) -> tuple[object, str] | None:
    """The file's table and SHA-256, read the way ``read_plan_or_prose`` reads a file
    first; None when that fails, and ``read_plan_or_prose`` then decides (the work
    points as prose, or the table's complaint). A table needs none of the prose
    reader, which is loaded only then."""
    from ..core.plan_import import sha256_of
    from ..io.readers import read_workbook
    from ..io.table_reader import read_plan

    try:
        parsed = read_plan(read_workbook(file), options)
        return parsed, sha256_of(file)
    except (UserError, OSError):  # FileReadError is a UserError
        return None


def _refuse_a_second_plan_of_the_same_name(ledger, parsed, digest: str, file: str) -> None:
    """A file with the title and year of a plan already here is, nearly always, that
    plan's revised table: importing it as a plan of its own would split the clerk's
    year in two without a word. The window asks (这是分解表 N 的修订版吗?); the command
    line stops and names both ways on. The same file again is ``--replace``'s (or the
    duplicate import's) business, not this."""
    if ledger.plan_by_sha256(digest) is not None:
        return
    plans = {p.id: p for p in ledger.plans()}
    if not any(p.year == parsed.year for p in plans.values()):
        return  # no plan of that year: nothing it could revise (core.revision not needed)
    from ..core.revision import plans_matching

    matching = plans_matching(ledger, parsed.title, parsed.year, digest)
    if not matching:
        return
    name = Path(file).name
    named = "、".join(f"分解表 {pid}(《{plans[pid].title}》,{plans[pid].year} 年,导入自“{plans[pid].source_name}”)"
                     for pid in matching)
    typed = f'"{file}"' if any(c.isspace() for c in file) else file
    raise UserError(f"文件“{name}”的标题和年份与{named}相同:如果是上级印发的修订版,请用 "
                    f"zwgk import {typed} --revises {matching[0]};确实要作为另一个分解表导入,请加 --as-new。"
                    "台账没有改动。")


@contextlib.contextmanager
def _existing_ledger(args: argparse.Namespace) -> Iterator[object]:
    """The ledger read-only if one exists where the command would look, else None."""
    from ..core.ledger import LEDGER_FILE, Ledger
    from ..core.locations import resolve_ledger_dir

    folder = resolve_ledger_dir(getattr(args, "ledger", None))
    if not (folder / LEDGER_FILE).is_file():
        yield None
        return
    try:
        ledger = Ledger.open(folder, create=False, read_only=True)
    except (UserError, sqlite3.DatabaseError):
        yield None  # a preview does not need the directory
        return
    try:
        yield ledger
    finally:
        ledger.close()


def _print_preview(parsed, name: str, doubts: list[str]) -> None:
    """What ``--dry-run`` prints: the reading as the wizard shows it."""
    from ..io.headers import column_letter
    from ..io.table_reader import MEANING_NAMES

    print(f"预览“{name}”(工作表“{parsed.sheet}”,没有写入台账):{parsed.title}")
    year = f"{parsed.year}" if parsed.year_found else f"{parsed.year}(文件中没有写年份,按今年预览;导入时请加 --year)"
    print(f"  年份 {year};任务 {len(parsed.tasks)} 项;章节 {len(parsed.sections)} 个;"
          f"责任单位 {len(parsed.unit_names)} 个")
    print("列对应及理由:")
    meaning_of = {col: meaning for meaning, cols in parsed.mapping.items() for col in cols}
    for col, label in enumerate(parsed.columns):
        reason = parsed.column_reasons[col] if col < len(parsed.column_reasons) else ""
        if not label.strip() and not reason:
            continue
        meaning = MEANING_NAMES.get(meaning_of[col], meaning_of[col]) if col in meaning_of else "不导入"
        print(f"  {column_letter(col)}列“{label}”→{meaning}" + (f":{reason}" if reason else ""))
    print("任务(序号、章节、具体要求、责任单位、完成时限、到期日):")
    for task in parsed.tasks:
        text = " ".join(((f"【{task.title}】" if task.title else "") + task.requirement).split())
        units = "、".join(u.name + ("(牵头)" if u.role.value == "lead" and len(task.units) > 1 else "")
                         for u in task.units) or "—"
        if task.deadline.due_date is not None:
            due = task.deadline.due_date.isoformat() + (" 需核对" if task.deadline.needs_review else "")
        else:
            due = "需核对" if task.deadline.needs_review else "—"
        print(f"  {task.seq}\t{' › '.join(task.section)}\t{text}\t{units}\t{task.deadline.text or '—'}\t{due}")
    for warning in parsed.warnings:
        print(f"提示:{warning}")
    for doubt in doubts:
        print(f"读取结果可能不对:{doubt}")
    if doubts:
        print("(正式导入时会拒绝这样的读取结果;列认错了可用 --map 指定,确认无误时加 --force。)")


def cmd_plans(args: argparse.Namespace) -> int:
    with open_ledger(args) as ledger:
        plans = ledger.plans()
        if not plans:
            print("台账中还没有分解表。用 zwgk import 文件 导入任务分解表。")
            return 0
        print("编号\t年份\t任务数\t标题\t来源文件\t导入时间")
        for p in plans:
            print(f"{p.id}\t{p.year}\t{p.task_count}\t{p.title}\t{p.source_name}\t{p.imported_at[:16].replace('T', ' ')}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    status = Status.parse(args.status)
    if getattr(args, "period", None):
        from .follow_up import set_period_status

        return set_period_status(args, status)
    with open_ledger(args) as ledger:
        ledger.set_status(args.task_id, status, args.on)
        task = ledger.task(args.task_id)
    on = (args.on or date.today()).isoformat()
    print(f"任务 {task.id}(序号 {task.seq})状态已设为“{status.value}”,自 {on} 起生效。")
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    quarter = Quarter.parse(args.quarter)
    text = sys.stdin.read() if args.text == "-" else args.text
    check_note(text, f"任务 {args.task_id} {quarter.label}的进展")
    with open_ledger(args) as ledger:
        ledger.set_progress(args.task_id, quarter, text)
    if text.strip():
        print(f"已保存任务 {args.task_id} {quarter.label}的进展。")
    else:
        print(f"已删除任务 {args.task_id} {quarter.label}的进展。")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "xlsx":
        from .exchange import export_xlsx

        return export_xlsx(args)
    from ..io.json_export import plan_to_json, write_json

    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        data = plan_to_json(ledger, plan.id)
    text = write_json(data, args.output)  # UserError with a plain message if it cannot be written
    if args.output:
        print(f"已导出分解表 {plan.id}({len(data['tasks'])} 项任务)到 {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from ..core import task_query

    timing = task_query.Timing.OVERDUE if args.overdue else (
        task_query.Timing.NEEDS_REVIEW if args.review else None)
    statuses = frozenset({Status.parse(args.status)}) if args.status else frozenset()
    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        flt = task_query.TaskFilter(plan_id=plan.id, unit=args.unit, statuses=statuses, timing=timing,
                                    search=args.search)
        ids, summary = task_query.filtered(ledger, flt)
        rows = task_query.task_rows(ledger, ids, Quarter.current())
        from ..core.follow_up import follow_ups_by_task

        sent = follow_ups_by_task(ledger, plan.id)  # last column: 催办 (zwgk remind) so far
        print("编号\t序号\t状态\t到期日\t责任单位\t任务\t催办")
        for tid in ids:
            row = rows[tid]
            due = row.due_date.isoformat() if row.due_date else ("需核对" if row.needs_review else "—")
            title = f"【{row.title}】" if row.title else ""
            text = " ".join((title + row.requirement).split())  # one line per task
            urged = sent.get(tid, [])
            urged_text = f"{len(urged)} 次,最近 {urged[-1]['sent_at'][:10]}" if urged else ""
            print(f"{row.id}\t{row.seq}\t{row.status.value}\t{due}\t{row.units_display}\t"
                  f"{text[:40]}{'…' if len(text) > 40 else ''}\t{urged_text}")
    print(f"共 {summary.total} 项:已完成 {summary.done},推进中 {summary.in_progress},"
          f"未启动 {summary.not_started},不适用 {summary.not_applicable},逾期 {summary.overdue}"
          + (f";另有已取消 {summary.cancelled} 项,不计入。" if summary.cancelled else "。"),
          file=sys.stderr)
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    """The same sentences as the window's 操作记录 (tasks by 序号, no ids or keys), after
    the time, the user and the action."""
    from ..core.audit_text import describe

    with open_ledger(args) as ledger:
        entries = ledger.audit_log(args.limit)
        for entry, line in zip(entries, describe(ledger, entries)):
            print(f"{entry.at[:19].replace('T', ' ')}\t{entry.user}\t{entry.action}\t{line.sentence}")
    return 0
