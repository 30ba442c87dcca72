"""Speed of the integrations: the push API against plain registration, idempotent replays, the cost of webhook
subscriptions on every case action, and webhook sending to a real local receiver.

    .venv/bin/python bench/integrations.py [--orders N] [--subscriptions S] [--postgres URL] [--keep-db NAME]

On the demo district in a database of its own (bench/cases.py's `bench_database`): registers in rounds of 30 of each,
interleaved so that a busy machine weighs on all alike: N orders through `case_register` as the demo dispatcher (the
baseline), N orders through `POST /integrations/push/v1/orders` with the Django test client (key check, rate limit,
validation, idempotency record, the same service), and N registrations with S active webhook subscriptions in the
office (deliveries written in the action's transaction, not sent); then the N pushes again (replayed from the
stored responses); then sends the deliveries to an `http.server` on 127.0.0.1 and checks every signature it
received. Prints `name=value` lines,
ratios against the baseline of the same run. Needs no data from ../shared/data.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import importlib
import json
import random
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OFFICE_CODE = "330199001000"
SECRET = secrets.token_hex(16)  # a fresh signing secret per run
ROUND = 30


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=300, help="orders per measurement (%(default)s)")
    parser.add_argument("--subscriptions", type=int, default=3, help="webhook subscriptions (%(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgres://user@host:port/ of a server to use")
    parser.add_argument("--keep-db", default="", metavar="NAME", help="use (or create) the database NAME and keep it")
    args = parser.parse_args(argv)
    if args.orders < 2 or args.subscriptions < 1:
        parser.error("need --orders ≥ 2 and --subscriptions ≥ 1")
    if args.keep_db and not args.keep_db.isidentifier():
        parser.error("--keep-db needs a plain database name")
    return args


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _order(run: str, n: int, point: tuple[Any, Any]) -> dict[str, Any]:
    return {
        "upstream_number": f"B{run}{n:06d}",
        "title": f"占道经营第{n}起",
        "content": "傍晚有摊贩在小区门口占道经营，影响行人和车辆通行，请尽快处理。",
        "request_type": "complaint",
        "received_at": "2026-01-05T09:30:00+08:00",
        "lng": str(point[0]),
        "lat": str(point[1]),
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
    }


def _register(user: Any, orders: list[dict[str, Any]], channel: str) -> list[float]:
    """Register each order through the service; return the seconds each took."""
    import datetime as dt

    from jiedao.cases import services

    times = []
    for order in orders:
        started = time.perf_counter()
        services.case_register(
            actor=user,
            channel=channel,
            request_type=order["request_type"],
            title=order["title"],
            content=order["content"],
            lng=order["lng"],
            lat=order["lat"],
            reporter_name=order["reporter_name"],
            reporter_phone=order["reporter_phone"],
            upstream_number=order["upstream_number"],
            received_at=dt.datetime.fromisoformat(order["received_at"]),
        )
        times.append(time.perf_counter() - started)
    return times


def _push(client: Any, key: str, orders: list[dict[str, Any]], expected: int) -> list[float]:
    times = []
    for order in orders:
        body = json.dumps(order)
        started = time.perf_counter()
        response = client.post(
            "/integrations/push/v1/orders",
            data=body,
            content_type="application/json",
            HTTP_X_API_KEY=key,
            HTTP_IDEMPOTENCY_KEY=order["upstream_number"],
        )
        times.append(time.perf_counter() - started)
        if response.status_code != expected:
            raise SystemExit(f"push answered {response.status_code}, not {expected}: {response.content[:300]!r}")
    return times


@contextmanager
def _receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def _signed(headers: dict[str, str], body: bytes) -> bool:
    mac = hmac.new(SECRET.encode(), headers["x-jiedao-timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + mac.hexdigest(), headers["x-jiedao-signature"])


def _figures(prefix: str, times: list[float]) -> dict[str, float]:
    return {
        f"{prefix}_per_second": len(times) / sum(times),
        f"{prefix}_p50_ms": statistics.median(times) * 1000,
        f"{prefix}_p95_ms": _percentile(times, 0.95) * 1000,
    }


def _time(call: Callable[[], Any], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    cases_bench = importlib.import_module("bench.cases")
    rng = random.Random(args.seed)
    with cases_bench.bench_database(args, prefix="jiedao-bench-integrations-"):
        from django.test import Client

        from jiedao.accounts.models import User
        from jiedao.cases.choices import Channel
        from jiedao.core import clock
        from jiedao.integrations import webhooks
        from jiedao.integrations.choices import DeliveryStatus, SourceKind
        from jiedao.integrations.keys import source_for_key
        from jiedao.integrations.models import Source, WebhookDelivery, WebhookSubscription
        from jiedao.integrations.ratelimit import allow_request
        from jiedao.integrations.services import source_create
        from jiedao.places.models import Building, Place

        office = Place.objects.get(code=OFFICE_CODE)
        dispatcher = User.objects.get(username="paidan")
        points = list(Building.objects.filter(scope_code__startswith=office.prefix).values_list("lng", "lat"))
        run = f"{rng.randrange(10**6):06d}"
        code = f"bench{run}"
        source, key = source_create(
            name="压测来源",
            code=code,
            kind=SourceKind.OTHER,
            channel=Channel.DEPARTMENT,
            office=office,
            rate_limit_per_minute=100_000,
        )
        n = args.orders
        batches = [[_order(f"{run}{b}", i, rng.choice(points)) for i in range(n)] for b in range(3)]
        figures: dict[str, Any] = {"database": "postgresql" if args.postgres else "sqlite", "orders": n}
        client = Client()
        # Warm up (the first registrations fill caches: the grid index, the calendar, the deadline rules).
        _register(dispatcher, [_order(f"{run}w", i, rng.choice(points)) for i in range(10)], Channel.PHONE)

        with _receiver() as (url, received):
            subscriptions = WebhookSubscription.objects.bulk_create(
                WebhookSubscription(name=f"bench {s}", target_url=url, secret=SECRET, office=office, active=False)
                for s in range(args.subscriptions)
            )
            ids = [subscription.pk for subscription in subscriptions]
            baseline: list[float] = []
            pushed: list[float] = []
            subscribed: list[float] = []
            # Rounds of 30 of each, interleaved, so the load of a shared machine weighs on all three alike.
            for start in range(0, n, ROUND):
                WebhookSubscription.objects.filter(pk__in=ids).update(active=False)
                baseline += _register(dispatcher, batches[0][start : start + ROUND], Channel.PHONE)
                pushed += _push(client, key, batches[1][start : start + ROUND], 201)
                WebhookSubscription.objects.filter(pk__in=ids).update(active=True)
                subscribed += _register(dispatcher, batches[2][start : start + ROUND], Channel.PHONE)
            figures.update(_figures("register_baseline", baseline))
            figures.update(_figures("push", pushed))
            figures["push_ratio_to_baseline"] = (sum(pushed) / n) / (sum(baseline) / n)
            figures.update(_figures("register_with_subscriptions", subscribed))
            figures["subscriptions"] = args.subscriptions
            figures["subscriptions_ratio_to_baseline"] = (sum(subscribed) / n) / (sum(baseline) / n)
            replayed = _push(client, key, batches[1], 201)
            figures.update(_figures("push_replay", replayed))
            figures["key_check_us"] = _time(lambda: source_for_key(key), 200) * 1e6
            figures["rate_check_us"] = _time(lambda: allow_request(source), 200) * 1e6

            due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count()
            started = time.perf_counter()
            delivered = webhooks.deliveries_send_due(now=clock.now(), limit=due)
            seconds = time.perf_counter() - started
            figures.update(deliveries=due, delivered=delivered, deliveries_per_second=delivered / seconds)
            figures["signatures_valid"] = sum(_signed(headers, body) for headers, body in received)
            if due != n * args.subscriptions or delivered != due or figures["signatures_valid"] != due:
                raise SystemExit(f"{delivered} of {due} delivered, {figures['signatures_valid']} signatures valid")
        Source.objects.filter(pk=source.pk).update(active=False)
    for name, value in figures.items():
        print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
