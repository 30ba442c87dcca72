"""Reading a category tree from .xlsx or .csv (columns 一级分类, 二级分类, 三级分类) and checking every row.

An error always says where (row as the file numbers it, header on row 1; column header as written) and why.
Reading never raises on bad input: every problem becomes a RowError, so a person can fix the file in one go.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from jiedao.categories.choices import NAME_MAX

# Header words per level, matched after removing whitespace, "*", "_" and case. The first is the canonical
# name, used when the column is missing. Headers are data: the Chinese words offices write.
LEVEL_HEADERS: tuple[tuple[str, ...], ...] = (
    ("一级分类", "一级类别", "一级标签", "level1"),
    ("二级分类", "二级类别", "二级标签", "level2"),
    ("三级分类", "三级类别", "三级标签", "level3"),
)
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel in China saves CSV as GBK unless told otherwise
# Guards against huge or hostile files: the default tree has 517 rows.
MAX_ROWS = 10_000
MAX_COLUMNS = 30
BAD_WORKBOOK = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError)

_DECORATION = re.compile(r"[\s*＊_]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RowError:
    """One problem in the file. `row` is the file's row number (header = 1), "" for the whole file."""

    row: int | str
    column: str
    message: str
    code: str = "invalid"

    def as_line(self) -> str:
        """`行 列: 原因`, leaving out the parts that do not apply."""
        where = " ".join(str(part) for part in (self.row, self.column) if part != "")
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class TreeRow:
    """The path named by one row, root first: 1 to 3 names."""

    row: int
    names: tuple[str, ...]


@dataclass
class ParsedTree:
    rows: list[TreeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The column header of each level as written in the file (or the canonical word), for messages.
    labels: tuple[str, str, str] = ("level1", "level2", "level3")


def normalise_header(value: Any) -> str:
    return _DECORATION.sub("", str(value)).lower() if value is not None else ""


def clean_name(value: Any) -> str:
    """A cell as a category name: trimmed, inner whitespace runs (\\n\\t, \\u3000) made one space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


def read_source(source: IO[bytes] | bytes, filename: str) -> ParsedTree:
    """Read the file by its extension (.xlsx or .csv); a file of another kind is one error, not an exception."""
    suffix = PurePath(filename).suffix.lower()
    data = source if isinstance(source, bytes) else source.read()
    if suffix == ".xlsx":
        return _read_workbook(data)
    if suffix == ".csv":
        return _read_csv(data)
    message = _("Unsupported file type “%(ext)s”: use .xlsx or .csv.") % {"ext": suffix or filename}
    return ParsedTree(errors=[RowError("", "", message, "bad_file")])


def check_rows(values: Iterable[Sequence[Any]], *, first_row: int = 1) -> ParsedTree:
    """Check rows given as (level1, level2, level3) sequences, numbered from `first_row`."""
    parsed = ParsedTree()
    _check(enumerate(values, start=first_row), (0, 1, 2), parsed)
    return parsed


def _read_workbook(data: bytes) -> ParsedTree:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BAD_WORKBOOK:
        return ParsedTree(errors=[RowError("", "", _("The file is not a valid Excel workbook (.xlsx)."), "bad_file")])
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size; read what is there
        return _parse(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
    except (*BAD_WORKBOOK, IndexError):
        return ParsedTree(errors=[RowError("", "", _("The workbook is damaged and cannot be read."), "bad_file")])
    finally:
        workbook.close()


def _read_csv(data: bytes) -> ParsedTree:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return _parse(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            break
    return ParsedTree(errors=[RowError("", "", _("The file is not a readable CSV file (UTF-8 or GBK)."), "bad_file")])


def _parse(rows: Iterator[Sequence[Any]]) -> ParsedTree:
    parsed = ParsedTree()
    columns = _columns(next(rows, ()), parsed)
    if columns is not None:
        _check(enumerate(rows, start=2), columns, parsed)
    return parsed


def _columns(header: Sequence[Any], parsed: ParsedTree) -> tuple[int | None, int | None, int | None] | None:
    """The column index of each level (None when absent); None (errors recorded) when level 1 is missing."""
    words = {word: level for level, aliases in enumerate(LEVEL_HEADERS) for word in aliases}
    found: list[int | None] = [None, None, None]
    labels = [aliases[0] for aliases in LEVEL_HEADERS]
    ok = True
    for index, cell in enumerate(header[:MAX_COLUMNS]):
        level = words.get(normalise_header(cell))
        if level is None:
            continue  # extra columns (序号, 备注, …) are allowed and ignored
        label = str(cell).strip()
        if found[level] is not None:
            message = _("Two columns mean the same thing: “%(a)s” and “%(b)s”.") % {"a": labels[level], "b": label}
            parsed.errors.append(RowError(1, label, message, "duplicate_column"))
            ok = False
            continue
        found[level], labels[level] = index, label
    parsed.labels = (labels[0], labels[1], labels[2])
    if found[0] is None:
        message = _("The column “%(c)s” is missing.") % {"c": labels[0]}
        parsed.errors.append(RowError("", labels[0], message, "missing_column"))
        ok = False
    return (found[0], found[1], found[2]) if ok else None


def _check(rows: Iterable[tuple[int, Sequence[Any]]], columns: Sequence[int | None], parsed: ParsedTree) -> None:
    """Turn each non-blank row into a TreeRow, or record why it cannot be one."""
    count = 0
    for number, values in rows:
        names = [clean_name(values[i]) if i is not None and i < len(values) else "" for i in columns]
        if not any(names):
            continue
        count += 1
        if count > MAX_ROWS:
            message = _("Too many rows: at most %(n)d.") % {"n": MAX_ROWS}
            parsed.errors.append(RowError(number, "", message, "too_many_rows"))
            return
        row = _check_row(number, names, parsed)
        if row is not None:
            parsed.rows.append(row)


def _check_row(number: int, names: list[str], parsed: ParsedTree) -> TreeRow | None:
    errors: list[RowError] = []
    label = parsed.labels
    if not names[0]:
        errors.append(RowError(number, label[0], _("The level-1 category is required."), "required"))
    if names[2] and not names[1]:
        message = _("A level-3 category needs a level-2 category.")
        errors.append(RowError(number, label[1], message, "level2_missing"))
    for level, name in enumerate(names):
        if len(name) > NAME_MAX:
            message = _("Too long: at most %(n)d characters.") % {"n": NAME_MAX}
            errors.append(RowError(number, label[level], message, "too_long"))
    if errors:
        parsed.errors.extend(errors)
        return None
    depth = 3 if names[2] else 2 if names[1] else 1
    return TreeRow(number, tuple(names[:depth]))
