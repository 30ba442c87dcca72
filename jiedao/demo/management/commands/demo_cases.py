from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jiedao.cases.models import Case
from jiedao.demo import names
from jiedao.demo.builder import DEFAULT_SEED
from jiedao.demo.cases import CaseDemoResult, demo_cases_create
from jiedao.places.models import Place


class Command(BaseCommand):
    help = (
        "Create twelve months of demo cases through the real case services (after `jiedao demo`); refuses when the "
        "database already holds cases (with --if-empty it then does nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count-12345", type=int, default=4000, help="12345 transfers (default %(default)s)")
        parser.add_argument("--count-grid", type=int, default=8000, help="grid workers' reports (default %(default)s)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="end the history on this date at 16:00")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database holds cases")

    def handle(
        self,
        *args: Any,
        count_12345: int,
        count_grid: int,
        seed: int,
        today: dt.date | None,
        if_empty: bool,
        **options: Any,
    ) -> None:
        if min(count_12345, count_grid) < 0:
            raise CommandError("the counts must not be negative")
        if not Place.objects.filter(code=names.DISTRICT[0]).exists():
            raise CommandError(f"the demo district {names.DISTRICT[0]} is missing: run `jiedao demo` first")
        if Case.objects.exists():
            if if_empty:
                return
            raise CommandError("the database already holds cases; `jiedao demo --reset` starts again from nothing")
        total = count_12345 + count_grid
        self.stdout.write(f"Creating {total} demo cases through the case services (12 months, progress every 500)…")
        started = time.perf_counter()

        def progress(done: int, planned: int, moment: dt.datetime) -> None:
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"  {done:>6}/{planned} cases, simulated {timezone.localtime(moment):%Y-%m-%d}, "
                f"{elapsed:6.1f} s ({done / max(elapsed, 0.001):.1f} cases/s)"
            )

        result = demo_cases_create(
            seed=seed, count_12345=count_12345, count_grid=count_grid, today=today, progress=progress
        )
        self.report(result)

    def report(self, result: CaseDemoResult) -> None:
        branches = result.branches
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo cases created in {result.seconds:.1f} s: {result.cases} cases "
                f"({', '.join(f'{k} {v}' for k, v in result.by_channel.items())}), {result.events} events, "
                f"{result.notifications} notifications, {result.photos} photos; {result.handlers_created} unit "
                f"handlers and {result.staff_created} community staff created ({result.per_second:.1f} cases/s)."
            )
        )
        self.stdout.write(f"  types: {', '.join(f'{k} {v}' for k, v in result.by_type.items())}")
        shown = ["answer", "self_handle", "return", "refuse_return", "request_extension", "suspend", "supervise"]
        shown += ["rework", "merged", "reject", "void", "excluded", "park", "escalate"]
        self.stdout.write(f"  branches: {', '.join(f'{k} {branches.get(k, 0)}' for k in shown)}")
        self.stdout.write(
            f"  open {result.open} (overdue {result.overdue_open}); called back {result.called_back}, satisfied "
            f"{result.satisfied}, basically {result.basically}, dissatisfied {result.dissatisfied} "
            f"({result.satisfaction:.1%} satisfied or basically)"
        )
        for error in result.errors[:20]:
            self.stderr.write(f"  step refused: {error}")
