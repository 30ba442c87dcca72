"""Checks across the rows of an import and against the places already in the database; no queries here.

The caller fetches the places the file refers to (`referenced_codes`) and says which place prefixes the actor
may manage; `check` returns every error and, for a clean file, the plan of what to write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from jiedao.places import codes
from jiedao.places.choices import KINDS_BY_LEVEL, PARENT_LEVEL, Level, PlaceKind
from jiedao.places.imports_rows import KIND_WORDS, BuildingRow, ParsedFile, PlaceRow, RowError

if TYPE_CHECKING:
    from jiedao.places.models import Place

LEVEL_BELOW: dict[str, str] = {parent: child for child, parent in PARENT_LEVEL.items() if parent is not None}


@dataclass(frozen=True)
class PlaceItem:
    """A row that passed the checks: its level and kind settled, and the place it updates if any."""

    row: PlaceRow
    level: str
    kind: str
    existing: Place | None


@dataclass
class Plan:
    places: list[PlaceItem] = field(default_factory=list)
    buildings: list[BuildingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def referenced_codes(parsed: ParsedFile) -> set[str]:
    """Every code the file names: its places, their parents and the buildings' grids."""
    found = {row.code for row in parsed.places} | {row.parent_code for row in parsed.places}
    found |= {row.grid_code for row in parsed.buildings}
    found.discard("")
    return found


def level_from_code(code: str) -> str:
    """The level a well-formed code has by its shape, or "" (DOMAIN.md §3: 6, 12 or 15 digits)."""
    if not code.isdigit():
        return ""
    if len(code) == 6:
        return Level.DISTRICT
    if len(code) == 15:
        return Level.GRID
    if len(code) == 12:
        return Level.SUBDISTRICT if code.endswith("000") else Level.COMMUNITY
    return ""


def default_kind(level: str, code: str) -> str:
    """The kind of a new place whose row leaves 类型 blank: a 社区 sheet row numbered 200–399 is a village."""
    if level == Level.COMMUNITY and code[9:12].isdigit() and 200 <= int(code[9:12]) <= 399:
        return PlaceKind.VILLAGE
    return KINDS_BY_LEVEL[level][0]


def check(
    parsed: ParsedFile,
    *,
    known: Mapping[str, Place],
    may_manage: Callable[[str], bool],
    may_reference: Callable[[str], bool] = lambda prefix: False,
) -> Plan:
    """Check every row; `known` holds the database's places by code, `may_manage(prefix)` the actor's reach.

    `may_reference(prefix)` tells the places above the actor's reach (his own office, its district) that a file
    may still name unchanged, as the parents of what it imports; such rows are skipped, not written.
    """
    plan = Plan(buildings=list(parsed.buildings))
    first = _first_rows(parsed.places, plan.errors)
    levels = _levels(parsed.places, known)
    checker = _PlaceChecker(first, levels, known, may_manage, plan.errors, may_reference)
    for row in parsed.places:
        if first.get(row.code) is row:
            item = checker.check(row)
            if item is not None:
                plan.places.append(item)
    _check_buildings(parsed.buildings, levels, known, may_manage, plan.errors)
    return plan


def _first_rows(rows: list[PlaceRow], errors: list[RowError]) -> dict[str, PlaceRow]:
    """Each code's first row; a later row with the same code is an error."""
    first: dict[str, PlaceRow] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in first:
            earlier = first[row.code]
            message = _("The code %(code)s appears twice; first in %(sheet)s row %(row)s.") % {
                "code": row.code,
                "sheet": earlier.sheet,
                "row": earlier.row,
            }
            errors.append(RowError(row.sheet, row.row, row.label("code"), message, "duplicate"))
        else:
            first[row.code] = row
    return first


def _levels(rows: list[PlaceRow], known: Mapping[str, Place]) -> dict[str, str]:
    """Code -> level for the file's places: as stated, else the existing place's, else by code, else by parent."""
    levels: dict[str, str] = {}
    for row in rows:
        if row.code and row.code not in levels:
            existing = known.get(row.code)
            levels[row.code] = row.level or (existing.level if existing else "") or level_from_code(row.code)
    for row in rows:
        if row.code and not levels[row.code]:
            parent_level = levels.get(row.parent_code) or (
                known[row.parent_code].level if row.parent_code in known else ""
            )
            levels[row.code] = LEVEL_BELOW.get(parent_level, "")
    return levels


class _PlaceChecker:
    def __init__(
        self,
        first: Mapping[str, PlaceRow],
        levels: Mapping[str, str],
        known: Mapping[str, Place],
        may_manage: Callable[[str], bool],
        errors: list[RowError],
        may_reference: Callable[[str], bool],
    ) -> None:
        self.first, self.levels, self.known, self.may_manage, self.errors = first, levels, known, may_manage, errors
        self.may_reference = may_reference

    def error(self, row: PlaceRow, name: str, message: str, code: str) -> None:
        self.errors.append(RowError(row.sheet, row.row, row.label(name), message, code))

    def check(self, row: PlaceRow) -> PlaceItem | None:
        level = self.levels[row.code]
        if not level:
            self.error(
                row, "level", _("The level cannot be told from the code or the parent; give it."), "level_unknown"
            )
            return None
        prefix = codes.prefix_of(row.code, level)
        existing = self.known.get(row.code)
        referenced = existing is not None and existing.level == level and _unchanged(row, existing)
        if referenced and not self.may_manage(prefix) and self.may_reference(prefix):
            return None  # the actor's own office (or district) named as it is: context, nothing to write
        # The area first: about a place outside it, say nothing more (whether it exists, what is wrong).
        if not self.may_manage(prefix):
            message = _("You may only import places inside the area you administer.")
            self.error(row, "code", message, "out_of_scope")
            return None
        existing = self.known.get(row.code)
        if existing is not None and existing.level != level:
            message = _("%(code)s already exists as a %(level)s; an import cannot change its level.") % {
                "code": row.code,
                "level": Level(existing.level).label,
            }
            self.error(row, "code", message, "level_changed")
            return None
        kind = self._kind(row, level, existing)
        parent_ok = self._parent(row, level)
        if existing is not None and parent_ok and not self._same_parent(row, level, existing):
            return None
        try:
            # Against the parent only when that is right: a wrong parent is reported once, on its own column.
            codes.validate_code(row.code, level, kind, row.parent_code if parent_ok and row.parent_code else None)
        except codes.CodeError as exc:
            self.error(row, "code", str(exc), "code_invalid")
            return None
        return PlaceItem(row=row, level=level, kind=kind, existing=existing)

    def _kind(self, row: PlaceRow, level: str, existing: Place | None) -> str:
        """The kind to store; on a bad 类型 the error is recorded and the level's default returned."""
        if not row.kind_text:
            return existing.kind if existing is not None else default_kind(level, row.code)
        kind = KIND_WORDS.get(row.kind_text, "")
        allowed = KINDS_BY_LEVEL[level]
        if kind not in allowed:
            names = "、".join(str(PlaceKind(value).label) for value in allowed)
            message = _("“%(v)s” is not a type of this level; use %(names)s.") % {"v": row.kind_text, "names": names}
            self.error(row, "kind", message, "kind_invalid")
            return default_kind(level, row.code)
        return kind

    def _parent(self, row: PlaceRow, level: str) -> bool:
        """True when the parent exists (in the file or the database) at the level above; a district has none."""
        expected = PARENT_LEVEL[level]
        if expected is None:
            return True
        if not row.parent_code:
            if "parent_code" not in row.unreadable:
                self.error(row, "parent_code", _("This value is required."), "required")
            return False
        # A place in the database keeps its level whatever the file says (that would be an error of its own).
        if row.parent_code in self.known:
            found = self.known[row.parent_code].level
        elif row.parent_code in self.first:
            found = self.levels[row.parent_code]
        else:
            message = _("No place has the code %(code)s, in this file or in the system.") % {"code": row.parent_code}
            self.error(row, "parent_code", message, "parent_missing")
            return False
        if found != expected:
            message = _("The parent %(code)s is a %(found)s, not a %(expected)s.") % {
                "code": row.parent_code,
                "found": Level(found).label if found in Level.values else "?",
                "expected": Level(expected).label,
            }
            self.error(row, "parent_code", message, "parent_level")
            return False
        return True

    def _same_parent(self, row: PlaceRow, level: str, existing: Place) -> bool:
        """An existing place keeps its parent; told before the code check, which would only say "wrong prefix"."""
        if level == Level.DISTRICT:
            return True
        parent = self.known.get(row.parent_code)
        if parent is None or parent.pk != existing.parent_id:
            message = _("%(code)s already exists under another parent; an import cannot move it.") % {"code": row.code}
            self.error(row, "parent_code", message, "parent_changed")
            return False
        return True


def _unchanged(row: PlaceRow, existing: Place) -> bool:
    """True when every value the row gives equals the stored one (blank cells keep values, so they match)."""
    given = {
        "households": row.households,
        "population": row.population,
        "dedicated_to": row.dedicated_to,
        "address": row.address,
        "boundary": row.boundary,
    }
    return row.name == existing.name and all(
        value is None or value == getattr(existing, name) for name, value in given.items()
    )


def _check_buildings(
    rows: list[BuildingRow],
    levels: Mapping[str, str],
    known: Mapping[str, Place],
    may_manage: Callable[[str], bool],
    errors: list[RowError],
) -> None:
    seen: dict[tuple[str, str], BuildingRow] = {}
    for row in rows:
        if not row.grid_code:
            continue
        if not may_manage(row.grid_code):
            message = _("You may only import buildings inside the area you administer.")
            errors.append(RowError(row.sheet, row.row, row.label("grid_code"), message, "out_of_scope"))
            continue
        level = levels.get(row.grid_code) or (known[row.grid_code].level if row.grid_code in known else "")
        if not level:
            message = _("No grid has the code %(code)s, in this file or in the system.") % {"code": row.grid_code}
            errors.append(RowError(row.sheet, row.row, row.label("grid_code"), message, "grid_missing"))
            continue
        if level != Level.GRID:
            message = _("%(code)s is not a grid.") % {"code": row.grid_code}
            errors.append(RowError(row.sheet, row.row, row.label("grid_code"), message, "not_grid"))
            continue
        if row.number:
            key = (row.grid_code, row.number)
            if key in seen:
                message = _("Building %(n)s appears twice in this grid; first in row %(row)s.") % {
                    "n": row.number,
                    "row": seen[key].row,
                }
                errors.append(RowError(row.sheet, row.row, row.label("number"), message, "building_duplicate"))
            else:
                seen[key] = row
