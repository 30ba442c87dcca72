"""The demo world as the simulated year needs it: offices with their units and people, grids with their buildings,
the handlers of every unit, and the category tree by path. Read once before the year starts."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from jiedao.accounts.choices import Role
from jiedao.accounts.models import RoleAssignment, User
from jiedao.accounts.services import role_grant
from jiedao.categories.models import Category
from jiedao.demo import names
from jiedao.demo.builder import DEMO_PASSWORD
from jiedao.places.choices import Level
from jiedao.places.models import Building, Place
from jiedao.units.models import Unit


@dataclass
class Office:
    place: Place
    dispatcher: User
    deputy: User | None
    principal: User | None
    units: list[Unit]  # by name
    property_units: list[tuple[Unit, frozenset[int]]]  # and the communities each serves

    def unit(self, sector: str, community_id: int) -> Unit:
        """The unit of `sector` for a case in the community (a property company only where it serves)."""
        if sector == "property":
            for unit, served in self.property_units:
                if community_id in served:
                    return unit
            sector = "construction"
        for wanted in (sector, "governance"):
            for unit in self.units:
                if unit.sector == wanted:
                    return unit
        return self.units[0]


@dataclass
class Grid:
    place: Place
    community: Place
    office: Office
    workers: list[User]
    community_staff: User | None
    buildings: list[Building]
    homes: list[Building]  # residential buildings (a school's or hospital's have none)


@dataclass
class World:
    offices: list[Office]
    grids: list[Grid]
    grid_weights: list[int]  # cumulative households
    handlers: dict[int, User]  # unit id → its handler
    categories: dict[tuple[str, ...], Category]


def demo_handlers_ensure(*, seed: int) -> tuple[dict[int, User], int]:
    """Give every demo unit without a handler one ("cb" + unit id, the demo password); return them and how many
    were created. Existing handlers (e.g. chengban of 城管科) are kept."""
    rng = random.Random(f"{seed}/handlers")
    password = ""
    handlers: dict[int, User] = {}
    created = 0
    for unit in Unit.objects.select_related("office").order_by("office__code", "name"):
        existing = (
            User.objects.filter(role_assignments__role=Role.UNIT_HANDLER, role_assignments__unit=unit, is_active=True)
            .order_by("username")
            .first()
        )
        name = rng.choice(names.SURNAMES) + "".join(rng.choice(names.GIVEN) for _ in range(rng.choice([1, 2, 2])))
        phone = f"100{rng.randint(1000, 9999)}{rng.randint(0, 9999):04d}"
        if existing is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                username=f"cb{unit.pk:03d}",
                full_name=name,
                phone=phone,
                title=f"{unit.short_name or unit.name}经办人",
                office=unit.office,
                password=password,
            )
            role_grant(user=user, role=Role.UNIT_HANDLER, unit=unit)
            existing, created = user, created + 1
        handlers[unit.pk] = User.objects.get(pk=existing.pk)  # fresh: its scope is computed with the new role
    return handlers, created


def demo_community_staff_ensure(*, seed: int) -> int:
    """Give every demo community without staff a staff member ("sq" + its code, the demo password), who checks
    what the grid workers fix on the spot; return how many were created."""
    rng = random.Random(f"{seed}/community-staff")
    password, created = "", 0
    for community in Place.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("code"):
        name = rng.choice(names.SURNAMES) + "".join(rng.choice(names.GIVEN) for _ in range(rng.choice([1, 2, 2])))
        phone = f"100{rng.randint(1000, 9999)}{rng.randint(0, 9999):04d}"
        if _holders(Role.COMMUNITY_STAFF, community) or community.parent is None:
            continue
        password = password or make_password(DEMO_PASSWORD)
        user = User.objects.create(
            username=f"sq{community.code[6:]}",
            full_name=name,
            phone=phone,
            title="社区工作人员",
            office=community.parent,
            password=password,
        )
        role_grant(user=user, role=Role.COMMUNITY_STAFF, place=community)
        created += 1
    return created


def _holders(role: str, place: Place) -> list[User]:
    ids = RoleAssignment.objects.filter(role=role, place=place, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def category_paths() -> dict[tuple[str, ...], Category]:
    """Every active category by the names on its path from the root."""
    nodes = {c.pk: c for c in Category.objects.filter(is_active=True).order_by("code")}
    paths: dict[tuple[str, ...], Category] = {}
    for node in nodes.values():
        path: list[str] = []
        current: Category | None = node
        while current is not None:
            path.insert(0, current.name)
            current = nodes.get(current.parent_id) if current.parent_id else None
        paths[tuple(path)] = node
    return paths


def _offices() -> dict[int, Office]:
    offices: dict[int, Office] = {}
    for place in Place.objects.filter(level=Level.SUBDISTRICT).order_by("code"):
        dispatchers = _holders(Role.DISPATCHER, place)
        units = list(Unit.objects.filter(office=place, is_active=True).order_by("name"))
        if not dispatchers or not units:
            continue
        deputies, principals = _holders(Role.DEPUTY_LEADER, place), _holders(Role.PRINCIPAL_LEADER, place)
        property_units = [
            (u, frozenset(u.serves.values_list("pk", flat=True))) for u in units if u.sector == "property"
        ]
        offices[place.pk] = Office(
            place, dispatchers[0], deputies[0] if deputies else None, principals[0] if principals else None,
            [u for u in units if u.sector != "property"], property_units,
        )  # fmt: skip
    return offices


def world_load(handlers: dict[int, User]) -> World:
    """The offices that have a dispatcher and units, and their grids that have a worker and buildings."""
    offices = _offices()
    buildings: dict[int, list[Building]] = {}
    for building in Building.objects.order_by("grid__code", "number", "id"):
        buildings.setdefault(building.grid_id, []).append(building)
    grids: list[Grid] = []
    weights: list[int] = []
    for place in Place.objects.filter(level=Level.GRID).select_related("parent__parent").order_by("code"):
        community = place.parent
        office = offices.get(community.parent_id or 0) if community is not None else None
        workers = _holders(Role.GRID_WORKER, place)
        if community is None or office is None or not workers or not buildings.get(place.pk):
            continue
        staff = _holders(Role.COMMUNITY_STAFF, community)
        in_grid = buildings[place.pk]
        grids.append(
            Grid(place, community, office, workers, staff[0] if staff else None, in_grid,
                 [b for b in in_grid if b.name.endswith("幢")])
        )  # fmt: skip
        weights.append((weights[-1] if weights else 0) + max(place.households or 1, 1))
    return World(list(offices.values()), grids, weights, handlers, category_paths())
