"""Background jobs of the integrations: thin wrappers, ids in, one service call, a count out."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiedao.core import clock
from jiedao.integrations import orders, webhooks

# Stored push responses are kept this long: a retry after that is a new request.
IDEMPOTENCY_DAYS = 7


@db_task()  # type: ignore[untyped-decorator]
def send_webhooks(delivery_ids: list[int]) -> int:
    """Attempt these webhook deliveries; return how many were delivered."""
    return webhooks.deliveries_send(delivery_ids=delivery_ids)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def send_due_webhooks() -> int:
    """Attempt the webhook deliveries that are due (every minute); return how many were delivered."""
    return webhooks.deliveries_send_due(now=clock.now())


@db_periodic_task(crontab(minute="17", hour="3"))  # type: ignore[untyped-decorator]
def purge_idempotency_records() -> int:
    """Forget the push responses older than a week (nightly); return how many."""
    return orders.idempotency_purge(before=clock.now() - dt.timedelta(days=IDEMPOTENCY_DAYS))
