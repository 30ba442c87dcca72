from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiedao.demo.builder import DEFAULT_SEED, DEMO_PASSWORD, demo_create, demo_exists, demo_logins, demo_reset


class Command(BaseCommand):
    help = "Create the fictional demo sub-district if the database is empty (or replace everything with --reset)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete all places, units and users first")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument("--quiet-if-present", action="store_true", help="print only the logins when present")

    def handle(self, *args: Any, reset: bool, seed: int, quiet_if_present: bool, **options: Any) -> None:
        if reset:
            demo_reset()
        if demo_exists():
            if not quiet_if_present:
                self.stdout.write("The database already holds places; nothing created (use --reset to rebuild).")
        else:
            started = time.perf_counter()
            result = demo_create(seed=seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo created in {time.perf_counter() - started:.1f} s: {result.places} places "
                    f"({result.grids} grids), {result.buildings} buildings, {result.houses} houses, "
                    f"{result.units} units, {result.users} users."
                )
            )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<12} {login.role:<10} {login.where}")
