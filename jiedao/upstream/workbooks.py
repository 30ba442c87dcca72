"""The error report of a refused import as a workbook: row, column, problem (the columns as the file writes them)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# Data in Chinese like the platforms' own files.
ERROR_HEADERS = ("行", "列", "原因")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def errors_workbook(errors: Iterable[Sequence[Any]]) -> bytes:
    """Errors as [row, column, message] lists (as an ImportRun keeps them) → .xlsx bytes."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误")
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 80
    sheet.append(list(ERROR_HEADERS))
    for row, column, message in errors:
        sheet.append([row if row != "" else None, _text(sheet, column), _text(sheet, message)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(sheet: Any, value: Any) -> Any:
    # Values come from the uploaded file: one starting with "=" must stay text, never become a formula.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell
