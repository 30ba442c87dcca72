"""Webhooks: a delivery per matching subscription, written with the case event; sent, signed, retried by the worker.

Each delivery row is both the log and the queue (status + next attempt). It is written in the case action's own
transaction, so a committed state change always has its deliveries and a rolled-back one has none; the send task is
enqueued after commit, and a periodic task picks up whatever is due (retries, and anything the first task missed).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import http.client
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from jiedao.cases.models import Case, CaseEvent
from jiedao.core import clock
from jiedao.integrations.choices import DeliveryStatus
from jiedao.integrations.models import WebhookDelivery, WebhookSubscription
from jiedao.integrations.targets import TargetRefused, post, resolve

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failed attempt; after the last one the delivery is given up (6 attempts in all).
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
TIMEOUT_SECONDS = 10
# A claimed delivery whose worker died is taken again once this has passed.
CLAIM_LEASE = dt.timedelta(minutes=2)
EXCERPT = 500
DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)


def _time(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def payload_for(event: CaseEvent, case: Case) -> dict[str, Any]:
    """What a subscriber learns: the event and the case's identifiers, codes, state and times.

    No personal data and no free text (title, content, address, point, reporter, notes, result): residents write
    those and they may name people; a subscriber that owns the order reads its reply through the push API.
    """
    return {
        "event": {
            "id": event.pk,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "at": _time(event.at),
        },
        "case": {
            "number": case.number,
            "upstream_number": case.upstream_number,
            "channel": case.channel,
            "request_type": case.request_type,
            "urgency": case.urgency,
            "state": case.state,
            "resolution": case.resolution,
            "escalation": case.escalation,
            "category": case.category.code if case.category_id and case.category else None,
            "office": case.office.code,
            "community": case.community.code if case.community_id and case.community else None,
            "grid": case.grid.code if case.grid_id and case.grid else None,
            "received_at": _time(case.received_at),
            "finish_deadline": _time(case.finish_deadline),
            "upstream_deadline": _time(case.upstream_deadline),
            "closed_at": _time(case.closed_at),
        },
    }


def _matches(subscription: WebhookSubscription, event: CaseEvent) -> bool:
    """A listed action matches even without a state change; otherwise only state changes are sent."""
    actions, states = subscription.actions or [], subscription.states or []
    if actions and event.action not in actions:
        return False
    if states and event.to_state not in states:
        return False
    return event.from_state != event.to_state or event.action in actions


def deliveries_for_event(event: CaseEvent) -> list[WebhookDelivery]:
    """Queue a delivery of `event` for every active subscription of the case's office that wants it.

    Call inside the action's transaction (jiedao.cases.services.base.event does); the sending is enqueued on commit.
    """
    case = event.case
    subscriptions = [subscription for subscription in _active(case.office_id) if _matches(subscription, event)]
    if not subscriptions:
        return []
    payload = payload_for(event, case)
    now = clock.now()
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription=subscription, case_event=event, payload=payload, next_attempt_at=now)
            for subscription in subscriptions
        ]
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(functools.partial(_enqueue, ids))
    return rows


# Within subscriptions_read_once: office id → its active subscriptions, as read at their first event there.
_read_once: ContextVar[dict[int, list[WebhookSubscription]] | None] = ContextVar("webhook_subscriptions", default=None)


@contextmanager
def subscriptions_read_once() -> Iterator[None]:
    """Within this block, read each office's active subscriptions once, at its first event, not at every event
    (for bulk writers such as the 12345 import, whose one transaction writes thousands of events). The events of
    the block see the subscriptions as they were then, as if written at that moment; every event after the block
    reads them again, so a subscription saved meanwhile applies from there on."""
    if _read_once.get() is not None:  # nested: the outer block's reads stand
        yield
        return
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def _active(office_id: int) -> list[WebhookSubscription]:
    read = _read_once.get()
    if read is not None and office_id in read:
        return read[office_id]
    subscriptions = list(WebhookSubscription.objects.filter(active=True, office_id=office_id))
    if read is not None:
        read[office_id] = subscriptions
    return subscriptions


def _enqueue(delivery_ids: list[int]) -> None:
    from jiedao.integrations.tasks import send_webhooks

    send_webhooks(delivery_ids)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the subscription's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST to the URL's checked address and return (status, first bytes of the answer); a redirect is an answer,
    not followed (it would resend the signed payload elsewhere). Raises TargetRefused when the URL or an address
    its host resolves to may not receive webhooks, OSError or HTTPException when there is no HTTP answer."""
    return post(resolve(url), body, headers, timeout=TIMEOUT_SECONDS, excerpt=EXCERPT)


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take the delivery if it is due and nobody holds it (a conditional UPDATE: two workers never both win)."""
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status__in=DUE_STATUSES, next_attempt_at__lte=now).update(
            status=DeliveryStatus.SENDING, next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1
        )
    )


def delivery_attempt(*, delivery_id: int) -> bool:
    """Send the delivery once if it is due; record the outcome and the next attempt. Return True if delivered.

    A 2xx answer delivers it; anything else (another status, a timeout, no connection) schedules the next attempt
    after RETRY_DELAYS, or gives it up after the last. A URL the SSRF guard refuses (jiedao.integrations.targets)
    is given up at once, the reason in the log: trying again would be refused again. Runs outside a transaction:
    the claim and the outcome are committed at once, and the HTTP call holds no lock.
    """
    now = clock.now()
    if not _claim(delivery_id, now):
        return False
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = body_of(delivery)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "jiedao-webhooks/1",
        "X-Jiedao-Delivery": str(delivery.pk),
        "X-Jiedao-Event": str(delivery.payload.get("event", {}).get("action", "")),
        "X-Jiedao-Timestamp": timestamp,
        "X-Jiedao-Signature": signature(subscription.secret, timestamp, body),
    }
    code: int | None = None
    excerpt = error = ""
    refused = False
    try:
        code, excerpt = _post(subscription.target_url, body, headers)
    except TargetRefused as exc:
        refused, error = True, _("Not sent: %(reason)s") % {"reason": exc.message}
    except (OSError, ValueError, http.client.HTTPException) as exc:  # timeouts and refused connections: OSErrors
        error = repr(exc)[:1000]
    done = clock.now()
    fields: dict[str, Any] = {
        "last_attempt_at": done,
        "last_status_code": code,
        "last_response": excerpt,
        "last_error": error,
        "updated_at": done,
    }
    if code is not None and 200 <= code < 300:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=done, next_attempt_at=None)
    elif refused:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        logger.warning("webhook delivery %s refused by the SSRF guard: %s", delivery.pk, error)
    elif delivery.attempts <= len(RETRY_DELAYS):
        fields.update(status=DeliveryStatus.RETRYING, next_attempt_at=done + RETRY_DELAYS[delivery.attempts - 1])
    else:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        logger.warning("webhook delivery %s given up after %s attempts", delivery.pk, delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
    return bool(fields["status"] == DeliveryStatus.DELIVERED)


def deliveries_send(*, delivery_ids: Sequence[int]) -> int:
    """Attempt each of these deliveries that is due; return how many were delivered."""
    return sum(delivery_attempt(delivery_id=pk) for pk in sorted(delivery_ids))


def deliveries_send_due(*, now: dt.datetime, limit: int = 500) -> int:
    """Attempt the deliveries due by `now` (retries, lapsed claims, first attempts a lost task missed), oldest
    first, at most `limit`; return how many were delivered."""
    due = WebhookDelivery.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    return deliveries_send(delivery_ids=list(due.values_list("id", flat=True)[:limit]))


def deliveries_retry_now(*, delivery_ids: Sequence[int]) -> int:
    """Make these failed or waiting deliveries due at once (one more attempt each, even after giving up) and
    enqueue them after commit; return how many were made due. Delivered ones and those being sent are left alone."""
    ids = list(
        WebhookDelivery.objects.filter(
            Q(pk__in=list(delivery_ids)),
            Q(status__in=[DeliveryStatus.FAILED, DeliveryStatus.RETRYING, DeliveryStatus.PENDING]),
        ).values_list("id", flat=True)
    )
    # A given-up delivery gets exactly one more attempt: it fails again straight to "given up".
    count = WebhookDelivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=clock.now()
    )
    if ids:
        transaction.on_commit(functools.partial(_enqueue, ids))
    return count
