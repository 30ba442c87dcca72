"""Webhooks against a real HTTP receiver on 127.0.0.1: signatures, retries with backoff, giving up, filters."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import socket
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jiedao.cases import services
from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.models import Case
from jiedao.cases.workflow import Action
from jiedao.integrations import webhooks
from jiedao.integrations.choices import DeliveryStatus
from jiedao.integrations.models import WebhookDelivery, WebhookSubscription

SECRET = "s3cret-for-the-receiver-0123456789"


def subscribe(office: Any, url: str, **changes: Any) -> WebhookSubscription:
    fields = {"name": "区平台", "target_url": url, "secret": SECRET, "office": office, **changes}
    return WebhookSubscription.objects.create(**fields)


def register(actor: Any, **changes: Any) -> Case:
    fields = {
        "actor": actor,
        "channel": Channel.PHONE,
        "request_type": RequestType.COMPLAINT,
        "title": "楼道堆放杂物",
        "content": "3号楼楼道堆满杂物，存在消防隐患。",
        "lng": "120.005",
        "lat": "30.005",
        "address": "A小区3号楼",
        "reporter_name": "李四",
        "reporter_phone": "13900001111",
        **changes,
    }
    return services.case_register(**fields)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (the README's snippet): HMAC of `<timestamp>.<body>`, compared in constant time."""
    expected = hmac.new(secret.encode(), headers["x-jiedao-timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), headers["x-jiedao-signature"])


def test_a_state_change_is_posted_signed_after_commit(
    world, dispatcher, receiver, now, django_capture_on_commit_callbacks
):
    subscribe(world.office, receiver.url)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = register(dispatcher)
        assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 1
        assert receiver.requests == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    [received] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert received.path == "/hooks/jiedao"
    assert received.headers["content-type"] == "application/json; charset=utf-8"
    assert received.headers["x-jiedao-delivery"] == str(delivery.pk)
    assert received.headers["x-jiedao-event"] == "register"
    assert received.headers["x-jiedao-timestamp"] == str(int(now.moment.timestamp()))
    assert verify(SECRET, received.headers, received.body)
    assert not verify("another secret", received.headers, received.body)
    payload = received.json
    assert payload["event"]["action"] == "register" and payload["event"]["to_state"] == State.REGISTERED
    assert payload["case"]["number"] == case.number
    assert payload["case"]["grid"] == world.grid_a1.code and payload["case"]["office"] == world.office.code
    for personal in ("李四", "13900001111", "1111", "楼道", "A小区"):
        assert personal not in received.body.decode()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.last_response == "status 200"


def test_a_rolled_back_action_leaves_no_delivery(world, dispatcher, receiver, now):
    subscribe(world.office, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        register(dispatcher)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the action fails after its event")
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_retries_with_backoff_after_a_500_then_delivers(
    world, dispatcher, receiver, now, django_capture_on_commit_callbacks
):
    subscribe(world.office, receiver.url)
    receiver.statuses = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        register(dispatcher)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.RETRYING, 1, 500)
    assert delivery.next_attempt_at == now.moment + dt.timedelta(minutes=1)

    # Not due yet: the periodic pick-up leaves it alone.
    now.advance(seconds=59)
    assert webhooks.deliveries_send_due(now=now.moment) == 0
    assert len(receiver.requests) == 1

    now.advance(seconds=1)
    assert webhooks.deliveries_send_due(now=now.moment) == 0
    delivery = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at == now.moment + dt.timedelta(minutes=5)

    now.advance(minutes=5)
    assert webhooks.deliveries_send_due(now=now.moment) == 1
    delivery = WebhookDelivery.objects.get(pk=delivery.pk)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert delivery.delivered_at == now.moment and delivery.next_attempt_at is None
    # Every attempt is signed afresh with its own timestamp; the body is the same bytes.
    assert len({r.body for r in receiver.requests}) == 1
    assert all(verify(SECRET, r.headers, r.body) for r in receiver.requests)


def test_gives_up_after_the_last_attempt_and_retry_now_tries_once_more(
    world, dispatcher, receiver, now, django_capture_on_commit_callbacks
):
    subscribe(world.office, receiver.url)
    receiver.default_status = 500
    with django_capture_on_commit_callbacks(execute=True):
        register(dispatcher)

    waits = []
    for _ in webhooks.RETRY_DELAYS:
        delivery = WebhookDelivery.objects.get()
        waits.append(delivery.next_attempt_at - now.moment)
        now.moment = delivery.next_attempt_at
        webhooks.deliveries_send_due(now=now.moment)
    assert waits == list(webhooks.RETRY_DELAYS)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 6, None)
    assert len(receiver.requests) == 6
    now.advance(days=2)
    assert webhooks.deliveries_send_due(now=now.moment) == 0
    assert len(receiver.requests) == 6

    receiver.default_status = 204
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.deliveries_retry_now(delivery_ids=[delivery.pk]) == 1
    delivery = WebhookDelivery.objects.get(pk=delivery.pk)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 7
    assert len(receiver.requests) == 7


def test_no_answer_is_a_failed_attempt_with_the_error(world, dispatcher, now, django_capture_on_commit_callbacks):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscribe(world.office, f"http://127.0.0.1:{port}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        register(dispatcher)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code is None
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error


def test_a_redirect_is_not_followed(world, dispatcher, receiver, now, django_capture_on_commit_callbacks):
    subscribe(world.office, receiver.url)
    receiver.statuses = [307]
    with django_capture_on_commit_callbacks(execute=True):
        register(dispatcher)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code == 307
    assert len(receiver.requests) == 1


def test_subscriptions_filter_by_office_state_action_and_activity(
    world, dispatcher, other_office_dispatcher, receiver, now, django_capture_on_commit_callbacks
):
    everything = subscribe(world.office, receiver.url, name="all")
    dispatched = subscribe(world.office, receiver.url, name="dispatched", states=[State.DISPATCHED])
    notes = subscribe(world.office, receiver.url, name="notes", actions=[Action.NOTE])
    subscribe(world.office, receiver.url, name="off", active=False)
    other = subscribe(world.other_office, receiver.url, name="other office")

    with django_capture_on_commit_callbacks(execute=True):
        case = register(dispatcher)
        services.case_dispatch(case_id=case.pk, unit_id=world.unit_urban.pk, actor=dispatcher)
        services.case_note(case_id=case.pk, actor=dispatcher, note="已电话联系")
        register(other_office_dispatcher, lng="120.035", lat="30.005", title="C社区的事")

    def actions_of(subscription: WebhookSubscription) -> list[str]:
        return list(subscription.deliveries.order_by("id").values_list("case_event__action", flat=True))

    assert actions_of(everything) == ["register", "dispatch"]  # a note changes no state
    assert actions_of(dispatched) == ["dispatch"]
    assert actions_of(notes) == ["note"]  # asked for by name
    assert actions_of(other) == ["register"]
    assert WebhookDelivery.objects.count() == 5
    assert len(receiver.requests) == 5


def test_a_delivery_is_sent_once_even_when_both_senders_run(
    world, dispatcher, receiver, now, django_capture_on_commit_callbacks
):
    subscribe(world.office, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        register(dispatcher)
    delivery = WebhookDelivery.objects.get()
    # The periodic task and a late copy of the first task find nothing left to send.
    assert webhooks.deliveries_send_due(now=now.moment) == 0
    assert webhooks.deliveries_send(delivery_ids=[delivery.pk]) == 0
    assert len(receiver.requests) == 1


def test_a_claim_whose_worker_died_is_taken_again_after_the_lease(world, dispatcher, receiver, now):
    subscribe(world.office, receiver.url)
    register(dispatcher)  # no commit callbacks run: the first task never ran
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, next_attempt_at=now.moment + webhooks.CLAIM_LEASE
    )
    assert webhooks.deliveries_send_due(now=now.moment) == 0
    now.advance(seconds=webhooks.CLAIM_LEASE.total_seconds())
    assert webhooks.deliveries_send_due(now=now.moment) == 1
    assert len(receiver.requests) == 1


def test_within_subscriptions_read_once_an_office_is_read_at_its_first_event_only(world, dispatcher, receiver):
    subscribe(world.office, receiver.url)
    with webhooks.subscriptions_read_once(), CaptureQueriesContext(connection) as queries:
        # Given the block; when three cases of the office are registered in it
        cases = [register(dispatcher, title=f"路灯不亮{n}") for n in range(3)]
    # Then the subscriptions were read once, and each registration still has its delivery
    reads = [q for q in queries.captured_queries if 'FROM "integrations_webhooksubscription"' in q["sql"]]
    assert len(reads) == 1
    assert WebhookDelivery.objects.filter(case_event__case__in=cases).count() == 3
    # And after the block a subscription saved meanwhile is heard from the next event on
    subscribe(world.office, receiver.url, name="市平台")
    register(dispatcher)
    assert WebhookDelivery.objects.count() == 5
