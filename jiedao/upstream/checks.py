"""Checking every row of an export before anything is written: each row becomes an `Order` (cleaned values, the
place and category found) or errors naming row and column; orders repeated in the file are collapsed or refused;
orders already registered are compared with their case to see what the upstream changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jiedao.cases.choices import Channel, State
from jiedao.cases.models import Case
from jiedao.cases.workflow import ENDED_STATES
from jiedao.core import clock
from jiedao.places import geo
from jiedao.places.models import Place
from jiedao.upstream import cells
from jiedao.upstream.matching import CategoryIndex, PlaceIndex
from jiedao.upstream.reading import RowError, Sheet

TITLE_MAX = 200
TITLE_FROM_CONTENT = 40
# A receipt later than now by more than this is a typing error, not a clock difference.
FUTURE_TOLERANCE = dt.timedelta(minutes=30)
# Upstream numbers per query, under every database's limit on parameters.
CHUNK = 2000
# Fields the upstream may change while the case is still at registration (blank cells keep the old value).
REGISTRATION_FIELDS = (
    "title",
    "content",
    "request_type",
    "urgency",
    "category_id",
    "address",
    "reporter_name",
    "reporter_phone",
    "confidential",
)


@dataclass
class Order:
    """One order of the file, cleaned. `given` names the fields whose cell was filled."""

    row: int
    upstream_number: str
    title: str
    content: str
    received_at: dt.datetime
    upstream_deadline: dt.datetime | None
    request_type: str
    urgency: str
    reporter_name: str
    reporter_phone: str
    confidential: bool
    address: str
    lng: Decimal | None
    lat: Decimal | None
    office: Place
    place: Place
    category_id: int | None
    given: frozenset[str]

    def signature(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self) if f.name != "row")

    def differences(self, other: Order) -> list[str]:
        names = [f.name for f in fields(self) if f.name not in ("row", "given", "office")]
        return [name for name in names if getattr(self, name) != getattr(other, name)]


@dataclass
class Change:
    """What the upstream changed on an existing case: field → new value."""

    case_id: int
    row: int
    values: dict[str, Any]


@dataclass
class Plan:
    new: list[Order] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    kept: int = 0
    duplicates: int = 0
    rows_read: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Our field name → the column's header as the file writes it, for errors found while writing.
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.new) + len(self.changes) + self.unchanged + self.duplicates


@dataclass
class Context:
    sheet: Sheet
    mapping: Mapping[str, Sequence[str]]
    date_formats: Sequence[str]
    default_request_type: str
    default_urgency: str
    places: PlaceIndex
    office: Place | None  # chosen for the whole file; a 街道 column may name another of the importer's offices
    categories: CategoryIndex = field(default_factory=CategoryIndex)
    now: dt.datetime = field(default_factory=lambda: clock.now())

    def label(self, name: str) -> str:
        return self.sheet.label(name, self.mapping)


class _Row:
    """Reads one row's cells, recording an error per bad cell."""

    def __init__(self, context: Context, number: int, data: Mapping[str, Any], errors: list[RowError]) -> None:
        self.context, self.number, self.data, self.errors = context, number, data, errors
        self.given = {name for name, value in data.items() if not cells.is_blank(value)}

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.context.label(name), message))

    def read(self, name: str, convert: Callable[[Any], Any], default: Any = None) -> Any:
        if name not in self.given:
            return default
        try:
            return convert(self.data[name])
        except cells.CellError as error:
            self.error(name, str(error))
            return default

    def required(self, name: str, convert: Callable[[Any], Any]) -> Any:
        if name not in self.given:
            self.error(name, _("This cell is empty."))
            return None
        return self.read(name, convert)


def check_rows(context: Context, progress: Callable[[int], None] | None = None) -> Plan:
    """Every row cleaned and checked, repeats resolved, and each order compared with its case if it has one."""
    plan = Plan(errors=list(context.sheet.errors), rows_read=len(context.sheet.rows))
    plan.labels = {name: context.label(name) for name in context.mapping if name in context.sheet.columns}
    plan.labels.update(place=context.label("office"), lng=context.label("lng"), lat=context.label("lat"))
    first: dict[str, Order] = {}
    for index, (number, data) in enumerate(context.sheet.rows, start=1):
        order = _order(context, number, data, plan.errors)
        if progress is not None and index % 1000 == 0:
            progress(index)
        if order is None:
            continue
        earlier = first.get(order.upstream_number)
        if earlier is None:
            first[order.upstream_number] = order
        elif earlier.signature() == order.signature():
            plan.duplicates += 1
        else:
            labels = "、".join(_label(context, name) for name in earlier.differences(order))
            message = _("The order number is also on row %(row)d, with other values (%(columns)s).") % {
                "row": earlier.row,
                "columns": labels,
            }
            plan.errors.append(RowError(number, context.label("upstream_number"), message))
    _compare_with_cases(context, list(first.values()), plan)
    plan.errors.sort(key=RowError.sort_key)
    return plan


def _label(context: Context, name: str) -> str:
    if name == "place":
        present = [n for n in ("grid", "community", "lng") if n in context.sheet.columns]
        return context.label(present[0]) if present else str(_("place"))
    return context.label(name)


def _order(context: Context, number: int, data: Mapping[str, Any], errors: list[RowError]) -> Order | None:
    before = len(errors)
    row = _Row(context, number, data, errors)
    upstream_number = row.required("upstream_number", cells.as_upstream_number)
    content = row.read("content", cells.as_text, "")
    title = row.read("title", cells.as_text, "")
    title = " ".join(title.split())[:TITLE_MAX].strip()
    if not title and not content:
        row.error(
            "title" if "title" in context.sheet.columns else "content", _("Both the title and the content are empty.")
        )
    title = title or " ".join(content.split())[:TITLE_FROM_CONTENT].strip()
    content = content or title
    received_at = row.required("received_at", lambda v: cells.as_datetime(v, context.date_formats))
    if received_at is not None and received_at > context.now + FUTURE_TOLERANCE:
        row.error("received_at", _("The time of receipt is in the future."))
    deadline = row.read("upstream_deadline", lambda v: cells.as_datetime(v, context.date_formats, end_of_day=True))
    if deadline is not None and received_at is not None and deadline < received_at:
        row.error("upstream_deadline", _("The deadline is earlier than the time of receipt."))
    lng = row.read("lng", lambda v: cells.as_coordinate(v, 180))
    lat = row.read("lat", lambda v: cells.as_coordinate(v, 90))
    if (lng is None) != (lat is None) and not errors[before:]:
        row.error("lat" if lat is None else "lng", _("Give both the longitude and the latitude, or neither."))
    values = {
        "request_type": row.read("request_type", cells.as_request_type, context.default_request_type),
        "urgency": row.read("urgency", cells.as_urgency, context.default_urgency),
        "reporter_name": row.read("reporter_name", lambda v: cells.as_line(v, cells.NAME_MAX), ""),
        "reporter_phone": row.read("reporter_phone", cells.as_phone, ""),
        "confidential": row.read("confidential", cells.as_flag, False),
        "address": row.read("address", lambda v: cells.as_line(v, cells.ADDRESS_MAX), ""),
    }
    places = _places(row, lng, lat)
    category_id = context.categories.find(
        cells.as_text(data.get("category")), [cells.as_text(data.get(f"category_{n}")) for n in (1, 2, 3)]
    )
    if len(errors) > before or places is None:
        return None
    given = set(row.given)
    if "title" in given or "content" in given:
        given |= {"title", "content"}
    if category_id is not None:
        given.add("category_id")
    if not values["reporter_phone"]:
        given.discard("reporter_phone")  # a masked number is not a number to keep
    return Order(
        row=number,
        upstream_number=upstream_number,
        title=title,
        content=content,
        received_at=received_at,
        upstream_deadline=deadline,
        lng=lng,
        lat=lat,
        office=places[0],
        place=places[1],
        category_id=category_id,
        given=frozenset(given),
        **values,
    )


def _places(row: _Row, lng: Decimal | None, lat: Decimal | None) -> tuple[Place, Place] | None:
    """(office, most precise place) from the point, the 网格/社区/街道 cells or the office chosen for the file."""
    index = row.context.places
    office = row.context.office
    if "office" in row.given:
        named = cells.as_text(row.data["office"])
        office = index.office_index.find(named)
        if office is None:
            row.error("office", _("“%(v)s” is not an office you may import into.") % {"v": named[:40]})
            return None
    if lng is not None and lat is not None:
        found = geo.resolve_point(float(lng), float(lat))
        if found.grid_id is not None:
            grid = index.by_id.get(found.grid_id)
            if grid is None or (office is not None and not grid.code.startswith(office.prefix)):
                row.error("lng", _("The point lies in a grid outside your office."))
                return None
            assert grid.parent is not None and grid.parent.parent is not None
            return grid.parent.parent, grid
    if office is None:
        row.error(
            "office" if "office" in row.context.sheet.columns else "upstream_number",
            _("Which office? Choose one for the file, or give a 所属街道 column."),
        )
        return None
    place: Place = office
    if "community" in row.given:
        named = cells.as_text(row.data["community"])
        community = index.community_index.find(named, within=office.prefix)
        if community is None:
            row.error(
                "community", _("“%(v)s” is not a community of %(office)s.") % {"v": named[:40], "office": office.name}
            )
            return None
        place = community
    if "grid" in row.given:
        named = cells.as_text(row.data["grid"])
        grid = index.grid_index.find(named, within=place.prefix)
        if grid is None:
            row.error("grid", _("“%(v)s” is not a grid of %(place)s.") % {"v": named[:40], "place": place.name})
            return None
        place = grid
    return office, place


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


EXISTING_FIELDS = ("id", "state", "scope_code", "upstream_number", "upstream_deadline", *REGISTRATION_FIELDS)


def _compare_with_cases(context: Context, orders: list[Order], plan: Plan) -> None:
    """Sort the orders into new ones, changes to apply and unchanged ones."""
    existing: dict[str, Case] = {}
    numbers = sorted(order.upstream_number for order in orders)
    for chunk in _chunks(numbers):
        # Stating the partial unique index's condition lets SQLite use it (else it scans every case).
        query = Case.objects.filter(channel=Channel.HOTLINE_12345, upstream_number__in=chunk)
        query = query.exclude(upstream_number="").only(*EXISTING_FIELDS)
        existing.update((case.upstream_number, case) for case in query)
    for order in orders:
        case = existing.get(order.upstream_number)
        if case is None:
            plan.new.append(order)
            continue
        if not context.places.covers(case.scope_code):
            message = _("This order is already registered outside your office; nothing can be changed from here.")
            plan.errors.append(RowError(order.row, context.label("upstream_number"), message))
            continue
        values, kept = upstream_changes(order, case)
        if values:
            plan.changes.append(Change(case_id=case.pk, row=order.row, values=values))
        else:
            plan.unchanged += 1
        if kept:
            plan.kept += 1


def upstream_changes(order: Order, case: Case) -> tuple[dict[str, Any], bool]:
    """(the changes the upstream may still make, whether the file differs in fields it no longer may)."""
    values: dict[str, Any] = {}
    kept = False
    if case.state in ENDED_STATES:
        return values, order.upstream_deadline is not None and order.upstream_deadline != case.upstream_deadline
    if order.upstream_deadline is not None and order.upstream_deadline != case.upstream_deadline:
        values["upstream_deadline"] = order.upstream_deadline
    for name in REGISTRATION_FIELDS:
        if name not in order.given or getattr(order, name) == getattr(case, name):
            continue
        if case.state == State.REGISTERED:
            values[name] = getattr(order, name)
        else:
            kept = True
    return values, kept
