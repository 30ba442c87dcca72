"""Point → grid → community → office resolution over the grid polygons, with shapely.

The index holds every grid polygon prepared, in an STRtree. It is rebuilt when grids change: services that
write grids call `invalidate()`, and other processes notice within REFRESH_SECONDS through a cheap
fingerprint query (count and latest update of grids).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, Max
from shapely.geometry import shape

from jiedao.places.choices import Level

REFRESH_SECONDS = 10.0


@dataclass(frozen=True)
class Resolution:
    """Where a point lies. All ids are None when it is outside every grid."""

    grid_id: int | None
    community_id: int | None
    office_id: int | None
    grid_code: str = ""

    @property
    def found(self) -> bool:
        return self.grid_id is not None


OUTSIDE = Resolution(None, None, None)


class GridIndex:
    """An immutable spatial index of grid polygons.

    Single points go through a bucket grid over the polygons' extent (arithmetic, no geometry objects) and then
    `intersects_xy` on the few prepared candidates; batches go through the STRtree. Both count edges as inside.
    """

    BUCKETS = 64

    def __init__(self, rows: list[tuple[int, str, int, int, dict[str, Any]]]) -> None:
        # rows: (grid id, grid code, community id, office id, GeoJSON geometry); sorted by code so that a
        # point on a shared edge resolves to the same grid every time (the lower code wins).
        rows = sorted(rows, key=lambda r: r[1])
        self.resolutions = [Resolution(r[0], r[2], r[3], r[1]) for r in rows]
        self.geometries = np.array([shape(r[4]) for r in rows], dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        self._build_buckets()

    def _build_buckets(self) -> None:
        n = self.BUCKETS
        self.buckets: list[list[int]] = [[] for _ in range(n * n)]
        if len(self.geometries) == 0:
            self.minx = self.miny = 0.0
            self.step_x = self.step_y = 1.0
            return
        bounds = shapely.bounds(self.geometries)
        self.minx, self.miny = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        maxx, maxy = float(bounds[:, 2].max()), float(bounds[:, 3].max())
        self.step_x = max(maxx - self.minx, 1e-9) / n
        self.step_y = max(maxy - self.miny, 1e-9) / n
        # A polygon goes into every bucket its bounding box touches; indexes stay ascending (lowest code first).
        for index, (x0, y0, x1, y1) in enumerate(bounds.tolist()):
            i0, i1 = self._column(x0), self._column(x1)
            j0, j1 = self._row(y0), self._row(y1)
            for j in range(j0, j1 + 1):
                for i in range(i0, i1 + 1):
                    self.buckets[j * n + i].append(index)

    def _column(self, x: float) -> int:
        return min(max(int((x - self.minx) / self.step_x), 0), self.BUCKETS - 1)

    def _row(self, y: float) -> int:
        return min(max(int((y - self.miny) / self.step_y), 0), self.BUCKETS - 1)

    def __len__(self) -> int:
        return len(self.resolutions)

    def resolve(self, lng: float, lat: float) -> Resolution:
        """The grid containing the point (edges included), or OUTSIDE."""
        fx = (lng - self.minx) / self.step_x
        fy = (lat - self.miny) / self.step_y
        # Outside the extent (with a bucket's tolerance for points exactly on its far edge): no grid.
        if not (0 <= fx <= self.BUCKETS and 0 <= fy <= self.BUCKETS):
            return OUTSIDE
        for index in self.buckets[self._row(lat) * self.BUCKETS + self._column(lng)]:
            if shapely.intersects_xy(self.geometries[index], lng, lat):
                return self.resolutions[index]
        return OUTSIDE

    def resolve_many(self, lngs: np.ndarray[Any, Any], lats: np.ndarray[Any, Any]) -> list[Resolution]:
        """Resolve many points in one vectorised query (imports, benchmarks)."""
        points = shapely.points(lngs, lats)
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        best = np.full(len(points), -1, dtype=np.int64)
        # Several hits for one point (a shared edge): keep the lowest index, i.e. the lowest code.
        order = np.lexsort((geom_idx, point_idx))
        point_idx, geom_idx = point_idx[order], geom_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        best[point_idx[first]] = geom_idx[first]
        return [self.resolutions[i] if i >= 0 else OUTSIDE for i in best.tolist()]


def _fingerprint() -> tuple[int, Any]:
    from jiedao.places.models import Place

    agg = Place.objects.filter(level=Level.GRID).aggregate(n=Count("id"), latest=Max("updated_at"))
    return agg["n"], agg["latest"]


def build_index() -> GridIndex:
    from jiedao.places.models import Place

    rows: list[tuple[int, str, int, int, dict[str, Any]]] = []
    for grid in Place.objects.filter(level=Level.GRID, boundary__isnull=False).select_related("parent"):
        assert grid.parent is not None  # a grid always has a community (database constraint)
        assert grid.boundary is not None
        rows.append((grid.pk, grid.code, grid.parent.pk, grid.parent.parent_id or 0, grid.boundary))
    return GridIndex(rows)


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: GridIndex | None = None
        self._fingerprint: tuple[int, Any] | None = None
        self._checked_at = 0.0

    def get(self) -> GridIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is not None and now - self._checked_at < REFRESH_SECONDS:
                return self._index
            fingerprint = _fingerprint()
            if self._index is None or fingerprint != self._fingerprint:
                self._index = build_index()
                self._fingerprint = fingerprint
            self._checked_at = now
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
            self._fingerprint = None


_cache = _Cache()


def grid_index() -> GridIndex:
    """The current index, rebuilt if grids changed (checked at most every REFRESH_SECONDS)."""
    return _cache.get()


def invalidate() -> None:
    """Drop this process's index; call after writing grids."""
    _cache.invalidate()


def resolve_point(lng: float, lat: float) -> Resolution:
    """Resolve (lng, lat) in WGS-84 to grid → community → office; OUTSIDE when no grid contains it."""
    return grid_index().resolve(lng, lat)
