from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiedao.analytics import rollups
from jiedao.analytics.models import DailyCount


class Command(BaseCommand):
    help = (
        "Bring the dashboard's daily KPI rollups up to date (the worker does this every five minutes); "
        "--rebuild recomputes every day from the cases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute every day before today")

    def handle(self, *args: Any, rebuild: bool, **options: Any) -> None:
        started = time.perf_counter()
        if rebuild:
            written = rollups.rebuild()
            self.stdout.write(f"Rollups rebuilt: {written} rows in {time.perf_counter() - started:.1f} s.")
        else:
            recomputed = rollups.refresh()
            self.stdout.write(
                f"Rollups refreshed: {recomputed} days recomputed, {DailyCount.objects.count()} rows, "
                f"in {time.perf_counter() - started:.1f} s."
            )
