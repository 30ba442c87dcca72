"""What makes a big import fast without changing what it writes: a bounded number of queries per order, each stale
day written once, the webhook subscriptions read once, the upstream numbers looked up together; and what those
shortcuts must not lose (a case registered meanwhile, a subscription saved after the import)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jiedao.analytics.models import StaleDay
from jiedao.cases import services as case_services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.errors import InvalidInput
from jiedao.cases.models import Case, CaseEvent
from jiedao.cases.services import intake
from jiedao.cases.services.intake import upstream_numbers_looked_up
from jiedao.integrations.models import WebhookDelivery, WebhookSubscription
from jiedao.upstream import services
from jiedao.upstream.choices import RunState
from jiedao.upstream.tests.conftest import HEADERS, order, run_import, workbook

# Per order at most: the case, its event and its webhook delivery inserted, and the case services' two savepoints
# (four statements).
QUERIES_PER_ORDER = 7


def _orders(first: int, count: int, **values: Any) -> bytes:
    return workbook([order(f"GD{n}", **values) for n in range(first, first + count)])


def _queries_of_import(actor: Any, data: bytes) -> int:
    run = services.import_run_create(actor=actor, source=data, filename="export.xlsx", enqueue=False)
    with CaptureQueriesContext(connection) as queries:
        done = services.import_run_execute(run_id=run.pk)
    assert done.state == RunState.DONE
    return len(queries.captured_queries)


def _subscribe(office: Any) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        name="区平台", target_url="https://hooks.example.org/jiedao", secret="s3cret-0123456789abcdef", office=office
    )


def test_each_more_order_costs_a_bounded_number_of_queries(world, dispatcher):
    # Given a subscription (so the webhook check has something to find) and two files of 10 and 30 new orders
    _subscribe(world.office)
    # When each is imported
    ten = _queries_of_import(dispatcher, _orders(1, 10))
    thirty = _queries_of_import(dispatcher, _orders(100, 30))
    # Then the 20 orders more cost no look-up of their own: no number, subscription or stale-day query per order
    assert (thirty - ten) / 20 <= QUERIES_PER_ORDER
    assert Case.objects.count() == 40
    assert CaseEvent.objects.filter(action="register").count() == 40


def test_the_import_writes_each_stale_day_once(world, dispatcher):
    before = StaleDay.objects.count()
    # Given 12 orders received on two days
    rows = [order(f"GD{n}", received="2026/11/16 9:05:07" if n % 2 else "2026/11/17 15:00:00") for n in range(12)]
    # When they are imported
    run = run_import(dispatcher, workbook(rows))
    # Then the rollups learn of both days, once each
    assert run.state == RunState.DONE and run.created == 12
    added = StaleDay.objects.order_by("day").values_list("day", flat=True)[before:]
    assert list(added) == [dt.date(2026, 11, 16), dt.date(2026, 11, 17)]


def test_every_imported_case_gets_its_delivery_and_a_later_subscription_is_seen(world, dispatcher):
    # Given a subscription of the office
    first = _subscribe(world.office)
    # When 5 orders are imported
    run = run_import(dispatcher, _orders(1, 5))
    # Then each registration is queued for it, once
    assert run.created == 5
    assert WebhookDelivery.objects.filter(subscription=first).count() == 5
    assert {d.case_event.action for d in WebhookDelivery.objects.select_related("case_event")} == {"register"}
    # And a subscription saved after the import hears the next import's events
    second = _subscribe(world.office)
    run_import(dispatcher, _orders(10, 2))
    assert WebhookDelivery.objects.filter(subscription=first).count() == 7
    assert WebhookDelivery.objects.filter(subscription=second).count() == 2


def test_an_inactive_subscription_hears_nothing_from_an_import(world, dispatcher):
    subscription = _subscribe(world.office)
    subscription.active = False
    subscription.save()
    run_import(dispatcher, _orders(1, 3))
    assert not WebhookDelivery.objects.exists()


def _register(actor: Any, office: Any, upstream_number: str) -> Case:
    return case_services.case_register(
        actor=actor,
        channel=Channel.HOTLINE_12345,
        request_type=RequestType.HELP,
        title="小区路灯不亮",
        content="小区东门路灯坏了一周。",
        office=office,
        upstream_number=upstream_number,
    )


def test_a_number_registered_after_the_bulk_look_up_is_not_registered_twice(world, dispatcher):
    with transaction.atomic(), upstream_numbers_looked_up(Channel.HOTLINE_12345, ["GD1", "GD2"]):
        # Given GD1 found on no case, then a case that takes the number after the look-up (another writer)
        other = _register(dispatcher, world.office, "GD9")
        Case.objects.filter(pk=other.pk).update(upstream_number="GD1")
        # When GD1 is registered
        case = _register(dispatcher, world.office, "GD1")
        # Then it is the case already there (the unique index refused a second one), and GD2 is registered
        assert case.pk == other.pk
        registered = _register(dispatcher, world.office, "GD2")
        assert registered.pk != other.pk
        # And registering GD2 again finds it (the look-up in bulk vouches for a number once)
        assert _register(dispatcher, world.office, "GD2").pk == registered.pk
    assert Case.objects.filter(upstream_number__in=["GD1", "GD2"]).count() == 2
    assert CaseEvent.objects.filter(action="register").count() == 2  # GD9 (now GD1) and GD2, once each


def test_a_file_refused_while_writing_leaves_no_stale_day_and_no_delivery(world, dispatcher, monkeypatch):
    # Given a subscription, and a file whose second order the case service refuses when it is written
    _subscribe(world.office)
    before = StaleDay.objects.count()
    real = case_services.case_register

    def refusing(**values: Any) -> Case:
        if values["upstream_number"] == "GD2":
            raise InvalidInput("refused", field="reporter_phone")
        return real(**values)

    monkeypatch.setattr(intake, "case_register", refusing)  # what the import calls through
    # When it is imported
    run = run_import(dispatcher, _orders(1, 3))
    # Then the row is reported and nothing of the others is left: no case, stale day or delivery
    assert run.state == RunState.INVALID and run.errors == [[3, "联系电话", "refused"]]
    assert not Case.objects.exists()
    assert StaleDay.objects.count() == before
    assert not WebhookDelivery.objects.exists()


def test_orders_with_a_point_take_its_grid_without_reading_it_again(world, dispatcher):
    # Given orders whose point lies in grid A1, in files of 2 and 6
    headers = [*HEADERS, "经度", "纬度"]

    def located(first: int, count: int) -> bytes:
        return workbook([[*order(f"GD{n}"), 120.005, 30.005] for n in range(first, first + count)], headers=headers)

    run_import(dispatcher, located(100, 1))  # the grids' index is built at the first point (then kept)
    # When each is imported
    with CaptureQueriesContext(connection) as two:
        run_import(dispatcher, located(1, 2))
    with CaptureQueriesContext(connection) as six:
        run_import(dispatcher, located(10, 6))
    # Then the cases are in the grid, and the 4 orders more read no place
    assert set(Case.objects.values_list("grid", flat=True)) == {world.grid_a1.pk}
    places = [len([q for q in run if 'FROM "places_place"' in q["sql"]]) for run in (two, six)]
    assert places[0] == places[1]
