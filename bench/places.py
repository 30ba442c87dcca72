"""Point → grid resolution speed over the demo grids, and the time to load the demo.

    .venv/bin/python bench/places.py [--points N] [--seed S] [--baseline-points M]

Runs on its own fresh SQLite database in a temporary directory (never the user's database), pinned to one
CPU when the system allows it. Measures GridIndex.resolve one point at a time, GridIndex.resolve_many on
all points at once, and a naive baseline (every polygon tested with shapely `contains`, no tree, no
preparation) on a subset. The goal is over 50,000 single resolutions per second on one core.
Exits 1 when the methods disagree on any point.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from jiedao.places.geo import GridIndex, Resolution

ROOT = Path(__file__).resolve().parent.parent
GOAL_PER_SECOND = 50_000
T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    method: str
    points: int
    seconds: float
    baseline_rate: float | None = None

    @property
    def rate(self) -> float:
        return self.points / self.seconds if self.seconds > 0 else float("inf")

    def line(self) -> str:
        ratio = f"{self.rate / self.baseline_rate:>10.1f}×" if self.baseline_rate else f"{'1.0':>10}×"
        return f"  {self.method:<34} {self.points:>9,} {self.seconds:>10.3f} {self.rate:>14,.0f} {ratio}"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--points", type=int, default=100_000, help="random points to resolve (%(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random points (%(default)s)")
    parser.add_argument(
        "--baseline-points", type=int, default=5_000, help="points for the naive baseline (%(default)s)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of resolve_many (%(default)s)")
    args = parser.parse_args(argv)
    if args.points < 1 or args.baseline_points < 1 or args.repeat < 1:
        parser.error("--points, --baseline-points and --repeat must be at least 1")
    return args


def _pin_to_one_core() -> str:
    """Run on one CPU so the figures mean "per core"; say what happened."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:
        return f"not pinned ({exc.strerror})"
    return f"pinned to CPU {cpu}"


def _django(var_dir: str) -> None:
    """Configure Django on a fresh SQLite file in `var_dir`, whatever the caller's environment says."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["JIEDAO_VAR_DIR"] = var_dir
    for name in ("DATABASE_URL", "REDIS_URL"):  # the user's database and queue are not ours to fill
        os.environ.pop(name, None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def _resolve_one_by_one(index: GridIndex, lngs: list[float], lats: list[float]) -> list[Resolution]:
    return [index.resolve(lng, lat) for lng, lat in zip(lngs, lats, strict=True)]


def _naive_grid_ids(polygons: list[tuple[int, Any]], lngs: list[float], lats: list[float]) -> list[int | None]:
    """Test every polygon in code order; the first that contains the point wins (the index's rule too)."""
    from shapely.geometry import Point

    found: list[int | None] = []
    for lng, lat in zip(lngs, lats, strict=True):
        point = Point(lng, lat)
        found.append(next((grid_id for grid_id, polygon in polygons if polygon.contains(point)), None))
    return found


def _first_disagreement(left: Sequence[int | None], right: Sequence[int | None]) -> int | None:
    return next((i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a != b), None)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connections
    from shapely.geometry import shape

    from jiedao.demo.builder import demo_create
    from jiedao.places import geo
    from jiedao.places.choices import Level
    from jiedao.places.models import Place

    call_command("migrate", interactive=False, verbosity=0)
    demo, load_seconds = _timed(demo_create)
    index, index_seconds = _timed(geo.build_index)
    grids = list(
        Place.objects.filter(level=Level.GRID, boundary__isnull=False).order_by("code").values_list("pk", "boundary")
    )
    # Fresh geometries for the baseline: the index prepared its own copies.
    polygons = [(pk, shape(boundary)) for pk, boundary in grids]
    connections.close_all()

    bounds = np.array([polygon.bounds for _pk, polygon in polygons])
    min_lng, min_lat = bounds[:, 0].min(), bounds[:, 1].min()
    max_lng, max_lat = bounds[:, 2].max(), bounds[:, 3].max()
    rng = np.random.default_rng(args.seed)
    lngs: npt.NDArray[np.float64] = rng.uniform(min_lng, max_lng, args.points)
    lats: npt.NDArray[np.float64] = rng.uniform(min_lat, max_lat, args.points)
    lng_list: list[float] = lngs.tolist()
    lat_list: list[float] = lats.tolist()
    subset = min(args.baseline_points, args.points)

    naive, naive_seconds = _timed(lambda: _naive_grid_ids(polygons, lng_list[:subset], lat_list[:subset]))
    single, single_seconds = _timed(lambda: _resolve_one_by_one(index, lng_list, lat_list))
    many_seconds = float("inf")
    many: list[Resolution] = []
    for _ in range(args.repeat):
        many, seconds = _timed(lambda: index.resolve_many(lngs, lats))
        many_seconds = min(many_seconds, seconds)

    single_ids = [r.grid_id for r in single]
    many_ids = [r.grid_id for r in many]
    baseline = Row("naive loop (contains, no tree)", subset, naive_seconds)
    rows = [
        baseline,
        Row("GridIndex.resolve (one by one)", args.points, single_seconds, baseline.rate),
        Row(f"GridIndex.resolve_many (best of {args.repeat})", args.points, many_seconds, baseline.rate),
    ]
    inside = sum(grid_id is not None for grid_id in single_ids)
    many_differs = _first_disagreement(single_ids, many_ids)
    naive_differs = _first_disagreement(single_ids[:subset], naive)

    print(f"  {'demo load (demo_create)':<34} {load_seconds:>9.2f} s  ({demo.grids} grids, {demo.places} places)")
    print(f"  {'index build (build_index)':<34} {index_seconds:>9.3f} s  ({len(index)} grids)")
    print()
    print(f"  {'method':<34} {'points':>9} {'seconds':>10} {'points/s':>14} {'vs naive':>11}")
    for row in rows:
        print(row.line())
    print()
    print(f"  points inside some grid: {inside:,} of {args.points:,} ({100 * inside / args.points:.1f} %)")
    print(f"  resolve vs resolve_many: {'agree on every point' if many_differs is None else 'DISAGREE'}")
    print(f"  resolve vs naive loop:   {'agree on every point' if naive_differs is None else 'DISAGREE'}")
    for name, at, theirs in (("resolve_many", many_differs, many_ids), ("naive loop", naive_differs, naive)):
        if at is not None:
            print(
                f"  first disagreement at point {at} ({lng_list[at]:.6f}, {lat_list[at]:.6f}): "
                f"resolve → grid {single_ids[at]}, {name} → grid {theirs[at]}",
                file=sys.stderr,
            )
    goal = "met" if rows[1].rate >= GOAL_PER_SECOND else "NOT met"
    print()
    print(
        f"summary: resolve {rows[1].rate:,.0f}/s (goal {GOAL_PER_SECOND:,}/s on one core: {goal}), "
        f"resolve_many {rows[2].rate:,.0f}/s, naive {baseline.rate:,.0f}/s, demo load {load_seconds:.2f} s"
    )
    return 0 if many_differs is None and naive_differs is None else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    pinned = _pin_to_one_core()
    with tempfile.TemporaryDirectory(prefix="jiedao-bench-") as var_dir:
        _django(var_dir)
        print(
            f"jiedao bench: point → grid resolution, {args.points:,} random points (seed {args.seed}), {pinned}, "
            f"fresh SQLite in {var_dir}"
        )
        return run(args)


if __name__ == "__main__":
    sys.exit(main())
