"""The shapes the API reads and writes. Inputs refuse what the database could not store (NUL characters, lone
surrogates, ids beyond 64 bits, dates out of range) so bad input is a 422, never a server error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field

from jiedao.cases.choices import (
    Channel,
    DispatchRole,
    NotAcceptedReason,
    RequestType,
    ReturnReason,
    Satisfaction,
    Urgency,
)

MAX_ID = 2**63 - 1


def _storable(value: str) -> str:
    """Refuse what PostgreSQL cannot store in a text column (SQLite would take it; the two must agree)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    return value


def _sane_moment(value: dt.datetime) -> dt.datetime:
    """A moment between 2000 and 2100; a time without an offset is taken as the server's time zone."""
    if timezone.is_naive(value):
        if not 2000 <= value.year <= 2100:
            raise ValueError("must lie between the years 2000 and 2100")
        value = timezone.make_aware(value)
    if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= value <= dt.datetime(2100, 12, 31, tzinfo=dt.UTC):
        raise ValueError("must lie between the years 2000 and 2100")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=10_000), AfterValidator(_storable)]
Moment = Annotated[dt.datetime, AfterValidator(_sane_moment)]


Text20 = Annotated[str, Field(max_length=20), AfterValidator(_storable)]
Text50 = Annotated[str, Field(max_length=50), AfterValidator(_storable)]
Text64 = Annotated[str, Field(max_length=64), AfterValidator(_storable)]
Text200 = Annotated[str, Field(max_length=200), AfterValidator(_storable)]
Text300 = Annotated[str, Field(max_length=300), AfterValidator(_storable)]


# --- errors ---------------------------------------------------------------------------------------------------


class FieldError(Schema):
    field: str
    message: str
    type: str


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. conflict, invalid, not_found.")
    message: str = Field(description="What is wrong, for people (in the server's language).")
    field: str | None = Field(None, description="The input field at fault, when one is.")
    errors: list[FieldError] | None = Field(None, description="Every field error of a validation_error.")


# --- references -----------------------------------------------------------------------------------------------


class PlaceRef(Schema):
    id: int
    code: str
    name: str
    level: str


class UnitRef(Schema):
    id: int
    name: str


class CategoryRef(Schema):
    id: int
    code: str
    name: str
    path: str


class CaseRef(Schema):
    id: int
    number: str
    title: str


class UserRef(Schema):
    id: int
    name: str


# --- cases ----------------------------------------------------------------------------------------------------


class CaseSummary(Schema):
    id: int
    number: str
    title: str
    state: str
    state_label: str
    resolution: str
    channel: str
    request_type: str
    urgency: str
    category: CategoryRef | None
    office: PlaceRef
    community: PlaceRef | None
    grid: PlaceRef | None
    main_unit: UnitRef | None
    received_at: dt.datetime
    finish_deadline: dt.datetime | None
    light: str = Field(description="green, yellow, red, or none when no clock runs.")
    escalation: int
    version: int = Field(description="Send it back as expected_version with an action.")


class CasePage(Schema):
    queue: str
    items: list[CaseSummary]
    page: int
    page_size: int
    count: int = Field(description="Cases in the list, counted up to the cap.")
    capped: bool = Field(description="True when there are more than `count` cases: filter to narrow the list.")


class QueueOut(Schema):
    key: str
    label: str


class DispatchOut(Schema):
    id: int
    unit: UnitRef
    role: str
    dispatched_at: dt.datetime
    dispatched_by: UserRef | None
    sign_deadline: dt.datetime | None
    signed_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_reason: str
    return_note: str
    review_result: str
    replied_at: dt.datetime | None
    active: bool


class ExtensionOut(Schema):
    id: int
    requested_at: dt.datetime
    requested_by: UserRef | None
    amount: Decimal
    unit: str
    reason: str
    approved: bool | None
    decided_at: dt.datetime | None
    decision_note: str
    deadline_before: dt.datetime | None
    deadline_after: dt.datetime | None


class SuspensionOut(Schema):
    id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str


class SupervisionOut(Schema):
    id: int
    issued_at: dt.datetime
    unit: UnitRef
    content: str
    deadline: dt.datetime
    automatic: bool
    reply: str
    replied_at: dt.datetime | None


class CallbackOut(Schema):
    id: int
    at: dt.datetime
    process_satisfaction: str
    result_satisfaction: str
    resolved: bool
    note: str


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor: UserRef | None
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str


class ActionOut(Schema):
    action: str
    label: str


class ReporterOut(Schema):
    name: str = Field(description="Masked (张*) unless revealed; empty when the reporter asked for secrecy.")
    phone: str = Field(description="Masked (138****1234) unless revealed.")
    confidential: bool
    may_reveal: bool = Field(description="Whether POST …/reporter shows the full values to this user (audited).")


class CaseDetail(CaseSummary):
    content: str
    address: str = Field(description="Masked below the building number unless the user may see personal data.")
    upstream_number: str
    upstream_deadline: dt.datetime | None
    sign_deadline: dt.datetime | None
    contact_deadline: dt.datetime | None
    callback_deadline: dt.datetime | None
    result_text: str
    excluded_from_scoring: bool
    reporter: ReporterOut
    merged_into: CaseRef | None
    merged: list[CaseRef]
    dispatches: list[DispatchOut]
    extensions: list[ExtensionOut]
    suspensions: list[SuspensionOut]
    supervisions: list[SupervisionOut]
    callbacks: list[CallbackOut]
    events: list[EventOut]
    actions: list[ActionOut] = Field(description="What this user may do on the case now.")


class RevealedReporter(Schema):
    name: str
    phone: str


class RegisterIn(Schema):
    channel: Channel
    request_type: RequestType
    urgency: Urgency = Urgency.NORMAL
    title: Text200 = Field(min_length=1)
    content: Text = Field(min_length=1)
    category_id: Id | None = None
    place_id: Id | None = Field(None, description="A grid, community or office you cover.")
    address: Text300 = ""
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    reporter_name: Text50 = ""
    reporter_phone: Text20 = ""
    confidential: bool = False
    upstream_number: Text64 = ""
    upstream_deadline: Moment | None = None


# --- action bodies ----------------------------------------------------------------------------------------------


class ActionIn(Schema):
    expected_version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The case's version you saw; a different one gives 409 conflict."
    )


class NoteIn(ActionIn):
    note: Text = ""


class RequiredNoteIn(ActionIn):
    note: Text


class RejectIn(NoteIn):
    reason: NotAcceptedReason


class ResultIn(ActionIn):
    result_text: Text


class DispatchIn(NoteIn):
    unit_id: Id
    role: DispatchRole = DispatchRole.MAIN


class ReturnIn(ActionIn):
    reason: ReturnReason
    note: Text


class RedispatchIn(NoteIn):
    unit_id: Id


class VerifyIn(NoteIn):
    passed: bool


class CallbackIn(NoteIn):
    process_satisfaction: Satisfaction
    result_satisfaction: Satisfaction
    resolved: bool
    rework: bool = False


class ReasonIn(ActionIn):
    reason: Text


class ExtensionIn(ActionIn):
    amount: Decimal = Field(gt=0, le=60, max_digits=6, decimal_places=2)
    reason: Text


class DecisionIn(NoteIn):
    approve: bool


class SuperviseIn(ActionIn):
    content: Text
    unit_id: Id | None = Field(None, description="The supervised unit; the main unit when left out.")
    reply_by: Moment | None = Field(None, description="The reply deadline; the rule's limit when left out.")


class SupervisionAnswerIn(ActionIn):
    supervision_id: Id
    reply: Text


class MergeIn(NoteIn):
    into_number: Text20 = Field(min_length=1, description="The number of the main case.")


class PlainNoteIn(Schema):
    note: Text


# --- reference data, notifications, KPIs ------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    queues: list[QueueOut]
    token: str | None = Field(description="The prefix of the API token this request came with, if any.")


class CategoryNode(Schema):
    id: int
    code: str
    name: str
    level: int
    path: str
    children: list[CategoryNode]


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    sector: str
    office: PlaceRef
    is_active: bool


class PlaceOut(PlaceRef):
    kind: str
    parent_id: int | None


class NotificationOut(Schema):
    id: int
    created_at: dt.datetime
    kind: str
    title: str
    body: str
    case: CaseRef | None
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    page: int
    page_size: int
    count: int
    unread: int


class FigureOut(Schema):
    kpi: str
    label: str
    kind: str
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None
    display: str
    definition: str
    parts: dict[str, int]


class KpiOut(Schema):
    first_day: dt.date
    last_day: dt.date
    as_of: dt.datetime
    filters: dict[str, Any]
    figures: list[FigureOut]
