"""What an upstream system sends and what it gets back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from jiedao.cases.choices import RequestType, Urgency

# Upstream numbers travel in a URL path (GET …/orders/{upstream_number}) and, on a shared channel, behind the
# source's code and a colon: letters, digits, dot, dash and underscore keep both unambiguous.
UPSTREAM_NUMBER = r"^[A-Za-z0-9_.\-]+$"
PHONE = r"^(\+?[\d\- ]{7,20})?$"  # empty, or as jiedao.cases.services.intake.PHONE


class OrderIn(Schema):
    """One order (工单) as an upstream system sends it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    upstream_number: str = Field(
        min_length=1, max_length=40, pattern=UPSTREAM_NUMBER, description="The order's number in the sending system."
    )
    title: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=10_000)
    request_type: RequestType = Field(description="consultation, help, complaint, report, suggestion or praise.")
    urgency: Urgency = Urgency.NORMAL
    received_at: AwareDatetime = Field(description="When the sending system received it, with a time zone.")
    deadline: AwareDatetime | None = Field(None, description="The sending system's own deadline, with a time zone.")
    address: str = Field("", max_length=300)
    lng: Decimal | None = Field(None, ge=-180, le=180, description="WGS-84 longitude.")
    lat: Decimal | None = Field(None, ge=-90, le=90, description="WGS-84 latitude.")
    place_code: str = Field(
        "", max_length=15, pattern=r"^(\d{12}|\d{15})?$", description="A community (12) or grid (15) code."
    )
    category_code: str = Field("", max_length=20, description="A category code of our tree (optional).")
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20, pattern=PHONE)
    confidential: bool = Field(False, description="The reporter asked for secrecy.")


class OrderCreated(Schema):
    number: str
    upstream_number: str
    state: str
    created: bool
    status_url: str


class OrderEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    at: dt.datetime


class OrderStatus(Schema):
    number: str
    upstream_number: str
    state: str
    state_label: str
    resolution: str
    resolution_label: str
    received_at: dt.datetime
    registered_at: dt.datetime
    upstream_deadline: dt.datetime | None
    finish_deadline: dt.datetime | None
    dispatched_at: dt.datetime | None
    signed_at: dt.datetime | None
    contacted_at: dt.datetime | None
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    unit: str | None
    reply: str
    history: list[OrderEventOut]


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Errors(Schema):
    errors: list[ErrorItem]
