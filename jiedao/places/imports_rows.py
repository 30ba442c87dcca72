"""The rows of a places import file and the error records, shared by the Excel and GeoJSON readers.

Readers turn a file into `PlaceRow`/`BuildingRow` objects plus the errors found in single cells; the checks
in `imports_checks` then look across rows and at the database. An error always says where (sheet, row as
Excel numbers it with the header on row 1, column header as written in the file) and why.
"""

from __future__ import annotations

import decimal
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jiedao.places.choices import Level, PlaceKind
from jiedao.places.geometry import GeometryError, normalise_boundary

# Sheet names are data written in Chinese: they are what offices call the levels.
SHEET_LEVELS: dict[str, str] = {
    "区县": Level.DISTRICT,
    "街道": Level.SUBDISTRICT,
    "社区": Level.COMMUNITY,
    "网格": Level.GRID,
}
BUILDING_SHEET = "楼栋"
GEOJSON_SHEET = "GeoJSON"
# Error ordering: file-level errors first, then the sheets from the top of the tree down.
SHEET_ORDER = ["", *SHEET_LEVELS, BUILDING_SHEET, GEOJSON_SHEET]

# Words people write in the 类型 column or the `kind` property, and the level words of GeoJSON's `level`.
KIND_WORDS: dict[str, str] = {
    "区县": PlaceKind.DISTRICT,
    "区": PlaceKind.DISTRICT,
    "县": PlaceKind.DISTRICT,
    "街道": PlaceKind.SUBDISTRICT,
    "镇": PlaceKind.SUBDISTRICT,
    "乡": PlaceKind.SUBDISTRICT,
    "社区": PlaceKind.COMMUNITY,
    "村": PlaceKind.VILLAGE,
    "综合网格": PlaceKind.COMPREHENSIVE,
    "综合": PlaceKind.COMPREHENSIVE,
    "专属网格": PlaceKind.DEDICATED,
    "专属": PlaceKind.DEDICATED,
    **{value: value for value in PlaceKind.values},
}
LEVEL_WORDS: dict[str, str] = {
    "区县": Level.DISTRICT,
    "区": Level.DISTRICT,
    "县": Level.DISTRICT,
    "街道": Level.SUBDISTRICT,
    "镇": Level.SUBDISTRICT,
    "乡": Level.SUBDISTRICT,
    "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY,
    "社区/村": Level.COMMUNITY,
    "网格": Level.GRID,
    **{value: value for value in Level.values},
}

# Largest values the model columns hold (PositiveIntegerField, PositiveSmallIntegerField).
MAX_COUNT = 2_147_483_647
MAX_FLOORS = 32_767
COORD_PLACES = decimal.Decimal("0.000001")
# Column sizes of the models, for the `limited` readers.
CODE_MAX, NAME_MAX, DEDICATED_MAX, ADDRESS_MAX, NUMBER_MAX = 15, 100, 100, 200, 20


@dataclass(frozen=True)
class RowError:
    """One problem in the file. `row` is the Excel row (header = 1), "要素 N" for GeoJSON, "" for a whole sheet."""

    sheet: str
    row: int | str
    column: str
    message: str
    code: str = "invalid"

    def sort_key(self) -> tuple[int, int]:
        rank = SHEET_ORDER.index(self.sheet) if self.sheet in SHEET_ORDER else 0
        if isinstance(self.row, int):
            return rank, self.row
        digits = "".join(ch for ch in self.row if ch.isdigit())
        return rank, int(digits) if digits else 0

    def as_line(self) -> str:
        """`工作表 行 列: 原因`, leaving out the parts that do not apply."""
        where = " ".join(str(part) for part in (self.sheet, self.row, self.column) if part != "")
        return f"{where}: {self.message}" if where else self.message


@dataclass
class PlaceRow:
    """A place as read from one row or feature; None (or "") means "not given": an update keeps the old value."""

    sheet: str
    row: int | str
    labels: Mapping[str, str]  # field name -> the column header or property name as written in the file
    level: str  # "" when the file does not say (GeoJSON): inferred by the checks
    code: str
    name: str
    parent_code: str = ""
    kind_text: str = ""
    households: int | None = None
    population: int | None = None
    dedicated_to: str | None = None
    address: str | None = None
    boundary: dict[str, Any] | None = None
    unreadable: frozenset[str] = frozenset()  # fields whose cell had an error already reported

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


@dataclass
class BuildingRow:
    sheet: str
    row: int
    labels: Mapping[str, str]
    grid_code: str
    number: str
    name: str
    address: str | None = None
    lng: decimal.Decimal | None = None
    lat: decimal.Decimal | None = None
    floors: int | None = None

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


@dataclass
class ParsedFile:
    places: list[PlaceRow] = field(default_factory=list)
    buildings: list[BuildingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class CellError(ValueError):
    """A value that cannot be read; str() is the message, `code` the stable error code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as text; whole numbers lose the ".0" Excel gives them (codes typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    if isinstance(value, float | decimal.Decimal):
        number = decimal.Decimal(repr(value)) if isinstance(value, float) else value
        return int(number) if number.is_finite() and number == number.to_integral_value() else None
    return None


def as_count(value: Any, maximum: int = MAX_COUNT) -> int:
    """A non-negative whole number (households, population, floors)."""
    number = _whole_number(value)
    if number is None or number < 0:
        raise CellError(_("“%(v)s” is not a whole number of zero or more.") % {"v": as_text(value)}, "number_invalid")
    if number > maximum:
        raise CellError(_("%(v)d is too large (at most %(max)d).") % {"v": number, "max": maximum}, "number_invalid")
    return number


def as_code(value: Any) -> str:
    """A place code; full-width digits (from Chinese input methods) count as digits."""
    text = unicodedata.normalize("NFKC", as_text(value))
    if not (text.isascii() and text.isdigit()):
        raise CellError(_("“%(v)s” is not a code: a code is made of the digits 0–9.") % {"v": text}, "code_invalid")
    if len(text) > CODE_MAX:
        raise CellError(_("Too long: at most %(n)d characters.") % {"n": CODE_MAX}, "too_long")
    return text


def as_coordinate(value: Any, limit: int) -> decimal.Decimal:
    """A longitude (limit 180) or latitude (limit 90) in degrees."""
    try:
        number = decimal.Decimal(as_text(value)) if not isinstance(value, float) else decimal.Decimal(repr(value))
    except decimal.InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CellError(_("“%(v)s” is not a number of degrees.") % {"v": as_text(value)}, "coordinate_invalid")
    if not -limit <= number <= limit:
        raise CellError(
            _("%(v)s is outside −%(lim)d…%(lim)d degrees.") % {"v": as_text(value), "lim": limit}, "coordinate_invalid"
        )
    return number.quantize(COORD_PLACES)


def as_boundary(value: Any) -> dict[str, Any]:
    try:
        geometry = normalise_boundary(value)
    except GeometryError as exc:
        raise CellError(str(exc), "boundary_invalid") from None
    # Through JSON once, so it compares equal to what the JSONField gives back (lists, not tuples).
    result: dict[str, Any] = json.loads(json.dumps(geometry))
    return result


def limited(max_length: int) -> Callable[[Any], str]:
    """A reader of text of at most `max_length` characters (the model column's size)."""

    def read(value: Any) -> str:
        text = as_text(value)
        if len(text) > max_length:
            raise CellError(_("Too long: at most %(n)d characters.") % {"n": max_length}, "too_long")
        return text

    return read


class CellReader:
    """Reads the cells of one row, turning each failure into a RowError and the value into None."""

    def __init__(self, sheet: str, row: int | str, labels: Mapping[str, str], errors: list[RowError]) -> None:
        self.sheet, self.row, self.labels, self.errors = sheet, row, labels, errors
        self.failed: set[str] = set()

    def error(self, name: str, message: str, code: str) -> None:
        self.failed.add(name)
        self.errors.append(RowError(self.sheet, self.row, self.labels.get(name, name), message, code))

    def read(self, values: Mapping[str, Any], name: str, parse: Callable[[Any], Any]) -> Any:
        """The parsed value of column `name`, or None when blank or unreadable (the error is recorded)."""
        value = values.get(name)
        if is_blank(value):
            return None
        try:
            return parse(value)
        except CellError as exc:
            self.error(name, str(exc), exc.code)
            return None

    def required(self, values: Mapping[str, Any], name: str, parse: Callable[[Any], str]) -> str:
        """Like read(), for a text that must be there; "" after recording the error when it is not."""
        if is_blank(values.get(name)):
            self.error(name, _("This value is required."), "required")
            return ""
        result: str | None = self.read(values, name, parse)
        return result or ""


def place_row(reader: CellReader, values: Mapping[str, Any], level: str) -> PlaceRow:
    """Read a place from `values` (field name -> raw value). Whether a parent is needed depends on the level,
    which GeoJSON may leave to be inferred, so the checks, not the reader, require it."""
    return PlaceRow(
        sheet=reader.sheet,
        row=reader.row,
        labels=reader.labels,
        level=level,
        code=reader.required(values, "code", as_code),
        name=reader.required(values, "name", limited(NAME_MAX)),
        parent_code=reader.read(values, "parent_code", as_code) or "",
        kind_text=as_text(values.get("kind")),
        households=reader.read(values, "households", as_count),
        population=reader.read(values, "population", as_count),
        dedicated_to=reader.read(values, "dedicated_to", limited(DEDICATED_MAX)),
        address=reader.read(values, "address", limited(ADDRESS_MAX)),
        boundary=reader.read(values, "boundary", as_boundary),
        unreadable=frozenset(reader.failed),
    )
