"""Printing the 季度报告 (ui/report_dialog.py): each page of the previewed PDF rendered
as an image at up to 300 dpi and drawn at the paper's true size, in a worker (QPainter
may paint on a QPrinter off the GUI thread), so what is printed is what was previewed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QPainter, QTransform

from ..core.errors import UserError

PRINT_DPI = 300  # enough for 五号 text; a 1200-dpi page image would take 140 MB


class PrintCancelled(Exception):
    """取消 was pressed while printing."""


def print_pdf_pages(pdf_path: Path, printer, pages: range, report) -> int:
    """Worker: each page as an image at up to 300 dpi, at the paper's true size;
    landscape pages are turned to fit portrait paper. ``report(done, total)`` raises
    when 取消 was pressed; the print job is then aborted. Returns the pages sent."""
    from PySide6.QtPdf import QPdfDocument  # only called where the preview has QtPdf
    from PySide6.QtPrintSupport import QPrinter

    document = QPdfDocument()  # the worker's own: the preview's belongs to the GUI thread
    try:
        if document.load(str(pdf_path)) != QPdfDocument.Error.None_:
            raise UserError("无法读取刚生成的报告文件,请重新生成预览后再打印。")
        painter = QPainter()
        if not painter.begin(printer):
            raise UserError("无法开始打印:打印机不可用。请检查打印机设置。")
        sent = 0
        try:
            dpi = min(printer.resolution(), PRINT_DPI)
            paper = printer.paperRect(QPrinter.Unit.DevicePixel)
            for n, index in enumerate(pages):
                report(n, len(pages), "页")
                if n:
                    printer.newPage()
                size = document.pagePointSize(index)
                image = document.render(index, QSize(round(size.width() * dpi / 72),
                                                     round(size.height() * dpi / 72)))
                if (image.width() > image.height()) != (paper.width() > paper.height()):
                    image = image.transformed(QTransform().rotate(90))
                scale = min(paper.width() / image.width(), paper.height() / image.height())
                width, height = image.width() * scale, image.height() * scale
                x, y = (paper.width() - width) / 2, (paper.height() - height) / 2
                painter.drawImage(QRect(round(x), round(y), round(width), round(height)), image)
                sent += 1
            report(len(pages), len(pages), "页")
        except PrintCancelled:
            printer.abort()
            raise
        finally:
            painter.end()
        return sent
    finally:
        document.close()
