"""Reading an export workbook: find the header row, match its columns to our fields through a preset, and yield
each data row as (Excel row number, field → raw value). Every problem becomes a RowError; nothing is raised."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from jiedao.upstream.cells import is_blank
from jiedao.upstream.columns import FIELD_BY_NAME, REQUIRED, header_keys

# Guards against huge or hostile workbooks: an office gets at most about 12,000 transfers a year.
MAX_ROWS = 50_000
MAX_COLUMNS = 80
# A title line or two ("12345工单导出 2024-01-01至2024-01-31") may come before the header.
HEADER_SEARCH_ROWS = 10
BAD_WORKBOOK = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError)


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as Excel numbers it ("" for the whole file), `column` the header as written."""

    row: int | str
    column: str
    message: str

    def as_list(self) -> list[Any]:
        return [self.row, self.column, self.message]

    def as_line(self) -> str:
        where = " ".join(str(part) for part in (f"第{self.row}行" if self.row != "" else "", self.column) if part)
        return f"{where}: {self.message}" if where else self.message

    @staticmethod
    def sort_key(error: RowError) -> tuple[int, str]:
        return (error.row if isinstance(error.row, int) else 0, error.column)


@dataclass
class Sheet:
    """The matched columns (field → (index, header as written)) and the data rows."""

    columns: dict[str, tuple[int, str]] = field(default_factory=dict)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def label(self, name: str, mapping: Mapping[str, Sequence[str]]) -> str:
        """The column's header as the file writes it, else the preset's first spelling."""
        if name in self.columns:
            return self.columns[name][1]
        spellings = mapping.get(name) or [str(FIELD_BY_NAME[name].label)]
        return spellings[0]


def read_export(
    source: IO[bytes], mapping: Mapping[str, Sequence[str]], progress: Callable[[int], None] | None = None
) -> Sheet:
    """Read the first sheet holding a header row with the required columns."""
    sheet = Sheet()
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except BAD_WORKBOOK:
        sheet.errors.append(RowError("", "", _("The file is not a valid Excel workbook (.xlsx).")))
        return sheet
    try:
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()  # some writers store a wrong size; read what is there
            found = _read_sheet(worksheet, mapping, sheet, progress)
            if found:
                return sheet
        if not sheet.errors:
            spellings = "、".join(mapping[REQUIRED[0]][:3])
            sheet.errors.append(RowError("", "", _("No header row names the order number (%(s)s).") % {"s": spellings}))
    except BAD_WORKBOOK:
        sheet.errors.append(RowError("", "", _("The workbook is damaged and cannot be read.")))
    finally:
        workbook.close()
    return sheet


def _read_sheet(
    worksheet: Any, mapping: Mapping[str, Sequence[str]], sheet: Sheet, progress: Callable[[int], None] | None
) -> bool:
    rows = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    words = {
        key: name for name, spellings in mapping.items() for spelling in spellings for key in header_keys(spelling)
    }
    header_row = 0
    for number, values in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            return False
        matched = _match(values, words)
        if REQUIRED[0] in matched:
            header_row = number
            break
    else:
        return False
    columns, errors = _columns(values, words, header_row, mapping)
    sheet.columns, sheet.errors = columns, errors
    if errors:
        return True
    count = 0
    for number, values in enumerate(rows, start=header_row + 1):
        if all(is_blank(value) for value in values):
            continue
        count += 1
        if count > MAX_ROWS:
            message = _("Too many rows: at most %(n)d per file.") % {"n": MAX_ROWS}
            sheet.errors.append(RowError(number, "", message))
            return True
        data = {name: values[index] if index < len(values) else None for name, (index, _l) in columns.items()}
        sheet.rows.append((number, data))
        if progress is not None and count % 1000 == 0:
            progress(count)
    return True


def _match(values: Sequence[Any], words: Mapping[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(values):
        for key in header_keys(cell) if not is_blank(cell) else ():
            if key in words:
                found.setdefault(words[key], index)
                break
    return found


def _columns(
    header: Sequence[Any], words: Mapping[str, str], row: int, mapping: Mapping[str, Sequence[str]]
) -> tuple[dict[str, tuple[int, str]], list[RowError]]:
    columns: dict[str, tuple[int, str]] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(header):
        if is_blank(cell):
            continue
        name = next((words[key] for key in header_keys(cell) if key in words), None)
        if name is None:
            continue  # extra columns (序号, 备注, 承办单位, …) are allowed and ignored
        label = " ".join(str(cell).split())
        if name in columns:
            message = _("Two columns mean the same thing: “%(a)s” and “%(b)s”.") % {"a": columns[name][1], "b": label}
            errors.append(RowError(row, label, message))
            continue
        columns[name] = (index, label)
    for name in REQUIRED:
        if name not in columns:
            spellings = "、".join(mapping.get(name, [])[:4])
            label = (mapping.get(name) or [str(FIELD_BY_NAME[name].label)])[0]
            errors.append(RowError("", label, _("The column is missing; it may be called %(s)s.") % {"s": spellings}))
    if "title" not in columns and "content" not in columns:
        errors.append(RowError("", _("Title"), _("The file needs a title or a content column.")))
    return columns, errors
