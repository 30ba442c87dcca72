"""The report as a Word document (.docx): headings, paragraphs, tables and charts as PNG images.

Every run names Noto Sans CJK SC as its East Asian font (w:eastAsia), so Word shows the Chinese in a CJK font
rather than substituting one of its own; the Latin text stays in the document's default font.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from jiedao.reports.charts import chart_png
from jiedao.reports.content import Number, ReportContent, Table
from jiedao.reports.fonts import FAMILY
from jiedao.reports.periods import SHANGHAI

STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid", "List Bullet", "Caption")


def _east_asian(element: Any) -> None:
    """Name the CJK font of a style's or run's properties (w:rPr/w:rFonts/@w:eastAsia)."""
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), FAMILY)


def _run(paragraph: Any, text: str, *, bold: bool = False, size: float | None = None) -> Any:
    run = paragraph.add_run(text)
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)
    _east_asian(run._element)
    return run


def _table(document: Any, table: Table) -> None:
    caption = document.add_paragraph(style="Caption")
    _run(caption, table.title, bold=True)
    grid = document.add_table(rows=1, cols=len(table.columns), style="Table Grid")
    for cell, title in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = ""
        _run(cell.paragraphs[0], title, bold=True, size=9)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _run(cell.paragraphs[0], value.text, size=9)
    if table.note:
        _run(document.add_paragraph(), table.note, size=8)


def _number_line(document: Any, number: Number, index: int | None = None) -> None:
    paragraph = document.add_paragraph()
    prefix = f"[{index}] " if index is not None else ""
    fraction = f"（{number.numerator} / {number.denominator}）" if number.denominator else ""
    _run(paragraph, f"{prefix}{number.label}：{number.display}{fraction}", bold=True, size=9)
    _run(paragraph, f" 口径：{number.definition} {number.filter}", size=8)


def render_docx(content: ReportContent) -> bytes:
    """The Word document's bytes. Raises FontMissing when the charts' CJK font is not installed."""
    document = Document()
    for name in STYLES:
        _east_asian(document.styles[name].element)
    document.styles["Normal"].font.size = Pt(10.5)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    title = document.add_heading(level=0)
    _run(title, content.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = document.add_paragraph()
    _run(meta, f"{content.scope}。数据截至{content.as_of.astimezone(SHANGHAI):%Y-%m-%d %H:%M}。", size=9)
    for part in content.sections:
        _run(document.add_heading(level=1), part.heading)
        for text in part.paragraphs:
            _run(document.add_paragraph(), text)
        for item in part.items:
            _run(document.add_paragraph(style="List Bullet"), item.text)
        for chart in part.charts:
            document.add_picture(io.BytesIO(chart_png(chart)), width=Cm(15.5))
            _run(document.add_paragraph(style="Caption"), f"图：{chart.title}")
        for table in part.tables:
            _table(document, table)
        if part.numbers and part.key != "statistics":
            for number in part.numbers:
                _number_line(document, number)
    if content.footnotes:
        _run(document.add_heading(level=1), "注：数据口径")
        for index, number in enumerate(content.footnotes, start=1):
            _number_line(document, number, index)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
