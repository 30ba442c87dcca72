"""Reading a places workbook (a sheet per level, Chinese headers) and writing the error list as a workbook."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import InvalidFileException

from jiedao.places.choices import PARENT_LEVEL, Level
from jiedao.places.imports_rows import (
    ADDRESS_MAX,
    BUILDING_SHEET,
    MAX_FLOORS,
    NAME_MAX,
    NUMBER_MAX,
    SHEET_LEVELS,
    BuildingRow,
    CellReader,
    ParsedFile,
    RowError,
    as_code,
    as_coordinate,
    as_count,
    is_blank,
    limited,
    place_row,
)

# Guards against huge or hostile workbooks: the largest office has a few thousand buildings.
MAX_ROWS = 50_000
MAX_COLUMNS = 60
# What openpyxl raises on a file that is not a well-formed workbook (a zip of XML parts).
BAD_WORKBOOK = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError)

# Header words, matched after removing whitespace, "*" marks and a trailing "(…)" unit. The first is the canonical
# name used when a required column is missing.
PLACE_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("代码", "编码", "区划代码", "统计代码", "行政区划代码", "统计用区划代码"),
    "name": ("名称", "名字"),
    "parent_code": ("上级代码", "所属代码", "上级编码", "所属编码", "上级区划代码", "父级代码"),
    "kind": ("类型", "类别"),
    "households": ("户数", "实有户数"),
    "population": ("人口", "人口数", "实有人口"),
    "dedicated_to": ("专属对象",),
    "boundary": ("边界", "边界GeoJSON", "范围"),
    "address": ("地址", "办公地址"),
}
# The sheet's own word: "网格代码" on the 网格 sheet is the code, "社区代码" there is the parent.
SHEET_WORDS: dict[str, str] = {
    Level.DISTRICT: "区县",
    Level.SUBDISTRICT: "街道",
    Level.COMMUNITY: "社区",
    Level.GRID: "网格",
}
BUILDING_HEADERS: dict[str, tuple[str, ...]] = {
    "grid_code": ("网格代码", "网格编码", "所属网格代码", "所属网格编码"),
    "number": ("楼栋号", "楼号", "楼栋编号", "编号"),
    "name": ("名称", "楼栋名称"),
    "address": ("地址", "楼栋地址"),
    "lng": ("经度",),
    "lat": ("纬度",),
    "floors": ("层数", "楼层数", "总层数"),
}
BUILDING_REQUIRED = ("grid_code", "number", "name")
ERROR_HEADERS = ("工作表", "行", "列", "原因")

_DECORATION = re.compile(r"[*＊]|[(（][^)）]*[)）]$")


def normalise_header(value: Any) -> str:
    text = "".join(str(value).split()) if value is not None else ""
    return _DECORATION.sub("", text)


def place_headers(level: str) -> dict[str, tuple[str, ...]]:
    """The header words of a level's sheet: the common ones plus those naming the level and its parent."""
    own = SHEET_WORDS[level]
    headers = dict(PLACE_HEADERS)
    headers["code"] += (f"{own}代码", f"{own}编码")
    headers["name"] += (f"{own}名称",)
    parent_level = PARENT_LEVEL[level]
    if parent_level is not None:
        parent = SHEET_WORDS[parent_level]
        headers["parent_code"] += (f"{parent}代码", f"所属{parent}代码", f"{parent}编码", f"所属{parent}编码")
    if level == Level.COMMUNITY:
        headers["code"] += ("村代码",)
        headers["name"] += ("村名称",)
    return headers


def read_workbook(source: IO[bytes]) -> ParsedFile:
    """Read every sheet of the workbook; errors in cells and sheets are collected, never raised."""
    parsed = ParsedFile()
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except BAD_WORKBOOK:
        parsed.errors.append(RowError("", "", "", _("The file is not a valid Excel workbook (.xlsx)."), "bad_file"))
        return parsed
    try:
        for sheet in workbook.worksheets:
            _read_sheet(sheet, parsed)
    except BAD_WORKBOOK:
        parsed.errors.append(RowError("", "", "", _("The workbook is damaged and cannot be read."), "bad_file"))
    finally:
        workbook.close()
    return parsed


def _read_sheet(sheet: Any, parsed: ParsedFile) -> None:
    title = "".join(str(sheet.title).split())
    if title in SHEET_LEVELS:
        headers, required = place_headers(SHEET_LEVELS[title]), ["code", "name"]
        if SHEET_LEVELS[title] != Level.DISTRICT:
            required.append("parent_code")
    elif title == BUILDING_SHEET:
        headers, required = BUILDING_HEADERS, list(BUILDING_REQUIRED)
    else:
        known = "、".join([*SHEET_LEVELS, BUILDING_SHEET])
        parsed.errors.append(
            RowError(
                str(sheet.title),
                "",
                "",
                _("Unknown sheet “%(sheet)s”: the sheets must be named %(known)s.")
                % {"sheet": sheet.title, "known": known},
                "unknown_sheet",
            )
        )
        return
    sheet.reset_dimensions()  # some writers store a wrong size; read what is there
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    columns = _columns(title, next(rows, ()), headers, required, parsed.errors)
    if columns is None:
        return
    # Errors name the column as the file writes it, or by its usual name when the file has no such column.
    labels = {name: aliases[0] for name, aliases in headers.items()}
    labels.update({name: label for name, (_index, label) in columns.items()})
    for number, data in _data_rows(title, rows, columns, parsed.errors):
        reader = CellReader(title, number, labels, parsed.errors)
        if title == BUILDING_SHEET:
            parsed.buildings.append(_building_row(reader, data))
        else:
            parsed.places.append(place_row(reader, data, SHEET_LEVELS[title]))


def _columns(
    title: str,
    header: Sequence[Any],
    headers: Mapping[str, tuple[str, ...]],
    required: Iterable[str],
    errors: list[RowError],
) -> dict[str, tuple[int, str]] | None:
    """Field name -> (column index, header as written); None (errors recorded) when a required one is missing."""
    words = {word: name for name, aliases in headers.items() for word in aliases}
    columns: dict[str, tuple[int, str]] = {}
    ok = True
    for index, cell in enumerate(header):
        name = words.get(normalise_header(cell))
        if name is None:
            continue  # extra columns (备注, 序号, …) are allowed and ignored
        label = str(cell).strip()
        if name in columns:
            message = _("Two columns mean the same thing: “%(a)s” and “%(b)s”.") % {"a": columns[name][1], "b": label}
            errors.append(RowError(title, 1, label, message, "duplicate_column"))
            ok = False
            continue
        columns[name] = (index, label)
    for name in required:
        if name not in columns:
            label = headers[name][0]
            errors.append(
                RowError(title, "", label, _("The column “%(c)s” is missing.") % {"c": label}, "missing_column")
            )
            ok = False
    return columns if ok else None


def _data_rows(
    title: str, rows: Iterator[Sequence[Any]], columns: Mapping[str, tuple[int, str]], errors: list[RowError]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(Excel row number, field -> raw value) for each non-empty row after the header."""
    count = 0
    for number, values in enumerate(rows, start=2):
        if all(is_blank(value) for value in values):
            continue
        count += 1
        if count > MAX_ROWS:
            message = _("Too many rows: at most %(n)d per sheet.") % {"n": MAX_ROWS}
            errors.append(RowError(title, number, "", message, "too_many_rows"))
            return
        yield number, {name: values[index] if index < len(values) else None for name, (index, _l) in columns.items()}


def _building_row(reader: CellReader, data: Mapping[str, Any]) -> BuildingRow:
    assert isinstance(reader.row, int)
    if is_blank(data.get("lng")) != is_blank(data.get("lat")):
        missing = "lat" if is_blank(data.get("lat")) else "lng"
        reader.error(missing, _("Give both the longitude and the latitude, or neither."), "coordinate_missing")
    return BuildingRow(
        sheet=reader.sheet,
        row=reader.row,
        labels=reader.labels,
        grid_code=reader.required(data, "grid_code", as_code),
        number=reader.required(data, "number", limited(NUMBER_MAX)),
        name=reader.required(data, "name", limited(NAME_MAX)),
        address=reader.read(data, "address", limited(ADDRESS_MAX)),
        lng=reader.read(data, "lng", lambda value: as_coordinate(value, 180)),
        lat=reader.read(data, "lat", lambda value: as_coordinate(value, 90)),
        floors=reader.read(data, "floors", lambda value: as_count(value, MAX_FLOORS)),
    )


def errors_workbook(errors: Sequence[RowError]) -> bytes:
    """The errors as an .xlsx file (sheet, row, column, problem), for the person who fixes the file."""
    workbook = openpyxl.Workbook(write_only=True)
    # Sheet and header names are data, in Chinese like the import's own headers.
    sheet = workbook.create_sheet(title="错误")
    sheet.append(list(ERROR_HEADERS))
    for error in errors:
        sheet.append([_text_cell(sheet, value) for value in (error.sheet, error.row, error.column, error.message)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet: Any, value: int | str) -> Any:
    # Values come from the uploaded file: one starting with "=" must stay text, never become a formula.
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    return cell
