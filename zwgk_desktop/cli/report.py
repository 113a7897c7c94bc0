"""CLI commands for 季度报告: report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..core.quarters import Quarter
from .support import open_ledger, parse_date


def register(command: Callable) -> None:
    """Add this area's subcommands: `command(name, help, handler)` returns the
    subparser to add options to (see cli.build_parser)."""
    p = command("report", "生成季度报告(PDF 或 Word):总体情况(按章节、按牵头单位的完成情况表)、逾期任务和明细表",
                cmd_report)
    p.description = ("生成某季度的政务公开重点工作任务落实情况报告(PDF,或 --format docx 生成可编辑的 Word 文档)。"
                     "总体情况有各部分(章节)和各牵头单位的任务完成情况表,完成率在 PDF 中画成表格里的横条,"
                     "没有单独的图;另有逾期未完成任务、催办情况(--follow-ups)和附件明细表。"
                     "统计数字按该季度最后一天的状态计算,进展取该季度填写的内容,所以以后重新生成,同一季度的报告内容不变。")
    p.add_argument("--plan", type=int, metavar="ID", help="分解表编号(台账中只有一个时可省略)")
    p.add_argument("--quarter", required=True, metavar="Q", help="季度,例如 2023Q3")
    p.add_argument("--unit", metavar="NAME", help="只统计该责任单位(牵头或配合)的任务")
    p.add_argument("--section", metavar="LABEL", help="只统计该章节(如“一、”或章节全名)及其下各级的任务")
    p.add_argument("--due-only", action="store_true", help="只统计完成时限在季度末以前(含当日)的任务")
    p.add_argument("--no-evidence", action="store_true", help="明细表不列“佐证材料”一栏")
    p.add_argument("--follow-ups", action="store_true",
                   help="列出本季度催办情况(发出的催办单:日期、单位、任务序号、催办事项、回复期限)")
    p.add_argument("--title-unit", metavar="NAME",
                   help="标题和“填报单位”中的单位名称,如“XX县政府办公室”(默认:--unit 的单位,否则不写)")
    p.add_argument("--preparer", metavar="NAME", default="", help="填报人")
    p.add_argument("--reviewer", metavar="NAME", default="", help="审核人")
    p.add_argument("--phone", metavar="TEL", default="", help="联系电话")
    p.add_argument("--date", type=parse_date, metavar="YYYY-MM-DD", dest="printed_on",
                   help="生成日期和填报日期(默认今天)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="输出的 PDF 文件(或 .docx 文件)")
    p.add_argument("--format", choices=("pdf", "docx"), default=None,
                   help="pdf(默认)或 docx(可编辑的 Word 文档,公文版式);不写时按输出文件的扩展名")


def cmd_report(args: argparse.Namespace) -> int:
    from ..core.report_data import ReportScope, SignOff, build_report, format_rate
    from ..core.report_text import count_summary

    quarter = Quarter.parse(args.quarter)
    scope = ReportScope(unit=args.unit, section=args.section, due_only=args.due_only,
                        with_follow_ups=args.follow_ups)
    sign_off = SignOff(args.preparer.strip(), args.reviewer.strip(), args.phone.strip(), args.printed_on)
    with open_ledger(args) as ledger:
        plan = ledger.resolve_plan(args.plan)
        data = build_report(ledger, plan.id, quarter, scope, title_unit=args.title_unit, sign_off=sign_off,
                            with_evidence=not args.no_evidence, printed_on=args.printed_on)
    kind = args.format or ("docx" if str(args.output).lower().endswith(".docx") else "pdf")
    if kind == "docx":
        from ..io.docx_report import render_docx

        render_docx(data, args.output)
        result = None
        print(f"已生成{quarter.label}报告(Word 文档):{args.output}")
    else:
        from ..io.pdf_report import render_report

        result = render_report(data, args.output)
        print(f"已生成{quarter.label}报告:{args.output}(共 {result.pages} 页)")
    t = data.totals
    # The same words as the report dialog's line: what was counted, and why 59 tasks count as 58.
    print(f"  统计范围:{count_summary(data)};已完成 {t.done},推进中 {t.in_progress},"
          f"未启动 {t.not_started},不适用 {t.not_applicable};逾期 {t.overdue};"
          f"完成率 {format_rate(t.completion) if t.base else '—'}")
    if data.follow_ups is not None:
        print(f"  本季度催办单:{len(data.follow_ups)} 份" if data.follow_ups else "  本季度没有发出催办单")
    if result is not None and result.missing:
        print(f"注意:{result.missing}", file=sys.stderr)
    return 0
