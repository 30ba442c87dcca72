"""Importing the org tree and buildings from Excel or GeoJSON: all of the file or nothing.

Reading is in imports_excel / imports_geojson, the checks in imports_checks; this module holds the one
service, `places_import`, which checks the whole file, refuses it with every error, or writes it.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record
from jiedao.core import clock
from jiedao.core.errors import DomainError
from jiedao.core.scope import scope_of
from jiedao.places import codes, geo
from jiedao.places.choices import Level
from jiedao.places.imports_checks import PlaceItem, Plan, check, referenced_codes
from jiedao.places.imports_excel import read_workbook
from jiedao.places.imports_geojson import read_geojson
from jiedao.places.imports_rows import BuildingRow, ParsedFile, RowError
from jiedao.places.models import Building, Place
from jiedao.places.permissions import can_manage_place

EXCEL_SUFFIXES = frozenset({".xlsx"})
GEOJSON_SUFFIXES = frozenset({".geojson", ".json"})
BUILDING = "building"
# Parents before children.
LEVEL_ORDER = (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)
# What an import may change on an existing place; a blank cell keeps the old value.
PLACE_FIELDS = ("name", "kind", "households", "population", "dedicated_to", "address", "boundary")
BUILDING_FIELDS = ("name", "address", "lng", "lat", "floors")
# Codes per query, under every database's limit on parameters.
CHUNK = 2000


class PlacesImportInvalid(DomainError):
    """The file has errors; nothing was written. `errors` lists every one, in file order."""

    code = "import_invalid"

    def __init__(self, errors: list[RowError]) -> None:
        count = len(errors)
        message = ngettext(
            "The file has %(n)d error; nothing was imported.", "The file has %(n)d errors; nothing was imported.", count
        )
        super().__init__(message % {"n": count})
        self.errors = errors


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote: counts by level ("district", …, "grid") and "building"."""

    filename: str
    created: Mapping[str, int]
    updated: Mapping[str, int]

    def summary(self) -> str:
        labels: list[tuple[str, str]] = [(str(level.value), str(level.label)) for level in LEVEL_ORDER]
        labels.append((BUILDING, str(Building._meta.verbose_name_plural)))
        parts = [
            _("%(what)s: %(created)d created, %(updated)d updated")
            % {"what": label, "created": self.created.get(key, 0), "updated": self.updated.get(key, 0)}
            for key, label in labels
            if self.created.get(key, 0) or self.updated.get(key, 0)
        ]
        counts = "; ".join(parts) if parts else _("nothing changed")
        return _("Imported %(file)s: %(counts)s.") % {"file": self.filename, "counts": counts}


def parse_source(source: IO[bytes] | bytes, filename: str) -> ParsedFile:
    """Read the file by its extension; a file of another kind is one error, not an exception."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_workbook(io.BytesIO(source) if isinstance(source, bytes) else source)
    if suffix in GEOJSON_SUFFIXES:
        return read_geojson(source if isinstance(source, bytes) else source.read())
    message = _("Unsupported file type “%(ext)s”: use .xlsx, .geojson or .json.") % {"ext": suffix or filename}
    return ParsedFile(errors=[RowError("", "", "", message, "bad_file")])


def may_manage_for(actor: Any) -> Callable[[str], bool]:
    """Whether `actor` may import the place with a given prefix; None is the system (the command without --user)."""
    if actor is None:
        return lambda prefix: True
    return lambda prefix: can_manage_place(actor, Place(prefix=prefix))


def may_reference_for(actor: Any) -> Callable[[str], bool]:
    """Whether a file of `actor` may name the place with a given prefix unchanged: the root of his area or above."""
    if actor is None:
        return lambda prefix: True
    scope = scope_of(actor)
    roots = scope.prefixes_for("admin")
    return lambda prefix: scope.everything or any(root.startswith(prefix) for root in roots)


@transaction.atomic
def places_import(
    *, source: IO[bytes] | bytes, filename: str, actor: Any, request: HttpRequest | None = None
) -> ImportReport:
    """Check the whole file and write it, or raise PlacesImportInvalid with every error and write nothing.

    Places are upserted by code (parents first), buildings by (grid, number). A non-superuser may only import
    strictly below the places his admin role covers; `actor=None` is the system. The places the file names
    are locked while it is checked and written. The grid index is refreshed after commit.
    """
    parsed = parse_source(source, filename)
    if not parsed.errors and not parsed.places and not parsed.buildings:
        parsed.errors.append(RowError("", "", "", _("The file contains no places and no buildings."), "empty"))
    known = _known_places(referenced_codes(parsed))
    plan = check(parsed, known=known, may_manage=may_manage_for(actor), may_reference=may_reference_for(actor))
    errors = sorted([*parsed.errors, *plan.errors], key=RowError.sort_key)
    if errors:
        raise PlacesImportInvalid(errors)
    created, updated = Counter[str](), Counter[str]()
    try:
        with transaction.atomic():
            places = _write_places(plan, dict(known), created, updated)
            _write_buildings(plan.buildings, places, created, updated)
    except IntegrityError:
        # Another import created one of these codes between our check and our write.
        message = _("Another import changed these places at the same moment; import the file again.")
        raise PlacesImportInvalid([RowError("", "", "", message, "conflict")]) from None
    transaction.on_commit(geo.invalidate)
    detail = {"file": filename, "created": dict(created), "updated": dict(updated)}
    audit_record(action=AuditAction.IMPORT, actor=actor, request=request, detail=detail)
    return ImportReport(filename=filename, created=dict(created), updated=dict(updated))


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _known_places(found: set[str]) -> dict[str, Place]:
    known: dict[str, Place] = {}
    for chunk in _chunks(found):
        known.update((place.code, place) for place in Place.objects.select_for_update().filter(code__in=chunk))
    return known


def _write_places(
    plan: Plan, places: dict[str, Place], created: Counter[str], updated: Counter[str]
) -> dict[str, Place]:
    """Create and update the plan's places level by level; return every place by code."""
    now = clock.now()
    for level in LEVEL_ORDER:
        items = [item for item in plan.places if item.level == level]
        new = [_new_place(item, places) for item in items if item.existing is None]
        Place.objects.bulk_create(new)
        places.update((place.code, place) for place in new)
        changed = [item.existing for item in items if item.existing is not None and _apply_place(item)]
        for place in changed:
            place.updated_at = now  # bulk_update skips auto_now; the grid index fingerprint reads this column
        Place.objects.bulk_update(changed, [*PLACE_FIELDS, "updated_at"])
        created[level] += len(new)
        updated[level] += len(changed)
    return places


def _new_place(item: PlaceItem, places: Mapping[str, Place]) -> Place:
    row = item.row
    return Place(
        level=item.level,
        kind=item.kind,
        code=row.code,
        prefix=codes.prefix_of(row.code, item.level),  # bulk_create skips save(), which derives it
        name=row.name,
        parent=places[row.parent_code] if item.level != Level.DISTRICT else None,
        boundary=row.boundary,
        households=row.households,
        population=row.population,
        dedicated_to=row.dedicated_to or "",
        address=row.address or "",
    )


def _apply_place(item: PlaceItem) -> bool:
    """Copy the given values onto the existing place; True when anything changed."""
    assert item.existing is not None
    values = {name: getattr(item.row, name) for name in PLACE_FIELDS if name != "kind"}
    values["kind"] = item.kind
    return _apply(item.existing, values)


def _apply(obj: Place | Building, values: Mapping[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if value is not None and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _write_buildings(
    rows: list[BuildingRow], places: Mapping[str, Place], created: Counter[str], updated: Counter[str]
) -> None:
    """Upsert buildings by (grid, number)."""
    existing: dict[tuple[str, str], Building] = {}
    for chunk in _chunks({row.grid_code for row in rows}):
        for building in Building.objects.select_for_update().filter(scope_code__in=chunk):
            existing[(building.scope_code, building.number)] = building
    new: list[Building] = []
    changed: list[Building] = []
    now = clock.now()
    for row in rows:
        building = existing.get((row.grid_code, row.number))
        values = {name: getattr(row, name) for name in BUILDING_FIELDS}
        if building is None:
            new.append(_new_building(row, places[row.grid_code]))
        elif _apply(building, values):
            building.updated_at = now
            changed.append(building)
    Building.objects.bulk_create(new)
    Building.objects.bulk_update(changed, [*BUILDING_FIELDS, "updated_at"])
    created[BUILDING] += len(new)
    updated[BUILDING] += len(changed)


def _new_building(row: BuildingRow, grid: Place) -> Building:
    return Building(
        grid=grid,
        scope_code=grid.code,  # bulk_create skips save(), which derives it
        number=row.number,
        name=row.name,
        address=row.address or "",
        lng=row.lng,
        lat=row.lat,
        floors=row.floors if row.floors is not None else 1,
    )
