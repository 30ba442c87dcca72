"""`jiedao report weekly|monthly|quarterly|annual --period P --place CODE --out FILE`: one report, written now.

The format comes from the file's extension (.docx, .xlsx or .html); the figures are those the worker would write.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiedao.core.errors import DomainError
from jiedao.places.models import Place
from jiedao.reports.builders import build_report
from jiedao.reports.choices import Format, ReportKind
from jiedao.reports.periods import PeriodError, parse_period
from jiedao.reports.permissions import REPORT_LEVELS
from jiedao.reports.render_docx import render_docx
from jiedao.reports.render_html import render_html
from jiedao.reports.render_xlsx import render_xlsx


class Command(BaseCommand):
    help = (
        "Write one report (weekly, monthly, quarterly, annual) of an office or community to a .docx/.xlsx/.html file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--period", required=True, help="2026-W47, 2026-11, 2026-Q3 or 2026, as the kind needs")
        parser.add_argument("--place", required=True, help="the office's or community's 12-digit code")
        parser.add_argument("--out", required=True, type=Path, help="the file to write: .docx, .xlsx or .html")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, out = options["kind"], options["out"]
        try:
            period = parse_period(kind, options["period"])
        except PeriodError as error:
            raise CommandError(f"--period: {error}") from None
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in Format.values:
            raise CommandError(f"--out: the file must end in .docx, .xlsx or .html, not {out.name!r}")
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {str(out.parent)!r} does not exist")
        place = Place.objects.filter(code=options["place"].strip()).first()
        if place is None:
            raise CommandError(f"--place: no place has the code {options['place']!r}")
        if place.level not in REPORT_LEVELS:
            raise CommandError(f"--place: {place.name} is a {place.get_level_display()}; give an office or a community")
        started = time.perf_counter()
        try:
            content = build_report(kind=kind, place=place, period=period)
            renderer = {Format.DOCX: render_docx, Format.XLSX: render_xlsx, Format.HTML: render_html}[Format(fmt)]
            out.write_bytes(renderer(content))
        except DomainError as error:
            raise CommandError(error.message) from None
        seconds = time.perf_counter() - started
        self.stdout.write(f"{out} ({content.title}, {out.stat().st_size:,} bytes, {seconds:.1f} s)")
