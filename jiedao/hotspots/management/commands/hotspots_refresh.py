from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiedao.core import clock
from jiedao.hotspots.services import hotspots_refresh
from jiedao.hotspots.weeks import week_start_of
from jiedao.places.choices import Level
from jiedao.places.models import Place


class Command(BaseCommand):
    help = "Recompute the hot spots of every office (or one) for the current week and the weeks before it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=1, help="this week and the N-1 before (default %(default)s)")
        parser.add_argument("--week", type=dt.date.fromisoformat, help="the last week to compute (a date in it)")
        parser.add_argument("--office", default="", help="the office's code (default: every office)")

    def handle(self, *args: Any, weeks: int, week: dt.date | None, office: str, **options: Any) -> None:
        if weeks < 1:
            raise CommandError("--weeks must be at least 1")
        offices = Place.objects.filter(level=Level.SUBDISTRICT).order_by("code")
        if office:
            offices = offices.filter(code=office)
            if not offices.exists():
                raise CommandError(f"no office with code {office}")
        last = week_start_of(week or clock.now())
        started = time.perf_counter()
        found = 0
        for place in offices:
            for back in range(weeks - 1, -1, -1):
                found += len(hotspots_refresh(office=place, week_start=last - dt.timedelta(weeks=back)))
        self.stdout.write(
            f"Hot spots recomputed for {offices.count()} offices × {weeks} weeks: {found} found "
            f"in {time.perf_counter() - started:.1f} s."
        )
