"""Dashboard speed at scale: the office's dashboard for a year, and its main selectors.

    .venv/bin/python bench/dashboard.py [--cases N] [--requests R] [--live-requests L] [--changes C] [--seed X]
                                        [--postgres URL] [--keep-db NAME]

Builds the demo district and N cases with a year of history with bench/cases.py's builder (same database rules:
a fresh SQLite file or PostgreSQL database of its own, dropped afterwards; --keep-db NAME keeps it, and reuses a
database bench/cases.py kept under the same name), builds the daily rollups (timed), then measures with the Django
test client the server time of the principal leader's /analytics/dashboard/ over the last 365 days (p50 and p95 of R
requests, after one warm-up) from the rollups, and as the baseline the same page counted live from the cases (L
requests) with the time of each live selector. Checks that the page's KPI tiles equal kpi_summary and that the
volume by channel sums to the total (exit 1 otherwise). Finally changes C old cases and times the worker's refresh.
Prints one `name=value` per line.

Goal on the 2-core machine: the dashboard for a year at N = 1,000,000 on PostgreSQL in under 1 s (server time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 1.0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the database (%(default)s)")
    parser.add_argument("--sample", type=int, default=300, help="cases registered through the service (%(default)s)")
    parser.add_argument("--requests", type=int, default=10, help="dashboard requests measured (%(default)s)")
    parser.add_argument("--live-requests", type=int, default=3, help="requests of the live baseline (%(default)s)")
    parser.add_argument("--changes", type=int, default=1000, help="old cases changed before a refresh (%(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgres://user@host:port/ of a server to use")
    parser.add_argument("--keep-db", default="", metavar="NAME", help="use (or create and fill) NAME and keep it")
    args = parser.parse_args(argv)
    if args.cases < args.sample or args.sample < 1 or args.requests < 2:
        parser.error("need --cases ≥ --sample ≥ 1 and --requests ≥ 2")
    if args.keep_db and not args.keep_db.isidentifier():
        parser.error("--keep-db needs a plain database name")
    return args


def _timed(call: Callable[[], Any]) -> float:
    call()  # warm
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _selectors(user: Any, first: dt.date, last: dt.date, label: str) -> dict[str, float]:
    """Seconds of each part of the dashboard for the office and the period (second of two runs, each run as one
    page holds it: one coverage, one read of the per-place rows)."""
    from jiedao.analytics import dashboard, rollups
    from jiedao.analytics.selectors import GroupBy
    from jiedao.analytics.views import period_of

    period = period_of(first, last)
    calls: dict[str, Callable[[], Any]] = {
        "kpi_summary": lambda: dashboard.dashboard_summary(user=user, period=period),
        "kpi_trend": lambda: dashboard.kpi_trend(user=user, period=period),
        "volume_series": lambda: dashboard.volume_series(user=user, period=period),
        "by_channel": lambda: dashboard.by_channel(user=user, period=period),
        "by_request_type": lambda: dashboard.by_request_type(user=user, period=period),
        "by_category_level1": lambda: dashboard.by_category(user=user, period=period, level=1),
        "by_category_level2": lambda: dashboard.by_category(user=user, period=period, level=2),
        "warnings_now": lambda: dashboard.warnings_now(user=user),
        "ranking_unit": lambda: dashboard.dashboard_ranking(user=user, period=period, by=GroupBy.UNIT),
        # One page reads the per-place rows once for these three.
        "grid_counts_and_place_rankings": lambda: [
            dashboard.grid_counts(user=user, period=period),
            dashboard.dashboard_ranking(user=user, period=period, by=GroupBy.COMMUNITY),
            dashboard.dashboard_ranking(user=user, period=period, by=GroupBy.GRID),
        ],
    }

    def held(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with rollups.held_coverage():
                return call()

        return run

    return {f"{label}_{name}_seconds": _timed(held(call)) for name, call in calls.items()}


def _rollups(now: dt.datetime) -> dict[str, Any]:
    """Build the daily rollups (what the worker's first refresh does), timed."""
    from jiedao.analytics import rollups
    from jiedao.analytics.models import DailyCount, LateClosure

    started = time.perf_counter()
    rollups.rebuild(now)
    return {
        "rollups_rebuild_seconds": time.perf_counter() - started,
        "rollup_daily_rows": DailyCount.objects.count(),
        "rollup_late_rows": LateClosure.objects.count(),
    }


@contextmanager
def _without_rollups() -> Iterator[None]:
    from jiedao.analytics import rollups

    held = rollups.coverage
    rollups.coverage = lambda: None
    try:
        yield
    finally:
        rollups.coverage = held


def _refresh(now: dt.datetime, rng: random.Random, changes: int) -> dict[str, Any]:
    """A day's work on old cases (each saved with a changed count: an exclusion), then the worker's refresh."""
    from jiedao.analytics import rollups
    from jiedao.analytics.models import StaleDay
    from jiedao.cases.models import Case

    ids = list(Case.objects.filter(received_at__lt=now - dt.timedelta(days=2)).values_list("pk", flat=True)[:50_000])
    for pk in rng.sample(ids, min(changes, len(ids))):
        case = Case.objects.get(pk=pk)
        case.excluded_from_scoring = not case.excluded_from_scoring
        case.save()
    stale = StaleDay.objects.values("day").distinct().count()
    started = time.perf_counter()
    days = rollups.refresh(now)
    return {
        "refresh_changed_cases": changes,
        "refresh_stale_days": stale,
        "refresh_days": days,
        "refresh_seconds": time.perf_counter() - started,
    }


def _page(
    username: str, query: dict[str, str], requests: int, percentile: Callable[..., float], label: str
) -> dict[str, Any]:
    """p50/p95 server time of the dashboard, and the checks that its numbers are the selectors'."""
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from jiedao.accounts.models import User
    from jiedao.analytics.selectors import kpi_summary

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    response = client.get("/analytics/dashboard/", query)  # warm the caches
    if response.status_code != 200:
        raise SystemExit(f"the dashboard answered {response.status_code}")
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/analytics/dashboard/", query)
        samples.append(time.perf_counter() - started)
        print(f"# dashboard ({label}) request {len(samples)}: {samples[-1]:.2f} s", file=sys.stderr, flush=True)
    # One more request with the test runner's template instrumentation, to read the page's context
    setup_test_environment()
    try:
        context = client.get("/analytics/dashboard/", query).context
    finally:
        teardown_test_environment()
    summary = kpi_summary(user=user, period=context["chosen"].period, filters=context["chosen"].filters)
    tiles = {c.figure.kpi: (c.figure.numerator, c.figure.denominator) for c in context["cards"]}
    if tiles != {f.kpi: (f.numerator, f.denominator) for f in summary}:
        raise SystemExit("the dashboard's tiles differ from kpi_summary")
    received = context["received"]["count"]
    if sum(context["charts"]["channel"]["values"]) != received:
        raise SystemExit("the volume by channel does not sum to the cases received")
    return {
        f"dashboard_year_{label}_p50_seconds": statistics.median(samples),
        f"dashboard_year_{label}_p95_seconds": percentile(samples, 0.95),
        f"dashboard_year_{label}_max_seconds": max(samples),
        "received_in_year": received,
        "overdue_now": context["overdue"]["count"],
        "due_soon_now": context["yellow"]["count"],
        "response_rate": float(summary["response"].value or 0),
        "on_time_rate": float(summary["on_time"].value or 0),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    cases_bench = importlib.import_module("bench.cases")
    rng = random.Random(args.seed)
    with cases_bench.bench_database(args, prefix="jiedao-bench-dashboard-") as filled:
        from django.utils import timezone

        from jiedao.accounts.models import User
        from jiedao.analytics.views import SHANGHAI
        from jiedao.cases.models import Case
        from jiedao.core import clock

        figures: dict[str, Any] = {"database": "postgresql" if args.postgres else "sqlite"}
        now = timezone.now()
        if not filled:
            cases_bench._register_sample(args.sample, rng)
            started = time.perf_counter()
            cases_bench._populate(args.cases - args.sample, rng, now)
            figures["populate_seconds"] = time.perf_counter() - started
            cases_bench._analyze()
        figures["cases"] = Case.objects.count()
        # One moment for the whole run: "overdue now" and the on-time rate's open-and-overdue cases move as
        # deadlines pass, and the page and the selectors it is checked against must count the same moment.
        clock.now = lambda: now
        last = now.astimezone(SHANGHAI).date()
        first = last - dt.timedelta(days=364)
        query = {"period": "custom", "start": first.isoformat(), "end": last.isoformat()}
        figures.update(_rollups(now))
        leader = User.objects.get(username="zhuyao")
        figures.update(_page("zhuyao", query, args.requests, cases_bench._percentile, "rollups"))
        figures.update(_selectors(leader, first, last, "rollups"))
        # The baseline: the same page counted live from the cases, as before the rollups (or before the worker ran)
        with _without_rollups():
            figures.update(_page("zhuyao", query, args.live_requests, cases_bench._percentile, "live"))
            figures.update(_selectors(leader, first, last, "live"))
        figures.update(_refresh(now, rng, args.changes))
        figures["live_over_rollups_p50"] = (
            figures["dashboard_year_live_p50_seconds"] / figures["dashboard_year_rollups_p50_seconds"]
        )
        figures["goal_seconds"] = GOAL_SECONDS
        figures["goal_met"] = "yes" if figures["dashboard_year_rollups_p95_seconds"] < GOAL_SECONDS else "no"
    for name, value in figures.items():
        print(f"{name}={value:.4f}" if isinstance(value, float) else f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
