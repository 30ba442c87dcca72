"""Two requests at the same moment, with real threads and database connections (PostgreSQL: SQLite serialises
every writing transaction anyway)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from jiedao.cases.choices import RequestType, Urgency
from jiedao.cases.models import Case
from jiedao.integrations import orders, webhooks
from jiedao.integrations.choices import DeliveryStatus
from jiedao.integrations.models import IdempotencyRecord, SourceOrder, WebhookDelivery
from jiedao.integrations.tests.test_webhooks import register, subscribe

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def _race(*calls: Callable[[], Any]) -> list[tuple[str, Any] | None]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any] | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except Exception as exc:
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _order(number: str = "GA1") -> orders.Order:
    return orders.Order(
        upstream_number=number,
        title="占道经营",
        content="北门占道经营",
        request_type=RequestType.COMPLAINT,
        urgency=Urgency.NORMAL,
        received_at=dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC),
        lng=None,
        lat=None,
    )


def _render(case: Case, created: bool) -> tuple[int, dict[str, Any]]:
    return (201 if created else 200), {"number": case.number, "created": created}


def _push(source: Any, key: str) -> orders.Pushed:
    return orders.order_push(source=source, idempotency_key=key, digest="d", order=_order(), render=_render)


def test_the_same_idempotency_key_at_once_registers_once(police):
    outcomes = _race(lambda: _push(police.source, "same"), lambda: _push(police.source, "same"))

    assert [o[0] for o in outcomes if o] == ["ok", "ok"]
    results = [o[1] for o in outcomes if o]
    assert {r.body["number"] for r in results} == {Case.objects.get().number}
    assert sorted(r.replayed for r in results) == [False, True]
    assert IdempotencyRecord.objects.count() == 1 and SourceOrder.objects.count() == 1


def test_the_same_order_under_two_keys_at_once_is_one_case(police):
    outcomes = _race(lambda: _push(police.source, "one"), lambda: _push(police.source, "two"))

    assert [o[0] for o in outcomes if o] == ["ok", "ok"]
    assert Case.objects.count() == 1 and SourceOrder.objects.count() == 1
    assert {o[1].body["number"] for o in outcomes if o} == {Case.objects.get().number}


def test_two_senders_at_once_post_a_delivery_once(world, dispatcher, receiver, now):
    subscribe(world.office, receiver.url)
    register(dispatcher)  # autocommit: the first task has sent it; make it due again for the race
    WebhookDelivery.objects.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now.moment)
    receiver.requests.clear()
    delivery = WebhookDelivery.objects.get()

    outcomes = _race(
        lambda: webhooks.deliveries_send(delivery_ids=[delivery.pk]),
        lambda: webhooks.deliveries_send_due(now=now.moment),
    )

    assert sorted(o[1] for o in outcomes if o) == [0, 1]
    assert len(receiver.requests) == 1
