"""Small invented photos for the grid workers' reports: a street or stairwell scene drawn as flat colour blocks,
with the problem in it ("before") or gone ("after"). Valid PNG files written with zlib and struct alone (the
project does not depend on Pillow); each is a few hundred bytes."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

WIDTH, HEIGHT = 160, 120
Colour = tuple[int, int, int]
Box = tuple[int, int, int, int, Colour]  # left, top, right, bottom (exclusive), colour


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int, boxes: list[Box], background: Colour) -> bytes:
    """An RGB PNG of `width` × `height` filled with `background`, the boxes painted over it in order."""
    rows = []
    for y in range(height):
        row = bytearray(bytes(background) * width)
        for left, top, right, bottom, colour in boxes:
            if top <= y < bottom:
                start, stop = max(left, 0), min(right, width)
                if start < stop:
                    row[start * 3 : stop * 3] = bytes(colour) * (stop - start)
        rows.append(b"\x00" + bytes(row))  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _shade(rng: random.Random, colour: Colour, spread: int = 18) -> Colour:
    r, g, b = (min(255, max(0, c + rng.randint(-spread, spread))) for c in colour)
    return (r, g, b)


@dataclass(frozen=True)
class Scene:
    """One place as the worker's phone sees it: the background stays, the problem comes and goes."""

    background: Colour
    setting: list[Box]
    problem: list[Box]

    def png(self, *, fixed: bool) -> bytes:
        return png_bytes(WIDTH, HEIGHT, self.setting if fixed else [*self.setting, *self.problem], self.background)


def scene(rng: random.Random) -> Scene:
    """A wall or a street with a door or a kerb, and a clutter of boxes in bright or dark colours (the problem)."""
    sky = _shade(rng, (196, 206, 214))
    horizon = rng.randint(40, 60)
    ground = _shade(rng, (128, 122, 112), 24)
    wall = _shade(rng, (214, 200, 176), 20)
    setting: list[Box] = [(0, horizon, WIDTH, HEIGHT, ground), (0, 8, rng.randint(70, 120), horizon + 10, wall)]
    door_left = rng.randint(12, 50)
    setting.append((door_left, horizon - 22, door_left + 18, horizon + 10, _shade(rng, (92, 74, 58))))
    setting.append((0, horizon + 10, WIDTH, horizon + 13, _shade(rng, (160, 160, 156))))  # the kerb
    problem: list[Box] = []
    for _ in range(rng.randint(3, 7)):
        width, height = rng.randint(8, 30), rng.randint(6, 26)
        left, bottom = rng.randint(20, WIDTH - width - 4), rng.randint(horizon + 14, HEIGHT - 4)
        colour = rng.choice([(178, 58, 46), (226, 190, 70), (60, 92, 150), (70, 70, 70), (232, 232, 226)])
        problem.append((left, bottom - height, left + width, bottom, _shade(rng, colour, 12)))
    return Scene(sky, setting, problem)


def photo_files(
    rng: random.Random, count: int, taken_at: dt.datetime, *, fixed: bool, of: Scene
) -> list[ContentFile[bytes]]:
    """`count` photos of the scene named like a phone's pictures (IMG_20260315_093012.png), a second apart."""
    files = []
    for n in range(count):
        moment = timezone.localtime(taken_at) + dt.timedelta(seconds=n + rng.randint(0, 2))
        variant = Scene(of.background, of.setting, [_nudge(rng, box) for box in of.problem])
        files.append(ContentFile(variant.png(fixed=fixed), name=f"IMG_{moment:%Y%m%d_%H%M%S}.png"))
    return files


def _nudge(rng: random.Random, box: Box) -> Box:
    """The same thing seen from a step aside."""
    dx, dy = rng.randint(-3, 3), rng.randint(-2, 2)
    left, top, right, bottom, colour = box
    return (left + dx, top + dy, right + dx, bottom + dy, colour)
