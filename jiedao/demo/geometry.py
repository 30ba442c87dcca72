"""Polygons for the demo: a jittered lattice of community quadrilaterals, each split into grids.

Neighbouring cells share their vertices, so the grids tile the area with no gap and no overlap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Quad:
    nw: Point
    ne: Point
    se: Point
    sw: Point

    def at(self, u: float, v: float) -> Point:
        """Bilinear point: u runs west→east, v north→south, both 0..1."""
        top = (self.nw[0] + (self.ne[0] - self.nw[0]) * u, self.nw[1] + (self.ne[1] - self.nw[1]) * u)
        bottom = (self.sw[0] + (self.se[0] - self.sw[0]) * u, self.sw[1] + (self.se[1] - self.sw[1]) * u)
        return (top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v)


def _ring(points: list[Point]) -> list[list[float]]:
    # GeoJSON exterior rings run counter-clockwise: NW, SW, SE, NE.
    nw, ne, se, sw = points
    return [[round(x, 6), round(y, 6)] for x, y in (nw, sw, se, ne, nw)]


def polygon(points: list[Point]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [_ring(points)]}


def lattice(
    *, cols: int, rows: int, origin: Point, step: Point, rng: random.Random, jitter: float
) -> list[list[Point]]:
    """(cols+1) × (rows+1) vertices, row 0 the northernmost, each moved by up to `jitter` of a step."""
    x0, y0 = origin
    dx, dy = step
    return [
        [
            (x0 + i * dx + rng.uniform(-jitter, jitter) * dx, y0 - j * dy + rng.uniform(-jitter, jitter) * dy)
            for i in range(cols + 1)
        ]
        for j in range(rows + 1)
    ]


def cell(vertices: list[list[Point]], col: int, row: int) -> Quad:
    return Quad(vertices[row][col], vertices[row][col + 1], vertices[row + 1][col + 1], vertices[row + 1][col])


def split(quad: Quad, *, cols: int, rows: int, rng: random.Random, jitter: float) -> list[list[Point]]:
    """Split a quadrilateral into cols × rows cells; returns each cell's corners, north row first, west to east.

    Only inner vertices move (by up to `jitter` of a sub-step along each axis), so the outline stays the quad's.
    """
    points: dict[tuple[int, int], Point] = {}
    for j in range(rows + 1):
        for i in range(cols + 1):
            u, v = i / cols, j / rows
            if 0 < i < cols and 0 < j < rows:
                u += rng.uniform(-jitter, jitter) / cols
                v += rng.uniform(-jitter, jitter) / rows
            points[(i, j)] = quad.at(u, v)
    return [
        [points[(i, j)], points[(i + 1, j)], points[(i + 1, j + 1)], points[(i, j + 1)]]
        for j in range(rows)
        for i in range(cols)
    ]
