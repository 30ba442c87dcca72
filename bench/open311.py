"""Open311 speed at scale: the public feed (GET requests) in JSON and XML, one request, and POST throughput.

    .venv/bin/python bench/open311.py [--cases N] [--requests R] [--posts P] [--postgres URL] [--keep-db NAME]

Builds the demo district and N cases with a year of history with bench/cases.py's builder (its database rules: a
fresh SQLite file or PostgreSQL database of its own, dropped afterwards; --keep-db NAME keeps it), files a share of
them under twenty leaf categories, then measures with the Django test client (server time, after a warm-up) p50 and
p95 of R requests of: the default feed (the last 90 days, first 1,000 requests) in JSON and in XML, the feed of open
requests of one level-1 category, and one request by number without a jurisdiction. The baseline in the same run is
the same 1,000 rows read by one plain queryset and written with json.dumps, without the public filters, masking or
the status of merged cases. Then P requests are posted through the view (api_key, point resolved to its grid, the
case registered by the case services). Checks that the feed holds 1,000 rows and none is confidential or a 举报
(exit 1 otherwise). Prints one `name=value` per line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FILED_CATEGORIES = 20


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the database (%(default)s)")
    parser.add_argument("--sample", type=int, default=300, help="cases registered through the service (%(default)s)")
    parser.add_argument("--requests", type=int, default=20, help="requests per measured URL (%(default)s)")
    parser.add_argument("--posts", type=int, default=100, help="requests posted (%(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgres://user@host:port/ of a server to use")
    parser.add_argument("--keep-db", default="", metavar="NAME", help="use (or create and fill) NAME and keep it")
    args = parser.parse_args(argv)
    if args.cases < args.sample or args.sample < 1 or args.requests < 2 or args.posts < 1:
        parser.error("need --cases ≥ --sample ≥ 1, --requests ≥ 2 and --posts ≥ 1")
    if args.keep_db and not args.keep_db.isidentifier():
        parser.error("--keep-db needs a plain database name")
    return args


def _file_under_categories() -> None:
    """File the cases under twenty leaf categories, by their id (twenty updates)."""
    from django.db.models import F

    from jiedao.cases.models import Case
    from jiedao.open311 import catalogue

    services = catalogue.services()
    leaves = services[:: max(1, len(services) // FILED_CATEGORIES)][:FILED_CATEGORIES]
    for index, leaf in enumerate(leaves):
        Case.objects.annotate(bucket=F("id") % len(leaves)).filter(bucket=index).update(category_id=leaf.category_id)


def _time(client: Any, url: str, requests: int) -> tuple[float, float, Any]:
    response = client.get(url)  # warm
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    return statistics.median(samples), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], response


def _baseline(now: dt.datetime, requests: int) -> tuple[float, float]:
    """The same 1,000 newest rows of the window, read plainly and dumped as JSON."""
    from jiedao.cases.models import Case

    def once() -> bytes:
        rows = list(
            Case.objects.filter(received_at__gte=now - dt.timedelta(days=90), received_at__lte=now)
            .order_by("-received_at", "-id")
            .values(
                "number", "state", "content", "received_at", "updated_at", "finish_deadline", "address", "lat", "lng"
            )[:1000]
        )
        return json.dumps(rows, default=str, ensure_ascii=False).encode("utf-8")

    once()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        once()
        samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    return statistics.median(samples), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _posts(client: Any, count: int, rng: random.Random) -> float:
    """Requests posted per second through the view, each a new case registered by the case services."""
    from jiedao.cases.choices import Channel
    from jiedao.integrations.choices import SourceKind
    from jiedao.integrations.services import source_create
    from jiedao.open311 import catalogue
    from jiedao.places.models import Building, Place

    office = Place.objects.get(code="330199001000")
    _source, raw_key = source_create(
        name="压测客户端",
        code=f"bench{rng.randint(0, 10**6)}",
        kind=SourceKind.OPEN311,
        channel=Channel.WECHAT,
        office=office,
        rate_limit_per_minute=100_000,
    )
    points = list(Building.objects.filter(scope_code__startswith=office.prefix).values_list("lng", "lat"))
    codes = [service.code for service in catalogue.services()]
    started = time.perf_counter()
    for n in range(count):
        lng, lat = rng.choice(points)
        response = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": raw_key,
                "service_code": rng.choice(codes),
                "lat": str(lat),
                "long": str(lng),
                "description": f"压测提交的诉求 {n}：路灯不亮。",
                "phone": f"1000000{n % 10000:04d}",
            },
        )
        if response.status_code != 200:
            raise SystemExit(f"POST answered {response.status_code}: {response.content[:200]!r}")
    return count / (time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    cases_bench = importlib.import_module("bench.cases")
    rng = random.Random(args.seed)
    with cases_bench.bench_database(args, prefix="jiedao-bench-open311-") as filled:
        from django.test import Client
        from django.utils import timezone

        from jiedao.cases.choices import RequestType
        from jiedao.cases.models import Case
        from jiedao.open311 import catalogue

        figures: dict[str, Any] = {"database": "postgresql" if args.postgres else "sqlite"}
        now = timezone.now()
        if not filled:
            cases_bench._register_sample(args.sample, rng)
            cases_bench._populate(args.cases - args.sample, rng, now)
            _file_under_categories()
            cases_bench._analyze()
        figures["cases"] = Case.objects.count()
        client = Client()
        group = catalogue.services()[0].code[:2]
        number = Case.objects.filter(received_at__gte=now - dt.timedelta(days=30)).order_by("id").first()
        assert number is not None
        urls: dict[str, Callable[[], str]] = {
            "feed_json": lambda: "/open311/v2/requests.json",
            "feed_xml": lambda: "/open311/v2/requests.xml",
            "feed_open_of_one_group": lambda: f"/open311/v2/requests.json?status=open&service_code={group}",
            "one_request": lambda: f"/open311/v2/requests/{number.number}.json",
        }
        for label, url in urls.items():
            p50, p95, response = _time(client, url(), args.requests)
            figures[f"{label}_p50_seconds"], figures[f"{label}_p95_seconds"] = p50, p95
            if label == "feed_json":
                rows = json.loads(response.content)
                figures["feed_rows"] = len(rows)
                hidden = Case.objects.filter(number__in=[r["service_request_id"] for r in rows]).filter(
                    confidential=True
                ) | Case.objects.filter(
                    number__in=[r["service_request_id"] for r in rows], request_type=RequestType.REPORT
                )
                if len(rows) != 1000 or hidden.exists():
                    raise SystemExit("the feed must hold 1,000 public rows")
        figures["baseline_p50_seconds"], figures["baseline_p95_seconds"] = _baseline(now, args.requests)
        figures["feed_json_to_baseline_ratio"] = figures["feed_json_p50_seconds"] / figures["baseline_p50_seconds"]
        figures["posts_per_second"] = _posts(client, args.posts, rng)
    for name, value in figures.items():
        print(f"{name}={value:.4f}" if isinstance(value, float) else f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
