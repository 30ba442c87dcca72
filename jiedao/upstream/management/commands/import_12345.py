"""`jiedao import-12345 FILE.xlsx [--preset NAME] [--user USERNAME] [--office CODE]`: import a 12345 export now.

Prints the counts, or every error (row, column, problem) and exits non-zero; a file with errors imports nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.upstream import services
from jiedao.upstream.choices import RunState
from jiedao.upstream.reading import RowError


class Command(BaseCommand):
    help = "Import the 12345 platform's Excel export of orders (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the platform's .xlsx export")
        parser.add_argument("--preset", default="", help="the column preset's name (default: the default preset)")
        parser.add_argument(
            "--user",
            required=True,
            help="the dispatcher (or administrator) importing: the cases are registered in his name and office",
        )
        parser.add_argument("--office", default="", help="the office's 12-digit code, when the user has several")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"--user: no user is called {options['user']!r}")
        office = None
        if options["office"]:
            office = Place.objects.filter(code=options["office"].strip(), level=Level.SUBDISTRICT).first()
            if office is None:
                raise CommandError(f"--office: no office has the code {options['office']!r}")
        try:
            preset = services.preset_for(options["preset"])
            with path.open("rb") as source:
                run = services.import_run_create(
                    actor=user, source=source, filename=path.name, preset=preset, office=office, enqueue=False
                )
        except services.ImportRefused as error:
            raise CommandError(error.message) from None
        run = services.import_run_execute(run_id=run.pk)
        if run.state == RunState.DONE:
            self.stdout.write(
                f"{run.filename}: {run.rows} rows; created {run.created}, updated {run.updated}, "
                f"unchanged {run.unchanged}, repeated rows collapsed {run.duplicates}, "
                f"changes not applied (past registration) {run.kept}"
            )
            return
        if run.state == RunState.INVALID:
            for row, column, message in run.errors:
                self.stderr.write(RowError(row, column, message).as_line())
            raise CommandError(f"{run.error_count} errors; nothing was imported.")
        raise CommandError(f"The import failed: {run.failure.splitlines()[0] if run.failure else ''}")
