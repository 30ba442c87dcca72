"""The report as an Excel workbook: a summary sheet with every number and its definition, one sheet per table,
and native Excel charts (bar and line) drawn from the sheets' own cells, so the office can restyle them."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jiedao.reports.content import Chart, Number, ReportContent, Table
from jiedao.reports.periods import SHANGHAI

BOLD = Font(bold=True)


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", title)[:28] or "表"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:26]}{n}", n + 1
    used.add(candidate)
    return candidate


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _number_row(sheet: Worksheet, section: str, number: Number) -> None:
    sheet.append(
        [
            section,
            number.label,
            number.value,
            number.display,
            number.numerator,
            number.denominator,
            number.definition,
            number.filter,
            number.url,
        ]
    )


def _table_sheet(sheet: Worksheet, table: Table) -> None:
    sheet.append([table.title])
    sheet["A1"].font = BOLD
    sheet.append(table.columns)
    for cell in sheet[2]:
        cell.font = BOLD
    for row in table.rows:
        sheet.append([c.value if c.value is not None else c.text for c in row])
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    _widths(sheet, [8, 18] + [12] * (len(table.columns) - 2))


def _chart_sheet(sheet: Worksheet, chart: Chart) -> None:
    """The chart's data as cells, and a native chart over them."""
    sheet.append([chart.title])
    sheet["A1"].font = BOLD
    sheet.append(["", *(name for name, _values in chart.series)])
    for index, category in enumerate(chart.categories):
        sheet.append([category, *(values[index] for _name, values in chart.series)])
    rows = len(chart.categories)
    native = BarChart() if chart.kind == "bar" else LineChart()
    native.title = chart.title
    native.y_axis.title = chart.unit
    native.height, native.width = 8, 16
    if rows:
        data = Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=2, max_row=2 + rows)
        native.add_data(data, titles_from_data=True)
        native.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + rows))
    sheet.add_chart(native, f"{get_column_letter(len(chart.series) + 3)}2")
    _widths(sheet, [14] + [12] * len(chart.series))


def render_xlsx(content: ReportContent) -> bytes:
    """The workbook's bytes: 概要 (every number with its definition, filter and link), then tables and charts."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概要"
    used = {"概要"}
    summary.append([content.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([f"{content.scope}。数据截至{content.as_of.astimezone(SHANGHAI):%Y-%m-%d %H:%M}。"])
    summary.append([])
    summary.append(["部分", "指标", "数值", "显示", "分子", "分母", "定义", "统计口径", "案件清单"])
    for cell in summary[4]:
        cell.font = BOLD
    for section in content.sections:
        for number in section.numbers:
            _number_row(summary, section.heading, number)
    for index, number in enumerate(content.footnotes, start=1):
        if all(number is not n for s in content.sections for n in s.numbers):
            _number_row(summary, f"注[{index}]", number)
    summary.append([])
    for section in content.sections:
        for text in section.paragraphs:
            summary.append([section.heading, text])
        for item in section.items:
            summary.append([section.heading, item.text, None, None, None, None, None, None, item.url])
    _widths(summary, [18, 16, 10, 12, 10, 10, 60, 40, 50])
    for row in summary.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column in (2, 7, 8), vertical="top")
    for section in content.sections:
        for table in section.tables:
            _table_sheet(book.create_sheet(_sheet_name(table.title, used)), table)
        for chart in section.charts:
            _chart_sheet(book.create_sheet(_sheet_name(f"图-{chart.title}", used)), chart)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
