"""Speed of the 12345 import: a 10,000-row export-like workbook imported into a fresh database, then again.

    .venv/bin/python bench/import_12345.py [--rows N] [--postgres URL] [--keep-db NAME] [--profile]

Writes an export-like .xlsx in a temporary folder (invented texts: the real messages never leave ../shared/data),
with the noise real exports carry: `\\n\\t` runs and ideographic spaces around the texts, dates as text in four
spellings and as Excel dates, one text in fifty of 3,000–9,000 characters, one row in a hundred repeated, masked and
plain phone numbers, community names with and without 社区. Then, on the demo district in a database of its own
(bench/cases.py's `bench_database`), imports it through the product's own service as the demo dispatcher (every case
through `case_register`, with its audit event): first into an empty office (all created), then the same file again
(all unchanged), then a copy with one deadline in ten moved (updated). Prints `name=value` lines: rows, seconds and
rows/s of each import, and the time of reading and checking alone. Exits 1 when the first import misses the goal
(10,000 rows in under 60 s). --profile prints where the first import spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib
import io
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0
PROFILE_SORT = "cumulative"
OFFICE_CODE = "330199001000"
HEADERS = ["序号", "工单编号", "诉求标题", "诉求内容", "来电人", "联系电话", "受理时间", "办理时限", "诉求类型",
           "紧急程度", "所属社区", "事发地址"]  # fmt: skip
WORDS = ["路灯", "噪音", "占道", "垃圾", "漏水", "停车", "物业", "电梯", "绿化", "油烟", "违建", "积水"]
PLACES = ["东门", "北苑", "三号楼", "菜市场旁", "学校门口", "公交站", "地下车库", "河边步道"]


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the file (%(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgres://user@host:port/ of a server to use")
    parser.add_argument("--keep-db", default="", metavar="NAME", help="use (or create) the database NAME and keep it")
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions of the first import")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("need --rows ≥ 1")
    if args.keep_db and not args.keep_db.isidentifier():
        parser.error("--keep-db needs a plain database name")
    return args


def _date_text(moment: dt.datetime, rng: random.Random) -> Any:
    kind = rng.randrange(5)
    if kind == 0:
        return moment  # an Excel date
    if kind == 1:
        return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment:%M:%S}"
    if kind == 2:
        return moment.strftime("%Y-%m-%d %H:%M")
    if kind == 3:
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}时{moment.minute}分"
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _content(rng: random.Random, word: str, place: str) -> str:
    sentence = f"{place}附近{word}问题持续多日，居民反映强烈，希望有关部门尽快到现场处理。"
    repeat = rng.randint(60, 180) if rng.random() < 0.02 else rng.randint(1, 4)
    body = "\n\t\t\t\t\t".join(f"\u3000\u3000{sentence}" for _ in range(repeat))
    return f"\n\t\t\t\t\t\n\t\t\t\t\t{body}\n\t\t\t\t"


def build_rows(count: int, communities: list[str], rng: random.Random, now: dt.datetime) -> list[list[Any]]:
    rows: list[list[Any]] = []
    n = 0
    while len(rows) < count:
        n += 1
        if rows and rng.random() < 0.01:
            rows.append(list(rows[-1]))  # a repeated row, as exports carry them
            rows[-1][0] = len(rows)
            continue
        word, place = rng.choice(WORDS), rng.choice(PLACES)
        received = now - dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
        received = received.replace(microsecond=0)
        deadline = received + dt.timedelta(days=rng.choice([3, 5, 7, 15]))
        phone = f"13{rng.randint(100000000, 999999999)}"
        community = rng.choice(communities)
        rows.append(
            [
                len(rows) + 1,
                f"SX{received:%Y%m%d}{n:06d}",
                f"{place}{word}问题",
                _content(rng, word, place),
                f"居民{n % 997}",
                phone if rng.random() < 0.8 else phone[:3] + "****" + phone[-4:],
                _date_text(received, rng),
                _date_text(deadline, rng),
                rng.choice(["投诉", "求助", "咨询", "建议", "举报"]),
                rng.choice(["一般", "一般", "一般", "紧急"]),
                community if rng.random() < 0.5 else community.removesuffix("社区"),
                f"{community}{place}",
            ]
        )
    return rows


def write_workbook(rows: list[list[Any]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(["12345工单导出"])  # a title line above the header, as some platforms write
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _import(path: Path, user: Any, office: Any, profile: bool = False) -> tuple[Any, float]:
    from jiedao.upstream import services

    run = services.import_run_create(
        actor=user, source=path.read_bytes(), filename=path.name, office=office, enqueue=False
    )
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    run = services.import_run_execute(run_id=run.pk)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(PROFILE_SORT).print_stats(80)
        print(out.getvalue(), file=sys.stderr)
    if run.state != "done":
        raise SystemExit(f"the import did not succeed: {run.state} {run.errors[:5]} {run.failure[:500]}")
    return run, seconds


def _check_only(path: Path, user: Any, office: Any) -> float:
    """Reading and checking every row, nothing written: the part of an import before its transaction."""
    from jiedao.upstream import permissions, services
    from jiedao.upstream.checks import Context, check_rows
    from jiedao.upstream.columns import DEFAULT_DATE_FORMATS
    from jiedao.upstream.matching import PlaceIndex
    from jiedao.upstream.reading import read_export

    preset = services.preset_for()
    started = time.perf_counter()
    with path.open("rb") as handle:
        sheet = read_export(handle, preset.mapping)
    context = Context(
        sheet=sheet,
        mapping=preset.mapping,
        date_formats=[*preset.date_formats, *DEFAULT_DATE_FORMATS],
        default_request_type=preset.default_request_type,
        default_urgency=preset.default_urgency,
        places=PlaceIndex(list(permissions.importable_offices(user))),
        office=office,
    )
    plan = check_rows(context)
    if plan.errors:
        raise SystemExit(f"the generated file has errors: {plan.errors[:5]}")
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    cases_bench = importlib.import_module("bench.cases")
    rng = random.Random(args.seed)
    with (
        cases_bench.bench_database(args, prefix="jiedao-bench-import-") as _filled,
        tempfile.TemporaryDirectory() as tmp,
    ):
        from django.conf import settings

        from jiedao.accounts.models import User
        from jiedao.cases.models import Case
        from jiedao.core import clock
        from jiedao.places.choices import Level
        from jiedao.places.models import Place
        from jiedao.upstream.cells import SHANGHAI

        settings.MEDIA_ROOT = Path(tmp) / "media"
        office = Place.objects.get(code=OFFICE_CODE)
        user = User.objects.get(username="paidan")
        communities = list(
            Place.objects.filter(level=Level.COMMUNITY, parent=office).order_by("code").values_list("name", flat=True)
        )
        now = clock.now().astimezone(SHANGHAI).replace(tzinfo=None)  # Excel dates carry no zone
        rows = build_rows(args.rows, communities, rng, now)
        first, again = Path(tmp) / "export.xlsx", Path(tmp) / "export-changed.xlsx"
        started = time.perf_counter()
        write_workbook(rows, first)
        figures: dict[str, Any] = {
            "database": "postgresql" if args.postgres else "sqlite",
            "rows": len(rows),
            "file_bytes": first.stat().st_size,
            "write_file_seconds": time.perf_counter() - started,
        }
        before = Case.objects.count()
        figures["read_and_check_seconds"] = _check_only(first, user, office)
        run, seconds = _import(first, user, office, profile=args.profile)
        figures.update(
            first_seconds=seconds,
            first_rows_per_second=len(rows) / seconds,
            first_created=run.created,
            first_duplicates=run.duplicates,
            cases_added=Case.objects.count() - before,
        )
        run, seconds = _import(first, user, office)
        figures.update(again_seconds=seconds, again_rows_per_second=len(rows) / seconds, again_unchanged=run.unchanged)
        if run.created or run.updated:
            raise SystemExit("importing the same file again changed something")
        moved = {row[1] for row in rows[::10]}  # every row of those orders, repeats included
        for row in rows:
            if row[1] in moved:
                row[7] = now + dt.timedelta(days=1)
        write_workbook(rows, again)
        run, seconds = _import(again, user, office)
        figures.update(changed_seconds=seconds, changed_updated=run.updated, changed_unchanged=run.unchanged)
        figures["goal_seconds"] = GOAL_SECONDS
        figures["goal_met"] = "yes" if figures["first_seconds"] < GOAL_SECONDS else "no"
    for name, value in figures.items():
        print(f"{name}={value:.2f}" if isinstance(value, float) else f"{name}={value}")
    return 0 if figures["goal_met"] == "yes" else 1


if __name__ == "__main__":
    sys.exit(main())
