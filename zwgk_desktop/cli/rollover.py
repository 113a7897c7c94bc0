"""CLI for a new year: ``zwgk rollover PLAN --to YEAR [--into DIR]`` lists
last year's unfinished long-term tasks for the new year (in this ledger or a new
ledger folder), and ``zwgk carryover`` shows that list and links its items to the new
plan's tasks when the plan arrives (suggested by text similarity, or by hand)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.errors import UserError
from .arguments import parse_year
from .support import open_ledger

_SHORT = 40


def _short(text: str, width: int = _SHORT) -> str:
    text = " ".join((text or "").split())
    return text[:width] + ("…" if len(text) > width else "")


def _pair(text: str) -> tuple[int, int | None]:
    """``ITEM=TASK_ID``; ``ITEM=0`` unlinks the item."""
    item, sep, task = text.partition("=")
    if sep and item.strip().isdigit() and task.strip().isdigit():
        task_id = int(task)
        return int(item), (task_id or None)
    raise argparse.ArgumentTypeError(f"“{text}”格式不对,请写成 结转事项编号=任务编号,例如 3=120"
                                     "(写 3=0 取消对应)")


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``rollover`` and ``carryover`` (see cli.build_parser)."""
    p = command("rollover", "结转到新年度:列出上一年未完成的长期任务,供新一年的分解表到来时逐项对应;"
                            "单位名录、上下级单位对应随之带入新年度", cmd_rollover)
    p.description = ("结转到新年度:把分解表中未完成(不是已完成、不适用、已取消)且完成时限或任务内容为长期坚持、"
                     "持续推进、常态化的任务和定期任务,连同最后一次进展,列为结转到 --to 年度的事项。"
                     "不写 --into 时记在本台账(单位名录、上下级单位对应和台账设置本来就全台账通用);"
                     "写 --into 文件夹 时新建新一年的台账,并带去单位名录、上下级单位对应和台账设置。"
                     "上一年的任务不会有任何改动。")
    p.add_argument("plan", type=int, metavar="PLAN", help="上一年的分解表编号(zwgk plans 可查)")
    p.add_argument("--to", required=True, type=parse_year, metavar="YEAR", help="新的年度,例如 2025")
    p.add_argument("--into", metavar="DIR", help="新建新一年的台账到这个文件夹(须是新的或空的文件夹)")
    p.add_argument("--again", action="store_true",
                   help="本台账已结转过同一分解表到同一年度时,按现在的情况重新列出(替换原来的结转事项及其对应)")
    p.add_argument("--dry-run", action="store_true", help="只列出将要结转的任务,不写入")

    p = command("carryover", "查看结转事项;新一年的分解表导入后,把结转事项与新任务对应(--match)", cmd_carryover)
    p.description = ("查看上一年结转来的事项(序号、任务、责任单位、当时状态、对应的新任务)。"
                     "--match 新分解表编号 按文字相似度列出建议的对应,加 --apply 记下相似度不低于阈值的建议;"
                     "--pair 事项编号=任务编号 手工对应一项。对应只记下关系,不改动新分解表的任务。")
    p.add_argument("--year", type=parse_year, metavar="YEAR", help="只看结转到这一年度的事项")
    p.add_argument("--match", type=int, metavar="PLAN", help="新一年的分解表编号:列出建议的对应")
    p.add_argument("--apply", action="store_true", help="与 --match 同用:记下建议中相似度达到阈值的对应")
    p.add_argument("--pair", type=_pair, action="append", default=[], metavar="ITEM=TASK_ID",
                   help="手工对应:结转事项编号=新任务编号(可写多次;=0 取消对应)")


def cmd_rollover(args: argparse.Namespace) -> int:
    from ..core import rollover as ro

    into = Path(args.into) if args.into else None
    with open_ledger(args) as ledger:
        plan = ledger.plan(args.plan)
        ro.check_to_year(plan.year, args.to, plan.title)
        if args.dry_run:
            if into is not None:
                ro.check_into(ledger.folder, into)
            candidates = ro.carry_candidates(ledger, plan.id)
            _print_candidates(candidates)
            where = f"新台账“{into}”" if into is not None else "本台账"
            print(f"将把《{plan.title}》中 {len(candidates)} 项任务结转到 {args.to} 年,记入{where}。"
                  "这是预览,台账没有改动;去掉 --dry-run 即写入。", file=sys.stderr)
            return 0
        result = ro.rollover(ledger, plan.id, args.to, into=into, again=args.again)
        if result.items and into is None:
            tasks = set(ledger.task_ids(plan.id))
            _print_items([i for i in ro.carryover_items(ledger, args.to) if i.from_task_id in tasks])
    if result.items and into is not None:
        from ..core.ledger import Ledger

        with Ledger.open(result.folder, create=False) as new:
            _print_items(ro.carryover_items(new, args.to))
    print(result.summary, file=sys.stderr)
    if into is not None:
        print(f'新一年的分解表到来后:zwgk import 分解表文件 --ledger "{result.folder}",'
              f'再用 zwgk carryover --match 新分解表编号 --ledger "{result.folder}" 对应。', file=sys.stderr)
    elif result.items:
        print("新一年的分解表导入后,用 zwgk carryover --match 新分解表编号 查看建议的对应。", file=sys.stderr)
    return 0


def _print_candidates(candidates: list) -> None:
    print("编号\t序号\t状态\t完成时限\t结转理由\t任务\t最后进展")
    for c in candidates:
        print(f"{c.task_id}\t{c.seq}\t{c.status.value}\t{c.deadline_text or '—'}\t{c.reason}\t"
              f"{_short(c.requirement)}\t{_short(c.last_progress, 30) or '—'}")


def _print_items(items: list) -> None:
    print("事项编号\t序号\t状态\t完成时限\t任务\t最后进展")
    for item in items:
        print(f"{item.id}\t{item.seq if item.seq is not None else '—'}\t{item.status}\t{item.deadline_text or '—'}\t"
              f"{_short(item.requirement)}\t{_short(item.last_progress, 30) or '—'}")


def cmd_carryover(args: argparse.Namespace) -> int:
    from ..core import rollover as ro

    if args.apply and args.match is None:
        raise UserError("--apply 要与 --match 新分解表编号 一起使用,例如 zwgk carryover --match 5 --apply。")
    if args.match is not None and args.year is not None:
        raise UserError("--match 按新分解表的年度选取结转事项,不需要再写 --year。请去掉其中一个。")
    pairs: dict[int, int | None] = {}
    for item_id, task_id in args.pair:
        if item_id in pairs and pairs[item_id] != task_id:
            raise UserError(f"结转事项 {item_id} 在 --pair 中写了两次,对应不同的任务。请只写一次。")
        pairs[item_id] = task_id
    with open_ledger(args) as ledger:
        if args.match is not None:
            return _match(ledger, args.match, apply=args.apply, pairs=pairs)
        if pairs:
            changed = ro.set_matches(ledger, pairs)
            print(f"已记下 {changed} 项结转事项的对应(新分解表的任务没有改动)。" if changed
                  else "对应关系与台账中的相同,台账没有改动。", file=sys.stderr)
            return 0
        items = ro.carryover_items(ledger, args.year)
        if not items:
            which = f"结转到 {args.year} 年的" if args.year else ""
            print(f"台账中没有{which}结转事项。可用 zwgk rollover 上年分解表编号 --to 年度 结转。", file=sys.stderr)
            return 0
        print("事项编号\t结转到\t来自\t序号\t任务\t责任单位\t当时状态\t对应的新任务")
        for item in items:
            matched = (f"序号 {item.matched_seq}(编号 {item.matched_task_id}){_short(item.matched_text or '', 20)}"
                       if item.matched_task_id is not None else "—")
            print(f"{item.id}\t{item.to_year}\t{item.from_year}年\t{item.seq if item.seq is not None else '—'}\t"
                  f"{_short(item.requirement)}\t{_short(item.units_text, 20) or '—'}\t{item.status}\t{matched}")
        done = sum(1 for i in items if i.matched_task_id is not None)
        print(f"共 {len(items)} 项结转事项,已对应 {done} 项。", file=sys.stderr)
    return 0


def _match(ledger, plan_id: int, *, apply: bool, pairs: dict[int, int | None]) -> int:
    from ..core import rollover as ro

    plan = ledger.plan(plan_id)
    suggestions = ro.suggest_matches(ledger, plan.id)
    if not suggestions:
        print(f"台账中没有结转到 {plan.year} 年的事项,没有可对应的。请先用 zwgk rollover 上年分解表编号 --to {plan.year} 结转"
              "(结转到新台账的,请在新台账中对应)。", file=sys.stderr)
        if pairs or apply:
            raise UserError(f"没有结转到 {plan.year} 年的事项,没有记下任何对应,台账没有改动。")
        return 0
    print("事项编号\t序号\t上年任务\t当时状态\t建议对应\t相似度\t新任务")
    for s in suggestions:
        item = s.item
        if item.matched_task_id is not None:
            state = "已对应"
        elif s.above_threshold:
            state = "建议"
        elif s.task_id is not None:
            state = "相似度低"
        else:
            state = "未找到"
        target = f"序号 {s.task_seq}(编号 {s.task_id})" if s.task_id is not None else "—"
        print(f"{item.id}\t{item.seq if item.seq is not None else '—'}\t{_short(item.requirement, 30)}\t{item.status}\t"
              f"{state}\t{s.score:.2f}\t{target} {_short(s.task_text, 30)}".rstrip())
    chosen = dict(pairs)
    if apply:
        for s in suggestions:
            if s.item.matched_task_id is None and s.above_threshold and s.item.id not in chosen:
                chosen[s.item.id] = s.task_id
    if chosen:
        changed = ro.set_matches(ledger, chosen)
        print(f"已记下 {changed} 项对应(新分解表的任务没有改动)。" if changed
              else "对应关系与台账中的相同,台账没有改动。", file=sys.stderr)
    else:
        ready = sum(1 for s in suggestions if s.item.matched_task_id is None and s.above_threshold)
        print(f"共 {len(suggestions)} 项结转事项,其中 {ready} 项有相似度不低于 {ro.MATCH_THRESHOLD:.2f} 的建议。"
              "这是预览,台账没有改动:加 --apply 记下这些建议,或用 --pair 事项编号=任务编号 手工对应。",
              file=sys.stderr)
    return 0
