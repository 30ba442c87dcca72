"""Time of a quarterly analysis report in all three formats over a database of N cases.

    .venv/bin/python bench/reports.py [--cases N] [--postgres URL] [--keep-db NAME] [--runs R]

Builds the demo district and N cases with a year of history exactly as bench/cases.py does (its own SQLite file in a
temporary directory, or a PostgreSQL database it creates and drops; --keep-db keeps it to measure again), then writes
望湖街道's quarterly analysis of the last complete quarter through the product's own service (`report_request` and
`report_generate`: content from the KPI selectors, the Word document with its chart images, the Excel workbook with
native charts and the print page, stored under the media folder), R times. Prints `name=value` lines: the content
and each renderer timed apart, and the whole report (the service, all three formats, files written) per run.
Exits 1 when the slowest whole report misses the goal (under 30 s).
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 30.0
OFFICE_CODE = "330199001000"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the database (%(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="whole reports timed (%(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgres://user@host:port/ of a server to use")
    parser.add_argument("--keep-db", default="", metavar="NAME", help="use (or create and fill) the database NAME")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.runs < 1:
        parser.error("need --cases ≥ 1 and --runs ≥ 1")
    if args.keep_db and not args.keep_db.isidentifier():
        parser.error("--keep-db needs a plain database name")
    return args


def _measure(runs: int) -> dict[str, Any]:
    from django.utils import timezone

    from jiedao.places.models import Place
    from jiedao.reports.builders import build_report
    from jiedao.reports.choices import ReportKind, Status
    from jiedao.reports.fonts import cjk_font_path
    from jiedao.reports.periods import SHANGHAI, last_complete
    from jiedao.reports.render_docx import render_docx
    from jiedao.reports.render_html import render_html
    from jiedao.reports.render_xlsx import render_xlsx
    from jiedao.reports.services import report_generate, report_request

    office = Place.objects.get(code=OFFICE_CODE)
    quarter = last_complete(ReportKind.QUARTERLY, timezone.now().astimezone(SHANGHAI).date())
    figures: dict[str, Any] = {"quarter": quarter.name, "font": cjk_font_path()}

    started = time.perf_counter()
    content = build_report(kind=ReportKind.QUARTERLY, place=office, period=quarter)
    figures["content_seconds"] = time.perf_counter() - started
    received = content.numbers()["received"]
    figures["quarter_cases_received"] = received.numerator
    for name, render in (("docx", render_docx), ("xlsx", render_xlsx), ("html", render_html)):
        started = time.perf_counter()
        data = render(content)
        figures[f"{name}_seconds"] = time.perf_counter() - started
        figures[f"{name}_bytes"] = len(data)

    totals = []
    for _run in range(runs):
        started = time.perf_counter()
        report, _created = report_request(kind=ReportKind.QUARTERLY, period=quarter, place=office)
        report = report_generate(report_id=report.pk)
        totals.append(time.perf_counter() - started)
        if report.status != Status.DONE:
            raise SystemExit(f"the report failed: {report.error}")
    figures["report_seconds_runs"] = ",".join(f"{t:.2f}" for t in totals)
    figures["report_seconds_max"] = max(totals)
    figures["goal_seconds"] = GOAL_SECONDS
    figures["goal_met"] = max(totals) < GOAL_SECONDS
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    # The case bench's database set-up and population, imported by name (bench is no package; see bench/duplicates).
    cases_bench = importlib.import_module("bench.cases")
    rng = random.Random(args.seed)
    with cases_bench.bench_database(args, prefix="jiedao-bench-reports-") as filled:
        from django.utils import timezone

        from jiedao.cases.models import Case

        figures: dict[str, Any] = {"database": "postgresql" if args.postgres else "sqlite"}
        if not filled:
            started = time.perf_counter()
            cases_bench._populate(args.cases, rng, timezone.now())
            figures["populate_seconds"] = time.perf_counter() - started
            cases_bench._analyze()
        figures["cases"] = Case.objects.count()
        figures.update(_measure(args.runs))
    for name, value in figures.items():
        print(f"{name}={value:.2f}" if isinstance(value, float) else f"{name}={value}")
    return 0 if figures["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
