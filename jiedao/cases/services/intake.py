"""Registering a demand and the decisions right after it: accept, refuse, answer at once, merge, void."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jiedao.cases import permissions
from jiedao.cases.choices import Channel, NotAcceptedReason, RequestType, Resolution, Stage, State, Urgency
from jiedao.cases.deadlines import deadline, limit_for
from jiedao.cases.duplicates import address_key
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Case, CaseSequence
from jiedao.cases.services.base import begin, event, finish, required_text, start_finish_clock
from jiedao.cases.workflow import Action
from jiedao.core import clock, crypto
from jiedao.core.errors import ActionForbidden, NotFoundOrForbidden
from jiedao.places import geo
from jiedao.places.choices import Level
from jiedao.places.models import Place

PHONE = re.compile(r"^\+?[\d\- ]{7,20}$")


def _choice(value: str, choices: Any, *, field: str, label: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("%(label)s “%(value)s” is not one of the allowed values.") % {"label": label, "value": value}, field=field
        )
    return value


def _coordinates(lng: Any, lat: Any) -> tuple[Decimal | None, Decimal | None]:
    if (lng in (None, "")) != (lat in (None, "")):
        raise InvalidInput(
            _("Give both the longitude and the latitude, or neither."), field="lng" if lng in (None, "") else "lat"
        )
    if lng in (None, ""):
        return None, None
    try:
        x, y = Decimal(str(lng)).quantize(Decimal("0.000001")), Decimal(str(lat)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("The coordinates must be decimal degrees."), field="lng") from None
    if not (-180 <= x <= 180):
        raise InvalidInput(_("The longitude must be within ±180."), field="lng")
    if not (-90 <= y <= 90):
        raise InvalidInput(_("The latitude must be within ±90."), field="lat")
    return x, y


def _places(
    *, lng: Decimal | None, lat: Decimal | None, place: Place | None, office: Place | None
) -> tuple[Place, Place | None, Place | None]:
    """(office, community, grid) from the point, else from the chosen place, else the office alone."""
    if lng is not None and lat is not None:
        found = geo.resolve_point(float(lng), float(lat))
        if found.grid_id is not None:
            if place is not None and place.pk == found.grid_id and _parents_loaded(place):
                grid = place  # the caller found that grid too (the 12345 import): no need to read it again
            else:
                grid = Place.objects.select_related("parent__parent").get(pk=found.grid_id)
            assert grid.parent is not None and grid.parent.parent is not None
            return grid.parent.parent, grid.parent, grid
    if place is not None:
        if place.level == Level.GRID:
            assert place.parent is not None and place.parent.parent is not None
            return place.parent.parent, place.parent, place
        if place.level == Level.COMMUNITY:
            assert place.parent is not None
            return place.parent, place, None
        if place.level == Level.SUBDISTRICT:
            return place, None, None
    if office is not None and office.level == Level.SUBDISTRICT:
        return office, None, None
    raise InvalidInput(
        _("Say where the demand is: a point inside a grid, a grid, a community or the office."), field="place"
    )


def _parents_loaded(place: Place) -> bool:
    parent = place.parent if Place.parent.is_cached(place) else None
    return parent is not None and Place.parent.is_cached(parent)


# Numbers taken in advance for a bulk registration: (office id, year) → the numbers not yet handed out.
_reserved: ContextVar[dict[tuple[int, int], list[int]] | None] = ContextVar("reserved_case_numbers", default=None)


@contextmanager
def numbers_reserved(counts: Mapping[tuple[Place, int], int]) -> Iterator[None]:
    """Reserve `count` numbers of each (office, year) with one update of its sequence row, for registrations made
    inside (a file of thousands of orders). Must run inside the transaction that registers them: the rows stay
    locked until it ends, so the numbers left over are given back and the numbering keeps no gap."""
    blocks: dict[tuple[int, int], list[int]] = {}
    for (office, year), count in counts.items():
        if count <= 0:
            continue
        sequence = _locked_sequence(office, year)
        blocks[(office.pk, year)] = list(range(sequence.last + count, sequence.last, -1))
        sequence.last += count
        sequence.save(update_fields=["last"])
    token = _reserved.set(blocks)
    try:
        yield
    finally:
        _reserved.reset(token)
    # (On an error the transaction rolls back, and the reservation with it.)
    for (office_id, year), left in blocks.items():
        if left:  # the last numbers of the block were not used: the sequence resumes after the last one used
            CaseSequence.objects.filter(office_id=office_id, year=year).update(last=F("last") - len(left))


# Upstream numbers a bulk registration looked up and found on no case: (channel, number) pairs.
_unregistered: ContextVar[set[tuple[str, str]] | None] = ContextVar("unregistered_upstream_numbers", default=None)
# Upstream numbers per query, under every database's limit on parameters.
LOOKUP_CHUNK = 2000


@contextmanager
def upstream_numbers_looked_up(channel: str, numbers: Iterable[str]) -> Iterator[None]:
    """Look up at once (a query per 2,000) which of these upstream numbers no case of `channel` has yet, for the
    registrations made inside: case_register then skips its own look-up for those numbers, once each. Run it
    inside the registering transaction. A case another transaction registers meanwhile with one of them is still
    found: the unique index refuses the second row and case_register returns the case already there."""
    wanted = sorted({number.strip() for number in numbers} - {""})
    found: set[str] = set()
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        # Stating the partial unique index's condition lets SQLite use it (else it scans every case).
        same = Case.objects.filter(channel=channel, upstream_number__in=wanted[start : start + LOOKUP_CHUNK])
        found.update(same.exclude(upstream_number="").values_list("upstream_number", flat=True))
    outer = _unregistered.get()
    unregistered = {(channel, number) for number in wanted if number not in found}
    token = _unregistered.set(unregistered if outer is None else outer | unregistered)
    try:
        yield
    finally:
        _unregistered.reset(token)


def _known_unregistered(channel: str, upstream_number: str) -> bool:
    """Whether a look-up in bulk found no case with this number (true once: the next call looks it up again)."""
    unregistered = _unregistered.get()
    if unregistered is None or (channel, upstream_number) not in unregistered:
        return False
    unregistered.discard((channel, upstream_number))
    return True


def _locked_sequence(office: Place, year: int) -> CaseSequence:
    # The year's row exists but for the first case of the year: lock it straight away (no savepoint, one query).
    sequence = CaseSequence.objects.select_for_update().filter(office=office, year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                CaseSequence.objects.get_or_create(office=office, year=year)
        except IntegrityError:
            pass  # another registration created the row first; it is there now
        sequence = CaseSequence.objects.select_for_update().get(office=office, year=year)
    return sequence


def next_number(office: Place, year: int) -> str:
    """Take the next number of the office's year under a row lock (or from a reserved block): JD2026-000123."""
    block = (_reserved.get() or {}).get((office.pk, year))
    if block:
        return f"JD{year}-{block.pop():06d}"
    sequence = _locked_sequence(office, year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"JD{year}-{sequence.last:06d}"


@transaction.atomic
def case_register(
    *,
    actor: Any,
    channel: str,
    request_type: str,
    title: str,
    content: str,
    urgency: str = Urgency.NORMAL,
    category: Any = None,
    address: str = "",
    lng: Any = None,
    lat: Any = None,
    place: Place | None = None,
    office: Place | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    confidential: bool = False,
    upstream_number: str = "",
    upstream_deadline: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    tags: Sequence[str] = (),
) -> Case:
    """Register a demand once. The same (channel, upstream number) returns the case already registered.

    Raises InvalidInput naming the field, ActionForbidden when the actor may not register there. The place is
    resolved from the point when it lies in a grid, else taken from `place` or `office`.
    """
    return _register_as(
        actor=actor,
        check_place=True,
        channel=channel,
        request_type=request_type,
        title=title,
        content=content,
        urgency=urgency,
        category=category,
        address=address,
        lng=lng,
        lat=lat,
        place=place,
        office=office,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        confidential=confidential,
        upstream_number=upstream_number,
        upstream_deadline=upstream_deadline,
        received_at=received_at,
        tags=tags,
    )


class UpstreamOrder(Protocol):
    """An order another system sent, cleaned (the push API's, the 12345 import's): the case's text, kind, point,
    reporter and times as given. Where it goes, its category and its number as stored, the caller resolves."""

    @property
    def title(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def request_type(self) -> str: ...
    @property
    def urgency(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def lng(self) -> Decimal | None: ...
    @property
    def lat(self) -> Decimal | None: ...
    @property
    def reporter_name(self) -> str: ...
    @property
    def reporter_phone(self) -> str: ...
    @property
    def confidential(self) -> bool: ...
    @property
    def received_at(self) -> dt.datetime: ...


def case_register_upstream(
    *,
    order: UpstreamOrder,
    actor: Any,
    channel: str,
    upstream_number: str,
    upstream_deadline: dt.datetime | None,
    place: Place | None,
    office: Place | None,
    category: Any,
) -> Case:
    """Register an order another system sent (pushed or imported) once: case_register with the order's own fields
    and what the caller resolved. Raises what case_register raises."""
    return case_register(
        actor=actor,
        channel=channel,
        request_type=order.request_type,
        title=order.title,
        content=order.content,
        urgency=order.urgency,
        category=category,
        address=order.address,
        lng=order.lng,
        lat=order.lat,
        place=place,
        office=office,
        reporter_name=order.reporter_name,
        reporter_phone=order.reporter_phone,
        confidential=order.confidential,
        upstream_number=upstream_number,
        upstream_deadline=upstream_deadline,
        received_at=order.received_at,
    )


def _register_as(
    *,
    actor: Any,
    check_place: bool,
    channel: str,
    request_type: str,
    title: str,
    content: str,
    urgency: str = Urgency.NORMAL,
    category: Any = None,
    address: str = "",
    lng: Any = None,
    lat: Any = None,
    place: Place | None = None,
    office: Place | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    confidential: bool = False,
    upstream_number: str = "",
    upstream_deadline: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    tags: Sequence[str] = (),
) -> Case:
    channel = _choice(channel, Channel, field="channel", label=_("Channel"))
    request_type = _choice(request_type, RequestType, field="request_type", label=_("Request type"))
    urgency = _choice(urgency, Urgency, field="urgency", label=_("Urgency"))
    title = required_text(title, field="title", label=_("Title"))[:200]
    content = required_text(content, field="content", label=_("Content"))
    upstream_number = (upstream_number or "").strip()
    if upstream_number and not _known_unregistered(channel, upstream_number):
        # The unique index is partial (upstream number not blank): SQLite uses it only when the query states that
        # condition itself. No ORDER BY (at most one row): with one, a planner that underrates the table (rows
        # written in the same transaction) walks every case in received or id order instead.
        same = Case.objects.filter(channel=channel, upstream_number=upstream_number).exclude(upstream_number="")
        existing = next(iter(same.order_by()[:1]), None)
        if existing is not None:
            return existing
    reporter_phone = (reporter_phone or "").strip()
    if reporter_phone and not PHONE.match(reporter_phone):
        raise InvalidInput(
            _("The phone number may hold only digits, spaces and dashes (7–20)."), field="reporter_phone"
        )
    x, y = _coordinates(lng, lat)
    the_office, community, grid = _places(lng=x, lat=y, place=place, office=office)
    scope_code = grid.code if grid else community.code if community else the_office.prefix
    if check_place and not permissions.can_register_at(actor, scope_code):
        raise ActionForbidden(_("You may not register demands in this place."))
    now = clock.now()
    received = received_at or now
    case = Case(
        number=next_number(the_office, timezone.localtime(received).year),
        upstream_number=upstream_number,
        channel=channel,
        request_type=request_type,
        urgency=urgency,
        category=category,
        title=title,
        content=content,
        address=(address or "").strip()[:300],
        address_key=address_key((address or "").strip()[:300]),
        lng=x,
        lat=y,
        office=the_office,
        community=community,
        grid=grid,
        scope_code=scope_code,
        reporter_name=(reporter_name or "").strip()[:50],
        reporter_phone=reporter_phone,
        reporter_phone_hash=crypto.keyed_hash(_digits(reporter_phone)) if reporter_phone else "",
        reporter_phone_last4=_digits(reporter_phone)[-4:],
        confidential=confidential,
        received_at=received,
        upstream_deadline=upstream_deadline,
        tags=list(tags),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        if upstream_number:  # the same upstream order registered at the same moment: one case, the other's
            return Case.objects.get(channel=channel, upstream_number=upstream_number)
        raise
    event(
        case,
        actor=actor,
        action=Action.REGISTER,
        from_state="",
        to_state=case.state,
        at=now,
        data={
            "channel": channel,
            "number": case.number,
            "received_at": case.received_at.isoformat(),
            "request_type": request_type,
            "urgency": urgency,
            "scope_code": scope_code,
        },
    )
    return case


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def ensure_finish_clock(case: Case) -> list[str]:
    """Start the finishing clock at receipt if it is not running yet (acceptance, direct dispatch or answer)."""
    if case.finish_started_at is not None:
        return []
    return start_finish_clock(case, start=case.received_at, limit=limit_for(case, Stage.FINISH), keep_upstream=True)


@transaction.atomic
def case_accept(*, case_id: int, actor: Any, note: str = "", expected_version: int | None = None) -> Case:
    """Accept a registered demand; the finishing clock runs from receipt."""
    step = begin(case_id=case_id, actor=actor, action=Action.ACCEPT, expected_version=expected_version)
    fields = ensure_finish_clock(step.case)
    return finish(step, fields=fields, to_state=State.ACCEPTED, note=note)


@transaction.atomic
def case_reject(*, case_id: int, actor: Any, reason: str, note: str = "", expected_version: int | None = None) -> Case:
    """Do not accept (不予受理) with a reason: litigation, a petition in progress, an emergency for 110/119/120…"""
    step = begin(case_id=case_id, actor=actor, action=Action.REJECT, expected_version=expected_version)
    case = step.case
    case.not_accepted_reason = _choice(reason, NotAcceptedReason, field="reason", label=_("Reason"))
    case.resolution = Resolution.NOT_ACCEPTED
    case.closed_at = step.now
    return finish(
        step,
        fields=["not_accepted_reason", "resolution", "closed_at"],
        to_state=State.CLOSED,
        note=note,
        data={"reason": reason},
    )


def _to_callback_or_closed(case: Case, now: dt.datetime) -> tuple[str, list[str]]:
    """After a result: call the resident back when there is one to call, else close."""
    if case.reporter_phone:
        case.callback_deadline = deadline(now, limit_for(case, Stage.CALLBACK))
        return State.CALLBACK, ["callback_deadline"]
    case.closed_at = now
    return State.CLOSED, ["closed_at"]


@transaction.atomic
def case_answer(*, case_id: int, actor: Any, result_text: str, expected_version: int | None = None) -> Case:
    """Answer at once (直接答复, e.g. a consultation from the knowledge base); then callback, or closed."""
    step = begin(case_id=case_id, actor=actor, action=Action.ANSWER, expected_version=expected_version)
    case = step.case
    case.result_text = required_text(result_text, field="result_text", label=_("Answer"))
    case.resolution = Resolution.ANSWERED
    case.replied_at = step.now
    fields = [*ensure_finish_clock(case), "result_text", "resolution", "replied_at"]
    state, more = _to_callback_or_closed(case, step.now)
    return finish(step, fields=[*fields, *more], to_state=state)


@transaction.atomic
def case_merge(*, case_id: int, into_id: int, actor: Any, note: str = "", expected_version: int | None = None) -> Case:
    """Merge a repeated demand into the main case (并单); its resident is called back with the main case."""
    if case_id == into_id:
        raise InvalidInput(_("A case cannot be merged into itself."), field="into")
    if not Case.objects.visible_to(actor, narrow=True).filter(pk=into_id).exists():
        raise NotFoundOrForbidden(_("No such case."))
    # Both rows change (the main case gets an event and a new version): lock them in id order, so two merges
    # in opposite directions wait for each other instead of deadlocking.
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[case_id, into_id]).order_by("pk")}
    main = locked.get(into_id)
    if main is None:
        raise NotFoundOrForbidden(_("No such case."))
    if main.merged_into_id is not None or main.state in (State.CLOSED, State.ARCHIVED):
        raise InvalidInput(_("The main case must be open and not merged itself."), field="into")
    step = begin(case_id=case_id, actor=actor, action=Action.MERGE, expected_version=expected_version)
    case = step.case
    case.merged_into = main
    case.resolution = Resolution.MERGED
    case.closed_at = step.now
    case.finish_deadline = None
    merged = finish(
        step,
        fields=["merged_into", "resolution", "closed_at", "finish_deadline"],
        to_state=State.CLOSED,
        note=note,
        data={"into": main.number},
    )
    main.version += 1
    main.save(update_fields=["version", "updated_at"])
    event(
        main,
        actor=actor,
        action=Action.MERGE,
        from_state=main.state,
        to_state=main.state,
        at=step.now,
        data={"merged": case.number},
    )
    return merged


@transaction.atomic
def case_void(*, case_id: int, actor: Any, note: str, expected_version: int | None = None) -> Case:
    """Void a case registered by mistake; the reason is required."""
    step = begin(case_id=case_id, actor=actor, action=Action.VOID, expected_version=expected_version)
    note = required_text(note, field="note", label=_("Reason"))
    case = step.case
    case.resolution = Resolution.VOIDED
    case.closed_at = step.now
    case.finish_deadline = None
    return finish(step, fields=["resolution", "closed_at", "finish_deadline"], to_state=State.CLOSED, note=note)
