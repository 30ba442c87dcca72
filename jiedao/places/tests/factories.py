from __future__ import annotations

from typing import Any

import factory

from jiedao.places.choices import Level, PlaceKind
from jiedao.places.models import Building, Entrance, House, Place


def square(x: float, y: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square with its south-west corner at (x, y)."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    level = Level.DISTRICT
    kind = PlaceKind.DISTRICT
    code = "330199"
    name = factory.Sequence(lambda n: f"地方{n}")
    parent = None


def make_district(code: str = "330199", name: str = "测试区") -> Place:
    return PlaceFactory(level=Level.DISTRICT, kind=PlaceKind.DISTRICT, code=code, name=name)


def make_office(district: Place, seq: int, name: str) -> Place:
    return PlaceFactory(
        level=Level.SUBDISTRICT,
        kind=PlaceKind.SUBDISTRICT,
        code=f"{district.code}{seq:03d}000",
        name=name,
        parent=district,
    )


def make_community(office: Place, seq: int, name: str, kind: str = PlaceKind.COMMUNITY) -> Place:
    return PlaceFactory(level=Level.COMMUNITY, kind=kind, code=f"{office.prefix}{seq:03d}", name=name, parent=office)


def make_grid(community: Place, seq: int, boundary: dict[str, Any] | None = None, **extra: Any) -> Place:
    return PlaceFactory(
        level=Level.GRID,
        kind=extra.pop("kind", PlaceKind.COMPREHENSIVE),
        code=f"{community.code}{seq:03d}",
        name=f"{community.name}第{seq}网格",
        parent=community,
        boundary=boundary,
        households=400,
        **extra,
    )


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    number = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"测试楼{n + 1}幢")
    address = factory.Sequence(lambda n: f"测试路{n + 1}号")
    floors = 6


class EntranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrance

    number = factory.Sequence(lambda n: n + 1)


class HouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = House

    number = factory.Sequence(lambda n: f"{n + 101}")
    floor = 1
