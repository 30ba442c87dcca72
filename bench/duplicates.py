"""The duplicate finder: its speed at registration over 100,000 recent cases, and its quality on real messages.

    .venv/bin/python bench/duplicates.py [--cases N] [--probes P] [--seed S] [--postgres URL] [--keep-db NAME]
                                         [--skip-latency] [--skip-quality] [--draw]

Latency: builds the demo district in a database of its own (as bench/cases.py does: a temporary SQLite file, or a
PostgreSQL database created and dropped), bulk-inserts N open cases received in the last 30 days in 望湖街道 (points
around the demo buildings, their addresses, a pool of callers, texts from the demo's templates), then times
`duplicate_candidates` for P registrations as the dispatcher types them (every one with a title and content and its
grid; some with a point, some with a phone of the pool, some with an address; many of a template already filed
nearby). Goal: p95 under 50 ms.

Quality: reads ../shared/data/tipdm2020/hotspot_messages.xlsx (skipped with a message when absent). The messages
have no grid or point, so this measures the text-similarity and time-window part of the finder: among all pairs
of messages received within WINDOW_DAYS of each other, the pairs scoring at least SIMILARITY_THRESHOLD with the
product's own `text_similarity` are its candidates. bench/duplicate_labels.csv holds hand labels of a stratified
sample of those pairs (row numbers and 留言编号 only: the messages' licence forbids copying their text), drawn by
`--draw` with the seed below; the bench prints the precision and the recall estimated from them.

A pair is labelled 1 when both messages are about the same problem in the same place (the same estate, road,
company, school or scheme and the same matter, so one reply would answer both), 0 otherwise (the same topic at
another place, or another matter at the same place).

Prints one `name=value` per line.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "hotspot_messages.xlsx"
LABELS = Path(__file__).resolve().parent / "duplicate_labels.csv"
GOAL_MS = 50.0
BATCH = 5_000
DRAW_SEED = 20261129
# The strata of similarity the labelled pairs are drawn from, and how many pairs each: the two at or above the
# threshold give the precision; the three below it (with some overlap) say how many repeats the threshold misses.
# Pairs below 0.10 are not sampled: see the recall's comment.
STRATA: tuple[tuple[str, float, float, int], ...] = (
    ("s1_050_100", 0.50, 1.01, 40),
    ("s2_030_050", 0.30, 0.50, 60),
    ("s3_020_030", 0.20, 0.30, 50),
    ("s4_015_020", 0.15, 0.20, 30),
    ("s5_010_015", 0.10, 0.15, 20),
)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="recent open cases in the database (%(default)s)")
    parser.add_argument("--probes", type=int, default=300, help="registrations timed (%(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgres://user@host:port/ of a server to use")
    parser.add_argument("--keep-db", default="", metavar="NAME", help="use (or create and fill) NAME and keep it")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--draw", action="store_true", help="print the pairs to label (identifiers only) and exit")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.probes < 2:
        parser.error("need --cases ≥ 1 and --probes ≥ 2")
    if args.keep_db and not args.keep_db.isidentifier():
        parser.error("--keep-db needs a plain database name")
    return args


# Latency ------------------------------------------------------------------------------------------------------


class _Slots(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "附近"


def _texts(rng: random.Random, building: Any, community: str) -> tuple[str, str]:
    """A title and content from one of the demo's templates, at this building."""
    from jiedao.demo.case_texts import TEMPLATES

    template = rng.choice(TEMPLATES)
    slots = _Slots(
        community=community,
        building=building.name,
        estate=building.name,
        road=building.address[:4],
        near=f"{building.address}附近",
        unit_no=f"{rng.randint(1, 2)}单元",
        room=f"{rng.randint(1, 9)}0{rng.randint(1, 2)}室",
        days="三天",
        when="这两天",
        night="每天晚上",
        who="本人",
    )
    return rng.choice(template.titles).format_map(slots), rng.choice(template.contents).format_map(slots)


def _jitter(rng: random.Random, value: Any, degrees: float) -> Any:
    from decimal import Decimal

    return (Decimal(value) + Decimal(f"{rng.uniform(-degrees, degrees):.6f}")).quantize(Decimal("0.000001"))


def _populate(count: int, rng: random.Random, now: dt.datetime, phones: list[str]) -> None:
    """Bulk-insert `count` open cases received in the last 30 days, around the office's buildings."""
    from jiedao.cases.choices import Channel, RequestType, State
    from jiedao.cases.duplicates import address_key
    from jiedao.cases.models import Case, CaseSequence
    from jiedao.core import crypto
    from jiedao.places.models import Building, Place

    office = Place.objects.get(code="330199001000")
    buildings = list(Building.objects.filter(scope_code__startswith=office.prefix).select_related("grid__parent"))
    hashes = [crypto.keyed_hash(p) for p in phones]
    sequence, _created = CaseSequence.objects.get_or_create(office=office, year=now.year)
    states = [State.REGISTERED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.REPLIED, State.CALLBACK]
    made = 0
    while made < count:
        cases = []
        for _ in range(min(BATCH, count - made)):
            building = rng.choice(buildings)
            grid = building.grid
            title, content = _texts(rng, building, grid.parent.name if grid.parent else "")
            sequence.last += 1
            with_phone = rng.random() < 0.7
            address = f"{building.address}{rng.randint(1, 2)}单元" if rng.random() < 0.6 else ""
            cases.append(
                Case(
                    number=f"JD{now.year}-{sequence.last:06d}",
                    channel=rng.choice([Channel.HOTLINE_12345, Channel.PHONE, Channel.GRID]),
                    request_type=rng.choice(RequestType.values),
                    title=title[:200],
                    content=content,
                    address=address,
                    address_key=address_key(address),
                    lng=_jitter(rng, building.lng, 0.0015),
                    lat=_jitter(rng, building.lat, 0.0015),
                    office=office,
                    community=grid.parent,
                    grid=grid,
                    scope_code=grid.code,
                    received_at=now - dt.timedelta(seconds=rng.randint(60, 30 * 86400)),
                    state=rng.choice(states),
                    reporter_phone_hash=rng.choice(hashes) if with_phone else "",
                    version=1,
                )
            )
        Case.objects.bulk_create(cases, batch_size=BATCH)
        made += len(cases)
        print(f"# populated {made:,} / {count:,}", file=sys.stderr, flush=True)
    sequence.save(update_fields=["last"])


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


@dataclass(frozen=True)
class Registration:
    grid_id: int | None
    text: str
    phone: str
    address: str
    lng: float | None
    lat: float | None


def _registrations(count: int, rng: random.Random, phones: list[str]) -> list[Registration]:
    from jiedao.places import geo
    from jiedao.places.models import Building

    buildings = list(Building.objects.filter(scope_code__startswith="330199001").select_related("grid__parent"))
    made = []
    for _ in range(count):
        building = rng.choice(buildings)
        title, content = _texts(rng, building, building.grid.parent.name if building.grid.parent else "")
        lng, lat = float(_jitter(rng, building.lng, 0.001)), float(_jitter(rng, building.lat, 0.001))
        pointed = rng.random() < 0.5
        found = geo.resolve_point(lng, lat)
        made.append(
            Registration(
                grid_id=found.grid_id if found.grid_id is not None else building.grid_id,
                text=f"{title}\n{content}",
                phone=rng.choice(phones) if rng.random() < 0.4 else "",
                address=f"{building.address}1单元" if rng.random() < 0.3 else "",
                lng=lng if pointed else None,
                lat=lat if pointed else None,
            )
        )
    return made


def _latency(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    from django.utils import timezone

    # The case bench's own database set-up and percentile; imported by name because mypy maps bench/cases.py as a
    # top-level module (bench is no package) and a second name for it would be a second module.
    cases_bench = importlib.import_module("bench.cases")
    _percentile = cases_bench._percentile

    with cases_bench.bench_database(args, prefix="jiedao-bench-dup-") as filled:
        from jiedao.accounts.models import User
        from jiedao.cases.duplicates import duplicate_candidates
        from jiedao.cases.models import Case
        from jiedao.core.scope import scope_of

        now = timezone.now()
        phones = [f"100{n:08d}" for n in range(20_000)]
        figures: dict[str, Any] = {"database": "postgresql" if args.postgres else "sqlite"}
        if not filled:
            started = time.perf_counter()
            _populate(args.cases, rng, now, phones)
            figures["populate_seconds"] = time.perf_counter() - started
            _analyze()
        figures["cases"] = Case.objects.count()
        dispatcher = User.objects.get(username="paidan")
        probes = _registrations(args.probes, rng, phones)
        samples, found = [], []
        for n, probe in enumerate([probes[0], *probes]):  # the first call warms the caches and is not counted
            scope_of(dispatcher)  # read once per request, before the view calls the finder
            started = time.perf_counter()
            candidates = duplicate_candidates(
                user=dispatcher,
                grid_id=probe.grid_id,
                text=probe.text,
                phone=probe.phone,
                address=probe.address,
                lng=probe.lng,
                lat=probe.lat,
                now=now,
            )
            if n:
                samples.append((time.perf_counter() - started) * 1000)
                found.append(len(candidates))
        figures.update(
            {
                "probes": len(samples),
                "probes_with_point": sum(p.lng is not None for p in probes),
                "probes_with_phone": sum(bool(p.phone) for p in probes),
                "probes_with_address": sum(bool(p.address) for p in probes),
                "candidates_mean": statistics.mean(found),
                "duplicates_p50_ms": statistics.median(samples),
                "duplicates_p95_ms": _percentile(samples, 0.95),
                "duplicates_max_ms": max(samples),
                "duplicates_goal_p95_ms": GOAL_MS,
            }
        )
    return figures


# Quality ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    row: int  # the row number in the sheet (the header is row 1)
    number: str  # 留言编号
    at: dt.datetime
    text: str


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    for pattern in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def read_messages(path: Path = DATA) -> list[Message]:
    """The messages of the sheet with their row numbers; their texts as the finder reads a case's."""
    import openpyxl

    from jiedao.cases.duplicates import case_text

    book = openpyxl.load_workbook(path, read_only=True)
    messages = []
    for row, values in enumerate(book.active.iter_rows(min_row=2, values_only=True), start=2):
        number, _user, title, at, content = values[:5]
        messages.append(Message(row, str(number), _when(at), case_text(str(title or ""), str(content or ""))))
    book.close()
    return messages


def pair_similarities(messages: list[Message], days: int) -> dict[tuple[int, int], float]:
    """The similarity of every pair of messages (by index) received within `days` of each other and sharing at
    least one bigram. A sparse product of the normalised bigram count vectors: the cosine the product computes
    (`text_similarity` is checked against it on the sampled pairs)."""
    import numpy as np
    from scipy import sparse

    from jiedao.cases.duplicates import bigrams

    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for i, message in enumerate(messages):
        for gram, count in bigrams(message.text).items():
            rows.append(i)
            cols.append(vocabulary.setdefault(gram, len(vocabulary)))
            values.append(float(count))
    counts = sparse.csr_matrix((values, (rows, cols)), shape=(len(messages), len(vocabulary)))
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    unit = sparse.diags(1.0 / norms) @ counts
    cosine = (unit @ unit.T).tocoo()
    seconds = np.array([m.at.timestamp() for m in messages])
    keep = (cosine.row < cosine.col) & (np.abs(seconds[cosine.row] - seconds[cosine.col]) <= days * 86400)
    return {
        (int(i), int(j)): min(1.0, float(s))
        for i, j, s in zip(cosine.row[keep], cosine.col[keep], cosine.data[keep], strict=True)
    }


def _stratum(score: float) -> str | None:
    return next((name for name, low, high, _n in STRATA if low <= score < high), None)


def window_pairs(messages: list[Message], days: int) -> int:
    """How many pairs of messages were received within `days` of each other (sharing a bigram or not)."""
    import numpy as np

    seconds = np.sort(np.array([m.at.timestamp() for m in messages]))
    ends = np.searchsorted(seconds, seconds + days * 86400, side="right")
    return int((ends - np.arange(len(seconds)) - 1).sum())


def draw(messages: list[Message], scores: dict[tuple[int, int], float]) -> list[tuple[str, int, int, float]]:
    """The pairs to label: a seeded random sample of each stratum (stratum, index, index, similarity)."""
    by_stratum: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pair, score in sorted(scores.items()):
        name = _stratum(score)
        if name is not None:
            by_stratum[name].append(pair)
    rng = random.Random(DRAW_SEED)
    drawn = []
    for name, _low, _high, size in STRATA:
        for i, j in rng.sample(by_stratum[name], min(size, len(by_stratum[name]))):
            drawn.append((name, i, j, scores[(i, j)]))
    return drawn


def _quality() -> dict[str, Any]:
    from jiedao.cases.duplicates import SIMILARITY_THRESHOLD, WINDOW_DAYS, text_similarity

    if not DATA.exists():
        print(f"# {DATA} is absent: the quality part is skipped", file=sys.stderr)
        return {"quality": "skipped"}
    messages = read_messages()
    scores = pair_similarities(messages, WINDOW_DAYS)
    population: dict[str, int] = defaultdict(int)
    for score in scores.values():
        name = _stratum(score)
        if name is not None:
            population[name] += 1
    by_row = {m.row: i for i, m in enumerate(messages)}
    labels: dict[str, list[int]] = defaultdict(list)
    with LABELS.open(encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            i, j = by_row[int(line["row_a"])], by_row[int(line["row_b"])]
            if (messages[i].number, messages[j].number) != (line["number_a"], line["number_b"]):
                raise SystemExit(f"label row {line} does not match the sheet")
            score = text_similarity(messages[i].text, messages[j].text)
            if abs(score - scores.get((min(i, j), max(i, j)), 0.0)) > 1e-9:
                raise SystemExit(f"the product's similarity differs from the matrix on rows {i}, {j}")
            if _stratum(score) != line["stratum"]:
                raise SystemExit(f"labelled pair {line['row_a']}, {line['row_b']} left its stratum: draw again")
            if abs((messages[i].at - messages[j].at).total_seconds()) > WINDOW_DAYS * 86400:
                raise SystemExit(f"labelled pair {line['row_a']}, {line['row_b']} is outside the window")
            labels[line["stratum"]].append(int(line["label"]))
    # Each stratum's share of true repeats is estimated by its labelled sample (a simple random sample of the
    # stratum) and weighted by the stratum's size: estimated repeats = Σ size_h × positives_h / labelled_h.
    # Precision: the estimated repeats among the candidates (the strata at or above the threshold) over their count.
    # Recall: the candidates' estimated repeats over all estimated repeats in the sampled strata. Pairs under 0.10
    # (about 1.4 million, sharing few bigrams) are not sampled and count as no repeat, so the recall is an upper
    # bound: the share of the repeats with some textual overlap that the threshold finds.
    estimated = {name: population[name] * statistics.mean(labels[name]) for name, *_ in STRATA if labels[name]}
    candidates, found = _found(population, estimated, SIMILARITY_THRESHOLD)
    figures: dict[str, Any] = {
        "messages": len(messages),
        "pairs_within_window": window_pairs(messages, WINDOW_DAYS),
        "threshold": SIMILARITY_THRESHOLD,
        "candidate_pairs": candidates,
        "labelled_pairs": sum(len(v) for v in labels.values()),
        "labelled_repeats": sum(sum(v) for v in labels.values()),
    }
    for name, *_ in STRATA:
        figures[f"{name}_pairs"] = population[name]
        figures[f"{name}_labelled"] = f"{sum(labels[name])}/{len(labels[name])}"
    figures["precision"] = found / candidates if candidates else 0.0
    figures["recall"] = found / sum(estimated.values()) if estimated else 0.0
    # The same labels at the other stratum bounds, to show what moving the threshold would trade.
    for threshold in (0.5, 0.2):
        count, hits = _found(population, estimated, threshold)
        figures[f"precision_at_{threshold:.2f}"] = hits / count if count else 0.0
        figures[f"recall_at_{threshold:.2f}"] = hits / sum(estimated.values()) if estimated else 0.0
    return figures


def _found(population: dict[str, int], estimated: dict[str, float], threshold: float) -> tuple[int, float]:
    """(pairs at or above `threshold`, estimated repeats among them); `threshold` must be a stratum's bound."""
    above = [name for name, low, _high, _n in STRATA if low >= threshold]
    return sum(population[name] for name in above), sum(estimated.get(name, 0.0) for name in above)


def _print_draw() -> None:
    from jiedao.cases.duplicates import WINDOW_DAYS

    messages = read_messages()
    scores = pair_similarities(messages, WINDOW_DAYS)
    print("stratum,row_a,number_a,row_b,number_b,similarity")
    for name, i, j, score in draw(messages, scores):
        a, b = messages[i], messages[j]
        print(f"{name},{a.row},{a.number},{b.row},{b.number},{score:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if args.draw:
        if not DATA.exists():
            print(f"{DATA} is absent: nothing to draw")
            return 0
        import django

        django.setup()
        _print_draw()
        return 0
    figures: dict[str, Any] = {}
    if not args.skip_latency:
        figures.update(_latency(args, random.Random(args.seed)))
    if not args.skip_quality:
        if args.skip_latency:
            import django

            django.setup()
        figures.update(_quality())
    for name, value in figures.items():
        print(f"{name}={value:.4f}" if isinstance(value, float) else f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
