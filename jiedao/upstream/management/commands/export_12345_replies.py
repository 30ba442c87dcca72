"""`jiedao export-12345-replies --from DATE --to DATE --out FILE.xlsx [--office CODE] [--user USERNAME]`.

Writes the replies due upstream (回单) of the 12345 orders replied to or closed in the period (Beijing days, both
included). With --user, only the cases that user sees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiedao.cases.models import Case
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.upstream.replies import replies_due, replies_workbook


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Write the replies due to the 12345 platform (回单) for a period to an .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
        parser.add_argument("--office", default="", help="only this office (12-digit code)")
        parser.add_argument("--user", default="", help="only the cases this user sees (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end, out = _date(options["start"]), _date(options["end"]), options["out"]
        if start > end:
            raise CommandError("--to is before --from")
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"--out: the file must end in .xlsx, not {out.name!r}")
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {str(out.parent)!r} does not exist")
        office = None
        if options["office"]:
            office = Place.objects.filter(code=options["office"].strip(), level=Level.SUBDISTRICT).first()
            if office is None:
                raise CommandError(f"--office: no office has the code {options['office']!r}")
        cases = Case.objects.all()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user is called {options['user']!r}")
            cases = Case.objects.visible_to(user)
        orders = list(replies_due(cases=cases, first=start, last=end, office=office))
        out.write_bytes(replies_workbook(orders))
        self.stdout.write(f"{out}: {len(orders)} replies ({start} – {end})")
