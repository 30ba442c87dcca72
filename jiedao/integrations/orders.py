"""Orders pushed by sources: register once per idempotency key, and read back the status of one's own order."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jiedao.cases.models import Case, CaseEvent
from jiedao.cases.services import case_register_upstream
from jiedao.categories.models import Category
from jiedao.core import clock
from jiedao.core.errors import DomainError
from jiedao.integrations.models import IdempotencyRecord, Source, SourceOrder
from jiedao.places.choices import Level
from jiedao.places.models import Place

# Clocks of two systems differ a little; a receipt further in the future than this is a mistake.
CLOCK_SKEW = dt.timedelta(minutes=5)


class OrderRejected(DomainError):
    """The order cannot be registered as sent; `field` names the culprit ("" for the whole order)."""

    code = "invalid"

    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message, code=code)
        self.field = field


class IdempotencyKeyReused(DomainError):
    """The key was used before for a different body: the earlier response stands, this body is not taken."""

    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Order:
    upstream_number: str
    title: str
    content: str
    request_type: str
    urgency: str
    received_at: dt.datetime
    deadline: dt.datetime | None = None
    address: str = ""
    lng: Decimal | None = None
    lat: Decimal | None = None
    place_code: str = ""
    category_code: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    confidential: bool = False


@dataclass(frozen=True)
class Pushed:
    status_code: int
    body: dict[str, Any]
    replayed: bool


Render = Callable[[Case, bool], tuple[int, dict[str, Any]]]


def request_hash(raw_body: bytes) -> str:
    """A digest of the JSON body that ignores key order and spacing (the same order re-serialised is the same)."""
    try:
        canonical = json.dumps(json.loads(raw_body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, UnicodeDecodeError):
        canonical = raw_body.decode("utf-8", "replace")
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Pushed:
    if record.request_hash != digest:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different order body; use a new key for a new order.")
        )
    return Pushed(record.status_code, record.response, replayed=True)


def _place(source: Source, code: str) -> Place | None:
    if not code:
        return None
    place = (
        Place.objects.select_related("parent__parent")
        .filter(code=code, level__in=[Level.COMMUNITY, Level.GRID], prefix__startswith=source.office.prefix)
        .first()
    )
    if place is None:
        raise OrderRejected(_("No community or grid with this code in the source's office."), field="place_code")
    return place


def _category(code: str) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise OrderRejected(_("No active category with this code."), field="category_code")
    return category


def _check_times(order: Order) -> None:
    if order.received_at > clock.now() + CLOCK_SKEW:
        raise OrderRejected(_("The received time lies in the future."), field="received_at")
    if order.deadline is not None and order.deadline <= order.received_at:
        raise OrderRejected(_("The deadline must come after the received time."), field="deadline")


@transaction.atomic
def order_push(*, source: Source, idempotency_key: str, digest: str, order: Order, render: Render) -> Pushed:
    """Register the order as a case once, acting as the source's service user; answer as `render` says.

    The response is stored under (source, key) in the same transaction as the case, so the same key and body get
    it again (replayed); the same key with another body raises IdempotencyKeyReused. A failed order stores
    nothing (the key may be used again for the corrected order). The same upstream number pushed again under a new
    key is the case already registered (`created` false). Raises OrderRejected (with the field) for values the
    case services refuse. A second request with a key in flight waits for the first (the unique key's row lock)
    and then replays it.
    """
    found = IdempotencyRecord.objects.filter(source=source, key=idempotency_key).first()
    if found is not None:
        return _replay(found, digest)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                source=source, key=idempotency_key, request_hash=digest, status_code=0, response={}
            )
    except IntegrityError:
        return _replay(IdempotencyRecord.objects.get(source=source, key=idempotency_key), digest)
    _check_times(order)
    place = _place(source, order.place_code)
    category = _category(order.category_code)
    stored_number = source.case_upstream_number(order.upstream_number)
    existed = Case.objects.filter(channel=source.channel, upstream_number=stored_number).exists()
    try:
        case = case_register_upstream(
            order=order,
            actor=source.service_user,
            channel=source.channel,
            upstream_number=stored_number,
            upstream_deadline=order.deadline,
            place=place,
            office=source.office,
            category=category,
        )
    except DomainError as exc:
        field = getattr(exc, "field", "")
        if exc.code == "forbidden":
            raise OrderRejected(
                _("The place of this order lies outside the office this source sends to."),
                field="lng" if order.lng is not None else "place_code",
                code="outside_office",
            ) from None
        raise OrderRejected(exc.message, field={"place": "place_code"}.get(field, field)) from None
    SourceOrder.objects.get_or_create(source=source, upstream_number=order.upstream_number, defaults={"case": case})
    record.status_code, record.response = render(case, not existed)
    record.save(update_fields=["status_code", "response"])
    return Pushed(record.status_code, record.response, replayed=False)


def order_status(*, source: Source, upstream_number: str) -> tuple[Case, list[CaseEvent]] | None:
    """The case of one of the source's own orders and its state changes, oldest first; None if it has no such
    order (another source's order looks the same as a missing one)."""
    pushed = (
        SourceOrder.objects.filter(source=source, upstream_number=upstream_number)
        .select_related("case__main_unit")
        .first()
    )
    if pushed is None:
        return None
    history = CaseEvent.objects.filter(case_id=pushed.case_id).exclude(from_state=F("to_state")).order_by("at", "id")
    return pushed.case, list(history)


def idempotency_purge(*, before: dt.datetime) -> int:
    """Forget the stored responses older than `before`; return how many."""
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=before).delete()
    return deleted
