"""Case loop speed at scale: registration, the queue pages, the detail page and the year's 三率.

    .venv/bin/python bench/cases.py [--cases N] [--sample S] [--requests R] [--seed X] [--postgres URL]

Builds the demo district in a database of its own (a fresh SQLite file in a temporary directory, or with
--postgres a fresh database created on that server and dropped afterwards: never the user's database), registers
S cases through the service layer (registration throughput), then adds the rest of the N cases with realistic
histories by bulk insertion (dispatches, sign-offs, callbacks, closures spread over the last 12 months), and
measures with the Django test client: p50 and p95 of a dispatcher's and a grid worker's queue page, of the
case detail page and of their home pages (which count the cases waiting in each of their queues), after the
daily rollups are built (timed) the principal leader's KPI page and dashboard for this month and the admin's
refusal to delete the busiest unit, and the time
of the office's 三率 for the year through the KPI selectors next to a hand-written SQL baseline computing the same
three rates in the same run. Prints one `name=value` per line.

Goals on the 2-core machine at N = 1,000,000 on PostgreSQL: queue pages p95 < 150 ms, detail p95 < 100 ms,
三率 for a year < 1 s and within 2× of the SQL baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5_000


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the database (%(default)s)")
    parser.add_argument("--sample", type=int, default=300, help="cases registered through the service (%(default)s)")
    parser.add_argument("--requests", type=int, default=30, help="requests per page measured (%(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgres://user@host:port/ of a server to use")
    parser.add_argument(
        "--keep-db",
        default="",
        metavar="NAME",
        help="use (or create and fill) the database NAME and keep it (SQLite: in var/bench-NAME), to measure again",
    )
    args = parser.parse_args(argv)
    if args.cases < args.sample or args.sample < 1 or args.requests < 2:
        parser.error("need --cases ≥ --sample ≥ 1 and --requests ≥ 2")
    if args.keep_db and not args.keep_db.isidentifier():
        parser.error("--keep-db needs a plain database name")
    return args


def _environment(args: argparse.Namespace, var_dir: Path) -> tuple[bool, Callable[[], None]]:
    """Point Django at a database of the bench's own; return whether it is already filled, and the clean-up."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["JIEDAO_VAR_DIR"] = str(var_dir)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.pop("REDIS_URL", None)
    if not args.postgres:
        os.environ.pop("DATABASE_URL", None)
        return bool(args.keep_db) and (var_dir / "jiedao.sqlite3").exists(), lambda: None
    import psycopg

    name = args.keep_db or f"jiedao_bench_{os.getpid()}"
    parts = urlsplit(args.postgres)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if not exists:
            conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    if args.keep_db:
        return exists, lambda: None

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")

    return False, drop


@contextmanager
def bench_database(args: argparse.Namespace, *, prefix: str) -> Iterator[bool]:
    """Set Django up on a migrated database of the bench's own holding the demo district; yield whether it was
    already filled (a kept one: --keep-db); drop it afterwards unless it is kept. Every bench starts here."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        # A kept database keeps its own var directory too: the field encryption key lives there.
        var_dir = ROOT / "var" / f"bench-{args.keep_db}" if args.keep_db else Path(tmp)
        var_dir.mkdir(parents=True, exist_ok=True)
        filled, drop = _environment(args, var_dir)
        try:
            import django

            django.setup()
            from django.core.management import call_command

            from jiedao.demo.builder import demo_create

            call_command("migrate", verbosity=0)
            if not filled:
                demo_create()
            yield filled
        finally:
            drop()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _register_sample(count: int, rng: random.Random) -> float:
    """Register `count` cases through the service as the dispatcher; return cases per second."""
    from jiedao.accounts.models import User
    from jiedao.cases import services
    from jiedao.places.models import Building

    dispatcher = User.objects.get(username="paidan")
    points = list(Building.objects.filter(scope_code__startswith="330199001").values_list("lng", "lat"))
    started = time.perf_counter()
    for n in range(count):
        lng, lat = rng.choice(points)
        services.case_register(
            actor=dispatcher,
            channel=rng.choice(["12345", "phone", "grid"]),
            request_type="help",
            title=f"压测诉求{n}",
            content="小区路灯不亮，影响夜间出行。",
            lng=str(lng),
            lat=str(lat),
            reporter_phone=f"1000000{n % 10000:04d}",
        )
    return count / (time.perf_counter() - started)


def _populate(count: int, rng: random.Random, now: dt.datetime) -> None:
    """Insert `count` cases with histories in bulk: the population the pages and KPIs run against."""
    from jiedao.cases.choices import Channel, RequestType, Resolution, Satisfaction, State
    from jiedao.cases.models import Callback, Case, CaseSequence, Dispatch
    from jiedao.places.models import Place
    from jiedao.units.models import Unit

    office = Place.objects.get(code="330199001000")
    grids = list(Place.objects.filter(level="grid", prefix__startswith=office.prefix).select_related("parent"))
    units = list(Unit.objects.filter(office=office).values_list("pk", flat=True))
    sequences = {s.year: s for s in CaseSequence.objects.filter(office=office)}
    types = (
        [RequestType.CONSULTATION] * 45
        + [RequestType.HELP] * 30
        + [RequestType.SUGGESTION] * 15
        + [RequestType.COMPLAINT] * 7
        + [RequestType.REPORT] * 3
    )
    satisfaction = [Satisfaction.SATISFIED] * 85 + [Satisfaction.BASICALLY] * 8 + [Satisfaction.DISSATISFIED] * 7
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        cases: list[Case] = []
        plans: list[dt.datetime] = []
        for _ in range(size):
            received = now - dt.timedelta(seconds=rng.randint(3600, 365 * 86400))
            sequence = sequences.get(received.year)
            if sequence is None:
                sequence = CaseSequence.objects.create(office=office, year=received.year, last=0)
                sequences[received.year] = sequence
            sequence.last += 1
            grid = rng.choice(grids)
            age_days = (now - received).days
            state = (
                State.CLOSED
                if age_days > 10 or rng.random() < 0.6
                else rng.choice([State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.REPLIED, State.CALLBACK])
            )
            deadline = received + dt.timedelta(days=7)
            closed = received + dt.timedelta(hours=rng.randint(4, 240)) if state == State.CLOSED else None
            dispatched = received + dt.timedelta(minutes=rng.randint(5, 600))
            signed = (
                dispatched + dt.timedelta(hours=rng.randint(1, 30))
                if state not in (State.ACCEPTED, State.DISPATCHED)
                else None
            )
            rating = (
                (rng.choice(satisfaction), rng.choice(satisfaction), rng.random())
                if state == State.CLOSED and closed is not None
                else None
            )
            cases.append(
                Case(
                    number=f"JD{received.year}-{sequence.last:06d}",
                    channel=rng.choice(Channel.values),
                    request_type=rng.choice(types),
                    title="批量诉求",
                    content="批量生成的历史诉求，用于性能测试。",
                    office=office,
                    community=grid.parent,
                    grid=grid,
                    scope_code=grid.code,
                    received_at=received,
                    state=state,
                    resolution=Resolution.HANDLED if state == State.CLOSED else "",
                    main_unit_id=rng.choice(units) if state != State.ACCEPTED else None,
                    finish_started_at=received,
                    finish_limit=5,
                    finish_unit="working_days",
                    finish_deadline=None if state == State.CLOSED and rng.random() < 0.01 else deadline,
                    dispatched_at=dispatched if state != State.ACCEPTED else None,
                    signed_at=signed,
                    first_signed_at=signed,
                    first_sign_deadline=dispatched + dt.timedelta(days=1) if signed else None,
                    closed_at=closed,
                    callback_at=closed - dt.timedelta(minutes=10) if closed and rating else None,
                    callback_result=rating[1] if rating else "",
                    callback_process=rating[0] if rating else "",
                    callback_resolved=(rating[1] != Satisfaction.DISSATISFIED or rating[2] < 0.3) if rating else None,
                    reporter_phone_last4=f"{rng.randint(0, 9999):04d}",
                    version=6,
                )
            )
            plans.append(dispatched)
        created = Case.objects.bulk_create(cases, batch_size=BATCH)
        dispatches, callbacks = [], []
        for case, dispatched in zip(created, plans, strict=True):
            if case.main_unit_id is not None:
                dispatches.append(
                    Dispatch(
                        case=case,
                        unit_id=case.main_unit_id,
                        dispatched_at=dispatched,
                        sign_deadline=dispatched + dt.timedelta(days=1),
                        finish_deadline=case.finish_deadline,
                        signed_at=case.signed_at,
                    )
                )
            if case.callback_at is not None and case.callback_resolved is not None:
                callbacks.append(
                    Callback(
                        case=case,
                        process_satisfaction=case.callback_process,
                        result_satisfaction=case.callback_result,
                        resolved=case.callback_resolved,
                        at=case.callback_at,
                    )
                )
        Dispatch.objects.bulk_create(dispatches, batch_size=BATCH)
        Callback.objects.bulk_create(callbacks, batch_size=BATCH)
        made += size
        print(f"# populated {made:,} / {count:,}", file=sys.stderr, flush=True)
    for sequence in sequences.values():
        sequence.save(update_fields=["last"])


def _analyze() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum would shortly."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _time_pages(label: str, username: str, urls: list[str]) -> dict[str, float]:
    from django.test import Client

    from jiedao.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(urls[0])  # warm the caches (grid index, calendar, categories)
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return {f"{label}_p50_ms": statistics.median(samples), f"{label}_p95_ms": _percentile(samples, 0.95)}


BASELINE_SQL = """
SELECT
  SUM(CASE WHEN c.dispatched_at >= %(start)s AND c.dispatched_at < %(end)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.dispatched_at >= %(start)s AND c.dispatched_at < %(end)s AND c.first_signed_at IS NOT NULL
           AND (c.first_signed_at <= c.first_sign_deadline OR c.first_sign_deadline >= c.contacted_at)
           THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.callback_at >= %(start)s AND c.callback_at < %(end)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.callback_at >= %(start)s AND c.callback_at < %(end)s AND c.callback_resolved THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.callback_at >= %(start)s AND c.callback_at < %(end)s THEN
           CASE c.callback_result WHEN 'satisfied' THEN 1.0 WHEN 'basically' THEN 0.8 ELSE 0 END ELSE 0 END)
FROM cases_case c
WHERE c.scope_code LIKE %(prefix)s AND c.excluded_from_scoring = %(false)s
  AND c.resolution NOT IN ('merged', 'voided')
"""


def _three_rates(now: dt.datetime) -> dict[str, float]:
    """The year's response, resolution and satisfaction by the selectors and by the SQL baseline."""
    from django.db import connection

    from jiedao.accounts.models import User
    from jiedao.analytics.selectors import THREE_RATES, kpi_summary
    from jiedao.analytics.terms import Period

    period = Period(now - dt.timedelta(days=365), now + dt.timedelta(seconds=1))
    user = User.objects.get(username="paidan")
    kpi_summary(user=user, period=period, kpis=THREE_RATES)  # warm
    started = time.perf_counter()
    figures = kpi_summary(user=user, period=period, kpis=THREE_RATES)
    selector_seconds = time.perf_counter() - started
    started = time.perf_counter()
    everything = kpi_summary(user=user, period=period)
    all_seconds = time.perf_counter() - started
    if any(everything[kpi] != figures[kpi] for kpi in THREE_RATES):
        raise SystemExit("the three rates alone differ from the same rates among all the KPIs")
    params: dict[str, dt.datetime | str | bool] = {
        "start": period.start,
        "end": period.end,
        "prefix": "330199001%",
        "false": False,
    }
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, params)  # warm
        started = time.perf_counter()
        cursor.execute(BASELINE_SQL, params)
        row = cursor.fetchone()
        baseline_seconds = time.perf_counter() - started
    by_selector = {name: figures[name] for name in ("response", "resolution", "satisfaction")}
    result = {
        "sanlv_year_seconds": selector_seconds,
        "sanlv_sql_baseline_seconds": baseline_seconds,
        "sanlv_vs_baseline_ratio": selector_seconds / baseline_seconds if baseline_seconds else float("inf"),
        "all_kpis_year_seconds": all_seconds,
        "response_rate": float(by_selector["response"].value or 0),
        "resolution_rate": float(by_selector["resolution"].value or 0),
        "satisfaction_rate": float(by_selector["satisfaction"].value or 0),
    }
    if row and row[0]:
        result["baseline_response_rate"] = float(row[1] or 0) / float(row[0])
    if row and row[2]:
        result["baseline_resolution_rate"] = float(row[3] or 0) / float(row[2])
        result["baseline_satisfaction_rate"] = float(row[4] or 0) / float(row[2])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    rng = random.Random(args.seed)
    with bench_database(args, prefix="jiedao-bench-cases-") as filled:
        from django.db.models import Count
        from django.utils import timezone

        from jiedao.cases.models import Case

        figures: dict[str, Any] = {"cases": args.cases, "database": "postgresql" if args.postgres else "sqlite"}
        figures["registration_cases_per_second"] = _register_sample(args.sample, rng)
        now = timezone.now()
        if not filled:
            started = time.perf_counter()
            _populate(args.cases - args.sample, rng, now)
            figures["populate_seconds"] = time.perf_counter() - started
            _analyze()
        figures["cases"] = Case.objects.count()
        ids = list(
            Case.objects.filter(office__code="330199001000").order_by("?").values_list("pk", flat=True)[: args.requests]
        )
        from jiedao.analytics import rollups

        started = time.perf_counter()
        rollups.refresh()  # the first refresh builds them, as the worker's first run does
        figures["rollups_refresh_seconds"] = time.perf_counter() - started
        busiest_unit = (
            Case.objects.exclude(main_unit=None)
            .values("main_unit")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("main_unit", flat=True)
            .first()
        )
        pages = [
            (
                "dispatcher_queue",
                "paidan",
                [f"/cases/?queue=all&page={rng.randint(1, 20)}" for _ in range(args.requests)],
            ),
            ("dispatcher_overdue_queue", "paidan", ["/cases/?queue=overdue"] * args.requests),
            ("grid_worker_queue", "wanggeyuan", ["/cases/?queue=all"] * args.requests),
            ("unit_handler_queue", "chengban", ["/cases/?queue=handling"] * args.requests),
            ("case_detail", "paidan", [f"/cases/{pk}/" for pk in ids]),
            # The home pages count the work waiting in each of the user's queues (one count per queue).
            ("dispatcher_home", "paidan", ["/"] * args.requests),
            ("grid_worker_home", "wanggeyuan", ["/"] * args.requests),
            ("unit_handler_home", "chengban", ["/"] * args.requests),
            # The month's KPIs and rankings, and the leaders' dashboard, from the daily rollups built above.
            ("kpi_page", "zhuyao", ["/analytics/"] * args.requests),
            ("dashboard_month", "zhuyao", ["/analytics/dashboard/"] * args.requests),
            # The admin refusing to delete the unit that handles most cases (it names ten, counts the rest).
            ("admin_unit_delete_refused", "admin", [f"/admin/units/unit/{busiest_unit}/delete/"] * args.requests),
        ]
        for label, username, urls in pages:
            figures.update(_time_pages(label, username, urls))
        figures.update(_three_rates(now))
    for name, value in figures.items():
        print(f"{name}={value:.4f}" if isinstance(value, float) else f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
