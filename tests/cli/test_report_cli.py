"""`zwgk report`: the options scripts rely on, what it prints, the PDF it writes, and
exit 2 with a Chinese message (and no file) when the input is wrong."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import squash
from tests.core.test_report_data import make_report_ledger
from zwgk_desktop.cli import build_parser, main
from zwgk_desktop.core.ledger import Ledger

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    with Ledger.open(folder) as ledger:
        make_report_ledger(ledger)
    return folder


def text_of(pdf: Path) -> str:
    return squash(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                                 encoding="utf-8", check=True).stdout)


def test_the_contract_options_exist() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    report = sub.choices["report"]
    options = {s for a in report._actions for s in a.option_strings}
    assert {"--ledger", "--plan", "--quarter", "--unit", "--section", "--due-only", "--no-evidence",
            "--title-unit", "--preparer", "--reviewer", "--phone", "-o", "--output"} <= options


@needs_poppler
def test_report_writes_the_pdf(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "q3.pdf"
    code = main(["--ledger", str(folder), "report", "--quarter", "2023Q3", "--title-unit", "某县人民政府办公室",
                 "--preparer", "张三", "--reviewer", "李四", "--phone", "0537-1234567", "--date", "2023-10-09",
                 "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    pages = int(re.search(r"共 (\d+) 页", captured.out).group(1))
    assert pages >= 3
    assert "统计范围:全部任务 7 项,其中本季度应完成 4 项;已完成 2,推进中 2,未启动 2,不适用 1;逾期 2;完成率 33.3%" in captured.out
    text = text_of(out)
    assert "某县人民政府办公室" in text and "2023年第三季度" in text
    assert "填报日期：2023年10月9日" in text and "生成日期：2023年10月9日" in text
    assert "决策事项目录" in text
    assert captured.err == ""


@needs_poppler
def test_scope_options(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "unit.pdf"
    assert main(["report", "--ledger", str(folder), "--quarter", "2023年第二季度", "--unit", "县司法局",
                 "--section", "一、", "--due-only", "--no-evidence", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "县司法局牵头或配合的任务" in printed and "的任务 1 项;" in printed  # only task 1 is due by 06-30
    text = text_of(out)
    assert "公开决策事项目录。" in text and "动态调整目录。" not in text
    assert "佐证材料" not in text and "县司法局2023年第二季度" in text  # the unit names the report


@pytest.mark.parametrize("args,message", [
    (["--quarter", "2023Q5"], "无法识别的季度"),
    (["--quarter", "2023Q3", "--unit", "县不存在局"], "县不存在局"),
    (["--quarter", "2023Q3", "--section", "九、"], "没有名为“九、”的章节"),
    (["--quarter", "2023Q3", "--plan", "9"], "没有编号为 9 的分解表"),
])
def test_wrong_input_exits_2_in_chinese_and_writes_nothing(folder: Path, tmp_path: Path, capsys, args,
                                                          message: str) -> None:
    out = tmp_path / "r.pdf"
    assert main(["--ledger", str(folder), "report", *args, "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_an_unwritable_output_exits_2(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "no-such-folder" / "r.pdf"
    assert main(["--ledger", str(folder), "report", "--quarter", "2023Q3", "-o", str(out)]) == 2
    assert "无法写入" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [folder]


def test_quarter_and_output_are_required(folder: Path, capsys) -> None:
    assert main(["--ledger", str(folder), "report", "-o", "x.pdf"]) == 2
    assert "--quarter" in capsys.readouterr().err


def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return squash("".join(parts))


def test_report_writes_word_with_the_same_options(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "报告.docx"
    code = main(["--ledger", str(folder), "report", "--format", "docx", "--quarter", "2023Q3", "--title-unit",
                 "某县人民政府办公室", "--preparer", "张三", "--phone", "0537-1234567", "--date", "2023-10-09",
                 "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Word" in captured.out and str(out) in captured.out
    assert "统计范围:全部任务 7 项,其中本季度应完成 4 项;已完成 2,推进中 2,未启动 2,不适用 1;逾期 2;完成率 33.3%" in captured.out
    text = docx_text(out)
    assert "某县人民政府办公室" in text and "2023年第三季度" in text
    assert "填报人：张三" in text and "填报日期：2023年10月9日" in text
    assert "决策事项目录" in text and "公开决策事项目录。" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_the_format_follows_the_file_name(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "报告.DOCX"
    assert main(["--ledger", str(folder), "report", "--quarter", "2023Q3", "-o", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"  # a .docx is a zip
    pdf = tmp_path / "r.pdf"
    assert main(["--ledger", str(folder), "report", "--quarter", "2023Q3", "-o", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert main(["--ledger", str(folder), "report", "--format", "rtf", "--quarter", "2023Q3", "-o", str(pdf)]) == 2
    capsys.readouterr()


def test_an_unwritable_word_output_exits_2(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "no-such-folder" / "r.docx"
    assert main(["--ledger", str(folder), "report", "--format", "docx", "--quarter", "2023Q3", "-o", str(out)]) == 2
    assert "无法写入" in capsys.readouterr().err
