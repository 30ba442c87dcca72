"""The push API (`/integrations/push/v1/`): its own NinjaAPI instance, key per source, errors as JSON lists.

Views only parse and translate: the key and the rate limit (auth), the Idempotency-Key header, then one call to
jiedao.integrations.orders.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader

from jiedao.api.api import LocalSwagger
from jiedao.cases.choices import Resolution, State
from jiedao.cases.models import Case
from jiedao.integrations import orders
from jiedao.integrations.keys import source_for_key
from jiedao.integrations.models import Source
from jiedao.integrations.push import errors
from jiedao.integrations.push.schemas import UPSTREAM_NUMBER, Errors, OrderCreated, OrderIn, OrderStatus
from jiedao.integrations.ratelimit import allow_request

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
_UPSTREAM = re.compile(UPSTREAM_NUMBER)


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.limit = limit


class SourceKey(APIKeyHeader):
    """`X-Api-Key`: the source's key; each accepted request counts against its per-minute limit."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Source | None:
        source = source_for_key(key or "")
        if source is None:
            return None
        allowance = allow_request(source)
        if not allowance:
            raise RateLimited(allowance.retry_after, allowance.limit)
        return source


push_api = NinjaAPI(
    title="jiedao push API",
    version="1",
    description=(
        "Upstream systems (12345, 公安, 法院, 市场监管, 综合执法) push orders to the sub-district office. "
        "Each system has its own key (header X-Api-Key), channel and rate limit."
    ),
    urls_namespace="integrations:push",
    auth=SourceKey(),
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _errors(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
    return push_api.create_response(request, body, status=status)


@push_api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _errors(request, {"errors": errors.from_pydantic(exc.errors)}, 422)


@push_api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja's own refusals before the view runs; the one an upstream system meets is a body that is not JSON.
    if exc.status_code == 400:
        return _errors(request, errors.one(["body"], _("The body is not valid JSON."), "json_invalid"), 400)
    return _errors(request, errors.one([], _("The request cannot be served."), "http_error"), exc.status_code)


@push_api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _errors(
        request,
        errors.one(["header", "X-Api-Key"], _("The API key is missing, wrong or no longer valid."), "unauthorized"),
        401,
    )
    response["WWW-Authenticate"] = 'ApiKey header="X-Api-Key"'
    return response


@push_api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    message = _("Too many requests: at most %(limit)s a minute. Try again in %(seconds)s seconds.") % {
        "limit": exc.limit,
        "seconds": exc.retry_after,
    }
    response = _errors(request, errors.one(["header", "X-Api-Key"], message, "rate_limited"), 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _status_url(request: HttpRequest, upstream_number: str) -> str:
    path = reverse("integrations:push:order_status", kwargs={"upstream_number": upstream_number})
    return request.build_absolute_uri(path)


@push_api.post(
    "/orders",
    response={200: OrderCreated, 201: OrderCreated, 400: Errors, 401: Errors, 409: Errors, 422: Errors, 429: Errors},
    url_name="orders",
    summary="Push one order",
)
def push_order(request: HttpRequest, order: OrderIn) -> HttpResponse:
    """Register the order as a case of the source's office (201), or give the case it already is (200).

    Header `Idempotency-Key` (1–100 visible ASCII characters) is required: the same key with the same body gets the
    stored response again; with a different body, 422.
    """
    source: Source = request.auth  # type: ignore[attr-defined]
    key = request.headers.get("Idempotency-Key", "").strip()
    if not IDEMPOTENCY_KEY.match(key):
        message = _("Send an Idempotency-Key header of 1–100 visible ASCII characters, new for each new order.")
        return _errors(request, errors.one(["header", "Idempotency-Key"], message, "missing"), 400)

    def render(case: Case, created: bool) -> tuple[int, dict[str, Any]]:
        body = OrderCreated(
            number=case.number,
            upstream_number=order.upstream_number,
            state=case.state,
            created=created,
            status_url=_status_url(request, order.upstream_number),
        )
        return (201 if created else 200), body.model_dump(mode="json")

    try:
        pushed = orders.order_push(
            source=source,
            idempotency_key=key,
            digest=orders.request_hash(request.body),
            order=orders.Order(**order.model_dump(mode="python")),
            render=render,
        )
    except orders.IdempotencyKeyReused as exc:
        return _errors(request, errors.one(["header", "Idempotency-Key"], exc.message, exc.code), 422)
    except orders.OrderRejected as exc:
        loc = ["body", "order", exc.field] if exc.field else ["body", "order"]
        return _errors(request, errors.one(loc, exc.message, exc.code), 422)
    response = push_api.create_response(request, pushed.body, status=pushed.status_code)
    if pushed.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@push_api.get(
    "/orders/{upstream_number}",
    response={200: OrderStatus, 401: Errors, 404: Errors, 429: Errors},
    url_name="order_status",
    summary="The status of one of the source's own orders",
)
def order_status(request: HttpRequest, upstream_number: str) -> Any:
    """State, reply and times of an order this source pushed; 404 for another source's order and a missing one."""
    source: Source = request.auth  # type: ignore[attr-defined]
    found = (
        orders.order_status(source=source, upstream_number=upstream_number)
        if _UPSTREAM.match(upstream_number)
        else None
    )
    if found is None:
        message = _("This source has no order with this upstream number.")
        return _errors(request, errors.one(["path", "upstream_number"], message, "not_found"), 404)
    case, history = found
    return {
        "number": case.number,
        "upstream_number": upstream_number,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "resolution": case.resolution,
        "resolution_label": str(Resolution(case.resolution).label) if case.resolution else "",
        "received_at": case.received_at,
        "registered_at": case.created_at,
        "upstream_deadline": case.upstream_deadline,
        "finish_deadline": case.finish_deadline,
        "dispatched_at": case.dispatched_at,
        "signed_at": case.signed_at,
        "contacted_at": case.contacted_at,
        "replied_at": case.replied_at,
        "closed_at": case.closed_at,
        "unit": case.main_unit.name if case.main_unit else None,
        "reply": case.result_text,
        "history": [
            {"action": event.action, "from_state": event.from_state, "to_state": event.to_state, "at": event.at}
            for event in history
        ],
    }
