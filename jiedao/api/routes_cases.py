"""Case reads (queues, list, detail, the reporter's full contact) and registration."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jiedao.api.errors import ApiError
from jiedao.api.presenters import case_detail, case_summary
from jiedao.api.schemas import (
    CaseDetail,
    CasePage,
    ErrorOut,
    Id,
    QueueOut,
    RegisterIn,
    RevealedReporter,
    Text200,
)
from jiedao.audit.choices import AuditAction
from jiedao.audit.services import audit_record
from jiedao.cases import permissions, selectors, services
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Case
from jiedao.cases.workflow import Action
from jiedao.categories.models import Category
from jiedao.core import clock
from jiedao.core.paging import CappedPaginator
from jiedao.places.models import Place

router = Router(tags=["cases"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
QueueKey = Literal[
    "to_dispatch",
    "to_sign",
    "handling",
    "returned",
    "extensions",
    "to_verify",
    "to_call_back",
    "supervised",
    "overdue",
    "mine",
    "all",
]


def actor(request: HttpRequest) -> Any:
    """The user the request acts as (the token's or the session's)."""
    return request.auth  # type: ignore[attr-defined]


class CaseFilters(Schema):
    queue: QueueKey | None = Field(None, description="One of the user's queues (GET /queues); the first by default.")
    channel: Channel | None = None
    type: RequestType | None = None
    state: State | None = None
    community_id: Id | None = None
    q: Text200 | None = Field(None, description="Words of the title, or a case number.")
    sort: Literal["deadline", "-received", "received"] | None = Field(
        None, description="Nearest deadline first (the working queues' default) or by receipt."
    )
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(30, ge=1, le=100)


@router.get("/queues", response={200: list[QueueOut], **ERRORS}, summary="The user's case queues")
def queue_list(request: HttpRequest) -> list[dict[str, str]]:
    return [{"key": q.key, "label": str(q.label)} for q in selectors.queues_for(actor(request))]


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="A queue of cases, filtered and paged")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """The same queues and filters as the case list screen; counts stop at 10,000 (`capped`)."""
    user = actor(request)
    keys = [q.key for q in selectors.queues_for(user)]
    if not keys:
        raise ApiError(403, "forbidden", _("You have no case queues."))
    key = filters.queue or keys[0]
    if key not in keys:
        raise ApiError(422, "invalid", _("This queue is not one of yours."), field="queue")
    cases = selectors.queue_cases(user, key, clock.now(), filters.sort or "").select_related(
        "office", "category__parent__parent"
    )
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.type:
        cases = cases.filter(request_type=filters.type)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.community_id:
        cases = cases.filter(community_id=filters.community_id)
    if filters.q:
        cases = cases.filter(title__icontains=filters.q) | cases.filter(number=filters.q)
    paginator = CappedPaginator(cases, filters.page_size)
    offset = (filters.page - 1) * filters.page_size
    rows = list(cases[offset : offset + filters.page_size]) if offset < paginator.count else []
    now = clock.now()
    return {
        "queue": key,
        "items": [case_summary(c) for c in selectors.decorate(rows, now)],
        "page": filters.page,
        "page_size": filters.page_size,
        "count": paginator.count,
        "capped": paginator.capped,
    }


@router.get("/cases/{case_id}", response={200: CaseDetail, **ERRORS}, summary="A case with its history")
def case_get(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    user = actor(request)
    case = permissions.access_case(user, case_id)
    return case_detail(user, case, clock.now())


@router.post(
    "/cases/{case_id}/reporter",
    response={200: RevealedReporter, **ERRORS},
    summary="The reporter's full name and phone (audited)",
)
def case_reporter(request: HttpRequest, case_id: Id) -> dict[str, str]:
    """For the roles that call residents back; every call writes an audit row, as the screen's button does."""
    user = actor(request)
    case = permissions.access_case(user, case_id)
    if not permissions.can(user, case, Action.VIEW_PERSONAL_DATA):
        raise ApiError(403, "forbidden", _("You may not see the reporter's full contact."))
    audit_record(
        action=AuditAction.PII_VIEW, actor=user, request=request, obj=case, field="reporter", scope_code=case.scope_code
    )
    return {"name": case.reporter_name, "phone": case.reporter_phone}


def _place(user: Any, place_id: int | None) -> Place | None:
    if place_id is None:
        return None
    place = Place.objects.within(user).filter(pk=place_id, level__in=["grid", "community", "subdistrict"]).first()
    if place is None:
        raise InvalidInput(_("Choose a grid, community or office you cover."), field="place")
    return place


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise InvalidInput(_("No active category has this id."), field="category_id")
    return category


@router.post("/cases", response={201: CaseDetail, 200: CaseDetail, **ERRORS}, summary="Register a demand")
def case_create(request: HttpRequest, body: RegisterIn) -> Status[dict[str, Any]]:
    """201 with the new case; 200 with the case already registered under the same channel and upstream number."""
    user = actor(request)
    with transaction.atomic():
        known = (
            Case.objects.filter(channel=body.channel, upstream_number=body.upstream_number.strip()).first()
            if body.upstream_number.strip()
            else None
        )
        case = services.case_register(
            actor=user,
            channel=body.channel,
            request_type=body.request_type,
            urgency=body.urgency,
            category=_category(body.category_id),
            title=body.title,
            content=body.content,
            address=body.address,
            lng=body.lng,
            lat=body.lat,
            place=_place(user, body.place_id),
            reporter_name=body.reporter_name,
            reporter_phone=body.reporter_phone,
            confidential=body.confidential,
            upstream_number=body.upstream_number,
            upstream_deadline=body.upstream_deadline,
        )
    visible = Case.objects.visible_to(user, narrow=True).filter(pk=case.pk).exists()
    if not visible:
        # The same upstream order was registered elsewhere; say so without showing another office's case.
        raise ApiError(409, "duplicate", _("This upstream number is already registered."), field="upstream_number")
    detail = case_detail(user, permissions.access_case(user, case.pk), clock.now())
    return Status(200 if known is not None else 201, detail)
