"""Twelve months of demo cases, every one through the real case services, the clock moved event by event.

Planning first (jiedao.demo.case_plan: pure, from the seed). Then every case is a generator of steps
(jiedao.demo.case_flows): the driver here keeps them in a heap by the moment of their next step, sets
jiedao.core.clock.now to that moment and lets the step call one service. Time only moves forward, so the database
at each moment is what it would have been, and every deadline, notification and KPI is real. Steps due after the
end ("today") are not taken: those cases stay open as they are.

The steps are written in transactions of BATCH_STEPS steps (each service's own transaction is then a savepoint
inside it: a refused step still leaves its case as it was), and on SQLite without waiting for the disk after
each commit; an interruption loses at most the batch under way, and every case stays consistent.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter

from django.db import connection
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from jiedao.cases.choices import Resolution, Satisfaction
from jiedao.cases.models import Attachment, Callback, Case, CaseEvent
from jiedao.cases.services.attachments import atomic_with_files
from jiedao.core.errors import DomainError
from jiedao.demo import names
from jiedao.demo.case_flows import Flow, Flows
from jiedao.demo.case_plan import Plan, Planner
from jiedao.demo.case_time import MovedClock, Timing, clock_moved
from jiedao.demo.case_world import demo_community_staff_ensure, demo_handlers_ensure, world_load
from jiedao.notifications.models import Notification
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.workdays.calendar import work_calendar

Progress = Callable[[int, int, dt.datetime], None]
PROGRESS_EVERY = 500
BATCH_STEPS = 1000


@dataclass
class CaseDemoResult:
    cases: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    branches: dict[str, int] = field(default_factory=dict)  # cases per branch taken
    open: int = 0
    overdue_open: int = 0
    called_back: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0
    events: int = 0
    notifications: int = 0
    photos: int = 0
    handlers_created: int = 0
    staff_created: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def satisfaction(self) -> float:
        """(Satisfied + basically satisfied) / called back, at the latest callback (merged cases left out)."""
        return (self.satisfied + self.basically) / self.called_back if self.called_back else 0.0

    @property
    def per_second(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


@contextmanager
def sqlite_unsynced() -> Iterator[None]:
    """On SQLite, commit without waiting for the disk (PRAGMA synchronous=OFF) for the duration of a bulk load;
    the previous setting is back afterwards. A crash of the process cannot corrupt the file; a power cut during
    the load may lose it, which a demo load can afford. Does nothing elsewhere or inside a transaction."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={previous:d}")


def demo_cases_create(
    *,
    seed: int,
    count_12345: int = 4000,
    count_grid: int = 8000,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> CaseDemoResult:
    """Create a year of demo cases up to `today` (default: now; given a date, its 16:00) through the services.

    Needs the demo world (jiedao demo: its fictional district 330199) and a database without cases: raises
    RuntimeError otherwise, so a real office's database is never filled with invented cases. Creates a handler for
    every unit that has none, and a staff member for every community that has none. Deterministic from the seed
    and `today` (but for the random names the photos are stored under). Outbound notification channels (SMS,
    企业微信) are off while the history is written: it is not news (the in-app notifications are written as
    always).
    """
    if not Place.objects.filter(level=Level.DISTRICT, code=names.DISTRICT[0]).exists():
        raise RuntimeError("the demo district is missing; run `jiedao demo` first")
    if Case.objects.exists():
        raise RuntimeError("the database already holds cases")
    started = perf_counter()
    end = timezone.now() if today is None else timezone.make_aware(dt.datetime.combine(today, dt.time(16)))
    handlers, created = demo_handlers_ensure(seed=seed)
    staff_created = demo_community_staff_ensure(seed=seed)
    world = world_load(handlers)
    calendar = work_calendar()
    plans = Planner(world, seed, end, calendar).plans(count_12345, count_grid)
    errors: list[str] = []
    with (
        override_settings(NOTIFICATION_CHANNELS={}),
        clock_moved(plans[0].registered_at if plans else end) as moved,
        sqlite_unsynced(),
    ):
        flows = Flows(world, seed, Timing(calendar, moved))
        _drive(flows, plans, end, moved, progress, errors)
    result = case_demo_summary(now=end)
    result.handlers_created, result.staff_created, result.errors = created, staff_created, errors
    result.seconds = perf_counter() - started
    return result


def _drive(
    flows: Flows,
    plans: list[Plan],
    end: dt.datetime,
    moved: MovedClock,
    progress: Progress | None,
    errors: list[str],
) -> None:
    """Take every step due by `end` in the order of its moment, BATCH_STEPS to a transaction."""
    order = itertools.count()
    heap: list[tuple[dt.datetime, int, Flow]] = [(p.registered_at, next(order), flows.case(p)) for p in plans]
    heapq.heapify(heap)
    mark = PROGRESS_EVERY
    while heap and heap[0][0] <= end:
        with atomic_with_files():
            for _step in range(BATCH_STEPS):
                if not heap or heap[0][0] > end:
                    break
                moment, _order, flow = heapq.heappop(heap)
                moved.moment = max(moment, moved.moment)
                try:
                    following = next(flow)
                except StopIteration:
                    continue
                except DomainError as exc:  # the step's savepoint rolled back; the case stays as it was
                    errors.append(f"{timezone.localtime(moved.moment):%Y-%m-%d %H:%M} {exc.code}: {exc}")
                    continue
                heapq.heappush(heap, (max(following, moved.moment), next(order), flow))
                if progress is not None and flows.registered >= mark:
                    progress(flows.registered, len(plans), moved.moment)
                    mark += PROGRESS_EVERY
    for _when, _order, flow in heap:
        flow.close()  # due after the end: the case stays where it is today
    if progress is not None:
        progress(flows.registered, len(plans), moved.moment)


def case_demo_summary(*, now: dt.datetime) -> CaseDemoResult:
    """Count what the history holds: cases by channel and type, branches taken, open and overdue, ratings."""
    result = CaseDemoResult(cases=Case.objects.count())
    result.by_channel = dict(Case.objects.values_list("channel").annotate(n=Count("id")).order_by("channel"))
    result.by_type = dict(Case.objects.values_list("request_type").annotate(n=Count("id")).order_by("request_type"))
    result.branches = dict(
        CaseEvent.objects.values_list("action").annotate(n=Count("case", distinct=True)).order_by("action")
    )
    result.branches["rework"] = Case.objects.filter(rework_count__gt=0).count()
    result.branches["excluded"] = Case.objects.filter(excluded_from_scoring=True).count()
    result.branches["merged"] = Case.objects.filter(resolution=Resolution.MERGED).count()
    result.open = Case.objects.open().count()
    result.overdue_open = Case.objects.overdue(now).count()
    latest = Callback.objects.filter(is_latest=True).exclude(case__resolution=Resolution.MERGED)
    ratings = dict(latest.values_list("result_satisfaction").annotate(n=Count("id")).order_by())
    result.satisfied = ratings.get(Satisfaction.SATISFIED, 0)
    result.basically = ratings.get(Satisfaction.BASICALLY, 0)
    result.dissatisfied = ratings.get(Satisfaction.DISSATISFIED, 0)
    result.called_back = result.satisfied + result.basically + result.dissatisfied
    result.events = CaseEvent.objects.count()
    result.notifications = Notification.objects.count()
    result.photos = Attachment.objects.count()
    return result
